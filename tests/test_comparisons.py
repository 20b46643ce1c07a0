"""Comparing a skewed value between groups: Welch on means, Mann-Whitney on distributions."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cxkit import DataError
from cxkit.comparisons import compare_values
from cxkit.narrative import value_difference_sentence


def _groups(seed=0, n_a=80, n_b=400):
    rng = np.random.default_rng(seed)
    # Group a: most customers small, a few very large (a heavy tail lifts its mean).
    a = np.concatenate([rng.gamma(1.0, 15.0, n_a - 5), rng.gamma(1.0, 1500.0, 5)])
    b = rng.gamma(2.0, 15.0, n_b)
    return pd.DataFrame({"level": ["dissatisfied"] * n_a + ["satisfied"] * n_b, "clv": np.concatenate([a, b])})


def test_welch_matches_scipy_and_the_interval_holds_the_difference():
    df = _groups()
    row = compare_values(df, "clv", by="level", a="dissatisfied", b="satisfied").iloc[0]
    a = df.loc[df["level"] == "dissatisfied", "clv"]
    b = df.loc[df["level"] == "satisfied", "clv"]
    ref = stats.ttest_ind(a, b, equal_var=False)
    assert row["p_value"] == pytest.approx(ref.pvalue, rel=1e-9)
    assert row["diff"] == pytest.approx(a.mean() - b.mean())
    assert row["ci_low"] < row["diff"] < row["ci_high"]
    # the interval excludes 0 exactly when Welch's p is below 0.05
    assert (row["ci_low"] > 0 or row["ci_high"] < 0) == (row["p_value"] < 0.05)
    assert row["p_median"] == pytest.approx(stats.mannwhitneyu(a, b).pvalue)
    assert row["median_a"] == pytest.approx(np.median(a)) and row["n_a"] == 80 and row["n_b"] == 400
    assert row["top5_share_a"] == pytest.approx(np.sort(a)[-5:].sum() / a.sum())


def test_interval_coverage_by_simulation():
    rng = np.random.default_rng(1)
    hits = 0
    for _ in range(300):
        a, b = rng.lognormal(3, 1, 60), rng.lognormal(3, 1, 90)   # same distribution: true difference 0
        df = pd.DataFrame({"g": ["a"] * 60 + ["b"] * 90, "v": np.concatenate([a, b])})
        row = compare_values(df, "v", by="g", a="a").iloc[0]
        hits += row["ci_low"] <= 0 <= row["ci_high"]
    assert 0.91 <= hits / 300 <= 0.98


def test_a_few_large_customers_do_not_make_a_group_worth_more():
    row = compare_values(_groups(), "clv", by="level", a="dissatisfied", b="satisfied").iloc[0]
    assert row["mean_a"] > row["mean_b"] and row["median_a"] < row["median_b"]
    text = value_difference_sentence(row, subject="Dissatisfied customers", other="satisfied ones", currency="£")
    assert "**more**" not in text and "**less**" not in text and "£" in text     # no direction claimed
    assert "five largest customers hold" in text


def test_worth_more_only_when_both_tests_agree():
    rng = np.random.default_rng(2)
    df = pd.DataFrame({"g": ["x"] * 300 + ["y"] * 300,
                       "v": np.concatenate([rng.gamma(2, 30, 300), rng.gamma(2, 15, 300)])})
    row = compare_values(df, "v", by="g", a="x").iloc[0]
    assert "worth **more**" in value_difference_sentence(row, subject="X customers", other="Y customers")
    same = compare_values(df.assign(g=np.tile(["x", "y"], 300)), "v", by="g", a="x").iloc[0]
    assert "about the same" in value_difference_sentence(same, subject="X", other="Y")


def test_groups_too_small_are_named():
    with pytest.raises(DataError, match="at least 2 customers per group"):
        compare_values(pd.DataFrame({"g": ["a", "b", "b"], "v": [1.0, 2.0, 3.0]}), "v", by="g", a="a")


def test_cancelled_customers_are_left_out_by_default_and_counted():
    df = _groups().assign(known_churned=False)
    df.loc[df.index[:30], ["clv", "known_churned"]] = [0.0, True]
    row = compare_values(df, "clv", by="level", a="dissatisfied", b="satisfied")
    assert row["n_a"].iloc[0] == 50 and row["population"].iloc[0] == "active customers"
    assert row["n_cancelled_left_out"].iloc[0] == 30 and row.attrs["exclusions"][0]["n_customers"] == 30
    active = df[~df["known_churned"]]
    same = compare_values(active.drop(columns="known_churned"), "clv", by="level", a="dissatisfied")
    assert row["mean_a"].iloc[0] == pytest.approx(same["mean_a"].iloc[0])
    assert same["population"].iloc[0] == "all customers (cancellations not known)"
    everyone = compare_values(df, "clv", by="level", a="dissatisfied", population="all")
    assert everyone["n_a"].iloc[0] == 80 and everyone["n_cancelled_left_out"].iloc[0] == 0
    assert everyone.attrs["n_cancelled"] == 30
    flags = pd.Series(df["known_churned"].to_numpy(), index=df.index)
    by_series = compare_values(df.drop(columns="known_churned"), "clv", by="level", a="dissatisfied", cancelled=flags)
    assert by_series["n_a"].iloc[0] == 50
    with pytest.raises(DataError, match="population"):
        compare_values(df, "clv", by="level", a="dissatisfied", population="some")
    with pytest.raises(DataError, match="no customer id"):
        compare_values(df, "clv", by="level", a="dissatisfied", cancelled=pd.Series(True, index=["x", "y"]))
    with pytest.raises(DataError, match="ci"):
        compare_values(df, "clv", by="level", a="dissatisfied", ci=1.5)
