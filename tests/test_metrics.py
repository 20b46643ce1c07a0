"""Tests for cxkit.metrics: hand-worked values, properties and the data contract."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats

from cxkit.errors import DataError
from cxkit.metrics import (
    ces,
    compare,
    csat,
    cx_scorecard,
    gap_analysis,
    goal_status,
    nps,
    period_over_period,
    service_metrics,
    trend,
    wilson_interval,
)

Z95 = 1.959963984540054  # standard normal 97.5% quantile

# 5 promoters, 2 passives, 3 detractors -> NPS = 50 - 30 = 20
TEN_ANSWERS = [10, 10, 9, 9, 9, 8, 7, 6, 3, 0]

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def surveys(n: int = 200, seed: int = 0) -> pd.DataFrame:
    """A small synthetic surveys table with some missing answers."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "customer_id": np.arange(n),
            "date": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 365, n), "D"),
            "segment": rng.choice(["consumer", "smb", "enterprise"], n),
            "nps": rng.integers(0, 11, n).astype(float),
            "csat": rng.integers(1, 6, n).astype(float),
            "ces": rng.integers(1, 8, n).astype(float),
            "spend": rng.gamma(2.0, 50.0, n),
        }
    )
    df.loc[rng.random(n) < 0.1, "csat"] = np.nan
    df.loc[rng.random(n) < 0.1, "nps"] = np.nan
    return df


# --------------------------------------------------------------------------- #
# Hand-worked examples
# --------------------------------------------------------------------------- #
def test_nps_hand_worked_adjusted_wald():
    out = nps(pd.DataFrame({"nps": TEN_ANSWERS}))
    assert len(out) == 1
    r = out.iloc[0]
    assert r["metric"] == "NPS"
    assert r["n"] == 10 and r["n_missing"] == 0 and r["n_effective"] == pytest.approx(10)
    assert r["promoters_pct"] == pytest.approx(50)
    assert r["passives_pct"] == pytest.approx(20)
    assert r["detractors_pct"] == pytest.approx(30)
    assert r["value"] == pytest.approx(20)  # raw estimate, not the adjusted centre
    # Adjusted Wald: add 3/4 to promoters and detractors, 3 to n.
    n_adj = 10 + 3
    p_adj = (5 + 0.75) / n_adj  # 0.442308
    d_adj = (3 + 0.75) / n_adj  # 0.288462
    var_adj = ((p_adj + d_adj) - (p_adj - d_adj) ** 2) / n_adj
    centre = p_adj - d_adj
    assert r["ci_low"] == pytest.approx(100 * (centre - Z95 * math.sqrt(var_adj)))
    assert r["ci_high"] == pytest.approx(100 * (centre + Z95 * math.sqrt(var_adj)))
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((-30.33, 61.10), abs=0.01)
    # se is the raw (Wald) standard error: var = [(p + d) - (p - d)^2] / n
    assert r["se"] == pytest.approx(100 * math.sqrt((0.8 - 0.2**2) / 10))
    assert bool(r["small_base"]) is True


def test_nps_hand_worked_wald():
    r = nps(pd.DataFrame({"nps": TEN_ANSWERS}), method="wald").iloc[0]
    half = Z95 * math.sqrt((0.8 - 0.04) / 10)  # 0.54034
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((100 * (0.2 - half), 100 * (0.2 + half)))
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((-34.03, 74.03), abs=0.01)


def test_nps_ci_is_clipped_to_scale():
    r = nps(pd.DataFrame({"nps": [10, 10, 9]}), method="wald").iloc[0]
    assert r["value"] == 100 and r["ci_high"] == 100 and r["ci_low"] == 100
    r = nps(pd.DataFrame({"nps": [10, 10, 9]})).iloc[0]
    assert -100 <= r["ci_low"] < r["ci_high"] <= 100


def test_nps_missing_answers_excluded_and_counted():
    df = pd.DataFrame({"nps": TEN_ANSWERS + [np.nan, np.nan], "csat": [5] * 12})
    r = nps(df).iloc[0]
    assert r["n"] == 10 and r["n_missing"] == 2 and r["value"] == pytest.approx(20)


