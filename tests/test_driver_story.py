"""Who a driver analysis compares: one segment against the rest, and the groups named for the report.

The sentences are tested in test_driver_sentences.py and test_spend_sentences.py, the charts in
test_driver_plots.py, the findings in test_driver_findings.py and test_spend_findings.py.
"""
from __future__ import annotations

import pandas as pd
import pytest

from cxkit import DataError
from cxkit.drivers import driver_groups
from cxkit.value import focus_vs_rest


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
