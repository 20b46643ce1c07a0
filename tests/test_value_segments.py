"""The value of dissatisfaction (cxkit.spend): revenue at risk, spend by satisfaction, future spend.

Hand-built frames with answers worked out by hand or by a brute-force re-implementation,
an independent check of the regression (scikit-learn for the coefficients, a loop-built
cluster sandwich for the errors, a simulation for coverage), and the K-mart pattern the
sample company plants.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.linear_model import LinearRegression

from conftest import value_and_satisfaction
from cxkit import DataError, FitError
from cxkit.experience import customer_experience
from cxkit.spend import (
    LEVELS,
    customer_spend,
    future_spend_regression,
    left_out,
    revenue_at_risk,
    spend_around_answers,
    spend_by_satisfaction,
)
from cxkit.spend.future import _ols_clustered
from cxkit.value import attach

AS_OF = "2025-12-31"


# --------------------------------------------------------------------------- customer_spend


def test_customer_spend_period_spend_segments_and_attach():
    tx = pd.DataFrame({
        "customer_id": ["a", "a", "b", "b", "c", "c", "d"],
        "date": pd.to_datetime(["2024-12-31", "2025-01-01", "2025-03-01", "2025-06-01",
                                "2024-12-20", "2025-01-05", "2024-06-01"]),
        "amount": [100.0, 20.0, 50.0, 70.0, 80.0, -80.0, 5.0],
    })
    customers = pd.DataFrame({"customer_id": ["a", "b", "c", "d", "e"],
                              "signup_date": pd.to_datetime(["2024-01-01"] * 5),
                              "churn_date": pd.to_datetime([None, None, "2025-02-01", None, "2026-03-01"])})
    seg = customer_spend(tx, customers, as_of=AS_OF, q=5).set_index("customer_id")
    # the 12 months to 31 Dec 2025 start on 1 Jan 2025: a's purchase on 31 Dec 2024 is outside
    assert seg["period_spend"].to_dict() == {"a": 20.0, "b": 120.0, "c": 0.0, "d": 0.0, "e": 0.0}
    # c's refund in the period of a purchase made before it: floored at 0, the excess kept
    assert seg.loc["c", "period_refund_excess"] == 80.0
    assert seg.loc["e", "net_spend"] == 0 and seg["value_segment"].tolist() == [4, 5, 1, 3, 2]
    assert seg["value_tier"].tolist() == ["Rest (80%)", "Top 20%", "Rest (80%)", "Rest (80%)", "Rest (80%)"]
    # a cancellation scheduled after as_of has not happened yet
    assert seg["active"].tolist() == [True, True, False, True, True]
    assert seg.attrs["period"] == "the 12 months to 31 Dec 2025"

    # each survey answer gets its customer's segment through value.attach (no second helper)
    surveys = pd.DataFrame({"customer_id": ["b", "a", "b", "z"], "csat": [2, 5, 3, 4]})
    rated = attach(surveys, seg.reset_index(), ["value_segment", "value_tier"])
    assert rated["value_segment"].tolist()[:3] == [5, 4, 5] and np.isnan(rated["value_segment"].iloc[3])

    by_period = customer_spend(tx, as_of=AS_OF, q=2, rank_by="period_spend", period="all")
    assert by_period.set_index("customer_id")["period_spend"].to_dict() == {"a": 120.0, "b": 120.0, "c": 0.0,
                                                                              "d": 5.0}
    with pytest.raises(DataError, match="rank_by"):
        customer_spend(tx, as_of=AS_OF, rank_by="clv")


# --------------------------------------------------------------------------- revenue at risk


def test_revenue_at_risk_by_hand():
    value, satisfaction = value_and_satisfaction()
    out = revenue_at_risk(value, satisfaction, level="csat_mean")
    assert list(out.columns) == ["value_segment", "satisfaction_level", "customers", "revenue", "share_of_segment",
                                 "share_of_total"]
    # every level in every segment, in reading order, zeros included
    assert out["value_segment"].tolist() == [1] * 4 + [2] * 4
    assert out["satisfaction_level"].tolist() == list(LEVELS) * 2
    cells = out.set_index(["value_segment", "satisfaction_level"])
    assert cells["customers"].tolist() == [0, 1, 1, 1, 2, 0, 0, 1]
    assert cells["revenue"].tolist() == [0.0, 30.0, 10.0, 0.0, 700.0, 0.0, 0.0, 260.0]
    assert cells.loc[(2, "dissatisfied (1-2)"), "share_of_segment"] == pytest.approx(700 / 960)
    assert cells.loc[(2, "dissatisfied (1-2)"), "share_of_total"] == pytest.approx(700 / 1000)
    assert cells.loc[(1, "neutral (3)"), "share_of_segment"] == pytest.approx(0.75)
    # c has no answer at all and f a missing one: both "no survey", never dropped
    assert out["customers"].sum() == len(value) and out["share_of_total"].sum() == pytest.approx(1)
    assert out.groupby("value_segment")["share_of_segment"].sum().tolist() == pytest.approx([1, 1])
    # x answered but is not in the value table: reported, not silently lost
    assert left_out(out).to_dict("records") == [{"table": "satisfaction", "n_rows": 1, "n_customers": 1,
                                                 "rule": "customer not in the value table (no spend or segment)"}]
    assert out.attrs["total_revenue"] == 1000.0


def test_revenue_at_risk_text_levels_no_segment_and_missing_segment():
    value, satisfaction = value_and_satisfaction()
    levels = satisfaction.assign(satisfaction_level=["satisfied (4-5)", "neutral (3)", "dissatisfied (1-2)",
                                                     "dissatisfied (1-2)", None, "satisfied (4-5)"])
    overall = revenue_at_risk(value, levels, segment=None)
    assert overall["satisfaction_level"].tolist() == list(LEVELS)
    assert overall["revenue"].tolist() == [700.0, 30.0, 10.0, 260.0]
    value.loc[2, "value_segment"] = np.nan
    out = revenue_at_risk(value, levels)
    assert out["customers"].sum() == 5
    assert {"table": "value", "rule": "value_segment missing", "n_rows": 1, "n_customers": 1} in out.attrs[
        "exclusions"]


def test_revenue_at_risk_bad_input_names_column_rule_and_rows():
    value, satisfaction = value_and_satisfaction()
    with pytest.raises(DataError, match="period_spend") as err:
        revenue_at_risk(value.drop(columns="period_spend"), satisfaction, level="csat_mean")
    assert err.value.table == "value"
    negative = value.assign(period_spend=[10.0, -5.0, 0, 1, 2, 3])
    with pytest.raises(DataError, match="must not be negative") as err:
        revenue_at_risk(negative, satisfaction, level="csat_mean")
    assert err.value.column == "period_spend" and err.value.rows["customer_id"].tolist() == ["b"]
    with pytest.raises(DataError, match="must be numeric"):
        revenue_at_risk(value.assign(period_spend=["10", "x", "1", "2", "3", "4"]), satisfaction, level="csat_mean")
    with pytest.raises(DataError, match="one row per customer"):
        revenue_at_risk(pd.concat([value, value.head(1)]), satisfaction, level="csat_mean")
    with pytest.raises(DataError, match="satisfaction_level"):
        revenue_at_risk(value, satisfaction)


# --------------------------------------------------------------------------- spend by satisfaction


def test_spend_by_satisfaction_by_hand_and_small_bases():
    value, satisfaction = value_and_satisfaction()
    out = spend_by_satisfaction(value, satisfaction, level="csat_mean", segment="value_segment", n_boot=500)
    assert out[["value_segment", "satisfaction_level", "customers"]].values.tolist() == [
        [1, "neutral (3)", 1], [1, "satisfied (4-5)", 1], [1, "no survey", 1],
        [2, "dissatisfied (1-2)", 2], [2, "no survey", 1]]
    row = out.iloc[3]
    assert row["mean_spend"] == 350.0 and row["median_spend"] == 350.0 and row["small_base"]
    # two customers: the bootstrap means can only be 200, 350 or 500
    assert 200 <= row["ci_low"] <= row["ci_high"] <= 500
    assert out["ci_low"].iloc[[0, 1, 2, 4]].isna().all()    # a single customer has no interval


def test_spend_by_satisfaction_interval_is_repeatable_skewed_and_matches_scipy():
    rng = np.random.default_rng(4)
    n = 400
    value = pd.DataFrame({"customer_id": np.arange(n), "period_spend": rng.lognormal(3, 1.2, n)})
    satisfaction = pd.DataFrame({"customer_id": np.arange(n), "satisfaction_level": "satisfied (4-5)"})
    a = spend_by_satisfaction(value, satisfaction, random_state=1)
    assert a.equals(spend_by_satisfaction(value, satisfaction, random_state=1))
    row = a.iloc[0]
    assert row["customers"] == n and not row["small_base"]
    # a long right tail gives a longer upper arm, which a t-interval would not show
    assert row["ci_high"] - row["mean_spend"] > row["mean_spend"] - row["ci_low"]
    ref = stats.bootstrap((value["period_spend"].to_numpy(),), np.mean, n_resamples=4000, method="percentile",
                          random_state=2).confidence_interval
    width = ref.high - ref.low
    assert abs(row["ci_low"] - ref.low) < 0.1 * width and abs(row["ci_high"] - ref.high) < 0.1 * width
    with pytest.raises(DataError, match="n_boot"):
        spend_by_satisfaction(value, satisfaction, n_boot=10)


# --------------------------------------------------------------------------- spend around answers


def _brute_windows(surveys, tx, after, before):
    """Each answer's windows by a plain loop over its customer's transactions."""
    past, future = [], []
    for cust, day in zip(surveys["customer_id"], surveys["date"], strict=True):
        own = tx[tx["customer_id"] == cust]
        p = own.loc[(own["date"] > day - pd.DateOffset(months=before)) & (own["date"] <= day), "amount"].sum()
        f = own.loc[(own["date"] > day) & (own["date"] <= day + pd.DateOffset(months=after)), "amount"].sum()
        past.append(max(p, 0.0))
        future.append(max(f, 0.0))
    return np.array(past), np.array(future)


def _brute_value_before(surveys, tx, q=10, min_tenure=90):
    """Spend per year of tenure up to each answer, and its groups, by plain loops."""
    annual = []
    for cust, day in zip(surveys["customer_id"], surveys["date"], strict=True):
        own = tx[tx["customer_id"] == cust]
        spent = max(own.loc[own["date"] <= day, "amount"].sum(), 0.0)
        first = own["date"].min()
        tenure = (day - first).days + 1 if len(own) and first <= day else 0
        annual.append(spent / max(tenure, min_tenure) * 365.25)
    n = len(annual)
    groups = [1 + (q * sum(other < a for other in annual)) // n for a in annual]
    return np.array(annual), np.array(groups)


def test_window_edges_by_hand():
    d = pd.Timestamp("2025-03-31")
    surveys = pd.DataFrame({"customer_id": ["a"], "date": [d], "csat": [4]})
    tx = pd.DataFrame({"customer_id": "a", "amount": [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0],
                       "date": pd.to_datetime(["2024-03-31",     # 12 months before: outside
                                               "2024-04-01",     # first day of the past window
                                               "2025-03-31",     # answer day: past
                                               "2025-04-01",     # day after: future
                                               "2025-09-30",     # 6 months after: last day of the future
                                               "2025-10-01",     # outside
                                               "2025-05-01"])})
    tx.loc[6, "amount"] = -100.0                                  # a refund larger than the future purchases
    out = spend_around_answers(surveys, tx, as_of=AS_OF)
    assert out[["past_spend", "future_spend"]].values.tolist() == [[6.0, 0.0]]
    assert out["follow_up_end"].iloc[0] == pd.Timestamp("2025-09-30")
    tx.loc[6, "amount"] = 64.0
    assert spend_around_answers(surveys, tx, as_of=AS_OF)["future_spend"].iloc[0] == 8 + 16 + 64


def test_windows_match_brute_force_and_exclusions_are_reported():
    rng = np.random.default_rng(7)
    ids = [f"c{i}" for i in range(12)]
    surveys = pd.DataFrame({"customer_id": rng.choice(ids, 40),
                            "date": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 730, 40), "D"),
                            "csat": rng.integers(1, 6, 40).astype(float)})
    surveys.loc[[3, 4], "csat"] = np.nan
    tx = pd.DataFrame({"customer_id": rng.choice(ids + ["nobody"], 400),
                       "date": pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 1095, 400), "D"),
                       "amount": np.round(rng.gamma(2, 30, 400) * rng.choice([1, -1], 400, p=[0.9, 0.1]), 2)})
    out = spend_around_answers(surveys, tx, as_of="2025-09-30", months_after=3, months_before=9)
    full = surveys[surveys["csat"].notna() & (surveys["date"] + pd.DateOffset(months=3) <= "2025-09-30")]
    full = full.sort_values(["customer_id", "date"], kind="mergesort")
    past, future = _brute_windows(full, tx, after=3, before=9)
    assert len(out) == len(full) > 20
    assert out["past_spend"].to_numpy() == pytest.approx(past)
    assert out["future_spend"].to_numpy() == pytest.approx(future)
    annual, groups = _brute_value_before(full, tx)
    assert out["annual_spend_before"].to_numpy() == pytest.approx(annual)
    assert out["past_value_decile"].tolist() == groups.tolist()
    assert out["past_value_decile"].between(1, 10).all() and out.attrs["value_q"] == 10
    report = left_out(out).set_index("rule")
    assert report.loc["rating 'csat' missing", "n_rows"] == 2
    late = surveys["csat"].notna() & surveys["date"].between("2025-07-01", "2025-09-30")
    assert report.loc["follow-up window (3 months after the answer) ends after as_of (2025-09-30)", "n_rows"] == (
        late.sum())
    dated_late = surveys["csat"].notna() & (surveys["date"] > "2025-09-30")
    assert report.loc["answer dated after as_of (2025-09-30)", "n_rows"] == dated_late.sum()
    assert report["n_rows"].sum() + len(out) == len(surveys)


def test_spend_around_answers_bad_input():
    surveys = pd.DataFrame({"customer_id": ["a", "b"], "date": ["2025-01-05", "2025-02-01"], "csat": [4, 2]})
    tx = pd.DataFrame({"customer_id": ["a"], "date": ["2025-03-01"], "amount": [10.0]})
    assert len(spend_around_answers(surveys, tx, as_of=AS_OF)) == 2          # ISO text dates are read
    for bad in (0, -3, 2.5, True):
        with pytest.raises(DataError, match="months_after"):
            spend_around_answers(surveys, tx, as_of=AS_OF, months_after=bad)
    with pytest.raises(DataError, match="csat") as err:
        spend_around_answers(surveys.assign(csat=["4", "five"]), tx, as_of=AS_OF)
    assert "must be numeric" in str(err.value) and err.value.column == "csat"
    with pytest.raises(DataError, match="'date'") as err:
        spend_around_answers(surveys.assign(date=["2025-01-05", "last week"]), tx, as_of=AS_OF)
    assert err.value.table == "surveys"
    with pytest.raises(DataError, match="amount"):
        spend_around_answers(surveys, tx.assign(amount=["ten"]), as_of=AS_OF)
    with pytest.raises(DataError, match="nps"):
        spend_around_answers(surveys, tx, as_of=AS_OF, rating="nps")
    with pytest.raises(DataError, match="shorter months_after"):
        spend_around_answers(surveys, tx, as_of="2025-03-31")
    with pytest.raises(DataError, match="as_of"):
        spend_around_answers(surveys, tx, as_of=None)
    for bad in (1, 2.0, None):
        with pytest.raises(DataError, match="value_q"):
            spend_around_answers(surveys, tx, as_of=AS_OF, value_q=bad)
    with pytest.raises(DataError, match="past_deciles"):
        future_spend_regression(surveys, tx, as_of=AS_OF, past_deciles=1)


def test_value_before_the_answer_ignores_what_follows():
    """Spend after an answer never changes the value it is compared within."""
    surveys = pd.DataFrame({"customer_id": ["a", "b", "c", "d"], "csat": [1, 2, 4, 5],
                            "date": pd.to_datetime(["2025-01-31"] * 4)})
    tx = pd.DataFrame({"customer_id": ["a", "b", "c", "d", "a", "c"],
                       "date": pd.to_datetime(["2024-02-01", "2024-08-01", "2025-01-20", "2025-01-31",
                                               "2025-02-10", "2025-03-01"]),
                       "amount": [120.0, 120.0, 30.0, 0.0, 5000.0, 9000.0]})
    out = spend_around_answers(surveys, tx, as_of=AS_OF, value_q=4).set_index("customer_id")
    # a: 120 over 366 days; b: 120 over 184; c: 30 over 12 days, counted as 90; d: nothing yet
    assert out["annual_spend_before"].round(2).to_dict() == {"a": 119.75, "b": 238.21, "c": 121.75, "d": 0.0}
    assert out["past_value_decile"].to_dict() == {"a": 2, "b": 4, "c": 3, "d": 1}
    later = tx.assign(amount=tx["amount"].where(tx["date"] <= "2025-01-31", 1.0))
    pd.testing.assert_series_equal(out["past_value_decile"],
                                   spend_around_answers(surveys, later, as_of=AS_OF, value_q=4)
                                   .set_index("customer_id")["past_value_decile"])
    tied = spend_around_answers(surveys.assign(customer_id="d"), tx, as_of=AS_OF, value_q=4)
    assert tied["past_value_decile"].tolist() == [1, 1, 1, 1]      # equal value, one group


# --------------------------------------------------------------------------- the regression


def _loop_sandwich(X, y, groups):
    """CR1 cluster-robust covariance built customer by customer (the textbook formula)."""
    n, k = X.shape
    beta = np.linalg.solve(X.T @ X, X.T @ y)
    e = y - X @ beta
    meat = np.zeros((k, k))
    labels = sorted(set(groups))
    for g in labels:
        rows = [i for i in range(n) if groups[i] == g]
        s = sum(X[i] * e[i] for i in rows)
        meat += np.outer(s, s)
    bread = np.linalg.inv(X.T @ X)
    G = len(labels)
    return G / (G - 1) * (n - 1) / (n - k) * bread @ meat @ bread, G


def test_regression_matches_sklearn_and_a_loop_built_sandwich():
    surveys = pd.DataFrame({
        "customer_id": ["a", "a", "b", "c", "c", "c", "d", "e"],
        "date": pd.to_datetime(["2024-02-01", "2024-10-01", "2024-05-01", "2024-01-15", "2024-07-15", "2025-02-01",
                                "2024-09-09", "2025-03-03"]),
        "csat": [5, 4, 2, 3, 1, 2, 5, 4],
    })
    rng = np.random.default_rng(3)
    tx = pd.DataFrame({"customer_id": rng.choice(list("abcde"), 60),
                       "date": pd.Timestamp("2023-03-01") + pd.to_timedelta(rng.integers(0, 900, 60), "D"),
                       "amount": np.round(rng.gamma(2, 25, 60), 2)})
    fit = future_spend_regression(surveys, tx, as_of=AS_OF).set_index("term")
    past, future = _brute_windows(surveys.sort_values(["customer_id", "date"]), tx, after=6, before=12)
    ordered = surveys.sort_values(["customer_id", "date"])
    X_features = np.column_stack([ordered["csat"], past])
    lr = LinearRegression().fit(X_features, future)
    assert fit.loc["csat", "estimate"] == pytest.approx(lr.coef_[0])
    assert fit.loc["past_spend", "estimate"] == pytest.approx(lr.coef_[1])
    assert fit.loc["intercept", "estimate"] == pytest.approx(lr.intercept_)
    cov, G = _loop_sandwich(np.column_stack([X_features, np.ones(8)]), future, ordered["customer_id"].tolist())
    se = np.sqrt(np.diag(cov))
    assert fit["se"].to_numpy() == pytest.approx(se)
    t = stats.t.ppf(0.975, G - 1)
    assert fit.loc["csat", "ci_low"] == pytest.approx(lr.coef_[0] - t * se[0])
    assert fit.loc["csat", "p_value"] == pytest.approx(2 * stats.t.sf(abs(lr.coef_[0] / se[0]), G - 1))
    assert set(fit["n_answers"]) == {8} and set(fit["n_customers"]) == {5}
    assert list(fit.index) == ["csat", "past_spend", "intercept"]
    assert "clustered by customer" in fit.attrs["method"]


def test_regression_within_value_groups_matches_lstsq_and_a_loop_built_sandwich():
    """Point estimates from numpy's least squares on a design matrix built by hand; CR1 errors by a loop."""
    rng = np.random.default_rng(21)
    ids = [f"k{i}" for i in range(12)]
    surveys = pd.DataFrame({"customer_id": rng.choice(ids, 30),
                            "date": pd.Timestamp("2024-01-15") + pd.to_timedelta(rng.integers(0, 500, 30), "D"),
                            "csat": rng.integers(1, 6, 30)})
    tx = pd.DataFrame({"customer_id": rng.choice(ids, 300),
                       "date": pd.Timestamp("2022-06-01") + pd.to_timedelta(rng.integers(0, 1200, 300), "D"),
                       "amount": np.round(rng.gamma(2, 25, 300), 2)})
    fit = future_spend_regression(surveys, tx, as_of=AS_OF, past_deciles=4).set_index("term")
    ordered = surveys.sort_values(["customer_id", "date"], kind="mergesort").reset_index(drop=True)
    past, future = _brute_windows(ordered, tx, after=6, before=12)
    _, groups = _brute_value_before(ordered, tx, q=4)
    levels = sorted(set(groups))
    assert len(levels) == 4
    X = np.column_stack([ordered["csat"].to_numpy(float), past]
                        + [(groups == g).astype(float) for g in levels[1:]] + [np.ones(len(ordered))])
    beta, *_ = np.linalg.lstsq(X, future, rcond=None)
    assert list(fit.index) == ["csat", "past_spend", "past_value_decile=2", "past_value_decile=3",
                               "past_value_decile=4", "intercept"]
    assert fit["estimate"].to_numpy() == pytest.approx(beta, rel=1e-9, abs=1e-9)
    cov, G = _loop_sandwich(X, future, ordered["customer_id"].tolist())
    se = np.sqrt(np.diag(cov))
    assert fit["se"].to_numpy() == pytest.approx(se, rel=1e-9)
    t = stats.t.ppf(0.975, G - 1)
    assert fit["ci_high"].to_numpy() == pytest.approx(beta + t * se, rel=1e-9, abs=1e-9)
    assert fit["p_value"].to_numpy() == pytest.approx(2 * stats.t.sf(np.abs(beta / se), G - 1), rel=1e-9)
    assert set(fit["n_customers"]) == {G} and set(fit["n_answers"]) == {30}
    assert fit.attrs["adjusted_for"] == ["spend in the 12 months before the answer",
                                         "4 value groups at the answer date (spend per year of tenure before it)"]
    # groups alone, without the straight line in past spend
    alone = future_spend_regression(surveys, tx, as_of=AS_OF, past_deciles=4, adjust_for_past=False)
    beta_alone, *_ = np.linalg.lstsq(np.delete(X, 1, axis=1), future, rcond=None)
    assert alone["estimate"].to_numpy() == pytest.approx(beta_alone, rel=1e-9, abs=1e-9)
    assert future_spend_regression(surveys, tx, as_of=AS_OF, adjust_for_past=False).attrs["adjusted_for"] == []


