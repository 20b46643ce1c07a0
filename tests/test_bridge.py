"""The bridge from experience to money, against closed forms, lifelines, a Monte Carlo and its own rules.

A small churn model is fitted on one row per customer (a lifelines ``CoxPHFitter`` through
:func:`cxkit.survival.fit_churn_model`) with a count of bad contacts and a CSAT answer; the
bridge's figures are then checked against what they must equal: closed forms where the
risk is constant, lifelines' own survival curves, and leave times drawn in the test.
"""
from __future__ import annotations

import copy
import dataclasses

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, linalg

from cxkit import bridge as br
from cxkit.errors import ArgumentError
from cxkit.survival import churn_risk, fit_churn_model, hazard_ahead
from cxkit.units import MONTH_DAYS

HORIZON = 12 * MONTH_DAYS  # the bridge's default horizon in days
STEP = 7.0  # the bridge's default grid step (grid_days)
BASE_RATE = 1 / 900  # day-to-day risk of leaving of a customer with no bad contact and CSAT 3
HR_BAD, HR_CSAT = 1.5, 0.7  # planted: per bad contact, per CSAT point


def _members(seed: int = 11, n: int = 800, *, contacts: bool = True, csat: bool = True) -> pd.DataFrame:
    """One row per customer: exponential leave times whose rate steps with bad contacts and CSAT, censored."""
    rng = np.random.default_rng(seed)
    bad = rng.poisson(0.8, n)
    answer = rng.integers(1, 6, n).astype(float)
    rate = BASE_RATE * HR_BAD ** (bad if contacts else 0) * HR_CSAT ** ((answer - 3) if csat else 0)
    leave, follow = rng.exponential(1 / rate), rng.uniform(30, 1500, n)
    table = pd.DataFrame({"customer_id": [f"c{i:04d}" for i in range(n)],
                          "tenure": np.floor(np.minimum(leave, follow)) + 1, "churned": leave <= follow})
    if contacts:
        table["cum_bad_contacts"] = bad
    if csat:
        table["latest_csat"] = answer
    return table


def _active(members: pd.DataFrame) -> pd.DataFrame:
    return members.loc[~members["churned"]].drop(columns="churned").reset_index(drop=True)


def _contacts(seed: int = 5, n: int = 2000) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"customer_id": [f"c{i:04d}" for i in rng.integers(0, 800, n)],
                         "channel": rng.choice(["phone", "chat"], n),
                         "wait_minutes": rng.lognormal(1.5, 0.8, n).round(1),
                         "resolved_first_contact": rng.random(n) < 0.75})


def _values(active: pd.DataFrame, seed: int = 3) -> pd.DataFrame:
    return pd.DataFrame({"customer_id": active["customer_id"],
                         "clv": np.random.default_rng(seed).gamma(2.0, 50.0, len(active))})


def _build(model, active, values=None, *, scale: float = 1.0, **options) -> br.Bridge:
    if values is not None:
        values = values.assign(clv=values["clv"] * scale)
        total = values["clv"].sum()
        options = {"value_interval": (0.9 * total, 1.1 * total), **options}
    return br.build_bridge(model, active, values=values, contacts=_contacts(), currency="£", n_draws=300, **options)


@pytest.fixture(scope="module")
def members() -> pd.DataFrame:
    return _members()


@pytest.fixture(scope="module")
def active(members) -> pd.DataFrame:
    return _active(members)


@pytest.fixture(scope="module")
def values(active) -> pd.DataFrame:
    return _values(active)


@pytest.fixture(scope="module")
def model(members):
    return fit_churn_model(members)


@pytest.fixture(scope="module")
def bridge(model, active, values) -> br.Bridge:
    return _build(model, active, values)


