"""Headline CX metrics (NPS, CSAT, CES) and service metrics with honest uncertainty.

Every public function takes a tidy ``data=`` frame plus column names as keyword
arguments and returns a tidy :class:`pandas.DataFrame` (one row per group, group
columns first, sorted by group).  Numbers are never rounded here: round in the
notebook, for display only.

All survey metrics are built from one internal estimator per metric that returns
an estimate, its standard error, the base size and the effective base size.  The
public tables (:func:`nps`, :func:`csat`, :func:`ces`, :func:`cx_scorecard`,
:func:`trend`) and the comparisons (:func:`compare`, :func:`period_over_period`)
are compositions of that estimator, so they always agree with each other.

Conventions
-----------
* ``n`` is the unweighted count of non-missing answers (the "base size");
  ``n_missing`` counts rows of the group with no answer (NaN), which are excluded.
* ``n_effective`` is Kish's effective base size ``(sum w)^2 / sum w^2``; it equals
  ``n`` when no weights are given and is the ``n`` used in every variance.
* ``se`` is the large-sample standard error of ``value`` (same units as ``value``);
  it is what :func:`compare`, :func:`period_over_period` and :func:`gap_analysis`
  build on.  ``ci_low``/``ci_high`` use the better small-sample interval of each
  metric (adjusted Wald for NPS, Wilson for proportions, t for means).
* ``small_base`` flags groups with ``n < min_base`` (30 by default): read them as
  indicative only.
"""
from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from cxkit.errors import data_error, require_columns
from cxkit.parsing import to_bool

__all__ = [
    "nps",
    "csat",
    "ces",
    "cx_scorecard",
    "compare",
    "compare_segments",
    "trend",
    "period_over_period",
    "gap_analysis",
    "service_metrics",
    "wilson_interval",
]

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
_ID_COLUMNS = ("customer_id", "date")
_NPS_METHODS = ("adjusted_wald", "wald")


# --------------------------------------------------------------------------- #
# Metric specifications
# --------------------------------------------------------------------------- #
@dataclass(frozen=True)
class _Spec:
    """What to estimate: which metric, from which column, on which scale."""

    key: str  # "nps", "csat" or "ces"
    label: str  # "NPS", "CSAT" or "CES"
    column: str
    scale: tuple[int, int]
    top_box: tuple[int, ...] = ()
    method: str = "adjusted_wald"


_DEFAULTS: dict[str, dict[str, Any]] = {
    "nps": {"label": "NPS", "column": "nps", "scale": (0, 10), "top_box": ()},
    "csat": {"label": "CSAT", "column": "csat", "scale": (1, 5), "top_box": (4, 5)},
    "ces": {"label": "CES", "column": "ces", "scale": (1, 7), "top_box": (6, 7)},
}


def _make_spec(
    metric: str,
    *,
    column: str | None = None,
    scale: tuple[int, int] | None = None,
    top_box: Sequence[int] | None = None,
    method: str = "adjusted_wald",
) -> _Spec:
    key = str(metric).lower()
    if key not in _DEFAULTS:
        raise ValueError(f"metric must be one of 'nps', 'csat', 'ces'; got {metric!r}")
    d = _DEFAULTS[key]
    if key == "nps":
        if scale is not None and tuple(scale) != (0, 10):
            raise ValueError("NPS is defined on the 0-10 scale; 'scale' cannot change it")
        if top_box is not None:
            raise ValueError("NPS has fixed boxes (promoters 9-10, detractors 0-6)")
        if method not in _NPS_METHODS:
            raise ValueError(f"method must be one of {_NPS_METHODS}; got {method!r}")
    lo, hi = d["scale"] if scale is None else scale
    if not (float(lo).is_integer() and float(hi).is_integer() and lo < hi):
        raise ValueError(f"scale must be two whole numbers (low, high) with low < high; got {scale!r}")
    boxes = tuple(d["top_box"] if top_box is None else top_box)
    if key != "nps":
        if not boxes:
            raise ValueError("top_box must name at least one scale point")
        bad = [b for b in boxes if not (lo <= b <= hi and float(b).is_integer())]
        if bad:
            raise ValueError(f"top_box points {bad} are not on the scale {lo}..{hi}")
    return _Spec(
        key=key,
        label=d["label"],
        column=d["column"] if column is None else column,
        scale=(int(lo), int(hi)),
        top_box=tuple(int(b) for b in boxes),
        method=method,
    )


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
# The one internal estimator
# --------------------------------------------------------------------------- #
@dataclass
class _Estimate:
    """Estimate of one metric in one group: value, se, bases and interval."""

    value: float
    se: float
    n: int
    n_missing: int
    n_effective: float
    ci_low: float
    ci_high: float
    dof: float = math.inf  # degrees of freedom of se (inf: normal reference)
    extras: dict[str, float] = field(default_factory=dict)


