"""The churn-survival charts: hazard ratios on a log axis, retention curves with counts at risk, risk spread."""
from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from cxkit.survival import km_table
from cxkit.survival import plots as survival_plots


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_forest_plot_draws_ratios_on_a_log_axis_with_no_effect_at_one():
    hr = pd.DataFrame({"covariate": ["unresolved", "wait", "csat"], "hazard_ratio": [1.32, 1.11, 0.67],
                       "ci_low": [1.24, 0.98, 0.60], "ci_high": [1.41, 1.27, 0.74]})
    fig, ax0 = plt.subplots()
    ax = survival_plots.forest_plot(hr, ax=ax0)
    assert ax is ax0 and ax.get_xscale() == "log"
    lo, hi = ax.get_xlim()
    assert lo < 0.60 and hi > 1.41                                   # every interval fits
    top = max(ax.get_yticklabels(), key=lambda t: t.get_position()[1])
    assert top.get_text() == "unresolved"                           # first row drawn on top, as in a table
    assert any(list(line.get_xdata()) == [1.0, 1.0] for line in ax.get_lines())          # no-effect line
    with pytest.raises(ValueError, match="above 0"):
        survival_plots.forest_plot(hr.assign(ci_low=0.0))
    with pytest.raises(ValueError, match="hazard_ratio"):
        survival_plots.forest_plot(hr.drop(columns="hazard_ratio"))


def test_km_plot_draws_a_curve_per_group_with_counts_at_risk():
    st = pd.DataFrame({"tenure": [10, 20, 30, 40, 50, 60], "churned": [True, False, True, True, False, True],
                       "plan": list("aaabbb")})
    fig, ax0 = plt.subplots()
    ax = survival_plots.km_plot(km_table(st, "plan"), at_risk_times=[0, 25, 45], ax=ax0)
    assert ax is ax0 and len(ax.get_lines()) == 2
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b"]
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks == ["0\n3\n3", "25\n1\n3", "45\n0\n2"]      # customers followed at each time, per group


def test_risk_histogram_marks_the_average():
    ax = survival_plots.risk_histogram([0.01, 0.03, 0.2], horizon_days=90)
    assert ax.lines[0].get_xdata()[0] == pytest.approx(8.0) and "90 days" in ax.get_xlabel()


def test_survival_charts_draw_on_the_axes_given_and_print_nothing(capsys):
    hr = pd.DataFrame({"covariate": ["a"], "hazard_ratio": [1.3], "ci_low": [1.1], "ci_high": [1.5]})
    km = pd.DataFrame({"group": "all", "time": [0.0, 10.0], "survival": [1.0, 0.8], "ci_low": [1.0, 0.7],
                       "ci_high": [1.0, 0.9], "at_risk": [10, 8]})
    for draw in [lambda ax: survival_plots.forest_plot(hr, ax=ax), lambda ax: survival_plots.km_plot(km, ax=ax),
                 lambda ax: survival_plots.risk_histogram([0.1, 0.2], horizon_days=30, ax=ax)]:
        _, ax = plt.subplots()
        assert draw(ax) is ax
    assert capsys.readouterr() == ("", "")
    with pytest.raises(ValueError, match="km_plot needs the column"):
        survival_plots.km_plot(km.drop(columns="at_risk"))
