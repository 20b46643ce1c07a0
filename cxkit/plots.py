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
from matplotlib.ticker import FuncFormatter

from cxkit.display import format_money, format_p, label, time_unit_words
from cxkit.metrics.targets import goal_status

__all__ = ["PALETTE", "STATUS_STYLE", "format_p", "time_unit_words", "set_theme", "interval_plot", "trend_plot",
           "gap_plot", "group_means_plot", "axes_or_new", "require_plot_columns", "INK"]

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


def axes_or_new(ax: Axes | None) -> Axes:
    """The Axes to draw on: ``ax`` itself, or a new figure's when it is ``None`` (every chart takes ``ax=``)."""
    return ax if ax is not None else plt.figure().add_subplot()


def require_plot_columns(data: pd.DataFrame, columns: Sequence[str | None], what: str) -> None:
    """Stop with a message naming the chart, the columns it needs and those the data has (``None`` is skipped)."""
    missing = [c for c in columns if c is not None and c not in data.columns]
    if missing:
        raise ValueError(f"{what} needs the column(s) {missing}; the data has {list(map(str, data.columns))}")


#: The ink of reference lines and notes, for each theme's charts as for these.
INK = _INK
_axes, _require = axes_or_new, require_plot_columns     # the names the charts below use


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
    for p, v, c, s in zip(pos, df[x], colours, small, strict=True):
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
        for xp, v, lo_, hi_ in zip(xs[tiny], vals[tiny], lows[tiny], highs[tiny], strict=True):
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
            for xp, count in zip(xs, g[n], strict=True):
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
                      for name, v, lo, hi, g in zip(df[metric].astype(str), values, lows, highs, goals, strict=True)])
    axes = _gap_axes(ax, len(df))
    for a, name, v, lo, hi, g, st in zip(axes, df[metric].astype(str), values, lows, highs, goals, statuses,
                                         strict=True):
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
        for p, t, count in zip(pos, tops, df[n], strict=True):
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
