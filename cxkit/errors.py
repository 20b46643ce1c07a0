"""Error and warning classes shared by every cxkit module.

- :class:`DataError` (a ``ValueError``): bad input, naming table, column, rule and rows.
- :class:`FitError`: a model would not fit; the message says what to try.
- :class:`EngineError`: an engine could not run (DuckDB missing, Spark would not start).
"""
from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

__all__ = ["DataError", "FitError", "EngineError", "data_error", "require_columns"]


class DataError(ValueError):
    """Bad input data: names the table, the column, the rule broken and some offending rows.

    Attributes
    ----------
    table, column, rule : str
        Where the problem is and which rule of the data contract it breaks.
    n_rows : int
        How many rows break the rule.
    rows : pandas.DataFrame or None
        Up to five offending rows (as read, before any change).
    """

    def __init__(
        self,
        message: str,
        *,
        table: str | None = None,
        column: str | Sequence[str] | None = None,
        rule: str | None = None,
        n_rows: int = 0,
        rows: pd.DataFrame | None = None,
    ) -> None:
        super().__init__(message)
        self.table = table
        self.column = column
        self.rule = rule
        self.n_rows = n_rows
        self.rows = rows


class FitError(RuntimeError):
    """A model would not fit; the message says what to try."""


class EngineError(RuntimeError):
    """An engine could not run (DuckDB missing, Spark would not start): the message says what to do."""


def data_error(
    table: str,
    column: str | Sequence[str] | None,
    rule: str,
    offending: pd.DataFrame | None = None,
    *,
    hint: str | None = None,
    max_rows: int = 5,
) -> DataError:
    """Build a :class:`DataError` whose message names table, column, rule, count and rows.

    ``offending`` holds the rows that break the rule; up to ``max_rows`` of them are
    shown in the message.
    """
    col = ", ".join(column) if isinstance(column, (list, tuple)) else column
    n = 0 if offending is None else len(offending)
    where = f"table '{table}'" + (f", column '{col}'" if col else "")
    msg = f"{where}: {rule}"
    if offending is not None:
        msg += f" ({n} row{'s' if n != 1 else ''})"
        if n:
            sample = offending.head(max_rows)
            msg += f"; first offending rows:\n{sample.to_string()}"
    if hint:
        msg += f"\nHint: {hint}"
    return DataError(
        msg,
        table=table,
        column=col,
        rule=rule,
        n_rows=n,
        rows=None if offending is None else offending.head(max_rows),
    )


def require_columns(
    data: pd.DataFrame,
    columns: Sequence[str],
    table: str,
    *,
    hint: str | None = None,
) -> None:
    """Raise :class:`DataError` naming the first missing column, all missing and all found.

    Example
    -------
    >>> require_columns(pd.DataFrame({"a": [1]}), ["a"], "t")   # nothing missing: no error
    """
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"table '{table}': expected a pandas DataFrame, got {type(data).__name__}",
                        table=table, rule="DataFrame input")
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise data_error(
            table,
            missing[0],
            f"required column missing (missing: {missing}; found: {list(map(str, data.columns))})",
            hint=hint,
        )