def test_nps_weighted_hand_worked():
    df = pd.DataFrame({"nps": [10, 0, 8], "spend": [3.0, 1.0, 0.0]})
    r = nps(df, weights="spend", method="wald").iloc[0]
    # p = 3/4, d = 1/4, n_eff = (3+1+0)^2 / (9+1+0) = 1.6
    assert r["value"] == pytest.approx(50)
    assert r["n"] == 3
    assert r["n_effective"] == pytest.approx(1.6)
    assert r["se"] == pytest.approx(100 * math.sqrt((1.0 - 0.25) / 1.6))


def test_wilson_textbook_value():
    lo, hi = wilson_interval(0.8, 10)
    assert (lo, hi) == pytest.approx((0.490, 0.943), abs=5e-4)
    assert all(math.isnan(v) for v in wilson_interval(0.5, 0))
    assert wilson_interval(0.0, 12)[0] == 0.0 and wilson_interval(1.0, 12)[1] == 1.0


def test_csat_weighted_wilson_uses_effective_n():
    df = pd.DataFrame({"csat": [5, 4, 2, 1], "w": [1.0, 1.0, 1.0, 3.0]})
    r = csat(df, weights="w").iloc[0]
    n_eff = 6.0**2 / 12.0  # (sum w)^2 / sum w^2 = 3
    lo, hi = wilson_interval(2 / 6, n_eff)
    assert r["value"] == pytest.approx(100 / 3)
    assert r["n_effective"] == pytest.approx(n_eff)
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((100 * lo, 100 * hi))


def test_csat_top_box_wilson_and_mean():
    df = pd.DataFrame({"csat": [5, 5, 4, 4, 4, 5, 4, 5, 2, 3]})  # 8 of 10 in 4-5
    r = csat(df).iloc[0]
    assert r["metric"] == "CSAT"
    assert r["value"] == pytest.approx(80)
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((49.0, 94.3), abs=0.05)
    assert r["mean"] == pytest.approx(4.1)
    assert r["se"] == pytest.approx(100 * math.sqrt(0.8 * 0.2 / 10))


def test_csat_custom_top_box():
    df = pd.DataFrame({"csat": [5, 5, 4, 4, 4, 5, 4, 5, 2, 3]})
    assert csat(df, top_box=(5,)).iloc[0]["value"] == pytest.approx(40)


def test_ces_mean_t_interval_and_top_box():
    answers = [7, 6, 6, 5, 7, 3, 6, 4, 7, 5]
    r = ces(pd.DataFrame({"ces": answers})).iloc[0]
    m, s = np.mean(answers), np.std(answers, ddof=1)
    t = stats.t.ppf(0.975, df=9)  # 2.262157
    assert r["value"] == pytest.approx(5.6)
    assert r["se"] == pytest.approx(s / math.sqrt(10))
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((m - t * s / math.sqrt(10), m + t * s / math.sqrt(10)))
    assert r["top_box_pct"] == pytest.approx(60)  # 6 of 10 agree it was easy (6-7)
    lo, hi = wilson_interval(0.6, 10)
    assert (r["top_box_ci_low"], r["top_box_ci_high"]) == pytest.approx((100 * lo, 100 * hi))


def test_by_groups_sorted_and_columns_first():
    df = pd.DataFrame({"segment": ["b", "a", "b", "a"], "region": ["x", "x", "y", "y"], "nps": [10, 0, 9, 9]})
    out = nps(df, by="segment")
    assert list(out.columns[:2]) == ["segment", "metric"]
    assert out["segment"].tolist() == ["a", "b"]
    assert out["value"].tolist() == pytest.approx([0.0, 100.0])
    out2 = nps(df, by=["segment", "region"])
    assert list(zip(out2["segment"], out2["region"], strict=True)) == [("a", "x"), ("a", "y"), ("b", "x"), ("b", "y")]


