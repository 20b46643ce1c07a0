"""One place for the cxkit look and the charts the notebooks share.

Every function takes a tidy frame (as returned by :mod:`cxkit.metrics` and the theme
modules) plus column names, draws on ``ax`` (a new one if ``None``) and returns the
Axes, in the manner of seaborn. Nothing prints. Axis titles use the words of
:mod:`cxkit.display` ("repeat purchases", "weeks", never "W"), and colours are ones a
colour-blind reader can tell apart, with shapes or fills carrying the same meaning.

Example
-------
>>> from cxkit import metrics, plots
>>> ax = plots.interval_plot(metrics.nps(surveys, by="plan"), y="plan")   # doctest: +SKIP
"""
from __future__ import annotations

import textwrap
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from cxkit.display import format_money, format_p, label, time_unit_words
from cxkit.metrics.targets import goal_status

__all__ = ["PALETTE", "STATUS_STYLE", "format_p", "time_unit_words", "set_theme", "interval_plot", "trend_plot",
           "gap_plot", "lorenz_plot", "holdout_plot", "matrix_plot", "share_plot", "clv_histogram",
           "group_means_plot", "forest_plot", "km_plot", "risk_histogram"]

#: Colours (Okabe-Ito based, safe for colour-blind readers): neutral, a concern, good
#: news, and a muted reference.
PALETTE = {"base": "#3b6ea8", "alert": "#d55e00", "good": "#009e73", "muted": "#9aa5b1"}

#: How a goal's status is drawn: colour, marker and the words of the legend.
STATUS_STYLE = {
    "met": (PALETTE["good"], "o", "met: the whole interval reaches the goal"),
    "not met": (PALETTE["alert"], "v", "not met: the whole interval falls short"),
    "within noise": ("#6b7785", "D", "within noise: the goal lies inside the interval"),
    "no data": (PALETTE["muted"], "x", "no data"),
}

#: What each headline metric's scale is, for the axis of its own panel.
_METRIC_SCALES = {"NPS": "NPS (-100 to +100)", "CSAT": "CSAT (% answering 4-5)", "CES": "CES (mean on 1-7)"}

#: Sequential colour maps that read in grey and to colour-blind eyes.
COLOUR_BLIND_SAFE = ("viridis", "cividis", "magma", "inferno", "plasma", "Blues", "Greys", "Purples")

_INK = "#33404d"


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


