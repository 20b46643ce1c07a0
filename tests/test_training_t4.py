"""Training session T4 (what a customer is worth): right answers are accepted, each named mistake is named.

The right answers and the mistakes are computed here the way an analyst (or a learner
making the mistake) would, from the transactions and the fitted models, not by calling
the exercises' own functions.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from conftest import SAMPLE_DIR
from cxkit import clv, load_folder
from cxkit.errors import ArgumentError
from cxkit.synth import generate
from cxkit.training import check, registered
from cxkit.training.t4_clv import WHY_P_ALIVE_CHOICES

T4 = [name for name in registered() if name.startswith("T4.")]


def _mistake(name: str, mistake: str):
    return next(m for m in registered()[name].mistakes if m.name == mistake)


def assert_mistake(name: str, answer, mistake: str, **data) -> None:
    feedback = check(name, answer, **data)
    assert feedback.status == "wrong", (name, mistake, answer, feedback)
    assert feedback.mistake == mistake
    assert feedback.message == _mistake(name, mistake).message


def _purchase_days(tx: pd.DataFrame, customer) -> pd.Series:
    """The customer's net spend per calendar day, in cents, on the days it is above 0."""
    rows = tx[tx["customer_id"] == customer]
    cents = (rows["amount"] * 100).round().astype(int)
    daily = cents.groupby(rows["date"].dt.normalize()).sum()
    return daily[daily > 0]


def _p_alive(params: pd.Series, x, t_x, T) -> np.ndarray:
    """BG/NBD's chance of still buying (Fader, Hardie & Lee 2005, eq. 11), written out."""
    r, alpha, a, b = (params[k] for k in ("r", "alpha", "a", "b"))
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    odds = np.where(x > 0, a / np.maximum(b + x - 1, 1e-12) * ((alpha + T) / (alpha + t_x)) ** (r + x), 0.0)
    return 1 / (1 + odds)


@pytest.fixture(scope="module")
def sample():
    cx = load_folder(SAMPLE_DIR)
    tx, as_of = cx.transactions, cx.as_of
    summary = cx.rfm_summary(time_unit="W").sort_index()
    bgf = clv.BetaGeoFitter().fit(summary["frequency"], summary["recency"], summary["T"])
    ggf = clv.GammaGammaFitter().fit(summary["frequency"], summary["monetary_value"])
    cancelled = clv.known_cancellations(cx.customers, as_of)
    values = clv.clv_table(summary, bgf, ggf, time_unit="W", churned=cancelled)
    values["rfm_segment"] = clv.rfm_segments(clv.rfm_scores(summary, q=5, cancelled=cancelled))
    profile = clv.segment_profile(values, "rfm_segment", cancelled="known_churned")
    calibration_end = as_of - pd.DateOffset(months=6)
    split = cx.calibration_holdout_split(calibration_end, as_of, time_unit="W").sort_index()
    bgf_cal = clv.BetaGeoFitter().fit(split["frequency_cal"], split["recency_cal"], split["T_cal"])
    # a customer whose rows are not all separate purchase days: two or more extra rows, no refund-only day
    days = tx.assign(day=tx["date"].dt.normalize())
    per = days.groupby("customer_id").agg(rows=("day", "size"), days=("day", "nunique"))
    per["purchase_days"] = summary["n_purchase_days"]
    clear = per[(per["rows"] >= per["purchase_days"] + 2) & (per["days"] == per["purchase_days"])]
    one_timers = summary[(summary["frequency"] == 0) & ~cancelled.reindex(summary.index, fill_value=False)]
    return dict(tx=tx, as_of=as_of, summary=summary, bgf=bgf, values=values, profile=profile, split=split,
                bgf_cal=bgf_cal, cancelled_cal=clv.known_cancellations(cx.customers, calibration_end),
                customer=clear.index[0], one_time_buyer=one_timers["T"].idxmax())


def test_the_session_has_six_to_eight_exercises_each_with_a_named_mistake():
    assert 6 <= len(T4) <= 8
    assert all(registered()[name].mistakes for name in T4)


# --- frequency, recency and T by hand ---------------------------------------------------------------------------

