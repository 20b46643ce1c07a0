"""The CLV theme's charts: words on the axes, colour-blind-safe maps, money ticks, and the house manners."""
from __future__ import annotations

import subprocess
import sys

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from cxkit import clv
from cxkit.clv import plots as clv_plots
from cxkit.plots import COLOUR_BLIND_SAFE, PALETTE


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_matrix_plot_is_colour_blind_safe_and_worded():
    grid = pd.DataFrame({"frequency": [0, 1, 1, 2, 2], "recency": [0.0, 0.0, 10.0, 0.0, 10.0],
                         "p_alive": [1.0, 0.2, 0.6, 0.1, 0.7]})
    ax = clv_plots.matrix_plot(grid, time_unit="W")
    assert ax.collections[0].get_cmap().name in COLOUR_BLIND_SAFE
    assert ax.get_xlabel() == "weeks between first and last purchase"
    assert ax.get_ylabel() == "repeat purchases"
    assert ax.figure.axes[-1].get_ylabel() == "chance still active"         # the colour bar
    assert all(t.get_rotation() == 0 for t in ax.get_xticklabels())
    named = clv_plots.matrix_plot(grid, xlabel="time since last purchase", ylabel="purchases", time_unit="D")
    assert (named.get_xlabel(), named.get_ylabel()) == ("time since last purchase", "purchases")
    assert "W" not in clv_plots.matrix_plot(grid, time_unit="W").get_xlabel().split()



def test_clv_histogram_is_log_scaled_with_money_ticks():
    values = np.array([0.0, 0.5, 3, 12, 40, 90, 250, 800, 2500])
    ax = clv_plots.clv_histogram(values, currency="£", horizon_months=12)
    assert ax.get_xscale() == "log"
    assert sum(p.get_height() for p in ax.patches) == len(values)          # nobody dropped
    ax.figure.canvas.draw()
    ticks = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert "£10" in ticks and "£1,000" in ticks
    assert "next 12 months" in ax.get_xlabel() and "2 customers under £1" in ax.get_xlabel()
    plain = clv_plots.clv_histogram(values)
    plain.figure.canvas.draw()
    assert "1,000" in [t.get_text() for t in plain.get_xticklabels()]



def test_every_clv_chart_takes_ax_returns_it_and_prints_nothing(capsys):
    grid = pd.DataFrame({"frequency": [0, 1], "recency": [0.0, 5.0], "p_alive": [1.0, 0.5]})
    holdout = pd.DataFrame({"frequency_cal": [0, 1, 2], "actual": [0.2, 0.9, 1.7], "predicted": [0.25, 0.8, 1.6]})
    profile = pd.DataFrame({"segment": ["Champions", "At Risk"], "share": [0.2, 0.8], "clv_share": [0.7, 0.3]})
    for draw in [lambda ax: clv_plots.matrix_plot(grid, ax=ax),
                 lambda ax: clv_plots.clv_histogram([1, 10, 100], ax=ax),
                 lambda ax: clv_plots.holdout_plot(holdout, ax=ax),
                 lambda ax: clv_plots.lorenz_plot(clv.lorenz_curve([1.0, 2.0, 7.0]), ax=ax),
                 lambda ax: clv_plots.share_plot(profile, ax=ax)]:
        _, ax = plt.subplots()
        assert draw(ax) is ax
    assert capsys.readouterr() == ("", "")


def test_holdout_lorenz_and_share_plots_are_worded():
    holdout = pd.DataFrame({"frequency_cal": [0, 1], "actual": [0.2, 0.9], "predicted": [0.25, 0.8]})
    ax = clv_plots.holdout_plot(holdout)
    assert ax.get_xlabel() == "repeat purchases in the calibration period"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["actual", "predicted"]
    lorenz = clv_plots.lorenz_plot(clv.lorenz_curve(np.array([0.0, 1.0, 1.0, 8.0])))
    assert lorenz.get_xlabel() == "% of customers, from least to most valuable"
    assert lorenz.lines[0].get_color() == PALETTE["base"] and list(lorenz.lines[1].get_xdata()) == [0, 100]
    profile = pd.DataFrame({"segment": ["Champions", "At Risk"], "share": [0.2, 0.8], "clv_share": [0.7, 0.3]})
    bars = clv_plots.share_plot(profile)
    assert [t.get_text() for t in bars.get_legend().get_texts()] == ["% of customers", "% of value"]
    assert sorted(round(p.get_width()) for p in bars.patches if p.get_width()) == [20, 30, 70, 80]


def test_importing_the_clv_theme_needs_no_matplotlib():
    code = "import sys, cxkit.clv; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
