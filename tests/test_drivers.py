"""Key-driver importance: Shapley R² (LMG) and relative weights against independent computations."""
from __future__ import annotations

from itertools import combinations, permutations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression

from cxkit import DataError, FitError
from cxkit.drivers import (
    KeyDrivers,
    driver_importance,
    importance_by_group,
    importance_difference,
    importance_performance,
    relative_weights,
    segment_importance,
    shapley_matrix,
    subset_r2,
)


def correlated(n=400, p=5, seed=0, weighted=False):
    """Random correlated drivers, an outcome that depends on them unevenly, optional weights."""
    rng = np.random.default_rng(seed)
    mix = np.eye(p) + 0.6 * rng.normal(size=(p, p))
    x = rng.normal(size=(n, p)) @ mix
    y = x @ rng.uniform(-0.5, 1.5, p) + rng.normal(0, 2, n)
    df = pd.DataFrame(x, columns=[f"d{j}" for j in range(p)]).assign(csat=y)
    if weighted:
        df["spend"] = rng.gamma(1.5, 40, n)
    return df, [f"d{j}" for j in range(p)]


def exact_corr(corr, n=200, seed=0):
    """Data whose sample correlation matrix is exactly ``corr`` (outcome last)."""
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(n, len(corr)))
    z -= z.mean(axis=0)
    z = z @ np.linalg.inv(np.linalg.cholesky(z.T @ z / n)).T @ np.linalg.cholesky(np.asarray(corr)).T
    return pd.DataFrame(z[:, :-1], columns=[f"d{j}" for j in range(len(corr) - 1)]).assign(csat=z[:, -1])


def brute_force_shapley(df, drivers, weights=None):
    """R² of every subset by scikit-learn, then Shapley values averaged over all orderings."""
    y = df["csat"].to_numpy()
    w = None if weights is None else df[weights].to_numpy()
    r2 = {(): 0.0}
    for k in range(1, len(drivers) + 1):
        for subset in combinations(range(len(drivers)), k):
            x = df[[drivers[j] for j in subset]].to_numpy()
            r2[subset] = LinearRegression().fit(x, y, sample_weight=w).score(x, y, sample_weight=w)
    value = np.zeros(len(drivers))
    orders = list(permutations(range(len(drivers))))
    for order in orders:
        for pos, j in enumerate(order):
            before = tuple(sorted(order[:pos]))
            value[j] += r2[tuple(sorted((*before, j)))] - r2[before]
    return value / len(orders), r2[tuple(range(len(drivers)))]


def svd_relative_weights(df, drivers, weights=None):
    """Johnson (2000) as published: SVD of the standardized data, orthogonal copies Z = P Q'."""
    w = np.ones(len(df)) if weights is None else df[weights].to_numpy()
    w = w / w.sum()
    x, y = df[drivers].to_numpy(), df["csat"].to_numpy()
    x = (x - w @ x) / np.sqrt(w @ (x - w @ x) ** 2) * np.sqrt(w)[:, None]
    y = (y - w @ y) / np.sqrt(w @ (y - w @ y) ** 2) * np.sqrt(w)
    p_, delta, qt = np.linalg.svd(x, full_matrices=False)
    z, lam = p_ @ qt, qt.T @ np.diag(delta) @ qt
    beta = z.T @ y
    return (lam**2) @ beta**2


def by_driver(model, column="importance"):
    return model.importance_.set_index("driver")[column].reindex(model.drivers_).to_numpy()


# --- the maths --------------------------------------------------------------------------

