"""The shifted-beta-geometric (sBG) subscription model: published fits, DERL, cohorts, CLV, bad input, recovery."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.special import betaln

from cxkit.clv import (
    ShiftedBetaGeometricFitter,
    fit_sbg,
    sbg_holdout,
    subscription_clv,
    subscription_cohorts,
)
from cxkit.clv.sbg import _derl_series
from cxkit.errors import DataError, FitError

# Fader & Hardie (2007), "How to project customer retention", Table 1 / Figure 2: alive at the start of years 0-7.
HIGH_END = [1000, 869, 743, 653, 593, 551, 517, 491]
REGULAR = [1000, 631, 468, 382, 326, 289, 262, 241]


@pytest.fixture(scope="module")
def high_end():
    return ShiftedBetaGeometricFitter().fit(HIGH_END)


# --------------------------------------------------------------------------- published fits


@pytest.mark.parametrize("alive, alpha, beta, loglik", [
    (HIGH_END, 0.668, 3.806, -1611.16),
    (REGULAR, 0.704, 1.182, -1680.27),
])
def test_the_published_fits_are_reproduced(alive, alpha, beta, loglik):
    sbg = ShiftedBetaGeometricFitter().fit(alive)
    assert sbg.params_["alpha"] == pytest.approx(alpha, abs=5e-4)
    assert sbg.params_["beta"] == pytest.approx(beta, abs=5e-4)
    assert sbg.log_likelihood_ == pytest.approx(loglik, abs=5e-3)
    assert sbg.n_customers_ == 1000 and sbg.converged_


def _loglik(theta, alive):
    a, b = theta
    alive = np.asarray(alive, float)
    k = np.arange(alive.size - 1)
    p = np.exp(betaln(a + 1, b + k) - betaln(a, b))
    return float((alive[:-1] - alive[1:]) @ np.log(p) + alive[-1] * (betaln(a, b + k.size) - betaln(a, b)))


def test_standard_errors_come_from_the_curvature_of_the_log_likelihood(high_end):
    # the observed information by finite differences of the log-likelihood written out here, in log-parameters
    phi, h = np.log(high_end.params_.to_numpy()), 1e-4
    H = np.empty((2, 2))
    for i in range(2):
        for j in range(2):
            ei, ej = np.eye(2)[i] * h, np.eye(2)[j] * h
            ll = [_loglik(np.exp(phi + si * ei + sj * ej), HIGH_END) for si, sj in ((1, 1), (1, -1), (-1, 1), (-1, -1))]
            H[i, j] = (ll[0] - ll[1] - ll[2] + ll[3]) / (4 * h * h)
    np.testing.assert_allclose(high_end.covariance_.to_numpy(), np.linalg.inv(-H), rtol=1e-3)
    s = high_end.summary
    assert (s["lower 95% bound"] < s["coef"]).all() and (s["coef"] < s["upper 95% bound"]).all()
    assert list(high_end.variance_matrix_.index) == ["alpha", "beta"]


def test_retention_and_churn_probability_agree(high_end):
    t = np.arange(12)
    s = high_end.retention(np.arange(13))
    a, b = high_end.params_
    assert s[0] == 1.0 and np.all(np.diff(s) < 0)
    np.testing.assert_allclose(high_end.churn_probability(t), 1 - s[1:] / s[:-1], rtol=1e-12)
    np.testing.assert_allclose(high_end.churn_probability(t, given_alive=False), s[:-1] - s[1:], rtol=1e-12)
    np.testing.assert_allclose(high_end.churn_probability(t), a / (a + b + t))
    # the fit follows the data it saw: within 3 % of every year's survivors
    np.testing.assert_allclose(1000 * high_end.retention(np.arange(8)), HIGH_END, rtol=0.03)


# --------------------------------------------------------------------------- DERL


@pytest.mark.parametrize("discount", [0.01, 0.1, 0.25])
@pytest.mark.parametrize("params", [(0.668, 3.806), (0.704, 1.182), (2.5, 40.0)])
def test_derl_is_the_discounted_sum_of_the_retention_curve(params, discount):
    sbg = ShiftedBetaGeometricFitter.from_params(alpha=params[0], beta=params[1])
    n = np.array([0, 1, 4, 12, 60])
    k = np.arange(6000)
    for renewed, value in zip(n, sbg.derl(n, discount=discount), strict=True):
        s = sbg.retention(renewed + 1 + k) / sbg.retention(renewed)  # alive at n + 1 + k given alive at n
        assert value == pytest.approx(np.sum(s * np.exp(-k * np.log1p(discount))), rel=1e-9)


def test_derl_matches_the_hypergeometric_series_summed_term_by_term():
    a, b, d = 0.668, 3.806, 0.1
    sbg = ShiftedBetaGeometricFitter.from_params(alpha=a, beta=b)
    for n in (0, 3, 7):
        z, term, total = 1 / (1 + d), 1.0, 0.0
        for j in range(4000):  # 2F1(1, b + n + 1; a + b + n + 1; z) = sum_j (b+n+1)_j / (a+b+n+1)_j z^j
            total += term
            term *= (b + n + 1 + j) / (a + b + n + 1 + j) * z
        assert sbg.derl(n, discount=d) == pytest.approx((b + n) / (a + b + n) * total, rel=1e-10)
        assert _derl_series(a, b, float(n), z) == pytest.approx(sbg.derl(n, discount=d), rel=1e-10)


def test_derl_of_the_high_end_segment_matches_an_independent_implementation():
    # 7.530: DERL after 7 renewals at 10 % a year for the High End fit, as the README of the
    # `shifted_beta_geometric` Python package (an implementation of Fader & Hardie 2010, eq. 6) reports it
    sbg = ShiftedBetaGeometricFitter.from_params(alpha=0.668, beta=3.806)
    assert round(sbg.derl(7, discount=0.10), 3) == 7.530


def test_derl_refuses_a_zero_discount_and_fractional_renewals(high_end):
    with pytest.raises(DataError, match="discount"):
        high_end.derl(3, discount=0)
    with pytest.raises(DataError, match="whole numbers"):
        high_end.derl(2.5)


# --------------------------------------------------------------------------- holdout


def test_holdout_compares_the_forecast_of_unseen_periods_with_what_happened():
    check = sbg_holdout(HIGH_END, calibration_periods=5)
    fit = ShiftedBetaGeometricFitter().fit(HIGH_END[:6])
    assert check["period"].tolist() == list(range(8))
    assert check["sample"].tolist() == ["calibration"] * 6 + ["holdout"] * 2
    np.testing.assert_allclose(check["forecast"], 1000 * fit.retention(np.arange(8)))
    np.testing.assert_allclose(check["error_pct"], 100 * (check["forecast"] - HIGH_END) / HIGH_END)
    assert check.attrs["mean_abs_error_pct"] == pytest.approx(check["error_pct"].iloc[6:].abs().mean())
    with pytest.raises(DataError, match="calibration_periods"):
        sbg_holdout(HIGH_END, calibration_periods=7)  # nothing left for the holdout


# --------------------------------------------------------------------------- cohorts from customers


def _customers(rows):
    frame = pd.DataFrame(rows, columns=["customer_id", "signup_date", "churn_date", "plan", "fee"])
    frame["signup_date"] = pd.to_datetime(frame["signup_date"])
    frame["churn_date"] = pd.to_datetime(frame["churn_date"])
    return frame


HAND = _customers([
    # January 2025 cohort; as_of 2025-05-31: the last member (Jan 31) has reached period 3 (120 days)
    ("a", "2025-01-02", "2025-01-20", "basic", 10.0),   # left in period 0
    ("b", "2025-01-10", "2025-03-01", "basic", 10.0),   # 50 days: alive at period 1, left in it
    ("c", "2025-01-15", None, "plus", 20.0),            # active: alive throughout
    ("d", "2025-01-31", "2025-03-02", "plus", 20.0),    # 30 days: left in period 0
    ("e", "2025-01-05", "2025-07-01", "basic", 10.0),   # churn after as_of: active on as_of
    # February 2025 cohort: the last member (Feb 20) has reached period 3 (100 days)
    ("f", "2025-02-01", "2025-04-05", "plus", 20.0),    # 63 days: alive at periods 1 and 2, left in 2
    ("g", "2025-02-20", None, "basic", None),           # active, no fee
    # left out and reported
    ("h", None, None, "basic", 10.0),                   # no sign-up date
    ("i", "2025-03-01", "2025-02-01", "plus", 20.0),    # cancelled before signing up
    ("j", "2025-06-15", None, "plus", 20.0),            # signed up after as_of
])


def test_cohorts_count_who_is_alive_at_each_period_start_by_hand():
    out = subscription_cohorts(HAND, as_of="2025-05-31")
    jan = out[out["cohort"] == pd.Timestamp("2025-01-01")]
    feb = out[out["cohort"] == pd.Timestamp("2025-02-01")]
    assert jan["alive"].tolist() == [5, 3, 2, 2]       # a, d leave in period 0; b in period 1
    assert feb["alive"].tolist() == [2, 2, 2, 1]       # f leaves in period 2
    assert jan["censored"].tolist() == [0, 0, 0, 2] and feb["censored"].tolist() == [0, 0, 0, 1]
    rules = {e["rule"]: e["n_rows"] for e in out.attrs["exclusions"]}
    assert rules == {"no signup_date": 1, "churn_date before signup_date": 1, "signed up after as_of": 1}
    assert out.attrs["period_days"] == 30.4375


def test_cohorts_by_segment_and_by_weeks():
    plan = subscription_cohorts(HAND, as_of="2025-05-31", by="plan")
    assert plan.columns.tolist() == ["cohort", "plan", "period", "alive", "censored"]
    jan_plus = plan[(plan["plan"] == "plus") & (plan["cohort"] == pd.Timestamp("2025-01-01"))]
    assert jan_plus["alive"].tolist() == [2, 1, 1, 1]  # c stays, d leaves in period 0; followed from Jan 31
    weekly = subscription_cohorts(HAND.iloc[[2, 3]], as_of="2025-03-02", period="W")
    # c (Wed Jan 15) and d (Fri Jan 31) are in different weeks; d's cancellation on day 30 falls in week 4
    assert weekly.groupby("cohort")["alive"].apply(list).tolist() == [[1] * 7, [1, 1, 1, 1, 1]]


def test_a_cancellation_on_the_renewal_day_is_a_renewal_not_made():
    c = _customers([("a", "2025-01-01", "2025-01-15", None, None), ("b", "2025-01-01", "2025-01-16", None, None),
                    ("c", "2025-01-01", None, None, None)])
    out = subscription_cohorts(c, as_of="2025-02-26", period=14)  # periods of 14 days
    assert out["alive"].tolist() == [3, 2, 1, 1, 1]  # a left on day 14 (period 1's first day), b on day 15


def test_tenure_and_churned_export_is_one_cohort_right_censored_at_each_tenure():
    months = 30.4375
    c = pd.DataFrame({"customer_id": list("abcdef"),
                      "tenure_days": np.array([1, 1, 2, 3, 3, 0.5]) * months,
                      "churned": [True, False, True, False, True, True]})
    out = subscription_cohorts(c, as_of=None)
    # alive at the start of a period: churned tenure t months -> periods 0..t-1; active -> periods 0..t
    assert out["cohort"].unique().tolist() == ["all"]
    assert out["alive"].tolist() == [6, 4, 2, 1]  # period 1: b, c, d, e; period 2: d, e; period 3: d
    assert out["censored"].tolist() == [0, 1, 0, 1]


# --------------------------------------------------------------------------- value per subscriber


def test_clv_with_a_fee_column_and_with_a_stated_fee(high_end):
    clv = subscription_clv(HAND, high_end, as_of="2025-05-31", margin="fee", discount_rate=0.02)
    assert clv["customer_id"].tolist() == ["c", "e"]     # g has no fee: left out and reported
    assert clv["periods_renewed"].tolist() == [4, 4]     # 136 and 146 days
    np.testing.assert_allclose(clv["derl"], high_end.derl(np.array([4, 4]), discount=0.02))
    np.testing.assert_allclose(clv["clv"], clv["derl"] * np.array([20.0, 10.0]))
    rules = {e["rule"]: e["n_rows"] for e in clv.attrs["exclusions"]}
    assert rules["no value in fee (margin per period): not valued"] == 1
    flat = subscription_clv(HAND, high_end, as_of="2025-05-31", margin=15)
    assert flat["customer_id"].tolist() == ["c", "e", "g"]
    np.testing.assert_allclose(flat["clv"], 15 * flat["derl"])
    assert "clv" not in subscription_clv(HAND, high_end, as_of="2025-05-31").columns


def test_negative_fees_are_refused_naming_the_column_and_rows(high_end):
    bad = HAND.assign(fee=HAND["fee"].where(HAND["customer_id"] != "c", -5.0))
    with pytest.raises(DataError, match=r"column 'fee'.*>= 0") as err:
        subscription_clv(bad, high_end, as_of="2025-05-31", margin="fee")
    assert err.value.rows["customer_id"].tolist() == ["c"]


def _covers(summary, truth):
    """True when every 95 % interval of ``summary`` holds the true value."""
    truth = np.asarray(truth, dtype=float)
    lower, upper = summary["lower 95% bound"].to_numpy(), summary["upper 95% bound"].to_numpy()
    return bool(np.all((lower <= truth) & (truth <= upper)))


def _simulate(alpha, beta, n, periods, rng):
    """Periods each customer stays: churn probability ~ Beta(alpha, beta), geometric lifetimes (>= 1 period)."""
    theta = rng.beta(alpha, beta, n)
    return np.minimum(rng.geometric(theta), periods + 1)  # periods paid; > periods: still subscribed


def _simulated_customers(rng, by_plan):
    rows = []
    for plan, (a, b) in by_plan.items():
        for month in range(24):
            signup = pd.Timestamp("2024-01-01") + pd.DateOffset(months=month)
            paid = _simulate(a, b, 250, 40, rng)
            days = paid * 30.4375 - rng.integers(1, 20, paid.size)  # cancels during the last paid month
            churn = signup + pd.to_timedelta(np.floor(days), unit="D")
            rows.append(pd.DataFrame({"signup_date": signup, "churn_date": churn, "plan": plan}))
    out = pd.concat(rows, ignore_index=True)
    out.loc[out["churn_date"] > pd.Timestamp("2025-12-31"), "churn_date"] = pd.NaT
    out.insert(0, "customer_id", [f"C{i}" for i in range(len(out))])
    out["fee"] = np.where(out["plan"] == "plus", 30.0, 10.0)
    return out


@pytest.fixture(scope="module")
def simulated():
    return _simulated_customers(np.random.default_rng(7), {"basic": (0.8, 2.5), "plus": (1.5, 9.0)})


def test_clv_per_segment_fits_each_segment_with_its_own_parameters(simulated):
    clv = subscription_clv(simulated, as_of="2025-12-31", margin="fee", by="plan")
    fits = fit_sbg(subscription_cohorts(simulated, as_of="2025-12-31", by="plan"), by="plan")
    assert set(clv.attrs["params"]) == {"basic", "plus"}
    for plan, truth in {"basic": (0.8, 2.5), "plus": (1.5, 9.0)}.items():
        s = fits[plan].summary
        assert _covers(s, truth), (plan, s)
        rows = clv[clv["plan"] == plan]
        np.testing.assert_allclose(rows["derl"], fits[plan].derl(rows["periods_renewed"].to_numpy()))
    assert clv.attrs["fit_exclusions"]  # the youngest cohorts (Nov, Dec 2025) are too young to fit on


def test_recovery_from_one_simulated_cohort():
    rng = np.random.default_rng(11)
    paid = _simulate(0.7, 3.0, 6000, 12, rng)
    alive = [(paid > k).sum() for k in range(13)]
    s = ShiftedBetaGeometricFitter().fit(alive).summary
    assert _covers(s, [0.7, 3.0]), s


def test_recovery_from_a_tenure_export_with_censoring():
    rng = np.random.default_rng(3)
    paid = _simulate(1.2, 4.0, 5000, 1000, rng)
    followed = rng.integers(1, 25, paid.size)  # months each customer could be followed
    churned = paid <= followed
    tenure = np.where(churned, paid, followed) * 30.4375
    c = pd.DataFrame({"customer_id": np.arange(paid.size), "tenure_days": tenure, "churned": churned})
    s = fit_sbg(subscription_cohorts(c, as_of=None)).summary
    assert _covers(s, [1.2, 4.0]), s


# --------------------------------------------------------------------------- bad input


def test_a_cohort_of_fewer_than_three_periods_is_refused():
    with pytest.raises(DataError, match="at least 3 periods"):
        ShiftedBetaGeometricFitter().fit([1000, 800])


def test_short_cohorts_among_several_are_left_out_and_reported():
    cohorts = pd.DataFrame({"cohort": ["A"] * 8 + ["B"] * 2, "period": list(range(8)) + [0, 1],
                            "alive": HIGH_END + [300, 200]})
    sbg = ShiftedBetaGeometricFitter().fit_cohorts(cohorts)
    assert sbg.params_["alpha"] == pytest.approx(0.668, abs=5e-4)  # B says nothing: the High End fit
    (left,) = sbg.exclusions_
    assert (left.rows, left.customers, left.examples) == (2, 300, "B")
    with pytest.raises(DataError, match="no cohort is observed"):
        ShiftedBetaGeometricFitter().fit_cohorts(cohorts[cohorts["cohort"] == "B"])


def test_customers_who_never_cancelled_cannot_be_fitted():
    stay = HAND.assign(churn_date=pd.NaT)
    with pytest.raises(DataError, match="no customer cancelled.*cannot be fitted"):
        subscription_clv(stay, as_of="2025-05-31", margin="fee")
    with pytest.raises(DataError, match="no customer cancelled"):
        ShiftedBetaGeometricFitter().fit([100, 100, 100])


@pytest.mark.parametrize("alive, match", [
    ([1000, 900, 950, 800], "may not rise"),
    ([1000, 869.5, 743], "whole numbers"),
    ([0, 0, 0], "above 0"),
])
def test_bad_counts_are_refused(alive, match):
    with pytest.raises(DataError, match=match):
        ShiftedBetaGeometricFitter().fit(alive)


def test_a_fit_that_will_not_converge_says_what_to_try():
    # every customer equally likely to cancel (10 % a period): the heterogeneity runs to infinity
    with pytest.raises(FitError, match="one constant churn rate fits.*penalizer_coef"):
        ShiftedBetaGeometricFitter().fit([1000, 900, 810, 729, 656])


def test_bad_arguments_are_refused(high_end):
    with pytest.raises(DataError, match="period must be one of"):
        subscription_cohorts(HAND, as_of="2025-05-31", period="fortnight")
    with pytest.raises(DataError, match="by="):
        subscription_clv(HAND, high_end, as_of="2025-05-31", by="plan")
    with pytest.raises(DataError, match="gaps"):
        ShiftedBetaGeometricFitter().fit_cohorts(pd.DataFrame({"cohort": "A", "period": [0, 1, 3],
                                                               "alive": [10, 8, 7]}))
