"""Comparisons and trends of survey scores: two groups, every segment, period by period.

All differences are built on the estimator of :mod:`cxkit.metrics.scores`, so a
difference always agrees with the two scores it compares.
"""
from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from cxkit.errors import data_error, require_columns
from cxkit.metrics._common import (
    SURVEYS,
    _by_list,
    _check_ci,
    _evidence,
    _require_frame,
    _tidy,
    _z,
)
from cxkit.metrics.scores import (
    _DEFAULTS,
    _EXTRA_ORDER,
    _answers,
    _Estimate,
    _estimate,
    _group_estimates,
    _make_spec,
    _row,
    _Spec,
    _weight_values,
)

__all__ = ["compare", "compare_segments", "trend", "period_over_period"]


# --------------------------------------------------------------------------- #
# The difference of two estimates
# --------------------------------------------------------------------------- #
@dataclass
class _Difference:
    diff: float
    se: float
    ci_low: float
    ci_high: float
    p_value: float


def _difference(a: _Estimate, b: _Estimate, ci: float) -> _Difference:
    """``a - b`` with a two-sided test built from the variance of each estimate.

    Normal reference (z-test) for NPS and proportions; Welch t with the
    Welch-Satterthwaite degrees of freedom for means.
    """
    diff = a.value - b.value
    va, vb = a.se**2, b.se**2
    se = math.sqrt(va + vb)
    if not (np.isfinite(diff) and np.isfinite(se)):
        return _Difference(math.nan, math.nan, math.nan, math.nan, math.nan)
    if se == 0:  # both groups unanimous: no sampling variation to speak of
        return _Difference(diff, 0.0, diff, diff, 1.0 if diff == 0 else 0.0)
    if math.isinf(a.dof) and math.isinf(b.dof):
        crit = _z(ci)
        p = float(2 * stats.norm.sf(abs(diff / se)))
    else:
        terms = [v * v / d for v, d in ((va, a.dof), (vb, b.dof)) if v > 0]
        dof = (va + vb) ** 2 / sum(terms)
        crit = float(stats.t.ppf(0.5 + ci / 2, dof))
        p = float(2 * stats.t.sf(abs(diff / se), dof))
    return _Difference(diff, se, diff - crit * se, diff + crit * se, min(p, 1.0))


# --------------------------------------------------------------------------- #
# Comparisons
# --------------------------------------------------------------------------- #
def _levels(value: Any) -> list[Any]:
    if isinstance(value, (list, set, frozenset, np.ndarray, pd.Index, pd.Series)):
        return list(value)
    return [value]


def _label(levels: list[Any]) -> Any:
    return levels[0] if len(levels) == 1 else " + ".join(map(str, levels))


