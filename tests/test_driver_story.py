"""The K-mart notebook's building blocks: sentences that follow their tests, charts, one segment against the rest."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from cxkit import DataError, narrative, plots
from cxkit.drivers import driver_groups, driver_sentences
from cxkit.value import focus_vs_rest

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


# --------------------------------------------------------------------------- the groups compared, in words

ANSWERS = pd.DataFrame({"customer_id": ["a", "b", "c", "d", "a"], "csat": [2, 5, 4, 3, 1],
                        "value_tier": ["Top 20%", "Rest (80%)", "Rest (80%)", None, "Top 20%"]})


def test_driver_groups_by_value_label_each_answer_and_name_the_top_spenders():
    rated, groups = driver_groups(ANSWERS, q=5, top=1)
    assert rated["segment"].tolist() == ["Top 20%", "everyone else", "everyone else", None, "Top 20%"]
    assert "segment" not in ANSWERS and rated["csat"].tolist() == ANSWERS["csat"].tolist()
    assert (groups.focus, groups.rest, groups.focus_words) == ("Top 20%", "everyone else", "the top 20% of spenders")
    assert (groups.top_tier, groups.spenders, groups.group_word) == ("Top 20%", "the top 20% of spenders", "group")
    assert groups.by_value and groups.segmented
    assert groups.in_words == {"Top 20%": "the top 20% of spenders", "everyone else": "everyone else"}
    deciles = driver_groups(ANSWERS.assign(value_tier=["Top 10%", "Rest (90%)"] * 2 + ["Top 10%"]))[1]
    assert (deciles.focus, deciles.group_word, deciles.spenders) == ("Top 10%", "decile", "the top 10% of spenders")


def test_driver_groups_by_a_customers_column_and_without_groups():
    plans = pd.DataFrame({"customer_id": ["a", "b", "c"], "plan": ["Club", "Club Plus", "Club"]})
    rated, groups = driver_groups(ANSWERS, plans, segment_by="plan", focus_segment="Club Plus")
    assert rated["segment"].tolist() == ["everyone else", "Club Plus", "everyone else", None, "everyone else"]
    assert (groups.focus, groups.focus_words, groups.by_value) == ("Club Plus", "Club Plus", False)
    assert driver_groups(ANSWERS, plans, segment_by="plan")[1].focus == "Club"    # first in sorted order
    with pytest.raises(DataError, match="not among the labels"):
        driver_groups(ANSWERS, plans, segment_by="plan", focus_segment="Gold")
    # no value tiers attached, no such column, or no grouping asked for: one analysis for everyone
    for rated, groups in (driver_groups(ANSWERS.drop(columns="value_tier"), plans),
                          driver_groups(ANSWERS, plans, segment_by="region"),
                          driver_groups(ANSWERS, segment_by=None)):
        assert "segment" not in rated and not groups.segmented and groups.focus is None
        assert groups.in_words == {} and groups.focus_words == "all customers"


def _by_segment():
    top = IMP.assign(segment="Top 20%")
    rest = IMP.assign(segment="everyone else", driver=["clarity", "accountability", "availability"])
    difference = pd.DataFrame({"driver": ["availability", "clarity"], "share_a": [0.44, 0.12],
                               "share_b": [0.12, 0.44], "difference": [0.32, -0.32],
                               "difference_low": [0.2, -0.45], "difference_high": [0.45, -0.2],
                               "excludes_zero": [True, True]})
    quadrants = pd.DataFrame({"segment": ["Top 20%"] * 2 + ["everyone else"] * 2,
                              "driver": ["availability", "clarity"] * 2, "importance": [0.3, 0.1, 0.1, 0.3],
                              "quadrant": ["Fix first", "Maintain", "Keep up", "Fix first"]})
    return pd.concat([top, rest], ignore_index=True), difference, quadrants


def test_driver_sentences_for_each_group_their_difference_and_where_to_act():
    _, groups = driver_groups(ANSWERS, q=5)
    by_segment, difference, quadrants = _by_segment()
    lines = driver_sentences(groups, IMP, by_segment, difference, quadrants, outcome="NPS", period="all answers")
    assert len(lines) == 5
    assert lines[0].startswith("For the top 20% of spenders (all answers), **availability** (44% of what the "
                               "drivers explain of NPS")
    assert lines[1].startswith("For everyone else (all answers), **clarity**")
    assert lines[2].startswith("**Availability** weighs more in the NPS of the top 20% of spenders than of "
                               "everyone else") and "**Clarity** weighs less" in lines[2]
    assert lines[3] == narrative.quadrant_sentence(quadrants.iloc[:2], who="the top 20% of spenders")
    assert "**availability**" in lines[3] and "**clarity**" in lines[4] and "clarity" not in lines[3]


def test_driver_sentences_without_groups_and_with_missing_tables():
    _, everyone = driver_groups(ANSWERS, segment_by=None)
    assert driver_sentences(everyone, IMP, period="all answers") == [
        narrative.driver_sentence(IMP, who="For all customers", period="all answers")]
    by_segment, difference, quadrants = _by_segment()
    with pytest.raises(ValueError, match="without a focus group"):
        driver_sentences(everyone, IMP, by_segment, difference, quadrants)
    with pytest.raises(ValueError, match="difference and quadrants"):
        driver_sentences(driver_groups(ANSWERS, q=5)[1], IMP, by_segment)