@pytest.mark.parametrize("p,weighted", [(4, False), (5, True), (6, False), (6, True)])
def test_shapley_matches_brute_force_sklearn(p, weighted):
    df, drivers = correlated(p=p, seed=p, weighted=weighted)
    weights = "spend" if weighted else None
    expected, r2 = brute_force_shapley(df, drivers, weights)
    model = KeyDrivers(n_boot=0).fit(df, drivers=drivers, weights=weights)
    np.testing.assert_allclose(by_driver(model), expected, atol=1e-10)
    assert model.r2_ == pytest.approx(r2, abs=1e-10)
    assert model.importance_["importance"].sum() == pytest.approx(r2, abs=1e-12)
    assert model.importance_["share"].sum() == pytest.approx(1.0, abs=1e-12)
    # the standardized coefficient is the full model's slope in (weighted) sd units
    w = np.ones(len(df)) if weights is None else df[weights].to_numpy()
    x, y = df[drivers].to_numpy(), df["csat"].to_numpy()
    slope = LinearRegression().fit(x, y, sample_weight=w).coef_
    sd = np.sqrt(np.cov(np.c_[x, y].T, aweights=w).diagonal())
    np.testing.assert_allclose(by_driver(model, "coefficient"), slope * sd[:-1] / sd[-1], atol=1e-10)


def test_two_drivers_by_hand():
    # r(d0, csat) = .6, r(d1, csat) = .4, r(d0, d1) = .5
    # R²(0) = .36, R²(1) = .16, R²(01) = (.36 + .16 - 2 * .6 * .4 * .5) / (1 - .25) = .28 / .75
    corr = [[1, 0.5, 0.6], [0.5, 1, 0.4], [0.6, 0.4, 1]]
    r2_both = 0.28 / 0.75
    share_0 = (0.36 + r2_both - 0.16) / 2 / r2_both
    np.testing.assert_allclose(subset_r2(np.array(corr, dtype=float)), [0, 0.36, 0.16, r2_both], atol=1e-14)
    model = KeyDrivers(n_boot=0).fit(exact_corr(corr), drivers=["d0", "d1"])
    shares = model.importance_.set_index("driver")["share"]
    assert shares["d0"] == pytest.approx(share_0, abs=1e-10)
    assert shares["d1"] == pytest.approx(1 - share_0, abs=1e-10)
    assert model.r2_ == pytest.approx(r2_both, abs=1e-10)
    # both positive correlations, but d1's standardized coefficient is (.4 - .5 * .6) / .75 > 0
    assert model.importance_.set_index("driver")["coefficient"]["d1"] == pytest.approx(0.1 / 0.75, abs=1e-10)


def test_negative_coefficient_gives_minus_sign():
    corr = [[1, 0.7, 0.6], [0.7, 1, 0.2], [0.6, 0.2, 1]]  # d1's partial effect is negative
    table = KeyDrivers(n_boot=0).fit(exact_corr(corr), drivers=["d0", "d1"]).importance_.set_index("driver")
    assert table.loc["d1", "coefficient"] == pytest.approx((0.2 - 0.7 * 0.6) / (1 - 0.49), abs=1e-10)
    assert table.loc["d1", "sign"] == "-" and table.loc["d0", "sign"] == "+"


def test_shapley_matrix_weights_sum_to_one_per_driver():
    m = shapley_matrix(5)
    # positive weights (subsets containing j) sum to 1 over subset sizes; as do negative ones
    np.testing.assert_allclose(np.where(m > 0, m, 0).sum(axis=0), 1.0)
    np.testing.assert_allclose(np.where(m < 0, -m, 0).sum(axis=0), 1.0)


@pytest.mark.parametrize("method", ["shapley", "relative_weights"])
def test_orthogonal_drivers_get_their_own_r2(method):
    # a balanced 2x2x2 design: drivers exactly uncorrelated in the sample
    levels = np.array([[a, b, c] for a in (-1, 1) for b in (-1, 1) for c in (-1, 1)] * 25, dtype=float)
    rng = np.random.default_rng(3)
    df = pd.DataFrame(levels, columns=["d0", "d1", "d2"]).assign(
        csat=levels @ [1.0, 0.5, 0.1] + rng.normal(0, 1, len(levels)))
    model = KeyDrivers(method=method, n_boot=0).fit(df, drivers=["d0", "d1", "d2"])
    r2_each = [np.corrcoef(df[d], df["csat"])[0, 1] ** 2 for d in ["d0", "d1", "d2"]]
    np.testing.assert_allclose(by_driver(model), r2_each, atol=1e-12)
    assert model.r2_ == pytest.approx(sum(r2_each), abs=1e-12)


