"""The CLV theme's charts: holdout checks, the frequency x recency map, value concentration, segments.

Each takes a tidy frame from :mod:`cxkit.clv` (or the values themselves), draws on
``ax`` (a new one if ``None``) and returns the Axes, in the house look of
:mod:`cxkit.plots` (:func:`cxkit.plots.set_theme`); nothing prints. Axis titles are
words ("repeat purchases", "weeks between first and last purchase"), never column names.

* :func:`holdout_plot`: actual against predicted holdout purchases, by calibration frequency
  (:func:`cxkit.clv.diagnostics.holdout_by_frequency`).
* :func:`matrix_plot`: a heat map over repeat purchases and recency
  (:func:`cxkit.clv.diagnostics.rfm_matrix`).
* :func:`clv_histogram`: how many customers are worth how much, on a log scale.
* :func:`lorenz_plot`: the share of value held by the least valuable customers
  (:func:`cxkit.clv.lorenz_curve`).
* :func:`share_plot`: each segment's share of customers against its share of value
  (:func:`cxkit.clv.segment_profile`).
* :func:`retention_plot`: each subscription cohort's retention against the sBG projection
  (:func:`cxkit.clv.subscription_value.retention_curves`).

Imported on its own, so that ``import cxkit.clv`` needs no matplotlib::

    from cxkit.clv import plots as clv_plots
"""
from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from cxkit.display import format_money, label
from cxkit.plots import INK, PALETTE, axes_or_new, require_plot_columns

__all__ = ["holdout_plot", "matrix_plot", "clv_histogram", "lorenz_plot", "share_plot", "retention_plot"]


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
    ax = axes_or_new(ax)
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
    ax = axes_or_new(ax)
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
    cmap: str = "viridis",
    xlabel: str | None = None,
    ylabel: str | None = None,
    value_label: str | None = None,
    time_unit: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """A heat map of ``value`` over a long ``x`` by ``y`` grid (highest ``y`` on top).

    The default colour map (viridis) runs dark to light, so it reads in grey and to
    colour-blind eyes. Axes are named in words from :func:`cxkit.display.label`, in the
    ``time_unit`` given ("weeks between first and last purchase", not "recency").

    Example
    -------
    >>> grid = pd.DataFrame({"frequency": [0, 1, 1], "recency": [0.0, 0.0, 10.0], "p_alive": [1.0, 0.2, 0.6]})
    >>> ax = matrix_plot(grid, time_unit="W")
    >>> ax.get_xlabel(), ax.get_ylabel()
    ('weeks between first and last purchase', 'repeat purchases')
    """
    ax = axes_or_new(ax)
    require_plot_columns(data, [x, y, value], "matrix_plot")
    grid = data.pivot(index=y, columns=x, values=value).sort_index(ascending=False)
    grid.columns = [x_format.format(c) for c in grid.columns]
    cells = len(grid) * len(grid.columns)
    sns.heatmap(grid, ax=ax, cmap=cmap, annot=cells <= 200, fmt=fmt,
                cbar_kws={"label": value_label or label(value)}, annot_kws={"fontsize": 8})
    ax.set_xlabel(xlabel or label(x, time_unit=time_unit))
    ax.set_ylabel(ylabel or label(y, time_unit=time_unit))
    ax.tick_params(axis="both", labelsize=9)
    plt.setp(ax.get_xticklabels(), rotation=0)
    plt.setp(ax.get_yticklabels(), rotation=0)
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
    ax = axes_or_new(ax)
    long = data.melt(id_vars=[y], value_vars=list(shares), var_name="measure", value_name="pct")
    long["pct"] = long["pct"] * 100
    long["measure"] = long["measure"].map(dict(zip(shares, labels, strict=True)))
    sns.barplot(long, y=y, x="pct", hue="measure", ax=ax, orient="h",
                palette=[PALETTE["muted"], PALETTE["base"]])
    ax.set_xlabel("%")
    ax.set_ylabel("")
    ax.legend(frameon=False, title=None)
    return ax



