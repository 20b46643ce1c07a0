"""Kaplan-Meier tables, log-rank tests and restricted mean survival time (with a correct variance)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from lifelines import KaplanMeierFitter
from lifelines.datasets import load_waltons
from lifelines.statistics import multivariate_logrank_test
from lifelines.utils import restricted_mean_survival_time

from cxkit import DataError
from cxkit.survival import km_table, logrank_tests, rmst, rmst_difference, survival_table

pytestmark = pytest.mark.filterwarnings("error")

# durations 2, 3, 3+, 5, 6+, 8 (+ = still active)
HAND = pd.DataFrame({"tenure": [2, 3, 3, 5, 6, 8], "churned": [True, True, False, True, False, True]})


def test_km_table_hand_example():
    km = km_table(HAND)
    assert km["time"].tolist() == [0, 2, 3, 5, 6, 8]
    # S = 1, 5/6, 5/6 * 4/5, 4/6 * 2/3, unchanged at the censoring, then 0
    np.testing.assert_allclose(km["survival"], [1, 5 / 6, 4 / 6, 4 / 9, 4 / 9, 0])
    assert km["at_risk"].tolist() == [6, 6, 5, 3, 2, 1]
    assert km["churned"].tolist() == [0, 1, 1, 1, 0, 1]
    assert km["censored"].tolist() == [0, 0, 1, 0, 1, 0]
    assert (km["group"] == "all").all()
    assert (km["ci_low"] <= km["survival"]).all() and (km["survival"] <= km["ci_high"]).all()


def test_km_table_by_group_and_bad_input(cx):
    st = survival_table(cx.customers, as_of=cx.as_of, covariates=["plan"])
    km = km_table(st, "plan")
    assert sorted(km["group"].unique()) == ["Club", "Club Plus"]
    for plan, curve in km.groupby("group"):
        part = st[st["plan"] == plan]
        kmf = KaplanMeierFitter().fit(part["tenure"], part["churned"])
        np.testing.assert_allclose(curve["survival"], kmf.survival_function_.iloc[:, 0])
        assert curve["at_risk"].iloc[0] == len(part)
        assert curve["survival"].is_monotonic_decreasing
    with pytest.raises(DataError, match="missing"):
        km_table(st.assign(plan=st["plan"].where(st.index > 0)), "plan")
    with pytest.raises(DataError, match=">= 0"):
        km_table(HAND.assign(tenure=[-1, 2, 3, 4, 5, 6]))


def test_logrank_tests_overall_and_pairs():
    rng = np.random.default_rng(0)
    n = 120
    t = pd.DataFrame({
        "group": np.repeat(["a", "b", "c"], n),
        "tenure": np.r_[rng.exponential(10, n), rng.exponential(10, n), rng.exponential(4, n)].round() + 1,
        "churned": rng.random(3 * n) < 0.8,
    })
    res = logrank_tests(t, "group")
    overall = res.iloc[0]
    ref = multivariate_logrank_test(t["tenure"], t["group"], t["churned"])
    assert overall["test"] == "overall" and overall["df"] == 2
    assert overall["statistic"] == pytest.approx(ref.test_statistic)
    pairs = res.iloc[1:].set_index(["group_a", "group_b"])
    assert list(pairs.index) == [("a", "b"), ("a", "c"), ("b", "c")]
    assert pairs.loc[("a", "b"), "p_value"] > 0.05  # same distribution
    assert pairs.loc[("a", "c"), "p_holm"] < 0.001 and pairs.loc[("b", "c"), "p_holm"] < 0.001
    # Holm: smallest p times 3, next times 2, largest times 1, kept monotone
    p = pairs["p_value"].to_numpy()
    order = np.argsort(p)
    expected = np.maximum.accumulate(np.minimum(1, p[order] * np.array([3, 2, 1])))
    np.testing.assert_allclose(pairs["p_holm"].to_numpy()[order], expected)
    with pytest.raises(DataError, match="two groups"):
        logrank_tests(t[t["group"] == "a"], "group")


def test_rmst_hand_worked():
    res = rmst(HAND, horizons=[7])
    s1, s2, s3 = 5 / 6, 4 / 6, 4 / 9  # KM after t = 2, 3, 5
    area = 2 * 1 + 1 * s1 + 2 * s2 + 2 * s3  # up to tau = 7
    a2, a3, a5 = area - 2, area - 2 - s1, 2 * s3  # area from each event time to tau
    var = a2**2 * 1 / (6 * 5) + a3**2 * 1 / (5 * 4) + a5**2 * 1 / (3 * 2)
    assert res.loc[0, "rmst"] == pytest.approx(area)
    assert res.loc[0, "se"] ** 2 == pytest.approx(var)
    assert res.loc[0, "ci_low"] == pytest.approx(area - 1.959964 * np.sqrt(var), rel=1e-6)
    # a horizon on an event time, before the first event, and past the last (curve at 0)
    at = rmst(HAND, horizons=[1, 5, 10]).set_index("horizon")
    assert at.loc[1, "rmst"] == 1 and at.loc[1, "se"] == 0
    assert at.loc[5, "rmst"] == pytest.approx(2 + s1 + 2 * s2)
    assert at.loc[10, "rmst"] == pytest.approx(2 + s1 + 2 * s2 + 3 * s3)  # S = 0 from 8 on


def test_rmst_is_missing_where_the_curve_is_unknown():
    still_active = HAND.assign(churned=[True, True, False, True, False, False])
    res = rmst(still_active, horizons=[7, 9]).set_index("horizon")
    assert np.isfinite(res.loc[7, "rmst"]) and np.isnan(res.loc[9, "rmst"]) and np.isnan(res.loc[9, "se"])
    with pytest.raises(DataError, match="horizons"):
        rmst(HAND, horizons=[0])


def test_rmst_waltons_reference():
    """lifelines issue #1682: the standard formula gives 0.0152 on waltons (miR-137, tau=10)."""
    w = load_waltons()
    mir = w[w["group"] == "miR-137"].rename(columns={"T": "tenure", "E": "churned"})
    res = rmst(mir, horizons=10).iloc[0]
    assert res["se"] ** 2 == pytest.approx(0.0152, abs=5e-5)
    kmf = KaplanMeierFitter().fit(mir["tenure"], mir["churned"])
    assert res["rmst"] == pytest.approx(restricted_mean_survival_time(kmf, t=10))  # same estimate