@pytest.mark.parametrize("weighted", [False, True])
def test_relative_weights_match_svd_implementation(weighted):
    df, drivers = correlated(p=6, seed=11, weighted=weighted)
    weights = "spend" if weighted else None
    model = KeyDrivers(method="relative_weights", n_boot=0).fit(df, drivers=drivers, weights=weights)
    expected = svd_relative_weights(df, drivers, weights)
    np.testing.assert_allclose(by_driver(model), expected, atol=1e-10)
    assert expected.sum() == pytest.approx(model.r2_, abs=1e-10)  # they sum to R²
    # close to Shapley on correlated data, but not the same thing
    shapley = KeyDrivers(n_boot=0).fit(df, drivers=drivers, weights=weights)
    assert np.abs(by_driver(model, "share") - by_driver(shapley, "share")).max() < 0.05


def test_relative_weights_doc_example_and_batch():
    covs = np.stack([np.array(c, dtype=float) for c in ([[1, 0, .6], [0, 1, .3], [.6, .3, 1]],
                                                          [[2, .5, .6], [.5, 1, .3], [.6, .3, 3]])])
    rw = relative_weights(covs)
    np.testing.assert_allclose(rw[0], [0.36, 0.09], atol=1e-12)
    np.testing.assert_allclose(rw.sum(axis=1), subset_r2(covs)[:, -1], atol=1e-12)


def test_integer_weights_equal_repeated_rows():
    df, drivers = correlated(n=150, p=4, seed=5)
    df["times"] = np.random.default_rng(0).integers(0, 4, len(df))
    weighted = KeyDrivers(n_boot=0).fit(df, drivers=drivers, weights="times")
    repeated = KeyDrivers(n_boot=0).fit(df.loc[df.index.repeat(df["times"])], drivers=drivers)
    np.testing.assert_allclose(by_driver(weighted), by_driver(repeated), atol=1e-12)
    assert weighted.n_ == (df["times"] > 0).sum()
    assert weighted.excluded_.set_index("reason")["rows"]["weight 0 in times"] == (df["times"] == 0).sum()


# --- bootstrap --------------------------------------------------------------------------

def test_bootstrap_intervals_contain_estimate_and_repeat():
    df, drivers = correlated(n=1500, p=5, seed=2)
    a = KeyDrivers(n_boot=300, random_state=7).fit(df, drivers=drivers)
    t = a.importance_
    assert ((t["share_low"] <= t["share"]) & (t["share"] <= t["share_high"])).all()
    assert a.boot_shares_.shape == (300, 5)
    np.testing.assert_allclose(a.boot_shares_.sum(axis=1), 1.0)
    b = KeyDrivers(n_boot=300, random_state=7).fit(df, drivers=drivers)
    np.testing.assert_array_equal(a.boot_shares_, b.boot_shares_)
    pd.testing.assert_frame_equal(a.summary, b.summary)
    c = KeyDrivers(n_boot=300, random_state=8).fit(df, drivers=drivers)
    assert not np.array_equal(a.boot_shares_, c.boot_shares_)
    # a wider ci gives a wider interval
    wide = KeyDrivers(n_boot=300, random_state=7, ci=0.99).fit(df, drivers=drivers).importance_
    assert (wide["share_high"] - wide["share_low"] >= t["share_high"] - t["share_low"] - 1e-12).all()


def test_bootstrap_spread_matches_refits_on_resampled_rows():
    # the covariance-from-counts bootstrap equals refitting on resampled rows, resample by resample
    df, drivers = correlated(n=300, p=4, seed=9, weighted=True)
    model = KeyDrivers(n_boot=5, random_state=1).fit(df, drivers=drivers, weights="spend")
    rng = np.random.default_rng(1)
    for b in range(5):
        idx = rng.integers(0, len(df), size=len(df), dtype=np.uint32)
        refit = KeyDrivers(n_boot=0).fit(df.iloc[idx], drivers=drivers, weights="spend")
        np.testing.assert_allclose(model.boot_shares_[b], by_driver(refit, "share"), atol=1e-9)


