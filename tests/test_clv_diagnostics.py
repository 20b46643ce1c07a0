"""Holdout checks and frequency/recency maps of a fitted BG/NBD model."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxkit import DataError, clv
from cxkit.clv.diagnostics import (
    holdout_by_decile,
    holdout_by_frequency,
    holdout_error,
    holdout_predictions,
    holdout_revenue,
    rfm_matrix,
)


@pytest.fixture(scope="module")
def split_and_model(sample):
    split = clv.calibration_holdout_split(sample["transactions"], "2025-06-30", "2025-12-31")
    bgf = clv.BetaGeoFitter().fit(split["frequency_cal"], split["recency_cal"], split["T_cal"])
    return split, bgf


def test_predictions_match_the_model(split_and_model):
    split, bgf = split_and_model
    pred = holdout_predictions(split, bgf)
    row = split.iloc[3]
    expected = bgf.conditional_expected_number_of_purchases_up_to_time(
        row["duration_holdout"], row["frequency_cal"], row["recency_cal"], row["T_cal"])
    assert pred["predicted_holdout"].iloc[3] == pytest.approx(float(expected))


def test_tables_add_up(split_and_model):
    split, bgf = split_and_model
    by_f = holdout_by_frequency(split, bgf, max_frequency=5)
    assert by_f["frequency_cal"].tolist() == ["0", "1", "2", "3", "4", "5+"]
    assert by_f["n_customers"].sum() == len(split)
    total = holdout_error(split, bgf).iloc[0]
    assert (by_f["actual"] * by_f["n_customers"]).sum() == pytest.approx(total["actual"])
    dec = holdout_by_decile(split, bgf)
    assert dec["n_customers"].sum() == len(split) and dec["share_of_actual"].sum() == pytest.approx(1)
    assert dec["predicted"].is_monotonic_increasing
    # a useful model: the top predicted decile buys far more than the bottom one
    assert dec["actual"].iloc[-1] > 20 * max(dec["actual"].iloc[0], 1)
    assert abs(total["error_pct"]) < 10  # sample: forecast within 10% of what happened


def test_holdout_revenue_on_the_sample(sample, split_and_model):
    split, bgf = split_and_model
    ggf = clv.GammaGammaFitter().fit(split["frequency_cal"], split["monetary_value_cal"])
    out = holdout_revenue(split, bgf, ggf)
    assert list(out.columns) == ["n_customers", "actual", "predicted", "error_pct"] and len(out) == 1
    row = out.iloc[0]
    # actual revenue: net spend per (customer, day) in the holdout, purchase days only
    tx = sample["transactions"]
    hold = tx[(tx["date"] > "2025-06-30") & (tx["date"] <= "2025-12-31") & tx["customer_id"].isin(split.index)]
    by_day = hold.groupby(["customer_id", "date"])["amount"].sum()
    assert row["actual"] == pytest.approx(by_day[by_day > 0].sum())
    assert row["predicted"] == pytest.approx(
        (holdout_predictions(split, bgf)["predicted_holdout"]
         * ggf.conditional_expected_average_profit(split["frequency_cal"], split["monetary_value_cal"])).sum())
    assert row["error_pct"] == pytest.approx(100 * (row["predicted"] / row["actual"] - 1))
    assert abs(row["error_pct"]) < 10  # sample: six months of revenue forecast within 10%


def test_known_cancellations_in_the_holdout(sample, split_and_model):
    split, bgf = split_and_model
    ggf = clv.GammaGammaFitter().fit(split["frequency_cal"], split["monetary_value_cal"])
    churned = clv.known_cancellations(sample["customers"], "2025-06-30")  # known at calibration end
    pred = holdout_predictions(split, bgf, ggf, churned=churned)
    left = churned.reindex(split.index, fill_value=False).to_numpy()
    assert left.sum() > 500
    assert (pred.loc[left, ["predicted_holdout", "predicted_revenue"]] == 0).all().all()
    assert (split.loc[left, "frequency_holdout"] == 0).all()  # in the sample, leavers never buy again
    plain = holdout_revenue(split, bgf, ggf).iloc[0]
    known = holdout_revenue(split, bgf, ggf, churned=churned).iloc[0]
    assert known["actual"] == plain["actual"] and known["predicted"] < plain["predicted"]
    assert abs(known["error_pct"]) < abs(plain["error_pct"])
    counts = holdout_error(split, bgf, churned=churned).iloc[0]
    assert counts["predicted"] == pytest.approx(pred["predicted_holdout"].sum())
    assert holdout_by_decile(split, bgf, churned=churned)["predicted"].sum() == pytest.approx(counts["predicted"])
    by_f = holdout_by_frequency(split, bgf, churned=churned)
    assert (by_f["predicted"] * by_f["n_customers"]).sum() == pytest.approx(counts["predicted"])


def test_holdout_revenue_needs_the_spend_columns(split_and_model):
    split, bgf = split_and_model
    ggf = clv.GammaGammaFitter().fit(split["frequency_cal"], split["monetary_value_cal"])
    with pytest.raises(DataError, match="spend_holdout"):
        holdout_revenue(split.drop(columns="spend_holdout"), bgf, ggf)


def test_missing_split_columns():
    with pytest.raises(DataError, match="calibration_holdout_split"):
        holdout_predictions(pd.DataFrame({"frequency_cal": [1]}), None)


def test_rfm_matrix_reads_like_the_model():
    bgf = clv.BetaGeoFitter.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
    grid = rfm_matrix(bgf, T=39, max_frequency=5, horizon=39, n_recency=5)
    assert set(grid.columns) == {"frequency", "recency", "p_alive", "expected_purchases"}
    assert grid.loc[grid["frequency"] == 0, "recency"].tolist() == [0.0]
    for f, part in grid[grid["frequency"] > 0].groupby("frequency"):
        assert part["p_alive"].is_monotonic_increasing, f  # more recent -> more likely alive
    cell = grid[(grid["frequency"] == 2) & np.isclose(grid["recency"], 29.25)]
    assert cell["p_alive"].iloc[0] == pytest.approx(
        float(bgf.conditional_probability_alive(2, 29.25, 39)))


def test_segment_actions_borrow_the_dominant_rfm_action():
    km = pd.Series([1, 1, 1, 2, 2], index=list("abcde"))
    rfm = pd.Series(["Champions", "Champions", "Loyal", "Lost", "Hibernating"], index=list("abcde"))
    out = clv.segment_actions(km, rfm).set_index("segment")
    assert out.loc[1, "dominant_rfm_segment"] == "Champions"
    assert out.loc[1, "dominant_share"] == pytest.approx(2 / 3)
    assert out.loc[1, "action"] == clv.SEGMENT_ACTIONS.set_index("segment").loc["Champions", "action"]
    with pytest.raises(DataError, match="index"):
        clv.segment_actions(km, rfm.reset_index(drop=True))


def test_segment_profile_shares_add_up():
    t = pd.DataFrame({"seg": ["x", "y", "x", "z"], "clv": [5.0, 80.0, 15.0, 0.0], "p_alive": [1, 0.5, 0.5, 0.2]})
    prof = clv.segment_profile(t, "seg")
    assert prof["segment"].tolist() == ["y", "x", "z"]  # by mean value, highest first
    assert prof["share"].sum() == pytest.approx(1) and prof["clv_share"].sum() == pytest.approx(1)
    assert prof.set_index("segment").loc["x", "p_alive"] == 0.75
    with pytest.raises(DataError, match="segment_col|column 'nope'"):
        clv.segment_profile(t, "nope")