@pytest.fixture(scope="module")
def linear(model, active, values):
    """The same model with its baseline replaced by an exactly linear one, ``H0(t) = BASE_RATE * t``.

    Each customer's cumulative risk ahead is then ``lam * t`` with ``lam = BASE_RATE`` times
    lifelines' partial hazard ``exp((x - mean) b)``: a constant hazard with closed forms.
    Returns (bridge, lam).
    """
    fitter = copy.deepcopy(model.fitter)
    end = 10_000.0  # beyond every tenure + horizon: no extrapolation
    fitter.baseline_cumulative_hazard_ = pd.DataFrame({"baseline cumulative hazard": [0.0, BASE_RATE * end]},
                                                      index=[0.0, end])
    lam = BASE_RATE * fitter.predict_partial_hazard(active).to_numpy(float)
    return _build(dataclasses.replace(model, fitter=fitter), active, values), lam


def _with_effect(bridge: br.Bridge, covariate: str, hr: float, low: float, high: float) -> br.Bridge:
    """The bridge with one effect of the churn model set to a hazard ratio and 95% interval."""
    se = (np.log(high) - np.log(low)) / (2 * 1.959963984540054)
    effects = bridge.effects.copy()
    row = effects["covariate"] == covariate
    effects.loc[row, ["coef", "se", "hazard_ratio", "ci_low", "ci_high"]] = [np.log(hr), se, hr, low, high]
    covariance = bridge.covariance.copy()
    covariance.loc[covariate, :] = 0.0
    covariance.loc[:, covariate] = 0.0
    covariance.loc[covariate, covariate] = se ** 2
    return dataclasses.replace(bridge, effects=effects, covariance=covariance)


def _driver_effects(effect: float = 0.4, low: float = 0.3, high: float = 0.5, segment: str = "everyone"):
    se = (high - low) / (2 * 1.959963984540054)
    return pd.DataFrame([{"segment": segment, "driver": "clarity", "effect": effect, "se": se, "ci_low": low,
                          "ci_high": high}])


# --------------------------------------------------------------------------- closed forms


def test_the_fitted_model_is_the_small_cox_model_the_bridge_reads(model, bridge):
    assert not model.time_varying and model.columns == ["cum_bad_contacts", "latest_csat"]
    assert bridge.bad_contacts == "cum_bad_contacts" and bridge.csat == "latest_csat" and bridge.notes == ()
    # the planted effects are recovered, so the figures below rest on a model that means what it says
    ratios = model.hazard_ratios.set_index("covariate")
    assert ratios.loc["cum_bad_contacts", "ci_low"] < HR_BAD < ratios.loc["cum_bad_contacts", "ci_high"]
    assert ratios.loc["latest_csat", "ci_low"] < HR_CSAT < ratios.loc["latest_csat", "ci_high"]


def test_a_constant_hazard_gives_the_closed_form_days_and_chance_of_leaving(linear):
    bridge, lam = linear
    assert bridge.horizon_days == pytest.approx(HORIZON) and np.diff(bridge.days).max() == STEP
    np.testing.assert_allclose(bridge.hazard, np.outer(lam, bridge.days), rtol=1e-9, atol=1e-12)
    days = bridge.customers["days_expected"].to_numpy()
    exact = -np.expm1(-lam * HORIZON) / lam
    # the trapezoid rule over steps of h days overstates the integral of the convex exp(-lam t)
    # by at most T h^2 max|f''| / 12 = T h^2 lam^2 / 12
    bound = HORIZON * STEP ** 2 * lam ** 2 / 12
    assert np.all(days - exact >= -1e-9) and np.all(days - exact <= bound)
    assert (days - exact).max() > 0  # the tolerance is needed, and used
    # the chance of leaving is read at the horizon itself: exact
    np.testing.assert_allclose(bridge.customers["leave_probability"], -np.expm1(-lam * HORIZON), rtol=1e-9)