def test_rmst_interval_coverage_by_simulation():
    """200 small data sets, exponential tenure with random censoring: the 95% interval covers."""
    rng = np.random.default_rng(20251231)
    rate, tau, n = 1 / 8, 10.0, 150
    truth = (1 - np.exp(-rate * tau)) / rate
    covered = []
    for _ in range(200):
        t = rng.exponential(1 / rate, n)
        c = rng.uniform(2, 25, n)
        sim = pd.DataFrame({"tenure": np.minimum(t, c), "churned": t <= c})
        r = rmst(sim, horizons=tau).iloc[0]
        covered.append(r["ci_low"] <= truth <= r["ci_high"])
    assert 0.91 <= np.mean(covered) <= 0.98


def test_rmst_difference(cx):
    st = survival_table(cx.customers, as_of=cx.as_of, covariates=["plan"])
    diff = rmst_difference(st, "plan", "Club Plus", "Club", horizon=[180, 365])
    each = rmst(st, horizons=[180, 365], group="plan").set_index(["group", "horizon"])
    for _, row in diff.iterrows():
        a, b = each.loc[("Club Plus", row["horizon"])], each.loc[("Club", row["horizon"])]
        assert row["difference"] == pytest.approx(a["rmst"] - b["rmst"])
        assert row["se"] == pytest.approx(np.hypot(a["se"], b["se"]))
        assert row["ci_low"] < row["difference"] < row["ci_high"]
    assert (diff["p_value"] > 0.05).all()  # plan has no planted effect on churn
    t = pd.DataFrame({"tenure": [5, 6, 7, 8, 1, 2, 3, 4], "churned": True, "plan": list("aaaabbbb")})
    assert rmst_difference(t, "plan", "a", "b", horizon=10)["difference"].iloc[0] == pytest.approx(4.0)
    with pytest.raises(DataError, match="no rows"):
        rmst_difference(t, "plan", "a", "z", horizon=10)


def test_logrank_leaves_out_groups_too_small_to_test():
    import pandas as pd

    from cxkit import DataError
    from cxkit.survival import logrank_tests

    t = pd.DataFrame({"tenure": list(range(1, 26)), "churned": [True, False] * 12 + [True],
                      "plan": ["a"] * 12 + ["b"] * 12 + ["tiny"]})
    out = logrank_tests(t, "plan")
    assert out.attrs["left_out"] == ["tiny"]
    assert set(out["group_a"].dropna()) | set(out["group_b"].dropna()) == {"a", "b"}
    with pytest.raises(DataError, match="at least two groups of 10"):
        logrank_tests(t[t["plan"] != "b"], "plan")
