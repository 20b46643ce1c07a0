"""The K-mart notebook's building blocks: sentences that follow their tests, charts, one segment against the rest."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from cxkit import DataError, narrative, plots
from cxkit.drivers import focus_vs_rest

IMP = pd.DataFrame({"driver": ["availability", "accountability", "clarity"], "share": [0.44, 0.22, 0.12],
                    "share_low": [0.31, 0.15, 0.05], "share_high": [0.56, 0.33, 0.14]})


def test_driver_sentence_claims_a_lead_only_when_intervals_separate():
    clear = narrative.driver_sentence(IMP, who="For the top 10%", period="all answers")
    assert "matter most" in clear and "not clearly" not in clear and "(all answers)" in clear
    overlapping = narrative.driver_sentence(IMP.assign(share_low=[0.31, 0.10, 0.05]), who="For the top 10%")
    assert "not clearly more than **clarity**" in overlapping and "matter most" not in overlapping
    one = narrative.driver_sentence(IMP.assign(share_low=[0.35, 0.15, 0.05]), who="For all", k=1)
    assert "**availability**" in one and "accountability" not in one and "matters most" in one
    assert narrative.driver_sentence(IMP.iloc[::-1], who="x").index("availability") < \
        narrative.driver_sentence(IMP.iloc[::-1], who="x").index("accountability")


def test_driver_difference_sentence_names_only_differences_that_exclude_zero():
    d = pd.DataFrame({"driver": ["availability", "reliability", "clarity"], "share_a": [0.44, 0.11, 0.08],
                      "share_b": [0.18, 0.13, 0.2], "difference": [0.26, -0.02, -0.12],
                      "difference_low": [0.13, -0.09, -0.18], "difference_high": [0.38, 0.06, -0.03],
                      "excludes_zero": [True, False, True]})
    text = narrative.driver_difference_sentence(d, a="the top 10%", b="everyone else", period="all answers")
    assert "**Availability** weighs more" in text and "**Clarity** weighs less" in text
    assert "eliability" not in text and "all answers" in text
    none = narrative.driver_difference_sentence(d.assign(excludes_zero=False), a="a", b="b")
    assert none.startswith("No driver weighs clearly") and "includes zero" in none
    top1 = narrative.driver_difference_sentence(d, a="a", b="b", most=1)
    assert "Clarity" not in top1


def test_revenue_at_risk_sentence_sums_the_segment_only():
    risk = pd.DataFrame({
        "value_tier": ["Top 10%"] * 4 + ["Rest (90%)"] * 4,
        "satisfaction_level": ["dissatisfied (1-2)", "neutral (3)", "satisfied (4-5)", "no survey"] * 2,
        "revenue": [100.0, 50.0, 250.0, 600.0, 10.0, 10.0, 80.0, 900.0],
        "share_of_segment": [0.10, 0.05, 0.25, 0.60, 0.01, 0.01, 0.08, 0.90]})
    text = narrative.revenue_at_risk_sentence(risk, segment="Top 10%", who="the top 10%", currency="$")
    assert "150" in text and "**15%**" in text and "60% came from customers who gave none" in text
    assert "&#36;150" in text  # money cannot open a formula
    with pytest.raises(ValueError, match="no rows for segment"):
        narrative.revenue_at_risk_sentence(risk, segment="Top 5%", who="x")


@pytest.mark.parametrize("low, high, words", [(-5.3, 3.8, "**No evidence**"), (2.0, 9.0, "**more**"),
                                              (-9.0, -2.0, "**less**")])
def test_future_spend_sentence_follows_the_interval(low, high, words):
    row = {"estimate": (low + high) / 2, "ci_low": low, "ci_high": high, "n_answers": 100}
    assert words in narrative.future_spend_sentence(row, months=6, currency="£")


def test_quadrant_sentence_and_escaping():
    q = pd.DataFrame({"driver": ["<b>speed</b>", "clarity"], "quadrant": ["Fix first", "Keep up"],
                      "importance": [0.3, 0.2]})
    text = narrative.quadrant_sentence(q, who="the <i>top</i>")
    assert "<b>" not in text and "<i>" not in text and "Fix first for" in text
    none = narrative.quadrant_sentence(q.assign(quadrant="Keep up"), who="everyone")
    assert "no driver is both" in none


def test_focus_vs_rest():
    s = pd.Series(["Club", "Club Plus", None, "Club"], name="plan")
    out = focus_vs_rest(s, "Club Plus")
    assert out.tolist() == ["everyone else", "Club Plus", None, "everyone else"]
    assert focus_vs_rest(s).tolist()[0] == "Club"  # first in sorted order by default
    with pytest.raises(DataError, match="not among the labels"):
        focus_vs_rest(s, "Gold")
    with pytest.raises(DataError, match="only one segment"):
        focus_vs_rest(pd.Series(["a", "a"], name="plan"), "a")
    with pytest.raises(DataError, match="every value is missing"):
        focus_vs_rest(pd.Series([None, None], name="plan"))


def test_driver_plot_orders_by_the_first_segment_and_draws_intervals():
    d = pd.DataFrame({"segment": ["top"] * 3 + ["rest"] * 3, "driver": ["a", "b", "c"] * 2,
                      "share": [0.5, 0.3, 0.2, 0.2, 0.3, 0.5], "share_low": [0.4, 0.2, 0.1, 0.1, 0.2, 0.4],
                      "share_high": [0.6, 0.4, 0.3, 0.3, 0.4, 0.6]})
    ax = plots.driver_plot(d)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["c", "b", "a"]  # largest share of "top" on top
    assert len(ax.collections) == 2 and ax.get_legend() is not None
    segs = np.concatenate([c.get_segments() for c in ax.collections])
    assert sorted(float(s[0][0]) for s in segs) == sorted(d["share_low"])
    plt.close("all")


def test_quadrant_plot_colours_by_quadrant_and_starts_at_zero():
    d = pd.DataFrame({"driver": ["a", "b", "c", "d"], "performance": [3.0, 4.0, 3.1, 4.2],
                      "importance": [0.4, 0.3, 0.1, 0.2],
                      "quadrant": ["Fix first", "Keep up", "Lower priority", "Maintain"]})
    ax = plots.quadrant_plot(d)
    colours = ax.collections[0].get_facecolors()
    assert len({tuple(c) for c in colours}) == 4
    assert ax.get_ylim()[0] == 0
    assert {t.get_text() for t in ax.texts} >= {"Fix first", "Keep up", "Maintain", "Lower priority"}
    with pytest.raises(ValueError, match="needs the column"):
        plots.quadrant_plot(d.drop(columns="quadrant"))
    plt.close("all")
