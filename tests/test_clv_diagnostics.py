"""Holdout checks and frequency/recency maps of a fitted BG/NBD model."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxkit import DataError, clv
from cxkit.clv_diagnostics import (
    holdout_by_decile,
    holdout_by_frequency,
    holdout_error,
    holdout_predictions,
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