def test_small_base_threshold_is_a_keyword():
    df = pd.DataFrame({"nps": TEN_ANSWERS})
    assert bool(nps(df).iloc[0]["small_base"]) is True
    assert bool(nps(df, min_base=10).iloc[0]["small_base"]) is False


def test_numeric_outputs_are_plain_floats():
    out = cx_scorecard(surveys(), by="segment")
    for col in ["n_effective", "value", "se", "ci_low", "ci_high"]:
        assert out[col].dtype == np.float64
    assert out["n"].dtype == np.int64
    assert out["small_base"].dtype == bool


# --------------------------------------------------------------------------- #
# Properties
# --------------------------------------------------------------------------- #
nps_answers = st.lists(st.integers(0, 10), min_size=1, max_size=60)


@FAST
@given(nps_answers)
def test_prop_nps_in_range_and_wald_ci_contains_estimate(answers):
    r = nps(pd.DataFrame({"nps": answers}), method="wald").iloc[0]
    assert -100 <= r["value"] <= 100
    assert -100 <= r["ci_low"] <= r["value"] + 1e-9
    assert r["value"] - 1e-9 <= r["ci_high"] <= 100
    a = nps(pd.DataFrame({"nps": answers})).iloc[0]
    assert -100 <= a["ci_low"] <= a["ci_high"] <= 100
    assert a["promoters_pct"] + a["passives_pct"] + a["detractors_pct"] == pytest.approx(100)


@FAST
@given(nps_answers, st.floats(0.01, 1000))
def test_prop_constant_weight_changes_nothing(answers, c):
    n = len(answers)
    df = pd.DataFrame(
        {"nps": answers, "csat": [1 + a % 5 for a in answers], "ces": [1 + a % 7 for a in answers], "w": [c] * n}
    )
    plain = cx_scorecard(df)
    weighted = cx_scorecard(df, weights="w")
    cols = ["n_effective", "value", "se", "ci_low", "ci_high"]
    np.testing.assert_allclose(weighted[cols].to_numpy(), plain[cols].to_numpy(), rtol=1e-9, atol=1e-9)
    assert weighted["n"].tolist() == plain["n"].tolist()


@FAST
@given(st.lists(st.tuples(st.integers(0, 10), st.sampled_from("abc")), min_size=2, max_size=60), st.randoms())
def test_prop_permuting_rows_changes_nothing(pairs, rnd):
    df = pd.DataFrame(pairs, columns=["nps", "segment"])
    df["csat"] = 1 + df["nps"] % 5
    shuffled = df.iloc[rnd.sample(range(len(df)), len(df))]
    a = cx_scorecard(df, by="segment")
    b = cx_scorecard(shuffled, by="segment")
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-12, atol=1e-12)


# --------------------------------------------------------------------------- #
# Data contract
# --------------------------------------------------------------------------- #
def _raises(column, func, *args, **kwargs):
    with pytest.raises(DataError) as info:
        func(*args, **kwargs)
    assert info.value.column == column
    assert f"'{column}'" in str(info.value)
    return info.value


@pytest.mark.parametrize(
    "func, frame, kwargs, column",
    [
        (nps, {"csat": [5, 4]}, {}, "nps"),
        (nps, {"nps": [10, 11, 3]}, {}, "nps"),
        (nps, {"nps": [10, 7.5, 3]}, {}, "nps"),
        (nps, {"nps": [10, -1, 3]}, {}, "nps"),
        (nps, {"nps": ["10", "ten", "3"]}, {}, "nps"),
        (nps, {"nps": [np.nan, np.nan]}, {}, "nps"),
        (csat, {"csat": [0, 4, 5]}, {}, "csat"),
        (csat, {"csat": [1, 4, 6]}, {}, "csat"),
        (ces, {"ces": [1, 8, 5]}, {}, "ces"),
        (nps, {"nps": [10, 9], "spend": [1.0, -2.0]}, {"weights": "spend"}, "spend"),
        (nps, {"nps": [10, 9], "spend": [1.0, np.nan]}, {"weights": "spend"}, "spend"),
        (nps, {"nps": [10, 9]}, {"weights": "spend"}, "spend"),
        (nps, {"nps": [10, 9]}, {"by": "segment"}, "segment"),
        (csat, {"csat": [4, 5]}, {"column": "sat"}, "sat"),
    ],
)
def test_bad_input_raises_data_error_naming_column(func, frame, kwargs, column):
    if "column" in kwargs:
        kwargs = dict(kwargs)
        col = kwargs.pop("column")
        _raises(column, func, pd.DataFrame(frame), col, **kwargs)
    else:
        _raises(column, func, pd.DataFrame(frame), **kwargs)


