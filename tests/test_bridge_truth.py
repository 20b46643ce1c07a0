"""The bridge against the sample's generator: what a bad contact really costs, where the truth is planted.

A company is generated (:func:`cxkit.synth.generate`), its churn and value models are
fitted as the sample notebooks fit them, and the bridge's cost of one more bad contact is
set beside the same figure computed from the generator's own process for the same active
customers: the true Weibull baseline, each customer's true log-hazard (satisfaction, and
log(1.35) per unresolved contact so far), the true share of bad contacts that are
unresolved (a long wait alone is harmless), and the true spend rate of each customer still
purchasing. Then the same with the planted effect switched off.
"""
from __future__ import annotations

import dataclasses
from typing import NamedTuple

import numpy as np
import pandas as pd
import pytest

from cxkit import bridge as br
from cxkit import clv, load_folder, survival, synth
from cxkit.experience import bad_contacts
from cxkit.survival import fastcox

N_CUSTOMERS = 20_000
SEED = 1
NULL_PROFILE = "harbour_lane_without_contact_effect"


class Company(NamedTuple):
    sample: synth.SampleData
    bridge: br.Bridge
    cost: pd.Series  # the bridge's cost of one more bad contact (value_per_bad_contact)
    truth: dict[str, float]  # the same from the generator's process (_truth)


def _company(profile: str) -> tuple[synth.SampleData, pd.DataFrame, br.Bridge]:
    """Generate a company, fit its churn and value models as the notebooks do, build the bridge."""
    sample = synth.generate(seed=SEED, n_customers=N_CUSTOMERS, profile=profile)
    cx = load_folder(tables=sample.tables, as_of=sample.params["as_of"])
    static = survival.static_covariates(cx.customers, None)
    rules = {"as_of": cx.as_of, "static": static}
    members = survival.survival_table(cx.customers, **rules)
    episodes = survival.episode_table(cx.customers, cx.contacts, cx.surveys, **rules)
    active = survival.active_customers(cx.customers, cx.contacts, cx.surveys, **rules)
    model = survival.fit_churn_model(members, episodes, static=static)
    summary = cx.rfm_summary(time_unit="W")
    bgf = clv.BetaGeoFitter().fit(summary["frequency"], summary["recency"], summary["T"])
    ggf = clv.GammaGammaFitter().fit(summary["frequency"], summary["monetary_value"])
    cancelled = clv.known_cancellations(cx.customers, cx.as_of)
    values = clv.clv_table(summary, bgf, ggf, churned=cancelled)
    total = clv.total_clv_interval(summary, bgf, ggf, churned=cancelled)
    bridge = br.build_bridge(model, active, values=values.reset_index(), contacts=cx.contacts, currency="£",
                             value_interval=(total["ci_low"].iloc[0], total["ci_high"].iloc[0]))
    return sample, cx.contacts, bridge


@pytest.fixture(scope="module")
def companies() -> dict[str, Company]:
    """The company as planted, and the same with contacts harmless."""
    harbour = synth._COMPANIES["harbour_lane"]
    no_effect = dataclasses.replace(harbour, truth={**harbour.truth, "hr_unresolved_contact": 1.0})
    with pytest.MonkeyPatch.context() as patch:
        # the same company with contacts harmless, as a profile of its own for these tests only
        patch.setitem(synth._COMPANIES, NULL_PROFILE, no_effect)
        # the kit's own time-varying Cox (the same estimates as lifelines', tests/test_fastcox.py)
        # at every size: seconds instead of a minute on these 80,000 episodes
        patch.setattr(fastcox, "LIFELINES_MAX_EPISODES", 0)
        built = {"planted": _company("harbour_lane"), "null": _company(NULL_PROFILE)}
    return {name: Company(sample, bridge, br.value_per_bad_contact(bridge).iloc[0], _truth(sample, contacts, bridge))
            for name, (sample, contacts, bridge) in built.items()}