def _planted(seed, *, n=800, effect=8.0, confounding=0.012):
    """One answer per customer; future spend = 30 + effect * rating + 0.6 * past spend + noise.

    Past spend (two purchases, 300 and 100 days before the answer) confounds: customers
    who spent more rate lower (``confounding`` points per unit of spend, the K-mart
    pattern). The follow-up purchase comes 30 days after the answer.
    """
    rng = np.random.default_rng(seed)
    day = pd.Timestamp("2024-03-01") + pd.to_timedelta(rng.integers(0, 365, n), "D")
    p1, p2 = rng.gamma(2.0, 60.0, n), rng.gamma(2.0, 60.0, n)
    past = p1 + p2
    rating = np.clip(np.round(3.5 - confounding * (past - 240) + rng.normal(0, 0.9, n)), 1, 5).astype(int)
    future = np.maximum(30 + effect * rating + 0.6 * past + rng.normal(0, 25, n), 1.0)
    ids = np.array([f"p{i}" for i in range(n)])
    surveys = pd.DataFrame({"customer_id": ids, "date": day, "csat": rating})
    tx = pd.DataFrame({"customer_id": np.tile(ids, 3),
                       "date": np.concatenate([day - pd.Timedelta(days=300), day - pd.Timedelta(days=100),
                                               day + pd.Timedelta(days=30)]),
                       "amount": np.round(np.concatenate([p1, p2, future]), 2)})
    return surveys, tx


