"""Board sentences follow the numbers they describe."""
from __future__ import annotations

import pandas as pd

from cxkit import metrics
from cxkit.narrative import as_bullets, difference_sentence, scorecard_sentences


def test_scorecard_sentences_carry_goal_status():
    surveys = pd.DataFrame({"nps": [10] * 6 + [3] * 4, "csat": [5] * 9 + [1]})
    sc = metrics.cx_scorecard(surveys)
    gaps = metrics.gap_analysis(sc, {"NPS": 90, "CSAT": 50})
    lines = scorecard_sentences(sc, gaps)
    assert lines[0].startswith("NPS is **+20**") and "short of the goal" in lines[0]
    assert lines[1].startswith("**90%** of customers are satisfied") and "goal met" in lines[1]


def test_difference_wording_follows_the_test():
    lower = {"value_a": 50.0, "value_b": 80.0, "diff": -30.0, "p_value": 0.0001}
    higher = {"value_a": 80.0, "value_b": 50.0, "diff": 30.0, "p_value": 0.02}
    noise = {"value_a": 78.0, "value_b": 80.0, "diff": -2.0, "p_value": 0.4}
    kw = dict(subject="Top spenders", other="the rest", measure="satisfied")
    assert "**less** satisfied" in difference_sentence(lower, **kw) and "p < 0.001" in difference_sentence(lower, **kw)
    assert "**more** satisfied" in difference_sentence(higher, **kw) and "p = 0.020" in difference_sentence(higher, **kw)
    assert "within the noise" in difference_sentence(noise, **kw)
    assert as_bullets(["a", "", "b"]) == "- a\n- b"
