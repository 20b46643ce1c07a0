"""Targets: how far each metric is from its goal, and whether the goal is met beyond noise."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from cxkit.errors import data_error, require_columns
from cxkit.metrics._common import _METRIC_COLUMNS, _by_list, _check_ci, _require_frame, _tidy, _z

__all__ = ["goal_status", "gap_analysis"]


def goal_status(
    value: float, ci_low: float, ci_high: float, goal: float, *, lower_is_better: bool = False
) -> str:
    """Whether a metric meets its goal beyond the noise of its interval.

    A target "hit" or "miss" that lies inside the margin of error is not news; this is
    the one rule behind the ``status`` of :func:`gap_analysis` and the gap chart.

    Parameters
    ----------
    value : float
        Current value of the metric; NaN or infinite gives "no data".
    ci_low, ci_high : float
        Interval of the current value.
    goal : float
        The target.
    lower_is_better : bool, default False
        Whether a lower value is better (an effort score where 1 = easy, a time to resolve).

    Returns
    -------
    str
        "within noise" when the goal lies inside the interval, otherwise "met" or
        "not met"; "no data" when the value is missing.

    Example
    -------
    >>> goal_status(42.0, 38.0, 46.0, goal=30.0)
    'met'
    >>> goal_status(4.2, 3.9, 4.6, goal=3.0, lower_is_better=True)
    'not met'
    """
    if not np.isfinite(value):
        return "no data"
    if ci_low <= goal <= ci_high:
        return "within noise"
    if (value <= goal) if lower_is_better else (value >= goal):
        return "met"
    return "not met"


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
        ``status`` (:func:`goal_status`): "within noise" when the goal lies inside the
        interval of current, otherwise "met" or "not met"; "no data" when current is missing.

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
    for i, label in zip(current.index, labels, strict=True):
        if label not in goal_by_metric:
            continue
        goal = goal_by_metric[label]
        value = float(current.at[i, "value"])
        lo, hi = float(lows[i]), float(highs[i])
        status = goal_status(value, lo, hi, goal, lower_is_better=label in lower)
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