def test_a_constant_hazard_gives_the_closed_form_cost_of_a_bad_contact(linear):
    bridge, lam = linear
    row = br.value_per_bad_contact(bridge).iloc[0]
    m = row["hazard_ratio"]
    exact_days = -np.expm1(-lam * HORIZON) / lam + np.expm1(-m * lam * HORIZON) / (m * lam)
    bound = HORIZON * STEP ** 2 * lam ** 2 * (1 + m ** 2) / 12  # both days, each to the trapezoid bound
    assert abs(row["days_lost"] - exact_days.mean()) <= bound.mean()
    leavers = 1000 * (np.exp(-lam * HORIZON) - np.exp(-m * lam * HORIZON)).mean()
    assert row["leavers_per_1000"] == pytest.approx(leavers, rel=1e-9)
    # each customer's days lost valued at their own rate: value / days expected
    rate = bridge.customers["value"].to_numpy() / bridge.customers["days_expected"].to_numpy()
    exact_value = (rate * exact_days).mean()
    assert abs(row["value_lost"] - exact_value) <= (rate * bound).mean()
    curves = br.retention_curves(bridge, extra_bad_contacts=(0, 1, 2)).query("day == day.max()")
    np.testing.assert_allclose(curves["staying"], [np.exp(-k * lam * HORIZON).mean() for k in (1, m, m ** 2)])


def _exact_staying(lam: np.ndarray, rho: float, m: float, days: np.ndarray, most: int = 15) -> np.ndarray:
    """The exact chance of staying at each day: constant risk ``lam``, bad contacts a Poisson process of rate ``rho``.

    A member's count ``k`` of new bad contacts is the state of a Markov chain (to ``k + 1`` at
    rate ``rho``, leaving at rate ``lam m^k``): the chance of staying to ``t`` is the first row of
    ``expm(Q t)`` summed. P(more than 15 bad contacts in a year) < 1e-12 here.
    """
    up = np.diag(np.full(most, rho), k=1)
    counts = np.arange(most + 1)
    return np.array([[linalg.expm((up - np.diag(rho * (counts < most) + risk * m ** counts)) * t)[0].sum()
                      for t in days] for risk in lam])


def test_a_resolution_scenario_matches_the_exact_effect_of_the_contacts_to_come(linear):
    """Customers kept, value kept and leavers of a service scenario against the exact Markov chain.

    The bridge carries the chain over its day grid with arrivals at the end of each step: the
    chances of staying are off by a fraction of a step's arrivals, well under 1% here.
    """
    bridge, lam = linear
    rates, m = bridge.service, bridge.effect("cum_bad_contacts")["hazard_ratio"]
    days = bridge.days
    np.testing.assert_allclose(_exact_staying(lam[:3], 0.0, m, days[-1:])[:, 0], np.exp(-lam[:3] * HORIZON),
                               rtol=1e-9)                                   # no contacts: the closed form
    now = _exact_staying(lam, rates.contacts_per_day * rates.bad_share, m, days)
    rate = bridge.customers["value"].to_numpy() / bridge.customers["days_expected"].to_numpy()
    for resolution in (0.95, 0.5):
        then = _exact_staying(lam, rates.contacts_per_day * rates.bad_share_with(resolution=resolution), m, days)
        row = br.what_if(bridge, resolution=resolution).iloc[0]
        kept = (then[:, -1] - now[:, -1]).sum()
        gained = (((then[:, 1:] + then[:, :-1]) - (now[:, 1:] + now[:, :-1])) / 2 * np.diff(days)).sum(axis=1)
        assert np.sign(row["customers_kept"]) == np.sign(kept)
        assert row["customers_kept"] == pytest.approx(kept, rel=0.01), resolution
        assert row["value_kept"] == pytest.approx((rate * gained).sum(), rel=0.01), resolution
        assert row["leavers"] == pytest.approx((1 - now[:, -1]).sum(), rel=0.001)   # future contacts included


