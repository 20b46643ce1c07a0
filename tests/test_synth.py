"""The sample company: reproducible files and planted truths that really hold."""
from __future__ import annotations

import filecmp

import numpy as np
import pandas as pd
import pytest
from lifelines import CoxTimeVaryingFitter

from cxkit.synth import TRUTH, generate, write_sample


def test_regenerating_reproduces_committed_files_byte_for_byte(tmp_path, sample_dir):
    write_sample(tmp_path)
    for name in ["customers", "transactions", "surveys", "contacts"]:
        assert filecmp.cmp(tmp_path / f"{name}.csv", sample_dir / f"{name}.csv", shallow=False), name
    total = sum((sample_dir / f"{n}.csv").stat().st_size for n in ["customers", "transactions", "surveys", "contacts"])
    assert total < 10_000_000


def test_seed_controls_the_data():
    a, b, c = generate(seed=1, n_customers=300), generate(seed=1, n_customers=300), generate(seed=2, n_customers=300)
    pd.testing.assert_frame_equal(a["transactions"], b["transactions"])
    assert not a["transactions"].equals(c["transactions"])


def test_generated_tables_pass_the_data_contract(sample):
    from cxkit.data import load_folder

    cx = load_folder(tables=sample.tables, as_of=TRUTH["as_of"])
    assert cx.exclusions.empty
    assert len(cx.customers) == 5000


def _time_varying_frame(sample) -> pd.DataFrame:
    """Long (start, stop] rows per customer; `unresolved` counts unresolved contacts so far."""
    as_of = pd.Timestamp(TRUTH["as_of"])
    c = sample["customers"].merge(sample.truth[["customer_id", "satisfaction"]])
    end = (c["churn_date"].fillna(as_of) - c["signup_date"]).dt.days.to_numpy()
    event = c["churn_date"].notna().to_numpy()
    ct = sample["contacts"].merge(c[["customer_id", "signup_date"]])
    ct = ct[~ct["resolved_first_contact"]]
    t = (ct["date"] - ct["signup_date"]).dt.days
    pos = c.reset_index().set_index("customer_id").loc[ct["customer_id"], "index"].to_numpy()
    cuts = pd.DataFrame({"pos": np.r_[np.arange(len(c)), pos], "start": np.r_[np.zeros(len(c)), t]})
    cuts = cuts.sort_values(["pos", "start"], kind="mergesort").reset_index(drop=True)
    cuts["unresolved"] = cuts.groupby("pos").cumcount()
    cuts["stop"] = cuts.groupby("pos")["start"].shift(-1).fillna(pd.Series(end[cuts["pos"]])).astype(float)
    cuts["stop"] = np.where(cuts["stop"].isna(), end[cuts["pos"]], cuts["stop"])
    last = cuts["pos"].ne(cuts["pos"].shift(-1))
    cuts.loc[last, "stop"] = end[cuts.loc[last, "pos"]]
    cuts["event"] = last & event[cuts["pos"]]
    cuts["satisfaction"] = c["satisfaction"].to_numpy()[cuts["pos"]]
    cuts["stop"] = np.maximum(cuts["stop"], cuts["start"] + 0.5)  # same-day churn
    return cuts


def test_planted_churn_hazard_ratios_are_recovered(sample):
    df = _time_varying_frame(sample)
    fit = CoxTimeVaryingFitter().fit(
        df[["pos", "start", "stop", "event", "unresolved", "satisfaction"]],
        id_col="pos", event_col="event", start_col="start", stop_col="stop",
    )
    hr = fit.summary["exp(coef)"]
    lo, hi = fit.summary["exp(coef) lower 95%"], fit.summary["exp(coef) upper 95%"]
    for name, truth in [("unresolved", TRUTH["hr_unresolved_contact"]), ("satisfaction", TRUTH["hr_per_csat_point"])]:
        assert lo[name] < truth < hi[name], (name, hr[name])


def test_kmart_pattern(sample):
    s = sample["surveys"].merge(sample.truth[["customer_id", "top_value"]])
    top2 = s.groupby("top_value")["csat"].apply(lambda x: (x.dropna() >= 4).mean() * 100)
    overall = (s["csat"].dropna() >= 4).mean() * 100
    assert overall > 70  # looks healthy
    assert top2[False] - top2[True] > 25  # the best customers are markedly less satisfied
    means = s.groupby("top_value")[["availability", "accountability", "quickness"]].mean()
    assert means.loc[True, "availability"] < means.loc[False, "availability"] - 0.7
    assert abs(means.loc[True, "quickness"] - means.loc[False, "quickness"]) < 0.3


def test_observed_top_decile_spenders_are_less_satisfied(sample):
    """What an analyst sees: top 10% by annualised spend rate lower CSAT than the rest."""
    tx = sample["transactions"].merge(sample["customers"][["customer_id", "signup_date"]])
    as_of = pd.Timestamp(TRUTH["as_of"])
    tenure_years = (as_of - sample["customers"].set_index("customer_id")["signup_date"]).dt.days / 365.25
    annual = tx.groupby("customer_id")["amount"].sum() / tenure_years.clip(lower=0.5)
    top = annual >= annual.quantile(0.9)
    s = sample["surveys"].assign(top=lambda d: d["customer_id"].map(top))
    top2 = s.groupby("top")["csat"].apply(lambda x: (x.dropna() >= 4).mean() * 100)
    assert top2[False] - top2[True] > 15


def test_purchase_heterogeneity(sample):
    tx = sample["transactions"]
    purchases = tx[tx["amount"] > 0].groupby("customer_id").size()
    assert (purchases == 1).mean() > 0.15  # many one-time buyers
    assert purchases.quantile(0.99) > 20  # and some heavy buyers
    lam = sample.truth["lambda_per_week"]
    r, alpha = TRUTH["bgnbd"]["r"], TRUTH["bgnbd"]["alpha"]
    assert lam.mean() == pytest.approx(r / alpha, rel=0.08)
    assert (tx["amount"] < 0).mean() == pytest.approx(0.02, abs=0.006)


def test_generator_scales():
    big = generate(seed=3, n_customers=100_000)
    assert len(big["customers"]) == 100_000
    assert big["customers"]["customer_id"].is_unique
    assert len(big["transactions"]) > 500_000


def test_top_spenders_care_about_different_drivers(sample):
    """Least squares of CSAT on the six drivers, per group: the planted top-3 drivers lead."""
    from cxkit.data import DEFAULT_DRIVERS

    s = sample["surveys"].merge(sample.truth[["customer_id", "top_value"]]).dropna(subset=["csat"])
    for top, planted in [(True, TRUTH["drivers_top"]), (False, TRUTH["drivers_rest"])]:
        part = s[s["top_value"] == top]
        X = np.column_stack([np.ones(len(part))] + [part[d].astype(float) for d in DEFAULT_DRIVERS])
        coef = np.linalg.lstsq(X, part["csat"].astype(float), rcond=None)[0][1:]
        ranked = [DEFAULT_DRIVERS[i] for i in np.argsort(-coef)]
        assert set(ranked[:2]) <= set(planted), (top, ranked)