def two_segments(same, n=1500, seed=4):
    rng = np.random.default_rng(seed)
    parts = []
    for label, beta in [("A", [1.0, 0.2, 0.3]), ("B", [1.0, 0.2, 0.3] if same else [0.2, 1.0, 0.3])]:
        x = rng.normal(size=(n, 3)) @ np.array([[1, 0.3, 0.3], [0, 1, 0.3], [0, 0, 1]])
        parts.append(pd.DataFrame(x, columns=["d0", "d1", "d2"]).assign(
            csat=x @ beta + rng.normal(0, 1.5, n), group=label))
    return pd.concat(parts, ignore_index=True)


def test_difference_interval_excludes_zero_when_weights_differ():
    out = importance_difference(two_segments(same=False), "group", "A", "B", drivers=["d0", "d1", "d2"],
                                n_boot=300).set_index("driver")
    assert out.loc["d0", "excludes_zero"] and out.loc["d0", "difference_low"] > 0
    assert out.loc["d1", "excludes_zero"] and out.loc["d1", "difference_high"] < 0
    assert out.loc["d0", "difference"] == pytest.approx(out.loc["d0", "share_a"] - out.loc["d0", "share_b"])
    assert (out["n_a"] == 1500).all() and (out["n_b"] == 1500).all()


def test_difference_interval_includes_zero_when_segments_are_alike():
    # ten simulated pairs of alike segments: 30 intervals of 95%, so about 1.5 exclude 0 by chance
    excluded = 0
    for seed in range(10):
        out = importance_difference(two_segments(same=True, n=600, seed=seed), "group", "A", "B",
                                    drivers=["d0", "d1", "d2"], n_boot=150, random_state=seed)
        assert (out["excludes_zero"] == ((out["difference_low"] > 0) | (out["difference_high"] < 0))).all()
        excluded += int(out["excludes_zero"].sum())
    assert excluded <= 3


# --- the sample company: planted driver weights ------------------------------------------

@pytest.fixture(scope="module")
def planted():
    from cxkit.synth import generate

    sample = generate(seed=3, n_customers=20_000)
    truth = sample.truth[["customer_id", "top_value"]]
    return sample["surveys"].merge(truth, on="customer_id", how="left", validate="many_to_one")


def test_recovers_planted_drivers_of_top_group_and_rest(planted):
    seg = segment_importance(planted, "top_value", n_boot=200)
    lead = seg[seg["rank"] == 1].set_index("segment")["driver"]
    assert lead[True] == "availability"
    assert lead[False] == "quickness"
    top3 = seg[seg["rank"] <= 3].groupby("segment")["driver"].apply(set)
    assert top3[True] == {"availability", "accountability", "reliability"}
    assert top3[False] == {"quickness", "clarity", "relevancy"}
    assert not seg["small_base"].any() and (seg["sign"] == "+").all()
    diff = importance_difference(planted, "top_value", True, False, n_boot=200).set_index("driver")
    assert diff.loc[["availability", "accountability"], "difference_low"].gt(0).all()
    assert diff.loc[["quickness", "clarity"], "difference_high"].lt(0).all()


def test_driver_importance_and_spend_weights_on_sample(planted):
    plain = driver_importance(planted, n_boot=0)
    assert list(plain.columns) == ["driver", "share", "share_low", "share_high", "importance", "coefficient",
                                   "sign", "rank"]
    assert plain["rank"].tolist() == list(range(1, 7)) and plain["share"].is_monotonic_decreasing
    # weighting answers by the top group 9x pulls the shares towards the top group's drivers
    heavy = planted.assign(w=np.where(planted["top_value"], 9.0, 1.0))
    weighted = driver_importance(heavy, n_boot=0, weights="w").set_index("driver")["share"]
    assert weighted["availability"] > plain.set_index("driver")["share"]["availability"]
    assert weighted.idxmax() == "availability"