def test_out_of_scale_error_shows_offending_rows():
    df = pd.DataFrame({"customer_id": [1, 2, 3, 4], "nps": [10, 11, 3, 12]})
    err = _raises("nps", nps, df)
    assert err.n_rows == 2
    assert err.rows["customer_id"].tolist() == [2, 4]


def test_nan_weight_on_unanswered_row_is_ignored():
    df = pd.DataFrame({"nps": [10, 9, np.nan], "spend": [1.0, 2.0, np.nan]})
    assert nps(df, weights="spend").iloc[0]["n"] == 2


def test_scorecard_needs_some_metric_column():
    with pytest.raises(DataError):
        cx_scorecard(pd.DataFrame({"x": [1, 2]}))


def test_bad_arguments_raise_value_error():
    df = pd.DataFrame({"nps": TEN_ANSWERS})
    with pytest.raises(ValueError):
        nps(df, method="exact")
    with pytest.raises(ValueError):
        nps(df, ci=95)
    with pytest.raises(ValueError):
        csat(pd.DataFrame({"csat": [4]}), top_box=(6,))


# --------------------------------------------------------------------------- #
# Scorecard and gap analysis
# --------------------------------------------------------------------------- #
def test_scorecard_stacks_present_metrics_in_order():
    df = surveys().drop(columns="ces")
    card = cx_scorecard(df, by="segment")
    assert list(card.columns) == [
        "metric", "segment", "n", "n_missing", "n_effective", "value", "se", "ci_low", "ci_high", "small_base",
    ]
    assert card["metric"].tolist() == ["NPS"] * 3 + ["CSAT"] * 3
    by_nps = nps(df, by="segment")
    np.testing.assert_allclose(card.loc[card.metric == "NPS", "value"], by_nps["value"])


def test_gap_analysis_statuses():
    card = pd.DataFrame(
        {
            "metric": ["NPS", "CSAT", "CES"],
            "n": [400, 400, 400],
            "value": [42.0, 80.0, 5.5],
            "se": [2.0, 1.5, 0.05],
            "ci_low": [38.0, 77.0, 5.4],
            "ci_high": [46.0, 83.0, 5.6],
        }
    )
    out = gap_analysis(card, {"NPS": 30, "CSAT": 85, "CES": 5.5})
    assert out["status"].tolist() == ["met", "not met", "within noise"]
    assert out["gap"].tolist() == pytest.approx([-12.0, 5.0, 0.0])
    assert out.loc[0, ["gap_ci_low", "gap_ci_high"]].tolist() == pytest.approx([30 - 46, 30 - 38])
    # a goal only some metrics have: others are left out; case does not matter
    assert gap_analysis(card, {"nps": 50})["status"].tolist() == ["not met"]
    # lower-is-better metrics flip "met"
    assert gap_analysis(card, {"NPS": 50}, lower_is_better=["NPS"])["status"].tolist() == ["met"]


def test_gap_analysis_from_se_only_and_from_scorecard():
    card = pd.DataFrame({"metric": ["NPS"], "value": [42.0], "se": [2.0]})
    out = gap_analysis(card, {"NPS": 45})
    assert out["status"].tolist() == ["within noise"]
    assert out.loc[0, "gap_ci_low"] == pytest.approx(45 - (42 + Z95 * 2))
    real = gap_analysis(cx_scorecard(surveys(), by="segment"), {"NPS": 100, "CSAT": 0})
    assert set(real.columns) >= {"metric", "segment", "current", "goal", "gap", "status"}
    assert real.loc[real.metric == "NPS", "status"].eq("not met").all()
    assert real.loc[real.metric == "CSAT", "status"].eq("met").all()