def test_frequency_by_hand(sample):
    data = dict(transactions=sample["tx"], as_of=sample["as_of"], customer=sample["customer"])
    rows = sample["tx"][sample["tx"]["customer_id"] == sample["customer"]]
    days = _purchase_days(sample["tx"], sample["customer"])
    assert check("T4.frequency_by_hand", len(days) - 1, **data).right
    assert_mistake("T4.frequency_by_hand", len(days), "counting the first purchase", **data)
    assert_mistake("T4.frequency_by_hand", len(rows) - 1, "counting rows, not purchase days", **data)
    assert check("T4.frequency_by_hand", None, **data).status == "not answered"


def test_frequency_nets_same_day_rows_and_refunds():
    tx = pd.DataFrame({"customer_id": ["a"] * 6 + ["b"],
                       "date": pd.to_datetime(["2025-01-06", "2025-01-06", "2025-01-20", "2025-02-03",
                                               "2025-02-10", "2025-03-03", "2025-01-06"]),
                       "amount": [20.0, 5.0, 30.0, -12.0, 8.0, 10.0, 50.0]})
    data = dict(transactions=tx, as_of="2025-03-31", customer="a")
    # purchase days of a: 6 Jan (two rows), 20 Jan, 10 Feb, 3 Mar; 3 Feb is a refund-only day
    assert check("T4.frequency_by_hand", 3, **data).right
    assert_mistake("T4.frequency_by_hand", 4, "counting the first purchase", **data)
    assert_mistake("T4.frequency_by_hand", 5, "counting rows, not purchase days", **data)
    assert check("T4.frequency_by_hand", 0, transactions=tx, as_of="2025-03-31", customer="b").right


def test_recency_and_age_in_weeks(sample):
    data = dict(transactions=sample["tx"], as_of=sample["as_of"], customer=sample["customer"])
    days = _purchase_days(sample["tx"], sample["customer"]).index
    recency = (days.max() - days.min()).days / 7
    age = (sample["as_of"].normalize() - days.min()).days / 7
    assert check("T4.recency_weeks", round(recency, 1), **data).right
    assert_mistake("T4.recency_weeks", (sample["as_of"] - days.max()).days / 7,
                   "recency as time since the last purchase", **data)
    assert_mistake("T4.recency_weeks", (days.max() - days.min()).days, "recency in days, not weeks", **data)
    assert check("T4.age_weeks", round(age, 1), **data).right
    assert_mistake("T4.age_weeks", recency, "T stopping at the last purchase", **data)
    assert_mistake("T4.age_weeks", (sample["as_of"] - days.min()).days, "T in days, not weeks", **data)
    assert check("T4.age_weeks", "55 weeks", **data).status == "wrong"


# --- a one-time buyer's chance of still buying --------------------------------------------------------------------

def test_p_alive_of_a_one_time_buyer_is_one(sample):
    summary, bgf = sample["summary"], sample["bgf"]
    data = dict(bgf=bgf, summary=summary, customer=sample["one_time_buyer"])
    row = summary.loc[sample["one_time_buyer"]]
    p = float(_p_alive(bgf.params_, row["frequency"], row["recency"], row["T"]))
    assert p == 1.0 and check("T4.p_alive_one_time", p, **data).right
    everyone = _p_alive(bgf.params_, summary["frequency"], summary["recency"], summary["T"]).mean()
    assert_mistake("T4.p_alive_one_time", round(everyone, 3), "the average of all customers", **data)
    assert_mistake("T4.p_alive_one_time", 100, "a percentage, not a probability", **data)


def test_why_p_alive_is_one(sample):
    data = dict(bgf=sample["bgf"], summary=sample["summary"], customer=sample["one_time_buyer"])
    assert check("T4.why_p_alive_one", "  A model ASSUMPTION ", **data).right
    for choice, mistake in zip(WHY_P_ALIVE_CHOICES[1:], ["taking the assumption for a fact", "reading it from recency",
                                                          "mixing value with being alive"], strict=True):
        assert_mistake("T4.why_p_alive_one", choice, mistake, **data)
    assert check("T4.why_p_alive_one", "no idea", **data).status == "wrong"


def test_p_alive_asks_for_a_one_time_buyer(sample):
    repeat_buyer = sample["summary"].index[sample["summary"]["frequency"] > 0][0]
    with pytest.raises(ArgumentError, match="one-time buyer"):
        check("T4.p_alive_one_time", 1.0, bgf=sample["bgf"], summary=sample["summary"], customer=repeat_buyer)


# --- the holdout check -------------------------------------------------------------------------------------------

