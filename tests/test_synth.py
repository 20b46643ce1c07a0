"""The sample company: reproducible files and planted truths that really hold."""
from __future__ import annotations

import filecmp

import numpy as np
import pandas as pd
import pytest
from lifelines import CoxPHFitter, CoxTimeVaryingFitter

from cxkit.data import DEFAULT_DRIVERS
from cxkit.synth import (
    KESTREL_COLUMNS,
    KESTREL_FILES,
    KESTREL_TRUTH,
    PROFILES,
    TRUTH,
    generate,
    write_sample,
)


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


# --------------------------------------------------------------------------- Kestrel: the other company

KESTREL_SEED = 20250630


@pytest.fixture(scope="module")
def kestrel():
    """A large draw of the second company, so its planted truths are measured precisely."""
    return generate(seed=KESTREL_SEED, n_customers=10_000, profile="kestrel")


def test_default_profile_is_the_sample():
    assert PROFILES["harbour_lane"] is TRUTH
    a, b = generate(seed=5, n_customers=300), generate(seed=5, n_customers=300, profile="harbour_lane")
    for name in a.tables:
        pd.testing.assert_frame_equal(a[name], b[name])
    with pytest.raises(ValueError, match="kestrel"):
        generate(n_customers=10, profile="kestral")


def test_kestrel_export_loads_with_the_documented_mapping(tmp_path):
    from cxkit.data import load_folder

    written = write_sample(tmp_path, seed=3, n_customers=2000, profile="kestrel")
    # a raw export: the four files in its own names, nothing that describes the data
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(KESTREL_FILES.values())
    assert {name: path.name for name, path in written.items()} == KESTREL_FILES
    raw = (tmp_path / KESTREL_FILES["transactions"]).read_bytes()
    assert raw.startswith(b"member_ref;paid_on;value\r\n")
    for path in tmp_path.iterdir():
        assert "£" not in path.read_text(encoding="utf-8")
    dates = pd.read_csv(tmp_path / KESTREL_FILES["customers"], sep=";", dtype=str)["joined"]
    assert dates.str.fullmatch(r"\d\d/\d\d/\d{4}").all() and (dates.str[:2].astype(int) > 12).any()

    cx = load_folder(tmp_path, columns=KESTREL_COLUMNS, files=KESTREL_FILES, dayfirst=True)
    assert cx.exclusions.empty
    truth = generate(seed=3, n_customers=2000, profile="kestrel")
    assert cx.as_of == pd.Timestamp(KESTREL_TRUTH["as_of"])
    pd.testing.assert_series_equal(cx.customers["customer_id"], truth["customers"]["customer_id"])
    assert cx.customers["customer_id"].iloc[0] == "0000001"  # ids stay text
    pd.testing.assert_series_equal(cx.customers["churn_date"], truth["customers"]["churn_date"], check_dtype=False)
    assert cx.transactions["amount"].sum() == pytest.approx(truth["transactions"]["amount"].sum())
    assert cx.contacts["wait_minutes"].round(1).tolist() == truth["contacts"]["wait_minutes"].round(1).tolist()
    assert cx.contacts["resolved_first_contact"].tolist() == truth["contacts"]["resolved_first_contact"].tolist()
    assert set(cx.drivers) == set(DEFAULT_DRIVERS)
    assert len(cx.surveys) == len(truth["surveys"])


def test_kestrel_cli_needs_an_output_folder(tmp_path, capsys):
    from cxkit.synth import main

    with pytest.raises(SystemExit):
        main(["--profile", "kestrel"])
    main(["--profile", "kestrel", "--out", str(tmp_path), "--n-customers", "200"])
    assert (tmp_path / "members.csv").exists() and not (tmp_path / "customers.csv").exists()


