"""The churn-survival charts: retention curves, hazard ratios and how churn risk is spread.

Each takes a tidy result of :mod:`cxkit.survival` (a Kaplan-Meier table, hazard
ratios, churn probabilities), draws on ``ax`` (a new one if ``None``) and returns the
Axes, in the manner of seaborn; nothing prints. The look (colours, fonts, the ink of
reference lines) is the house's, from :mod:`cxkit.plots` (``plots.set_theme()`` once).

* :func:`km_plot`: Kaplan-Meier retention curves with their bands and the customers
  still followed under the axis.
* :func:`forest_plot`: hazard ratios with their intervals on a log axis.
* :func:`risk_histogram`: active customers' chance of leaving, with the average marked.

Imported on its own: ``from cxkit.survival import plots as survival_plots``.

Example
-------
>>> from cxkit.survival import plots as survival_plots
>>> hr = pd.DataFrame({"covariate": ["a bad contact"], "hazard_ratio": [1.3], "ci_low": [1.2], "ci_high": [1.4]})
>>> survival_plots.forest_plot(hr).get_xlabel()
'hazard ratio (log scale; lines: 95% interval)'
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, NullFormatter

from cxkit.plots import INK, PALETTE, axes_or_new, require_plot_columns

__all__ = ["km_plot", "forest_plot", "risk_histogram"]


def km_plot(
    data: pd.DataFrame,
    *,
    at_risk_times: Sequence[float] | None = None,
    xlabel: str = "days since sign-up",
    ax: Axes | None = None,
) -> Axes:
    """Kaplan-Meier retention curves with their intervals, and the customers still at risk.

    Takes :func:`cxkit.survival.km_table` (``group``, ``time``, ``survival``, ``ci_low``,
    ``ci_high``, ``at_risk``). The numbers under the axis are the customers still
    followed at each time: where they are few, the curve's tail rests on little.

    Example
    -------
    >>> km = pd.DataFrame({"group": "all", "time": [0.0, 10.0], "survival": [1.0, 0.8], "ci_low": [1.0, 0.7],
    ...                    "ci_high": [1.0, 0.9], "at_risk": [10, 8]})
    >>> km_plot(km, at_risk_times=[0, 10]).get_ylabel()
    'share of customers still members'
    """
    require_plot_columns(data, ["group", "time", "survival", "ci_low", "ci_high", "at_risk"], "km_plot")
    ax = axes_or_new(ax)
    groups = list(dict.fromkeys(data["group"]))
    colours = list(PALETTE.values())
    rows = []
    for i, g in enumerate(groups):
        d = data[data["group"] == g].sort_values("time")
        c = colours[i % len(colours)]
        ax.step(d["time"], d["survival"], where="post", color=c, label=str(g), linewidth=1.8)
        ax.fill_between(d["time"], d["ci_low"], d["ci_high"], step="post", color=c, alpha=0.15, linewidth=0)
        if at_risk_times is not None:
            t, n = d["time"].to_numpy(float), d["at_risk"].to_numpy()
            k = np.searchsorted(t, np.asarray(at_risk_times, float), side="left")
            rows.append((str(g), [int(n[j]) if j < len(n) else 0 for j in k]))
    ax.set_ylim(min(0.0, float(data["ci_low"].min())) if data["ci_low"].min() < 0.5 else 0.5, 1.01)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.set_ylabel("share of customers still members")
    ax.set_xlabel(xlabel)
    if len(groups) > 1:
        ax.legend(frameon=False, loc="lower left")
    if rows:
        ax.set_xticks(list(at_risk_times))
        lines = ["at risk"] + [f"{g}: " for g, _ in rows] if len(rows) > 1 else ["at risk"]
        labels = [f"{t:g}\n" + "\n".join(f"{counts[j]:,}" for _, counts in rows)
                  for j, t in enumerate(at_risk_times)]
        ax.set_xticklabels(labels, fontsize=8)
        ax.annotate("\n".join(lines), xy=(0, 0), xycoords="axes fraction", xytext=(-8, -7),
                    textcoords="offset points", ha="right", va="top", fontsize=8, color=INK)
    return ax


def forest_plot(
    data: pd.DataFrame,
    *,
    y: str = "covariate",
    x: str = "hazard_ratio",
    low: str = "ci_low",
    high: str = "ci_high",
    xlabel: str = "hazard ratio (log scale; lines: 95% interval)",
    ax: Axes | None = None,
) -> Axes:
    """Hazard ratios with their intervals on a log axis, one row per covariate, first on top.

    A ratio of 2 and one of 0.5 are the same size of effect in opposite directions, so
    the axis is logarithmic; the dashed line at 1 is "no effect": an interval crossing
    it is no evidence either way. Rows whose interval excludes 1 are drawn in the alert
    colour (raise the risk) or the good colour (lower it); the rest are muted.

    Example
    -------
    >>> hr = pd.DataFrame({"covariate": ["unresolved", "wait"], "hazard_ratio": [1.32, 1.1],
    ...                    "ci_low": [1.24, 0.98], "ci_high": [1.41, 1.27]})
    >>> forest_plot(hr).get_xscale()
    'log'
    """
    require_plot_columns(data, [y, x, low, high], "forest_plot")
    ax = axes_or_new(ax)
    df = data.reset_index(drop=True)
    est, lo, hi = (df[c].to_numpy(float) for c in (x, low, high))
    if (est <= 0).any() or (lo <= 0).any():
        raise ValueError("forest_plot needs hazard ratios and interval bounds above 0 (a log axis)")
    pos = np.arange(len(df))[::-1]
    colours = np.where(lo > 1, PALETTE["alert"], np.where(hi < 1, PALETTE["good"], PALETTE["muted"]))
    ax.hlines(pos, lo, hi, colors=colours, linewidth=2.5)
    ax.scatter(est, pos, s=60, c=colours, zorder=3)
    ax.axvline(1.0, color=INK, linestyle="--", linewidth=1)
    ax.set_xscale("log")
    span = max(float(np.max(hi)), 1.0) / min(float(np.min(lo)), 1.0)
    pad = span ** 0.08
    left, right = min(float(np.min(lo)), 1.0) / pad, max(float(np.max(hi)), 1.0) * pad
    ax.set_xlim(left, right)
    ticks = [t for t in (0.1, 0.2, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.1, 1.25, 1.5, 2, 3, 5, 10, 20, 50, 100)
             if left <= t <= right]
    ax.set_xticks(ticks[:: max(1, len(ticks) // 8)] if 1 in ticks[:: max(1, len(ticks) // 8)] else ticks)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda t, _: f"{t:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.tick_params(axis="x", which="minor", bottom=False)
    ax.set_yticks(pos, df[y].astype(str))
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("")
    return ax


def risk_histogram(probabilities: Sequence[float] | np.ndarray | pd.Series, *, horizon_days: int,
                   bins: int = 40, ax: Axes | None = None) -> Axes:
    """How churn risk is spread over active customers, with the average marked.

    Example
    -------
    >>> ax = risk_histogram([0.01, 0.02, 0.2], horizon_days=90)
    """
    ax = axes_or_new(ax)
    p = np.asarray(probabilities, dtype=float) * 100
    ax.hist(p, bins=bins, color=PALETTE["base"])
    ax.axvline(p.mean(), color=PALETTE["alert"], linestyle="--")
    ax.set_xlabel(f"chance of leaving in the next {horizon_days} days (%; dashed: the average)")
    ax.set_ylabel("active customers")
    return ax
