"""Training session T2 (how long customers stay): each exercise accepts the right answer, computed here as an
analyst would, and names each of its mistakes when given the answer a learner making it would compute."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from lifelines import KaplanMeierFitter

from conftest import ROOT
from cxkit import load_folder, survival, synth
from cxkit.training import check, registered, t2_survival

YEAR = 365


@pytest.fixture(scope="module")
def sample():
    cx = load_folder(ROOT / "data" / "sample")
    members = survival.survival_table(cx.customers, as_of=cx.as_of)
    lifetime = survival.lifetime_counts(cx.customers, cx.contacts, cx.surveys, as_of=cx.as_of)
    return members, lifetime, cx


@pytest.fixture(scope="module")
def kestrel():
    tables = synth.generate(seed=1, n_customers=800, profile="kestrel").tables
    as_of = max(tables[t]["date"].max() for t in ("transactions", "surveys", "contacts"))
    members = survival.survival_table(tables["customers"], as_of=as_of)
    lifetime = survival.lifetime_counts(tables["customers"], tables["contacts"], as_of=as_of)
    return members, lifetime


def _km_curve_by_hand(members: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The days someone left, and the share still members after each: the product of (1 - left / at risk)."""
    tenure, left = members["tenure"].to_numpy(float), members["churned"].to_numpy(bool)
    days, leavers = np.unique(tenure[left], return_counts=True)
    at_risk = np.array([(tenure >= d).sum() for d in days])
    return days, np.cumprod(1 - leavers / at_risk)


def _km_by_hand(members: pd.DataFrame, day: float = YEAR) -> float:
    days, shares = _km_curve_by_hand(members)
    return float(shares[days <= day][-1]) if (days <= day).any() else 1.0


def _rmst_by_hand(members: pd.DataFrame, horizon: float = YEAR) -> float:
    """The area under the Kaplan-Meier step curve from day 0 to ``horizon``."""
    days, shares = _km_curve_by_hand(members)
    inside = days < horizon
    edges = np.r_[0.0, days[inside], horizon]
    return float(np.sum(np.r_[1.0, shares[inside]] * np.diff(edges)))


def _message(name: str, mistake: str) -> str:
    return next(m.message for m in registered()[name].mistakes if m.name == mistake)


def _assert_mistake(name: str, answer, mistake: str, **data) -> None:
    feedback = check(name, answer, **data)
    assert (feedback.status, feedback.mistake) == ("wrong", mistake), (answer, feedback)
    assert feedback.message == _message(name, mistake)


def test_the_session_has_six_to_eight_exercises_each_with_a_named_mistake():
    names = [n for n in registered() if n.startswith("T2.")]
    assert 6 <= len(names) <= 8
    assert all(registered()[n].mistakes for n in names)
    named = {m.name for n in names for m in registered()[n].mistakes}
    assert {"dropping active customers from a churn rate", "counting active customers as stayers for ever",
            "reading the raw comparison as an effect", "reading a hazard ratio as a probability",
            "the mean tenure of those who left"} <= named


# --------------------------------------------------------------------------- reading the curve


def test_still_members_after_a_year(sample):
    members = sample[0]
    right = 100 * _km_by_hand(members)
    assert check("T2.still_members_365", round(right, 1), members=members).right
    assert not check("T2.still_members_365", right + 1, members=members).right
    tenure, churned = members["tenure"], members["churned"]
    left_in_year = churned & (tenure <= YEAR)
    known = members[left_in_year | (tenure >= YEAR)]           # the newer active members dropped
    dropped = 100 * (1 - (known["churned"] & (known["tenure"] <= YEAR)).mean())
    _assert_mistake("T2.still_members_365", dropped, "dropping active customers from a churn rate", members=members)
    _assert_mistake("T2.still_members_365", 100 * (1 - left_in_year.sum() / len(members)),
                    "counting active customers as stayers for ever", members=members)
    _assert_mistake("T2.still_members_365", 100 * (1 - churned.mean()),
                    "the share still members today, whatever their tenure", members=members)
    _assert_mistake("T2.still_members_365", 100 - right, "the share who left, not the share who stayed",
                    members=members)
    _assert_mistake("T2.still_members_365", right / 100, "a share, not a percentage", members=members)


