"""The rules every spend function shares: what is left out and why, inputs checked, levels in order.

* **Nothing is dropped silently.** Rows left out are listed in ``result.attrs["exclusions"]``
  (a list of ``{"table", "rule", "n_rows", "n_customers"}``, each an
  :class:`cxkit.exclusions.Exclusion` as ``record("result")``, the survival-table
  convention); :func:`left_out` shows them as a table. Each row is counted under the
  first rule it breaks.
* Bad input (a missing column, a rating that is not a number, negative spend, an
  unparseable date, a window of 0 months) raises :class:`cxkit.DataError` naming the
  table, the column, the rule and the first offending rows.
* Satisfaction levels read in the order of :data:`LEVELS`; customers without a survey
  answer are the level ``"no survey"``, never left out.

Example
-------
>>> r = pd.DataFrame(); r.attrs["exclusions"] = [{"table": "surveys", "rule": "rating missing",
...     "n_rows": 3, "n_customers": 2}]
>>> left_out(r)["n_customers"].tolist()
[2]
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from cxkit.errors import DataError, data_error
from cxkit.exclusions import exclusion_table
from cxkit.parsing import parse_dates, to_number

__all__ = ["LEVELS", "NO_SURVEY", "left_out"]

#: Satisfaction levels in reading order (the labels of :func:`cxkit.experience.satisfaction_level`).
LEVELS: tuple[str, ...] = ("dissatisfied (1-2)", "neutral (3)", "satisfied (4-5)", "no survey")
NO_SURVEY = "no survey"


# --------------------------------------------------------------------------- shared checks


def left_out(result: pd.DataFrame) -> pd.DataFrame:
    """The rows a result of this module left out, one row per rule (empty when none).

    Quote a revenue share or a slope together with what it does not cover. The table is
    :func:`cxkit.exclusions.exclusion_table` in its ``"result"`` shape (``table``,
    ``rule``, ``n_rows``, ``n_customers``).

    Example
    -------
    >>> r = pd.DataFrame(); r.attrs["exclusions"] = [{"table": "surveys", "rule": "rating missing",
    ...     "n_rows": 3, "n_customers": 2}]
    >>> left_out(r)[["rule", "n_rows"]].values.tolist()
    [['rating missing', 3]]
    """
    return exclusion_table(result.attrs.get("exclusions", []), "result")


def _months(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise DataError(f"{name} must be a whole number of months above 0, got {value!r}",
                        column=name, rule=f"{name} > 0")
    return int(value)


def _numbers(data: pd.DataFrame, column: str, table: str, *, allow_missing: bool) -> pd.Series:
    out = to_number(data[column], table=table, column=column, frame=data)
    if not allow_missing and out.isna().any():
        raise data_error(table, column, "value missing (a customer with no purchases has spend 0)",
                         data[out.isna()])
    return out


def _days(data: pd.DataFrame, column: str, table: str) -> pd.Series:
    out = parse_dates(data[column], table=table, column=column, frame=data).dt.normalize()
    if out.isna().any():
        raise data_error(table, column, "date missing", data[out.isna()])
    return out


def _unique(data: pd.DataFrame, customer: str, table: str) -> None:
    dup = data[customer].duplicated(keep=False)
    if dup.any():
        raise data_error(table, customer, "one row per customer expected", data[dup],
                         hint="summarise per customer first (customer_spend, customer_experience)")


def _level_order(levels: pd.Series) -> list[str]:
    seen = set(levels.dropna().astype(str))
    if seen <= set(LEVELS):
        return list(LEVELS)
    return [lv for lv in LEVELS if lv in seen] + sorted(seen - set(LEVELS))

