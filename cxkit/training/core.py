"""The machinery of checked exercises: an :class:`Exercise` knows its right answer and its common mistakes.

An exercise is registered once with :func:`exercise` (a function that computes the right
answer from the data in use, the tolerance, and the mistakes a newcomer makes, each a
function that computes what the mistake would give and a message naming it).
:func:`check` compares a learner's answer: right within the stated tolerance, one of the
named mistakes, or wrong with a hint; an answer still ``None`` is "not answered yet", so a
learner's copy of a notebook runs from top to bottom without an error. :func:`completion`
lists each exercise of a session with its latest result, for the learner to hand in.

Example
-------
>>> import pandas as pd
>>> @exercise("X.mean_spend", "What is the mean spend?", tolerance=0.01,
...           mistakes=[Mistake("the median", lambda spend: spend.median(), "That is the median: the middle value.")])
... def _mean_spend(spend):
...     return spend.mean()
>>> spend = pd.Series([1.0, 2.0, 9.0])
>>> check("X.mean_spend", 2.0, spend=spend).message
'That is the median: the middle value.'
>>> check("X.mean_spend", 4.0, spend=spend).status
'right'
>>> check("X.mean_spend", None, spend=spend).status
'not answered'
"""
from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cxkit.errors import argument_error
from cxkit.narrative import escape

__all__ = ["NOT_ANSWERED", "KINDS", "Mistake", "Exercise", "Feedback", "exercise", "check", "completion",
           "exercises", "registered", "reset"]

NOT_ANSWERED = "not answered"
#: What an answer is: a number (within a tolerance), a choice (one of ``choices``, case and spaces ignored),
#: a set of labels (order ignored), or a table (a DataFrame compared column by column, numbers within the tolerance).
KINDS = ("number", "choice", "set", "table")


@dataclass(frozen=True)
class Mistake:
    """A common mistake: its name, what it gives on the data in use, and the message that names it.

    Parameters
    ----------
    name : the mistake in a few words ("7-8 counted as promoters").
    wrong : computes the answer the mistake gives, from the same data as the right answer.
    message : what went wrong and how to put it right (Markdown).
    """

    name: str
    wrong: Callable[..., Any]
    message: str


@dataclass(frozen=True)
class Exercise:
    """A "your turn" exercise: the question, how its right answer is computed, and its mistakes.

    Attributes
    ----------
    name : ``"T1.nps_by_hand"``: the session, a dot, a short name.
    question : the question as the notebook asks it.
    answer : computes the right answer from the data passed to :func:`check`.
    kind : one of :data:`KINDS`.
    tolerance, rel_tolerance : how far a number (or a table's numbers) may be from the answer and still be right.
    mistakes : the named mistakes, tried in order when an answer is not right.
    choices : for a choice, the options (a learner's answer must be one of them).
    explain : writes what is right from the right answer ("NPS is 20: 40% promoters minus 20% detractors").
    hint : said when an answer is wrong and no named mistake explains it.
    teaches : what the exercise teaches, for the trainer's plan.
    """

    name: str
    question: str
    answer: Callable[..., Any]
    kind: str = "number"
    tolerance: float = 0.0
    rel_tolerance: float = 0.0
    mistakes: tuple[Mistake, ...] = ()
    choices: tuple[str, ...] = ()
    explain: Callable[[Any], str] | None = None
    hint: str = ""
    teaches: str = ""

    @property
    def session(self) -> str:
        return self.name.split(".", 1)[0]

    def tolerance_text(self) -> str:
        """The tolerance in words, as a check states it."""
        parts = ([f"±{self.tolerance:g}"] if self.tolerance else []) + (
            [f"±{100 * self.rel_tolerance:g}%"] if self.rel_tolerance else [])
        return " or ".join(parts) if parts else "exactly"


