"""CLV checks on data simulated from known BG/NBD and Gamma-Gamma parameters.

The truth is known here, so the holdout revenue check and the total-CLV interval can be
judged against it rather than against another estimate.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxkit import clv
from cxkit.clv.diagnostics import holdout_error, holdout_predictions, holdout_revenue

TRUE_BG = {"r": 0.9, "alpha": 8.0, "a": 0.6, "b": 4.0}  # purchase rates per week
TRUE_GG = {"p": 5.0, "q": 4.0, "v": 30.0}
START, END = pd.Timestamp("2023-01-01"), pd.Timestamp("2025-12-31")


def simulate(n: int, seed: int) -> pd.DataFrame:
    """Transactions of ``n`` customers from the BG/NBD and Gamma-Gamma with TRUE_BG, TRUE_GG.

    Each customer first buys on a uniform day, then at Poisson rate lambda ~ Gamma(r, alpha)
    per week; after each repeat purchase they lapse for good with p ~ Beta(a, b). Every
    purchase spends Gamma(p, nu) with nu ~ Gamma(q, v). Times are cut to calendar days.
    """
    rng = np.random.default_rng(seed)
    span = (END - START).days
    first = rng.uniform(0, span - 90, n)
    lam = rng.gamma(TRUE_BG["r"], 1 / TRUE_BG["alpha"], n) / 7.0
    p_lapse = rng.beta(TRUE_BG["a"], TRUE_BG["b"], n)
    nu = rng.gamma(TRUE_GG["q"], 1 / TRUE_GG["v"], n)
    owner, when = [], []
    for i in range(n):
        t = first[i]
        owner.append(i)
        when.append(t)
        while True:
            t += rng.exponential(1 / lam[i])
            if t >= span + 1:  # past the end of the last day
                break
            owner.append(i)
            when.append(t)
            if rng.random() < p_lapse[i]:
                break
    owner_a, day = np.array(owner), np.floor(np.array(when))
    amount = np.round(rng.gamma(TRUE_GG["p"], 1 / nu[owner_a]), 2) + 0.01
    return pd.DataFrame(
        {"customer_id": owner_a, "date": START + pd.to_timedelta(day, "D"), "amount": amount}
    )


@pytest.fixture(scope="module")
def split() -> pd.DataFrame:
    return clv.calibration_holdout_split(simulate(4000, seed=0), "2025-06-30", "2025-12-31")


def test_holdout_revenue_recovers_the_truth(split: pd.DataFrame) -> None:
    bgf = clv.BetaGeoFitter().fit(split["frequency_cal"], split["recency_cal"], split["T_cal"])
    ggf = clv.GammaGammaFitter().fit(split["frequency_cal"], split["monetary_value_cal"])
    fitted = holdout_revenue(split, bgf, ggf).iloc[0]
    assert fitted["n_customers"] == len(split)
    assert fitted["actual"] == pytest.approx(split["spend_holdout"].sum())
    # about 240,000 of revenue in six months; the fitted models forecast it within 5%
    assert abs(fitted["error_pct"]) < 5
    # the true parameters do as well (what is left is the chance of who buys)
    true = holdout_revenue(
        split, clv.BetaGeoFitter.from_params(**TRUE_BG), clv.GammaGammaFitter.from_params(**TRUE_GG)
    ).iloc[0]
    assert abs(true["error_pct"]) < 5 and true["actual"] == fitted["actual"]
    # calibration spend read 30% too high (say, another currency) shows up in money, though
    # not in purchase counts
    inflated = split.assign(monetary_value_cal=1.3 * split["monetary_value_cal"])
    ggf_inflated = clv.GammaGammaFitter().fit(
        inflated["frequency_cal"], inflated["monetary_value_cal"]
    )
    assert holdout_revenue(inflated, bgf, ggf_inflated).iloc[0]["error_pct"] > 20
    assert abs(holdout_error(inflated, bgf).iloc[0]["error_pct"]) < 5


def test_holdout_revenue_is_purchases_times_spend(split: pd.DataFrame) -> None:
    bgf = clv.BetaGeoFitter.from_params(**TRUE_BG)
    ggf = clv.GammaGammaFitter.from_params(**TRUE_GG)
    pred = holdout_predictions(split, bgf, ggf)
    p, q, v = TRUE_GG.values()
    x, m = split["frequency_cal"], split["monetary_value_cal"]
    np.testing.assert_allclose(pred["predicted_spend_per_purchase"], p * (v + x * m) / (p * x + q - 1))
    np.testing.assert_allclose(
        pred["predicted_revenue"], pred["predicted_holdout"] * pred["predicted_spend_per_purchase"]
    )
    assert holdout_revenue(split, bgf, ggf).iloc[0]["predicted"] == pytest.approx(
        pred["predicted_revenue"].sum()
    )


def test_total_clv_interval_covers_the_truth() -> None:
    # For data sets drawn from known parameters, the total CLV of the same customers at the
    # true parameters should fall inside the 95% interval about 19 times in 20.
    true_bg = clv.BetaGeoFitter.from_params(**TRUE_BG)
    true_gg = clv.GammaGammaFitter.from_params(**TRUE_GG)
    inside, z = 0, []
    for seed in range(12):
        summary = clv.rfm_summary(simulate(500, seed=100 + seed), END)
        bgf = clv.BetaGeoFitter().fit(summary["frequency"], summary["recency"], summary["T"])
        ggf = clv.GammaGammaFitter().fit(summary["frequency"], summary["monetary_value"])
        out = clv.total_clv_interval(summary, bgf, ggf, n_draws=100, random_state=seed)
        row = out.iloc[0]
        truth = clv.clv_table(summary, true_bg, true_gg)["clv"].sum()
        inside += row["ci_low"] <= truth <= row["ci_high"]
        z.append((truth - row["total"]) / np.std(out.attrs["draws"]))
    # 11.4 expected; 9 or more happens by chance 99.8% of the time for a 95% interval, and
    # rarely for one that is too narrow (an interval half as wide covers about 2 in 3)
    assert inside >= 9, (inside, np.round(z, 2))
    # neither far too narrow nor far too wide: the truth sits about one spread from the estimate
    assert 0.5 < np.std(z) < 2.0