def test_adjusting_for_spend_before_the_answer_recovers_a_planted_effect():
    surveys, tx = _planted(seed=0)
    csat = {name: future_spend_regression(surveys, tx, as_of=AS_OF, **kw).set_index("term").loc["csat"]
            for name, kw in {"naive": dict(adjust_for_past=False), "past": {},
                             "groups": dict(adjust_for_past=False, past_deciles=10),
                             "both": dict(past_deciles=10)}.items()}
    naive = csat["naive"]
    assert naive["ci_high"] < 0                     # biased: "happier customers spend less afterwards"
    for name in ("past", "both"):                    # adjusted: the planted 8 per point
        assert csat[name]["ci_low"] < 8 < csat[name]["ci_high"], name
        assert csat[name]["estimate"] == pytest.approx(8, abs=2.0), name
    # ten value groups alone remove most of the bias, not all of it (spend varies within a group)
    assert naive["estimate"] < csat["groups"]["estimate"] < 8
    assert 8 - csat["groups"]["estimate"] < 0.2 * (8 - naive["estimate"])


def test_value_deciles_that_include_the_follow_up_hide_the_effect():
    """Deciles ranked on spend to as_of contain the spend being predicted; those at the answer date do not."""
    surveys, tx = _planted(seed=0, n=3000, confounding=0.0)     # no confounding: every adjustment should find 8
    seg = customer_spend(tx, as_of=AS_OF, period="all")
    rated = attach(surveys, seg, "value_segment")
    leaky = future_spend_regression(rated, tx, as_of=AS_OF, adjust_for_past=False,
                                    segment="value_segment").set_index("term").loc["csat"]
    before = future_spend_regression(rated, tx, as_of=AS_OF, adjust_for_past=False,
                                     past_deciles=10).set_index("term").loc["csat"]
    assert before["ci_low"] < 8 < before["ci_high"]
    assert leaky["ci_high"] < 8 and leaky["estimate"] < before["estimate"] - 2   # about a third of it hidden