def _holdout_forecast(split: pd.DataFrame, bgf, churned) -> float:
    forecast = pd.Series(bgf.conditional_expected_number_of_purchases_up_to_time(
        split["duration_holdout"], split["frequency_cal"], split["recency_cal"], split["T_cal"]), index=split.index)
    if churned is not None:
        forecast[churned.reindex(split.index, fill_value=False).to_numpy()] = 0.0
    return float(forecast.sum())


def test_holdout_error(sample):
    split, bgf, churned = sample["split"], sample["bgf_cal"], sample["cancelled_cal"]
    data = dict(split=split, bgf=bgf, churned=churned)
    forecast, actual = _holdout_forecast(split, bgf, churned), split["frequency_holdout"].sum()
    error = 100 * (forecast - actual) / actual
    assert check("T4.holdout_error", round(error, 1), **data).right
    calibration = split["frequency_cal"].sum()
    assert_mistake("T4.holdout_error", 100 * (forecast - calibration) / calibration,
                   "the forecast compared with the calibration period", **data)
    assert_mistake("T4.holdout_error", 100 * (actual - forecast) / actual, "the sign turned round", **data)
    everyone = _holdout_forecast(split, bgf, None)
    assert_mistake("T4.holdout_error", 100 * (everyone - actual) / actual,
                   "forgetting the customers who had cancelled", **data)


# --- ranking customers, and a segment's action -------------------------------------------------------------------

def test_top10_by_clv(sample):
    values, summary = sample["values"], sample["summary"]
    data = dict(values=values, summary=summary)
    assert check("T4.top10_clv", list(values.nlargest(10, "clv").index), **data).right
    assert check("T4.top10_clv", tuple(reversed(values.nlargest(10, "clv").index)), **data).right
    assert_mistake("T4.top10_clv", summary.nlargest(10, "total_spend").index,
                   "ranking customers by total spend without tenure", **data)
    assert_mistake("T4.top10_clv", (summary["total_spend"] / summary["T"]).nlargest(10).index,
                   "ranking by past spend instead of forecast value", **data)
    assert check("T4.top10_clv", list(values.nlargest(9, "clv").index), **data).status == "wrong"


AT_RISK = ["Need Attention", "About to Sleep", "At Risk", "Can't Lose Them"]


def test_segment_action(sample):
    profile = sample["profile"].assign(segment=lambda p: p["segment"].astype(str)).set_index("segment")
    actions = clv.SEGMENT_ACTIONS.set_index("segment")["action"]
    data = dict(profile=sample["profile"], at_risk=AT_RISK)
    slipping = profile.loc[profile.index.isin(AT_RISK)]
    assert check("T4.segment_action", actions[slipping["clv_share"].idxmax()], **data).right
    assert_mistake("T4.segment_action", actions[slipping["customers"].idxmax()],
                   "acting on the largest segment by customers, not by value", **data)
    assert_mistake("T4.segment_action", actions[profile["clv_share"].idxmax()],
                   "acting on the most valuable segment, which is not slipping", **data)
    assert check("T4.segment_action", "call everyone", **data).status == "wrong"


# --- a second company: the answers follow the data ----------------------------------------------------------------

def test_answers_follow_another_company(sample):
    kestrel = generate(seed=1, n_customers=800, profile="kestrel").tables
    tx, customers = kestrel["transactions"], kestrel["customers"]
    as_of = tx["date"].max()
    summary = clv.rfm_summary(tx, as_of, time_unit="W").sort_index()
    customer = summary["n_purchase_days"].idxmax()
    days = _purchase_days(tx, customer)
    assert check("T4.frequency_by_hand", len(days) - 1, transactions=tx, as_of=as_of, customer=customer).right
    assert_mistake("T4.frequency_by_hand", len(days), "counting the first purchase",
                   transactions=tx, as_of=as_of, customer=customer)
    bgf = clv.BetaGeoFitter().fit(summary["frequency"], summary["recency"], summary["T"])
    ggf = clv.GammaGammaFitter().fit(summary["frequency"], summary["monetary_value"])
    values = clv.clv_table(summary, bgf, ggf, time_unit="W", churned=clv.known_cancellations(customers, as_of))
    top10 = list(values.nlargest(10, "clv").index)
    assert check("T4.top10_clv", top10, values=values, summary=summary).right
    assert not check("T4.top10_clv", list(sample["values"].nlargest(10, "clv").index),
                     values=values, summary=summary).right
