"""MBG/NBD against lifetimes' CDNOW fit and formulas, and against simulated truth."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from clv_simulation import simulate_split
from scipy.special import gammaln, hyp2f1

from cxkit import clv
from cxkit.clv import BetaGeoFitter, ModifiedBetaGeoFitter
from cxkit.clv.diagnostics import holdout_error, holdout_predictions
from cxkit.errors import DataError, FitError

DATA = Path(__file__).parent / "data" / "cdnow"
TRUE = {"r": 0.5, "alpha": 6.0, "a": 0.7, "b": 3.0}  # weeks


@pytest.fixture(scope="module")
def published() -> pd.DataFrame:
    return pd.read_csv(DATA / "cdnow_customers_summary.csv").set_index("ID")


@pytest.fixture(scope="module")
def mbg(published: pd.DataFrame) -> ModifiedBetaGeoFitter:
    return ModifiedBetaGeoFitter().fit(published["frequency"], published["recency"], published["T"])


@pytest.fixture(scope="module")
def split() -> pd.DataFrame:
    return simulate_split("MBG/NBD", TRUE, 20000, seed=5)


@pytest.fixture(scope="module")
def fitted(split: pd.DataFrame) -> ModifiedBetaGeoFitter:
    return ModifiedBetaGeoFitter().fit(split["frequency_cal"], split["recency_cal"], split["T_cal"])


# lifetimes 0.11.3 (ModifiedBetaGeoFitter), written out
def lifetimes_loglik(params, x, t_x, T):
    r, alpha, a, b = params
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a2 = gammaln(a + b) + gammaln(b + x + 1) - gammaln(b) - gammaln(a + b + x + 1)
    a3 = -(r + x) * np.log(alpha + T)
    a4 = np.log(a) - np.log(b + x) + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))
    return a1 + a2 + a3 + np.log(np.exp(a4) + 1)


def lifetimes_expected(params, t, x, t_x, T):
    r, alpha, a, b = params
    hyp = hyp2f1(r + x, b + x + 1, a + b + x, t / (alpha + T + t))
    numer = (a + b + x) / (a - 1) * (1 - hyp * ((alpha + T) / (alpha + t + T)) ** (r + x))
    return numer / (1 + (a / (b + x)) * ((alpha + T) / (alpha + t_x)) ** (r + x))


def test_reproduces_lifetimes_cdnow_fit(mbg: ModifiedBetaGeoFitter) -> None:
    assert mbg.params_.round(3).to_dict() == {"r": 0.525, "alpha": 6.183, "a": 0.891, "b": 1.614}
    assert mbg.n_customers_ == 2357 and mbg.converged_
    s = mbg.summary
    assert s["identified"].all() and (s["lower 95% bound"] < s["coef"]).all()


def test_likelihood_and_forecasts_match_lifetimes_formulas(published: pd.DataFrame, mbg: ModifiedBetaGeoFitter) -> None:
    x, tx, T = (published[c].to_numpy(dtype=float) for c in ("frequency", "recency", "T"))
    theta = mbg.params_.to_numpy()
    rows = mbg.individual_log_likelihood(x, tx, T)
    np.testing.assert_allclose(rows, lifetimes_loglik(theta, x, tx, T), rtol=1e-10)
    assert rows.sum() == pytest.approx(mbg.log_likelihood_, abs=1e-6)
    for t in (1.0, 39.0):
        np.testing.assert_allclose(
            mbg.conditional_expected_number_of_purchases_up_to_time(t, x, tx, T),
            lifetimes_expected(theta, t, x, tx, T),
            rtol=1e-9,
        )
    r, alpha, a, b = theta
    np.testing.assert_allclose(
        mbg.conditional_probability_alive(x, tx, T),
        1 / (1 + (a / (b + x)) * ((alpha + T) / (alpha + tx)) ** (r + x)),
        rtol=1e-12,
    )
    t = np.array([13.0, 39.0, 78.0])
    np.testing.assert_allclose(
        mbg.expected_number_of_purchases_up_to_time(t),
        b / (a - 1) * (1 - hyp2f1(r, b + 1, a + b, t / (alpha + t)) * (alpha / (alpha + t)) ** r),
        rtol=1e-10,
    )


def test_differs_from_bgnbd_only_for_drop_out(published: pd.DataFrame, mbg: ModifiedBetaGeoFitter) -> None:
    bgf = BetaGeoFitter().fit(published["frequency"], published["recency"], published["T"])
    # BG/NBD: a one-time buyer is surely active; MBG/NBD: not, less so the longer they are quiet
    assert bgf.conditional_probability_alive(0, 0.0, 38.0) == 1.0
    young, old = mbg.conditional_probability_alive([0, 0], [0.0, 0.0], [1.0, 38.0])
    assert 0 < old < young < 1
    # both describe CDNOW about equally well (lifetimes: LL -9582.1 vs -9582.4)
    assert abs(mbg.log_likelihood_ - bgf.log_likelihood_) < 2


def test_grouped_with_weights_equals_ungrouped(published: pd.DataFrame, mbg: ModifiedBetaGeoFitter) -> None:
    grouped = published.groupby(["frequency", "recency", "T"]).size().rename("n").reset_index()
    fit_w = ModifiedBetaGeoFitter().fit(grouped["frequency"], grouped["recency"], grouped["T"], weights=grouped["n"])
    np.testing.assert_allclose(fit_w.params_, mbg.params_, rtol=1e-6)
    assert fit_w.log_likelihood_ == pytest.approx(mbg.log_likelihood_, abs=1e-6)


def test_recovers_simulated_parameters(fitted: ModifiedBetaGeoFitter) -> None:
    s = fitted.summary
    for name, value in TRUE.items():
        assert s.loc[name, "lower 95% bound"] < value < s.loc[name, "upper 95% bound"], (name, s)


def test_forecast_at_true_parameters_matches_simulated_holdout(split: pd.DataFrame) -> None:
    pred = holdout_predictions(split, ModifiedBetaGeoFitter.from_params(**TRUE))
    by_x = pred.groupby(pred["frequency_cal"].clip(upper=3))[["frequency_holdout", "predicted_holdout"]].sum()
    gap = (by_x["predicted_holdout"] - by_x["frequency_holdout"]).abs()
    assert (gap < 5 * np.sqrt(by_x["frequency_holdout"])).all(), by_x


def test_works_where_bgnbd_does(split: pd.DataFrame, fitted: ModifiedBetaGeoFitter) -> None:
    fit = fitted
    assert np.isfinite(holdout_error(split, fit).iloc[0]["mae"])
    summary = split.rename(columns={"frequency_cal": "frequency", "recency_cal": "recency", "T_cal": "T"})
    summary = summary.assign(monetary_value=np.where(summary["frequency"] > 0, 20.0, 0.0)).head(50)
    table = clv.clv_table(summary, fit, clv.GammaGammaFitter.from_params(p=6.0, q=4.0, v=15.0))
    assert (table["clv"] > 0).all() and table["p_alive"].between(0, 1).all()
    # a < 1 makes 2F1 fail in the forecast: the quadrature fallback keeps it finite and positive
    low_a = ModifiedBetaGeoFitter.from_params(r=0.5, alpha=6.0, a=0.3, b=0.4)
    e = low_a.conditional_expected_number_of_purchases_up_to_time(52.0, [0, 3, 30], [0.0, 20.0, 50.0], [52.0] * 3)
    assert np.all(np.isfinite(e)) and np.all(e > 0)


def test_fit_error_when_nobody_drops_out() -> None:
    rng = np.random.default_rng(0)
    T = rng.uniform(10, 40, 200)
    with pytest.raises(FitError, match="MBG/NBD fit did not converge.*Try penalizer_coef"):
        ModifiedBetaGeoFitter().fit(rng.integers(1, 5, 200), T, T)


def test_bad_inputs() -> None:
    with pytest.raises(DataError, match="non-negative whole number"):
        ModifiedBetaGeoFitter().fit([-1, 2], [0.0, 3.0], [5.0, 6.0])
    with pytest.raises(DataError, match="recency must be <= T") as ei:
        ModifiedBetaGeoFitter().fit([1, 2], [3.0, 9.0], [5.0, 6.0])
    assert ei.value.n_rows == 1
    with pytest.raises(FitError, match="not fitted"):
        ModifiedBetaGeoFitter().conditional_expected_number_of_purchases_up_to_time(1, 1, 1.0, 2.0)