def test_one_answer_per_customer_gives_white_hc1_errors():
    rng = np.random.default_rng(11)
    X = np.column_stack([rng.normal(size=50), rng.normal(size=50), np.ones(50)])
    y = X @ [1.0, -2.0, 3.0] + rng.normal(size=50) * (1 + np.abs(X[:, 0]))
    beta, cov, g = _ols_clustered(X, y, np.arange(50))
    e = y - X @ beta
    bread = np.linalg.inv(X.T @ X)
    hc1 = 50 / (50 - 3) * bread @ (X.T * e**2) @ X @ bread
    assert g == 50 and cov == pytest.approx(hc1)


def test_clustered_intervals_cover_where_naive_ones_do_not():
    """Several answers per customer: customer-level rating and spend shocks make naive errors too small."""
    rng = np.random.default_rng(2024)
    covered_cluster = covered_naive = 0
    reps, G, m = 300, 60, 4
    groups = np.repeat(np.arange(G), m)
    for _ in range(reps):
        x = rng.normal(size=G)[groups] + rng.normal(size=G * m)
        y = 1 + 2 * x + rng.normal(0, 2, G)[groups] + rng.normal(size=G * m)
        X = np.column_stack([x, np.ones(G * m)])
        beta, cov, _ = _ols_clustered(X, y, groups)
        half = stats.t.ppf(0.975, G - 1) * np.sqrt(cov[0, 0])
        covered_cluster += abs(beta[0] - 2) <= half
        e = y - X @ beta
        naive = np.sqrt(e @ e / (G * m - 2) * np.linalg.inv(X.T @ X)[0, 0])
        covered_naive += abs(beta[0] - 2) <= 1.96 * naive
    assert 0.91 <= covered_cluster / reps <= 0.98
    assert covered_naive / reps < 0.88