def test_goal_status_rule():
    assert goal_status(42.0, 38.0, 46.0, 30.0) == "met"
    assert goal_status(42.0, 38.0, 46.0, 50.0) == "not met"
    assert goal_status(42.0, 38.0, 46.0, 46.0) == "within noise"  # a goal on the interval's edge is noise
    assert goal_status(float("nan"), 38.0, 46.0, 30.0) == "no data"
    # time to resolve, in hours: lower is better, so 20h against a 24h goal is met
    assert goal_status(20.0, 18.0, 22.0, 24.0, lower_is_better=True) == "met"
    assert goal_status(30.0, 28.0, 32.0, 24.0, lower_is_better=True) == "not met"
    assert goal_status(23.0, 21.0, 25.0, 24.0, lower_is_better=True) == "within noise"


def test_gap_analysis_status_is_goal_status():
    card = pd.DataFrame({"metric": ["NPS", "CES"], "value": [42.0, 5.5], "ci_low": [38.0, 5.4],
                         "ci_high": [46.0, 5.6]})
    goals = {"NPS": 35, "CES": 5.0}
    out = gap_analysis(card, goals, lower_is_better=["CES"])
    expected = [goal_status(v, lo, hi, goals[m], lower_is_better=m == "CES")
                for m, v, lo, hi in card[["metric", "value", "ci_low", "ci_high"]].itertuples(index=False)]
    assert out["status"].tolist() == expected == ["met", "not met"]


def test_gap_analysis_goal_without_metric_row():
    card = pd.DataFrame({"metric": ["NPS"], "value": [42.0], "se": [2.0]})
    with pytest.raises(DataError):
        gap_analysis(card, {"CSAT": 80})


# --------------------------------------------------------------------------- #
# Comparisons and trends
# --------------------------------------------------------------------------- #
def test_compare_identical_groups_p_close_to_one():
    df = pd.DataFrame({"g": ["a"] * 10 + ["b"] * 10, "nps": TEN_ANSWERS * 2, "csat": [5, 4, 3, 2, 1] * 4,
                       "ces": [7, 6, 5, 4, 3] * 4})
    for metric in ["nps", "csat", "ces"]:
        r = compare(df, metric, by="g", a="a", b="b").iloc[0]
        assert r["diff"] == pytest.approx(0)
        assert r["p_value"] == pytest.approx(1)
        assert r["ci_low"] < 0 < r["ci_high"]