def test_a_multiplier_that_changes_by_day_is_integrated_against_the_risk(linear):
    """``_cumulative`` with a per-day multiplier: integral of m(u) dH(u), against a direct numeric integral."""
    bridge, _ = linear
    days = bridge.days
    tenure, shape, scale = np.array([30.0, 400.0, 1500.0]), 0.8, 900.0  # a Weibull risk, falling with tenure
    hazard = ((tenure[:, None] + days) / scale) ** shape - (tenure[:, None] / scale) ** shape
    c = 0.004  # m(u) = exp(c u): the what-if scenarios' multiplier, growing with the contacts to come
    got = br._cumulative(hazard, np.exp(c * days)[None, :])

    def rate(u: float, a: float) -> float:  # m(u) h(u) for a customer of tenure a
        return np.exp(c * u) * shape / scale * ((a + u) / scale) ** (shape - 1)

    want = np.array([[integrate.quad(rate, 0, t, args=(a,), epsabs=1e-12)[0] for t in days] for a in tenure])
    # the rule averages m at the ends of each step of h days: per step off by at most
    # h^3 / 12 (max|m''| max h + 2 max|m'| max|h'|); summed over the horizon, T h^2 / 12 times that
    m1, m2 = c * np.exp(c * HORIZON), c ** 2 * np.exp(c * HORIZON)
    h_max = shape / scale * (tenure / scale) ** (shape - 1)
    dh_max = shape * (1 - shape) / scale ** 2 * (tenure / scale) ** (shape - 2)
    bound = days[None, :] * STEP ** 2 / 12 * (m2 * h_max + 2 * m1 * dh_max)[:, None]
    assert np.all(np.abs(got - want) <= bound + 1e-12)
    assert np.abs(got - want).max() > 1e-9  # an approximation, within its bound
    # a constant multiplier is exact; a multiplier per customer as a column too
    np.testing.assert_allclose(br._cumulative(hazard, 1.3), 1.3 * hazard)
    np.testing.assert_allclose(br._cumulative(hazard, np.array([[1.0], [2.0], [3.0]])), hazard * [[1], [2], [3]])


# --------------------------------------------------------------------------- independent implementations


def test_days_and_leaving_follow_lifelines_survival_curves(model, active, bridge):
    """hazard_ahead + the trapezoid rule against lifelines' conditional survival at the same days."""
    fitter = model.fitter
    inside = ~churn_risk(fitter, active, horizon=HORIZON)["extrapolated"].to_numpy()  # lifelines holds H0 flat beyond
    assert inside.mean() > 0.5
    curves = fitter.predict_survival_function(active, times=bridge.days, conditional_after=active["tenure"])
    staying = curves.to_numpy().T  # customers x days
    days = ((staying[:, 1:] + staying[:, :-1]) / 2 * np.diff(bridge.days)).sum(axis=1)
    np.testing.assert_allclose(bridge.customers["days_expected"].to_numpy()[inside], days[inside], rtol=1e-9)
    np.testing.assert_allclose(bridge.customers["leave_probability"].to_numpy()[inside], 1 - staying[inside, -1],
                               rtol=1e-9, atol=1e-12)


def test_the_cost_of_a_bad_contact_matches_a_monte_carlo_of_leave_times(model, active, bridge):
    """Draw each customer's leave time with and without one more bad contact; value the days at their rate."""
    row = br.value_per_bad_contact(bridge).iloc[0]
    m = float(np.exp(model.fitter.params_["cum_bad_contacts"]))
    assert m == pytest.approx(row["hazard_ratio"])
    day = np.r_[np.arange(0.0, HORIZON, 1.0), HORIZON]  # a daily grid, independent of the bridge's
    risk = hazard_ahead(model.fitter, active, day)
    rate = bridge.customers["value"].to_numpy() / bridge.customers["days_expected"].to_numpy()
    draws = np.random.default_rng(2024).exponential(1.0, (len(active), 4000))  # cumulative risk at which each leaves

    def days_in(multiplier: float) -> np.ndarray:
        """Days as a member within the horizon: invert exp(-m H(t)) (linear between days); the horizon if beyond."""
        return np.stack([np.interp(e / multiplier, h, day) for e, h in zip(draws, risk, strict=True)])

    as_is, worse = days_in(1.0), days_in(m)
    lost = as_is - worse  # the same draws: one more bad contact brings each departure forward
    assert (lost >= 0).all()
    per_draw_days, per_draw_value = lost.mean(axis=0), (rate[:, None] * lost).mean(axis=0)
    left = (worse < HORIZON).astype(float) - (as_is < HORIZON)
    per_draw_leavers = 1000 * left.mean(axis=0)
    for estimate, sample in [(row["days_lost"], per_draw_days), (row["value_lost"], per_draw_value),
                             (row["leavers_per_1000"], per_draw_leavers)]:
        se = sample.std(ddof=1) / np.sqrt(len(sample))
        # 4 standard errors of the Monte Carlo, plus 0.5% for the bridge's 7-day grid against a daily one
        assert abs(estimate - sample.mean()) <= 4 * se + 0.005 * abs(estimate), (estimate, sample.mean(), se)


