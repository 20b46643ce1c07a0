"""The driver analysis as Finding records (cxkit.drivers.findings): the summary's sentences, each with its test."""
from __future__ import annotations

import pandas as pd
import pytest

from cxkit.drivers import driver_groups
from cxkit.drivers.findings import driver_findings
from cxkit.drivers.sentences import driver_sentences
from cxkit.findings import Finding

ANSWERS = pd.DataFrame({"customer_id": ["a", "b", "c"], "value_tier": ["Top 20%", "Rest (80%)", "Rest (80%)"]})
IMP = pd.DataFrame({"driver": ["availability", "accountability", "clarity"], "share": [0.44, 0.22, 0.12],
                    "share_low": [0.31, 0.15, 0.05], "share_high": [0.56, 0.33, 0.14]})


def _tables(clear=True):
    top = IMP.assign(segment="Top 20%", n=160)
    rest = IMP.assign(segment="everyone else", n=3400, driver=["clarity", "accountability", "availability"],
                      share_low=[0.31, 0.10, 0.05])                     # the rest's lead overlaps the third driver
    difference = pd.DataFrame({"driver": ["availability", "clarity", "accountability"], "share_a": [0.44, 0.12, 0.22],
                               "share_b": [0.12, 0.44, 0.22], "difference": [0.32, -0.32, 0.0],
                               "difference_low": [0.2, -0.45, -0.1], "difference_high": [0.45, -0.2, 0.1],
                               "excludes_zero": [clear, clear, False], "n_a": 160, "n_b": 3400})
    quadrants = pd.DataFrame({"segment": ["Top 20%"] * 2 + ["everyone else"] * 2,
                              "driver": ["availability", "clarity"] * 2, "importance": [0.3, 0.1, 0.1, 0.3],
                              "quadrant": ["Fix first", "Maintain", "Keep up", "Fix first"],
                              "n": [160] * 2 + [3400] * 2})
    return pd.concat([top, rest], ignore_index=True), difference, quadrants


def test_driver_findings_are_the_summarys_sentences_in_order():
    groups = driver_groups(ANSWERS, q=5)[1]
    by_segment, difference, quadrants = _tables()
    out = driver_findings(groups, IMP, by_segment, difference, quadrants, outcome="CSAT", period="all answers")
    assert all(isinstance(f, Finding) and f.theme == "drivers" for f in out)
    assert [f.sentence for f in out] == driver_sentences(groups, IMP, by_segment, difference, quadrants,
                                                         outcome="CSAT", period="all answers")
    assert [f.key for f in out] == ["drivers:Top 20%", "drivers:everyone else", "drivers:difference",
                                    "fix_first:Top 20%", "fix_first:everyone else"]
    assert {f.period for f in out} == {"all answers"}
    assert [f.base for f in out] == [{"answers": 160}, {"answers": 3400},
                                     {"answers, the top 20% of spenders": 160, "answers, everyone else": 3400},
                                     {"answers": 160}, {"answers": 3400}]


def test_a_lead_is_higher_only_when_the_intervals_separate():
    groups = driver_groups(ANSWERS, q=5)[1]
    by_segment, difference, quadrants = _tables()
    top, rest = driver_findings(groups, IMP, by_segment, difference, quadrants)[:2]
    assert top.direction == "higher" and "matter most" in top.sentence         # 15% > 14%: the intervals separate
    assert rest.direction == "no clear difference" and "not clearly more" in rest.sentence
    assert (top.estimate, top.low, top.high) == (0.44, 0.31, 0.56) and top.what.startswith("availability")
    assert rest.what.startswith("clarity")


@pytest.mark.parametrize("clear, direction, estimate", [(True, "higher", 32.0), (False, "no clear difference", None)])
def test_the_difference_is_the_largest_one_whose_interval_excludes_zero(clear, direction, estimate):
    groups = driver_groups(ANSWERS, q=5)[1]
    by_segment, difference, quadrants = _tables(clear)
    found = driver_findings(groups, IMP, by_segment, difference, quadrants)[2]
    assert found.direction == direction and found.estimate == pytest.approx(estimate)
    if clear:
        assert (found.low, found.high) == pytest.approx((20.0, 45.0)) and found.what.startswith("availability")
        lower = difference.assign(difference=[0.1, -0.32, 0.0], difference_low=[0.05, -0.45, -0.1],
                                  difference_high=[0.15, -0.2, 0.1])
        assert driver_findings(groups, IMP, by_segment, lower, quadrants)[2].direction == "lower"
    else:
        assert found.sentence.startswith("No driver weighs clearly more or less")


def test_without_groups_one_finding_and_an_interval_without_its_estimate_is_not_kept():
    everyone = driver_groups(ANSWERS, segment_by=None)[1]
    (f,) = driver_findings(everyone, IMP, n_answers=3566)
    assert (f.key, f.base, f.direction) == ("drivers:all", {"answers": 3566}, "higher")
    aside = driver_findings(everyone, IMP.assign(share_low=[0.45, 0.15, 0.05], share_high=[0.56, 0.33, 0.14]))[0]
    assert (aside.estimate, aside.low, aside.high) == (0.44, None, None) and aside.base == {}
    with pytest.raises(ValueError, match="without a focus group"):
        driver_findings(everyone, IMP, *_tables())