def _panel(seed, n=400, slope=15.0, segment_shift=0.0):
    """Customers answering once or twice, 13+ months apart, with spend built from the rating.

    Past purchases fall in the two months before an answer, the follow-up purchase 30 days
    after it, so each answer's windows hold exactly its own purchases. In the "high"
    segment ratings are lower and spend higher by ``segment_shift`` (the K-mart set-up).
    """
    rng = np.random.default_rng(seed)
    rows, tx = [], []
    for i in range(n):
        high = i % 5 == 0
        level = rng.normal(0, 20)                                   # the customer's own spend level
        for start in (pd.Timestamp("2023-06-01"), pd.Timestamp("2024-11-01"))[: rng.integers(1, 3)]:
            day = start + pd.Timedelta(days=int(rng.integers(0, 90)))
            rating = int(np.clip(np.round(rng.normal(2.3 if high else 3.8, 1)), 1, 5))
            past = rng.gamma(4, 15)
            future = 80 + slope * rating + 0.5 * past + level + high * segment_shift + rng.normal(0, 10)
            rows.append({"customer_id": f"k{i}", "date": day, "csat": rating, "segment": "high" if high else "rest"})
            tx += [{"customer_id": f"k{i}", "date": day - pd.Timedelta(days=int(rng.integers(1, 60))),
                    "amount": round(past, 2)},
                   {"customer_id": f"k{i}", "date": day + pd.Timedelta(days=30), "amount": round(future, 2)}]
    tx = pd.DataFrame(tx)
    assert (tx["amount"] > 0).all()
    return pd.DataFrame(rows), tx


