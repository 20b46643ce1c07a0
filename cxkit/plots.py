"""One place for the cxkit look and the charts the notebooks share.

Every function takes a tidy frame (as returned by :mod:`cxkit.metrics` and the theme
modules) plus column names, draws on ``ax`` (a new one if ``None``) and returns the
Axes, in the manner of seaborn. Nothing prints.

Example
-------
>>> from cxkit import metrics, plots
>>> ax = plots.interval_plot(metrics.nps(surveys, by="plan"), y="plan")   # doctest: +SKIP
"""
from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes

__all__ = ["PALETTE", "format_p", "set_theme", "interval_plot", "trend_plot", "gap_plot", "lorenz_plot",
           "holdout_plot", "matrix_plot", "share_plot"]

#: Colours: neutral, highlight (a concern), good news, and a muted reference.
PALETTE = {"base": "#3b6ea8", "alert": "#c8553d", "good": "#4a9c6d", "muted": "#9aa5b1"}


def set_theme(dpi: int = 90) -> None:
    """The house style for notebooks and reports: white grid, readable fonts, fixed size."""
    sns.set_theme(style="whitegrid", context="notebook", palette=list(PALETTE.values()))
    plt.rcParams.update({
        "figure.figsize": (7.5, 4.0),
        "figure.dpi": dpi,
        "axes.titleweight": "bold",
        "axes.titlesize": 12,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "savefig.bbox": "tight",
    })


def _axes(ax: Axes | None) -> Axes:
    return ax if ax is not None else plt.figure().add_subplot()