def _truth(sample: synth.SampleData, contacts: pd.DataFrame, bridge: br.Bridge) -> dict[str, float]:
    """The cost of one more bad contact to the bridge's active customers, from the generator's own process.

    As the bridge counts it: within the horizon, each customer's experience so far held as it
    is (no contacts still to come). A bad contact is one the model counts as bad (unresolved
    or a long wait, :func:`cxkit.experience.bad_contacts`); only an unresolved one raises the
    hazard, so one more bad contact multiplies it by ``hr_unresolved_contact`` with the
    chance that a bad contact is unresolved, and leaves it alone otherwise.
    """
    params = sample.params
    shape, scale, step = params["weibull_shape"], params["weibull_scale_days"], params["hr_unresolved_contact"]
    ids = bridge.customers["customer_id"]
    truth = sample.truth.set_index("customer_id").loc[ids]
    flags = bad_contacts(contacts)
    unresolved_share = flags["unresolved"].sum() / flags["bad"].sum()
    so_far = flags.loc[flags["unresolved"]].groupby("customer_id").size().reindex(ids).fillna(0).to_numpy()
    eta = truth["base_log_hazard"].to_numpy() + np.log(step) * so_far
    tenure = bridge.customers["tenure"].to_numpy(float)[:, None]
    t = np.linspace(0.0, bridge.horizon_days, 367)  # about daily: the trapezoid rule is exact to ~1e-5 here
    hazard = np.exp(eta)[:, None] * (((tenure + t) / scale) ** shape - (tenure / scale) ** shape)
    gap = np.exp(-hazard) - np.exp(-step * hazard)  # the chance of staying, lost to one unresolved contact

    def integral(y: np.ndarray) -> np.ndarray:
        return ((y[:, 1:] + y[:, :-1]) / 2 * np.diff(t)).sum(axis=1)

    # spend while purchasing: BG/NBD purchases at lambda a week, each followed by a lapse with chance p
    # (so still purchasing t days ahead with chance exp(-lambda p t / 7)); none once lapsed
    spend = np.where(truth["purchasing_lapsed"], 0.0, truth["expected_spend_per_week"] / 7)
    lapse = (truth["lambda_per_week"] * truth["p_lapse"] / 7).to_numpy()
    return {
        "days_lost": unresolved_share * integral(gap).mean(),
        "leavers_per_1000": 1000 * unresolved_share * gap[:, -1].mean(),
        "value_lost": unresolved_share * (spend * integral(gap * np.exp(-np.outer(lapse, t)))).mean(),
    }


def _days_lost(bridge: br.Bridge, hazard_ratio: float) -> float:
    """The bridge's days lost per bad contact at a given hazard ratio, with its own functions."""
    return float((br._days_expected(bridge.hazard, bridge.days)
                  - br._days_expected(bridge.hazard, bridge.days, hazard_ratio)).mean())


def test_the_days_and_customers_a_bad_contact_costs_are_within_the_bridges_intervals(companies):
    bridge, row, truth = companies["planted"].bridge, companies["planted"].cost, companies["planted"].truth
    assert row["status"] == "clear"
    assert truth["days_lost"] > 5  # a planted cost of several days, not a trivial zero
    # the interval of days lost: the days lost at the ends of the hazard ratio's 95% interval
    low, high = _days_lost(bridge, row["hr_low"]), _days_lost(bridge, row["hr_high"])
    assert low <= row["days_lost"] <= high
    assert low <= truth["days_lost"] <= high, (truth["days_lost"], row["days_lost"], low, high)
    assert row["leavers_low"] <= truth["leavers_per_1000"] <= row["leavers_high"], (truth, row.to_dict())


def test_the_value_a_bad_contact_costs_is_near_the_truth(companies):
    row, truth = companies["planted"].cost, companies["planted"].truth["value_lost"]
    assert truth > 0 and row["value_lost"] > 0
    # Within the bridge's 95% interval, or within 25% of its estimate. The interval carries the
    # churn model's and the total CLV's uncertainty only; the value side also rests on the CLV
    # model's forecast of each customer's spend (BG/NBD cannot tell lapsing from leaving the club,
    # and the forecast is discounted at 1% a month) and on spreading it evenly over the days
    # expected, while the truth weighs the days lost late in the year, when more customers have
    # lapsed, less. On this company the truth (2.38) is 12% above the estimate (2.13), just inside
    # the top of its interval (1.85 to 2.39); over seeds 1-8 it was 0.99 to 1.21 times the estimate
    # and outside the interval on two: the 25% is what holds across draws.
    inside = row["ci_low"] <= truth <= row["ci_high"]
    assert inside or abs(truth - row["value_lost"]) <= 0.25 * row["value_lost"], (truth, row.to_dict())


def test_without_a_planted_effect_the_bridge_finds_no_clear_cost(companies):
    sample, bridge, row, truth = companies["null"]
    assert sample.params["hr_unresolved_contact"] == 1.0 and synth.TRUTH["hr_unresolved_contact"] == 1.35
    assert NULL_PROFILE not in synth._COMPANIES  # the profile was only lent to the fixture
    assert truth["days_lost"] == 0
    no_money = row["status"] == "not clear" and np.isnan(row["value_lost"])
    assert no_money or row["ci_low"] <= 0 <= row["ci_high"], row.to_dict()
    # and the days lost, at the ends of the hazard ratio's interval, straddle none
    assert _days_lost(bridge, row["hr_low"]) <= 0 <= _days_lost(bridge, row["hr_high"])