def compare(
    data: pd.DataFrame,
    metric: str = "nps",
    *,
    by: str,
    a: Hashable | Sequence[Hashable] | None = None,
    b: Hashable | Sequence[Hashable] | None = None,
    column: str | None = None,
    weights: str | None = None,
    ci: float = 0.95,
    scale: tuple[int, int] | None = None,
    top_box: Sequence[int] | None = None,
) -> pd.DataFrame:
    """Difference in a metric between two groups, with its interval and a two-sided p-value.

    Tells you whether a segment really differs from the rest (or from a reference
    group) before anyone acts on a gap that is only noise.

    Parameters
    ----------
    data : pandas.DataFrame
        Survey answers (the ``surveys`` table).
    metric : {"nps", "csat", "ces"}, default "nps"
        Metric to compare (headline value: NPS, CSAT top-box %, CES mean).
    by : str
        Column defining the groups (e.g. ``"segment"``, ``"channel"``, or a
        period column you made).
    a : level or list of levels, optional
        Group A. ``None`` compares every level of ``by`` (except those in ``b``)
        in turn, giving one row per level.
    b : level or list of levels, optional
        Group B. ``None`` means "everyone not in A" (the rest).
    column : str, optional
        Answer column; defaults to the metric's standard column name.
    weights : str, optional
        Weight column (effective bases are used in the variances).
    ci : float, default 0.95
        Confidence level of the difference interval.
    scale, top_box : optional
        Passed to the CSAT/CES definition (see :func:`csat`, :func:`ces`).

    Returns
    -------
    pandas.DataFrame
        One row per comparison: ``metric``, ``group_a``, ``group_b``, ``value_a``,
        ``value_b``, ``n_a``, ``n_b``, ``diff`` (A - B), ``se``, ``ci_low``,
        ``ci_high``, ``p_value``. NPS uses a z-test with the trinomial variance of
        each group, CSAT a z-test with the (unpooled) binomial variance of each
        top-box share, CES a Welch t-test on the means.

    Example
    -------
    >>> df = pd.DataFrame({"seg": ["x"] * 4 + ["y"] * 4, "nps": [10, 9, 9, 8, 6, 5, 9, 7]})
    >>> compare(df, "nps", by="seg", a="x")[["group_a", "group_b", "diff"]]
      group_a group_b   diff
    0       x    rest  100.0
    """
    data = _require_frame(data, "data")
    ci = _check_ci(ci)
    spec = _make_spec(metric, column=column, scale=scale, top_box=top_box)
    require_columns(data, [by], SURVEYS)
    x = _answers(data, spec)
    w = _weight_values(data, weights, x.notna())
    groups = data[by]
    b_levels = None if b is None else _levels(b)
    if a is None:
        observed = pd.unique(groups.dropna())
        skip = set(b_levels or [])
        pairs = [([lvl], b_levels) for lvl in sorted(observed) if lvl not in skip]
    else:
        pairs = [(_levels(a), b_levels)]

    rows = []
    for a_lv, b_lv in pairs:
        in_a = groups.isin(a_lv).to_numpy()
        in_b = ~in_a if b_lv is None else groups.isin(b_lv).to_numpy()
        for lv, mask in ((a_lv, in_a), (b_lv, in_b)):
            if not mask.any():
                raise data_error(
                    SURVEYS, by, f"no rows in group {lv if lv is not None else 'rest'!r}",
                    None, hint=f"levels present: {sorted(map(str, pd.unique(groups.dropna())))}",
                )
        ea = _estimate(spec, x[in_a], w[in_a], ci)
        eb = _estimate(spec, x[in_b], w[in_b], ci)
        d = _difference(ea, eb, ci)
        rows.append(
            {
                "metric": spec.label,
                "group_a": _label(a_lv),
                "group_b": "rest" if b_lv is None else _label(b_lv),
                "value_a": ea.value,
                "value_b": eb.value,
                "n_a": ea.n,
                "n_b": eb.n,
                "diff": d.diff,
                "se": d.se,
                "ci_low": d.ci_low,
                "ci_high": d.ci_high,
                "p_value": d.p_value,
            }
        )
    cols = ["metric", "group_a", "group_b", "value_a", "value_b", "n_a", "n_b",
            "diff", "se", "ci_low", "ci_high", "p_value"]
    return _tidy(rows, cols)


