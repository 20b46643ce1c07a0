"""compare_models / choose_model: the holdout comparison of BG/NBD, Pareto/NBD and MBG/NBD."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from clv_simulation import simulate_split

from cxkit import clv
from cxkit.clv.choice import CHOICE_RULES, PURCHASE_MODELS, ModelChoice, choose_model, compare_models
from cxkit.clv.diagnostics import holdout_error, holdout_revenue
from cxkit.errors import ArgumentError, DataError, FitError

TRUE = {"r": 0.5, "alpha": 6.0, "s": 0.8, "beta": 12.0}  # Pareto/NBD is the truth here
COLUMNS = ["model", "converged", "n_parameters", "log_likelihood", "aic", "actual", "predicted",
           "error_pct", "mae", "rmse"]
REVENUE = ["actual_revenue", "predicted_revenue", "revenue_error_pct"]


@pytest.fixture(scope="module")
def split() -> pd.DataFrame:
    sp = simulate_split("Pareto/NBD", TRUE, 5000, seed=0)
    rng = np.random.default_rng(1)
    mean_spend = rng.gamma(4.0, 8.0, len(sp))  # each customer's own mean spend per purchase
    return sp.assign(
        monetary_value_cal=np.where(sp["frequency_cal"] > 0, mean_spend, 0.0),
        spend_holdout=sp["frequency_holdout"] * mean_spend,
    )


@pytest.fixture(scope="module")
def ggf(split: pd.DataFrame) -> clv.GammaGammaFitter:
    repeat = split[split["frequency_cal"] > 0]
    return clv.GammaGammaFitter().fit(repeat["frequency_cal"], repeat["monetary_value_cal"])


@pytest.fixture(scope="module")
def table(split: pd.DataFrame, ggf: clv.GammaGammaFitter) -> pd.DataFrame:
    return compare_models(split, ggf=ggf)


def expected_choice(table: pd.DataFrame, rule: str) -> str:
    """The rule, written out again: best score, ties within the margin go to the earlier model."""
    column, _, margin = CHOICE_RULES[rule]
    ok = table[table["converged"]].copy()
    score = ok[column].abs() if column == "error_pct" else ok[column]
    best = score.min()
    limit = best + (margin if rule == "aic" else margin * abs(best))
    tied = ok.loc[score <= limit, "model"]
    return min(tied, key=list(PURCHASE_MODELS).index)


def test_table_structure_and_numbers(split: pd.DataFrame, ggf: clv.GammaGammaFitter, table: pd.DataFrame) -> None:
    assert list(table.columns) == [*COLUMNS, *REVENUE, "note"]
    assert table["model"].tolist() == ["BG/NBD", "Pareto/NBD", "MBG/NBD"]
    assert table["converged"].all() and (table["note"] == "").all()
    assert (table["actual"] == split["frequency_holdout"].sum()).all()
    bgf = clv.BetaGeoFitter().fit(split["frequency_cal"], split["recency_cal"], split["T_cal"])
    row = table.set_index("model").loc["BG/NBD"]
    assert row["log_likelihood"] == pytest.approx(bgf.log_likelihood_)
    assert row["aic"] == pytest.approx(2 * 4 - 2 * bgf.log_likelihood_)
    err = holdout_error(split, bgf).iloc[0]
    assert row["predicted"] == pytest.approx(err["predicted"]) and row["error_pct"] == pytest.approx(err["error_pct"])
    assert row["mae"] == pytest.approx(err["mae"])
    pred = bgf.conditional_expected_number_of_purchases_up_to_time(
        split["duration_holdout"], split["frequency_cal"], split["recency_cal"], split["T_cal"]
    )
    assert row["rmse"] == pytest.approx(np.sqrt(np.mean((pred - split["frequency_holdout"]) ** 2)))
    rev = holdout_revenue(split, bgf, ggf).iloc[0]
    assert row["predicted_revenue"] == pytest.approx(rev["predicted"])
    assert row["revenue_error_pct"] == pytest.approx(rev["error_pct"])
    assert (table["rmse"] >= table["mae"]).all()


def test_choice_follows_the_stated_rule(table: pd.DataFrame) -> None:
    for rule in CHOICE_RULES:
        choice = choose_model(table, rule=rule)
        assert isinstance(choice, ModelChoice)
        assert choice.model == expected_choice(table, rule), rule
        assert choice.model in choice.reason
    default = choose_model(table)
    assert default == choose_model(table, rule="holdout_rmse")
    assert "root mean squared error of holdout purchases per customer" in default.reason
    # the true model is chosen, or is within the tie margin of the one that is
    rmse = table.set_index("model")["rmse"]
    assert default.model == "Pareto/NBD" or rmse["Pareto/NBD"] <= 1.01 * rmse.min()
    # it also describes the calibration data best
    assert table.set_index("model")["log_likelihood"].idxmax() == "Pareto/NBD"


def comparison(mae: list[float], converged: list[bool] | None = None) -> pd.DataFrame:
    converged = converged or [True] * len(mae)
    return pd.DataFrame({
        "model": ["BG/NBD", "Pareto/NBD", "MBG/NBD"][: len(mae)],
        "converged": converged,
        "mae": [m if c else np.nan for m, c in zip(mae, converged, strict=True)],
        "note": ["" if c else "fit did not converge: a parameter drifted" for c in converged],
    })


def test_ties_go_to_bgnbd_and_failed_fits_are_never_chosen() -> None:
    tie = choose_model(comparison([0.505, 0.500, 0.520]), rule="holdout_mae")
    assert tie.model == "BG/NBD"
    assert "Pareto/NBD has the lowest" in tie.reason and "within 1%" in tie.reason
    clear = choose_model(comparison([0.520, 0.500, 0.509]), rule="holdout_mae")
    assert clear.model == "Pareto/NBD" and "within" not in clear.reason
    # Pareto/NBD and MBG/NBD tie without BG/NBD: the earlier in the stated order wins
    assert choose_model(comparison([0.520, 0.504, 0.500]), rule="holdout_mae").model == "Pareto/NBD"
    failed = comparison([0.6, 0.1, 0.5], converged=[True, False, True])
    failed.loc[1, "mae"] = 0.1  # even a score left in the table does not count
    picked = choose_model(failed, rule="holdout_mae")
    assert picked.model == "MBG/NBD"
    assert "Pareto/NBD is left out: it did not fit (fit did not converge: a parameter drifted)" in picked.reason
    with pytest.raises(FitError, match="No purchase model fitted"):
        choose_model(comparison([0.5, 0.5], converged=[False, False]), rule="holdout_mae")


def test_non_converging_fits_are_reported_not_raised() -> None:
    rng = np.random.default_rng(0)
    T = rng.uniform(10, 40, 200)
    nobody_leaves = pd.DataFrame({  # every customer bought right up to the end
        "frequency_cal": rng.integers(1, 5, 200), "recency_cal": T, "T_cal": T,
        "frequency_holdout": rng.integers(0, 3, 200), "duration_holdout": 10.0,
    })
    out = compare_models(nobody_leaves)
    assert list(out.columns) == [*COLUMNS, "note"]
    assert not out["converged"].any()
    assert out["note"].str.contains("did not converge").all()
    assert out[["log_likelihood", "aic", "mae", "rmse"]].isna().all().all()
    with pytest.raises(FitError, match="BG/NBD is left out: it did not fit"):
        choose_model(out, rule="holdout_mae")


def test_subset_of_models(split: pd.DataFrame, table: pd.DataFrame) -> None:
    one = compare_models(split, models=["MBG/NBD"])
    assert one["model"].tolist() == ["MBG/NBD"] and "actual_revenue" not in one
    assert one["mae"].iloc[0] == pytest.approx(table.set_index("model").loc["MBG/NBD", "mae"])
    assert choose_model(one, rule="holdout_mae").model == "MBG/NBD"


def test_bad_inputs(split: pd.DataFrame, table: pd.DataFrame) -> None:
    with pytest.raises(DataError, match="recency must be <= T"):
        compare_models(split.assign(recency_cal=split["T_cal"] + 1))
    with pytest.raises(DataError, match="non-negative whole number"):
        compare_models(split.assign(frequency_cal=-split["frequency_cal"] - 1))
    with pytest.raises(DataError, match="frequency_holdout"):
        compare_models(split.drop(columns="frequency_holdout"))
    with pytest.raises(ArgumentError, match="models must be distinct names"):
        compare_models(split, models=["BG/NBD", "Pareto"])
    with pytest.raises(ArgumentError, match="models must be distinct names"):
        compare_models(split, models=["BG/NBD", "BG/NBD"])
    with pytest.raises(ArgumentError, match="rule must be one of"):
        choose_model(table, rule="lowest")
    with pytest.raises(DataError, match="rmse"):
        choose_model(table.drop(columns="rmse"), rule="holdout_rmse")


def test_the_total_clv_interval_takes_every_purchase_model(sample_dir) -> None:
    """The chosen model's total CLV gets its interval too: parameter draws through the model's own forecast."""
    from cxkit import clv, load_folder

    cx = load_folder(sample_dir)
    summary = cx.rfm_summary(time_unit="W")
    ggf = clv.GammaGammaFitter().fit(summary["frequency"], summary["monetary_value"])
    cancelled = clv.known_cancellations(cx.customers, cx.as_of)
    for model in (clv.ParetoNBDFitter, clv.ModifiedBetaGeoFitter):
        fitted = model().fit(summary["frequency"], summary["recency"], summary["T"])
        total = clv.total_clv_interval(summary, fitted, ggf, churned=cancelled, n_draws=40).iloc[0]
        assert total["ci_low"] <= total["total"] <= total["ci_high"]
        assert total["total"] == pytest.approx(clv.clv_table(summary, fitted, ggf, churned=cancelled)["clv"].sum())