def test_a_driver_is_priced_as_the_csat_scenario_it_implies(bridge):
    """driver -> CSAT -> risk: a point of a driver worth e CSAT points keeps what CSAT + e * points keeps."""
    effects = _driver_effects(effect=0.4)
    driver = br.driver_value_at_stake(bridge, effects, points=1.5).iloc[0]
    scenario = br.what_if(bridge, csat_points=0.4 * 1.5).iloc[0]
    assert driver["status"] == scenario["status"] == "clear"
    assert driver["customers_kept"] == pytest.approx(scenario["customers_kept"], rel=1e-12)
    assert driver["value_at_stake"] == pytest.approx(scenario["value_kept"], rel=1e-12)
    # its interval is wider: it carries the driver's uncertainty too
    assert driver["ci_high"] - driver["ci_low"] > scenario["ci_high"] - scenario["ci_low"]


# --------------------------------------------------------------------------- invariants


def test_intervals_hold_their_estimates(bridge):
    cost = br.value_per_bad_contact(bridge).iloc[0]
    assert cost["hr_low"] <= cost["hazard_ratio"] <= cost["hr_high"]
    assert cost["leavers_low"] <= cost["leavers_per_1000"] <= cost["leavers_high"]
    assert cost["ci_low"] <= cost["value_lost"] <= cost["ci_high"] and cost["ci_low"] < cost["ci_high"]
    for scenario in [{"resolution": 0.9}, {"long_waits": 0.02}, {"csat_points": 0.5}, {"resolution": 0.5}]:
        row = br.what_if(bridge, **scenario).iloc[0]
        assert row["kept_low"] <= row["customers_kept"] <= row["kept_high"], scenario
        assert row["ci_low"] <= row["value_kept"] <= row["ci_high"], scenario
    driver = br.driver_value_at_stake(bridge, _driver_effects()).iloc[0]
    assert driver["kept_low"] <= driver["customers_kept"] <= driver["kept_high"]
    assert driver["ci_low"] <= driver["value_at_stake"] <= driver["ci_high"]


def test_worse_service_loses_customers_and_better_keeps_them(bridge):
    now = bridge.service.resolution
    worse, better = br.what_if(bridge, resolution=now - 0.2).iloc[0], br.what_if(bridge, resolution=now + 0.2).iloc[0]
    assert worse["customers_kept"] < 0 < better["customers_kept"] and worse["value_kept"] < 0 < better["value_kept"]
    same = br.what_if(bridge, resolution=now).iloc[0]
    assert same["customers_kept"] == pytest.approx(0, abs=1e-9) and same["value_kept"] == pytest.approx(0, abs=1e-9)


def test_a_hazard_ratio_of_exactly_one_loses_nothing(bridge):
    null = _with_effect(bridge, "cum_bad_contacts", 1.0, 0.9, 1.1)
    row = br.value_per_bad_contact(null).iloc[0]
    assert row["days_lost"] == 0 and row["leavers_per_1000"] == 0
    assert br._change(null, np.arange(len(null.customers)), 1.0) == (0.0, 0.0)
    curves = br.retention_curves(null).pivot(index="day", columns="extra_bad_contacts", values="staying")
    np.testing.assert_array_equal(curves[0], curves[2])
    assert br.what_if(null, resolution=0.99).iloc[0]["customers_kept"] == pytest.approx(0, abs=1e-9)


