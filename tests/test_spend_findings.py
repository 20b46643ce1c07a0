"""The value of dissatisfaction as Finding records (cxkit.spend.findings): each direction is its test's."""
from __future__ import annotations

import pandas as pd
import pytest

from cxkit.findings import Finding
from cxkit.narrative import difference_sentence, value_difference_sentence
from cxkit.spend.findings import (
    future_spend_finding,
    revenue_at_risk_finding,
    satisfaction_by_value_finding,
    spend_by_satisfaction_finding,
    spend_findings,
    weighted_metric_finding,
)
from cxkit.spend.sentences import future_spend_sentence, revenue_at_risk_sentence

TOP = {"value_a": 53.8, "value_b": 80.1, "n_a": 160, "n_b": 1473, "diff": -26.3, "ci_low": -35.0, "ci_high": -17.6,
       "p_value": 1e-9}
RISK = pd.DataFrame({
    "value_tier": ["Top 10%"] * 4 + ["Rest (90%)"] * 4,
    "satisfaction_level": ["dissatisfied (1-2)", "neutral (3)", "satisfied (4-5)", "no survey"] * 2,
    "customers": [10, 9, 20, 61, 100, 90, 500, 210],
    "revenue": [100.0, 50.0, 250.0, 600.0, 10.0, 10.0, 80.0, 900.0],
    "share_of_segment": [0.10, 0.05, 0.25, 0.60, 0.01, 0.01, 0.08, 0.90]})
SPEND = {"mean_a": 261.0, "mean_b": 117.0, "diff": 144.0, "ci_low": 19.0, "ci_high": 269.0, "p_value": 0.025,
         "median_a": 86.0, "median_b": 53.0, "p_median": 0.09, "n_a": 44, "n_b": 900, "top5_share_a": 0.56,
         "population": "active customers"}


def _models(low, high, estimate=None):
    out = pd.DataFrame({"model": ["as it stands", "adjusted for past spend", "within value deciles at the answer"],
                        "estimate": [-20.0, -10.0, (low + high) / 2 if estimate is None else estimate],
                        "ci_low": [-30.0, -15.0, low], "ci_high": [-10.0, -5.0, high], "p_value": [0.001, 0.01, 0.2],
                        "n_answers": 2670, "n_customers": 2400})
    out.attrs = {"as_of": pd.Timestamp("2025-12-31"), "method": "OLS, clustered by customer"}
    return out


@pytest.mark.parametrize("ci_low, ci_high, p, direction", [
    (-35.0, -17.6, 1e-9, "lower"),                   # the test finds the top tier less satisfied
    (17.6, 35.0, 1e-9, "higher"),
    (-35.0, 2.0, 0.08, "no clear difference"),       # the means differ; the test does not tell them apart
    (-35.0, -1.0, 0.20, "no clear difference"),      # an interval clear of zero is not enough without the p-value
])
def test_satisfaction_by_value_direction_is_the_tests(ci_low, ci_high, p, direction):
    row = {**TOP, "diff": (ci_low + ci_high) / 2, "ci_low": ci_low, "ci_high": ci_high, "p_value": p}
    f = satisfaction_by_value_finding(row, spenders="the top 10% of spenders", metric="CSAT", period="2025")
    assert f.direction == direction
    assert f.sentence == difference_sentence(row, subject="The top 10% of spenders", other="everyone else",
                                             measure="satisfied (CSAT)")
    assert (f.theme, f.key, f.unit, f.period, f.p_value) == ("spend", "satisfaction_by_value", "%", "2025", p)
    assert f.base == {"answers, top tier": 160, "answers, everyone else": 1473}
    assert (f.low, f.high) == (ci_low, ci_high) and "top-box" in f.test


def test_weighted_metric_finding_has_no_comparison():
    sc = pd.DataFrame({"weighting": ["per answer", "by annual spend"], "metric": ["CSAT"] * 2, "n": [3566] * 2,
                       "n_effective": [3566.0, 411.6], "value": [77.1, 66.8], "ci_low": [75.6, 62.0],
                       "ci_high": [78.5, 71.3]})
    f = weighted_metric_finding(sc, metric="CSAT", period="the 12 months to 31 Dec 2025")
    assert (f.estimate, f.low, f.high, f.direction, f.test) == (66.8, 62.0, 71.3, "none", None)
    assert f.base == {"answers": 3566, "effective answers": 412}
    assert "effective base 412 answers in the 12 months to 31 Dec 2025" in f.sentence


