"""The churn summary as findings: the sentences in order, each with its estimate, interval, base and test."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxkit import survival
from cxkit.errors import StatisticalWarning
from cxkit.findings import findings_frame
from cxkit.narrative import as_bullets
from cxkit.survival import findings as survival_findings
from cxkit.survival import sentences as survival_sentences
from cxkit.survival.churn_model import fit_churn_model, same_effect_three_ways

PERIOD = "memberships from 1 Jan 2023 to 31 Dec 2025"


@pytest.fixture(scope="module")
def churn(cx):
    static = survival.static_covariates(cx.customers)
    rules = {"as_of": cx.as_of, "static": static}
    members = survival.survival_table(cx.customers, **rules)
    episodes = survival.episode_table(cx.customers, cx.contacts, cx.surveys, **rules)
    model = fit_churn_model(members, episodes, static=static)
    trap = same_effect_three_ways(survival.lifetime_counts(cx.customers, cx.contacts, cx.surveys, **rules), model,
                                  survival.landmark_table(cx.customers, cx.contacts, cx.surveys, **rules))
    active = survival.active_customers(cx.customers, cx.contacts, cx.surveys, **rules)
    risk = survival.churn_risk(model.fitter, active, horizon=90)
    return {"model": model, "trap": trap, "risk": risk, "most_at_risk": risk.nlargest(15, "churn_probability"),
            "ph_test": survival.proportional_hazards_test(model.fitter, model.table),
            "attributable": survival.attributable_churn(model.fitter, active, horizon=90,
                                                        exposures="cum_bad_contacts", n_boot=200, random_state=0)}


def test_hazard_findings_carry_the_estimate_interval_base_and_test(churn):
    model = churn["model"]
    found = survival_findings.hazard_findings(model, period=PERIOD)
    assert list(found) == model.hazard_ratios["covariate"].tolist()
    bad = found["cum_bad_contacts"]
    row = model.hazard_ratios.set_index("covariate").loc["cum_bad_contacts"]
    assert (bad.theme, bad.key, bad.test, bad.period) == ("survival", "hazard:cum_bad_contacts",
                                                          "Cox model, Wald test", PERIOD)
    assert (bad.estimate, bad.low, bad.high, bad.p_value) == (row["hazard_ratio"], row["ci_low"], row["ci_high"],
                                                              row["p_value"])
    assert bad.direction == "higher" and bad.base == {"customers": 5000, "departures": 1328}
    assert bad.sentence == survival_sentences.hazard_sentence(row, what=model.subjects["cum_bad_contacts"])
    assert found["latest_csat"].direction == "lower" and "association" in found["latest_csat"].sentence
    assert found["has_csat"].direction == "no clear difference"
    frame = findings_frame(found.values())
    assert (frame["base_customers"] == 5000).all() and frame["unit"].nunique() == 1


def test_the_summary_keeps_todays_sentences_in_todays_order(churn):
    model = churn["model"]
    summary = survival_findings.churn_findings(model, group="plan", period=PERIOD, ph_test=churn["ph_test"],
                                               trap=churn["trap"], attributable=churn["attributable"],
                                               risk=churn["risk"], most_at_risk=churn["most_at_risk"],
                                               horizon_days=90, risk_list_where="section 5")
    plan = [c for c in model.columns if c.startswith("plan")]
    assert [f.key for f in summary.effects] == ["hazard:cum_bad_contacts", "hazard_by_kind",
                                               "immortal_time:cum_bad_contacts", *[f"hazard:{c}" for c in plan],
                                               "hazard:latest_csat"]
    assert [f.key for f in summary.outlook] == ["attributable_churn", "risk_list"]
    assert len(summary) == len(list(summary)) == len(summary.effects) + len(summary.outlook)
    text = as_bullets(summary.effects)
    assert text.startswith("- Each bad contact &#40;unresolved or a long wait&#41; raises the day-to-day risk of "
                           "leaving by **29%** (95% interval 23% to 37%).\n- By kind, in a second model:\n"
                           "  - Each contact not resolved at first contact raises the day-to-day risk of leaving "
                           "by **32%** (95% interval 24% to 41%).\n  - Each contact with a long wait: **no clear "
                           "evidence either way**")
    assert "\n- Counted over a whole membership, bad contacts look *protective*" in text
    assert as_bullets(summary.outlook).endswith("chance of leaving in the next 90 days (average member 4.3%). The "
                                                "list is in section 5.")
    trap = summary.effects[2]
    assert trap.estimate == churn["trap"]["hazard_ratio"].iloc[1] and trap.direction == "higher"
    assert all(f.theme == "survival" for f in summary)


def test_only_headline_effects_that_drift_are_added_in_plain_words(churn):
    model = churn["model"]
    ph_test = churn["ph_test"].assign(p_value=np.where(churn["ph_test"]["covariate"].isin(
        ["latest_csat", "has_csat"]), 0.001, 0.5), hr_early=0.5, hr_late=0.9)
    summary = survival_findings.churn_findings(model, ph_test=ph_test)
    drift = summary.effects[-1]
    assert drift.key == "ph:latest_csat" and "has_csat" not in " ".join(f.key for f in summary.effects)
    assert drift.p_value == 0.001 and drift.test.startswith("proportional-hazards test")
    assert drift.sentence.startswith("Each point of the latest CSAT answer &#40;1-5&#41;: the effect **fades with "
                                     "tenure**: it multiplies the day-to-day risk of leaving by 0.50")


def test_a_customers_table_alone_leads_with_every_clear_trait():
    rng = np.random.default_rng(1)
    n = 600
    premium, region = rng.random(n) < 0.4, rng.choice(["north", "south"], n)
    tenure = np.ceil(rng.exponential(400 / np.where(premium, 0.4, 1.0))).astype(int)
    customers = pd.DataFrame({"customer_id": [f"c{i}" for i in range(n)], "tenure_days": np.minimum(tenure, 900),
                              "churned": tenure < 900, "plan": np.where(premium, "premium", "basic"),
                              "region": region})
    static = survival.static_covariates(customers)
    model = fit_churn_model(survival.survival_table(customers, as_of=None, static=static), static=static)
    headline = survival_findings.headline_covariates(model)
    assert headline == ["plan_premium"]                        # the clear trait; the region's interval spans 1
    summary = survival_findings.churn_findings(model, coverage_note="Survey answers end early.")
    assert [f.key for f in summary.effects] == ["hazard:plan_premium"]
    assert summary.effects[0].direction == "lower" and summary.outlook[0].key == "coverage"
    assert survival_findings.churn_findings(fit_churn_model(survival.survival_table(customers, as_of=None))) \
        .effects == ()


def test_other_results_become_findings_with_their_tests():
    holdout = pd.DataFrame({"churn_probability": [0.2, 0.1, 0.4], "left": [True, False, True]})
    holdout.attrs["concordance"] = 0.61
    days = pd.DataFrame({"group_a": ["Plus"], "group_b": ["Club"], "horizon": [365.0], "rmst_a": [340.0],
                         "rmst_b": [330.0], "difference": [10.0], "ci_low": [4.0], "ci_high": [16.0],
                         "p_value": [0.001]})
    odd = pd.DataFrame([{"customers": 100, "expected_churners": 10.0, "attributable_churners": 2.0,
                         "attributable_share": 0.2, "ci_low": 0.21, "ci_high": 0.4}])
    model = fit_churn_model(pd.DataFrame({"customer_id": ["a", "b"], "tenure": [1.0, 2.0], "churned": [True, False]}))
    with pytest.warns(StatisticalWarning, match="share of churn owed to bad contacts"):
        summary = survival_findings.churn_findings(model, holdout=holdout, days_difference=days, attributable=odd,
                                                   horizon_days=30)
    share, check, longer = summary.outlook
    assert share.estimate == 0.2 and share.low is None and share.high is None and share.direction == "higher"
    assert check.estimate == 0.61 and check.base == {"customers": 3, "departures": 2}
    assert check.sentence.startswith("Checked on the last 30 days, the risk score ranked leavers above stayers 61%")
    assert longer.direction == "higher" and (longer.low, longer.high, longer.unit) == (4.0, 16.0, "days")
    assert longer.sentence == survival_sentences.rmst_sentence(days.iloc[0])
