"""Survey scores: NPS, CSAT and CES with intervals, optional weights and groups, and the scorecard.

Each metric has one internal estimator (:func:`_estimate`) returning the estimate, its
standard error, the base size and the effective base size; the public tables here and
the comparisons in :mod:`cxkit.metrics.comparisons` are compositions of it.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from cxkit.errors import data_error, require_columns
from cxkit.metrics._common import (
    SURVEYS,
    _as_numeric,
    _by_list,
    _check_ci,
    _evidence,
    _require_frame,
    _tidy,
    _z,
    wilson_interval,
)

__all__ = ["nps", "csat", "ces", "cx_scorecard", "weighted_scorecard"]

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
            ci_low=max(min(100.0 * (centre - half), 100.0 * (p - d)), -100.0),    # reaches the raw NPS
            ci_high=min(max(100.0 * (centre + half), 100.0 * (p - d)), 100.0),
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


# --------------------------------------------------------------------------- #
# Answers and weights
# --------------------------------------------------------------------------- #
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
    rows = [{**dict(zip(keys, key, strict=True)), "metric": spec.label, **_row(e, min_base)} for key, e in ests]
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
        bases); ``"wald"`` is value +/- z * se. ``value`` is always the raw NPS. On a
        tiny base at the scale's end (one detractor: NPS -100) the adjusted interval
        would leave out the raw NPS; it is then widened to reach it.
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


def weighted_scorecard(
    data: pd.DataFrame,
    weights: str,
    *,
    weighting: str | None = None,
    ci: float = 0.95,
    min_base: int = 30,
    columns: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """The scorecard per answer and weighted by a value column, one under the other.

    Weighted by each customer's spend, a score says how satisfied the *revenue* is rather
    than the head count: when the largest customers are the least satisfied, the two
    differ, and the weighted figure rests on fewer effective answers (``n_effective``).

    Parameters
    ----------
    data : pandas.DataFrame
        Survey answers (the ``surveys`` table) with the weight column.
    weights : str
        Weight column, e.g. ``"annual_spend"``.
    weighting : str, optional
        How the weighted rows are named; default ``"by "`` and the column's words
        (``"by annual spend"``). The unweighted rows are ``"per answer"``.
    ci, min_base, columns
        As in :func:`cx_scorecard`.

    Returns
    -------
    pandas.DataFrame
        ``weighting`` then the columns of :func:`cx_scorecard`: first every metric per
        answer, then every metric weighted.

    Example
    -------
    >>> df = pd.DataFrame({"csat": [5, 5, 2, 1], "spend": [10.0, 10.0, 30.0, 30.0]})
    >>> weighted_scorecard(df, "spend")[["weighting", "metric", "n", "n_effective", "value"]]
        weighting metric  n  n_effective  value
    0  per answer   CSAT  4          4.0   50.0
    1    by spend   CSAT  4          3.2   25.0
    """
    words = weighting if weighting is not None else "by " + str(weights).replace("_", " ")
    parts = [cx_scorecard(data, ci=ci, min_base=min_base, columns=columns).assign(weighting="per answer"),
             cx_scorecard(data, weights=weights, ci=ci, min_base=min_base, columns=columns).assign(weighting=words)]
    out = pd.concat(parts, ignore_index=True)
    return out[["weighting", *[c for c in out.columns if c != "weighting"]]]
