"""The churn model of a report in one call: the columns chosen, the right fit, the base, the kinds, the trap."""
from __future__ import annotations

import pandas as pd
import pytest

from cxkit import survival
from cxkit.survival import ChurnModel, fit_churn_model, same_effect_three_ways
from cxkit.synth import TRUTH


@pytest.fixture(scope="module")
def tables(cx):
    static = survival.static_covariates(cx.customers)
    rules = {"as_of": cx.as_of, "static": static}
    return {
        "static": static,
        "members": survival.survival_table(cx.customers, **rules),
        "episodes": survival.episode_table(cx.customers, cx.contacts, cx.surveys, **rules),
        "lifetime": survival.lifetime_counts(cx.customers, cx.contacts, cx.surveys, **rules),
        "landmark": survival.landmark_table(cx.customers, cx.contacts, cx.surveys, landmark_days=180, **rules),
    }


@pytest.fixture(scope="module")
def model(tables) -> ChurnModel:
    return fit_churn_model(tables["members"], tables["episodes"], static=tables["static"])


def test_episodes_give_the_time_varying_model_of_counts_answers_and_traits(model, tables):
    static, episodes = tables["static"], tables["episodes"]
    assert model.time_varying and model.event_col == "event" and model.table is episodes
    assert model.columns == ["cum_bad_contacts", "latest_csat", "has_csat", *static.columns]
    assert model.counts == ("cum_bad_contacts",) and model.answers == ("latest_csat", "has_csat")
    assert model.left_out.empty and list(model.left_out.columns) == ["column", "reason"]
    assert (model.rows, model.customers, model.departures) == (len(episodes), 5000, 1328)
    # the same estimates as fitting by hand
    by_hand = survival.hazard_ratios(survival.fit_time_varying(episodes, model.columns))
    pd.testing.assert_frame_equal(model.hazard_ratios.drop(columns="meaning"), by_hand)
    assert model.hazard_ratios["meaning"].iloc[0] == "Each bad contact (unresolved or a long wait)"
    assert model.subjects["cum_bad_contacts"] == "Each bad contact (unresolved or a long wait)"
    assert set(model.words) >= {*model.columns, "cum_unresolved", "cum_long_wait"}


def test_the_kinds_are_counted_apart_in_a_second_model(model):
    kinds = model.by_kind.set_index("covariate")
    assert list(kinds.index) == ["cum_unresolved", "cum_long_wait"]
    assert kinds.loc["cum_unresolved", "ci_low"] < TRUTH["hr_unresolved_contact"] < kinds.loc["cum_unresolved",
                                                                                              "ci_high"]
    assert kinds.loc["cum_long_wait", "ci_low"] < 1 < kinds.loc["cum_long_wait", "ci_high"]      # the planted null
    assert kinds.loc["cum_long_wait", "meaning"] == model.words["cum_long_wait"]


def test_a_customers_table_alone_gets_the_cox_model_of_its_traits(tables):
    model = fit_churn_model(tables["members"], static=tables["static"])
    assert not model.time_varying and model.event_col == "churned" and model.by_kind is None
    assert model.counts == () and model.answers == () and model.columns == tables["static"].columns
    assert model.rows == model.customers == 5000 and model.departures == 1328
    assert type(model.fitter).__name__ == "CoxPHFitter"


def test_a_column_the_data_cannot_support_is_left_out_with_its_reason(tables):
    members = tables["members"].assign(same=1)
    static = tables["static"]
    static = static._replace(design=static.design.assign(same=1))
    model = fit_churn_model(members, static=static)
    assert "same" not in model.columns and model.fitter is not None
    assert model.left_out["column"].tolist() == ["same"] and "one value only" in model.left_out["reason"].iloc[0]


def test_nothing_to_model_gives_no_model_and_says_so():
    c = pd.DataFrame({"customer_id": list("abcd"), "tenure_days": [10, 20, 30, 40], "churned": [True, False] * 2})
    model = fit_churn_model(survival.survival_table(c, as_of=None))
    assert model.fitter is None and model.hazard_ratios is None and model.columns == []
    assert model.by_kind is None and model.left_out.empty and model.departures == 2
    static = survival.static_covariates(c.assign(plan=list("abab"))[["customer_id", "plan"]], min_level_size=1)
    none_left = fit_churn_model(survival.survival_table(c.assign(churned=False), as_of=None, static=static),
                                static=static)
    assert none_left.fitter is None and "no customer has left" in none_left.left_out["reason"].iloc[0]


def test_the_same_effect_three_ways_shows_the_trap(model, tables):
    ways = same_effect_three_ways(tables["lifetime"], model, tables["landmark"],
                                  labels={"time-varying": "time-varying (section 3)"})
    assert ways["model"].tolist() == ["lifetime counts (naive)", "time-varying (section 3)",
                                      "customers still there on day 180, followed after it"]
    assert list(ways.columns) == ["model", "covariate", "hazard_ratio", "ci_low", "ci_high", "p_value"]
    assert (ways["covariate"] == "cum_bad_contacts").all()
    assert ways["hazard_ratio"].iloc[0] < 1 < ways["ci_low"].iloc[1] and ways["ci_low"].iloc[2] > 1
    right = model.hazard_ratios.set_index("covariate").loc["cum_bad_contacts"]
    assert ways["hazard_ratio"].iloc[1] == right["hazard_ratio"]
    # without a landmark, two ways; without the count in the model, none
    assert len(same_effect_three_ways(tables["lifetime"], model)) == 2
    traits_only = fit_churn_model(tables["members"], static=tables["static"])
    assert same_effect_three_ways(tables["lifetime"], traits_only, tables["landmark"]) is None