@dataclass(frozen=True)
class Feedback:
    """What :func:`check` says of an answer: right, wrong (with the mistake named where known) or not answered.

    Shown in a notebook as a short Markdown line; ``right`` tells a hidden test whether it passed.
    """

    exercise: str
    status: str
    message: str
    mistake: str | None = None

    @property
    def right(self) -> bool:
        return self.status == "right"

    def __str__(self) -> str:
        mark = {"right": "Right.", "wrong": "Not yet.", NOT_ANSWERED: "Not answered yet."}[self.status]
        return f"{mark} {self.message}".strip()

    def _repr_markdown_(self) -> str:
        icon = {"right": "✅", "wrong": "❌", NOT_ANSWERED: "✏️"}[self.status]
        return f"{icon} **{escape(self.exercise)}**: {self}"


_EXERCISES: dict[str, Exercise] = {}
_RESULTS: dict[str, Feedback] = {}


def exercise(name: str, question: str, *, kind: str = "number", tolerance: float = 0.0, rel_tolerance: float = 0.0,
             mistakes: Iterable[Mistake] = (), choices: Iterable[str] = (), explain: Callable[[Any], str] | None = None,
             hint: str = "", teaches: str = "") -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the decorated function as the right answer of exercise ``name`` (see :class:`Exercise`)."""
    if kind not in KINDS:
        raise argument_error("kind", f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    if "." not in name:
        raise argument_error("name", f"an exercise is named 'SESSION.name', e.g. 'T1.nps_by_hand'; got {name!r}")

    def register(answer: Callable[..., Any]) -> Callable[..., Any]:
        _EXERCISES[name] = Exercise(name=name, question=question, answer=answer, kind=kind, tolerance=tolerance,
                                    rel_tolerance=rel_tolerance, mistakes=tuple(mistakes),
                                    choices=tuple(choices), explain=explain, hint=hint, teaches=teaches)
        return answer

    return register


def _close(a: float, b: float, ex: Exercise) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= max(ex.tolerance, ex.rel_tolerance * abs(b), 1e-9 * max(1.0, abs(b)))


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (pd.Series, pd.DataFrame, np.ndarray)) and np.size(value) == 1:
        value = np.asarray(value).ravel()[0]
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _words(value: Any) -> str:
    return " ".join(str(value).strip().lower().split())


def _table(value: Any) -> pd.DataFrame | None:
    if isinstance(value, pd.Series):
        value = value.reset_index() if value.index.name or not isinstance(value.index, pd.RangeIndex) else \
            value.to_frame()
    if not isinstance(value, pd.DataFrame):
        return None
    if value.index.name is not None or not isinstance(value.index, pd.RangeIndex):
        value = value.reset_index()
    return value.reset_index(drop=True)


def _same_table(answer: Any, expected: Any, ex: Exercise) -> bool:
    got, want = _table(answer), _table(expected)
    if got is None or want is None or len(got) != len(want) or not set(want.columns) <= set(got.columns):
        return False
    got = got[list(want.columns)].sort_values(list(want.columns)).reset_index(drop=True)
    want = want.sort_values(list(want.columns)).reset_index(drop=True)
    for column in want.columns:
        a, b = got[column], want[column]
        if pd.api.types.is_numeric_dtype(b) and not pd.api.types.is_bool_dtype(b):
            numbers = pd.to_numeric(a, errors="coerce")
            if numbers.isna().ne(b.isna()).any() or not all(
                    _close(float(x), float(y), ex) for x, y in zip(numbers.dropna(), b.dropna(), strict=True)):
                return False
        elif [_words(x) for x in a] != [_words(y) for y in b]:
            return False
    return True


def _same(answer: Any, expected: Any, ex: Exercise) -> bool:
    """Whether ``answer`` counts as ``expected`` for this exercise's kind and tolerance."""
    if ex.kind == "number":
        got, want = _number(answer), _number(expected)
        return got is not None and want is not None and _close(got, want, ex)
    if ex.kind == "choice":
        return _words(answer) == _words(expected)
    if ex.kind == "set":
        if isinstance(answer, str) or not isinstance(answer, Iterable):
            return False
        return {_words(a) for a in answer} == {_words(e) for e in expected}
    return _same_table(answer, expected, ex)


