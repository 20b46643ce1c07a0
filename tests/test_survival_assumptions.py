"""The proportional-hazards test on time-varying models: lifelines' numbers, planted drifts found."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from lifelines import CoxPHFitter, CoxTimeVaryingFitter
from lifelines.datasets import load_rossi
from lifelines.statistics import proportional_hazard_test
from scipy import stats

from cxkit import DataError
from cxkit.survival import (
    TimeVaryingCox,
    episode_table,
    fit_time_varying,
    lifetime_counts,
    proportional_hazards_test,
    schoenfeld_residuals,
    static_covariates,
)
from cxkit.survival.sentences import ph_sentence

pytestmark = pytest.mark.filterwarnings("error")


def average_rank(durations, events, weights):
    """lifelines' "rank" transform with tied churn times sharing their average rank."""
    out = np.zeros(len(durations))
    ev = np.asarray(events, dtype=bool)
    out[ev] = stats.rankdata(np.asarray(durations)[ev], method="average")
    return pd.Series(out, index=durations.index)


def _lifelines(model: CoxPHFitter, data: pd.DataFrame, transform) -> pd.Series:
    return proportional_hazard_test(model, data, time_transform=transform).summary["test_statistic"]


def _one_episode_each(data: pd.DataFrame, duration: str, event: str) -> pd.DataFrame:
    return data.assign(customer_id=np.arange(len(data)), start=0.0, stop=data[duration].astype(float),
                       event=data[event].astype(bool)).drop(columns=[duration, event])


# --------------------------------------------------------------------------- lifelines' numbers


@pytest.fixture(scope="module")
def rossi():
    r = load_rossi()
    return r, CoxPHFitter().fit(r, "week", "arrest")


def test_cox_model_matches_lifelines_with_ties_at_their_average_rank(rossi):
    r, model = rossi
    ours = proportional_hazards_test(model, r).set_index("covariate")
    theirs = _lifelines(model, r, average_rank)
    np.testing.assert_allclose(ours["test_statistic"], theirs.reindex(ours.index), rtol=1e-10)
    assert ours["events"].eq(114).all() and ours["customers"].eq(432).all()
    # lifelines' own "rank" breaks rossi's many tied weeks by row order: the only difference
    default = _lifelines(model, r, "rank").reindex(ours.index)
    assert not np.allclose(ours["test_statistic"], default, rtol=1e-3)
    # the residuals themselves are lifelines' scaled Schoenfeld residuals
    theirs_r = model.compute_residuals(r, kind="scaled_schoenfeld")
    key = ["week", "fin", "age", "prio"]
    a = theirs_r.assign(week=r.loc[theirs_r.index, "week"]).sort_values(key)[list(model.params_.index)]
    b = schoenfeld_residuals(model, r).rename(columns={"tenure": "week"}).sort_values(key)[list(model.params_.index)]
    np.testing.assert_allclose(a.to_numpy(), b.to_numpy(), atol=1e-10)


def test_untied_times_match_lifelines_default_rank(rossi):
    r, _ = rossi
    jittered = r.assign(week=r["week"] + np.random.default_rng(1).uniform(0, 0.5, len(r)))
    model = CoxPHFitter().fit(jittered, "week", "arrest")
    ours = proportional_hazards_test(model, jittered).set_index("covariate")["test_statistic"]
    np.testing.assert_allclose(ours, _lifelines(model, jittered, "rank").reindex(ours.index), rtol=1e-10)


def test_time_varying_models_on_one_episode_each_match_lifelines(rossi):
    r, model = rossi
    theirs = _lifelines(model, r, average_rank)
    episodes = _one_episode_each(r, "week", "arrest")
    ctv = CoxTimeVaryingFitter().fit(episodes, id_col="customer_id", event_col="event",
                                     fit_options={"precision": 1e-12})
    for tv in (ctv, TimeVaryingCox().fit(episodes, "event", id_col="customer_id")):
        ours = proportional_hazards_test(tv, episodes).set_index("covariate")["test_statistic"]
        # CoxPHFitter converges to coefficients 5e-8 (relative) from the time-varying fits
        np.testing.assert_allclose(ours, theirs.reindex(ours.index), rtol=1e-6)
    identity = proportional_hazards_test(ctv, episodes, time_transform="identity").set_index("covariate")
    np.testing.assert_allclose(identity["test_statistic"], _lifelines(model, r, "identity").reindex(identity.index),
                               rtol=1e-6)


def test_on_the_sample_with_static_covariates(cx):
    s = static_covariates(cx.customers)
    # lifetime counts as if fixed traits (immortal-time biased: a mechanical check only)
    lc = lifetime_counts(cx.customers, cx.contacts, cx.surveys, as_of=cx.as_of, static=s)
    lc = lc[lc["tenure"] > 0]
    cols = ["cum_bad_contacts", "latest_csat", *s.columns]
    data = lc[["tenure", "churned", *cols]]
    model = CoxPHFitter().fit(data, "tenure", "churned")
    theirs = _lifelines(model, data, average_rank)
    ours = proportional_hazards_test(model, lc).set_index("covariate")["test_statistic"]
    np.testing.assert_allclose(ours, theirs.reindex(ours.index), rtol=1e-8)
    episodes = _one_episode_each(lc, "tenure", "churned")
    tv = proportional_hazards_test(TimeVaryingCox().fit(episodes, "event", id_col="customer_id", columns=cols),
                                   episodes).set_index("covariate")["test_statistic"]
    np.testing.assert_allclose(tv, theirs.reindex(tv.index), rtol=1e-6)


