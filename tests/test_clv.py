"""Tests for cxkit.clv, validated against the published CDNOW results (tests/data/cdnow/README.md)."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import cxkit.clv as clv
from cxkit.clv import (
    RFM_GRID,
    SEGMENT_ACTIONS,
    BetaGeoFitter,
    GammaGammaFitter,
    calibration_holdout_split,
    clv_table,
    exclusions_table,
    kmeans_segments,
    lorenz_curve,
    rfm_scores,
    rfm_segments,
    rfm_summary,
    segment_actions,
    segment_profile,
    value_concentration,
)
from cxkit.errors import DataError, FitError

DATA = Path(__file__).parent / "data" / "cdnow"
CAL_END = "1997-09-30"  # end of the 39-week calibration period (inclusive)
OBS_END = "1998-06-30"


# --------------------------------------------------------------------------------------
# fixtures
# --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def cdnow_tx() -> pd.DataFrame:
    raw = pd.read_csv(
        DATA / "CDNOW_sample.txt",
        sep=r"\s+",
        header=None,
        names=["master_id", "customer_id", "date", "n_cds", "amount"],
    )
    raw["date"] = pd.to_datetime(raw["date"].astype(str), format="%Y%m%d")
    return raw[["customer_id", "date", "amount"]]


@pytest.fixture(scope="module")
def cdnow_cal(cdnow_tx: pd.DataFrame) -> pd.DataFrame:
    return cdnow_tx[cdnow_tx["date"] <= CAL_END]


@pytest.fixture(scope="module")
def published() -> pd.DataFrame:
    return pd.read_csv(DATA / "cdnow_customers_summary.csv").set_index("ID")


@pytest.fixture(scope="module")
def summary(cdnow_cal: pd.DataFrame) -> pd.DataFrame:
    # The published summary counts a $0 order as a purchase (8 customers), hence "purchase".
    return rfm_summary(
        cdnow_cal, as_of=CAL_END, time_unit="W", zero_spend_days="purchase"
    ).sort_index()


@pytest.fixture(scope="module")
def bgf(published: pd.DataFrame) -> BetaGeoFitter:
    return BetaGeoFitter().fit(published["frequency"], published["recency"], published["T"])


@pytest.fixture(scope="module")
def ggf(summary: pd.DataFrame) -> GammaGammaFitter:
    return GammaGammaFitter().fit(summary["frequency"], summary["monetary_value"])


@pytest.fixture(scope="module")
def table(summary: pd.DataFrame, bgf: BetaGeoFitter, ggf: GammaGammaFitter) -> pd.DataFrame:
    return clv_table(summary, bgf, ggf, horizon_months=12)


def tx_frame(rows: list[tuple]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["customer_id", "date", "amount"])
    df["date"] = pd.to_datetime(df["date"], format="ISO8601")
    return df


# --------------------------------------------------------------------------------------
# summary vs. the published CDNOW calibration summary
# --------------------------------------------------------------------------------------
def test_summary_reproduces_published_cdnow(summary: pd.DataFrame, published: pd.DataFrame) -> None:
    assert len(summary) == len(published) == 2357
    assert summary.index.equals(published.index)
    assert (summary["frequency"] == published["frequency"]).all()
    # published values are rounded to 2 decimals
    assert np.abs(summary["recency"] - published["recency"]).max() <= 0.005 + 1e-9
    assert np.abs(summary["T"] - published["T"]).max() <= 0.005 + 1e-9
    assert summary.attrs["time_unit"] == "W"
    assert exclusions_table(summary).empty


def test_T_runs_to_end_of_calibration_day(cdnow_cal: pd.DataFrame) -> None:
    # customer 1 first bought 1997-01-01; T = 38.86 weeks = 272 days -> as_of 1997-09-30
    s = rfm_summary(cdnow_cal, as_of=CAL_END, zero_spend_days="purchase")
    assert round(s.loc[1, "T"], 2) == 38.86
    s2 = rfm_summary(cdnow_cal, as_of="1997-10-01", zero_spend_days="purchase")
    assert round(s2.loc[1, "T"], 2) == 39.0


def test_default_zero_rule_reports_free_orders(cdnow_cal: pd.DataFrame) -> None:
    s = rfm_summary(cdnow_cal, as_of=CAL_END)
    assert len(s) == 2357 - 8
    ex = exclusions_table(s)
    row = ex[ex["rule"].str.startswith("customers without any purchase day")]
    assert row["n_customers"].item() == 8 and row["n_rows"].item() == 8


def test_monetary_value_is_mean_of_repeat_purchase_days(summary: pd.DataFrame) -> None:
    # customer 1: 29.33 (first), 29.73, 14.96 in calibration
    assert summary.loc[1, "monetary_value"] == pytest.approx((29.73 + 14.96) / 2)
    assert summary.loc[1, "total_spend"] == pytest.approx(29.33 + 29.73 + 14.96)
    assert (summary.loc[summary["frequency"] == 0, "monetary_value"] == 0).all()


# --------------------------------------------------------------------------------------
# BG/NBD vs. Fader, Hardie & Lee (2005)
# --------------------------------------------------------------------------------------
def test_bgnbd_reproduces_published_estimates(bgf: BetaGeoFitter) -> None:
    assert bgf.params_.round(3).to_dict() == {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    assert round(bgf.log_likelihood_, 1) == -9582.4
    assert bgf.n_customers_ == 2357
    s = bgf.summary
    assert list(s.columns) == [
        "coef", "se(coef)", "lower 95% bound", "upper 95% bound", "identified"
    ]
    assert (s["se(coef)"] > 0).all() and (s["lower 95% bound"] < s["coef"]).all()
    assert s["identified"].all()


def test_summary_intervals_are_on_the_log_scale(bgf: BetaGeoFitter, ggf: GammaGammaFitter) -> None:
    for model in (bgf, ggf):
        s = model.summary
        half = 1.959964 * s["se(coef)"] / s["coef"]
        np.testing.assert_allclose(s["lower 95% bound"], s["coef"] * np.exp(-half), rtol=1e-12)
        np.testing.assert_allclose(s["upper 95% bound"], s["coef"] * np.exp(half), rtol=1e-12)
        # symmetric around the estimate on the log scale, not on the natural scale
        np.testing.assert_allclose(s["lower 95% bound"] * s["upper 95% bound"], s["coef"] ** 2)
        assert ((s["upper 95% bound"] - s["coef"]) > (s["coef"] - s["lower 95% bound"])).all()
        # se(log coef) = se / coef: the log-parameter covariance and the natural-scale one agree
        np.testing.assert_allclose(
            np.sqrt(np.diag(model.covariance_)), s["se(coef)"] / s["coef"], rtol=1e-10
        )
        assert list(model.covariance_.index) == [f"log({p})" for p in model.params_.index]


def test_poorly_identified_parameters_keep_positive_bounds() -> None:
    # 85 customers: the lapse parameters a and b have standard errors larger than themselves;
    # a symmetric Wald interval would go below 0
    bgf = BetaGeoFitter().fit(
        [0, 1, 2, 5], [0, 10, 20, 30], [40, 40, 40, 40], weights=[50, 20, 10, 5]
    )
    s = bgf.summary
    assert (s["coef"] - 1.959964 * s["se(coef)"]).loc[["a", "b"]].lt(0).all()
    assert (s["lower 95% bound"] > 0).all()
    assert s["identified"].to_dict() == {"r": True, "alpha": True, "a": False, "b": False}
    notes = clv.identification_notes(bgf)
    assert notes == [
        (
            "Almost no customer lapsed in this window: the lapse rate is not identified, so CLV "
            "rests on the purchase rate (BG/NBD a and b: their standard errors are larger than "
            "the estimates)."
        )
    ]


def test_identification_notes(bgf: BetaGeoFitter, ggf: GammaGammaFitter) -> None:
    assert clv.identification_notes(bgf, ggf) == []  # CDNOW: every parameter is pinned down
    assert clv.identification_notes() == []
    # purchase-rate parameters: make r's standard error exceed r
    shaky = copy.copy(bgf)
    shaky.standard_errors_ = bgf.standard_errors_.copy()
    shaky.standard_errors_["r"] = 2 * bgf.params_["r"]
    assert shaky.summary["identified"].to_dict() == {"r": False, "alpha": True, "a": True, "b": True}
    (note,) = clv.identification_notes(shaky)
    assert "purchase rate is not identified" in note and "(BG/NBD r: its standard error" in note
    # a standard error that could not be computed counts as not identified
    shaky.standard_errors_["alpha"] = np.nan
    assert "r and alpha" in clv.identification_notes(shaky)[0]
    # Gamma-Gamma on 12 repeat buyers: p and v are not pinned down
    small = GammaGammaFitter().fit(
        [1, 2, 1, 3, 1, 2, 1, 1, 4, 2, 1, 1], [8, 40, 120, 15, 60, 300, 22, 35, 50, 45, 80, 12]
    )
    notes = clv.identification_notes(ggf=small)
    assert len(notes) == 2
    assert "spend varies from one purchase to the next" in notes[0] and "Gamma-Gamma p" in notes[0]
    assert "differs between customers" in notes[1] and "Gamma-Gamma v" in notes[1]
    with pytest.raises(FitError, match="from_params"):
        clv.identification_notes(BetaGeoFitter.from_params(r=0.2, alpha=4, a=0.8, b=2.4))
    with pytest.raises(DataError, match="bgf must be a fitted BetaGeoFitter"):
        clv.identification_notes(ggf)


def test_bgnbd_published_conditional_expectation(bgf: BetaGeoFitter) -> None:
    e = bgf.conditional_expected_number_of_purchases_up_to_time(39, 2, 30.43, 38.86)
    assert round(e, 3) == 1.226


def test_bgnbd_on_summary_built_from_raw_transactions(summary: pd.DataFrame) -> None:
    fit = BetaGeoFitter().fit(summary["frequency"], summary["recency"], summary["T"])
    assert fit.params_.round(3).to_dict() == {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    assert round(fit.log_likelihood_, 1) == -9582.4


def test_grouped_with_weights_equals_ungrouped(published: pd.DataFrame, bgf: BetaGeoFitter) -> None:
    grouped = published.groupby(["frequency", "recency", "T"]).size().rename("n").reset_index()
    assert len(grouped) < len(published)
    fit_w = BetaGeoFitter().fit(
        grouped["frequency"], grouped["recency"], grouped["T"], weights=grouped["n"]
    )
    np.testing.assert_allclose(fit_w.params_, bgf.params_, rtol=1e-6)
    assert fit_w.log_likelihood_ == pytest.approx(bgf.log_likelihood_, abs=1e-6)
    assert fit_w.n_customers_ == 2357
    # the grouped total equals the plain row-by-row sum at the same parameters
    rows = bgf.individual_log_likelihood(
        published["frequency"], published["recency"], published["T"]
    )
    assert rows.sum() == pytest.approx(bgf.log_likelihood_, abs=1e-6)


def test_heavy_buyer_is_numerically_stable(published: pd.DataFrame) -> None:
    f = np.r_[published["frequency"], 500]
    r = np.r_[published["recency"], 38.0]
    T = np.r_[published["T"], 38.86]
    fit = BetaGeoFitter().fit(f, r, T)
    assert np.isfinite(fit.log_likelihood_)
    assert np.isfinite(fit.individual_log_likelihood(f, r, T)).all()
    e = fit.conditional_expected_number_of_purchases_up_to_time(39, 500, 38.0, 38.86)
    p = fit.conditional_probability_alive(500, 38.0, 38.86)
    assert np.isfinite(e) and e >= 0 and 0 <= p <= 1


def test_expected_purchases_falls_back_when_hyp2f1_fails() -> None:
    # a + b < 1 makes 2F1(r, b; a+b-1; z) fail for customers without repeat purchases
    m = BetaGeoFitter.from_params(r=1.78, alpha=49.02, a=0.1437, b=0.2489)
    e = m.conditional_expected_number_of_purchases_up_to_time(np.array([13.3, 79.6]), 0, 0.0, 38.5)
    assert np.isfinite(e).all() and e[1] > e[0] > 0
    # the quadrature agrees with 2F1 where 2F1 works
    ok = BetaGeoFitter.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
    by_hyp = ok.conditional_expected_number_of_purchases_up_to_time(39.0, 2, 30.43, 38.86)
    by_quad = clv.bgnbd._bg_expected_if_alive(
        0.243, 4.414, 0.793, 2.426, np.array([2.0]), np.array([38.86]), np.array([39.0])
    )
    assert by_quad[0] * ok.conditional_probability_alive(2, 30.43, 38.86) == pytest.approx(
        by_hyp, rel=1e-9
    )


def test_population_expectation(bgf: BetaGeoFitter) -> None:
    e = bgf.expected_number_of_purchases_up_to_time(np.array([0.0, 13.0, 39.0, 78.0]))
    assert e[0] == 0 and np.all(np.diff(e) > 0)


params_st = st.tuples(
    st.floats(0.05, 5), st.floats(0.1, 100), st.floats(0.05, 5), st.floats(0.05, 10)
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    params=params_st,
    x=st.integers(0, 300),
    T=st.floats(0.1, 200),
    frac=st.floats(0, 1),
    t1=st.floats(0, 300),
    dt=st.floats(0, 300),
)
def test_bgnbd_predictions_properties(params, x, T, frac, t1, dt) -> None:
    r, alpha, a, b = params
    assume(abs(a - 1) > 1e-3)
    m = BetaGeoFitter.from_params(r=r, alpha=alpha, a=a, b=b)
    tx = 0.0 if x == 0 else frac * T
    p = m.conditional_probability_alive(x, tx, T)
    assert 0.0 <= p <= 1.0
    e = m.conditional_expected_number_of_purchases_up_to_time(np.array([t1, t1 + dt]), x, tx, T)
    assert np.isfinite(e).all() and (e >= -1e-12).all()
    assert e[1] >= e[0] - 1e-7 * max(1.0, e[1])


# --------------------------------------------------------------------------------------
# Gamma-Gamma vs. Fader & Hardie (2013)
# --------------------------------------------------------------------------------------
def test_gamma_gamma_reproduces_published_estimates(ggf: GammaGammaFitter) -> None:
    assert ggf.n_customers_ == 946 and ggf.n_excluded_ == 2357 - 946
    assert ggf.params_.round(2).to_dict() == {"p": 6.25, "q": 3.74, "v": 15.44}
    assert np.isfinite(ggf.log_likelihood_)


def test_gamma_gamma_raw_row_convention_does_not_reproduce(cdnow_cal: pd.DataFrame) -> None:
    # Averaging raw rows (no same-day merging) instead of repeat purchase days gives
    # 959 "repeat buyers" and different estimates: the day-merged convention is the published one.
    rows = cdnow_cal.sort_values(["customer_id", "date"], kind="stable")
    rows = rows[rows.groupby("customer_id").cumcount() > 0]
    agg = rows.groupby("customer_id")["amount"].agg(["size", "mean"])
    fit = GammaGammaFitter().fit(agg["size"], agg["mean"])
    assert fit.n_customers_ == 959
    assert fit.params_.round(2).to_dict() != {"p": 6.25, "q": 3.74, "v": 15.44}


def test_gamma_gamma_expected_profit_shrinks_to_population_mean(ggf: GammaGammaFitter) -> None:
    p, q, v = ggf.params_
    assert ggf.conditional_expected_average_profit(0, 0.0) == pytest.approx(p * v / (q - 1))
    big = ggf.conditional_expected_average_profit(1000, 50.0)
    assert big == pytest.approx(50.0, rel=0.01)


def test_clv_table(
    table: pd.DataFrame, summary: pd.DataFrame, bgf: BetaGeoFitter, ggf: GammaGammaFitter
) -> None:
    assert list(table.columns) == [
        "frequency",
        "recency",
        "T",
        "monetary_value",
        "p_alive",
        "expected_purchases",
        "expected_avg_value",
        "clv",
        "known_churned",
    ]
    assert not table["known_churned"].any() and table.attrs["n_known_churned"] == 0
    assert table.index.equals(summary.index)
    assert (table["clv"] > 0).all() and table["p_alive"].between(0, 1).all()
    # without discounting, CLV = expected purchases over the horizon x expected spend
    undiscounted = clv_table(summary, bgf, ggf, horizon_months=12, discount_rate=0.0)
    np.testing.assert_allclose(
        undiscounted["clv"],
        undiscounted["expected_purchases"] * undiscounted["expected_avg_value"],
        rtol=1e-10,
    )
    assert (table["clv"] < undiscounted["clv"]).all()


def test_customer_lifetime_value_monthly_steps(
    summary: pd.DataFrame, bgf: BetaGeoFitter, ggf: GammaGammaFitter
) -> None:
    row = summary.loc[[1]]
    got = ggf.customer_lifetime_value(
        bgf,
        row["frequency"],
        row["recency"],
        row["T"],
        row["monetary_value"],
        time=3,
        discount_rate=0.01,
    )
    spend = ggf.conditional_expected_average_profit(row["frequency"], row["monetary_value"]).item()
    cum = [
        bgf.conditional_expected_number_of_purchases_up_to_time(
            i * 30.4375 / 7, 2, row["recency"].item(), row["T"].item()
        )
        for i in range(4)
    ]
    want = sum(spend * (cum[i] - cum[i - 1]) / 1.01**i for i in (1, 2, 3))
    assert got.item() == pytest.approx(want)


# --------------------------------------------------------------------------------------
# calibration / holdout
# --------------------------------------------------------------------------------------
def test_calibration_holdout_split(cdnow_tx: pd.DataFrame, summary: pd.DataFrame) -> None:
    split = calibration_holdout_split(
        cdnow_tx, CAL_END, OBS_END, zero_spend_days="purchase"
    ).sort_index()
    assert list(split.columns) == [
        "frequency_cal",
        "recency_cal",
        "T_cal",
        "monetary_value_cal",
        "frequency_holdout",
        "monetary_value_holdout",
        "duration_holdout",
        "spend_holdout",
    ]
    assert (split["frequency_cal"] == summary["frequency"]).all()
    np.testing.assert_allclose(split["T_cal"], summary["T"])
    assert (split["duration_holdout"] == 39.0).all()
    # customer 1 bought once more in the holdout, on 1997-12-12, for 26.48
    assert split.loc[1, "frequency_holdout"] == 1
    assert split.loc[1, "monetary_value_holdout"] == pytest.approx(26.48)
    assert split.loc[1, "spend_holdout"] == pytest.approx(26.48)
    np.testing.assert_allclose(
        split["spend_holdout"], split["frequency_holdout"] * split["monetary_value_holdout"]
    )
    # the holdout spend is every holdout row of these customers (CDNOW has no refunds)
    hold = cdnow_tx[(cdnow_tx["date"] > CAL_END) & (cdnow_tx["date"] <= OBS_END)]
    assert split["spend_holdout"].sum() == pytest.approx(
        hold.loc[hold["customer_id"].isin(split.index), "amount"].sum()
    )


def test_holdout_spend_nets_refunds_by_day() -> None:
    tx = tx_frame(
        [
            ("a", "2020-01-01", 10.0),
            ("a", "2020-02-10", 30.0),
            ("a", "2020-02-10", -5.0),  # netted into the day: 25
            ("a", "2020-02-20", -10.0),  # refund-only day: not a purchase, not revenue
            ("a", "2020-03-01", 7.0),
        ]
    )
    split = calibration_holdout_split(tx, "2020-01-31", "2020-03-31", time_unit="D")
    assert split.loc["a", "frequency_holdout"] == 2
    assert split.loc["a", "spend_holdout"] == pytest.approx(32.0)


def test_split_keeps_only_calibration_customers() -> None:
    tx = tx_frame(
        [
            ("a", "2020-01-01", 10),
            ("a", "2020-03-01", 5),
            ("b", "2020-02-15", 7),
            ("a", "2020-06-01", 1),
        ]
    )
    split = calibration_holdout_split(tx, "2020-01-31", "2020-04-30", time_unit="D")
    assert list(split.index) == ["a"]
    assert split.loc["a", "frequency_holdout"] == 1 and split.loc["a", "duration_holdout"] == 90
    rules = set(exclusions_table(split)["rule"])
    assert "rows dated after observation_end" in rules
    assert "holdout rows of customers first seen after calibration_end" in rules


# --------------------------------------------------------------------------------------
# purchase-day and refund rules
# --------------------------------------------------------------------------------------
def test_same_day_merge_and_refund_netting() -> None:
    tx = tx_frame(
        [
            ("a", "2020-01-01 09:00", 10.0),
            ("a", "2020-01-01 17:00", 5.0),  # same day -> one purchase of 15
            ("a", "2020-01-08", 20.0),
            ("a", "2020-01-08", -5.0),  # netted -> 15
            ("a", "2020-01-15", -8.0),  # refund-only day: not a purchase
            ("a", "2020-01-22", 4.0),
            ("a", "2020-01-22", -4.0),  # fully refunded day: not a purchase
            ("b", "2020-01-05", 0.0),  # free order only
        ]
    )
    s = rfm_summary(tx, as_of="2020-01-29", time_unit="D")
    assert list(s.index) == ["a"]
    a = s.loc["a"]
    assert a["frequency"] == 1 and a["n_purchase_days"] == 2
    assert a["recency"] == 7 and a["T"] == 28
    assert a["monetary_value"] == 15 and a["total_spend"] == 30
    ex = exclusions_table(s)
    assert ex["n_rows"].tolist() == [3, 1]  # refund-only + fully refunded day (2 rows); b's $0 row
    assert ex["n_customers"].tolist() == [1, 1]
    s2 = rfm_summary(tx, as_of="2020-01-29", time_unit="D", zero_spend_days="purchase")
    assert s2.loc["b", "frequency"] == 0 and s2.loc["b", "total_spend"] == 0
    assert s2.loc["a", "frequency"] == 1  # a netted-to-zero day stays a non-purchase
    s3 = rfm_summary(tx, as_of="2020-01-29", time_unit="D", refunds="drop")
    assert s3.loc["a", "frequency"] == 2 and s3.loc["a", "monetary_value"] == 12
    with pytest.raises(DataError, match="refund"):
        rfm_summary(tx, as_of="2020-01-29", refunds="raise")


def test_time_units() -> None:
    tx = tx_frame([("a", "2020-01-01", 1.0), ("a", "2020-03-01", 1.0)])
    for unit, days in clv.UNIT_DAYS.items():
        s = rfm_summary(tx, as_of="2020-03-31", time_unit=unit)
        assert s.loc["a", "recency"] == pytest.approx(60 / days)
        assert s.loc["a", "T"] == pytest.approx(90 / days)


def test_other_column_names() -> None:
    tx = tx_frame([("a", "2020-01-01", 1.0), ("a", "2020-01-03", 2.0)]).rename(
        columns={"customer_id": "cust", "date": "ts", "amount": "value"}
    )
    s = rfm_summary(tx, customer_col="cust", date_col="ts", amount_col="value", time_unit="D")
    assert s.index.name == "cust" and s.loc["a", "frequency"] == 1


# --------------------------------------------------------------------------------------
# bad input
# --------------------------------------------------------------------------------------
def test_missing_column() -> None:
    tx = tx_frame([("a", "2020-01-01", 1.0)]).drop(columns="amount")
    with pytest.raises(DataError, match="required column missing") as ei:
        rfm_summary(tx)
    assert ei.value.column == "amount" and ei.value.table == "transactions"


def test_dates_are_parsed_or_rejected() -> None:
    ok = pd.DataFrame(
        {"customer_id": ["a", "a"], "date": ["2020-01-01", "2020-01-05"], "amount": [1.0, 2.0]}
    )
    assert rfm_summary(ok, time_unit="D").loc["a", "recency"] == 4
    mixed = ok.assign(
        date=["2020-01-01", "2020-01-05 14:30"]
    )  # format differs from the first value
    assert rfm_summary(mixed, time_unit="D").loc["a", "recency"] == 4
    bad = ok.assign(date=["2020-01-01", "not a date"])
    with pytest.raises(DataError, match="could not be parsed") as ei:
        rfm_summary(bad)
    assert ei.value.n_rows == 1 and "not a date" in str(ei.value)
    with pytest.raises(DataError, match="dates are numbers"):
        rfm_summary(ok.assign(date=[20200101, 20200105]))
    with pytest.raises(DataError, match="must not be missing"):
        rfm_summary(ok.assign(date=[pd.Timestamp("2020-01-01"), pd.NaT]))


def test_amount_not_numeric() -> None:
    tx = pd.DataFrame(
        {
            "customer_id": ["a", "a"],
            "date": pd.to_datetime(["2020-01-01", "2020-01-02"]),
            "amount": ["1.5", "$2"],
        }
    )
    with pytest.raises(DataError, match="amount is not numeric") as ei:
        rfm_summary(tx)
    assert ei.value.n_rows == 1
    assert (
        rfm_summary(tx.assign(amount=["1.5", "2"]), time_unit="D").loc["a", "monetary_value"] == 2.0
    )


def test_transactions_after_as_of() -> None:
    tx = tx_frame([("a", "2020-01-01", 1.0), ("a", "2020-02-01", 1.0)])
    with pytest.raises(DataError, match="after as_of") as ei:
        rfm_summary(tx, as_of="2020-01-15")
    assert ei.value.n_rows == 1 and "after_as_of='exclude'" in str(ei.value)
    s = rfm_summary(tx, as_of="2020-01-15", after_as_of="exclude")
    assert s.loc["a", "frequency"] == 0
    assert exclusions_table(s)["rule"].tolist() == ["rows dated after as_of"]


def test_bad_time_unit() -> None:
    tx = tx_frame([("a", "2020-01-01", 1.0)])
    with pytest.raises(DataError, match="time_unit"):
        rfm_summary(tx, time_unit="Y")
    with pytest.raises(DataError, match="freq"):
        GammaGammaFitter.from_params(p=6, q=4, v=15).customer_lifetime_value(
            BetaGeoFitter.from_params(r=0.2, alpha=4, a=0.8, b=2.4), [1], [1], [2], [10], freq="H"
        )


def test_no_customers_or_no_repeat_buyers() -> None:
    refunds_only = tx_frame([("a", "2020-01-01", -1.0), ("b", "2020-01-02", 0.0)])
    with pytest.raises(DataError, match="no customer has a purchase day"):
        rfm_summary(refunds_only)
    with pytest.raises(DataError, match="no repeat buyer"):
        BetaGeoFitter().fit([0, 0, 0], [0, 0, 0], [5, 6, 7])
    with pytest.raises(DataError, match="many customers"):
        BetaGeoFitter().fit([2], [3.0], [5.0])
    with pytest.raises(DataError, match="no repeat buyer"):
        GammaGammaFitter().fit([0, 0], [0.0, 0.0])


def test_invalid_summary_values() -> None:
    with pytest.raises(DataError, match="recency must be <= T") as ei:
        BetaGeoFitter().fit([1, 2], [3.0, 9.0], [5.0, 6.0])
    assert ei.value.n_rows == 1
    with pytest.raises(DataError, match="whole number"):
        BetaGeoFitter().fit([1.5, 2], [3.0, 4.0], [5.0, 6.0])
    with pytest.raises(DataError, match="monetary_value must be > 0"):
        GammaGammaFitter().fit([1, 2], [10.0, -1.0])


def test_fit_error_when_not_identified() -> None:
    # every customer bought right up to the end: nobody drops out, a -> 0
    rng = np.random.default_rng(0)
    T = rng.uniform(10, 40, 200)
    with pytest.raises(FitError, match="did not converge.*Try penalizer_coef"):
        BetaGeoFitter().fit(rng.integers(1, 5, 200), T, T)


def test_unfitted_model_raises() -> None:
    with pytest.raises(FitError, match="not fitted"):
        BetaGeoFitter().conditional_probability_alive(1, 1, 2)


def test_clv_table_time_unit_mismatch(
    summary: pd.DataFrame, bgf: BetaGeoFitter, ggf: GammaGammaFitter
) -> None:
    with pytest.raises(DataError, match="time unit"):
        clv_table(summary, bgf, ggf, time_unit="D")


# --------------------------------------------------------------------------------------
# known cancellations
# --------------------------------------------------------------------------------------
def test_known_cancellations_rule() -> None:
    customers = pd.DataFrame(
        {
            "customer_id": ["before", "on", "late_in_day", "after", "never"],
            "churn_date": pd.to_datetime(
                ["2025-03-31", "2025-06-30", "2025-06-30 18:30", "2025-07-01", None],
                format="ISO8601",
            ),
        }
    )
    got = clv.known_cancellations(customers, "2025-06-30")
    assert got.name == "known_churned" and got.index.name == "customer_id"
    assert got.to_dict() == {
        "before": True, "on": True, "late_in_day": True, "after": False, "never": False
    }
    # ids in the index, ISO strings, other column names; zoned times keep their local day
    alt = pd.DataFrame(
        {"left_on": ["2025-03-31", None, "2025-07-01T00:30:00+02:00", "2025-06-30T23:30:00-05:00"]},
        index=pd.Index([1, 2, 3, 4], name="cust"),
    )
    got = clv.known_cancellations(alt, pd.Timestamp("2025-06-30"), customer_col="cust",
                                  churn_col="left_on")
    assert got.to_dict() == {1: True, 2: False, 3: False, 4: True}
    zoned = pd.to_datetime(pd.Series(["2025-07-01T00:30:00+02:00"])).to_frame("churn_date")
    assert not clv.known_cancellations(zoned.assign(customer_id=["z"]), "2025-06-30")["z"]
    assert clv.known_cancellations(customers.assign(churn_date=np.nan), "2025-06-30").sum() == 0


def test_known_cancellations_bad_input() -> None:
    customers = pd.DataFrame({"customer_id": ["a", "a"], "churn_date": pd.to_datetime(["2025-01-01", None])})
    with pytest.raises(DataError, match="unique"):
        clv.known_cancellations(customers, "2025-06-30")
    with pytest.raises(DataError, match="not a date") as ei:
        clv.known_cancellations(
            pd.DataFrame({"customer_id": ["a", "b"], "churn_date": ["2025-01-01", "soon"]}), "2025-06-30"
        )
    assert ei.value.n_rows == 1
    with pytest.raises(DataError, match="churn_date"):
        clv.known_cancellations(pd.DataFrame({"customer_id": ["a"]}), "2025-06-30")
    with pytest.raises(DataError, match="customer_id"):
        clv.known_cancellations(pd.DataFrame({"churn_date": [pd.NaT]}), "2025-06-30")


def test_clv_table_zeroes_known_churned(
    table: pd.DataFrame, summary: pd.DataFrame, bgf: BetaGeoFitter, ggf: GammaGammaFitter
) -> None:
    ids = summary.index[[0, 5, 9]]
    # aligned by customer id: another order, an id the summary does not have, and a missing value
    churned = pd.Series([True, False, True, True, None], index=[ids[2], ids[1], ids[0], -1, 7])
    got = clv_table(summary, bgf, ggf, horizon_months=12, churned=churned)
    left = got.index.isin([ids[0], ids[2]])
    assert got["known_churned"].tolist() == list(left) and got.attrs["n_known_churned"] == 2
    assert (got.loc[left, ["p_alive", "expected_purchases", "clv"]] == 0).all().all()
    # spend per purchase is kept; every other customer is unchanged
    pd.testing.assert_series_equal(got["expected_avg_value"], table["expected_avg_value"])
    cols = ["p_alive", "expected_purchases", "clv"]
    pd.testing.assert_frame_equal(got.loc[~left, cols], table.loc[~left, cols])
    assert got["clv"].sum() == pytest.approx(table["clv"].sum() - table.loc[left, "clv"].sum())
    # an array in row order works too
    by_row = clv_table(summary, bgf, ggf, churned=left)
    pd.testing.assert_frame_equal(by_row, got)


def test_clv_table_rejects_unusable_churned(
    summary: pd.DataFrame, bgf: BetaGeoFitter, ggf: GammaGammaFitter
) -> None:
    with pytest.raises(DataError, match="no customer id in churned"):
        clv_table(summary, bgf, ggf, churned=pd.Series([True], index=["C000001"]))
    with pytest.raises(DataError, match="true/false"):
        clv_table(summary, bgf, ggf, churned=pd.Series(["yes"], index=summary.index[:1]))
    with pytest.raises(DataError, match="unique"):
        clv_table(summary, bgf, ggf, churned=pd.Series([True, False], index=[1, 1]))
    with pytest.raises(DataError, match="shape"):
        clv_table(summary, bgf, ggf, churned=[True, False])


# --------------------------------------------------------------------------------------
# RFM scores and segments
# --------------------------------------------------------------------------------------
def test_rfm_segments_all_non_empty_on_cdnow(summary: pd.DataFrame) -> None:
    scores = rfm_scores(summary)
    for col in "RFM":
        counts = scores[col].value_counts()
        assert sorted(counts.index) == [1, 2, 3, 4, 5]
        assert counts.max() - counts.min() <= 1  # equal-size bins despite 1,411 one-time buyers
    seg = rfm_segments(scores)
    counts = seg.value_counts()
    named = set(SEGMENT_ACTIONS["segment"]) - {"Cancelled"}
    assert set(counts.index) == named  # "Cancelled" only when cancellations are given
    assert (counts > 0).all(), counts
    assert len(SEGMENT_ACTIONS) == 12 and list(SEGMENT_ACTIONS.columns) == [
        "segment",
        "rule",
        "description",
        "action",
    ]
    assert set(np.unique(RFM_GRID.to_numpy())) == named


def test_rfm_scores_do_not_depend_on_row_order(summary: pd.DataFrame) -> None:
    a = rfm_scores(summary)
    b = rfm_scores(summary.sample(frac=1, random_state=1)).loc[a.index]
    pd.testing.assert_frame_equal(a, b)


def test_recency_score_rewards_recent_buyers() -> None:
    s = pd.DataFrame(
        {
            "frequency": [1, 1],
            "recency": [10.0, 2.0],
            "T": [12.0, 12.0],
            "monetary_value": [5.0, 5.0],
        },
        index=["recent", "old"],
    )
    sc = rfm_scores(s, q=2)
    assert sc.loc["recent", "R"] == 2 and sc.loc["old", "R"] == 1


def test_rfm_segments_rejects_other_q(summary: pd.DataFrame) -> None:
    with pytest.raises(DataError, match="1..5"):
        rfm_segments(rfm_scores(summary, q=7))


# --------------------------------------------------------------------------------------
# K-means segments and value concentration
# --------------------------------------------------------------------------------------
def test_kmeans_segments_deterministic(table: pd.DataFrame) -> None:
    a = kmeans_segments(table, k_range=range(2, 6), random_state=0)
    b = kmeans_segments(table, k_range=range(2, 6), random_state=0)
    pd.testing.assert_series_equal(a.labels, b.labels)
    assert a.k == a.silhouette.loc[a.silhouette["silhouette"].idxmax(), "k"]
    assert list(a.silhouette["k"]) == [2, 3, 4, 5]
    prof = a.profile
    assert prof["size"].sum() == len(table) and prof["share"].sum() == pytest.approx(1)
    assert prof["clv_share"].sum() == pytest.approx(1)
    assert prof["mean_clv"].is_monotonic_decreasing and list(prof["segment"]) == list(
        range(1, a.k + 1)
    )
    assert prof["label"].str.contains("value").all() and prof["label"].is_unique
    fixed = kmeans_segments(table, k=4)
    assert fixed.k == 4 and fixed.silhouette.empty and fixed.labels.nunique() == 4


def _rank_words(prof: pd.DataFrame, col: str, sign: float) -> dict:
    """Segment -> (best, worst) position among the segments (1 = highest of sign * mean)."""
    v = sign * prof.set_index("segment")[f"mean_{col}"]
    return {s: (int((v > x).sum()) + 1, int((v >= x).sum())) for s, x in v.items()}


def _check_labels_follow_the_profile(prof: pd.DataFrame) -> None:
    k = len(prof)
    assert prof["label"].is_unique, prof["label"].tolist()
    labels = prof.set_index("segment")["label"]
    for col, sign, top, bottom in [("clv", 1, "highest value", "lowest value"),
                                   ("frequency", 1, "most frequent", "least frequent"),
                                   ("time_since_last", -1, "most recent", "least recent")]:
        for seg, (best, worst) in _rank_words(prof, col, sign).items():
            words = labels[seg].split(", ")
            assert (top in words) == (best == 1), (seg, col, labels[seg])
            assert (bottom in words) == (worst == k), (seg, col, labels[seg])


def test_kmeans_labels_are_distinct_and_ranked_on_cdnow(table: pd.DataFrame) -> None:
    # With labels cut at fixed z-scores, three of the six segments the silhouette picks
    # on CDNOW were all "high value, frequent, recent".
    km = kmeans_segments(table, k_range=range(2, 9))
    assert km.k == 6
    _check_labels_follow_the_profile(km.profile)
    assert km.profile["label"].tolist() == [
        "highest value, most frequent, most recent",
        "2nd highest value, more frequent, more recent",
        "3rd highest value, more frequent, more recent",
        "3rd lowest value, less frequent, less recent",
        "2nd lowest value, less frequent, less recent",
        "lowest value, least frequent, least recent",
    ]
    for k in (2, 3, 4, 5, 7, 8):
        prof = kmeans_segments(table, k=k).profile
        _check_labels_follow_the_profile(prof)
        assert not prof["label"].str.contains("segment").any()  # no ties: ranks alone tell them apart
    assert kmeans_segments(table, k=3).profile["label"].tolist() == [
        "highest value, most frequent, most recent",
        "mid value, mid frequency, mid recency",
        "lowest value, least frequent, least recent",
    ]


def _near_twins(shift: float) -> pd.DataFrame:
    """Two groups alike on value, frequency and recency (``shift`` apart in CLV) that differ
    only in spend per purchase, and a third group apart from both."""
    rng = np.random.default_rng(4)
    n = 60
    base = {"frequency": rng.integers(1, 4, n).astype(float), "time_since_last": rng.uniform(5, 10, n),
            "clv": rng.uniform(40, 60, n)}
    twin_a = pd.DataFrame({**base, "expected_avg_value": rng.uniform(10, 12, n)})
    twin_b = pd.DataFrame({**base, "expected_avg_value": rng.uniform(200, 240, n)})
    twin_b["clv"] += shift
    other = pd.DataFrame({"frequency": rng.integers(8, 12, n).astype(float), "time_since_last": rng.uniform(0, 2, n),
                          "clv": rng.uniform(400, 500, n), "expected_avg_value": rng.uniform(50, 60, n)})
    return pd.concat([twin_a, twin_b, other], ignore_index=True)


def test_kmeans_labels_of_near_identical_segments_stay_distinct() -> None:
    km = kmeans_segments(_near_twins(0.01), k=3)
    prof = km.profile
    assert (prof["size"] == 60).all()
    _check_labels_follow_the_profile(prof)
    # same frequency and recency: the value rank alone tells the twins apart
    assert prof["label"].tolist() == [
        "highest value, most frequent, most recent",
        "mid value, least frequent, least recent",
        "lowest value, least frequent, least recent",
    ]
    # exactly level on every labelled dimension: the same words, told apart by segment number
    tied = kmeans_segments(_near_twins(0.0), k=3).profile
    assert tied["label"].is_unique
    assert tied["label"].tolist()[1:] == ["lowest value, least frequent, least recent (segment 2)",
                                          "lowest value, least frequent, least recent (segment 3)"]


def test_kmeans_missing_feature(summary: pd.DataFrame) -> None:
    with pytest.raises(DataError, match="clv"):
        kmeans_segments(summary)


def test_value_concentration_and_lorenz() -> None:
    v = np.r_[np.zeros(80), np.ones(10), np.full(10, 9.0)]
    vc = value_concentration(v)
    assert vc["share_of_value"].tolist() == pytest.approx([0.9, 1.0])
    assert vc["n_customers"].tolist() == [10, 20]
    lc = lorenz_curve(v)
    assert lc.iloc[0].tolist() == [0, 0] and lc.iloc[-1].tolist() == [1, 1]
    assert lc["share_of_value"].is_monotonic_increasing
    assert lorenz_curve(np.ones(10)).attrs["gini"] == pytest.approx(0)
    assert len(lorenz_curve(v, points=11)) == 11
    with pytest.raises(DataError):
        value_concentration([1.0, -2.0])


def test_cdnow_value_concentration(table: pd.DataFrame) -> None:
    vc = value_concentration(table["clv"])
    top20 = vc.loc[vc["top_share_of_customers"] == 0.2, "share_of_value"].item()
    assert 0.5 < top20 < 0.9


# --------------------------------------------------------------------------------------
# total CLV interval on small hand-made data (the sample-company checks are in
# tests/test_clv_sample.py, the coverage check in tests/test_clv_simulated.py)
# --------------------------------------------------------------------------------------
def test_total_clv_interval_says_when_spend_is_unbounded() -> None:
    summary = pd.DataFrame(
        {"frequency": [0, 2], "recency": [0.0, 30.0], "T": [40.0, 40.0], "monetary_value": [0.0, 30.0]}
    )
    bgf = BetaGeoFitter().fit([0, 1, 2, 5], [0, 10, 20, 30], [40, 40, 40, 40], weights=[50, 20, 10, 5])
    # 12 repeat buyers: q's interval reaches below 1, where a one-time buyer's spend is unbounded
    ggf = GammaGammaFitter().fit(
        [1, 2, 1, 3, 1, 2, 1, 1, 4, 2, 1, 1], [8, 40, 120, 15, 60, 300, 22, 35, 50, 45, 80, 12]
    )
    assert ggf.summary.loc["q", "lower 95% bound"] < 1
    row = clv.total_clv_interval(summary, bgf, ggf).iloc[0]
    assert np.isfinite(row["total"]) and row["ci_low"] < row["total"] and row["ci_high"] == np.inf
    # nobody left to value
    gone = clv.total_clv_interval(summary, bgf, ggf, churned=[True, True]).iloc[0]
    assert gone[["total", "ci_low", "ci_high"]].tolist() == [0, 0, 0]


# --------------------------------------------------------------------------------------
# customers known to have left: a segment of their own, never rewarded
# --------------------------------------------------------------------------------------
def _small_summary() -> pd.DataFrame:
    rng = np.random.default_rng(9)
    n = 50
    freq = rng.integers(0, 12, n)
    rec = np.where(freq > 0, rng.uniform(1, 39, n), 0.0)
    return pd.DataFrame({"frequency": freq, "recency": rec, "T": 40.0, "monetary_value": rng.uniform(5, 90, n)},
                        index=pd.Index([f"c{i:02d}" for i in range(n)], name="customer_id"))


def test_rfm_scores_rank_active_customers_among_themselves() -> None:
    summary = _small_summary()
    best = summary["frequency"].nlargest(8).index
    gone = pd.Series(True, index=best)                # the 8 most frequent have cancelled; ids absent: active
    scores = rfm_scores(summary, cancelled=gone)
    assert scores.attrs["n_cancelled"] == 8 and scores["cancelled"].sum() == 8
    assert scores.loc[best, ["R", "F", "M"]].isna().all().all()
    active = ~scores["cancelled"]
    # equal-size bins among the 42 active customers, the same as scoring them alone
    pd.testing.assert_frame_equal(scores.loc[active, ["R", "F", "M"]].astype("int64"),
                                  rfm_scores(summary[active.to_numpy()]))
    for col in "RFM":
        assert scores.loc[active, col].value_counts().sort_index().tolist() == [9, 8, 9, 8, 8]
    # the same from an array in row order or a column of flags; without it, the old result
    flags = summary.index.isin(best)
    pd.testing.assert_frame_equal(scores, rfm_scores(summary, cancelled=flags))
    pd.testing.assert_frame_equal(scores, rfm_scores(summary.assign(left=flags), cancelled="left"))
    assert rfm_scores(summary).dtypes.tolist() == [np.int64] * 3


def test_cancelled_champions_are_not_rewarded() -> None:
    summary = _small_summary()
    plain = rfm_segments(rfm_scores(summary))
    champions = plain.index[plain.isin(["Champions", "Loyal"])]
    assert len(champions) >= 5
    gone = pd.Series(True, index=champions[:5])
    seg = rfm_segments(rfm_scores(summary, cancelled=gone))
    assert (seg[champions[:5]] == "Cancelled").all() and seg.attrs["n_cancelled"] == 5
    assert list(seg.cat.categories) == list(SEGMENT_ACTIONS["segment"])
    assert not seg[seg.isin(["Champions", "Loyal"])].index.isin(champions[:5]).any()
    # cancellations given to rfm_segments directly, or flagged in the scores, agree
    pd.testing.assert_series_equal(seg, rfm_segments(rfm_scores(summary, cancelled=gone), cancelled=gone))
    also = rfm_segments(rfm_scores(summary), cancelled=gone)
    assert (also[champions[:5]] == "Cancelled").all()
    action = SEGMENT_ACTIONS.set_index("segment").loc["Cancelled", "action"]
    assert action.startswith("Win back only if worth it") and "no loyalty rewards" in action
    assert "reward" in SEGMENT_ACTIONS.set_index("segment").loc["Champions", "action"].lower()

    values = summary.assign(clv=np.where(summary.index.isin(champions[:5]), 0.0, 10.0), p_alive=0.5,
                            rfm_segment=seg)
    prof = segment_profile(values, "rfm_segment")
    assert prof["segment"].iloc[-1] == "Cancelled" and prof["customers"].iloc[-1] == 5
    assert prof.attrs["n_cancelled"] == 5 and prof["share"].sum() == pytest.approx(1)
    # a profile of the plain segments, told who has left, moves them to their own row
    moved = segment_profile(values.assign(rfm_segment=plain), "rfm_segment", cancelled=gone)
    expected = plain[~plain.index.isin(champions[:5])].value_counts()
    counts = moved.set_index("segment")["customers"]
    assert counts.iloc[-1] == 5 and moved["segment"].iloc[-1] == "Cancelled"
    assert counts.drop("Cancelled").to_dict() == expected[expected > 0].to_dict()
    assert segment_profile(values.assign(rfm_segment=plain), "rfm_segment").attrs["n_cancelled"] == 0


def test_segment_actions_keep_cancelled_customers_apart() -> None:
    km = pd.Series([1, 1, 1, 2, 2, 2], index=list("abcdef"))
    rfm = pd.Series(["Cancelled", "Cancelled", "Champions", "Lost", "Lost", "Cancelled"], index=km.index)
    out = segment_actions(km, rfm)
    assert out["segment"].tolist() == [1, 2, 0]
    assert out["dominant_rfm_segment"].tolist() == ["Champions", "Lost", "Cancelled"]
    assert out["dominant_share"].tolist() == [1.0, 1.0, 1.0] and out.attrs["n_cancelled"] == 3
    actions = SEGMENT_ACTIONS.set_index("segment")["action"]
    assert out["action"].tolist() == [actions["Champions"], actions["Lost"], actions["Cancelled"]]
    # named segments get a "Cancelled" row; explicit flags work as well
    named = segment_actions(km.map({1: "x", 2: "y"}), rfm.replace("Cancelled", "Champions"),
                            cancelled=pd.Series(True, index=["a", "b", "f"]))
    assert named["segment"].tolist() == ["x", "y", "Cancelled"]
    with pytest.raises(DataError, match="cancelled"):
        segment_actions(km, rfm, cancelled=pd.Series(True, index=["zz"]))


def test_kmeans_keeps_cancelled_customers_out(table: pd.DataFrame) -> None:
    gone = pd.Series(table["frequency"].rank(method="first", ascending=False) <= 40, index=table.index)
    km = kmeans_segments(table, k=4, cancelled=gone)
    assert km.n_cancelled == 40 and (km.labels[gone] == 0).all() and (km.labels[~gone] > 0).all()
    assert km.labels.attrs == {"cancelled_segment": 0, "n_cancelled": 40}
    alone = kmeans_segments(table[~gone], k=4)
    pd.testing.assert_series_equal(km.labels[~gone], alone.labels, check_flags=False)
    prof = km.profile
    assert prof["segment"].tolist() == [1, 2, 3, 4, 0] and prof["label"].iloc[-1] == "Cancelled"
    assert prof["size"].iloc[-1] == 40 and prof.attrs["n_cancelled"] == 40
    assert prof["share"].sum() == pytest.approx(1) and prof["clv_share"].sum() == pytest.approx(1)
    assert prof["label"].iloc[:4].tolist() == alone.profile["label"].tolist()
    # the same from a column name; the actions table gives them the cancelled action
    by_col = kmeans_segments(table.assign(left=gone), k=4, cancelled="left")
    pd.testing.assert_series_equal(by_col.labels, km.labels)
    rfm = rfm_segments(rfm_scores(table.assign(total_spend=table["monetary_value"]), cancelled=gone))
    acts = segment_actions(km.labels, rfm).set_index("segment")
    assert acts.loc[0, "dominant_rfm_segment"] == "Cancelled" and acts.attrs["n_cancelled"] == 40
    with pytest.raises(DataError, match="true/false"):
        kmeans_segments(table.assign(left="yes"), k=4, cancelled="left")
    with pytest.raises(DataError, match="left"):
        kmeans_segments(table, k=4, cancelled="left")