def compare_segments(
    data: pd.DataFrame,
    by: str | Sequence[str],
    metrics: Sequence[str] = ("nps", "csat", "ces"),
    *,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Each level of each segment column against everyone else, for each metric, clearest first.

    The segment table of a CX report: which plans, regions or channels differ from the
    rest of the customers beyond the noise. It runs on any data: a column with fewer than
    two levels among the answers (nothing to compare) and a metric whose column is absent
    are left out rather than stopping the report.

    Parameters
    ----------
    data : pandas.DataFrame
        Survey answers with the segment columns attached (e.g. by :func:`cxkit.value.attach`).
    by : str or list of str
        Segment columns; those absent from ``data`` are left out.
    metrics : sequence of {"nps", "csat", "ces"}, default all three
        Metrics to compare (case ignored); those whose answer column is absent are left out.
    ci : float, default 0.95
        Confidence level of the difference intervals.

    Returns
    -------
    pandas.DataFrame
        ``segment`` (the column compared) followed by the columns of :func:`compare`
        (``group_b`` is "rest"), one row per level and metric, sorted by p-value (then
        segment, metric and level); no rows when nothing can be compared.

    Example
    -------
    >>> df = pd.DataFrame({"plan": ["a"] * 4 + ["b"] * 4, "region": ["x"] * 8, "csat": [5, 5, 4, 5, 2, 3, 4, 1]})
    >>> compare_segments(df, ["plan", "region"], ["csat"])[["segment", "group_a", "diff"]]
      segment group_a  diff
    0    plan       a  75.0
    1    plan       b -75.0
    """
    data = _require_frame(data, "data")
    columns = [c for c in _by_list(by) if c in data.columns]
    keys = [str(m).lower() for m in metrics]
    unknown = [m for m in keys if m not in _DEFAULTS]
    if unknown:
        raise ValueError(f"metrics must be among 'nps', 'csat', 'ces'; got {unknown}")
    parts = [compare(data, m, by=col, ci=ci).assign(segment=col)
             for col in columns if data[col].dropna().nunique() >= 2
             for m in keys if _DEFAULTS[m]["column"] in data.columns]
    cols = ["segment", "metric", "group_a", "group_b", "value_a", "value_b", "n_a", "n_b",
            "diff", "se", "ci_low", "ci_high", "p_value"]
    if not parts:
        return pd.DataFrame(columns=cols)
    out = pd.concat(parts, ignore_index=True)[cols]
    out = out.sort_values(["p_value", "segment", "metric", "group_a"], kind="mergesort", na_position="last")
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------- #
# Trends
# --------------------------------------------------------------------------- #
def _period_labels(data: pd.DataFrame, date_col: str, freq: str, table: str) -> pd.Series:
    """Label of the ``freq`` period each row falls in (as :class:`pandas.Grouper` labels it)."""
    require_columns(data, [date_col], table)
    dates = data[date_col]
    if not pd.api.types.is_datetime64_any_dtype(dates):
        raise data_error(
            table, date_col, "dates must be datetime64", _evidence(data, dates.notna(), date_col),
            hint="parse with pandas.to_datetime first",
        )
    if dates.isna().any():
        raise data_error(table, date_col, "dates must not be missing", _evidence(data, dates.isna(), date_col))
    grouped = pd.DataFrame({"d": dates.to_numpy()}).groupby(pd.Grouper(key="d", freq=freq))
    # ngroup() comes back in date order, indexed by row position: realign.
    codes = grouped.ngroup().sort_index().to_numpy()
    labels = grouped.size().index
    return pd.Series(labels[codes], index=data.index, name="period")


def _trend_estimates(
    data: pd.DataFrame,
    spec: _Spec,
    *,
    date_col: str,
    freq: str,
    by: str | Sequence[str] | None,
    weights: str | None,
    ci: float,
) -> tuple[list[str], list[tuple[tuple[Any, ...], _Estimate]]]:
    data = _require_frame(data, "data")
    keys = _by_list(by)
    if "period" in keys:
        raise ValueError("'period' is the name of the output period column; rename that group column")
    periods = _period_labels(data, date_col, freq, SURVEYS)
    ests = _group_estimates(
        data, spec, weights=weights, keys=[*keys, "period"], ci=ci, extra={"period": periods}
    )
    return keys, ests


def _trend_rows(
    keys: list[str],
    ests: list[tuple[tuple[Any, ...], _Estimate]],
    spec: _Spec,
    min_base: int,
) -> list[dict[str, Any]]:
    return [
        {**dict(zip([*keys, "period"], key, strict=True)), "metric": spec.label, **_row(e, min_base)}
        for key, e in ests
    ]


def _trend_columns(keys: list[str], spec: _Spec) -> list[str]:
    return [*keys, "period", "metric", "n", "n_missing", "n_effective",
            *_EXTRA_ORDER[spec.key], "value", "se", "ci_low", "ci_high", "small_base"]


def trend(
    data: pd.DataFrame,
    metric: str = "nps",
    date_col: str = "date",
    freq: str = "QE",
    *,
    by: str | Sequence[str] | None = None,
    column: str | None = None,
    weights: str | None = None,
    ci: float = 0.95,
    min_base: int = 30,
    method: str = "adjusted_wald",
    scale: tuple[int, int] | None = None,
    top_box: Sequence[int] | None = None,
) -> pd.DataFrame:
    """A metric per calendar period (default quarter), with interval and base size per period.

    The trend line with its bands is how a CX team shows whether experience is
    getting better, and which quarters rest on too few answers to read.

    Parameters
    ----------
    data : pandas.DataFrame
        Survey answers (the ``surveys`` table) with a datetime64 date column.
    metric : {"nps", "csat", "ces"}, default "nps"
        Metric to track.
    date_col : str, default "date"
        Date column; missing dates are a data error.
    freq : str, default "QE"
        pandas offset alias ("ME" monthly, "QE" quarterly, "YE" yearly, "W" weekly, ...).
    by : str or list of str, optional
        Group column(s): one trend per group.
    column : str, optional
        Answer column; defaults to the metric's standard column name.
    weights : str, optional
        Weight column.
    ci : float, default 0.95
        Confidence level.
    min_base : int, default 30
        Periods with fewer answers are flagged ``small_base``.
    method, scale, top_box : optional
        Passed to the metric definition (see :func:`nps`, :func:`csat`, :func:`ces`).

    Returns
    -------
    pandas.DataFrame
        Group columns, ``period`` (the period label pandas resampling gives, e.g.
        the quarter-end date), then the same columns as the metric's own function.
        Periods with no rows at all are left out.

    Example
    -------
    >>> df = pd.DataFrame({"date": pd.to_datetime(["2024-01-10", "2024-02-01", "2024-04-03"]),
    ...                    "nps": [10, 3, 9]})
    >>> trend(df, "nps")[["period", "n", "value"]]
          period  n  value
    0 2024-03-31  2    0.0
    1 2024-06-30  1  100.0
    """
    spec = _make_spec(metric, column=column, scale=scale, top_box=top_box, method=method)
    ci = _check_ci(ci)
    keys, ests = _trend_estimates(
        data, spec, date_col=date_col, freq=freq, by=by, weights=weights, ci=ci
    )
    return _tidy(_trend_rows(keys, ests, spec, min_base), _trend_columns(keys, spec))


def period_over_period(
    data: pd.DataFrame,
    metric: str = "nps",
    date_col: str = "date",
    freq: str = "QE",
    *,
    by: str | Sequence[str] | None = None,
    column: str | None = None,
    weights: str | None = None,
    ci: float = 0.95,
    min_base: int = 30,
    method: str = "adjusted_wald",
    scale: tuple[int, int] | None = None,
    top_box: Sequence[int] | None = None,
) -> pd.DataFrame:
    """A metric per period plus the change versus the previous period, with its interval and p-value.

    Answers the question every quarterly review asks, "did it really move?", with
    the same test as :func:`compare`.

    Parameters
    ----------
    data, metric, date_col, freq, by, column, weights, ci, min_base, method, scale, top_box
        As in :func:`trend`.

    Returns
    -------
    pandas.DataFrame
        The :func:`trend` table plus ``change`` (this period minus the previous
        period with answers, within the same group), ``change_ci_low``,
        ``change_ci_high`` and ``change_p_value``; NaN for each group's first period.

    Example
    -------
    >>> df = pd.DataFrame({"date": pd.to_datetime(["2024-01-10", "2024-02-01", "2024-04-03"]),
    ...                    "nps": [10, 3, 9]})
    >>> period_over_period(df, "nps")[["period", "value", "change"]]
          period  value  change
    0 2024-03-31    0.0     NaN
    1 2024-06-30  100.0   100.0
    """
    spec = _make_spec(metric, column=column, scale=scale, top_box=top_box, method=method)
    ci = _check_ci(ci)
    keys, ests = _trend_estimates(
        data, spec, date_col=date_col, freq=freq, by=by, weights=weights, ci=ci
    )
    rows = _trend_rows(keys, ests, spec, min_base)
    previous: dict[tuple[Any, ...], _Estimate] = {}
    for row, (key, est) in zip(rows, ests, strict=True):
        group = key[:-1]
        prev = previous.get(group)
        d = _difference(est, prev, ci) if prev is not None else None
        row["change"] = math.nan if d is None else d.diff
        row["change_ci_low"] = math.nan if d is None else d.ci_low
        row["change_ci_high"] = math.nan if d is None else d.ci_high
        row["change_p_value"] = math.nan if d is None else d.p_value
        if est.n > 0:
            previous[group] = est
    cols = [*_trend_columns(keys, spec), "change", "change_ci_low", "change_ci_high",
            "change_p_value"]
    return _tidy(rows, cols)
