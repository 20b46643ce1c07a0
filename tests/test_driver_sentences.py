"""What drives satisfaction for whom, in words (cxkit.drivers.sentences): each claim follows its test."""
from __future__ import annotations

import pandas as pd
import pytest

from cxkit.drivers import KeyDrivers, driver_groups
from cxkit.drivers.sentences import (
    driver_difference_sentence,
    driver_sentence,
    driver_sentences,
    fit_sentence,
    quadrant_sentence,
)

IMP = pd.DataFrame({"driver": ["availability", "accountability", "clarity"], "share": [0.44, 0.22, 0.12],
                    "share_low": [0.31, 0.15, 0.05], "share_high": [0.56, 0.33, 0.14]})
ANSWERS = pd.DataFrame({"customer_id": ["a", "b", "c", "d", "a"], "csat": [2, 5, 4, 3, 1],
                        "value_tier": ["Top 20%", "Rest (80%)", "Rest (80%)", None, "Top 20%"]})


def test_driver_sentence_claims_a_lead_only_when_intervals_separate():
    clear = driver_sentence(IMP, who="For the top 10%", period="all answers")
    assert "matter most" in clear and "not clearly" not in clear and "(all answers)" in clear
    overlapping = driver_sentence(IMP.assign(share_low=[0.31, 0.10, 0.05]), who="For the top 10%")
    assert "not clearly more than **clarity**" in overlapping and "matter most" not in overlapping
    one = driver_sentence(IMP.assign(share_low=[0.35, 0.15, 0.05]), who="For all", k=1)
    assert "**availability**" in one and "accountability" not in one and "matters most" in one
    assert driver_sentence(IMP.iloc[::-1], who="x").index("availability") < \
        driver_sentence(IMP.iloc[::-1], who="x").index("accountability")


def test_driver_difference_sentence_names_only_differences_that_exclude_zero():
    d = pd.DataFrame({"driver": ["availability", "reliability", "clarity"], "share_a": [0.44, 0.11, 0.08],
                      "share_b": [0.18, 0.13, 0.2], "difference": [0.26, -0.02, -0.12],
                      "difference_low": [0.13, -0.09, -0.18], "difference_high": [0.38, 0.06, -0.03],
                      "excludes_zero": [True, False, True]})
    text = driver_difference_sentence(d, a="the top 10%", b="everyone else", period="all answers")
    assert "**Availability** weighs more" in text and "**Clarity** weighs less" in text
    assert "eliability" not in text and "all answers" in text
    none = driver_difference_sentence(d.assign(excludes_zero=False), a="a", b="b")
    assert none.startswith("No driver weighs clearly") and "includes zero" in none
    top1 = driver_difference_sentence(d, a="a", b="b", most=1)
    assert "Clarity" not in top1


def test_quadrant_sentence_and_escaping():
    q = pd.DataFrame({"driver": ["<b>speed</b>", "clarity"], "quadrant": ["Fix first", "Keep up"],
                      "importance": [0.3, 0.2]})
    text = quadrant_sentence(q, who="the <i>top</i>")
    assert "<b>" not in text and "<i>" not in text and "Fix first for" in text
    none = quadrant_sentence(q.assign(quadrant="Keep up"), who="everyone")
    assert "no driver is both" in none


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
    assert lines[3] == quadrant_sentence(quadrants.iloc[:2], who="the top 20% of spenders")
    assert "**availability**" in lines[3] and "**clarity**" in lines[4] and "clarity" not in lines[3]


def test_driver_sentences_without_groups_and_with_missing_tables():
    _, everyone = driver_groups(ANSWERS, segment_by=None)
    assert driver_sentences(everyone, IMP, period="all answers") == [
        driver_sentence(IMP, who="For all customers", period="all answers")]
    by_segment, difference, quadrants = _by_segment()
    with pytest.raises(ValueError, match="without a focus group"):
        driver_sentences(everyone, IMP, by_segment, difference, quadrants)
    with pytest.raises(ValueError, match="difference and quadrants"):
        driver_sentences(driver_groups(ANSWERS, q=5)[1], IMP, by_segment)


def test_fit_sentence_names_the_drivers_r2_and_answers_escaped():
    df = pd.DataFrame({"<b>a</b>": [1, 2, 3, 4, 5, 1, 2], "b": [2, 1, 4, 3, 5, 5, 1], "csat": [1, 2, 4, 4, 5, 3, 2]})
    model = KeyDrivers(n_boot=0).fit(df, drivers=["<b>a</b>", "b"])
    text = fit_sentence(model, outcome="CSAT")
    assert text.startswith("The drivers (&lt;b&gt;a&lt;/b&gt;, b) explain R² = ") and "<b>" not in text
    assert f"R² = {model.r2_:.2f} of CSAT over 7 answers." in text