def _kestrel_episodes(sample) -> pd.DataFrame:
    """(start, stop] rows with running counts of unresolved, long-wait and bad contacts.

    A wait is long above its channel's 90th percentile of the contacts given, counted from
    the day after the contact; satisfaction is the customer's underlying one.
    """
    as_of = pd.Timestamp(KESTREL_TRUTH["as_of"])
    c = sample["customers"].merge(sample.truth[["customer_id", "satisfaction"]])
    end = (c["churn_date"].fillna(as_of) - c["signup_date"]).dt.days.to_numpy()
    ct = sample["contacts"].merge(c[["customer_id", "signup_date"]])
    ct["long"] = ct["wait_minutes"] > ct.groupby("channel")["wait_minutes"].transform(lambda w: w.quantile(0.9))
    ct["unres"] = ~ct["resolved_first_contact"]
    ct["bad"] = ct["long"] | ct["unres"]
    pos = pd.Index(c["customer_id"]).get_indexer(ct["customer_id"])
    day = (ct["date"] - ct["signup_date"]).dt.days.to_numpy() + 1
    keep = day < end[pos]
    ev = pd.DataFrame({"pos": pos[keep], "start": day[keep]})
    for col in ["long", "unres", "bad"]:
        ev[col] = ct[col].to_numpy()[keep].astype(int)
    ev = ev.groupby(["pos", "start"], as_index=False).sum()
    first = pd.DataFrame({"pos": np.arange(len(c)), "start": 0, "long": 0, "unres": 0, "bad": 0})
    df = pd.concat([first, ev]).sort_values(["pos", "start"], kind="mergesort").reset_index(drop=True)
    df[["long", "unres", "bad"]] = df.groupby("pos")[["long", "unres", "bad"]].cumsum()
    df["stop"] = df.groupby("pos")["start"].shift(-1)
    last = df["stop"].isna().to_numpy()
    df.loc[last, "stop"] = end[df.loc[last, "pos"]]
    df["event"] = last & c["churn_date"].notna().to_numpy()[df["pos"]]
    df["start"] = df["start"].astype(float)
    df["stop"] = np.maximum(df["stop"].astype(float), df["start"] + 0.5)  # same-day churn
    df["satisfaction"] = c["satisfaction"].to_numpy()[df["pos"]]
    for plan in ["plus", "premium"]:
        df[plan] = (c["plan"].to_numpy()[df["pos"]] == plan).astype(float)
    return df


def _within_3_se(summary: pd.DataFrame, name: str, truth: float) -> bool:
    """The planted hazard ratio lies within three standard errors of the estimate (log scale)."""
    return abs(summary.loc[name, "coef"] - np.log(truth)) < 3 * summary.loc[name, "se(coef)"]


def test_kestrel_long_waits_harm_unresolved_contacts_do_not(kestrel):
    df = _kestrel_episodes(kestrel)
    cols = ["pos", "start", "stop", "event"]
    fit = CoxTimeVaryingFitter().fit(df[[*cols, "long", "unres", "satisfaction", "plus", "premium"]], id_col="pos",
                                     event_col="event", start_col="start", stop_col="stop")
    s = fit.summary
    t = KESTREL_TRUTH
    assert s.loc["long", "exp(coef) lower 95%"] > 1.0
    assert s.loc["unres", "exp(coef) lower 95%"] < 1.0 < s.loc["unres", "exp(coef) upper 95%"]
    for name, truth in [("long", t["hr_long_wait_contact"]), ("unres", t["hr_unresolved_contact"]),
                        ("satisfaction", t["hr_per_csat_point"]), ("premium", t["hr_plan"]["premium"]),
                        ("plus", t["hr_plan"]["plus"])]:
        assert _within_3_se(s, name, truth), (name, s.loc[name, "exp(coef)"])
    # one count of bad contacts (unresolved or long wait) is harmful, but milder
    bad = CoxTimeVaryingFitter().fit(df[[*cols, "bad", "satisfaction"]], id_col="pos", event_col="event",
                                     start_col="start", stop_col="stop").summary
    assert bad.loc["bad", "exp(coef) lower 95%"] > 1.0
    assert bad.loc["bad", "exp(coef) upper 95%"] < s.loc["long", "exp(coef)"]


def test_kestrel_long_wait_is_the_kits_rule(kestrel):
    """The planted threshold is the channel's 90th percentile that bad_contacts applies."""
    from cxkit.experience import bad_contacts

    flagged = bad_contacts(kestrel["contacts"])
    threshold = flagged.groupby("channel")["wait_threshold"].first()
    for channel, planted in KESTREL_TRUTH["long_wait_minutes"].items():
        assert threshold[channel] == pytest.approx(planted, rel=0.06)
    assert flagged["long_wait"].mean() == pytest.approx(0.10, abs=0.01)