def test_missing_ratings_listwise_are_counted_not_silent(planted):
    model = KeyDrivers(n_boot=0).fit(planted.assign(csat=planted["csat"].astype("Int64")))
    assert model.n_ == len(planted) and model.excluded_.empty
    holed = planted.copy()
    holed.loc[holed.index[:7], "clarity"] = pd.NA
    holed.loc[holed.index[5:12], "csat"] = pd.NA
    model = KeyDrivers(n_boot=0).fit(holed)
    report = model.excluded_.set_index("reason")["rows"]
    assert report["missing rating in clarity"] == 7 and report["missing rating in csat"] == 7
    assert report["total rows dropped"] == 12 and model.n_ == len(planted) - 12
    with pytest.raises(DataError, match=r"(?s)column 'clarity': missing rating \(7 rows\).*first offending rows"):
        KeyDrivers(n_boot=0, missing="raise").fit(holed)


# --- segments and quadrants -------------------------------------------------------------

def test_segment_importance_flags_small_bases_without_dropping():
    df, drivers = correlated(n=400, p=3, seed=1)
    df["tier"] = np.r_[["big"] * 371, ["small"] * 25, ["tiny"] * 4]
    out = segment_importance(df, "tier", drivers=drivers, n_boot=50)
    assert list(out.columns) == ["segment", "driver", "share", "share_low", "share_high", "importance",
                                 "coefficient", "sign", "rank", "n", "small_base"]
    assert out.groupby("segment")["n"].first().to_dict() == {"big": 371, "small": 25, "tiny": 4}
    assert out.groupby("segment")["small_base"].first().to_dict() == {"big": False, "small": True, "tiny": True}
    assert out[out["segment"] == "small"]["share"].notna().all()  # fitted, flagged
    assert out[out["segment"] == "tiny"]["share"].isna().all()  # cannot be fitted: kept, empty
    assert out.groupby("segment")["share"].sum().round(12).to_dict() == {"big": 1.0, "small": 1.0, "tiny": 0.0}


def test_importance_performance_quadrants():
    rng = np.random.default_rng(0)
    n = 2000
    df = pd.DataFrame({"fix": rng.integers(1, 4, n), "keep": rng.integers(3, 6, n),
                       "maintain": rng.integers(3, 6, n), "later": rng.integers(1, 4, n)})
    df["csat"] = df["fix"] + df["keep"] + 0.1 * df["maintain"] + 0.1 * df["later"] + rng.normal(0, 1, n)
    names = ["fix", "keep", "maintain", "later"]
    for performance in ["mean", "top2box"]:
        out = importance_performance(df, drivers=names, performance=performance).set_index("driver")
        assert out["quadrant"].to_dict() == {"fix": "Fix first", "keep": "Keep up", "maintain": "Maintain",
                                             "later": "Lower priority"}
    top2 = importance_performance(df, drivers=names, performance="top2box").set_index("driver")["performance"]
    assert top2["keep"] == pytest.approx((df["keep"] >= 4).mean())
    seg = importance_performance(df.assign(half=df.index % 2), drivers=names, segment="half")
    assert list(seg.columns[:4]) == ["segment", "driver", "importance", "performance"]
    assert len(seg) == 8 and set(seg["segment"]) == {0, 1}


# --- bad input --------------------------------------------------------------------------

def small(n=60, seed=0):
    df, drivers = correlated(n=n, p=3, seed=seed)
    return df, drivers


def test_outcome_and_drivers_must_be_numeric():
    df, drivers = small()
    with pytest.raises(DataError, match=r"(?s)column 'csat': outcome must be numeric.*very good.*pd.to_numeric"):
        KeyDrivers(n_boot=0).fit(df.assign(csat=df["csat"].round().astype(str).where(df.index > 0, "very good")),
                                 drivers=drivers)
    with pytest.raises(DataError, match=r"column 'd1': driver rating must be numeric"):
        KeyDrivers(n_boot=0).fit(df.assign(d1="good"), drivers=drivers)


