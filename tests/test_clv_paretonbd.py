"""Pareto/NBD against the published CDNOW fit, lifetimes' formulas and simulated truth."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from clv_simulation import simulate_split
from scipy import integrate
from scipy.special import gammaln, hyp2f1, logsumexp

from cxkit import clv
from cxkit.clv import ParetoNBDFitter
from cxkit.clv.diagnostics import holdout_error, holdout_predictions
from cxkit.errors import DataError, FitError

DATA = Path(__file__).parent / "data" / "cdnow"
TRUE = {"r": 0.5, "alpha": 6.0, "s": 0.8, "beta": 12.0}  # weeks


@pytest.fixture(scope="module")
def published() -> pd.DataFrame:
    return pd.read_csv(DATA / "cdnow_customers_summary.csv").set_index("ID")


@pytest.fixture(scope="module")
def pnbd(published: pd.DataFrame) -> ParetoNBDFitter:
    return ParetoNBDFitter().fit(published["frequency"], published["recency"], published["T"])


@pytest.fixture(scope="module")
def split() -> pd.DataFrame:
    return simulate_split("Pareto/NBD", TRUE, 20000, seed=3)


@pytest.fixture(scope="module")
def fitted(split: pd.DataFrame) -> ParetoNBDFitter:
    return ParetoNBDFitter().fit(split["frequency_cal"], split["recency_cal"], split["T_cal"])


# lifetimes 0.11.3 (ParetoNBDFitter), written out: the note's 2F1 form with logsumexp
def lifetimes_loglik(params, x, t_x, T):
    r, alpha, s, beta = params
    lo, hi, t = (alpha, beta, r + x) if alpha < beta else (beta, alpha, s + 1)
    rsx = r + s + x
    p1, q1 = hyp2f1(rsx, t, rsx + 1.0, (hi - lo) / (hi + t_x)), hi + t_x
    p2, q2 = hyp2f1(rsx, t, rsx + 1.0, (hi - lo) / (hi + T)), hi + T
    with np.errstate(divide="ignore"):
        log_a0 = logsumexp(
            [np.log(p1) + rsx * np.log(q2), np.log(p2) + rsx * np.log(q1)], axis=0, b=[[1.0], [-1.0]]
        ) - rsx * np.log(q1 * q2)
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    a2 = np.logaddexp(-(r + x) * np.log(alpha + T) - s * np.log(beta + T), np.log(s) + log_a0 - np.log(rsx))
    return a1 + a2


def lifetimes_expected(params, t, x, t_x, T):
    r, alpha, s, beta = params
    first = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta) - (r + x) * np.log(
        alpha + T
    ) - s * np.log(beta + T)
    second = np.log(r + x) + np.log(beta + T) - np.log(alpha + T)
    third = np.log((1 - ((beta + T) / (beta + T + t)) ** (s - 1)) / (s - 1))
    return np.exp(first + second + third - lifetimes_loglik(params, x, t_x, T))


def test_reproduces_published_cdnow_estimates(published: pd.DataFrame, pnbd: ParetoNBDFitter) -> None:
    # Fader, Hardie & Lee's MATLAB note: r 0.5533, alpha 10.5776, s 0.6061, beta 11.6650, LL -9594.98
    p = pnbd.params_
    assert p.drop("beta").round(3).to_dict() == {"r": 0.553, "alpha": 10.578, "s": 0.606}
    assert round(pnbd.log_likelihood_, 1) == -9595.0
    assert pnbd.n_customers_ == 2357 and pnbd.converged_
    # beta is barely pinned down (se ~ 6): the note's estimates, rounded to 4 decimals, are
    # the same optimum to within 1e-5 in log-likelihood, and our maximum is at least as high
    assert p["beta"] == pytest.approx(11.665, abs=0.005)
    note = ParetoNBDFitter.from_params(r=0.5533, alpha=10.5776, s=0.6061, beta=11.6650)
    ll_note = note.individual_log_likelihood(published["frequency"], published["recency"], published["T"]).sum()
    assert pnbd.log_likelihood_ >= ll_note - 1e-8
    assert pnbd.log_likelihood_ - ll_note < 1e-5
    s = pnbd.summary
    assert (s["lower 95% bound"] < s["coef"]).all() and (s["coef"] < s["upper 95% bound"]).all()


def test_likelihood_and_forecasts_match_lifetimes_formulas(published: pd.DataFrame, pnbd: ParetoNBDFitter) -> None:
    x, tx, T = (published[c].to_numpy(dtype=float) for c in ("frequency", "recency", "T"))
    theta = pnbd.params_.to_numpy()
    ll_rows = pnbd.individual_log_likelihood(x, tx, T)
    np.testing.assert_allclose(ll_rows, lifetimes_loglik(theta, x, tx, T), rtol=1e-9, atol=1e-9)
    assert ll_rows.sum() == pytest.approx(pnbd.log_likelihood_, abs=1e-6)
    for t in (1.0, 39.0, 104.0):
        np.testing.assert_allclose(
            pnbd.conditional_expected_number_of_purchases_up_to_time(t, x, tx, T),
            lifetimes_expected(theta, t, x, tx, T),
            rtol=1e-8,
        )
    r, alpha, s, beta = theta
    a = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
    c = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    np.testing.assert_allclose(
        pnbd.conditional_probability_alive(x, tx, T), np.exp(c + a - lifetimes_loglik(theta, x, tx, T)), rtol=1e-9
    )
    t = np.array([13.0, 39.0, 78.0])
    np.testing.assert_allclose(
        pnbd.expected_number_of_purchases_up_to_time(t),
        r * beta / (alpha * (s - 1)) * (1 - (beta / (beta + t)) ** (s - 1)),
        rtol=1e-10,
    )


def test_alpha_equal_beta_and_s_equal_one_are_smooth() -> None:
    x, tx, T = np.array([0.0, 3.0, 12.0]), np.array([0.0, 20.0, 38.0]), np.array([39.0, 39.0, 39.0])
    at = ParetoNBDFitter.from_params(r=0.6, alpha=10.0, s=0.7, beta=10.0)
    near = [ParetoNBDFitter.from_params(r=0.6, alpha=10.0, s=0.7, beta=10.0 * (1 + d)) for d in (-1e-9, 1e-9)]
    ll = at.individual_log_likelihood(x, tx, T)
    for other in near:
        np.testing.assert_allclose(other.individual_log_likelihood(x, tx, T), ll, rtol=1e-7)
    # at alpha = beta the drop-out term is s * integral_{t_x}^{T} (alpha + u)^-(r+s+x+1) du
    for xi, ti, Ti, li in zip(x, tx, T, ll, strict=True):
        tail = integrate.quad(lambda u, xi=xi: (10.0 + u) ** -(0.6 + 0.7 + xi + 1), ti, Ti)[0]
        direct = gammaln(0.6 + xi) - gammaln(0.6) + 1.3 * np.log(10.0) + np.log(
            (10.0 + Ti) ** -(1.3 + xi) + 0.7 * tail
        )
        assert li == pytest.approx(direct, rel=1e-9)
    # s = 1: the forecast takes its limit (beta+T) log(1 + t/(beta+T)) smoothly
    one = ParetoNBDFitter.from_params(r=0.6, alpha=10.0, s=1.0, beta=12.0)
    beside = ParetoNBDFitter.from_params(r=0.6, alpha=10.0, s=1.0 + 1e-7, beta=12.0)
    e1 = one.conditional_expected_number_of_purchases_up_to_time(26.0, x, tx, T)
    e2 = beside.conditional_expected_number_of_purchases_up_to_time(26.0, x, tx, T)
    np.testing.assert_allclose(e1, e2, rtol=1e-6)
    assert one.expected_number_of_purchases_up_to_time(26.0) == pytest.approx(0.6 / 10.0 * 12.0 * np.log(1 + 26 / 12))


def test_grouped_with_weights_equals_ungrouped(published: pd.DataFrame, pnbd: ParetoNBDFitter) -> None:
    grouped = published.groupby(["frequency", "recency", "T"]).size().rename("n").reset_index()
    fit_w = ParetoNBDFitter().fit(grouped["frequency"], grouped["recency"], grouped["T"], weights=grouped["n"])
    np.testing.assert_allclose(fit_w.params_, pnbd.params_, rtol=1e-5)
    assert fit_w.log_likelihood_ == pytest.approx(pnbd.log_likelihood_, abs=1e-6)


def test_recovers_simulated_parameters(fitted: ParetoNBDFitter) -> None:
    s = fitted.summary
    for name, value in TRUE.items():
        assert s.loc[name, "lower 95% bound"] < value < s.loc[name, "upper 95% bound"], (name, s)


def test_forecast_at_true_parameters_matches_simulated_holdout(split: pd.DataFrame) -> None:
    true = ParetoNBDFitter.from_params(**TRUE)
    pred = holdout_predictions(split, true)
    actual, forecast = pred["frequency_holdout"].sum(), pred["predicted_holdout"].sum()
    # counts are overdispersed; 5 Poisson standard deviations leave room for that
    assert abs(forecast - actual) < 5 * np.sqrt(actual)
    by_x = pred.groupby(pred["frequency_cal"].clip(upper=3))[["frequency_holdout", "predicted_holdout"]].sum()
    gap = (by_x["predicted_holdout"] - by_x["frequency_holdout"]).abs()
    assert (gap < 5 * np.sqrt(by_x["frequency_holdout"])).all(), by_x
    # a one-time buyer who has been quiet for long may have left: p(alive) < 1, unlike BG/NBD
    quiet = true.conditional_probability_alive(0, 0.0, 52.0)
    assert 0 < quiet < true.conditional_probability_alive(0, 0.0, 1.0) < 1


def test_works_where_bgnbd_does(split: pd.DataFrame, fitted: ParetoNBDFitter) -> None:
    fit = fitted
    err = holdout_error(split, fit).iloc[0]
    assert err["n_customers"] == len(split) and np.isfinite(err["mae"])
    summary = split.rename(columns={"frequency_cal": "frequency", "recency_cal": "recency", "T_cal": "T"})
    summary = summary.assign(monetary_value=np.where(summary["frequency"] > 0, 20.0, 0.0)).head(50)
    table = clv.clv_table(summary, fit, clv.GammaGammaFitter.from_params(p=6.0, q=4.0, v=15.0))
    assert (table["clv"] > 0).all() and table["p_alive"].between(0, 1).all()
    t = fit.conditional_expected_number_of_purchases_up_to_time
    assert t(0, 2, 10.0, 20.0) == 0 and t(10, 2, 10.0, 20.0) < t(20, 2, 10.0, 20.0)


def test_fit_error_when_nobody_drops_out() -> None:
    rng = np.random.default_rng(0)
    T = rng.uniform(10, 40, 200)
    with pytest.raises(FitError, match="did not converge.*Try penalizer_coef"):
        ParetoNBDFitter().fit(rng.integers(1, 5, 200), T, T)


def test_bad_inputs() -> None:
    with pytest.raises(DataError, match="non-negative whole number"):
        ParetoNBDFitter().fit([-1, 2], [0.0, 3.0], [5.0, 6.0])
    with pytest.raises(DataError, match="recency must be <= T") as ei:
        ParetoNBDFitter().fit([1, 2], [3.0, 9.0], [5.0, 6.0])
    assert ei.value.n_rows == 1
    with pytest.raises(DataError, match="many customers"):
        ParetoNBDFitter().fit([2], [3.0], [5.0])
    with pytest.raises(FitError, match="not fitted"):
        ParetoNBDFitter().conditional_probability_alive(1, 1.0, 2.0)