# --------------------------------------------------------------------------- planted drifts


def _simulate(beta_early: float, beta_late: float, *, n: int = 3000, days: int = 500, switch: int = 150,
              seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Customers whose unresolved contacts weigh ``beta_early`` before day ``switch`` and ``beta_late`` after."""
    rng = np.random.default_rng(seed)
    per_customer = rng.poisson(days / 60, n)
    owner = np.repeat(np.arange(n), per_customer)
    contact_day = rng.integers(0, days, len(owner))
    grid = np.zeros((n, days + 1))
    np.add.at(grid, (owner, contact_day + 1), 1)   # a contact on day t counts from day t + 1
    count = grid.cumsum(axis=1)[:, 1:]              # column d - 1: contacts before day d
    day = np.arange(1, days + 1)
    beta = np.where(day < switch, beta_early, beta_late)
    hazard = 0.002 * np.exp(beta * count)
    leaves = rng.random((n, days)) < -np.expm1(-hazard)
    churn_day = np.where(leaves.any(axis=1), leaves.argmax(axis=1) + 1, -1)
    signup = pd.Timestamp("2024-01-01")
    customers = pd.DataFrame({"customer_id": np.arange(n), "signup_date": signup,
                              "churn_date": [signup + pd.Timedelta(days=int(d)) if d > 0 else pd.NaT
                                             for d in churn_day]})
    end = np.where(churn_day > 0, churn_day, days)
    keep = contact_day <= end[owner]
    contacts = pd.DataFrame({"customer_id": owner[keep], "date": signup + pd.to_timedelta(contact_day[keep], "D"),
                             "channel": "phone", "wait_minutes": 1.0, "resolved_first_contact": False})
    return customers, contacts


@pytest.mark.parametrize(("early", "late", "direction", "shape"), [
    (np.log(1.6), 0.0, "falls", "fades with tenure"),
    (0.0, np.log(1.6), "rises", "grows with tenure"),
])
def test_a_planted_drift_is_flagged_with_its_direction(early, late, direction, shape):
    customers, contacts = _simulate(early, late)
    episodes = episode_table(customers, contacts, as_of="2025-05-15", long_wait=60)
    model = fit_time_varying(episodes, ["cum_unresolved"], engine="cxkit")
    row = proportional_hazards_test(model, episodes).iloc[0]
    assert row["p_value"] < 1e-4 and row["direction"] == direction
    assert (row["hr_early"] > row["hr_late"]) == (direction == "falls")
    assert shape in ph_sentence(row, what="Each unresolved contact")
    sampled = proportional_hazards_test(model, episodes, sample=1500, random_state=2).iloc[0]
    assert sampled["customers"] == 1500 and sampled["events"] < row["events"]
    assert sampled["direction"] == direction and sampled["p_value"] < 0.05


def test_a_steady_effect_is_not_flagged():
    customers, contacts = _simulate(np.log(2.0), np.log(2.0), seed=4)
    episodes = episode_table(customers, contacts, as_of="2025-05-15", long_wait=60)
    model = fit_time_varying(episodes, ["cum_unresolved"], engine="cxkit")
    row = proportional_hazards_test(model, episodes).iloc[0]
    assert row["p_value"] > 0.05 and row["hazard_ratio"] == pytest.approx(2.0, rel=0.15)
    assert ph_sentence(row, what="Each unresolved contact").startswith(
        "Each unresolved contact: no sign that the effect changes with tenure")


# --------------------------------------------------------------------------- words and refusals


def test_ph_sentence_words():
    row = {"covariate": "plan_Plus", "hazard_ratio": 0.8, "p_value": 0.0004, "direction": "rises",
           "hr_early": 0.6, "hr_late": 0.9, "split_tenure": 1200}
    assert ph_sentence(row) == ("plan&#95;Plus: the effect **fades with tenure** (hazard ratio 0.60 up to day 1,200, "
                                "0.90 after; proportional-hazards test p < 0.001), so the hazard ratio reported is "
                                "an average over tenure.")
    assert "**reverses with tenure**" in ph_sentence({**row, "hr_late": 1.2})
    assert "**fades with tenure**" in ph_sentence({**row, "hr_late": 1.05})   # from 0.60 to about 1
    assert "**grows with tenure**" in ph_sentence({**row, "hr_early": 1.04, "hr_late": 0.5})
    assert "**grows with tenure**" in ph_sentence({**row, "direction": "falls", "hr_late": 0.5}, what="<b>x</b>")
    assert "&lt;b&gt;" in ph_sentence(row, what="<b>x</b>")


def test_refusals_are_named(rossi):
    r, model = rossi
    with pytest.raises(DataError, match="fitted on 114"):
        proportional_hazards_test(model, r.head(200))
    with pytest.raises(DataError, match="stratified"):
        proportional_hazards_test(CoxPHFitter().fit(r, "week", "arrest", strata=["race"]), r)
    with pytest.raises(DataError, match="time_transform"):
        proportional_hazards_test(model, r, time_transform="km")
    with pytest.raises(TypeError, match="not been fitted"):
        proportional_hazards_test(CoxPHFitter(), r)
