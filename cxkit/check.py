"""Check a data folder before anything slow runs: every problem at once, then what loads and which notebooks run.

A broken export met one problem per run (fix a date, rerun, meet a duplicate id, rerun)
wastes an analyst's afternoon. :func:`check_folder` reads the settings file entry by
entry and loads each table on its own with the data contract's own steps
(:class:`cxkit.data.FolderLoad`), so a problem in one table hides none in another; an
activity table whose own rules pass is still checked against the customers table
(unknown ids, activity before sign-up or after churn). When nothing is wrong, the folder
is loaded as the notebooks load it, and the check says what was loaded, left out and
set, and which notebooks can run on it.

``cxkit check DIR`` (:func:`cxkit.report.main`) prints :func:`check_text` and exits with
0 when the folder loads with no problem, 1 when there are problems.

Example
-------
>>> result = check_folder("data/sample")
>>> result.ok, result.problems, bool(result.notebooks["runs"].all())
(True, [], True)
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from cxkit import notebooks as kit_notebooks
from cxkit.data import FolderLoad, FolderPlan, find_folder
from cxkit.data.settings import SETTINGS_FILE, read_settings_with_problems
from cxkit.errors import DataError
from cxkit.folder import CXFolder, load_folder

__all__ = ["Problem", "FolderCheck", "check_folder", "check_text", "loaded_text"]

#: Errors a check reports as problems of the folder (a DataError is a ValueError; a misspelt
#: reading option is a TypeError; an unreadable file an OSError), instead of stopping.
_PROBLEMS = (ValueError, TypeError, OSError)


@dataclass(frozen=True)
class Problem:
    """One problem of a data folder: where it is, the rule it breaks, how many rows, and the full message.

    Attributes
    ----------
    table : the table (``"transactions"``), ``"settings file"``, or ``"folder"`` (finding the files).
    column : the column, or the settings file's key; ``""`` when the problem is the whole table.
    rule : the rule of the data contract broken (``"customer_id must be unique"``).
    n_rows : how many rows break it (0 when rows do not apply).
    message : the error's message: table, column, rule and the first offending rows.
    """

    table: str
    column: str
    rule: str
    n_rows: int
    message: str

    @classmethod
    def of(cls, error: BaseException, table: str = "") -> Problem:
        """The problem an error names (a :class:`cxkit.DataError`'s table, column, rule and rows).

        Example
        -------
        >>> from cxkit.errors import data_error
        >>> Problem.of(data_error("surveys", "nps", "rating must be a whole number from 0 to 10")).table
        'surveys'
        """
        if not isinstance(error, DataError):
            return cls(table or "folder", "", type(error).__name__, 0, str(error))
        column = error.column if isinstance(error.column, str) or error.column is None else ", ".join(error.column)
        where = error.table or ("settings file" if error.rule == "settings file" else table or "folder")
        return cls(where, column or "", error.rule or "", int(error.n_rows or 0), str(error))

    def heading(self) -> str:
        """Where the problem is: table, column (or settings key), and the rule when the message does not say it."""
        parts = [self.table]
        if self.column:
            parts.append(f"{'key' if self.table == 'settings file' else 'column'} {self.column}")
        if self.rule and self.rule not in self.message:
            parts.append(f"rule: {self.rule}")
        return " · ".join(parts)


@dataclass
class FolderCheck:
    """What :func:`check_folder` found.

    Attributes
    ----------
    data_dir : the folder checked.
    problems : every :class:`Problem` found, settings file first, then by table.
    data : the loaded folder (:class:`cxkit.folder.CXFolder`) when it loads with no
        problem, else None.
    notebooks : one row per numbered notebook: ``notebook``, ``runs`` (bool) and
        ``reason`` (why it cannot run; empty when it runs).
    """

    data_dir: Path
    problems: list[Problem] = field(default_factory=list)
    data: CXFolder | None = None
    notebooks: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["notebook", "runs", "reason"]))

    @property
    def ok(self) -> bool:
        """Whether the folder loads with no problem."""
        return not self.problems and self.data is not None


def check_folder(
    data_dir: str | Path,
    *,
    columns: Mapping[str, Any] | None = None,
    files: Mapping[str, str] | None = None,
    as_of: Any = None,
    company: str | None = None,
    currency: str | None = None,
    goals: Mapping[str, float] | None = None,
    **load_options: Any,
) -> FolderCheck:
    """Check a data folder and list every problem at once: settings file, each table, each table against customers.

    Why it matters: an export with three problems is fixed in one pass, not three reruns,
    and before any notebook spends minutes on it.

    Each entry of ``cxkit.toml`` is checked (the valid ones still say how to read the
    tables); each table is loaded on its own by the data contract's step for it, the
    activity tables against the customers table when that loads. With no problem, the
    load is finished as :func:`cxkit.load_folder` finishes it (what the notebooks get),
    which also checks what needs the whole folder (the column mapping, the analysis date).
    Transactions left in their files for an engine are checked in that last step only,
    by :func:`cxkit.load_folder` itself.

    Parameters
    ----------
    data_dir : the data folder.
    columns, files, as_of, company, currency, goals, **load_options : as for
        :func:`cxkit.load_folder` (what a run passes as notebook parameters).

    Returns
    -------
    :class:`FolderCheck`: the problems, the loaded folder (or None), and which notebooks can run.

    Example
    -------
    >>> check_folder("data/does-not-exist").problems[0].message
    'data folder not found: data/does-not-exist'
    """
    folder = Path(data_dir)
    settings, errors = read_settings_with_problems(folder) if folder.is_dir() else (None, [])
    problems = [Problem.of(e, "settings file") for e in errors]
    given = dict(columns=columns, files=files, as_of=as_of, company=company, currency=currency, goals=goals)
    try:
        plan = find_folder(folder, settings=settings, **given, **load_options)
    except _PROBLEMS as err:
        problems.append(Problem.of(err))
        return FolderCheck(folder, problems, None, _notebooks(None, problems))
    load = FolderLoad(plan)
    for table, step in _table_steps(load).items():
        try:
            step()
        except _PROBLEMS as err:
            problems.append(Problem.of(err, table))
    data = None
    if not problems:
        try:
            data = (CXFolder.of(load.finish()) if not _engine_read(plan)
                    else load_folder(folder, **given, **load_options))
        except _PROBLEMS as err:
            problems.append(Problem.of(err))
    return FolderCheck(folder, problems, data, _notebooks(plan, problems))


def _engine_read(plan: FolderPlan) -> bool:
    """Whether the transactions are read by an engine (left in their files, or a folder of parts)."""
    return plan.transactions_in_place or plan.transactions_in_parts


def _table_steps(load: FolderLoad) -> dict[str, Callable[[], None]]:
    """The data contract's load step of each table the folder has, customers first (the others need them)."""
    steps = {"customers": load.load_customers, "transactions": load.load_transactions,
             "surveys": load.load_surveys, "contacts": load.load_contacts}
    skip = {"transactions"} if _engine_read(load.plan) else set()
    return {t: s for t, s in steps.items() if t in load.plan.sources and t not in skip}


def _notebooks(plan: FolderPlan | None, problems: Sequence[Problem]) -> pd.DataFrame:
    """One row per numbered notebook: whether it runs on the folder and, if not, why."""
    present = set(plan.sources) if plan is not None else set()
    rows = []
    for path in kit_notebooks.find_notebooks():
        missing = kit_notebooks.missing_tables(path, present)
        if missing and plan is not None:
            reason = kit_notebooks.missing_tables_reason(missing)
        elif problems:
            reason = f"the folder does not load: fix the {_count(len(problems), 'problem')} listed"
        else:
            reason = ""
        rows.append({"notebook": path.stem, "runs": not reason, "reason": reason})
    return pd.DataFrame(rows, columns=["notebook", "runs", "reason"])


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def _indent(text: str, prefix: str = "   ") -> str:
    return "\n".join(prefix + line.rstrip() if line.strip() else "" for line in str(text).splitlines())


def _frame(df: pd.DataFrame) -> str:
    """A frame as plain text, no index: words aligned left, numbers right, dates as dates."""
    shown = df.copy()
    for col in shown.columns:
        if pd.api.types.is_datetime64_any_dtype(shown[col]):
            shown[col] = shown[col].dt.strftime("%Y-%m-%d").fillna("")
    widths = {c: max([len(str(c)), *shown[c].astype(str).str.len()]) for c in shown.columns
              if shown[c].dtype == object}
    shown = shown.rename(columns={c: str(c).ljust(w) for c, w in widths.items()})
    formatters = {str(c).ljust(w): (lambda v, w=w: str(v).ljust(w)) for c, w in widths.items()}
    return _indent(shown.to_string(index=False, formatters=formatters))


def loaded_text(data: CXFolder) -> list[str]:
    """What was loaded, left out, read by a rule and set: the sections after a folder loads, as lines of text.

    Why it matters: an analyst sees what went into the reports (rows per table, rows left
    out and why, settings used and where each came from) before reading any of them.

    Parameters
    ----------
    data : a loaded folder (:func:`cxkit.load_folder`).

    Returns
    -------
    list of lines: "Loaded", "Left out", "Read by a rule" (when any) and "Settings" sections.

    Example
    -------
    >>> lines = loaded_text(load_folder("data/sample"))
    >>> lines[0], "Left out" in lines
    ('Loaded', True)
    """
    summary = data.summary()
    loaded = summary.loc[summary["present"], ["table", "source", "rows", "customers", "first_date", "last_date",
                                              "excluded_rows"]]
    absent = summary.loc[~summary["present"], "table"].tolist()
    lines = ["Loaded", _frame(loaded)]
    if absent:
        lines.append(f"   not in the folder: {', '.join(absent)}")
    lines += [f"   {h}" for h in summary.loc[summary["hint"] != "", "table"] + ": " + summary.loc[
        summary["hint"] != "", "hint"]]
    lines += ([f"   {data.as_of_rule}"] if data.as_of_rule else []) + ["", "Left out"]
    excluded = data.exclusions[["table", "rule", "n_rows"]].rename(columns={"n_rows": "rows"})
    lines.append(_frame(excluded) if len(excluded) else "   nothing")
    load_report = data.load_report()
    read = load_report.loc[load_report["what happened"] == "read by a rule", ["table", "rule", "rows"]]
    read = read.astype({"rows": int})
    if len(read):
        lines += ["", "Read by a rule", _frame(read)]
    used = data.settings.report()
    lines += ["", f"Settings ({data.settings.path or 'no ' + SETTINGS_FILE})", _frame(used)]
    return lines


def check_text(check: FolderCheck) -> str:
    """The check as plain text for an analyst: the problems numbered, or what loaded; then the notebooks.

    Example
    -------
    >>> print(check_text(check_folder("data/does-not-exist")))  # doctest: +NORMALIZE_WHITESPACE
    Checked data/does-not-exist: 1 problem.
    <BLANKLINE>
    1. folder · rule: folder exists
       data folder not found: data/does-not-exist
    <BLANKLINE>
    Notebooks: none can run until the problem is fixed.
    """
    if check.problems:
        n = len(check.problems)
        lines = [f"Checked {check.data_dir}: {_count(n, 'problem')}.", ""]
        for i, problem in enumerate(check.problems, 1):
            lines += [f"{i}. {problem.heading()}", _indent(problem.message), ""]
        lines.append(f"Notebooks: none can run until the problem{'s are' if n != 1 else ' is'} fixed.")
        skipped = check.notebooks.loc[check.notebooks["reason"].str.startswith("needs")]
        lines += [f"   {row.notebook}: {row.reason}" for row in skipped.itertuples()]
        return "\n".join(lines)
    lines = [f"Checked {check.data_dir}: no problems, the folder loads.", ""]
    if check.data is not None:
        lines += loaded_text(check.data)
    lines += ["", "Notebooks"]
    for row in check.notebooks.itertuples():
        lines.append(f"   runs     {row.notebook}" if row.runs else f"   skipped  {row.notebook}: {row.reason}")
    return "\n".join(lines)