@pytest.mark.parametrize("hr", [
    1.3,
    1.05,
    1.0,
])
def test_the_leavers_interval_is_the_leavers_at_the_ends_of_the_hazard_ratios_interval(bridge, hr):
    """Leavers rise with the hazard ratio, so the draws' 2.5% and 97.5% points are the leavers at its own."""
    low_hr, high_hr = hr / 1.1, hr * 1.1
    shifted = _with_effect(bridge, "cum_bad_contacts", hr, low_hr, high_hr)
    row = br.value_per_bad_contact(shifted).iloc[0]
    rows = np.arange(len(shifted.customers))
    draws = br._coefficient_draws(shifted, ["cum_bad_contacts"], shifted.n_draws)[:, 0]
    ends = np.exp(np.quantile(draws, [0.025, 0.975]))
    # 300 draws: their 2.5% point has a standard error of 0.15 standard deviations (4 of them here)
    np.testing.assert_allclose(np.log(ends), np.log([low_hr, high_hr]), atol=4 * 0.15 * np.log(1.1) / 1.96)
    low, high = (1000 * br._change(shifted, rows, 1.0, m)[0] / len(rows) for m in ends)
    assert low < high
    assert row["leavers_low"] == pytest.approx(low, abs=1e-3 * (high - low))
    assert row["leavers_high"] == pytest.approx(high, abs=1e-3 * (high - low))


def test_intervals_drawn_on_a_subsample_are_those_of_all_customers(bridge):
    """The draws run on a seeded subsample as a ratio to its own figure: the intervals barely move."""
    assert len(bridge.customers) < bridge.subsample  # the fixture's intervals use every customer
    small = dataclasses.replace(bridge, subsample=100)
    for call, columns in [(br.value_per_bad_contact, ["leavers_low", "leavers_high", "ci_low", "ci_high"]),
                          (lambda b: br.what_if(b, resolution=0.9, csat_points=-0.3),
                           ["kept_low", "kept_high", "ci_low", "ci_high"])]:
        full, sub = call(bridge).iloc[0], call(small).iloc[0]
        for low, high in [columns[:2], columns[2:]]:
            # the 2.5% point of 300 draws is known to 0.15 standard deviations, 4% of the width: 4 of those
            tolerance = 0.15 * (full[high] - full[low])
            assert sub[low] == pytest.approx(full[low], abs=tolerance) and \
                sub[high] == pytest.approx(full[high], abs=tolerance), (low, high)


def test_a_larger_hazard_ratio_loses_more(bridge):
    rows = pd.concat([br.value_per_bad_contact(_with_effect(bridge, "cum_bad_contacts", hr, hr / 1.05, hr * 1.05))
                      for hr in (1.1, 1.3, 1.6, 2.0)], ignore_index=True)
    for column in ["days_lost", "leavers_per_1000", "value_lost", "ci_low", "ci_high"]:
        assert rows[column].is_monotonic_increasing and rows[column].is_unique, column


def test_doubling_every_value_doubles_the_money_and_keeps_the_customers(model, active, values, bridge):
    double = _build(model, active, values, scale=2.0)
    for name, call in [("cost", lambda b: br.value_per_bad_contact(b)),
                       ("scenario", lambda b: br.what_if(b, resolution=0.9, csat_points=0.3)),
                       ("driver", lambda b: br.driver_value_at_stake(b, _driver_effects()))]:
        one, two = call(bridge).iloc[0], call(double).iloc[0]
        money = [c for c in ["value_lost", "value_kept", "value_at_stake", "ci_low", "ci_high"] if c in one.index]
        people = [c for c in ["days_lost", "leavers_per_1000", "leavers_low", "leavers_high", "customers_kept",
                              "kept_low", "kept_high"] if c in one.index]
        np.testing.assert_allclose(two[money].astype(float), 2 * one[money].astype(float), rtol=1e-9, err_msg=name)
        np.testing.assert_allclose(two[people].astype(float), one[people].astype(float), rtol=1e-12, err_msg=name)