def _empty_estimate(spec: _Spec, n_missing: int) -> _Estimate:
    extras: dict[str, float] = {
        "nps": {"promoters_pct": math.nan, "passives_pct": math.nan, "detractors_pct": math.nan},
        "csat": {"mean": math.nan},
        "ces": {"top_box_pct": math.nan, "top_box_ci_low": math.nan, "top_box_ci_high": math.nan},
    }[spec.key]
    return _Estimate(math.nan, math.nan, 0, n_missing, 0.0, math.nan, math.nan, math.nan, extras)


def _estimate(spec: _Spec, x: pd.Series, w: pd.Series, ci: float) -> _Estimate:
    """Estimate ``spec`` from answers ``x`` (NaN = no answer) and weights ``w``."""
    answered = x.notna().to_numpy()
    n_missing = int((~answered).sum())
    xv = x.to_numpy(dtype=float)[answered]
    wv = w.to_numpy(dtype=float)[answered]
    n = len(xv)
    sw = float(wv.sum())
    if n == 0 or sw <= 0:
        return _empty_estimate(spec, n_missing)
    n_eff = sw * sw / float((wv * wv).sum())
    z = _z(ci)

    if spec.key == "nps":
        p = float(wv[xv >= 9].sum()) / sw
        d = float(wv[xv <= 6].sum()) / sw
        var = max((p + d) - (p - d) ** 2, 0.0) / n_eff
        if spec.method == "wald":
            centre, var_ci = p - d, var
        else:  # adjusted Wald: add 3/4 to promoters and detractors, 3 to n
            n_adj = n_eff + 3.0
            pa = (p * n_eff + 0.75) / n_adj
            da = (d * n_eff + 0.75) / n_adj
            centre, var_ci = pa - da, max((pa + da) - (pa - da) ** 2, 0.0) / n_adj
        half = z * math.sqrt(var_ci)
        return _Estimate(
            value=100.0 * (p - d),
            se=100.0 * math.sqrt(var),
            n=n,
            n_missing=n_missing,
            n_effective=n_eff,
            ci_low=max(100.0 * (centre - half), -100.0),
            ci_high=min(100.0 * (centre + half), 100.0),
            extras={
                "promoters_pct": 100.0 * p,
                "passives_pct": 100.0 * (1.0 - p - d),
                "detractors_pct": 100.0 * d,
            },
        )

    top = float(wv[np.isin(xv, spec.top_box)].sum()) / sw
    top_lo, top_hi = wilson_interval(top, n_eff, ci)
    mean = float((wv * xv).sum()) / sw
    if spec.key == "csat":  # headline: top-box share
        return _Estimate(
            value=100.0 * top,
            se=100.0 * math.sqrt(top * (1.0 - top) / n_eff),
            n=n,
            n_missing=n_missing,
            n_effective=n_eff,
            ci_low=100.0 * top_lo,
            ci_high=100.0 * top_hi,
            extras={"mean": mean},
        )

    # CES headline: mean score with a t-interval (weighted: Kish effective n).
    if n_eff > 1:
        var_pop = float((wv * (xv - mean) ** 2).sum()) / sw
        s2 = var_pop * n_eff / (n_eff - 1.0)
        se = math.sqrt(s2 / n_eff)
        dof = n_eff - 1.0
        half = float(stats.t.ppf(0.5 + ci / 2, dof)) * se
        lo, hi = spec.scale
        ci_low, ci_high = max(mean - half, lo), min(mean + half, hi)
    else:
        se = dof = ci_low = ci_high = math.nan
    return _Estimate(
        value=mean,
        se=se,
        n=n,
        n_missing=n_missing,
        n_effective=n_eff,
        ci_low=ci_low,
        ci_high=ci_high,
        dof=dof,
        extras={
            "top_box_pct": 100.0 * top,
            "top_box_ci_low": 100.0 * top_lo,
            "top_box_ci_high": 100.0 * top_hi,
        },
    )


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


