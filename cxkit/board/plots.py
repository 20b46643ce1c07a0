"""The board report's own charts: how long customers stay by experience, and the value at stake by driver.

Both take the tidy frames of :mod:`cxkit.bridge` and an ``ax=``, and return the Axes,
in the house style (:func:`cxkit.plots.set_theme`).

Example
-------
>>> curves = pd.DataFrame({"extra_bad_contacts": [0, 0, 1, 1], "day": [0, 365, 0, 365],
...                        "staying": [1.0, 0.84, 1.0, 0.80]})
>>> retention_plot(curves).get_ylabel()
'share of today’s customers still members'
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter

from cxkit.display import format_money
from cxkit.errors import require_columns

__all__ = ["retention_plot", "value_at_stake_plot"]

_CURVE_WORDS = {0: "as things are", 1: "with one more bad contact today", 2: "with two more bad contacts today"}
_COLOURS = {0: "#1f4e79", 1: "#d08c2b", 2: "#b3372f"}


def retention_plot(curves: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """The share of today's active customers expected to stay, day by day, as things are and with more bad contacts.

    Parameters
    ----------
    curves : :func:`cxkit.bridge.retention_curves` (``extra_bad_contacts``, ``day``, ``staying``).
    ax : Axes to draw on (default: a new figure).
    """
    require_columns(curves, ["extra_bad_contacts", "day", "staying"], "curves")
    ax = ax or plt.subplots(figsize=(6, 3.4))[1]
    for extra, curve in curves.groupby("extra_bad_contacts", sort=True):
        ax.plot(curve["day"], curve["staying"] * 100, color=_COLOURS.get(int(extra), "grey"), lw=2,
                label=_CURVE_WORDS.get(int(extra), f"with {int(extra)} more bad contacts today"))
    ax.set_xlabel("days from today")
    ax.set_ylabel("share of today’s customers still members")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0f}%"))
    ax.set_xlim(0, float(curves["day"].max()))
    ax.legend(frameon=False, fontsize=8, loc="lower left")
    return ax


def value_at_stake_plot(stake: pd.DataFrame, *, currency: str | None = None, ax: Axes | None = None) -> Axes:
    """The value kept over the horizon if each driver's mean score rose by one point, with 95% intervals.

    One bar per driver and group; a driver whose chain is not clear (no money figure) is
    listed with "not clear" instead of a bar, so that no reader takes it for zero.

    Parameters
    ----------
    stake : :func:`cxkit.bridge.driver_value_at_stake`.
    currency : the values' currency, for the axis.
    ax : Axes to draw on (default: a new figure).
    """
    require_columns(stake, ["segment", "driver", "value_at_stake", "ci_low", "ci_high"], "stake")
    segments = list(dict.fromkeys(stake["segment"]))
    order = (stake.groupby("driver")["value_at_stake"].max().fillna(-np.inf).sort_values().index.tolist())
    ax = ax or plt.subplots(figsize=(6.4, 0.45 * len(order) + 1.2))[1]
    height = 0.8 / max(len(segments), 1)
    palette = ["#1f4e79", "#9fb7cf", "#d08c2b", "#7a7a7a"]
    for k, segment in enumerate(segments):
        rows = stake[stake["segment"] == segment].set_index("driver").reindex(order)
        y = np.arange(len(order)) + (k - (len(segments) - 1) / 2) * height
        values = rows["value_at_stake"].to_numpy(float)
        shown = ~np.isnan(values)
        ax.barh(y[shown], values[shown], height=height * 0.9, color=palette[k % len(palette)], label=str(segment))
        err = np.vstack([values - rows["ci_low"].to_numpy(float), rows["ci_high"].to_numpy(float) - values])
        ax.errorbar(values[shown], y[shown], xerr=err[:, shown], fmt="none", ecolor="black", lw=1, capsize=2)
        for yy in y[~shown]:
            ax.text(0, yy, " not clear", va="center", ha="left", fontsize=7, color="#55606b")
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(np.arange(len(order)), order)
    ax.set_xlabel(f"value kept over the horizon{f' ({currency})' if currency else ''}, if the mean score rose "
                  "by one point")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda t, _: format_money(t, currency)))
    if len(segments) > 1:
        ax.legend(frameon=False, fontsize=8, loc="lower right")
    return ax