def test_revenue_per_month_values_each_lost_day_at_that_rate(model, active):
    revenue = 42.0
    bridge = br.build_bridge(model, active, revenue_per_month=revenue, n_draws=100)
    assert bridge.value_source == "revenue per customer-month"
    np.testing.assert_allclose(bridge.customers["value"], revenue * bridge.customers["days_expected"] / MONTH_DAYS)
    row = br.value_per_bad_contact(bridge).iloc[0]
    assert row["value_lost"] == pytest.approx(row["days_lost"] * revenue / 30.4375, rel=1e-9)


# --------------------------------------------------------------------------- what it cannot compute


def test_without_contacts_a_bad_contact_cannot_be_priced():
    members = _members(contacts=False)
    model = fit_churn_model(members)
    assert model.columns == ["latest_csat"]
    bridge = _build(model, _active(members), _values(_active(members)))
    assert bridge.bad_contacts is None and bridge.service is None
    assert any("bad contact" in note for note in bridge.notes)
    row = br.value_per_bad_contact(bridge).iloc[0]
    assert row["status"] == "cannot compute" and "bad contacts" in row["reason"]
    assert np.isnan(row.get("value_lost", np.nan))
    scenario = br.what_if(bridge, resolution=0.9).iloc[0]
    assert scenario["status"] == "cannot compute" and "contacts" in scenario["reason"]
    assert br.retention_curves(bridge)["extra_bad_contacts"].unique().tolist() == [0]
    # satisfaction is still priced
    assert br.what_if(bridge, csat_points=0.5).iloc[0]["status"] == "clear"


def test_without_csat_satisfaction_and_drivers_cannot_be_priced():
    members = _members(csat=False)
    model = fit_churn_model(members)
    assert model.columns == ["cum_bad_contacts"]
    bridge = _build(model, _active(members), _values(_active(members)))
    assert bridge.csat is None and any("CSAT" in note for note in bridge.notes)
    driver = br.driver_value_at_stake(bridge, _driver_effects()).iloc[0]
    assert driver["status"] == "cannot compute" and "CSAT" in driver["reason"] and np.isnan(driver["value_at_stake"])
    scenario = br.what_if(bridge, csat_points=0.5).iloc[0]
    assert scenario["status"] == "cannot compute" and "CSAT" in scenario["reason"]
    mixed = br.what_if(bridge, resolution=0.9, csat_points=0.5).iloc[0]
    assert mixed["status"] == "cannot compute"
    # a bad contact is still priced
    assert br.value_per_bad_contact(bridge).iloc[0]["status"] == "clear"


def test_without_values_or_revenue_the_figures_are_customers_and_days(model, active):
    bridge = br.build_bridge(model, active, n_draws=100)
    assert not bridge.has_value and bridge.customers["value"].isna().all()
    assert any("money" in note for note in bridge.notes)
    cost = br.value_per_bad_contact(bridge).iloc[0]
    assert cost["status"] == "clear" and "no value" in cost["reason"]
    assert cost["days_lost"] > 0 and cost["leavers_per_1000"] > 0
    assert np.isnan([cost["value_lost"], cost["ci_low"], cost["ci_high"]]).all()
    scenario = br.what_if(bridge, csat_points=0.5).iloc[0]
    assert scenario["customers_kept"] > 0 and np.isnan(scenario["value_kept"])
    driver = br.driver_value_at_stake(bridge, _driver_effects()).iloc[0]
    assert driver["customers_kept"] > 0 and np.isnan(driver["value_at_stake"]) and "no value" in driver["reason"]


