"""Churn curves and what they add up to: Kaplan-Meier, log-rank tests, restricted mean tenure.

lifelines fits the curves and runs the tests; this module returns them as tidy tables.
The one number computed here is the standard error of the restricted mean survival time
(RMST): lifelines' ``restricted_mean_survival_time(..., return_variance=True)`` returns
a wrong variance (lifelines issue #1682), so :func:`rmst` uses the standard
Greenwood-type formula (Klein & Moeschberger, section 4.5)::

    Var RMST(tau) = sum over event times t_j < tau of  A_j**2 * d_j / (n_j * (n_j - d_j)),
    A_j = integral of S(u) du from t_j to tau,

with ``d_j`` churners and ``n_j`` customers at risk at ``t_j``.
"""
from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from lifelines import KaplanMeierFitter
from lifelines.statistics import multivariate_logrank_test, pairwise_logrank_test
from scipy import stats

from cxkit.errors import argument_error, data_error, require_columns

__all__ = ["churn_rates", "km_table", "logrank_tests", "rmst", "rmst_difference"]


def _groups(
    table: pd.DataFrame, group: str | None, duration_col: str, event_col: str
) -> list[tuple[Hashable, np.ndarray, np.ndarray]]:
    """(label, durations, events) per group, in sorted group order; checks the columns."""
    require_columns(table, [duration_col, event_col, *([group] if group else [])], "table")
    durations = pd.to_numeric(table[duration_col], errors="coerce").astype(float)
    bad = durations.isna() | (durations < 0)
    if bad.any():
        raise data_error("table", duration_col, "durations must be numbers >= 0", table[bad])
    events = table[event_col].astype(bool).to_numpy()
    if group is None:
        return [("all", durations.to_numpy(), events)]
    labels = table[group]
    if labels.isna().any():
        raise data_error("table", group, "group must not be missing", table[labels.isna()],
                         hint="fill missing groups (e.g. 'unknown') or drop those rows first")
    return [(g, durations.to_numpy()[idx], events[idx])
            for g, idx in labels.groupby(labels, sort=True, observed=True).indices.items()]


def churn_rates(table: pd.DataFrame, group: str, *, duration_col: str = "tenure",
                event_col: str = "churned") -> pd.DataFrame:
    """Plain churn rates per group: the number survival analysis corrects, shown so the correction can be seen.

    The share of each group who left ignores how long each customer was watched: a
    group of newer customers looks loyal only because it had less time to leave. Show
    it beside :func:`km_table` or a Cox model, never alone.

    Returns
    -------
    One row per group (sorted): ``group``, ``customers``, ``left``, ``churn_rate`` (0-1),
    ``mean_tenure`` (in the duration's unit, censored tenures counted as they stand).

    Example
    -------
    >>> t = pd.DataFrame({"tenure": [10, 20, 30, 40], "churned": [1, 0, 1, 1], "plan": ["a", "a", "b", "b"]})
    >>> churn_rates(t, "plan")
      group  customers  left  churn_rate  mean_tenure
    0     a          2     1         0.5         15.0
    1     b          2     2         1.0         35.0
    """
    rows = [{"group": label, "customers": len(d), "left": int(e.sum()), "churn_rate": float(e.mean()),
             "mean_tenure": float(d.mean())} for label, d, e in _groups(table, group, duration_col, event_col)]
    return pd.DataFrame(rows)


