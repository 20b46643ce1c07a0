"""Pieces shared by the metric families: table names, interval helpers, input checks, tidy output."""
from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from cxkit.errors import data_error

SURVEYS = "surveys"
CONTACTS = "contacts"

# Column names a metric table may carry besides the group columns (used by
# gap_analysis to tell group columns apart from metric columns).
_METRIC_COLUMNS = frozenset(
    {
        "metric", "n", "n_missing", "n_effective", "value", "se",
        "ci_low", "ci_high", "small_base", "promoters_pct", "passives_pct",
        "detractors_pct", "mean", "top_box_pct", "top_box_ci_low",
        "top_box_ci_high", "change", "change_ci_low", "change_ci_high",
        "change_p_value", "variance",
    }
)
_FLOAT_COLUMNS = frozenset(
    {
        "value_a", "value_b", "diff", "current", "goal", "gap", "gap_ci_low",
        "gap_ci_high", "fcr_rate", "fcr_ci_low", "fcr_ci_high", "median_wait", "p90_wait",
    }
)
_ID_COLUMNS = ("customer_id", "date")


# --------------------------------------------------------------------------- #
# Small statistical helpers
# --------------------------------------------------------------------------- #
def _check_ci(ci: float) -> float:
    if not (isinstance(ci, (int, float)) and 0 < ci < 1):
        raise ValueError(f"ci must be a confidence level strictly between 0 and 1; got {ci!r}")
    return float(ci)


def _z(ci: float) -> float:
    return float(stats.norm.ppf(0.5 + ci / 2))


def wilson_interval(
    p: float, n: float, ci: float = 0.95
) -> tuple[float, float]:
    """Wilson score interval for a proportion.

    The Wilson interval stays inside [0, 1] and keeps close to its nominal coverage
    for small bases and extreme shares, where the textbook Wald interval fails.

    Parameters
    ----------
    p : float
        Observed proportion (0..1).
    n : float
        Base size; pass the effective base size for weighted data.
    ci : float, default 0.95
        Confidence level.

    Returns
    -------
    tuple of float
        ``(low, high)`` on the 0..1 scale; ``(nan, nan)`` when ``n`` is 0.

    Example
    -------
    >>> [round(v, 3) for v in wilson_interval(0.8, 10)]
    [0.49, 0.943]
    """
    ci = _check_ci(ci)
    if not n > 0 or not np.isfinite(p):
        return (math.nan, math.nan)
    z = _z(ci)
    z2n = z * z / n
    centre = (p + z2n / 2) / (1 + z2n)
    half = z / (1 + z2n) * math.sqrt(max(p * (1 - p) / n + z * z / (4 * n * n), 0.0))
    low = 0.0 if p <= 0 else max(centre - half, 0.0)
    high = 1.0 if p >= 1 else min(centre + half, 1.0)
    return (low, high)


# --------------------------------------------------------------------------- #
# Validation
# --------------------------------------------------------------------------- #
def _require_frame(data: Any, name: str) -> pd.DataFrame:
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame; got {type(data).__name__}")
    return data


def _evidence(data: pd.DataFrame, mask: Any, column: str) -> pd.DataFrame:
    cols = [c for c in _ID_COLUMNS if c in data.columns and c != column] + [column]
    return data.loc[np.asarray(mask, dtype=bool), cols]


def _by_list(by: str | Sequence[str] | None) -> list[str]:
    if by is None:
        return []
    if isinstance(by, str) or not isinstance(by, Sequence):
        return [by]  # type: ignore[list-item]
    return list(by)


def _as_numeric(data: pd.DataFrame, column: str, table: str, what: str) -> pd.Series:
    s = data[column]
    if pd.api.types.is_bool_dtype(s) or not (
        pd.api.types.is_numeric_dtype(s) or pd.api.types.is_string_dtype(s)
    ):
        raise data_error(
            table, column, f"{what} must be numeric", _evidence(data, s.notna(), column)
        )
    num = pd.to_numeric(s, errors="coerce").astype("float64")
    bad = s.notna() & num.isna()
    if bad.any():
        raise data_error(
            table, column, f"{what} must be numeric", _evidence(data, bad, column),
            hint="convert text answers to numbers before calling this function",
        )
    return num


# --------------------------------------------------------------------------- #
# Tidy output
# --------------------------------------------------------------------------- #
def _tidy(rows: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    """Frame with fixed column order and plain dtypes (int counts, float numbers)."""
    df = pd.DataFrame(rows, columns=columns)
    for col in df.columns:
        if col in ("n", "n_missing", "n_a", "n_b", "n_contacts", "fcr_base"):
            df[col] = df[col].astype("int64")
        elif col == "small_base":
            df[col] = df[col].astype(bool)
        elif (col in _METRIC_COLUMNS or col in _FLOAT_COLUMNS) and col != "metric":
            df[col] = df[col].astype("float64")
    return df.reset_index(drop=True)