def test_compare_very_different_large_groups():
    n = 500
    df = pd.DataFrame(
        {
            "g": ["happy"] * n + ["sad"] * n,
            "nps": [10, 9, 9, 8] * (n // 4) + [3, 6, 7, 9] * (n // 4),
            "csat": [5, 4, 4, 5] * (n // 4) + [2, 3, 4, 1] * (n // 4),
            "ces": [7, 6, 6, 5] * (n // 4) + [2, 3, 5, 4] * (n // 4),
        }
    )
    for metric in ["nps", "csat", "ces"]:
        r = compare(df, metric, by="g", a="happy").iloc[0]
        assert r["group_b"] == "rest"
        assert r["n_a"] == n and r["n_b"] == n
        assert r["diff"] > 0 and r["p_value"] < 0.001


def test_compare_nps_z_test_by_hand():
    df = pd.DataFrame({"g": ["a"] * 10 + ["b"] * 4, "nps": TEN_ANSWERS + [10, 10, 0, 8]})
    r = compare(df, "nps", by="g", a="a", b="b").iloc[0]
    var_a = (0.8 - 0.2**2) / 10
    var_b = (0.75 - 0.25**2) / 4  # p = 0.5, d = 0.25
    se = 100 * math.sqrt(var_a + var_b)
    assert r["value_a"] == pytest.approx(20) and r["value_b"] == pytest.approx(25)
    assert r["diff"] == pytest.approx(-5)
    assert r["p_value"] == pytest.approx(2 * stats.norm.sf(5 / se))
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((-5 - Z95 * se, -5 + Z95 * se))


def test_compare_ces_matches_welch_t_test():
    a = [7, 6, 6, 5, 7, 3, 6, 4, 7, 5]
    b = [2, 5, 4, 4, 6, 1, 3]
    df = pd.DataFrame({"g": ["a"] * len(a) + ["b"] * len(b), "ces": a + b})
    r = compare(df, "ces", by="g", a="a", b="b").iloc[0]
    ref = stats.ttest_ind(a, b, equal_var=False)
    assert r["p_value"] == pytest.approx(ref.pvalue)
    assert r["diff"] == pytest.approx(np.mean(a) - np.mean(b))


def test_compare_each_level_versus_rest_and_errors():
    df = surveys()
    out = compare(df, "csat", by="segment")
    assert out["group_a"].tolist() == ["consumer", "enterprise", "smb"]
    assert (out["group_b"] == "rest").all()
    assert list(out.columns) == [
        "metric", "group_a", "group_b", "value_a", "value_b", "n_a", "n_b", "diff", "se", "ci_low", "ci_high",
        "p_value",
    ]
    with pytest.raises(DataError):
        compare(df, "nps", by="segment", a="nonexistent")


def test_trend_and_period_over_period():
    df = surveys(400)
    tr = trend(df, "nps", freq="QE")
    assert tr["period"].tolist() == list(pd.to_datetime(["2024-03-31", "2024-06-30", "2024-09-30", "2024-12-31"]))
    assert tr["n"].sum() == df["nps"].notna().sum()
    q1 = nps(df[df.date <= "2024-03-31"]).iloc[0]
    assert tr.iloc[0]["value"] == pytest.approx(q1["value"])

    pop = period_over_period(df, "nps", freq="QE")
    assert math.isnan(pop.iloc[0]["change"])
    assert pop["value"].tolist() == pytest.approx(tr["value"].tolist())
    # the change equals compare() on the same two periods
    two = df[(df.date > "2024-03-31") & (df.date <= "2024-09-30")].copy()
    two["q"] = np.where(two.date <= "2024-06-30", "Q2", "Q3")
    ref = compare(two, "nps", by="q", a="Q3", b="Q2").iloc[0]
    assert pop.iloc[2]["change"] == pytest.approx(ref["diff"])
    assert pop.iloc[2]["change_p_value"] == pytest.approx(ref["p_value"])
    assert pop.iloc[2]["change_ci_low"] == pytest.approx(ref["ci_low"])


def test_trend_by_group_and_bad_dates():
    df = surveys(300)
    tr = trend(df, "csat", freq="QE", by="segment")
    assert list(tr.columns[:3]) == ["segment", "period", "metric"]
    assert tr["segment"].is_monotonic_increasing
    bad = df.assign(date=df["date"].astype(str))
    _raises("date", trend, bad, "csat")
    nat = df.copy()
    nat.loc[3, "date"] = pd.NaT
    _raises("date", trend, nat, "csat")


# --------------------------------------------------------------------------- #
# Service metrics
# --------------------------------------------------------------------------- #
def contacts(n: int = 300, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "customer_id": rng.integers(0, 100, n),
            "date": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 365, n), "D"),
            "channel": rng.choice(["phone", "chat", "email"], n),
            "wait_minutes": rng.exponential(5.0, n),
            "resolved_first_contact": rng.random(n) < 0.7,
        }
    )


def test_service_metrics_do_not_pool_waits_across_channels_unless_asked():
    c = contacts()
    out = service_metrics(c).set_index("channel")
    assert out.loc["All", ["median_wait_minutes", "p90_wait_minutes"]].isna().all()
    assert out.loc["All", "n_contacts"] == len(c)
    assert not out.drop("All")["median_wait_minutes"].isna().any()