def _shape_problem(answer: Any, ex: Exercise) -> str | None:
    """What is wrong with the form of an answer (not a number, not one of the choices), before its value."""
    if ex.kind == "number" and _number(answer) is None:
        return f"The answer should be a number; got {type(answer).__name__} {escape(repr(answer)[:60])}."
    if ex.kind == "choice" and ex.choices and _words(answer) not in {_words(c) for c in ex.choices}:
        return "Answer with one of: " + ", ".join(f"`{escape(c)}`" for c in ex.choices) + "."
    if ex.kind == "set" and (isinstance(answer, str) or not isinstance(answer, Iterable)):
        return "The answer should be a list of names, e.g. `[\"availability\", \"clarity\"]`."
    if ex.kind == "table" and _table(answer) is None:
        return "The answer should be a table (a pandas DataFrame)."
    return None


def _find(name: str) -> Exercise:
    if name not in _EXERCISES:
        known = ", ".join(sorted(_EXERCISES))
        raise argument_error("exercise", f"no exercise named {name!r}; the exercises are: {known}")
    return _EXERCISES[name]


def check(name: str, answer: Any, **data: Any) -> Feedback:
    """Check a learner's answer to exercise ``name`` against the right answer computed from ``data``.

    Parameters
    ----------
    name : the exercise, e.g. ``"T1.nps_by_hand"``.
    answer : the learner's answer; ``None`` (or ``...``) is "not answered yet".
    **data : the tables the answer is computed from, as the notebook names them.

    Returns
    -------
    :class:`Feedback`: right (and what is right), one of the named mistakes (and how to put it
    right), or wrong (with a hint and the tolerance); kept for :func:`completion`.
    """
    ex = _find(name)
    if answer is None or answer is Ellipsis:
        feedback = Feedback(name, NOT_ANSWERED, escape(ex.question))
    elif (problem := _shape_problem(answer, ex)) is not None:
        feedback = Feedback(name, "wrong", problem)
    else:
        expected = ex.answer(**data)
        if _same(answer, expected, ex):
            feedback = Feedback(name, "right", ex.explain(expected) if ex.explain else "")
        else:
            named = next((m for m in ex.mistakes if _same(answer, m.wrong(**data), ex)), None)
            if named is not None:
                feedback = Feedback(name, "wrong", named.message, mistake=named.name)
            else:
                tolerance = f" (a number within {ex.tolerance_text()} of the answer counts as right)" \
                    if ex.kind == "number" else ""
                feedback = Feedback(name, "wrong", (ex.hint or "Look at the question again.") + tolerance)
    _RESULTS[name] = feedback
    return feedback


def exercises(session: str | None = None) -> pd.DataFrame:
    """The registered exercises (of one session): name, question, what each teaches, kind, tolerance, mistakes."""
    rows = [{"exercise": ex.name, "question": ex.question, "teaches": ex.teaches, "kind": ex.kind,
             "tolerance": ex.tolerance_text() if ex.kind in ("number", "table") else "",
             "mistakes named": "; ".join(dict.fromkeys(m.name for m in ex.mistakes))}
            for ex in _EXERCISES.values() if session is None or ex.session == session]
    return pd.DataFrame(rows, columns=["exercise", "question", "teaches", "kind", "tolerance", "mistakes named"])


def completion(session: str) -> pd.DataFrame:
    """Each exercise of ``session`` with its latest result in this kernel: what a learner hands in.

    Example
    -------
    >>> reset(); completion("X")[["exercise", "status"]].to_dict("records")
    [{'exercise': 'X.mean_spend', 'status': 'not answered'}]
    """
    rows = [{"exercise": ex.name, "question": ex.question,
             "status": _RESULTS[ex.name].status if ex.name in _RESULTS else NOT_ANSWERED}
            for ex in _EXERCISES.values() if ex.session == session]
    return pd.DataFrame(rows, columns=["exercise", "question", "status"])


def reset() -> None:
    """Forget every result (a new learner, or a fresh start)."""
    _RESULTS.clear()


def registered() -> Mapping[str, Exercise]:
    """Every registered exercise by name (read-only use)."""
    return dict(_EXERCISES)

