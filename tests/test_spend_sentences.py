"""The value of dissatisfaction in words (cxkit.spend.sentences): revenue at risk, spend afterwards, who left."""
from __future__ import annotations

import pandas as pd
import pytest

from conftest import value_and_satisfaction
from cxkit.spend import revenue_at_risk, spend_by_satisfaction
from cxkit.spend.sentences import cancelled_sentence, future_spend_sentence, revenue_at_risk_sentence


def test_revenue_at_risk_sentence_sums_the_segment_only():
    risk = pd.DataFrame({
        "value_tier": ["Top 10%"] * 4 + ["Rest (90%)"] * 4,
        "satisfaction_level": ["dissatisfied (1-2)", "neutral (3)", "satisfied (4-5)", "no survey"] * 2,
        "revenue": [100.0, 50.0, 250.0, 600.0, 10.0, 10.0, 80.0, 900.0],
        "share_of_segment": [0.10, 0.05, 0.25, 0.60, 0.01, 0.01, 0.08, 0.90]})
    text = revenue_at_risk_sentence(risk, segment="Top 10%", who="the top 10%", currency="$")
    assert "150" in text and "**15%**" in text and "60% came from customers who gave none" in text
    assert "&#36;150" in text  # money cannot open a formula
    with pytest.raises(ValueError, match="no rows for segment"):
        revenue_at_risk_sentence(risk, segment="Top 5%", who="x")


@pytest.mark.parametrize("low, high, words", [(-5.3, 3.8, "**No evidence**"), (2.0, 9.0, "**more**"),
                                              (-9.0, -2.0, "**less**")])
def test_future_spend_sentence_follows_the_interval(low, high, words):
    row = {"estimate": (low + high) / 2, "ci_low": low, "ci_high": high, "n_answers": 100}
    assert words in future_spend_sentence(row, months=6, currency="£")


def test_cancelled_sentence_says_who_was_left_out_and_what_they_spent():
    value, satisfaction = value_and_satisfaction()
    value["active"] = [True, True, True, False, False, True]          # d and e had left: 700 of spend
    risk = revenue_at_risk(value, satisfaction, level="csat_mean")
    assert cancelled_sentence(risk, currency="£") == (
        "Left out: 2 customers who had left by the analysis date, who spent £700 in the period.")
    assert "&#36;700" in cancelled_sentence(risk, currency="$")      # money cannot open a formula
    assert "spent 700 in" in cancelled_sentence(spend_by_satisfaction(value, satisfaction, level="csat_mean",
                                                                      n_boot=100))
    everyone = revenue_at_risk(value, satisfaction, level="csat_mean", population="all")
    assert cancelled_sentence(everyone) == (
        "Every customer is counted, the 2 who had left by the analysis date among them.")
    stayed = revenue_at_risk(value.assign(active=True), satisfaction, level="csat_mean")
    assert cancelled_sentence(stayed) == "No customer had left by the analysis date."
    unknown = revenue_at_risk(value.drop(columns="active"), satisfaction, level="csat_mean")
    assert cancelled_sentence(unknown).startswith("Who has left is not known")
    with pytest.raises(ValueError, match="revenue_at_risk or spend_by_satisfaction"):
        cancelled_sentence(value)