def _require(data: pd.DataFrame, columns: Sequence[str | None], what: str) -> None:
    missing = [c for c in columns if c is not None and c not in data.columns]
    if missing:
        raise ValueError(f"{what} needs the column(s) {missing}; the data has {list(map(str, data.columns))}")


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

    Example
    -------
    >>> df = pd.DataFrame({"plan": ["Club", "Plus"], "value": [30.0, 18.0], "ci_low": [26.0, 12.0],
    ...                    "ci_high": [34.0, 24.0], "small_base": [False, True]})
    >>> interval_plot(df, y="plan", reference=27).get_xlabel()
    'value'
    """
    ax = _axes(ax)
    df = data.reset_index(drop=True)
    pos = np.arange(len(df))[::-1]
    small = df[flag].astype(bool).to_numpy() if flag and flag in df else np.zeros(len(df), bool)
    colours = [PALETTE["alert"] if g in set(highlight) else PALETTE["base"] for g in df[y]]
    ax.hlines(pos, df[low], df[high], colors=colours, linewidth=2.5, alpha=0.7)
    for p, v, c, s in zip(pos, df[x], colours, small):
        ax.plot(v, p, "o", markersize=8, color=c, markerfacecolor="none" if s else c, markeredgewidth=1.6)
    ax.set_yticks(pos, df[y].astype(str))
    if reference is not None:
        ax.axvline(reference, color=PALETTE["muted"], linestyle="--", linewidth=1)
    if small.any() and not small.all():
        # A small base's wide interval must not set the scale: the axis spans the other
        # groups' intervals and every point; a small base's interval may run off the edge.
        spans = [df.loc[~small, low], df.loc[~small, high], df[x]] + ([pd.Series([reference])] if reference is not None
                                                                        else [])
        ax.set_xlim(*_padded_limits(pd.concat(spans).to_numpy(dtype=float)))
    ax.set_xlabel(xlabel or label(x))
    ax.set_ylabel("")
    return ax


def _period_text(values: pd.Series) -> list[str]:
    if pd.api.types.is_datetime64_any_dtype(values):
        return [v.strftime("%Y-%m-%d") if pd.notna(v) else "" for v in values]
    return [str(v) for v in values]


def _padded_limits(values: np.ndarray, pad: float = 0.08) -> tuple[float, float]:
    finite = values[np.isfinite(values)]
    if not len(finite):
        return 0.0, 1.0
    lo, hi = float(finite.min()), float(finite.max())
    span = hi - lo if hi > lo else max(abs(hi), 1.0) * 0.2
    return lo - pad * span, hi + pad * span


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
    small: str | None = "small_base",
    n: str | None = "n",
    ax: Axes | None = None,
) -> Axes:
    """A metric over time with its confidence band (one line per ``hue`` level).

    Periods with a small base (``small`` column true) are drawn hollow and do not set
    the y-axis: its range comes from the other periods, their intervals and the goal.
    A small-base value beyond that range is drawn at the edge as a hollow triangle
    with its value written beside it. The number of answers (``n``) is printed under
    each period in small type.

    Example
    -------
    >>> df = pd.DataFrame({"period": ["2025Q1", "2025Q2", "2025Q3"], "value": [-60.0, 25.0, 28.0],
    ...                    "ci_low": [-95.0, 20.0, 23.0], "ci_high": [-10.0, 30.0, 33.0],
    ...                    "n": [9, 300, 310], "small_base": [True, False, False]})
    >>> ax = trend_plot(df, goal=35)
    >>> bool(ax.get_ylim()[0] > -10)   # the 9 answers of 2025Q1 do not stretch the axis
    True
    """
    ax = _axes(ax)
    _require(data, [x, y, low, high, hue], "trend_plot")
    df = data.reset_index(drop=True)
    text = _period_text(df[x])
    cats = list(dict.fromkeys(text))
    where = {c: i for i, c in enumerate(cats)}
    df = df.assign(_pos=[where[t] for t in text])
    flags = (df[small].fillna(False).astype(bool) if small and small in df else pd.Series(False, index=df.index))
    df = df.assign(_small=flags.to_numpy())
    groups = [(None, df)] if hue is None else list(df.groupby(hue, sort=True))

    reliable = df[~df["_small"]] if (~df["_small"]).any() else df
    bounds = np.concatenate([reliable[c].to_numpy(float) for c in (y, low, high)]
                            + ([np.array([float(goal)])] if goal is not None else []))
    y_lo, y_hi = _padded_limits(bounds)
    rows = len(groups) if n and n in df else 0
    many = len(cats) > 16                          # many periods: counts written upwards, fewer tick labels
    row_share = 0.11 if many else 0.07
    y_lo -= (y_hi - y_lo) * (row_share * rows)     # room for the rows of n at the bottom
    floor = y_lo + (y_hi - y_lo) * row_share * rows / (1 + row_share * rows) if rows else y_lo

    colours = list(PALETTE.values())
    handles = []
    for i, (name, g) in enumerate(groups):
        colour = colours[i % len(colours)]
        g = g.sort_values("_pos")
        xs, vals = g["_pos"].to_numpy(float), g[y].to_numpy(float)
        lows, highs, tiny = g[low].to_numpy(float), g[high].to_numpy(float), g["_small"].to_numpy(bool)
        band_lo, band_hi = np.where(tiny, np.nan, lows), np.where(tiny, np.nan, highs)
        ax.fill_between(xs, band_lo, band_hi, color=colour, alpha=0.15, linewidth=0)
        ax.plot(xs, np.clip(vals, floor, y_hi), linestyle=":", color=colour, linewidth=1.2)
        (line,) = ax.plot(xs[~tiny], vals[~tiny], marker="o", color=colour,
                          label="value" if name is None else str(name))
        handles.append(line)
        for xp, v, lo_, hi_ in zip(xs[tiny], vals[tiny], lows[tiny], highs[tiny]):
            ax.vlines(xp, max(lo_, floor), min(hi_, y_hi), color=colour, linestyle=":", linewidth=1)
            if floor <= v <= y_hi:
                ax.plot(xp, v, "o", color=colour, markerfacecolor="none", markeredgewidth=1.6, markersize=7)
            else:
                edge = y_hi if v > y_hi else floor
                ax.plot(xp, edge, "^" if v > y_hi else "v", color=colour, markerfacecolor="none",
                        markeredgewidth=1.6, markersize=8, clip_on=False)
                ax.annotate(f"{v:.0f}", (xp, edge), xytext=(6, 0), textcoords="offset points", fontsize=7,
                            color=colour, va="center")
        if rows:
            for xp, count in zip(xs, g[n]):
                if pd.notna(count):
                    ax.annotate(f"{int(count):,}", (xp, 0), xycoords=("data", "axes fraction"),
                                xytext=(0, 3 + (22 if many else 11) * (rows - 1 - i)), textcoords="offset points",
                                ha="center", va="bottom", fontsize=6.5 if many else 7, color=colour,
                                rotation=90 if many else 0)
    ax.set_ylim(y_lo, y_hi)
    ax.set_xlim(-0.5, len(cats) - 0.5)
    step = int(np.ceil(len(cats) / 12)) if many else 1
    ax.set_xticks(range(len(cats)), [c if i % step == 0 else "" for i, c in enumerate(cats)])
    if len(cats) > 6:
        plt.setp(ax.get_xticklabels(), rotation=45, ha="right", rotation_mode="anchor")
    if goal is not None:
        handles.append(ax.axhline(goal, color=PALETTE["good"], linestyle="--", linewidth=1.2, label="goal"))
    handles.append(Patch(color=colours[0], alpha=0.15, label="95% interval"))
    if df["_small"].any():
        handles.append(Line2D([], [], marker="o", linestyle="none", color=_INK, markerfacecolor="none",
                              label="small base (read with care)"))
    if rows:
        handles.append(Line2D([], [], linestyle="none", label="small numbers along the bottom: answers"))
    if hue is None:
        handles = handles[1:]
    ax.legend(handles=handles, frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.set_xlabel("")
    ax.set_ylabel(ylabel or label(y))
    return ax


def _gap_axes(ax: Axes | Sequence[Axes] | None, n: int) -> list[Axes]:
    if ax is None:
        fig = plt.figure(figsize=(max(2.3 * n, 4.5), 3.6), layout="constrained")
        return list(np.atleast_1d(fig.subplots(1, n, squeeze=False)[0]))
    if isinstance(ax, Axes):
        fig, spec = ax.figure, ax.get_subplotspec()
        if spec is not None:
            grid = spec.subgridspec(1, n, wspace=0.55)
            ax.remove()
            return [fig.add_subplot(grid[0, i]) for i in range(n)]
        x0, y0, w, h = ax.get_position().bounds
        ax.remove()
        step = w / n
        return [fig.add_axes((x0 + i * step, y0, step * 0.7, h)) for i in range(n)]
    axes = list(np.ravel(ax))
    if len(axes) != n:
        raise ValueError(f"gap_plot draws one panel per metric: give {n} Axes, got {len(axes)}")
    return axes


def gap_plot(
    data: pd.DataFrame,
    *,
    metric: str = "metric",
    current: str = "current",
    goal: str = "goal",
    low: str = "ci_low",
    high: str = "ci_high",
    status: str = "status",
    lower_is_better: Sequence[str] = (),
    ax: Axes | Sequence[Axes] | None = None,
) -> np.ndarray:
    """Each metric against its goal, in its own small panel on its own scale.

    NPS runs from -100 to +100, CSAT is a percentage and CES a mean on 1-7: one shared
    axis would flatten two of them. Each panel shows the current value with its
    interval and the goal as a dashed line; the colour and marker give the status of
    :func:`cxkit.metrics.gap_analysis` (met, not met, within noise), explained in words
    in the legend.

    Parameters
    ----------
    data : :func:`cxkit.metrics.gap_analysis` output (``metric``, ``current``, ``goal``,
        ``gap_ci_low``/``gap_ci_high``, ``status``), optionally with the scorecard's
        ``ci_low``/``ci_high``; ``value`` is read when ``current`` is absent.
    lower_is_better : metrics where a lower value is better (as in
        :func:`cxkit.metrics.gap_analysis`); used only when ``data`` has no ``status``
        column and the status is worked out here by :func:`cxkit.metrics.goal_status`.
    ax : ``None`` (a new figure), one Axes (its area is split into panels) or one Axes
        per metric.

    Returns
    -------
    numpy array of Axes, one per metric, in the order of ``data``.

    Example
    -------
    >>> gaps = pd.DataFrame({"metric": ["NPS", "CES"], "current": [27.2, 5.3], "goal": [35.0, 5.5],
    ...                      "gap_ci_low": [5.3, 0.16], "gap_ci_high": [10.4, 0.24], "status": ["not met"] * 2})
    >>> [a.get_title() for a in gap_plot(gaps)]
    ['NPS', 'CES']
    """
    df = data.reset_index(drop=True)
    if current not in df and "value" in df:
        current = "value"
    _require(df, [metric, current, goal], "gap_plot")
    values, goals = df[current].to_numpy(float), df[goal].to_numpy(float)
    if low in df and high in df:
        lows, highs = df[low].to_numpy(float), df[high].to_numpy(float)
    elif "gap_ci_low" in df and "gap_ci_high" in df:       # gap = goal - current
        lows, highs = goals - df["gap_ci_high"].to_numpy(float), goals - df["gap_ci_low"].to_numpy(float)
    else:
        lows, highs = values, values
    lower = {str(m).lower() for m in lower_is_better}
    statuses = (df[status].astype(str).tolist() if status in df
                else [goal_status(v, lo, hi, g, lower_is_better=name.lower() in lower)
                      for name, v, lo, hi, g in zip(df[metric].astype(str), values, lows, highs, goals)])
    axes = _gap_axes(ax, len(df))
    for a, name, v, lo, hi, g, st in zip(axes, df[metric].astype(str), values, lows, highs, goals, statuses):
        colour, marker, _ = STATUS_STYLE.get(st, STATUS_STYLE["no data"])
        a.axhline(g, color=_INK, linestyle="--", linewidth=1.3)
        a.annotate(f"goal {g:g}", (1, g), xycoords=("axes fraction", "data"), xytext=(-2, 3),
                   textcoords="offset points", ha="right", va="bottom", fontsize=8, color=_INK)
        if np.isfinite(v):
            a.vlines(0, lo, hi, color=colour, linewidth=3, alpha=0.6)
            a.plot(0, v, marker=marker, color=colour, markersize=10, linestyle="none")
            a.annotate(f"{v:.1f}" if abs(v) >= 10 else f"{v:.2f}", (0, v), xytext=(10, 0),
                       textcoords="offset points", va="center", fontsize=9, color=colour, fontweight="bold")
            bottom, top = _padded_limits(np.array([lo, hi, g, v]), pad=0.35)
        else:
            a.text(0.5, 0.5, "no data", transform=a.transAxes, ha="center", va="center", color=_INK)
            bottom, top = _padded_limits(np.array([g]), pad=0.35)
        a.set_ylim(bottom, top)
        a.set_xlim(-1, 1.6)
        a.set_xticks([])
        a.set_title(name)
        a.set_ylabel(_METRIC_SCALES.get(name.upper(), name), fontsize=9)
        a.set_xlabel(st, color=colour, fontsize=9)
        a.grid(axis="x", visible=False)
    shown = [s for s in STATUS_STYLE if s in statuses]
    handles = [Line2D([], [], color=STATUS_STYLE[s][0], marker=STATUS_STYLE[s][1], linestyle="none",
                      markersize=8, label=STATUS_STYLE[s][2]) for s in shown]
    handles.append(Line2D([], [], color=_INK, linestyle="--", label="goal"))
    handles.append(Line2D([], [], color=_INK, linewidth=3, alpha=0.4, label="95% interval of the current value"))
    axes[-1].legend(handles=handles, frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1.0))
    return np.array(axes, dtype=object)


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
    ax = _axes(ax)
    _require(data, [x, y, value], "matrix_plot")
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
    ax = _axes(ax)
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
    ax.axvline(max(median, floor), color=_INK, linestyle="--", linewidth=1.2,
               label=f"median customer: {format_money(median, currency, decimals=0 if median >= 10 else 2)}")
    ax.legend(frameon=False, fontsize=9)
    title = "CLV" + (f" over the next {horizon_months} months" if horizon_months else "") + " (log scale)"
    below = int((v < floor).sum())
    if below:
        title += f"\n{below:,} customers under {format_money(floor, currency)} counted in the first bar"
    ax.set_xlabel(title)
    ax.set_ylabel("customers")
    return ax


def group_means_plot(
    data: pd.DataFrame,
    *,
    group: str = "group",
    value: str = "mean_clv",
    ci_low: str | None = "ci_low",
    ci_high: str | None = "ci_high",
    n: str | None = "customers",
    apart: Sequence[object] = (),
    on_scale: str | None = "on_scale",
    order: Sequence[object] | None = None,
    currency: str | None = None,
    ylabel: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Group means as bars with their 95% intervals and the number in each group.

    Groups are drawn in the order of ``data`` (or ``order``). Groups that are not points
    of the ordered scale, such as "no survey" next to dissatisfied / neutral /
    satisfied, are drawn apart, after a gap and a dotted divider and in a muted colour:
    those named in ``apart``, and rows whose ``on_scale`` column is false.

    Parameters
    ----------
    data : one row per group, e.g. :func:`cxkit.experience.value_by_experience` for one dimension.
    group, value, ci_low, ci_high, n : column names; ``ci_low=None`` draws no intervals,
        ``n=None`` no counts.
    currency : money ticks on the value axis (``"£"`` or ``"GBP"``).

    Example
    -------
    >>> df = pd.DataFrame({"group": ["dissatisfied (1-2)", "neutral (3)", "satisfied (4-5)", "no survey"],
    ...                    "mean_clv": [112.0, 85.0, 66.0, 74.0], "ci_low": [70.0, 75.0, 61.0, 69.0],
    ...                    "ci_high": [154.0, 95.0, 71.0, 79.0], "customers": [79, 608, 2067, 2246]})
    >>> ax = group_means_plot(df, apart=["no survey"], currency="£")
    >>> [t.get_text() for t in ax.get_xticklabels()][-1], [type(c).__name__ for c in ax.containers]
    ('no survey', ['BarContainer', 'ErrorbarContainer'])
    """
    ax = _axes(ax)
    _require(data, [group, value, ci_low, ci_high, n], "group_means_plot")
    df = data.reset_index(drop=True)
    if order is not None:
        names = df[group].tolist()
        unknown = [g for g in order if g not in names]
        if unknown:
            raise ValueError(f"order names groups not in the data: {unknown}; groups: {names}")
        df = df.set_index(group).loc[list(order)].reset_index()
    away = df[group].isin(list(apart)).to_numpy()
    if on_scale and on_scale in df:
        away |= ~df[on_scale].fillna(True).astype(bool).to_numpy()
    df = pd.concat([df[~away], df[away]], ignore_index=True)      # the scale first, then the rest
    k = int((~away).sum())
    pos = np.arange(len(df), dtype=float) + np.where(np.arange(len(df)) >= k, 0.8, 0.0)
    means = df[value].to_numpy(float)
    colours = [PALETTE["base"] if i < k else PALETTE["muted"] for i in range(len(df))]
    ax.bar(pos, means, color=colours, width=0.7)
    tops = means.copy()
    if ci_low is not None and ci_high is not None:
        lows, highs = df[ci_low].to_numpy(float), df[ci_high].to_numpy(float)
        err = np.vstack([means - lows, highs - means])
        ax.errorbar(pos, means, yerr=np.where(np.isfinite(err), err, 0), fmt="none", ecolor=_INK, capsize=4,
                    linewidth=1.2)
        tops = np.fmax(means, highs)
    if n is not None:
        for p, t, count in zip(pos, tops, df[n]):
            if pd.notna(count):
                ax.annotate(f"n = {int(count):,}", (p, t), xytext=(0, 3), textcoords="offset points",
                            ha="center", va="bottom", fontsize=8, color=_INK)
    if 0 < k < len(df):
        ax.axvline(k - 0.5 + 0.4, color=_INK, linestyle=":", linewidth=1)
    finite = tops[np.isfinite(tops)]
    if len(finite):
        ax.set_ylim(min(0.0, float(np.nanmin(means)) * 1.1), float(finite.max()) * 1.15)
    ax.set_xticks(pos, [textwrap.fill(str(g), 14) for g in df[group]])
    ax.tick_params(axis="x", labelsize=9)
    ax.grid(axis="x", visible=False)
    if currency:
        ax.yaxis.set_major_formatter(FuncFormatter(lambda t, _: format_money(t, currency)))
    ax.set_ylabel(ylabel or label(value) + (" (lines: 95% interval)" if ci_low is not None else ""))
    ax.set_xlabel("")
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
    _require(data, [y, x, low, high], "forest_plot")
    ax = _axes(ax)
    df = data.reset_index(drop=True)
    est, lo, hi = (df[c].to_numpy(float) for c in (x, low, high))
    if (est <= 0).any() or (lo <= 0).any():
        raise ValueError("forest_plot needs hazard ratios and interval bounds above 0 (a log axis)")
    pos = np.arange(len(df))[::-1]
    colours = np.where(lo > 1, PALETTE["alert"], np.where(hi < 1, PALETTE["good"], PALETTE["muted"]))
    ax.hlines(pos, lo, hi, colors=colours, linewidth=2.5)
    ax.scatter(est, pos, s=60, c=colours, zorder=3)
    ax.axvline(1.0, color=_INK, linestyle="--", linewidth=1)
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
    _require(data, ["group", "time", "survival", "ci_low", "ci_high", "at_risk"], "km_plot")
    ax = _axes(ax)
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
                    textcoords="offset points", ha="right", va="top", fontsize=8, color=_INK)
    return ax