def _answers(data: pd.DataFrame, spec: _Spec, table: str = SURVEYS) -> pd.Series:
    """Validated answers as float64 (NaN = not answered)."""
    col = spec.column
    require_columns(data, [col], table)
    x = _as_numeric(data, col, table, f"{spec.label} answers")
    lo, hi = spec.scale
    out = x.notna() & ((x < lo) | (x > hi))
    if out.any():
        raise data_error(
            table, col, f"{spec.label} answers must lie on the {lo}-{hi} scale",
            _evidence(data, out, col),
        )
    frac = x.notna() & (x != np.floor(x))
    if frac.any():
        raise data_error(
            table, col, f"{spec.label} answers must be whole scale points",
            _evidence(data, frac, col),
        )
    if x.notna().sum() == 0:
        raise data_error(
            table, col, f"no non-missing {spec.label} answers", None,
            hint="check the column name and the survey filter",
        )
    return x


def _weight_values(
    data: pd.DataFrame, weights: str | None, used: pd.Series, table: str = SURVEYS
) -> pd.Series:
    """Validated weights (1.0 for every row when ``weights`` is None).

    Only rows that enter an estimate (``used``) must carry a valid weight.
    """
    if weights is None:
        return pd.Series(1.0, index=data.index)
    require_columns(data, [weights], table)
    w = _as_numeric(data, weights, table, "weights")
    bad = used & ~(np.isfinite(w) & (w >= 0))
    if bad.any():
        raise data_error(
            table, weights, "weights must be finite, non-negative and not missing",
            _evidence(data, bad, weights),
            hint="drop or fill rows with missing weights before weighting",
        )
    if not w[used].sum() > 0:
        raise data_error(table, weights, "weights sum to zero", None)
    return w


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


# --------------------------------------------------------------------------- #
# Grouping and tabulation
# --------------------------------------------------------------------------- #
def _group_estimates(
    data: pd.DataFrame,
    spec: _Spec,
    *,
    weights: str | None,
    keys: Sequence[str],
    ci: float,
    extra: Mapping[str, pd.Series] | None = None,
    table: str = SURVEYS,
) -> list[tuple[tuple[Any, ...], _Estimate]]:
    """Validate, group and estimate: ``[(group key, estimate), ...]`` sorted by group."""
    x = _answers(data, spec, table)
    w = _weight_values(data, weights, x.notna(), table)
    extra = dict(extra or {})
    require_columns(data, [k for k in keys if k not in extra], table)
    frame = pd.DataFrame({k: extra[k] if k in extra else data[k] for k in keys}, index=data.index)
    frame["__x__"] = x
    frame["__w__"] = w
    if not keys:
        return [((), _estimate(spec, frame["__x__"], frame["__w__"], ci))]
    out = []
    for key, g in frame.groupby(list(keys), sort=True, dropna=False, observed=True):
        out.append((tuple(key), _estimate(spec, g["__x__"], g["__w__"], ci)))
    return out


_EXTRA_ORDER = {
    "nps": ["promoters_pct", "passives_pct", "detractors_pct"],
    "csat": ["mean"],
    "ces": ["top_box_pct", "top_box_ci_low", "top_box_ci_high"],
}


def _row(est: _Estimate, min_base: int) -> dict[str, Any]:
    return {
        "n": est.n,
        "n_missing": est.n_missing,
        "n_effective": est.n_effective,
        **est.extras,
        "value": est.value,
        "se": est.se,
        "ci_low": est.ci_low,
        "ci_high": est.ci_high,
        "small_base": est.n < min_base,
    }


