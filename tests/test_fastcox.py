"""TimeVaryingCox gives lifelines' CoxTimeVaryingFitter estimates (Efron ties, Breslow baseline)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from lifelines import CoxTimeVaryingFitter
from lifelines.datasets import load_stanford_heart_transplants

from cxkit import DataError, FitError, survival
from cxkit.data import load_folder
from cxkit.survival import TimeVaryingCox, fit_time_varying

COLS = ["cum_unresolved", "cum_long_wait", "latest_csat", "has_csat"]


@pytest.fixture(scope="module")
def episodes() -> pd.DataFrame:
    cx = load_folder("data/sample")
    ep = survival.episode_table(cx.customers, cx.contacts, cx.surveys, as_of=cx.as_of)
    return ep[["customer_id", "start", "stop", "event", *COLS]]


@pytest.fixture(scope="module")
def both(episodes):
    theirs = CoxTimeVaryingFitter().fit(episodes, id_col="customer_id", event_col="event",
                                        start_col="start", stop_col="stop")
    ours = TimeVaryingCox().fit(episodes, "event", id_col="customer_id")
    return ours, theirs


def test_sample_matches_lifelines_to_1e6(both):
    ours, theirs = both
    assert np.abs(ours.params_ - theirs.params_).max() < 1e-6
    assert np.abs(ours.standard_errors_ - theirs.standard_errors_).max() < 1e-6
    assert ours.log_likelihood_ == pytest.approx(theirs.log_likelihood_, abs=1e-6)
    assert np.abs(ours.variance_matrix_.to_numpy() - theirs.variance_matrix_.to_numpy()).max() < 1e-8


def test_sample_baseline_and_predictions_match_lifelines(both, episodes):
    ours, theirs = both
    h_ours, h_theirs = ours.baseline_cumulative_hazard_.iloc[:, 0], theirs.baseline_cumulative_hazard_.iloc[:, 0]
    assert h_ours.index.equals(h_theirs.index)
    np.testing.assert_allclose(h_ours.to_numpy(), h_theirs.to_numpy(), rtol=1e-7)
    rows = episodes.head(500)
    np.testing.assert_allclose(ours.predict_partial_hazard(rows), theirs.predict_partial_hazard(rows), rtol=1e-7)
    pd.testing.assert_frame_equal(survival.hazard_ratios(ours), survival.hazard_ratios(theirs), rtol=1e-6)


def test_churn_risk_and_attributable_share_agree_across_engines(both):
    ours, theirs = both
    cx = load_folder("data/sample")
    active = survival.active_customers(cx.customers, cx.contacts, cx.surveys, as_of=cx.as_of)
    r_ours, r_theirs = survival.churn_risk(ours, active), survival.churn_risk(theirs, active)
    np.testing.assert_allclose(r_ours["churn_probability"], r_theirs["churn_probability"], rtol=1e-6)
    a = survival.attributable_churn(ours, active, n_boot=50, random_state=1)
    b = survival.attributable_churn(theirs, active, n_boot=50, random_state=1)
    pd.testing.assert_frame_equal(a, b, rtol=1e-6)


def test_published_stanford_transplant_estimates():
    # lifelines' documentation and R's coxph(Surv(start, stop, event) ~ age + year + surgery + transplant):
    # coef age 0.0272, year -0.1463, surgery -0.6372, transplant -0.0103 (Efron)
    d = load_stanford_heart_transplants()
    m = TimeVaryingCox().fit(d, "event", id_col="id", columns=["age", "year", "surgery", "transplant"])
    np.testing.assert_allclose(m.params_.to_numpy(), [0.0272, -0.1463, -0.6372, -0.0103], atol=5e-4)
    theirs = CoxTimeVaryingFitter().fit(d, "event", id_col="id")
    np.testing.assert_allclose(m.params_, theirs.params_[m.params_.index], atol=1e-6)
    np.testing.assert_allclose(m.standard_errors_, theirs.standard_errors_[m.params_.index], atol=1e-6)


def test_heavy_ties_and_weights_match_lifelines():
    rng = np.random.default_rng(3)
    n = 3000
    start = rng.integers(0, 20, n)
    stop = start + rng.integers(1, 10, n)  # whole days: many tied churn days
    d = pd.DataFrame({"id": np.arange(n), "start": start, "stop": stop,
                      "event": rng.random(n) < 0.4, "x": rng.normal(size=n), "z": rng.integers(0, 3, n),
                      "w": rng.integers(1, 4, n).astype(float)})
    ours = TimeVaryingCox().fit(d, "event", id_col="id", columns=["x", "z"])
    theirs = CoxTimeVaryingFitter().fit(d.drop(columns="w"), "event", id_col="id")
    np.testing.assert_allclose(ours.params_, theirs.params_, atol=1e-6)
    np.testing.assert_allclose(ours.standard_errors_, theirs.standard_errors_, atol=1e-6)
    ours_w = TimeVaryingCox().fit(d, "event", weights_col="w", id_col="id", columns=["x", "z"])
    theirs_w = CoxTimeVaryingFitter().fit(d, "event", weights_col="w", id_col="id")
    np.testing.assert_allclose(ours_w.params_, theirs_w.params_, atol=1e-6)


def test_recovers_a_planted_hazard_ratio():
    # exponential lifetimes, hazard 0.01 before each customer's switch day and 0.015 after it (HR 1.5)
    rng = np.random.default_rng(7)
    n = 20000
    switch = rng.uniform(1, 150, n)
    first = rng.exponential(100, n)
    life = np.where(first < switch, first, switch + rng.exponential(100 / 1.5, n))
    end = np.minimum(life, 200)
    before = pd.DataFrame({"start": 0.0, "stop": np.minimum(end, switch), "event": life <= np.minimum(switch, 200),
                           "x": 0})
    later = end > switch
    after = pd.DataFrame({"start": switch[later], "stop": end[later], "event": life[later] <= 200, "x": 1})
    m = TimeVaryingCox().fit(pd.concat([before, after], ignore_index=True), "event", columns=["x"])
    low, high = m.summary.loc["x", ["exp(coef) lower 95%", "exp(coef) upper 95%"]]
    assert low < 1.5 < high
    assert high / low < 1.25  # informative, not a wide interval that contains anything


def test_covariate_that_is_the_same_for_everyone_at_each_time_is_a_fit_error():
    # x switches on day 30 for every customer: it is time itself, which the baseline hazard absorbs
    d = pd.DataFrame({"start": [0.0] * 50 + [30.0] * 50, "stop": [30.0] * 50 + list(range(31, 81)),
                      "event": [i % 7 == 0 for i in range(100)], "x": [0] * 50 + [1] * 50})
    with pytest.raises(FitError):
        TimeVaryingCox().fit(d, "event", columns=["x"])


def test_auto_engine_choice(episodes, monkeypatch):
    small = fit_time_varying(episodes, COLS)
    assert isinstance(small, CoxTimeVaryingFitter)
    monkeypatch.setattr("cxkit.survival.fastcox.LIFELINES_MAX_EPISODES", 1000)
    assert isinstance(fit_time_varying(episodes, COLS), TimeVaryingCox)
    assert isinstance(fit_time_varying(episodes, COLS, engine="cxkit"), TimeVaryingCox)
    with pytest.raises(DataError, match="engine must be"):
        fit_time_varying(episodes, COLS, engine="spark")


@pytest.mark.parametrize("change, message", [
    (lambda d: d.assign(stop=d["start"]), "end after it starts"),
    (lambda d: d.assign(event=False), "no episode ends in a churn"),
    (lambda d: d.assign(cum_unresolved=np.where(d.index == 3, np.nan, d["cum_unresolved"])), "without gaps"),
    (lambda d: d.assign(cum_unresolved="many"), "without gaps"),
    (lambda d: d.drop(columns="latest_csat"), "latest_csat"),
])
def test_bad_episodes_are_named(episodes, change, message):
    with pytest.raises(DataError, match=message):
        TimeVaryingCox().fit(change(episodes.copy()), "event", id_col="customer_id", columns=COLS)


def test_copied_column_is_a_fit_error(episodes):
    d = episodes.assign(copy=episodes["cum_unresolved"])
    with pytest.raises(FitError, match="same information"):
        TimeVaryingCox().fit(d, "event", id_col="customer_id", columns=[*COLS, "copy"])


def test_separating_column_is_a_fit_error():
    d = pd.DataFrame({"start": 0, "stop": np.arange(1, 41), "event": np.r_[np.ones(20), np.zeros(20)].astype(bool),
                      "x": np.r_[np.ones(20), np.zeros(20)]})
    with pytest.raises(FitError, match="'x' separates leavers"):
        TimeVaryingCox().fit(d, "event", columns=["x"])