def clv_histogram(
    values: Sequence[float] | np.ndarray | pd.Series,
    *,
    currency: str | None = None,
    horizon_months: int | None = None,
    bins: int = 40,
    floor: float = 1.0,
    ax: Axes | None = None,
) -> Axes:
    """How many customers are worth how much: CLV on a log scale, ticks in money.

    CLV is skewed (many customers worth little, a few worth a lot), so the axis is
    logarithmic with ticks reading ``£10``, ``£100``, ``£1,000``. Values under ``floor``
    (including zero) are counted in the first bar, as the axis title says; the dashed
    line is the median customer.

    Example
    -------
    >>> ax = clv_histogram(np.array([0.0, 5, 20, 40, 300, 2500]), currency="£", horizon_months=12)
    >>> ax.get_xscale(), ax.get_ylabel()
    ('log', 'customers')
    """
    ax = axes_or_new(ax)
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if floor <= 0:
        raise ValueError(f"floor must be positive (a log scale has no 0), got {floor}")
    if not len(v):
        raise ValueError("clv_histogram needs at least one value")
    top = max(float(v.max()), floor * 10)
    edges = np.geomspace(floor, top * 1.0001, bins + 1)
    ax.hist(np.clip(v, floor, None), bins=edges, color=PALETTE["base"], alpha=0.85)
    ax.set_xscale("log")
    ax.set_xlim(floor, top * 1.05)
    decades = np.log10(top / floor)
    ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0) if decades <= 3 else (1.0,)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda t, _: format_money(t, currency)))
    ax.xaxis.set_minor_formatter(NullFormatter())
    median = float(np.median(v))
    ax.axvline(max(median, floor), color=INK, linestyle="--", linewidth=1.2,
               label=f"median customer: {format_money(median, currency, decimals=0 if median >= 10 else 2)}")
    ax.legend(frameon=False, fontsize=9)
    title = "CLV" + (f" over the next {horizon_months} months" if horizon_months else "") + " (log scale)"
    below = int((v < floor).sum())
    if below:
        title += f"\n{below:,} customers under {format_money(floor, currency)} counted in the first bar"
    ax.set_xlabel(title)
    ax.set_ylabel("customers")
    return ax


def retention_plot(
    data: pd.DataFrame,
    *,
    period_words: str = "months",
    max_cohorts: int = 8,
    ax: Axes | None = None,
) -> Axes:
    """Share of each cohort still subscribed, period by period, against the model's projection.

    Cohorts that follow the projection line say one retention curve describes them all;
    the line's run beyond the data is the forecast the subscriber values rest on. With
    many cohorts, ``max_cohorts`` of them (spread from the oldest to the youngest, the
    oldest always kept) are drawn, so the chart stays readable.

    Parameters
    ----------
    data : :func:`cxkit.clv.subscription_value.retention_curves` (``cohort``, ``period``,
        ``retention``, ``kind``).
    period_words : the period in words, for the axis (``"months"``).
    max_cohorts : most cohorts drawn.
    ax : Axes to draw on.

    Example
    -------
    >>> from cxkit.clv.sbg import ShiftedBetaGeometricFitter
    >>> from cxkit.clv.subscription_value import retention_curves
    >>> cohorts = pd.DataFrame({"cohort": ["2024"] * 3, "period": [0, 1, 2], "alive": [100, 85, 74]})
    >>> curves = retention_curves(cohorts, ShiftedBetaGeometricFitter.from_params(alpha=0.7, beta=3.8), horizon=6)
    >>> retention_plot(curves, period_words="years").get_ylabel()
    '% of the cohort still subscribed'
    """
    require_plot_columns(data, ["cohort", "period", "retention", "kind"], "retention_plot")
    ax = axes_or_new(ax)
    actual = data[data["kind"] == "actual"]
    labels = list(dict.fromkeys(actual["cohort"]))
    if len(labels) > max_cohorts:
        labels = [labels[int(i)] for i in np.unique(np.linspace(0, len(labels) - 1, max_cohorts).round())]
    shades = sns.color_palette("Blues", n_colors=len(labels) + 2)[2:]
    for colour, name in zip(shades, labels, strict=True):
        part = actual[actual["cohort"] == name]
        ax.plot(part["period"], part["retention"] * 100, color=colour, linewidth=1.2, label=name)
    projected = data[data["kind"] == "projected"]
    ax.plot(projected["period"], projected["retention"] * 100, color=PALETTE["alert"], linestyle="--",
            linewidth=2.2, label="projection (sBG)")
    ax.set_ylim(0, 102)
    ax.set_xlabel(f"{period_words} since sign-up")
    ax.set_ylabel("% of the cohort still subscribed")
    ax.legend(frameon=False, fontsize=8, ncol=2, title="cohort (sign-up)", title_fontsize=8)
    return ax