def interval_plot(
    data: pd.DataFrame,
    *,
    y: str,
    x: str = "value",
    low: str = "ci_low",
    high: str = "ci_high",
    flag: str | None = "small_base",
    reference: float | None = None,
    highlight: Sequence[object] = (),
    xlabel: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Estimates with their confidence intervals, one row per group.

    Groups whose base is small (``flag`` column true) are drawn hollow, so nobody reads
    too much into them; ``reference`` draws a dashed line (overall value or a goal).
    """
    ax = _axes(ax)
    df = data.reset_index(drop=True)
    pos = np.arange(len(df))[::-1]
    small = df[flag].astype(bool).to_numpy() if flag and flag in df else np.zeros(len(df), bool)
    colours = [PALETTE["alert"] if g in set(highlight) else PALETTE["base"] for g in df[y]]
    ax.hlines(pos, df[low], df[high], colors=colours, linewidth=2.5, alpha=0.7)
    for p, v, c, s in zip(pos, df[x], colours, small):
        ax.plot(v, p, "o", markersize=8, color=c, markerfacecolor="white" if s else c)
    ax.set_yticks(pos, df[y].astype(str))
    if reference is not None:
        ax.axvline(reference, color=PALETTE["muted"], linestyle="--", linewidth=1)
    ax.set_xlabel(xlabel or x)
    ax.set_ylabel("")
    return ax


def trend_plot(
    data: pd.DataFrame,
    *,
    x: str = "period",
    y: str = "value",
    low: str = "ci_low",
    high: str = "ci_high",
    hue: str | None = None,
    goal: float | None = None,
    ylabel: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """A metric over time with its confidence band (one line per ``hue`` level)."""
    ax = _axes(ax)
    groups = [(None, data)] if hue is None else list(data.groupby(hue, sort=True))
    for i, (name, df) in enumerate(groups):
        colour = list(PALETTE.values())[i % len(PALETTE)]
        xs = df[x].astype(str)
        ax.plot(xs, df[y], marker="o", color=colour, label=None if name is None else str(name))
        ax.fill_between(xs, df[low], df[high], color=colour, alpha=0.15, linewidth=0)
    if goal is not None:
        ax.axhline(goal, color=PALETTE["good"], linestyle="--", linewidth=1.2, label="goal")
    if hue is not None or goal is not None:
        ax.legend(frameon=False)
    ax.set_xlabel("")
    ax.set_ylabel(ylabel or y)
    ax.tick_params(axis="x", rotation=45)
    return ax


def gap_plot(
    data: pd.DataFrame,
    *,
    metric: str = "metric",
    current: str = "current",
    goal: str = "goal",
    low: str = "ci_low",
    high: str = "ci_high",
    ax: Axes | None = None,
) -> Axes:
    """Current value (with interval) against the goal, one panel row per metric.

    Metrics live on different scales, so each is drawn as a share of its goal
    (goal = 100%), and the labels carry the real numbers.
    """
    ax = _axes(ax)
    df = data.reset_index(drop=True)
    pos = np.arange(len(df))[::-1]
    scale = df[goal].abs().replace(0, 1)
    rel = df[current] / scale * 100
    ax.hlines(pos, df[low] / scale * 100, df[high] / scale * 100, color=PALETTE["base"], linewidth=2.5, alpha=0.6)
    met = df[current] >= df[goal]
    ax.scatter(rel, pos, s=70, zorder=3, c=[PALETTE["good"] if m else PALETTE["alert"] for m in met])
    ax.axvline(100, color=PALETTE["good"], linestyle="--", linewidth=1.2)
    labels = [f"{m}\n{c:.1f} vs goal {g:g}" for m, c, g in zip(df[metric], df[current], df[goal])]
    ax.set_yticks(pos, labels)
    ax.set_xlabel("current as % of goal (line: goal)")
    return ax


def lorenz_plot(
    data: pd.DataFrame,
    *,
    x: str = "share_of_customers",
    y: str = "share_of_value",
    label: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """A Lorenz curve: the share of total value held by the least valuable x% of customers.

    The gap to the diagonal is the concentration: the top (100 - x)% hold the rest.
    """
    ax = _axes(ax)
    ax.plot(data[x] * 100, data[y] * 100, color=PALETTE["base"], label=label)
    ax.plot([0, 100], [0, 100], color=PALETTE["muted"], linestyle="--", linewidth=1)
    ax.set_xlabel("% of customers, from least to most valuable")
    ax.set_ylabel("% of total value")
    return ax


def holdout_plot(
    data: pd.DataFrame,
    *,
    x: str = "frequency_cal",
    actual: str = "actual",
    predicted: str = "predicted",
    ax: Axes | None = None,
) -> Axes:
    """Actual against predicted holdout purchases per calibration-frequency group."""
    ax = _axes(ax)
    xs = data[x].astype(str)
    ax.plot(xs, data[actual], marker="o", color=PALETTE["base"], label="actual")
    ax.plot(xs, data[predicted], marker="s", linestyle="--", color=PALETTE["alert"], label="predicted")
    ax.set_xlabel("repeat purchases in the calibration period")
    ax.set_ylabel("mean purchases in the holdout period")
    ax.legend(frameon=False)
    return ax


def matrix_plot(
    data: pd.DataFrame,
    *,
    x: str = "recency",
    y: str = "frequency",
    value: str = "p_alive",
    fmt: str = ".1f",
    x_format: str = "{:.0f}",
    cmap: str = "RdYlGn",
    ax: Axes | None = None,
) -> Axes:
    """A heat map of ``value`` over a long ``x`` by ``y`` grid (highest ``y`` on top)."""
    ax = _axes(ax)
    grid = data.pivot(index=y, columns=x, values=value).sort_index(ascending=False)
    grid.columns = [x_format.format(c) for c in grid.columns]
    sns.heatmap(grid, ax=ax, cmap=cmap, annot=len(grid) * len(grid.columns) <= 200, fmt=fmt,
                cbar_kws={"label": value}, annot_kws={"fontsize": 7})
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    return ax


def share_plot(
    data: pd.DataFrame,
    *,
    y: str = "segment",
    shares: Sequence[str] = ("share", "clv_share"),
    labels: Sequence[str] = ("% of customers", "% of value"),
    ax: Axes | None = None,
) -> Axes:
    """Side-by-side bars: each segment's share of customers against its share of value."""
    ax = _axes(ax)
    long = data.melt(id_vars=[y], value_vars=list(shares), var_name="measure", value_name="pct")
    long["pct"] = long["pct"] * 100
    long["measure"] = long["measure"].map(dict(zip(shares, labels)))
    sns.barplot(long, y=y, x="pct", hue="measure", ax=ax, orient="h",
                palette=[PALETTE["muted"], PALETTE["base"]])
    ax.set_xlabel("%")
    ax.set_ylabel("")
    ax.legend(frameon=False, title=None)
    return ax


def format_p(p: float | pd.Series) -> str | pd.Series:
    """p-values as a reader expects them: ``<0.001`` or three decimals.

    Example
    -------
    >>> format_p(pd.Series([0.00002, 0.0312, 0.5])).tolist()
    ['<0.001', '0.031', '0.500']
    """
    if isinstance(p, pd.Series):
        return p.map(format_p)
    return "<0.001" if p < 0.001 else f"{p:.3f}"
