"""The driver analysis in charts: what drives satisfaction for whom, and where to act.

* :func:`driver_plot`: each driver's share of explained satisfaction with its interval,
  one colour per group, ordered by the first group's shares.
* :func:`group_driver_plot`: the same for everyone, or for the focus group (first) and
  everyone else (:func:`cxkit.drivers.importance_by_group`).
* :func:`quadrant_plot`: importance against performance with the cut lines and what each
  corner means (:func:`cxkit.drivers.importance_performance`).

Both take a tidy frame and column names, draw on ``ax`` (a new one if ``None``) and return
the Axes, in the house style of :mod:`cxkit.plots`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter

from cxkit.plots import INK, PALETTE, _padded_limits, axes_or_new, require_plot_columns

__all__ = ["QUADRANT_COLOURS", "driver_plot", "group_driver_plot", "quadrant_plot"]


def driver_plot(
    data: pd.DataFrame,
    *,
    y: str = "driver",
    x: str = "share",
    low: str = "share_low",
    high: str = "share_high",
    hue: str | None = "segment",
    xlabel: str = "share of explained satisfaction (lines: 95% interval)",
    ax: Axes | None = None,
) -> Axes:
    """What drives satisfaction: each driver's share with its interval, one colour per segment.

    Drivers are ordered by their share in the first segment (largest on top), so two
    segments' priorities can be read side by side; a segment's marks sit just above or
    below the driver's line.

    Example
    -------
    >>> d = pd.DataFrame({"segment": ["top", "top", "rest", "rest"], "driver": ["a", "b", "a", "b"],
    ...                   "share": [0.6, 0.4, 0.3, 0.7], "share_low": [0.5, 0.3, 0.2, 0.6],
    ...                   "share_high": [0.7, 0.5, 0.4, 0.8]})
    >>> [t.get_text() for t in driver_plot(d).get_yticklabels()]
    ['b', 'a']
    """
    require_plot_columns(data, [y, x, low, high, hue], "driver_plot")
    ax = axes_or_new(ax)
    groups = list(dict.fromkeys(data[hue])) if hue else [None]
    first = data[data[hue] == groups[0]] if hue else data
    order = list(first.sort_values(x, ascending=True, kind="mergesort")[y])
    order += sorted(set(data[y]) - set(order))
    pos = {d: i for i, d in enumerate(order)}
    colours = [PALETTE["alert"], PALETTE["base"], PALETTE["good"], PALETTE["muted"]]
    offsets = np.linspace(0.18, -0.18, len(groups)) if len(groups) > 1 else [0.0]
    for g, off, colour in zip(groups, offsets, colours * len(groups), strict=False):
        part = data[data[hue] == g] if hue else data
        p = part[y].map(pos).to_numpy(float) + off
        ax.hlines(p, part[low], part[high], colors=colour, linewidth=2.5, alpha=0.7)
        ax.plot(part[x], p, "o", color=colour, markersize=7, label=None if g is None else str(g))
    ax.set_yticks(range(len(order)), [str(o) for o in order])
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.set_xlim(left=0)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("")
    if hue and len(groups) > 1:
        ax.legend(frameon=False, loc="lower right")
    return ax


QUADRANT_COLOURS = {"Fix first": PALETTE["alert"], "Keep up": PALETTE["good"], "Maintain": PALETTE["base"],
                    "Lower priority": PALETTE["muted"]}


def quadrant_plot(
    data: pd.DataFrame,
    *,
    x: str = "performance",
    y: str = "importance",
    label: str = "driver",
    quadrant: str = "quadrant",
    xlabel: str = "performance (mean rating)",
    ylabel: str = "importance (share of explained satisfaction)",
    ax: Axes | None = None,
) -> Axes:
    """Importance against performance, with the cut lines and what each corner means.

    Top left (important, rated low) is where to act first; the dashed lines are the
    drivers' mean importance and mean performance, the cut points of
    :func:`cxkit.drivers.importance_performance`. Each point is coloured by its quadrant.

    Example
    -------
    >>> d = pd.DataFrame({"driver": ["a", "b"], "performance": [3.2, 4.1], "importance": [0.6, 0.4],
    ...                   "quadrant": ["Fix first", "Maintain"]})
    >>> quadrant_plot(d).get_xlabel()
    'performance (mean rating)'
    """
    require_plot_columns(data, [x, y, label, quadrant], "quadrant_plot")
    ax = axes_or_new(ax)
    xs, ys = data[x].to_numpy(float), data[y].to_numpy(float)
    colours = [QUADRANT_COLOURS.get(q, INK) for q in data[quadrant]]
    ax.scatter(xs, ys, s=70, c=colours, zorder=3)
    for xi, yi, text in zip(xs, ys, data[label].astype(str), strict=True):
        ax.annotate(text, (xi, yi), xytext=(6, 4), textcoords="offset points", fontsize=9, color=INK)
    ax.axvline(xs.mean(), color=PALETTE["muted"], linestyle="--", linewidth=1)
    ax.axhline(ys.mean(), color=PALETTE["muted"], linestyle="--", linewidth=1)
    ax.set_xlim(*_padded_limits(xs, pad=0.25))
    ax.set_ylim(0, _padded_limits(np.r_[ys, 0.0], pad=0.15)[1])
    corners = {"Fix first": (0.02, 0.97, "left", "top"), "Keep up": (0.98, 0.97, "right", "top"),
               "Lower priority": (0.02, 0.03, "left", "bottom"), "Maintain": (0.98, 0.03, "right", "bottom")}
    for name, (cx_, cy, ha, va) in corners.items():
        ax.text(cx_, cy, name, transform=ax.transAxes, ha=ha, va=va, fontsize=9, fontweight="bold",
                color=QUADRANT_COLOURS[name])
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return ax


def group_driver_plot(importance: pd.DataFrame, by_segment: pd.DataFrame | None = None, *, focus: str | None = None,
                      everyone: str = "everyone", ax: Axes | None = None) -> Axes:
    """What drives satisfaction for the focus group and for everyone else, the focus group first.

    The drivers are ordered by the focus group's shares, so its priorities read top down
    and everyone else's sit beside them; without groups, the shares for everyone.

    Parameters
    ----------
    importance : ``KeyDrivers.importance_`` for every answer (drawn when ``by_segment`` is None).
    by_segment : :func:`cxkit.drivers.segment_importance` by ``segment``, or None.
    focus : the focus group's label in ``segment`` (:attr:`cxkit.drivers.DriverGroups.focus`).
    everyone : the legend's name for every answer.

    Example
    -------
    >>> d = pd.DataFrame({"segment": ["rest", "rest", "top", "top"], "driver": ["a", "b", "a", "b"],
    ...                   "share": [0.3, 0.7, 0.6, 0.4], "share_low": [0.2, 0.6, 0.5, 0.3],
    ...                   "share_high": [0.4, 0.8, 0.7, 0.5]})
    >>> [t.get_text() for t in group_driver_plot(d, d, focus="top").get_yticklabels()]
    ['b', 'a']
    """
    shown = importance.assign(segment=everyone) if by_segment is None else by_segment
    shown = shown.sort_values("segment", key=lambda labels: labels != focus, kind="mergesort")
    return driver_plot(shown, ax=ax)
