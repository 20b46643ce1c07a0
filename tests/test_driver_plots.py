"""The driver charts (cxkit.drivers.plots): the first group's order, intervals, quadrant colours."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from cxkit.drivers.plots import driver_plot, group_driver_plot, quadrant_plot


def test_driver_plot_orders_by_the_first_segment_and_draws_intervals():
    d = pd.DataFrame({"segment": ["top"] * 3 + ["rest"] * 3, "driver": ["a", "b", "c"] * 2,
                      "share": [0.5, 0.3, 0.2, 0.2, 0.3, 0.5], "share_low": [0.4, 0.2, 0.1, 0.1, 0.2, 0.4],
                      "share_high": [0.6, 0.4, 0.3, 0.3, 0.4, 0.6]})
    ax = driver_plot(d)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["c", "b", "a"]  # largest share of "top" on top
    assert len(ax.collections) == 2 and ax.get_legend() is not None
    segs = np.concatenate([c.get_segments() for c in ax.collections])
    assert sorted(float(s[0][0]) for s in segs) == sorted(d["share_low"])
    plt.close("all")


def test_quadrant_plot_colours_by_quadrant_and_starts_at_zero():
    d = pd.DataFrame({"driver": ["a", "b", "c", "d"], "performance": [3.0, 4.0, 3.1, 4.2],
                      "importance": [0.4, 0.3, 0.1, 0.2],
                      "quadrant": ["Fix first", "Keep up", "Lower priority", "Maintain"]})
    ax = quadrant_plot(d)
    colours = ax.collections[0].get_facecolors()
    assert len({tuple(c) for c in colours}) == 4
    assert ax.get_ylim()[0] == 0
    assert {t.get_text() for t in ax.texts} >= {"Fix first", "Keep up", "Maintain", "Lower priority"}
    with pytest.raises(ValueError, match="needs the column"):
        quadrant_plot(d.drop(columns="quadrant"))
    plt.close("all")


def test_group_driver_plot_puts_the_focus_group_first_or_shows_everyone():
    by_segment = pd.DataFrame({"segment": ["rest"] * 2 + ["top"] * 2, "driver": ["a", "b"] * 2,
                               "share": [0.2, 0.8, 0.7, 0.3], "share_low": [0.1, 0.7, 0.6, 0.2],
                               "share_high": [0.3, 0.9, 0.8, 0.4]})
    ax = group_driver_plot(by_segment, by_segment, focus="top")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["b", "a"]            # "top": a leads, so a on top
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["top", "rest"]
    everyone = group_driver_plot(by_segment[by_segment["segment"] == "rest"].drop(columns="segment"))
    assert [t.get_text() for t in everyone.get_yticklabels()] == ["a", "b"] and everyone.get_legend() is None
    plt.close("all")