def test_revenue_at_risk_finding_sums_the_tier_at_risk():
    f = revenue_at_risk_finding(RISK, segment="Top 10%", who="the top 10%", period="2025", currency="$")
    assert f.sentence == revenue_at_risk_sentence(RISK, segment="Top 10%", who="the top 10%", period="2025",
                                                  currency="$")
    assert (f.estimate, f.currency, f.base, f.direction) == (150.0, "$", {"customers": 100}, "none")


@pytest.mark.parametrize("mean_p, mean_low, median_p, median_a, direction", [
    (0.025, 19.0, 0.09, 86.0, "no clear difference"),   # only the means differ: a few large customers
    (0.001, 19.0, 0.001, 86.0, "higher"),               # both tests agree: worth more
    (0.001, 19.0, 0.001, 20.0, "no clear difference"),  # both differ, pointing opposite ways
    (0.30, -19.0, 0.40, 86.0, "no clear difference"),
])
def test_spend_by_satisfaction_direction_needs_both_tests(mean_p, mean_low, median_p, median_a, direction):
    row = {**SPEND, "p_value": mean_p, "ci_low": mean_low, "p_median": median_p, "median_a": median_a}
    f = spend_by_satisfaction_finding(row, currency="£", period="2025")
    assert f.direction == direction
    assert f.sentence == value_difference_sentence(row, subject="Dissatisfied active customers",
                                                   other="satisfied ones", currency="£")
    assert (f.estimate, f.low, f.high, f.currency) == (144.0, mean_low, 269.0, "£")
    everyone = spend_by_satisfaction_finding({**row, "population": "all customers (cancellations not known)"})
    assert "issatisfied customers" in everyone.sentence and "active" not in everyone.sentence


@pytest.mark.parametrize("low, high, estimate, direction", [
    (-5.3, 3.8, -0.8, "no clear difference"),
    (-12.3, -1.0, -6.6, "lower"),
    (1.0, 9.0, 5.0, "higher"),
])
def test_future_spend_finding_follows_the_last_models_interval(low, high, estimate, direction):
    models = _models(low, high, estimate)
    f = future_spend_finding(models, months=6, currency="£", compared="customers alike")
    assert f.direction == direction and (f.estimate, f.low, f.high) == (estimate, low, high)
    assert f.sentence == future_spend_sentence(models.iloc[2], months=6, currency="£", compared="customers alike")
    assert f.base == {"answers": 2670, "customers": 2400} and f.test == "OLS, clustered by customer"
    assert f.period == "answers whose 6 following months had passed by 31 Dec 2025"


def test_spend_findings_keep_the_summarys_order_and_skip_what_was_not_computed():
    risk = RISK.copy()
    risk.attrs["population"] = "active customers"
    out = spend_findings(top_vs_rest=pd.DataFrame([TOP]), risk=risk, future=_models(-5.3, 3.8),
                         spenders="the top 10% of spenders", top_tier="Top 10%", metric="CSAT", rating="CSAT",
                         months_after=6, group_word="decile", period="the 12 months to 31 Dec 2025", currency="£")
    assert all(isinstance(f, Finding) for f in out)
    assert [f.key for f in out] == ["satisfaction_by_value", "revenue_at_risk", "future_spend"]
    assert [f.direction for f in out] == ["lower", "none", "no clear difference"]
    assert "the active customers in the top 10% of spenders" in out[1].sentence
    assert "comparing customers of the same value decile when they answered" in out[2].sentence
    risk.attrs["population"] = "all customers (cancellations not known)"
    assert "from the customers in the top" in spend_findings(risk=risk, spenders="the top 10% of spenders",
                                                             top_tier="Top 10%")[0].sentence
    assert spend_findings(top_vs_rest=pd.DataFrame([TOP]), spenders="x", top_tier="Top 10%") == []   # no metric
    assert spend_findings(spenders="x", top_tier="Top 10%") == []