def test_a_link_that_is_not_clear_gives_no_money_and_says_which(bridge):
    loose = _with_effect(bridge, "cum_bad_contacts", 1.1, 0.95, 1.27)
    cost = br.value_per_bad_contact(loose).iloc[0]
    assert cost["status"] == "not clear" and "no clear effect of a bad contact" in cost["reason"]
    assert np.isnan([cost["value_lost"], cost["ci_low"], cost["ci_high"]]).all() and cost["days_lost"] > 0
    scenario = br.what_if(loose, resolution=0.9).iloc[0]
    assert scenario["status"] == "not clear" and "bad contacts" in scenario["reason"]
    assert "CSAT" not in scenario["reason"] and np.isnan(scenario["value_kept"])
    # the other link, still clear, is still priced
    assert br.what_if(loose, csat_points=0.5).iloc[0]["status"] == "clear"

    vague_csat = _with_effect(bridge, "latest_csat", 0.9, 0.7, 1.15)
    driver = br.driver_value_at_stake(vague_csat, _driver_effects()).iloc[0]
    assert driver["status"] == "not clear" and "no clear link between CSAT and leaving" in driver["reason"]
    assert np.isnan(driver["value_at_stake"])
    vague_driver = br.driver_value_at_stake(bridge, _driver_effects(0.05, -0.1, 0.2)).iloc[0]
    assert vague_driver["status"] == "not clear" and "no clear effect of clarity on CSAT in everyone" \
        in vague_driver["reason"] and np.isnan(vague_driver["value_at_stake"])


@pytest.mark.parametrize("call, argument", [
    (lambda b: br.what_if(b, resolution=1.5), "resolution"),
    (lambda b: br.what_if(b, long_waits=-0.1), "long_waits"),
    (lambda b: br.what_if(b, resolution=True), "resolution"),
    (lambda b: br.what_if(b), "what_if"),
    (lambda b: br.what_if(b, csat_points=float("nan")), "csat_points"),
    (lambda b: br.what_if(b, csat_points=0.5, segment="top spenders"), "segments"),
    (lambda b: br.driver_value_at_stake(b, _driver_effects(segment="top spenders")), "segments"),
])
def test_bad_arguments_raise_argument_errors_naming_them(bridge, call, argument):
    with pytest.raises(ArgumentError) as caught:
        call(bridge)
    assert caught.value.column == argument


@pytest.mark.parametrize("options, argument", [
    ({"horizon_months": 0}, "horizon_months"),
    ({"n_draws": 1}, "n_draws"),
    ({"revenue_per_month": -5.0}, "revenue_per_month"),
    ({"value_interval": (500.0, 100.0)}, "value_interval"),
    ({"fitter": None}, "model"),
])
def test_a_bridge_cannot_be_built_on_bad_arguments(model, active, values, options, argument):
    if "fitter" in options:
        model = dataclasses.replace(model, fitter=None)
        options = {}
    with pytest.raises(ArgumentError) as caught:
        br.build_bridge(model, active, values=values, **options)
    assert caught.value.column == argument


def test_segments_narrow_the_customers(bridge):
    ids = bridge.customers["customer_id"]
    top = np.arange(len(ids)) % 3 == 0
    segments = pd.DataFrame({"customer_id": ids, "segment": np.where(top, "top", "rest")})
    everyone = br.what_if(bridge, csat_points=0.5).iloc[0]
    parts = [br.what_if(bridge, csat_points=0.5, segment=s, segments=segments).iloc[0] for s in ("top", "rest")]
    assert [p["customers"] for p in parts] == [top.sum(), (~top).sum()]
    # customers kept and value add up over a partition (the point estimates; intervals do not add)
    assert sum(p["customers_kept"] for p in parts) == pytest.approx(everyone["customers_kept"], rel=1e-9)
    assert sum(p["value_kept"] for p in parts) == pytest.approx(everyone["value_kept"], rel=1e-9)