def test_service_metrics_against_numpy():
    c = contacts()
    out = service_metrics(c, pool_waits=True)
    assert out["channel"].tolist() == ["chat", "email", "phone", "All"]
    for _, row in out.iterrows():
        sub = c if row["channel"] == "All" else c[c.channel == row["channel"]]
        assert row["n_contacts"] == len(sub)
        assert row["median_wait_minutes"] == pytest.approx(np.percentile(sub.wait_minutes, 50))
        assert row["p90_wait_minutes"] == pytest.approx(np.percentile(sub.wait_minutes, 90))
        p = sub.resolved_first_contact.mean()
        assert row["fcr_rate"] == pytest.approx(100 * p)
        lo, hi = wilson_interval(p, len(sub))
        assert (row["fcr_ci_low"], row["fcr_ci_high"]) == pytest.approx((100 * lo, 100 * hi))


def test_service_metrics_accepts_boolean_like_and_validates():
    c = contacts(20)
    c["resolved_first_contact"] = np.where(c.resolved_first_contact, "yes", "no")
    overall = service_metrics(c, by=None)
    assert overall["n_contacts"].tolist() == [20]
    assert overall["fcr_rate"].iloc[0] == pytest.approx(100 * (c.resolved_first_contact == "yes").mean())
    c01 = contacts(20).assign(resolved_first_contact=lambda d: d.resolved_first_contact.astype(int))
    assert service_metrics(c01).iloc[-1]["fcr_rate"] == pytest.approx(100 * c01.resolved_first_contact.mean())
    neg = contacts(20)
    neg.loc[5, "wait_minutes"] = -1.0
    _raises("wait_minutes", service_metrics, neg)
    notbool = contacts(20).assign(resolved_first_contact=["maybe"] + ["yes"] * 19)
    _raises("resolved_first_contact", service_metrics, notbool)
    two = contacts(20).assign(resolved_first_contact=[2] + [1] * 19)
    _raises("resolved_first_contact", service_metrics, two)
    _raises("channel", service_metrics, contacts(20).drop(columns="channel"))


@pytest.mark.parametrize("k,n", [(0, 12), (3, 17), (45, 50), (812, 1000)])
def test_wilson_matches_scipy(k, n):
    """An independent implementation: scipy's binomial test confidence interval."""
    from scipy.stats import binomtest

    ref = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    low, high = wilson_interval(k / n, n)
    assert low == pytest.approx(ref.low, abs=1e-12) and high == pytest.approx(ref.high, abs=1e-12)


def test_weighted_scorecard_stacks_the_per_answer_and_the_weighted_scorecard():
    from cxkit.metrics import weighted_scorecard

    answers = pd.DataFrame({"nps": [10, 9, 3, 0, 8], "csat": [5, 5, 2, 1, 4],
                            "annual_spend": [10.0, 20.0, 300.0, 400.0, 50.0]})
    both = weighted_scorecard(answers, "annual_spend")
    assert both.columns[0] == "weighting" and list(both.columns[1:]) == list(cx_scorecard(answers).columns)
    assert both["weighting"].tolist() == ["per answer"] * 2 + ["by annual spend"] * 2
    pd.testing.assert_frame_equal(both.iloc[:2, 1:].reset_index(drop=True), cx_scorecard(answers))
    pd.testing.assert_frame_equal(both.iloc[2:, 1:].reset_index(drop=True),
                                  cx_scorecard(answers, weights="annual_spend"))
    assert (both["n_effective"].iloc[2:] < both["n"].iloc[2:]).all()
    assert set(weighted_scorecard(answers, "annual_spend", weighting="by spend")["weighting"]) == {"per answer",
                                                                                                  "by spend"}


@pytest.mark.parametrize("answers, value", [([2], -100.0), ([10, 9], 100.0), ([0, 1, 2], -100.0)])
def test_the_nps_interval_holds_the_nps_on_a_tiny_base_at_the_end_of_the_scale(answers, value):
    """The adjusted Wald interval is centred off the raw NPS; at -100 or +100 on a few answers it still reaches it."""
    row = nps(pd.DataFrame({"nps": answers})).iloc[0]
    assert row["value"] == value and row["ci_low"] <= value <= row["ci_high"]
    assert -100 <= row["ci_low"] < row["ci_high"] <= 100