def test_the_curve_exercises_follow_the_data(sample, kestrel):
    members, other = sample[0], kestrel[0]
    assert check("T2.still_members_365", 100 * _km_by_hand(other), members=other).right
    assert check("T2.days_as_member_365", _rmst_by_hand(other), members=other).right
    at_risk_other = int((other["tenure"] >= YEAR).sum())
    assert at_risk_other != (members["tenure"] >= YEAR).sum()
    assert check("T2.at_risk_365", at_risk_other, members=other).right
    assert not check("T2.at_risk_365", int((members["tenure"] >= YEAR).sum()), members=other).right


def test_at_risk_on_day_365(sample):
    members = sample[0]
    events = KaplanMeierFitter().fit(members["tenure"], members["churned"]).event_table
    right = int(events.loc[events.index >= YEAR, "at_risk"].iloc[0])
    assert right == (members["tenure"] >= YEAR).sum()
    assert check("T2.at_risk_365", right, members=members).right
    assert not check("T2.at_risk_365", right + 1, members=members).right
    past = int(events.loc[events.index > YEAR, "at_risk"].iloc[0])
    _assert_mistake("T2.at_risk_365", past, "the customers followed past day 365, not on it", members=members)
    not_left = len(members) - int((members["churned"] & (members["tenure"] <= YEAR)).sum())
    _assert_mistake("T2.at_risk_365", not_left, "counting newer active customers as at risk", members=members)
    _assert_mistake("T2.at_risk_365", int((~members["churned"]).sum()), "the customers active today",
                    members=members)


def test_days_as_member_within_a_year(sample):
    members = sample[0]
    right = _rmst_by_hand(members)
    assert 0 < right < YEAR
    assert check("T2.days_as_member_365", round(right), members=members).right
    assert not check("T2.days_as_member_365", right + 2, members=members).right
    tenure = members["tenure"]
    _assert_mistake("T2.days_as_member_365", tenure[members["churned"]].mean(), "the mean tenure of those who left",
                    members=members)
    _assert_mistake("T2.days_as_member_365", tenure.mean(), "the mean tenure, active customers counted as they stand",
                    members=members)
    _assert_mistake("T2.days_as_member_365", tenure.clip(upper=YEAR).mean(),
                    "capping tenure at 365 days, newer members counted as if they had left", members=members)


# --------------------------------------------------------------------------- the trap


def _raw_by_hand(lifetime: pd.DataFrame, column: str = "cum_bad_contacts") -> pd.DataFrame:
    label = np.where(lifetime[column] > 0, "at least one", "none")
    return pd.crosstab(label, lifetime["churned"], normalize="index")[True].rename_axis(
        "bad contacts").rename("churn_rate").reset_index()


def test_raw_churn_with_and_without_a_bad_contact(sample):
    lifetime = sample[1]
    right = _raw_by_hand(lifetime)
    rates = right.set_index("bad contacts")["churn_rate"]
    assert rates["at least one"] < rates["none"]                  # the paradox the learner finds
    feedback = check("T2.raw_churn_by_bad_contact", right.round(3), lifetime=lifetime)
    assert feedback.right and f"{rates['none']:.1%}" in feedback.message
    assert check("T2.raw_churn_by_bad_contact", right.set_index("bad contacts")["churn_rate"], lifetime=lifetime).right
    assert not check("T2.raw_churn_by_bad_contact", right.assign(churn_rate=right["churn_rate"][::-1].to_numpy()),
                     lifetime=lifetime).right
    label = np.where(lifetime["cum_bad_contacts"] > 0, "at least one", "none")
    of_leavers = pd.crosstab(label, lifetime["churned"], normalize="columns")[True].rename_axis(
        "bad contacts").rename("churn_rate").reset_index()
    _assert_mistake("T2.raw_churn_by_bad_contact", of_leavers, "the share of all leavers, not of the group",
                    lifetime=lifetime)
    _assert_mistake("T2.raw_churn_by_bad_contact", _raw_by_hand(lifetime, "cum_contacts"),
                    "any contact, not a bad one", lifetime=lifetime)
    _assert_mistake("T2.raw_churn_by_bad_contact", right.assign(churn_rate=100 * right["churn_rate"]),
                    "percentages, not shares", lifetime=lifetime)
    assert check("T2.raw_churn_by_bad_contact", 0.25, lifetime=lifetime).status == "wrong"