def test_regression_recovers_a_known_slope():
    surveys, tx = _panel(seed=5)
    fit = future_spend_regression(surveys, tx, as_of=AS_OF).set_index("term")
    assert fit.loc["csat", "ci_low"] < 15 < fit.loc["csat", "ci_high"]
    assert fit.loc["csat", "estimate"] == pytest.approx(15, abs=2.5)
    assert fit.loc["past_spend", "estimate"] == pytest.approx(0.5, abs=0.1)
    assert fit["n_customers"].iloc[0] == 400 and fit["n_answers"].iloc[0] > 500
    assert left_out(fit).empty


def test_segment_terms_remove_a_value_composition_effect():
    surveys, tx = _panel(seed=6, slope=0.0, segment_shift=150.0)
    naive = future_spend_regression(surveys, tx, as_of=AS_OF, adjust_for_past=False).set_index("term")
    within = future_spend_regression(surveys, tx, as_of=AS_OF, segment="segment").set_index("term")
    assert naive.loc["csat", "ci_high"] < -20              # "happy customers spend less"...
    assert within.loc["csat", "ci_low"] < 0 < within.loc["csat", "ci_high"]   # ...only because of who they are
    assert list(within.index) == ["csat", "past_spend", "segment=rest", "intercept"]
    assert within.loc["segment=rest", "estimate"] == pytest.approx(-150, abs=15)
    missing = surveys.assign(segment=surveys["segment"].where(surveys.index != 0))
    fit = future_spend_regression(missing, tx, as_of=AS_OF, segment="segment")
    assert left_out(fit).loc[0, "rule"] == "segment missing" and fit["n_answers"].iloc[0] == len(surveys) - 1