def test_constant_and_collinear_drivers_are_named():
    df, drivers = small()
    with pytest.raises(DataError, match=r"(?s)column 'd2': driver is constant \(every answer is 4\).*drop 'd2'"):
        KeyDrivers(n_boot=0).fit(df.assign(d2=4), drivers=drivers)
    with pytest.raises(DataError, match=r"column 'csat': outcome is constant"):
        KeyDrivers(n_boot=0).fit(df.assign(csat=3), drivers=drivers)
    with pytest.raises(DataError, match=r"columns \['d0', 'copy'\]: drivers are perfectly collinear"):
        KeyDrivers(n_boot=0).fit(df.assign(copy=df["d0"]), drivers=[*drivers, "copy"])
    with pytest.raises(DataError, match=r"columns \['d0', 'd1', 'total'\]: drivers are perfectly collinear"):
        KeyDrivers(n_boot=0).fit(df.assign(total=df["d0"] + 2 * df["d1"]), drivers=[*drivers, "total"])


def test_too_few_respondents_and_too_many_drivers():
    df, drivers = small(n=4)
    with pytest.raises(DataError, match=r"4 respondents .* for 3 drivers; need at least 5"):
        KeyDrivers(n_boot=0).fit(df, drivers=drivers)
    wide, names = correlated(n=100, p=16, seed=0)
    with pytest.raises(FitError, match=r'16 drivers is more than 15\. Use method="relative_weights"'):
        KeyDrivers().fit(wide, drivers=names)
    assert len(KeyDrivers(method="relative_weights", n_boot=20).fit(wide, drivers=names).importance_) == 16


def test_bad_weights_and_missing_columns():
    df, drivers = small()
    for bad in [-1.0, np.nan]:
        w = pd.Series(1.0, index=df.index)
        w.iloc[3] = bad
        with pytest.raises(DataError, match=r"column 'w': weights must be present and non-negative \(1 row\)"):
            KeyDrivers(n_boot=0).fit(df.assign(w=w), drivers=drivers, weights="w")
    with pytest.raises(DataError, match=r"column 'spend': required column missing"):
        KeyDrivers(n_boot=0).fit(df, drivers=drivers, weights="spend")
    with pytest.raises(DataError, match=r"column 'd9': required column missing"):
        KeyDrivers(n_boot=0).fit(df, drivers=[*drivers, "d9"])
    with pytest.raises(DataError, match=r"none of the default driver columns"):
        KeyDrivers(n_boot=0).fit(df)
    with pytest.raises(DataError, match=r"column 'group': no rows with segment 'C'"):
        importance_difference(two_segments(same=True, n=50), "group", "A", "C", drivers=["d0", "d1"])
    with pytest.raises(ValueError, match="method must be"):
        KeyDrivers(method="lmg").fit(df, drivers=drivers)


def test_segment_errors_name_the_segment():
    df, drivers = correlated(n=200, p=3, seed=1)
    df["tier"] = np.r_[["a"] * 100, ["b"] * 100]
    df.loc[df["tier"] == "b", "d1"] = 3.0
    with pytest.raises(DataError, match=r"segment tier='b': .*column 'd1': driver is constant"):
        segment_importance(df, "tier", drivers=drivers, n_boot=0)


def test_importance_by_group_fits_everyone_then_each_group_with_the_same_drivers():
    df, drivers = correlated(n=300, p=3, seed=2)
    df["segment"] = np.r_[["top"] * 100, ["rest"] * 180, [None] * 20]
    model, by_segment = importance_by_group(df, drivers=drivers, n_boot=40, random_state=3, min_base=30)
    expected = KeyDrivers(n_boot=40, random_state=3, min_base=30).fit(df, drivers=drivers)
    pd.testing.assert_frame_equal(model.importance_, expected.importance_)
    pd.testing.assert_frame_equal(by_segment, segment_importance(df.dropna(subset=["segment"]), "segment",
                                                                 drivers=drivers, n_boot=40, random_state=3,
                                                                 min_base=30))
    assert model.n_ == 300 and by_segment.groupby("segment")["n"].first().to_dict() == {"rest": 180, "top": 100}
    alone, none = importance_by_group(df.drop(columns="segment"), drivers=drivers, n_boot=0)
    assert none is None and alone.n_ == 300