def risk_histogram(probabilities: Sequence[float] | np.ndarray | pd.Series, *, horizon_days: int,
                   bins: int = 40, ax: Axes | None = None) -> Axes:
    """How churn risk is spread over active customers, with the average marked.

    Example
    -------
    >>> ax = risk_histogram([0.01, 0.02, 0.2], horizon_days=90)
    """
    ax = _axes(ax)
    p = np.asarray(probabilities, dtype=float) * 100
    ax.hist(p, bins=bins, color=PALETTE["base"])
    ax.axvline(p.mean(), color=PALETTE["alert"], linestyle="--")
    ax.set_xlabel(f"chance of leaving in the next {horizon_days} days (%; dashed: the average)")
    ax.set_ylabel("active customers")
    return ax


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
    _require(data, [y, x, low, high, hue], "driver_plot")
    ax = _axes(ax)
    groups = list(dict.fromkeys(data[hue])) if hue else [None]
    first = data[data[hue] == groups[0]] if hue else data
    order = list(first.sort_values(x, ascending=True, kind="mergesort")[y])
    order += sorted(set(data[y]) - set(order))
    pos = {d: i for i, d in enumerate(order)}
    colours = [PALETTE["alert"], PALETTE["base"], PALETTE["good"], PALETTE["muted"]]
    offsets = np.linspace(0.18, -0.18, len(groups)) if len(groups) > 1 else [0.0]
    for g, off, colour in zip(groups, offsets, colours * len(groups)):
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
    _require(data, [x, y, label, quadrant], "quadrant_plot")
    ax = _axes(ax)
    xs, ys = data[x].to_numpy(float), data[y].to_numpy(float)
    colours = [QUADRANT_COLOURS.get(q, _INK) for q in data[quadrant]]
    ax.scatter(xs, ys, s=70, c=colours, zorder=3)
    for xi, yi, text in zip(xs, ys, data[label].astype(str)):
        ax.annotate(text, (xi, yi), xytext=(6, 4), textcoords="offset points", fontsize=9, color=_INK)
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