def _tidy(rows: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    """Frame with fixed column order and plain dtypes (int counts, float numbers)."""
    df = pd.DataFrame(rows, columns=columns)
    for col in df.columns:
        if col in ("n", "n_missing", "n_a", "n_b", "n_contacts", "fcr_base"):
            df[col] = df[col].astype("int64")
        elif col == "small_base":
            df[col] = df[col].astype(bool)
        elif col in _METRIC_COLUMNS or col in _FLOAT_COLUMNS:
            if col != "metric":
                df[col] = df[col].astype("float64")
    return df.reset_index(drop=True)


_FLOAT_COLUMNS = frozenset(
    {
        "value_a", "value_b", "diff", "current", "goal", "gap", "gap_ci_low",
        "gap_ci_high", "fcr_rate", "fcr_ci_low", "fcr_ci_high", "median_wait", "p90_wait",
    }
)


def _metric_table(
    data: pd.DataFrame,
    spec: _Spec,
    *,
    weights: str | None,
    by: str | Sequence[str] | None,
    ci: float,
    min_base: int,
) -> pd.DataFrame:
    data = _require_frame(data, "data")
    ci = _check_ci(ci)
    keys = _by_list(by)
    ests = _group_estimates(data, spec, weights=weights, keys=keys, ci=ci)
    rows = [{**dict(zip(keys, key)), "metric": spec.label, **_row(e, min_base)} for key, e in ests]
    cols = [*keys, "metric", "n", "n_missing", "n_effective", *_EXTRA_ORDER[spec.key],
            "value", "se", "ci_low", "ci_high", "small_base"]
    return _tidy(rows, cols)


# --------------------------------------------------------------------------- #
# Public metric tables
# --------------------------------------------------------------------------- #
def nps(
    data: pd.DataFrame,
    column: str = "nps",
    *,
    weights: str | None = None,
    by: str | Sequence[str] | None = None,
    ci: float = 0.95,
    method: str = "adjusted_wald",
    min_base: int = 30,
) -> pd.DataFrame:
    """Net Promoter Score (% promoters 9-10 minus % detractors 0-6) with a confidence interval.

    NPS is the headline loyalty number; the interval and base size tell you whether a
    movement or a segment gap is real or just survey noise.

    Parameters
    ----------
    data : pandas.DataFrame
        Survey answers, one row per response (the ``surveys`` table).
    column : str, default "nps"
        Column with 0-10 likelihood-to-recommend answers; NaN means not answered.
    weights : str, optional
        Column of non-negative weights (e.g. ``"spend"``). Proportions are weighted
        and the variance uses Kish's effective base ``(sum w)^2 / sum w^2``.
    by : str or list of str, optional
        Group column(s); one output row per group.
    ci : float, default 0.95
        Confidence level.
    method : {"adjusted_wald", "wald"}, default "adjusted_wald"
        ``"adjusted_wald"`` adds 3/4 to promoters and to detractors and 3 to n and
        centres the interval on that adjusted estimate (better coverage for small
        bases); ``"wald"`` is value +/- z * se. ``value`` is always the raw NPS.
    min_base : int, default 30
        Groups with fewer answers are flagged ``small_base``.

    Returns
    -------
    pandas.DataFrame
        Group columns, then ``metric`` ("NPS"), ``n``, ``n_missing``, ``n_effective``,
        ``promoters_pct``, ``passives_pct``, ``detractors_pct``, ``value`` (-100..100),
        ``se``, ``ci_low``, ``ci_high`` (clipped to -100..100) and ``small_base``.
        The variance of the promoter-minus-detractor share is
        ``[(p + d) - (p - d)^2] / n``.

    Example
    -------
    >>> df = pd.DataFrame({"nps": [10, 10, 9, 9, 9, 8, 7, 6, 3, 0]})
    >>> nps(df)[["n", "promoters_pct", "detractors_pct", "value"]]
        n  promoters_pct  detractors_pct  value
    0  10           50.0            30.0   20.0
    """
    spec = _make_spec("nps", column=column, method=method)
    return _metric_table(data, spec, weights=weights, by=by, ci=ci, min_base=min_base)


def csat(
    data: pd.DataFrame,
    column: str = "csat",
    *,
    top_box: Sequence[int] = (4, 5),
    scale: tuple[int, int] = (1, 5),
    weights: str | None = None,
    by: str | Sequence[str] | None = None,
    ci: float = 0.95,
    min_base: int = 30,
) -> pd.DataFrame:
    """Customer satisfaction as the top-box share (default 4-5 on 1-5) with a Wilson interval.

    Top-2-box CSAT is the share of satisfied customers, the form most CSAT targets
    are set in; the mean score is reported alongside for continuity with older reports.

    Parameters
    ----------
    data : pandas.DataFrame
        Survey answers (the ``surveys`` table).
    column : str, default "csat"
        Column with whole-number answers on ``scale``; NaN means not answered.
    top_box : sequence of int, default (4, 5)
        Scale points counted as satisfied.
    scale : (int, int), default (1, 5)
        Lowest and highest scale point; answers outside it are a data error.
    weights : str, optional
        Weight column; the Wilson interval then uses the Kish effective base.
    by : str or list of str, optional
        Group column(s).
    ci : float, default 0.95
        Confidence level.
    min_base : int, default 30
        Groups with fewer answers are flagged ``small_base``.

    Returns
    -------
    pandas.DataFrame
        Group columns, then ``metric`` ("CSAT"), ``n``, ``n_missing``,
        ``n_effective``, ``mean`` (mean score), ``value`` (top-box %, 0..100),
        ``se`` (binomial, in points), ``ci_low``, ``ci_high`` (Wilson, in %) and
        ``small_base``.

    Example
    -------
    >>> df = pd.DataFrame({"csat": [5, 5, 4, 4, 4, 5, 4, 5, 2, 3]})
    >>> csat(df)[["n", "value", "mean"]]
        n  value  mean
    0  10   80.0   4.1
    """
    spec = _make_spec("csat", column=column, scale=scale, top_box=top_box)
    return _metric_table(data, spec, weights=weights, by=by, ci=ci, min_base=min_base)


def ces(
    data: pd.DataFrame,
    column: str = "ces",
    *,
    scale: tuple[int, int] = (1, 7),
    top_box: Sequence[int] = (6, 7),
    weights: str | None = None,
    by: str | Sequence[str] | None = None,
    ci: float = 0.95,
    min_base: int = 30,
) -> pd.DataFrame:
    """Customer Effort Score: mean agreement that the task was easy, with a t-interval.

    Effort predicts disloyalty better than delight predicts loyalty; the mean and the
    share who agree it was easy show where customers struggle.

    Parameters
    ----------
    data : pandas.DataFrame
        Survey answers (the ``surveys`` table).
    column : str, default "ces"
        Column with whole-number answers on ``scale`` to "The company made it easy
        to handle my issue" (higher = easier); NaN means not answered.
    scale : (int, int), default (1, 7)
        Lowest and highest scale point.
    top_box : sequence of int, default (6, 7)
        The "agree it was easy" boxes (agree, strongly agree).
    weights : str, optional
        Weight column; weighted mean, variance on the Kish effective base.
    by : str or list of str, optional
        Group column(s).
    ci : float, default 0.95
        Confidence level.
    min_base : int, default 30
        Groups with fewer answers are flagged ``small_base``.

    Returns
    -------
    pandas.DataFrame
        Group columns, then ``metric`` ("CES"), ``n``, ``n_missing``, ``n_effective``,
        ``top_box_pct`` with its Wilson ``top_box_ci_low``/``top_box_ci_high`` (in %),
        ``value`` (mean score), ``se``, ``ci_low``, ``ci_high`` (t-interval with
        ``n_effective - 1`` degrees of freedom, clipped to the scale) and ``small_base``.

    Example
    -------
    >>> df = pd.DataFrame({"ces": [7, 6, 6, 5, 7, 3, 6, 4, 7, 5]})
    >>> ces(df)[["n", "value", "top_box_pct"]]
        n  value  top_box_pct
    0  10    5.6         60.0
    """
    spec = _make_spec("ces", column=column, scale=scale, top_box=top_box)
    return _metric_table(data, spec, weights=weights, by=by, ci=ci, min_base=min_base)


def cx_scorecard(
    data: pd.DataFrame,
    *,
    weights: str | None = None,
    by: str | Sequence[str] | None = None,
    ci: float = 0.95,
    min_base: int = 30,
    columns: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """One tidy table of every headline metric present: NPS, CSAT (top-box %) and CES (mean).

    A single scorecard with bases and intervals is what goes on the CX dashboard and
    into :func:`gap_analysis` against targets.

    Parameters
    ----------
    data : pandas.DataFrame
        Survey answers (the ``surveys`` table).
    weights : str, optional
        Weight column applied to every metric.
    by : str or list of str, optional
        Group column(s).
    ci : float, default 0.95
        Confidence level.
    min_base : int, default 30
        Groups with fewer answers are flagged ``small_base``.
    columns : mapping, optional
        Metric to column, e.g. ``{"nps": "ltr"}``; defaults ``nps``, ``csat``, ``ces``.
        Metrics whose column is absent are skipped.

    Returns
    -------
    pandas.DataFrame
        ``metric``, group columns, ``n``, ``n_missing``, ``n_effective``, ``value``,
        ``se``, ``ci_low``, ``ci_high``, ``small_base``; metrics in the order
        NPS, CSAT, CES, groups sorted within each metric.

    Example
    -------
    >>> df = pd.DataFrame({"nps": [10, 9, 7, 3], "csat": [5, 4, 4, 2]})
    >>> cx_scorecard(df)[["metric", "n", "value"]]
      metric  n  value
    0    NPS  4   25.0
    1   CSAT  4   75.0
    """
    data = _require_frame(data, "data")
    names = {k: v["column"] for k, v in _DEFAULTS.items()}
    if columns:
        names.update({str(k).lower(): v for k, v in columns.items()})
    present = [k for k in ("nps", "csat", "ces") if names[k] in data.columns]
    if not present:
        raise data_error(
            SURVEYS, [names[k] for k in ("nps", "csat", "ces")],
            "none of the metric columns is present",
            hint=f"columns present: {', '.join(map(str, data.columns))}",
        )
    keys = _by_list(by)
    funcs = {"nps": nps, "csat": csat, "ces": ces}
    parts = [
        funcs[k](data, names[k], weights=weights, by=by, ci=ci, min_base=min_base)
        for k in present
    ]
    cols = ["metric", *keys, "n", "n_missing", "n_effective", "value", "se",
            "ci_low", "ci_high", "small_base"]
    return pd.concat([p[cols] for p in parts], ignore_index=True)


# --------------------------------------------------------------------------- #
# Comparisons and trends
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
        Survey answers with the segment columns attached (e.g. by :func:`cxkit.drivers.attach`).
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
        {**dict(zip([*keys, "period"], key)), "metric": spec.label, **_row(e, min_base)}
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
    for row, (key, est) in zip(rows, ests):
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


# --------------------------------------------------------------------------- #
# Targets
# --------------------------------------------------------------------------- #
def gap_analysis(
    current: pd.DataFrame,
    goals: Mapping[str, float],
    *,
    by: str | Sequence[str] | None = None,
    lower_is_better: Sequence[str] = (),
    ci: float = 0.95,
) -> pd.DataFrame:
    """Distance from each metric to its target, and whether the target is met beyond noise.

    Stops a team celebrating (or panicking about) a target "hit" or "miss" that lies
    inside the survey's margin of error.

    Parameters
    ----------
    current : pandas.DataFrame
        A tidy scorecard (e.g. from :func:`cx_scorecard`) with ``metric``, ``value``
        and either ``ci_low``/``ci_high`` or ``se`` (or ``variance``).
    goals : mapping
        Target per metric, e.g. ``{"NPS": 40, "CSAT": 85}`` (matched to ``metric``
        ignoring case). Metrics without a goal are left out; a goal without a
        metric row is a data error.
    by : str or list of str, optional
        Group columns carried into the output. By default every column that is not
        a known metric column is treated as a group column.
    lower_is_better : sequence of str, default ()
        Metrics where a lower value is better (e.g. an effort score where 1 = easy).
    ci : float, default 0.95
        Confidence level, used only when ``current`` has ``se`` but no interval.

    Returns
    -------
    pandas.DataFrame
        ``metric``, group columns, ``current``, ``goal``, ``gap`` (goal - current),
        ``gap_ci_low``, ``gap_ci_high`` (goal minus the interval of current) and
        ``status``: "within noise" when the goal lies inside the interval of
        current, otherwise "met" or "not met"; "no data" when current is missing.

    Example
    -------
    >>> card = pd.DataFrame({"metric": ["NPS", "CSAT"], "value": [42.0, 80.0],
    ...                      "ci_low": [38.0, 77.0], "ci_high": [46.0, 83.0]})
    >>> gap_analysis(card, {"NPS": 30, "CSAT": 85})[["metric", "gap", "status"]]
      metric   gap   status
    0    NPS -12.0      met
    1   CSAT   5.0  not met
    """
    current = _require_frame(current, "current").reset_index(drop=True)
    table = "scorecard"
    require_columns(current, ["metric", "value"], table)
    has_ci = "ci_low" in current.columns and "ci_high" in current.columns
    if not has_ci and "se" not in current.columns and "variance" not in current.columns:
        raise data_error(
            table, ["ci_low", "ci_high", "se"], "need an interval (ci_low, ci_high) or se",
            hint="pass the output of cx_scorecard, nps, csat or ces",
        )
    keys = _by_list(by) if by is not None else [
        c for c in current.columns if c not in _METRIC_COLUMNS
    ]
    require_columns(current, keys, table)
    goal_by_metric = {str(k).lower(): float(v) for k, v in goals.items()}
    lower = {str(m).lower() for m in lower_is_better}
    labels = current["metric"].astype(str).str.lower()
    missing = sorted(set(goal_by_metric) - set(labels))
    if missing:
        raise data_error(
            table, "metric", f"no row for goal metric(s) {missing}", None,
            hint=f"metrics present: {sorted(set(current['metric'].astype(str)))}",
        )
    if has_ci:
        lows = current["ci_low"].astype(float)
        highs = current["ci_high"].astype(float)
    else:
        se = (current["se"] if "se" in current.columns else np.sqrt(current["variance"])).astype(float)
        z = _z(_check_ci(ci))
        lows = current["value"].astype(float) - z * se
        highs = current["value"].astype(float) + z * se

    rows = []
    for i, label in zip(current.index, labels):
        if label not in goal_by_metric:
            continue
        goal = goal_by_metric[label]
        value = float(current.at[i, "value"])
        lo, hi = float(lows[i]), float(highs[i])
        if not np.isfinite(value):
            status = "no data"
        elif lo <= goal <= hi:
            status = "within noise"
        elif (value <= goal) if label in lower else (value >= goal):
            status = "met"
        else:
            status = "not met"
        rows.append(
            {
                "metric": current.at[i, "metric"],
                **{k: current.at[i, k] for k in keys},
                "current": value,
                "goal": goal,
                "gap": goal - value,
                "gap_ci_low": goal - hi,
                "gap_ci_high": goal - lo,
                "status": status,
            }
        )
    cols = ["metric", *keys, "current", "goal", "gap", "gap_ci_low", "gap_ci_high", "status"]
    return _tidy(rows, cols)


# --------------------------------------------------------------------------- #
# Service (contact-centre) metrics
# --------------------------------------------------------------------------- #
def _boolean_like(data: pd.DataFrame, column: str, table: str) -> pd.Series:
    """Column as float 1.0/0.0 (NaN = unknown), read by :func:`cxkit.parsing.to_bool`."""
    flags = to_bool(data[column], table=table, column=column, frame=data)
    return flags.astype("Float64").astype("float64")


def service_metrics(
    contacts: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = "channel",
    wait_col: str = "wait_minutes",
    fcr_col: str = "resolved_first_contact",
    ci: float = 0.95,
    pool_waits: bool = False,
) -> pd.DataFrame:
    """Contact volume, first-contact resolution (with Wilson interval) and waiting times per channel.

    FCR and waiting time are the operational levers behind CSAT and effort; seeing
    them per channel shows where to invest.

    Parameters
    ----------
    contacts : pandas.DataFrame
        The ``contacts`` table, one row per contact.
    by : str or list of str or None, default "channel"
        Group column(s); ``None`` gives only the overall row.
    wait_col : str, default "wait_minutes"
        Waiting time in minutes (>= 0; NaN is left out of the wait statistics).
    fcr_col : str, default "resolved_first_contact"
        Boolean-like first-contact resolution flag (NaN is left out of the FCR base).
    ci : float, default 0.95
        Confidence level of the FCR interval.
    pool_waits : bool, default False
        Whether the "All" row pools waiting times across groups. Off by default: a
        channel answered in seconds and one answered in days have no meaningful
        pooled median wait.

    Returns
    -------
    pandas.DataFrame
        Group columns, ``n_contacts``, ``fcr_base`` (contacts with a known outcome),
        ``fcr_rate`` (%), ``fcr_ci_low``, ``fcr_ci_high`` (Wilson, %),
        ``median_wait_minutes`` and ``p90_wait_minutes`` (linear-interpolated
        percentiles); groups sorted, then an "All" row over every contact (its waits
        empty unless ``pool_waits``).

    Example
    -------
    >>> c = pd.DataFrame({"channel": ["chat", "chat", "phone"], "wait_minutes": [1.0, 3.0, 10.0],
    ...                   "resolved_first_contact": [True, False, True]})
    >>> service_metrics(c)[["channel", "n_contacts", "fcr_rate", "median_wait_minutes"]].round(1)
      channel  n_contacts  fcr_rate  median_wait_minutes
    0    chat           2      50.0                  2.0
    1   phone           1     100.0                 10.0
    2     All           3      66.7                  NaN
    """
    contacts = _require_frame(contacts, "contacts")
    ci = _check_ci(ci)
    keys = _by_list(by)
    require_columns(contacts, [*keys, wait_col, fcr_col], CONTACTS)
    wait = _as_numeric(contacts, wait_col, CONTACTS, "waiting times")
    bad = (wait < 0) | np.isinf(wait)
    if bad.any():
        raise data_error(
            CONTACTS, wait_col, "waiting times must be finite and >= 0",
            _evidence(contacts, bad, wait_col),
        )
    fcr = _boolean_like(contacts, fcr_col, CONTACTS)
    frame = pd.DataFrame({k: contacts[k] for k in keys}, index=contacts.index)
    frame["__wait__"] = wait
    frame["__fcr__"] = fcr

    def summarise(g: pd.DataFrame) -> dict[str, Any]:
        f = g["__fcr__"].dropna().to_numpy()
        wv = g["__wait__"].dropna().to_numpy()
        rate = float(f.mean()) if len(f) else math.nan
        lo, hi = wilson_interval(rate, len(f), ci)
        return {
            "n_contacts": len(g),
            "fcr_base": len(f),
            "fcr_rate": 100.0 * rate,
            "fcr_ci_low": 100.0 * lo,
            "fcr_ci_high": 100.0 * hi,
            "median_wait_minutes": float(np.percentile(wv, 50)) if len(wv) else math.nan,
            "p90_wait_minutes": float(np.percentile(wv, 90)) if len(wv) else math.nan,
        }

    rows = []
    if keys:
        for key, g in frame.groupby(keys, sort=True, dropna=False, observed=True):
            rows.append({**dict(zip(keys, key)), **summarise(g)})
    overall = summarise(frame)
    if keys and len(rows) > 1 and not pool_waits:
        overall.update(median_wait_minutes=math.nan, p90_wait_minutes=math.nan)
    rows.append({**{k: "All" for k in keys}, **overall})
    cols = [*keys, "n_contacts", "fcr_base", "fcr_rate", "fcr_ci_low", "fcr_ci_high",
            "median_wait_minutes", "p90_wait_minutes"]
    return _tidy(rows, cols)
