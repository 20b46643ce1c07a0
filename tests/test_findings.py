"""The Finding record: every headline result with its interval, base, period and test."""
from __future__ import annotations

import warnings

import pytest

from cxkit.errors import StatisticalWarning
from cxkit.findings import DIRECTIONS, Finding, findings_frame, held_interval, sentences
from cxkit.narrative import as_bullets


def _finding(**changes):
    fields = dict(theme="metrics", key="nps", what="NPS", sentence="NPS is 31.", estimate=31.0, low=27.5,
                  high=34.4, unit="points", period="the 12 months to 31 Dec 2025", base={"answers": 2890})
    return Finding(**{**fields, **changes})


@pytest.mark.parametrize("changes, match", [
    ({"low": 40.0, "high": 30.0}, "reversed"),
    ({"estimate": 50.0}, "outside its interval"),
    ({"direction": "better"}, "not one of"),
    ({"p_value": 1.5}, "between 0 and 1"),
    ({"sentence": "  "}, "sentence is empty"),
    ({"estimate": "high"}, "must be a number"),
])
def test_a_finding_that_cannot_be_true_is_refused(changes, match):
    with pytest.raises(ValueError, match=match):
        _finding(**changes)


def test_a_finding_reads_as_its_sentence_and_missing_numbers_are_none():
    f = _finding(estimate=float("nan"), low=None, high=None)
    assert str(f) == "NPS is 31." and f.estimate is None
    assert as_bullets([f, None, "A plain line."]) == "- NPS is 31.\n- A plain line."
    assert sentences([f, None]) == ["NPS is 31."]
    assert set(DIRECTIONS) >= {"higher", "lower", "no clear difference", "met", "short", "none"}


def test_findings_frame_is_one_row_per_finding_with_the_base_spread_out():
    frame = findings_frame([_finding(), _finding(key="csat", what="CSAT", base={"answers": 10, "customers": 9})])
    assert frame["key"].tolist() == ["nps", "csat"]
    assert frame.loc[1, "base_customers"] == 9 and frame.loc[0, "base_answers"] == 2890
    assert findings_frame([]).columns.tolist()[:4] == ["theme", "key", "what", "sentence"]


def test_an_interval_that_misses_its_estimate_is_dropped_with_a_statistical_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert held_interval("x", 1.0, 0.5, 2.0) == (0.5, 2.0)
        assert held_interval("x", 1.0, None, 2.0) == (None, None)       # no interval: nothing to warn about
    with pytest.warns(StatisticalWarning, match="total CLV: the interval 2 to 3 does not hold the estimate 1"):
        assert held_interval("total CLV", 1.0, 2.0, 3.0) == (None, None)