def km_table(
    table: pd.DataFrame,
    group: str | None = None,
    *,
    duration_col: str = "tenure",
    event_col: str = "churned",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Kaplan-Meier retention curves as a tidy table, one row per group and time.

    The share of customers still members after each tenure, with customers still active
    counted for as long as we have watched them (not as leavers, not as stayers).

    Parameters
    ----------
    table : one row per customer, e.g. from :func:`survival_table`.
    group : optional column to draw one curve per group (e.g. ``"plan"``).
    duration_col, event_col : tenure and churn columns.
    alpha : 1 - confidence level of the interval (lifelines' exponential Greenwood).

    Returns
    -------
    DataFrame: ``group`` (``"all"`` without a group), ``time``, ``survival``,
    ``ci_low``, ``ci_high``, ``at_risk``, ``churned``, ``censored``.

    Example
    -------
    >>> t = pd.DataFrame({"tenure": [1, 2, 2, 3], "churned": [True, True, False, False]})
    >>> km_table(t)[["time", "survival", "at_risk"]]
       time  survival  at_risk
    0   0.0      1.00        4
    1   1.0      0.75        4
    2   2.0      0.50        3
    3   3.0      0.50        1
    """
    parts = []
    for label, durations, events in _groups(table, group, duration_col, event_col):
        kmf = KaplanMeierFitter(alpha=alpha).fit(durations, events)
        et = kmf.event_table
        ci = kmf.confidence_interval_survival_function_
        parts.append(pd.DataFrame({
            "group": label,
            "time": et.index.to_numpy(float),
            "survival": kmf.survival_function_.iloc[:, 0].to_numpy(),
            "ci_low": ci.iloc[:, 0].to_numpy(),
            "ci_high": ci.iloc[:, 1].to_numpy(),
            "at_risk": et["at_risk"].to_numpy("int64"),
            "churned": et["observed"].to_numpy("int64"),
            "censored": et["censored"].to_numpy("int64"),
        }))
    return pd.concat(parts, ignore_index=True)


def logrank_tests(
    table: pd.DataFrame,
    group: str,
    *,
    duration_col: str = "tenure",
    event_col: str = "churned",
    min_size: int = 10,
) -> pd.DataFrame:
    """Do the groups' retention curves differ? The overall log-rank test, then every pair.

    Read the overall test first; the pairs say which groups differ, with Holm-adjusted
    p-values because many pairs are compared at once. Groups with fewer than
    ``min_size`` customers are left out (named in ``attrs["left_out"]``): a curve of a
    handful of customers tests nothing.

    Returns
    -------
    DataFrame: ``test`` (``"overall"`` or ``"pairwise"``), ``group_a``, ``group_b``
    (missing for the overall test), ``statistic`` (chi-square), ``df``, ``p_value``,
    ``p_holm`` (pairs only).

    Example
    -------
    >>> t = pd.DataFrame({"tenure": [1, 2, 3, 8, 9, 10], "churned": [True] * 6, "plan": list("aaabbb")})
    >>> logrank_tests(t, "plan", min_size=3)[["test", "group_a", "group_b"]]
           test group_a group_b
    0   overall     NaN     NaN
    1  pairwise       a       b
    """
    parts = _groups(table, group, duration_col, event_col)
    small = [p[0] for p in parts if len(p[1]) < min_size]
    parts = [p for p in parts if len(p[1]) >= min_size]
    if len(parts) < 2:
        raise data_error("table", group, f"a log-rank test needs at least two groups of {min_size} or more "
                         "customers", hint=f"groups with enough customers: {[p[0] for p in parts]}; too small: "
                         f"{small}; merge small groups or choose another column")
    durations = np.concatenate([p[1] for p in parts])
    events = np.concatenate([p[2] for p in parts])
    labels = np.concatenate([np.full(len(p[1]), i) for i, p in enumerate(parts)])
    names = [p[0] for p in parts]
    overall = multivariate_logrank_test(durations, labels, events)
    pairs = pairwise_logrank_test(durations, labels, events).summary
    p = pairs["p"].to_numpy(float)
    out = pd.DataFrame({
        "test": ["overall"] + ["pairwise"] * len(pairs),
        "group_a": [np.nan] + [names[a] for a, _ in pairs.index],
        "group_b": [np.nan] + [names[b] for _, b in pairs.index],
        "statistic": np.r_[overall.test_statistic, pairs["test_statistic"].to_numpy(float)],
        "df": np.r_[overall.degrees_of_freedom, np.ones(len(pairs))].astype("int64"),
        "p_value": np.r_[overall.p_value, p],
        "p_holm": np.r_[np.nan, _holm(p)],
    })
    out.attrs["left_out"] = small
    return out


def _holm(p: np.ndarray) -> np.ndarray:
    order = np.argsort(p, kind="mergesort")
    m = len(p)
    adjusted = np.maximum.accumulate(np.minimum(1.0, p[order] * (m - np.arange(m))))
    out = np.empty(m)
    out[order] = adjusted
    return out


def _rmst_one(durations: np.ndarray, events: np.ndarray, horizons: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """RMST and its standard error at each horizon for one group (KM fitted by lifelines)."""
    kmf = KaplanMeierFitter().fit(durations, events)
    et = kmf.event_table
    t = et.index.to_numpy(float)  # knots: 0 and every observed time, S right-continuous
    s = kmf.survival_function_.iloc[:, 0].to_numpy()
    area = np.r_[0.0, np.cumsum(s[:-1] * np.diff(t))]  # integral of S from 0 to each knot

    def integral_to(x: np.ndarray) -> np.ndarray:
        k = np.searchsorted(t, x, side="right") - 1
        return area[k] + s[k] * (x - t[k])

    d = et["observed"].to_numpy(float)
    n = et["at_risk"].to_numpy(float)
    is_event = d > 0
    te, de, ne = t[is_event], d[is_event], n[is_event]
    # n == d: S drops to 0 and A_j = 0; the term is 0 (not 0 * inf)
    weight = np.divide(de, ne * (ne - de), out=np.zeros_like(de), where=ne > de)
    total = integral_to(horizons)
    a = total[:, None] - integral_to(te)[None, :]  # A_j for each horizon (rows)
    var = np.where(te[None, :] < horizons[:, None], a**2 * weight[None, :], 0.0).sum(axis=1)
    # beyond the last observed time the curve is unknown unless it has reached 0
    unknown = (horizons > t[-1]) & (s[-1] > 0)
    return np.where(unknown, np.nan, total), np.where(unknown, np.nan, np.sqrt(var))


def rmst(
    table: pd.DataFrame,
    *,
    horizons: float | Sequence[float] = (90, 180, 365),
    group: str | None = None,
    duration_col: str = "tenure",
    event_col: str = "churned",
    ci: float = 0.95,
) -> pd.DataFrame:
    """Restricted mean survival time: average days of membership within the first ``horizon`` days.

    A board-friendly summary of a retention curve ("in their first 365 days, members
    stayed 331 days on average"), valid while many customers are still active, unlike
    a mean tenure (which needs everyone to have left). It is the area under the Kaplan-Meier curve up
    to the horizon; the standard error uses the standard formula (module docstring),
    not lifelines' (issue #1682). A horizon beyond a group's last observed tenure gives
    a missing value (the curve is unknown there).

    Returns
    -------
    DataFrame: ``group`` (``"all"`` without a group), ``horizon``, ``customers``,
    ``rmst``, ``se``, ``ci_low``, ``ci_high`` (normal interval at level ``ci``).

    Example
    -------
    >>> t = pd.DataFrame({"tenure": [2, 3, 3, 5, 6, 8], "churned": [True, True, False, True, False, True]})
    >>> rmst(t, horizons=7).round(3)[["horizon", "rmst", "se"]]
       horizon   rmst     se
    0      7.0  5.056  0.831
    """
    h = np.atleast_1d(np.asarray(horizons, dtype=float))
    if (h <= 0).any() or np.isnan(h).any():
        raise argument_error("horizons", f"horizons must be > 0, got {list(h)}")
    z = stats.norm.ppf(0.5 + ci / 2)
    parts = []
    for label, durations, events in _groups(table, group, duration_col, event_col):
        est, se = _rmst_one(durations, events, h)
        parts.append(pd.DataFrame({"group": label, "horizon": h, "customers": len(durations),
                                   "rmst": est, "se": se, "ci_low": est - z * se, "ci_high": est + z * se}))
    return pd.concat(parts, ignore_index=True)


def rmst_difference(
    table: pd.DataFrame,
    group: str,
    a: Hashable,
    b: Hashable,
    horizon: float | Sequence[float],
    *,
    duration_col: str = "tenure",
    event_col: str = "churned",
    ci: float = 0.95,
) -> pd.DataFrame:
    """How many more days of membership group ``a`` keeps than group ``b`` within the horizon.

    The difference of two restricted means with its interval and a two-sided z-test
    (the groups are independent, so the variances add).

    Returns
    -------
    DataFrame, one row per horizon: ``group_a``, ``group_b``, ``horizon``, ``rmst_a``,
    ``rmst_b``, ``difference`` (a - b), ``se``, ``ci_low``, ``ci_high``, ``p_value``.

    Example
    -------
    >>> t = pd.DataFrame({"tenure": [5, 6, 7, 8, 1, 2, 3, 4], "churned": True, "plan": list("aaaabbbb")})
    >>> float(rmst_difference(t, "plan", "a", "b", horizon=10)["difference"].iloc[0])
    4.0
    """
    require_columns(table, [group], "table")
    present = set(table[group].dropna())
    for name, level in (("a", a), ("b", b)):
        if level not in present:
            raise data_error("table", group, f"group {name}={level!r} has no rows",
                             hint=f"groups present: {sorted(map(str, present))}")
    both = table[table[group].isin([a, b])]
    res = rmst(both, horizons=horizon, group=group, duration_col=duration_col, event_col=event_col, ci=ci)
    ra = res[res["group"] == a].reset_index(drop=True)
    rb = res[res["group"] == b].reset_index(drop=True)
    diff = ra["rmst"] - rb["rmst"]
    se = np.sqrt(ra["se"] ** 2 + rb["se"] ** 2)
    z = stats.norm.ppf(0.5 + ci / 2)
    zstat = np.divide(diff, se, out=np.full(len(se), np.nan), where=se.to_numpy() > 0)
    p: Any = 2 * stats.norm.sf(np.abs(zstat))
    return pd.DataFrame({
        "group_a": a, "group_b": b, "horizon": ra["horizon"], "rmst_a": ra["rmst"], "rmst_b": rb["rmst"],
        "difference": diff, "se": se, "ci_low": diff - z * se, "ci_high": diff + z * se, "p_value": p,
    })