def test_kestrel_premium_plan_halves_churn(kestrel):
    """Cox on the customers table alone: premium near 0.5 against basic, plus and the fee null."""
    c = kestrel["customers"]
    as_of = pd.Timestamp(KESTREL_TRUTH["as_of"])
    X = pd.DataFrame({
        "tenure": (c["churn_date"].fillna(as_of) - c["signup_date"]).dt.days.clip(lower=0.5),
        "churned": c["churn_date"].notna(),
        "plus": (c["plan"] == "plus").astype(float),
        "premium": (c["plan"] == "premium").astype(float),
        "monthly_fee": c["monthly_fee"],
    })
    s = CoxPHFitter().fit(X, "tenure", "churned").summary
    assert s.loc["premium", "exp(coef)"] == pytest.approx(0.5, abs=0.1)
    planted = {**KESTREL_TRUTH["hr_plan"], "monthly_fee": KESTREL_TRUTH["hr_monthly_fee"]}
    for name, truth in [(n, planted[n]) for n in ["premium", "plus", "monthly_fee"]]:
        assert _within_3_se(s, name, truth), (name, s.loc[name, "exp(coef)"])


def test_kestrel_top_spenders_are_more_satisfied(kestrel):
    s = kestrel["surveys"].merge(kestrel.truth[["customer_id", "top_value"]]).dropna(subset=["csat"])
    top2 = s.groupby("top_value")["csat"].apply(lambda x: (x >= 4).mean() * 100)
    assert top2[True] - top2[False] > 30
    # what an analyst sees: the top 10% by annualised spend answer happier
    c = kestrel["customers"].set_index("customer_id")
    years = ((pd.Timestamp(KESTREL_TRUTH["as_of"]) - c["signup_date"]).dt.days / 365.25).clip(lower=0.5)
    annual = kestrel["transactions"].groupby("customer_id")["amount"].sum() / years
    observed_top = s["customer_id"].map(annual >= annual.quantile(0.9))
    top2 = s.groupby(observed_top)["csat"].apply(lambda x: (x >= 4).mean() * 100)
    assert top2[True] - top2[False] > 12


def test_kestrel_drivers_are_swapped(kestrel):
    s = kestrel["surveys"].merge(kestrel.truth[["customer_id", "top_value"]]).dropna(subset=["csat"])
    for top, planted in [(True, KESTREL_TRUTH["drivers_top"]), (False, KESTREL_TRUTH["drivers_rest"])]:
        part = s[s["top_value"] == top]
        X = np.column_stack([np.ones(len(part))] + [part[d].astype(float) for d in DEFAULT_DRIVERS])
        coef = np.linalg.lstsq(X, part["csat"].astype(float), rcond=None)[0][1:]
        ranked = [DEFAULT_DRIVERS[i] for i in np.argsort(-coef)]
        assert set(ranked[:2]) <= set(planted), (top, ranked)


def test_kestrel_surveys_stop_six_months_before_as_of(kestrel):
    as_of, end = pd.Timestamp(KESTREL_TRUTH["as_of"]), pd.Timestamp(KESTREL_TRUTH["surveys_end"])
    last_answer = kestrel["surveys"]["date"].max()
    assert end - pd.Timedelta(days=7) <= last_answer <= end
    assert 170 <= (as_of - last_answer).days <= 190
    for name in ["transactions", "contacts"]:  # the rest of the activity runs to the analysis date
        assert (as_of - kestrel[name]["date"].max()).days <= 2
    assert kestrel["customers"]["signup_date"].min() >= pd.Timestamp(KESTREL_TRUTH["start"])


def test_kestrel_purchases_and_churn(kestrel):
    lam = kestrel.truth["lambda_per_week"]
    bg = KESTREL_TRUTH["bgnbd"]
    assert lam.mean() == pytest.approx(bg["r"] / bg["alpha"], rel=0.08)
    tx = kestrel["transactions"]
    assert (tx["amount"] < 0).mean() == pytest.approx(KESTREL_TRUTH["refund_share"], abs=0.004)
    gg = KESTREL_TRUTH["gamma_gamma"]
    assert tx.loc[tx["amount"] > 0, "amount"].mean() == pytest.approx(gg["p"] * gg["gamma"] / (gg["q"] - 1), rel=0.1)
    assert 0.2 < kestrel.truth["churned"].mean() < 0.35


def test_only_the_bundled_sample_carries_the_samples_fingerprint(tmp_path):
    """The planted-truth checks are tuned to the bundled 5,000 customers: a company of another size is any data."""
    from cxkit.folder import load_folder

    write_sample(tmp_path / "small", n_customers=300)
    settings = load_folder(tmp_path / "small").settings
    assert not settings.sample and settings.company == "Harbour Lane" and settings.goals
    assert "[sample]" not in (tmp_path / "small" / "cxkit.toml").read_text(encoding="utf-8")