def test_raw_churn_follows_the_data(sample, kestrel):
    other = kestrel[1]
    assert check("T2.raw_churn_by_bad_contact", _raw_by_hand(other), lifetime=other).right
    assert not check("T2.raw_churn_by_bad_contact", _raw_by_hand(sample[1]), lifetime=other).right


def test_why_bad_contacts_seem_to_keep_customers():
    name = "T2.why_bad_contacts_seem_to_keep"
    assert check(name, "  Long stayers had more time to have CONTACTS ").right
    _assert_mistake(name, "bad contacts keep customers", "reading the raw comparison as an effect")
    _assert_mistake(name, "chance", "putting it down to chance")
    assert "Answer with one of" in check(name, "they like us").message


# --------------------------------------------------------------------------- reading a hazard ratio


@pytest.fixture()
def ratios():
    hazard_ratios = pd.DataFrame({"covariate": ["cum_bad_contacts", "latest_csat"], "hazard_ratio": [1.32, 0.7]})
    ways = pd.DataFrame({"model": ["lifetime counts (naive)", "time-varying"], "covariate": "cum_bad_contacts",
                         "hazard_ratio": [0.81, 1.32]})
    return {"hazard_ratios": hazard_ratios, "ways": ways}


def test_a_hazard_ratio_as_a_percentage(ratios):
    name = "T2.hazard_ratio_percent"
    assert check(name, 32, **ratios).right and check(name, 31.5, **ratios).right
    assert "32%" in check(name, 32, **ratios).message
    assert not check(name, 30, **ratios).right
    _assert_mistake(name, 132, "reading a hazard ratio as a probability", **ratios)
    _assert_mistake(name, 1.32, "the ratio itself, not a percentage", **ratios)
    _assert_mistake(name, round(100 * (1 - 1 / 1.32)), "turning the ratio the wrong way round", **ratios)
    _assert_mistake(name, round(100 * (1 / 1.32 - 1)), "turning the ratio the wrong way round", **ratios)
    _assert_mistake(name, -19, "the ratio from lifetime counts", **ratios)
    other = {"hazard_ratios": ratios["hazard_ratios"].assign(hazard_ratio=[1.1, 0.7])}
    assert check(name, 10, **other).right and not check(name, 32, **other).right


def test_three_bad_contacts_multiply_the_risk(ratios):
    name = "T2.three_bad_contacts"
    assert check(name, round(1.32 ** 3, 2), **ratios).right
    assert not check(name, 1.32 ** 3 + 0.1, **ratios).right
    _assert_mistake(name, 1 + 3 * 0.32, "adding the percentages, not multiplying the ratios", **ratios)
    _assert_mistake(name, 3 * 1.32, "three times the ratio", **ratios)
    _assert_mistake(name, 1.32, "the ratio of one contact", **ratios)


def test_the_ratio_is_read_from_the_fitted_model(sample):
    members, _, cx = sample
    episodes = survival.episode_table(cx.customers, cx.contacts, as_of=cx.as_of)
    model = survival.fit_churn_model(members, episodes, kinds=())
    ratio = float(model.fitter.params_["cum_bad_contacts"])       # the log hazard ratio, as lifelines names it
    assert check("T2.hazard_ratio_percent", 100 * np.expm1(ratio), hazard_ratios=model.hazard_ratios).right
    assert t2_survival.hazard_ratio_percent(None) != t2_survival.hazard_ratio_percent(None)   # no model: no answer
