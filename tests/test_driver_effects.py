"""Driver effects in points: against NIST's certified Longley regression, a jackknife HC3 and simulations."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cxkit import DataError, drivers, load_folder, periods, spend, value
from cxkit.drivers import KeyDrivers, driver_effects
from cxkit.drivers.effects import EFFECT_COLUMNS
from cxkit.errors import ArgumentError
from cxkit.synth import TRUTH, generate

# --- NIST StRD Longley: the standard accuracy test of a least-squares program -----------------
# Data and certified values of the NIST Statistical Reference Datasets, linear regression,
# "Longley" (https://www.itl.nist.gov/div898/strd/lls/data/LINKS/DATA/Longley.dat; Longley,
# J. W. (1967), "An Appraisal of Least Squares Programs for the Electronic Computer from the
# Point of View of the User", JASA 62, 819-841): y (total employment), then x1 to x6 (GNP
# deflator, GNP, unemployed, armed forces, population, year). Copied from the file's own
# figures, as transcribed identically in Apache Commons Math's OLS tests.
LONGLEY = [
    (60323, 83.0, 234289, 2356, 1590, 107608, 1947),
    (61122, 88.5, 259426, 2325, 1456, 108632, 1948),
    (60171, 88.2, 258054, 3682, 1616, 109773, 1949),
    (61187, 89.5, 284599, 3351, 1650, 110929, 1950),
    (63221, 96.2, 328975, 2099, 3099, 112075, 1951),
    (63639, 98.1, 346999, 1932, 3594, 113270, 1952),
    (64989, 99.0, 365385, 1870, 3547, 115094, 1953),
    (63761, 100.0, 363112, 3578, 3350, 116219, 1954),
    (66019, 101.2, 397469, 2904, 3048, 117388, 1955),
    (67857, 104.6, 419180, 2822, 2857, 118734, 1956),
    (68169, 108.4, 442769, 2936, 2798, 120445, 1957),
    (66513, 110.8, 444546, 4681, 2637, 121950, 1958),
    (68655, 112.6, 482704, 3813, 2552, 123366, 1959),
    (69564, 114.2, 502601, 3931, 2514, 125368, 1960),
    (69331, 115.7, 518173, 4806, 2572, 127852, 1961),
    (70551, 116.9, 554894, 4007, 2827, 130081, 1962),
]
#: Certified estimates and standard deviations: B0 (intercept), then B1 to B6.
LONGLEY_CERTIFIED = [
    (-3482258.63459582, 890420.383607373),
    (15.0618722713733, 84.9149257747669),
    (-0.358191792925910e-01, 0.334910077722432e-01),
    (-2.02022980381683, 0.488399681651699),
    (-1.03322686717359, 0.214274163161675),
    (-0.511041056535807e-01, 0.226073200069370),
    (1829.15146461355, 455.478499142212),
]
LONGLEY_R2 = 0.995479004577296
X_NAMES = [f"x{i}" for i in range(1, 7)]


def test_longley_classical_errors_equal_nist_certified_values():
    data = pd.DataFrame(LONGLEY, columns=["y", *X_NAMES])
    out = driver_effects(data, "y", X_NAMES, robust=False)
    certified = np.array(LONGLEY_CERTIFIED)
    np.testing.assert_allclose(out["effect"], certified[1:, 0], rtol=1e-7)
    np.testing.assert_allclose(out["se"], certified[1:, 1], rtol=1e-7)
    intercept = out.attrs["intercept"][0]
    assert intercept["effect"] == pytest.approx(certified[0, 0], rel=1e-7)
    assert intercept["se"] == pytest.approx(certified[0, 1], rel=1e-7)
    assert out["r2"].iloc[0] == pytest.approx(LONGLEY_R2, rel=1e-9)
    # 16 answers, 6 drivers: 9 degrees of freedom for the t interval and test
    half = stats.t.ppf(0.975, 9) * certified[1:, 1]
    np.testing.assert_allclose(out["ci_high"] - out["effect"], half, rtol=1e-7)
    np.testing.assert_allclose(out["p_value"], 2 * stats.t.sf(np.abs(certified[1:, 0] / certified[1:, 1]), 9),
                               rtol=1e-6)
    assert out["n"].eq(16).all() and out["small_base"].all() and out["note"].isna().all()
    assert out.attrs["standard_errors"] == "classical"


# --- HC3 against the leave-one-out identity ---------------------------------------------------

def test_hc3_equals_the_sum_of_leave_one_out_changes():
    """HC3 = Σ_i (b_(i) - b)(b_(i) - b)ᵀ, with b_(i) the fit without answer i (MacKinnon and White 1985)."""
    rng = np.random.default_rng(11)
    n, p = 40, 3
    x = rng.integers(1, 6, size=(n, p)).astype(float)
    y = 1 + x @ [0.5, -0.2, 0.3] + rng.normal(0, 0.3 + 0.3 * x[:, 0], n)
    data = pd.DataFrame(x, columns=["a", "b", "c"]).assign(csat=y)
    out = driver_effects(data, drivers=["a", "b", "c"])
    design = np.column_stack([np.ones(n), x])
    full = np.linalg.lstsq(design, y, rcond=None)[0]
    cov = np.zeros((p + 1, p + 1))
    for i in range(n):
        keep = np.arange(n) != i
        change = np.linalg.lstsq(design[keep], y[keep], rcond=None)[0] - full
        cov += np.outer(change, change)
    np.testing.assert_allclose(out["effect"], full[1:], rtol=1e-10)
    np.testing.assert_allclose(out["se"], np.sqrt(np.diag(cov))[1:], rtol=1e-8)
    assert out.attrs["intercept"][0]["se"] == pytest.approx(np.sqrt(cov[0, 0]), rel=1e-8)
    assert out.attrs["standard_errors"] == "HC3"
    # classical errors differ on these heteroscedastic data: the choice is not ignored
    assert not np.allclose(driver_effects(data, drivers=["a", "b", "c"], robust=False)["se"], out["se"], rtol=1e-3)


def test_one_driver_matches_scipy_linregress():
    rng = np.random.default_rng(5)
    x = rng.normal(3, 1, 50)
    y = 2 + 0.4 * x + rng.normal(0, 1, 50)
    out = driver_effects(pd.DataFrame({"x": x, "csat": y}), drivers=["x"], robust=False, ci=0.9).iloc[0]
    ref = stats.linregress(x, y)
    assert out["effect"] == pytest.approx(ref.slope, rel=1e-12)
    assert out["se"] == pytest.approx(ref.stderr, rel=1e-10)
    assert out["p_value"] == pytest.approx(ref.pvalue, rel=1e-8)
    assert out["r2"] == pytest.approx(ref.rvalue**2, rel=1e-10)
    assert out["ci_low"] == pytest.approx(ref.slope - stats.t.ppf(0.95, 48) * ref.stderr, rel=1e-10)
    assert out["mean_score"] == pytest.approx(x.mean())


def test_effects_are_the_model_the_shapley_shares_decompose():
    surveys = generate(seed=1, n_customers=2000)["surveys"]
    model = KeyDrivers(n_boot=0).fit(surveys)
    out = driver_effects(surveys).set_index("driver")
    assert out.index.tolist() == model.drivers_                    # the same drivers, in the same order
    assert out["r2"].iloc[0] == pytest.approx(model.r2_, rel=1e-10)
    used = surveys.dropna(subset=[*model.drivers_, "csat"])
    standardized = out["effect"] * used[model.drivers_].std() / used["csat"].std()
    np.testing.assert_allclose(standardized[model.drivers_],
                               model.importance_.set_index("driver")["coefficient"][model.drivers_], rtol=1e-9)
    np.testing.assert_allclose(out["mean_score"], used[model.drivers_].mean(), rtol=1e-12)


# --- recovery of planted effects --------------------------------------------------------------

TRUE_EFFECTS = {"A": np.array([0.50, 0.10, 0.00]), "B": np.array([0.05, 0.40, 0.20])}
SIM_DRIVERS = ["d0", "d1", "d2"]


def simulated(n: int, seed: int) -> pd.DataFrame:
    """Two segments with different true effects, correlated 1-5 drivers, noise that grows with the first."""
    rng = np.random.default_rng(seed)
    parts = []
    for label, beta in TRUE_EFFECTS.items():
        common = rng.normal(0, 1, n)
        x = np.clip(np.round(3 + 0.8 * common[:, None] + rng.normal(0, 0.8, (n, 3))), 1, 5)
        y = 1.0 + x @ beta + rng.normal(0, 0.4 + 0.2 * np.abs(x[:, 0] - 3), n)
        parts.append(pd.DataFrame(x, columns=SIM_DRIVERS).assign(csat=y, group=label))
    return pd.concat(parts, ignore_index=True)


def test_recovers_different_true_effects_per_segment():
    out = driver_effects(simulated(2000, seed=1), drivers=SIM_DRIVERS, segment="group", ci=0.99)
    assert out["segment"].tolist() == ["A"] * 3 + ["B"] * 3 and out["driver"].tolist() == ["d0", "d1", "d2"] * 2
    truth = np.concatenate([TRUE_EFFECTS["A"], TRUE_EFFECTS["B"]])
    assert ((out["ci_low"] < truth) & (truth < out["ci_high"])).all()
    by = out.set_index(["segment", "driver"])
    assert by.loc[("A", "d0"), "ci_low"] > by.loc[("B", "d0"), "ci_high"]       # the segments are told apart
    assert by.loc[("B", "d1"), "ci_low"] > by.loc[("A", "d1"), "ci_high"]
    assert (out["n"] == 2000).all() and not out["small_base"].any()


def test_intervals_cover_and_errors_match_the_spread_of_refits():
    effects = pd.concat([driver_effects(simulated(150, seed=seed), drivers=SIM_DRIVERS, segment="group")
                         for seed in range(200)])
    truth = np.array([TRUE_EFFECTS[segment][SIM_DRIVERS.index(driver)]
                      for segment, driver in zip(effects["segment"], effects["driver"], strict=True)])
    covered = ((effects["ci_low"] <= truth) & (truth <= effects["ci_high"])).mean()
    assert 0.92 < covered < 0.98
    spread = effects.groupby(["segment", "driver"]).agg(sd=("effect", "std"), se=("se", "mean"))
    np.testing.assert_allclose(spread["se"], spread["sd"], rtol=0.15)


# --- the sample company: the top spenders' planted drivers --------------------------------------

@pytest.fixture(scope="module")
def sample_effects(sample_dir):
    cx = load_folder(sample_dir)
    window = periods.reporting_period("12M", as_of=cx.as_of)
    customer_values = spend.segment_customers(cx.customer_value(period_start=window.start, period_end=window.end),
                                              cx.customers, as_of=cx.as_of, period=window.label)
    rated, groups = drivers.driver_groups(value.attach(cx.surveys, customer_values, ["value_tier"]))
    return driver_effects(rated, segment="segment"), groups, TRUTH


def test_sample_top_spenders_planted_drivers_are_positive_and_clear(sample_effects):
    out, groups, truth = sample_effects
    assert set(out["segment"]) == {groups.focus, groups.rest} and out["note"].isna().all()
    top = out[out["segment"] == groups.focus].set_index("driver")
    rest = out[out["segment"] == groups.rest].set_index("driver")
    planted_top = list(truth["drivers_top"])
    assert (top.loc[planted_top, "ci_low"] > 0).all() and (top.loc[planted_top, "p_value"] < 0.01).all()
    assert top["effect"].idxmax() == planted_top[0]              # the lead driver moves CSAT most
    assert top.loc[planted_top[0], "ci_low"] > rest.loc[planted_top[0], "ci_high"]   # more than for the rest
    assert (rest.loc[list(truth["drivers_rest"]), "ci_low"] > 0).all()
    assert not top["small_base"].any() and top["n"].iloc[0] < rest["n"].iloc[0]


# --- segments that cannot be fitted, left-out answers, bad input ------------------------------

def small_frame(n: int = 60, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.integers(1, 6, size=(n, 3)).astype(float)
    return pd.DataFrame(x, columns=["a", "b", "c"]).assign(csat=x @ [0.3, 0.2, 0.1] + rng.normal(0, 0.5, n))


def test_bad_segments_get_a_note_not_a_crash():
    ok, collinear, few, constant = small_frame(seed=1), small_frame(seed=2), small_frame(4, seed=3), small_frame(seed=4)
    collinear["c"] = 2 * collinear["a"] - collinear["b"] + 1
    constant["b"] = 3.0
    flat = small_frame(seed=5).assign(csat=4.0)
    data = pd.concat([ok.assign(seg="ok"), collinear.assign(seg="collinear"), few.assign(seg="few"),
                      constant.assign(seg="constant"), flat.assign(seg="flat")], ignore_index=True)
    out = driver_effects(data, drivers=["a", "b", "c"], segment="seg").set_index("segment")
    assert list(out.columns) == [c for c in EFFECT_COLUMNS if c != "segment"]
    assert out.index.unique().tolist() == ["collinear", "constant", "few", "flat", "ok"]      # sorted
    assert out.loc["ok", "effect"].notna().all() and out.loc["ok", "note"].isna().all()
    for label, words in [("collinear", "collinear"), ("few", "need at least 5"), ("constant", "'b' is constant"),
                         ("flat", "outcome 'csat' is constant")]:
        assert out.loc[label, ["effect", "se", "ci_low", "p_value", "r2"]].isna().all().all()
        assert out.loc[label, "note"].str.contains(words).all(), out.loc[label, "note"].iloc[0]
    assert (out.loc["few", "n"] == 4).all() and out.loc["few", "small_base"].all()
    assert out.loc["few", "mean_score"].notna().all()                 # where it stands, even without effects


def test_leverage_one_leaves_robust_errors_undefined():
    data = small_frame(30, seed=6)
    data["c"] = 0.0
    data.loc[29, "c"] = 1.0        # one answer alone fixes the effect of c
    robust = driver_effects(data, drivers=["a", "b", "c"])
    assert robust["effect"].notna().all() and robust["se"].isna().all()
    assert robust["note"].str.contains("leverage 1").all()
    classical = driver_effects(data, drivers=["a", "b", "c"], robust=False)
    assert classical["se"].notna().all() and classical["note"].isna().all()


def test_missing_ratings_are_counted_per_segment():
    data = small_frame(80, seed=7).assign(seg=["x"] * 40 + ["y"] * 40)
    data.loc[[0, 1, 2], "a"] = np.nan
    data.loc[[2, 3], "csat"] = np.nan
    data.loc[50, "c"] = np.nan
    data.loc[[60, 61], "seg"] = None
    out = driver_effects(data, drivers=["a", "b", "c"], segment="seg")
    per = out.groupby("segment", dropna=False)[["n", "n_excluded"]].first()
    assert per.index[:2].tolist() == ["x", "y"] and pd.isna(per.index[2])     # missing labels last
    assert per["n_excluded"].tolist() == [4, 1, 0] and per["n"].tolist() == [36, 37, 2]
    rules = [e["rule"] for e in out.attrs["exclusions"]]
    assert [e["n_rows"] for e in out.attrs["exclusions"]] == [4, 1]
    assert "seg='x'" in rules[0] and "a 3" in rules[0] and "csat 2" in rules[0]
    used = data.loc[4:39, "a"]
    assert out.loc[(out["segment"] == "x") & (out["driver"] == "a"), "mean_score"].item() == pytest.approx(used.mean())
    everyone = driver_effects(data, drivers=["a", "b", "c"])
    assert everyone["segment"].eq("everyone").all() and everyone["n_excluded"].iloc[0] == 5


def test_bad_input_raises_data_error_naming_the_column():
    data = small_frame()
    with pytest.raises(DataError, match="nope"):
        driver_effects(data, drivers=["a", "nope"])
    with pytest.raises(DataError, match="'tier'"):
        driver_effects(data, drivers=["a", "b"], segment="tier")
    with pytest.raises(DataError, match="csat.*numeric"):
        driver_effects(data.assign(csat="good"), drivers=["a", "b"])
    with pytest.raises(DataError, match="distinct"):
        driver_effects(data, drivers=["a", "csat"])
    with pytest.raises(DataError, match="default driver columns"):
        driver_effects(data)
    for bad in [{"ci": 1.5}, {"ci": 0}, {"min_base": -1}]:
        with pytest.raises(ArgumentError, match=next(iter(bad))):
            driver_effects(data, drivers=["a"], **bad)