def test_any_rating_column_and_a_constant_rating():
    surveys, tx = _panel(seed=8, n=60)
    surveys["nps"] = surveys["csat"] * 2
    surveys.loc[0, "nps"] = np.nan
    fit = future_spend_regression(surveys, tx, as_of=AS_OF, rating="nps").set_index("term")
    assert fit.loc["nps", "estimate"] == pytest.approx(
        future_spend_regression(surveys.drop(index=0), tx, as_of=AS_OF).set_index("term").loc["csat", "estimate"] / 2)
    assert left_out(fit)["rule"].tolist() == ["rating 'nps' missing"]
    with pytest.raises(FitError, match="constant"):
        future_spend_regression(surveys.assign(csat=3), tx, as_of=AS_OF)


# --------------------------------------------------------------------------- the sample company


@pytest.fixture(scope="module")
def company():
    from cxkit.synth import generate

    s = generate(seed=2, n_customers=20000)
    t = s.tables
    seg = customer_spend(t["transactions"], t["customers"], as_of=AS_OF)
    exp = customer_experience(t["surveys"], customers=t["customers"], as_of=AS_OF)
    return s, seg, exp


def test_sample_company_top_spenders_hold_the_revenue_at_risk(company):
    s, seg, exp = company
    truth = s.truth.set_index("customer_id").loc[seg["customer_id"], "top_value"].to_numpy()
    assert (truth & (seg["value_tier"] == "Top 10%")).sum() > 0.5 * truth.sum()   # deciles find the planted top
    out = revenue_at_risk(seg, exp, segment="value_tier", level="csat_mean")
    revenue = out.set_index(["value_tier", "satisfaction_level"])["revenue"].unstack()[list(LEVELS[:3])]
    answered = revenue.div(revenue.sum(axis=1), axis=0)      # shares of the revenue of customers who answered
    at_risk = answered["dissatisfied (1-2)"] + answered["neutral (3)"]
    assert at_risk["Top 10%"] > 2 * at_risk["Rest (90%)"] and at_risk["Top 10%"] > 0.4
    assert out["customers"].sum() == seg["active"].sum() and out["share_of_total"].sum() == pytest.approx(1)
    assert out.attrs["n_cancelled"] == len(seg) - seg["active"].sum() > 0      # the cancelled are left out, counted
    everyone = revenue_at_risk(seg, exp, segment="value_tier", level="csat_mean", population="all")
    assert everyone["customers"].sum() == 20000
    assert out.attrs["period"] == "the 12 months to 31 Dec 2025"


