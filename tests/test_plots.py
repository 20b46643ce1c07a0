"""The shared charts (issue #7): own scales, honest small bases, words on the axes."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.container import ErrorbarContainer

from cxkit import plots


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _texts(ax: Axes) -> list[str]:
    found = [t.get_text() for t in ax.texts]
    legend = ax.get_legend()
    if legend is not None:
        found += [t.get_text() for t in legend.get_texts()]
    return found + [ax.get_xlabel(), ax.get_ylabel(), ax.get_title()]


def _gaps() -> pd.DataFrame:
    return pd.DataFrame({"metric": ["NPS", "CSAT", "CES"], "current": [-12.0, 77.3, 5.30], "goal": [10.0, 75.0, 5.3],
                         "gap": [22.0, -2.3, 0.0], "gap_ci_low": [15.0, -3.7, -0.04], "gap_ci_high": [29.0, -0.9, 0.04],
                         "status": ["not met", "met", "within noise"]})


def test_gap_plot_draws_one_panel_per_metric_on_its_own_scale():
    axes = plots.gap_plot(_gaps())
    assert len(axes) == 3 and all(isinstance(a, Axes) for a in axes)
    assert [a.get_title() for a in axes] == ["NPS", "CSAT", "CES"]
    limits = [a.get_ylim() for a in axes]
    nps, csat, ces = limits
    assert nps[0] < -19 and nps[1] > 10                  # NPS below zero, interval -19..-5 and goal 10 shown
    assert 70 < csat[0] < 75.0 and 78.7 < csat[1] < 85   # CSAT zoomed on its own interval and goal
    assert 5.0 < ces[0] < 5.26 and 5.34 < ces[1] < 5.6   # CES on a 1-7 mean's scale, not NPS's
    assert len({round(lo, 3) for lo, _ in limits}) == 3
    words = " ".join(t for a in axes for t in _texts(a))
    assert "% of goal" not in words
    for phrase in ["met: the whole interval reaches the goal", "not met: the whole interval falls short",
                   "within noise: the goal lies inside the interval", "goal"]:
        assert phrase in words


def test_gap_plot_colours_by_status():
    axes = plots.gap_plot(_gaps())
    colours = [a.lines[-1].get_color() for a in axes]
    assert colours == [plots.STATUS_STYLE[s][0] for s in ["not met", "met", "within noise"]]
    assert len(set(colours)) == 3


def test_gap_plot_status_honours_lower_is_better():
    # hours to resolve a complaint: lower is better, so 20h (18-22h) against a 24h goal is met
    resolve = pd.DataFrame({"metric": ["Time to resolve", "NPS"], "current": [20.0, 42.0], "goal": [24.0, 35.0],
                            "ci_low": [18.0, 38.0], "ci_high": [22.0, 46.0]})
    axes = plots.gap_plot(resolve, lower_is_better=["time to resolve"])
    assert [a.lines[-1].get_color() for a in axes] == [plots.STATUS_STYLE["met"][0]] * 2
    # read as higher-is-better, the same numbers would miss the goal
    axes = plots.gap_plot(resolve.iloc[:1])
    assert axes[0].lines[-1].get_color() == plots.STATUS_STYLE["not met"][0]


def test_gap_plot_reads_the_scorecard_interval_and_splits_a_given_axes():
    gaps = _gaps().drop(columns=["gap_ci_low", "gap_ci_high"]).assign(ci_low=[-20.0, 76.0, 5.26],
                                                                       ci_high=[-4.0, 78.7, 5.34])
    fig, (left, right) = plt.subplots(1, 2)
    axes = plots.gap_plot(gaps, ax=right)
    assert len(fig.axes) == 4 and left in fig.axes and right not in fig.axes
    assert axes[0].get_ylim()[0] < -20
    with pytest.raises(ValueError, match="one panel per metric: give 3 Axes, got 2"):
        plots.gap_plot(gaps, ax=[left, axes[0]])


def _trend() -> pd.DataFrame:
    return pd.DataFrame({"period": ["2024Q4", "2025Q1", "2025Q2", "2025Q3"], "n": [9, 318, 396, 458],
                         "value": [-80.0, 25.8, 25.8, 29.5], "ci_low": [-100.0, 17.1, 18.3, 22.4],
                         "ci_high": [-30.0, 34.0, 32.8, 36.2], "small_base": [True, False, False, False]})


def test_trend_plot_small_bases_do_not_set_the_scale_and_are_drawn_hollow():
    ax = plots.trend_plot(_trend(), goal=35)
    low, high = ax.get_ylim()
    assert 0 < low < 17.1 and 36.2 < high < 50          # from the reliable periods and the goal only
    hollow = [line for line in ax.lines if str(line.get_markerfacecolor()) == "none"]
    assert hollow and all(line.get_xdata()[0] == 0 for line in hollow)
    filled = [line for line in ax.lines if line.get_marker() == "o" and str(line.get_markerfacecolor()) != "none"]
    assert list(filled[0].get_xdata()) == [1, 2, 3]
    assert "-80" in [t.get_text() for t in ax.texts]      # the clipped value is written out
    inside = plots.trend_plot(_trend().assign(value=[27.0, 25.8, 25.8, 29.5]))
    marks = [line for line in inside.lines if line.get_marker() == "o" and list(line.get_xdata()) == [0]]
    assert len(marks) == 1 and str(marks[0].get_markerfacecolor()) == "none"


def test_trend_plot_prints_n_at_each_point_and_explains_the_marks():
    ax = plots.trend_plot(_trend(), goal=35)
    texts = [t.get_text() for t in ax.texts]
    assert all(n in texts for n in ["9", "318", "396", "458"])
    assert min(t.get_fontsize() for t in ax.texts) <= 8
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "goal" in legend and "small base (read with care)" in legend
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2024Q4", "2025Q1", "2025Q2", "2025Q3"]


def test_trend_plot_without_small_bases_still_fits_every_interval():
    ax = plots.trend_plot(_trend().iloc[1:], n=None)
    assert ax.get_ylim()[0] <= 17.1 and ax.get_ylim()[1] >= 36.2
    assert not ax.texts


@pytest.mark.parametrize("unit,words", [("D", "days"), ("W", "weeks"), ("M", "months"), ("w", "weeks")])
def test_time_units_in_words(unit, words):
    assert plots.time_unit_words(unit) == words


def _by_satisfaction() -> pd.DataFrame:
    return pd.DataFrame({"group": ["dissatisfied (1-2)", "neutral (3)", "no survey", "satisfied (4-5)"],
                         "on_scale": [True, True, False, True], "customers": [79, 608, 2246, 2067],
                         "mean_clv": [112.3, 85.2, 73.6, 66.2], "ci_low": [60.0, 70.0, 68.0, 62.0],
                         "ci_high": [165.0, 100.0, 79.0, 71.0]})


def test_group_means_plot_draws_intervals_and_counts():
    ax = plots.group_means_plot(_by_satisfaction())
    bars = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
    assert len(bars) == 1
    segments = bars[0].lines[2][0].get_segments()
    assert [tuple(np.round(s[:, 1], 1)) for s in segments][0] == (60.0, 165.0)
    assert {"n = 79", "n = 608", "n = 2,067", "n = 2,246"} <= {t.get_text() for t in ax.texts}
    assert ax.get_ylim()[1] > 165


def test_group_means_plot_sets_groups_off_the_scale_apart():
    ax = plots.group_means_plot(_by_satisfaction())
    labels = [t.get_text().replace("\n", " ") for t in ax.get_xticklabels()]
    assert labels == ["dissatisfied (1-2)", "neutral (3)", "satisfied (4-5)", "no survey"]   # order kept, apart last
    pos = ax.get_xticks()
    assert pos[3] - pos[2] > pos[1] - pos[0] + 0.5                                        # a gap before it
    dividers = [line for line in ax.lines if line.get_linestyle() == ":"]
    assert len(dividers) == 1 and pos[2] < dividers[0].get_xdata()[0] < pos[3]
    ordered = plots.group_means_plot(_by_satisfaction(), on_scale=None, ci_low=None, ci_high=None,
                                     order=["satisfied (4-5)", "neutral (3)", "dissatisfied (1-2)", "no survey"])
    assert [t.get_text().split("\n")[0] for t in ordered.get_xticklabels()] == ["satisfied", "neutral (3)",
                                                                                "dissatisfied", "no survey"]
    assert not [c for c in ordered.containers if isinstance(c, ErrorbarContainer)]
    with pytest.raises(ValueError, match="needs the column"):
        plots.group_means_plot(_by_satisfaction().drop(columns="ci_low"))


def test_every_chart_takes_ax_returns_it_and_prints_nothing(capsys):
    df = pd.DataFrame({"g": ["a", "b"], "value": [1.0, 2.0], "ci_low": [0.5, 1.5], "ci_high": [1.5, 2.5],
                       "small_base": [False, True], "n": [40, 12]})
    for draw in [lambda ax: plots.interval_plot(df, y="g", ax=ax),
                 lambda ax: plots.trend_plot(df.rename(columns={"g": "period"}), ax=ax),
                 lambda ax: plots.group_means_plot(df, group="g", value="value", n="n", on_scale=None, ax=ax)]:
        _, ax = plt.subplots()
        assert draw(ax) is ax
    assert capsys.readouterr() == ("", "")


def test_interval_plot_scale_is_not_set_by_a_small_base():
    df = pd.DataFrame({"g": ["a", "b", "tiny"], "value": [50.0, 55.0, 60.0], "ci_low": [45.0, 50.0, 0.0],
                       "ci_high": [55.0, 60.0, 100.0], "small_base": [False, False, True]})
    lo, hi = plots.interval_plot(df, y="g").get_xlim()
    assert 40 < lo < 45 and 60 < hi < 65          # the tiny group's 0-100 interval does not stretch the axis
    plt.close("all")
