"""Survival results in plain words: sentences written from the numbers, for reports and notebooks.

Each function takes a row of a survival result and writes what it shows, with the
numbers that back it; the wording follows the test (nothing alarming when a test finds
no evidence). Text from the data (a plan or column name) is escaped, so it shows as
written in Markdown and HTML.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

__all__ = ["ph_sentence"]

# HTML's special characters as html.escape writes them, and the Markdown characters
# that build links, emphasis, code and tables, as numeric character references.
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;",
                          **{c: f"&#{ord(c)};" for c in "\\`*_[]()!#|~$"}})


def _escape(text: Any) -> str:
    return " ".join(str(text).splitlines()).translate(_ESCAPES)


def _p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}" if p < 0.01 else f"p = {p:.2f}"


_CLEAR = math.log(1.1)  # a hazard ratio beyond 0.91-1.1 on both sides of 1 reads as a reversal


def _shape(row: Mapping[str, Any]) -> str:
    """How the effect changes with tenure, in words: fades, grows or reverses.

    By the hazard ratios before and after the split: "reverses" when they lie on either
    side of 1, each by more than 10%; otherwise "fades" when the later one is nearer 1,
    "grows" when it is further from it.
    """
    early, late = math.log(float(row["hr_early"])), math.log(float(row["hr_late"]))
    if early * late < 0 and min(abs(early), abs(late)) > _CLEAR:
        return "reverses with tenure"
    return "fades with tenure" if abs(late) < abs(early) else "grows with tenure"


def ph_sentence(row: Mapping[str, Any], *, what: str | None = None, alpha: float = 0.05, unit: str = "day") -> str:
    """Whether a hazard ratio holds over tenure, in words: "fades", "grows", or nothing alarming.

    A hazard ratio is an average over the membership; when the proportional-hazards
    test finds it drifting, a reader should know which way before acting on it (a
    contact that hurts in the first months and not later calls for early care).

    Parameters
    ----------
    row : a row of :func:`cxkit.survival.proportional_hazards_test` (``covariate``,
        ``hazard_ratio``, ``p_value``, ``direction``, ``hr_early``, ``hr_late``,
        ``split_tenure``).
    what : the covariate in words (plain text, escaped here), e.g. from
        :func:`cxkit.survival.covariate_words`; default the column name.
    alpha : the test's level.
    unit : the model's unit of time, for "up to day 210".

    Returns
    -------
    One sentence (Markdown).

    Example
    -------
    >>> row = {"covariate": "cum_bad_contacts", "hazard_ratio": 1.3, "p_value": 0.002, "direction": "falls",
    ...        "hr_early": 1.5, "hr_late": 1.1, "split_tenure": 210}
    >>> print(ph_sentence(row, what="Each bad contact"))  # doctest: +NORMALIZE_WHITESPACE
    Each bad contact: the effect **fades with tenure** (hazard ratio 1.50 up to day 210, 1.10 after;
    proportional-hazards test p = 0.002), so the hazard ratio reported is an average over tenure.
    >>> print(ph_sentence({**row, "p_value": 0.41}, what="Each bad contact"))  # doctest: +NORMALIZE_WHITESPACE
    Each bad contact: no sign that the effect changes with tenure (proportional-hazards test p = 0.41).
    """
    what_t = _escape(what if what is not None else row["covariate"])
    p = float(row["p_value"])
    if not p < alpha:
        return f"{what_t}: no sign that the effect changes with tenure (proportional-hazards test {_p(p)})."
    early, late, split = float(row["hr_early"]), float(row["hr_late"]), float(row["split_tenure"])
    return (f"{what_t}: the effect **{_shape(row)}** (hazard ratio {early:.2f} up to {unit} {split:,.0f}, "
            f"{late:.2f} after; proportional-hazards test {_p(p)}), so the hazard ratio reported is an average "
            "over tenure.")
