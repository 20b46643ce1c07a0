"""Error and warning classes shared by every cxkit module.

Errors:

- :class:`DataError` (a ``ValueError``): bad input, naming table, column, rule and rows.
- :class:`ArgumentError` (a ``DataError`` and a ``ValueError``): a bad argument to a
  function, naming the argument, what was expected and what was got.
- :class:`FitError`: a model would not fit; the message says what to try.
- :class:`EngineError`: an engine could not run (DuckDB missing, Spark would not start).

Warnings (a result is computed, but a reader should know something about it; a
notebook shows them, ``warnings.simplefilter("error", CXWarning)`` makes them errors):

- :class:`CXWarning` (a ``UserWarning``): the family, to filter all of them at once.
- :class:`StatisticalWarning`: an estimate was computed but is doubtful (an interval that
  misses its estimate, a fit that barely converged), as lifelines' ``StatisticalWarning``.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

__all__ = ["DataError", "ArgumentError", "FitError", "EngineError", "CXWarning",
           "StatisticalWarning", "data_error", "argument_error", "check_choice", "require_columns"]


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


class ArgumentError(DataError, ValueError):
    """A bad argument to a cxkit function: names the argument, what was expected and what was got.

    A :class:`DataError` (so ``except DataError`` catches it, as it caught the arguments
    errors before this class) and a ``ValueError``, as scikit-learn's argument checks
    raise. ``table`` is ``"arguments"`` and ``column`` the argument's name, unless said
    otherwise.

    Example
    -------
    >>> err = ArgumentError("engine must be one of ['duckdb', 'spark'], got 'polars'", column="engine")
    >>> isinstance(err, DataError) and isinstance(err, ValueError), err.table, err.column
    (True, 'arguments', 'engine')
    """

    def __init__(
        self,
        message: str,
        *,
        table: str | None = "arguments",
        column: str | Sequence[str] | None = None,
        rule: str | None = "arguments",
        n_rows: int = 0,
        rows: pd.DataFrame | None = None,
    ) -> None:
        super().__init__(message, table=table, column=column, rule=rule, n_rows=n_rows, rows=rows)


class FitError(RuntimeError):
    """A model would not fit; the message says what to try."""


class EngineError(RuntimeError):
    """An engine could not run (DuckDB missing, Spark would not start): the message says what to do."""


class CXWarning(UserWarning):
    """Every warning cxkit gives: a result was computed, and a reader should know something about it."""


class StatisticalWarning(CXWarning):
    """An estimate was computed but is doubtful (few cases, a fit near its limits): quote it with care."""


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


def argument_error(argument: str | None, rule: str, *, hint: str | None = None) -> ArgumentError:
    """An :class:`ArgumentError` worded as :func:`data_error` words it, with ``table`` ``"arguments"``.

    The message starts ``table 'arguments', column '<argument>':`` (``table 'arguments':``
    when ``argument`` is None, for a rule about several arguments together), as every
    argument error of the themes and the engines has, so the pandas path and the engines
    refuse a bad argument in the same words.

    Example
    -------
    >>> str(argument_error("observation_end", "observation_end must be after calibration_end"))
    "table 'arguments', column 'observation_end': observation_end must be after calibration_end"
    """
    err = data_error("arguments", argument, rule, hint=hint)
    return ArgumentError(str(err), column=argument, rule=rule)


def check_choice(value: Any, allowed: Sequence[Any], name: str) -> None:
    """Raise an :class:`ArgumentError` unless ``value`` is one of ``allowed`` (the message lists them).

    Example
    -------
    >>> check_choice("net", ("net", "drop", "raise"), "refunds")   # allowed: nothing happens
    >>> try:
    ...     check_choice("keep", ("net", "drop", "raise"), "refunds")
    ... except ArgumentError as err:
    ...     print(err.rule)
    refunds must be one of ['net', 'drop', 'raise'], got 'keep'
    """
    if value not in allowed:
        raise argument_error(name, f"{name} must be one of {list(allowed)}, got {value!r}")


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