def test_sample_company_happy_customers_do_not_spend_more(company):
    s, seg, exp = company
    by_level = spend_by_satisfaction(seg, exp, level="csat_mean", n_boot=500).set_index("satisfaction_level")
    assert by_level.loc["dissatisfied (1-2)", "ci_low"] > by_level.loc["satisfied (4-5)", "ci_high"]
    surveys = s.tables["surveys"]
    tx = s.tables["transactions"]
    naive = future_spend_regression(surveys, tx, as_of=AS_OF, adjust_for_past=False).set_index("term")
    within = future_spend_regression(surveys, tx, as_of=AS_OF, past_deciles=10).set_index("term")
    assert naive.loc["csat", "ci_high"] < 0
    # compared within value deciles at the answer date, much of the gap goes, and the
    # happier still do not spend more (what remains is value that a year of purchases
    # measures only roughly: the planted top spenders are both richer and less happy)
    assert 0.5 * naive.loc["csat", "estimate"] < within.loc["csat", "estimate"] < 0
    assert within.loc["csat", "ci_low"] < 0 and within.loc["csat", "ci_low"] > naive.loc["csat", "estimate"]
    late = (surveys["date"] > "2025-06-30").sum()
    assert left_out(naive)["n_rows"].tolist() == [late]
    assert naive["n_answers"].iloc[0] == len(surveys) - late


def test_segment_customers_from_a_value_frame_equals_customer_spend():
    from cxkit import load_folder, periods, spend
    from cxkit.value import segment_revenue

    cx = load_folder("data/sample")
    direct = spend.customer_spend(cx.transactions, cx.customers, as_of=cx.as_of, period="12M")
    window = periods.reporting_period("12M", as_of=cx.as_of)
    value = cx.customer_value(period_start=window.start, period_end=window.end)
    built = spend.segment_customers(value, cx.customers, as_of=cx.as_of, period=window.label)
    cols = ["customer_id", "net_spend", "annual_spend", "period_spend", "value_segment", "value_tier", "active"]
    pd.testing.assert_frame_equal(direct[cols], built[cols])
    shares = segment_revenue(built, segment_col="value_tier")
    assert abs(shares["share"].sum() - 1) < 1e-12
    assert shares["revenue"].sum() == pytest.approx(direct["period_spend"].sum())
