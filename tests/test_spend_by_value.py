"""Satisfaction by value and the spend comparisons the K-mart notebook makes in one call each (cxkit.spend)."""
from __future__ import annotations

import pandas as pd
import pytest

from cxkit import DataError, metrics, spend
from cxkit.experience import compare_value_by_experience


def test_top_tier_comparison_is_the_top_tier_against_every_other_answer():
    answers = pd.DataFrame({"csat": [2, 1, 3, 5, 4, 5, 4], "value_tier": ["Top 50%"] * 3 + ["Rest (50%)"] * 3 + [None]})
    out = spend.top_tier_comparison(answers, "csat", top_tier="Top 50%")
    by_hand = metrics.compare(answers.assign(top=[True] * 3 + [False] * 4), "csat", by="top", a=True)
    pd.testing.assert_frame_equal(out, by_hand)
    assert out[["n_a", "n_b"]].values.tolist() == [[3, 4]]          # no tier: counted with everyone else
    with pytest.raises(DataError, match="value_tier"):
        spend.top_tier_comparison(answers.drop(columns="value_tier"), "csat", top_tier="Top 50%")


def test_spend_weighted_scorecard_per_answer_then_by_spend():
    answers = pd.DataFrame({"csat": [5, 4, 2, 1], "nps": [10, 9, 3, 0], "annual_spend": [10.0, 10.0, 50.0, 30.0]})
    out = spend.spend_weighted_scorecard(answers)
    assert out["weighting"].tolist() == ["per answer"] * 2 + ["by annual spend"] * 2
    weighted = out[out["weighting"] == "by annual spend"].set_index("metric")
    assert weighted.loc["CSAT", "value"] == pytest.approx(20.0)      # (10 + 10) of 100 spent by the satisfied
    assert weighted.loc["CSAT", "n_effective"] < 4


def test_compare_spend_by_satisfaction_among_active_customers_or_none():
    value = pd.DataFrame({"customer_id": list("abcdefg"), "period_spend": [90.0, 70.0, 60.0, 20.0, 10.0, 15.0, 500.0],
                          "active": [True, True, True, True, True, None, False]})
    satisfaction = pd.DataFrame({"customer_id": list("abcdefg"), "csat_mean": [1.0, 2.0, 1.5, 4.0, 5.0, 4.5, 1.0]})
    out = spend.compare_spend_by_satisfaction(value, satisfaction)
    values = value.set_index("customer_id")
    by_hand = compare_value_by_experience(values, satisfaction, value_col="period_spend",
                                          cancelled=values["active"].eq(False))
    pd.testing.assert_frame_equal(out, by_hand)
    assert out[["n_a", "n_b", "population"]].values.tolist() == [[3, 3, "active customers"]]   # g had left
    assert spend.compare_spend_by_satisfaction(value, satisfaction, min_customers=4) is None
    everyone = spend.compare_spend_by_satisfaction(value.drop(columns="active"), satisfaction)
    assert everyone["n_a"].iloc[0] == 4


def test_future_spend_models_are_the_three_regressions_rating_rows(cx):
    options = dict(as_of=cx.as_of, rating="csat", months_after=6)
    out = spend.future_spend_models(cx.surveys, cx.transactions, value_q=10, **options)
    assert out["model"].tolist() == ["as it stands", "adjusted for past spend", "within value deciles at the answer"]
    fits = [spend.future_spend_regression(cx.surveys, cx.transactions, adjust_for_past=False, **options),
            spend.future_spend_regression(cx.surveys, cx.transactions, **options),
            spend.future_spend_regression(cx.surveys, cx.transactions, past_deciles=10, **options)]
    by_hand = pd.concat([f.head(1) for f in fits], ignore_index=True)
    pd.testing.assert_frame_equal(out.drop(columns="model"), by_hand)
    assert out.attrs["adjusted_for"] == fits[-1].attrs["adjusted_for"]
    groups = spend.future_spend_models(cx.surveys, cx.transactions, value_q=5, **options)
    assert groups["model"].iloc[-1] == "within value groups at the answer"
