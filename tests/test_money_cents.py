"""Money is netted in whole minor units: a day of 0.10 + 0.20 - 0.30 is exactly zero on every engine.

The float sum of such a day is 5.6e-17 (a purchase day) while 10.10 + 20.20 - 30.30 is
below zero; the summaries round each amount to the minor unit (half away from zero) and
net integers, so pandas, DuckDB and Spark agree to the last bit, and so do the RFM scores
ranked on them.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from spark_support import needs_spark

from cxkit import DataError
from cxkit.clv import rfm_scores, rfm_summary
from cxkit.engines.duck import connect
from cxkit.engines.sql import minor_units
from cxkit.folder import calibration_holdout_split, summarise_transactions
from cxkit.units import to_minor_units

AS_OF = "2024-03-31"

# One customer per case; every case has later purchase days so the netted day decides frequency.
KIN = pd.DataFrame([
    # 0.10 + 0.20 - 0.30: float sum +5.6e-17, a purchase day unless netted in cents
    ("tiny", "2024-01-01", 0.10), ("tiny", "2024-01-01", 0.20), ("tiny", "2024-01-01", -0.30),
    ("tiny", "2024-02-01", 5.00), ("tiny", "2024-03-01", 7.00),
    # 10.10 + 20.20 - 30.30: float sum below zero; in cents exactly zero
    ("tens", "2024-01-02", 10.10), ("tens", "2024-01-02", 20.20), ("tens", "2024-01-02", -30.30),
    ("tens", "2024-02-02", 1.10), ("tens", "2024-03-02", 2.20),
    # 0.1 * 3 - 0.3
    ("thirds", "2024-01-03", 0.1), ("thirds", "2024-01-03", 0.1), ("thirds", "2024-01-03", 0.1),
    ("thirds", "2024-01-03", -0.3), ("thirds", "2024-02-03", 0.1), ("thirds", "2024-02-03", 0.1),
    ("thirds", "2024-02-03", 0.1), ("thirds", "2024-03-03", 0.3),
    # more decimals than cents: 0.125 -> 13 cents, -0.125 -> -13 (half away from zero), 1.005 -> 100
    # (1.005 is stored as 1.00499999..., so 100 cents), 0.004 -> 0 (a zero row)
    ("halves", "2024-01-04", 0.125), ("halves", "2024-01-04", 0.125), ("halves", "2024-02-04", 0.375),
    ("halves", "2024-02-04", -0.125), ("halves", "2024-03-04", 2.675),  # x 100 = 267.5 in float: 268
    ("dust", "2024-01-05", 0.004), ("dust", "2024-02-05", 1.00),
], columns=["customer_id", "date", "amount"])

#: frequency, monetary_value (mean of repeat days) and total_spend when money is netted in cents.
EXPECTED = {
    "tiny": (1, 7.00, 12.00),
    "tens": (1, 2.20, 3.30),
    "thirds": (1, 0.30, 0.60),
    "halves": (2, (0.25 + 2.68) / 2, 3.19),  # days of 26, 38 - 13 and 268 cents
    "dust": (0, 0.00, 1.00),
}


@pytest.fixture(scope="module")
def kin_files(tmp_path_factory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("kin")
    KIN.to_csv(folder / "kin.csv", index=False)
    KIN.assign(date=pd.to_datetime(KIN["date"])).to_parquet(folder / "kin.parquet", index=False,
                                                            coerce_timestamps="us")
    return {"csv": str(folder / "kin.csv"), "parquet": str(folder / "kin.parquet")}


def test_the_rounding_rule_is_half_away_from_zero():
    assert to_minor_units([0.125, -0.125, 0.375, 2.675, 0.004, -0.005, 1.005]).tolist() == \
        [13, -13, 38, 268, 0, -1, 100]
    assert to_minor_units([2.5, 3.5, -2.5, 0.49999999999999994], 0).tolist() == [3, 4, -3, 0]
    assert to_minor_units([1.2345], 3).tolist() == [1235]
    with pytest.raises(DataError, match="minor_unit_digits"):
        to_minor_units([1.0], -1)


def test_duckdb_rounds_as_pandas_does():
    rng = np.random.default_rng(3)
    values = np.r_[rng.normal(0, 50, 20_000).round(3), np.arange(-200, 200) / 8, 0.49999999999999994, 1.005,
                   -2.675, 1e12 + 0.5]
    con = connect()
    con.register("v", pd.DataFrame({"x": values}))
    got = con.execute(f"SELECT {minor_units('x')} AS c FROM v").df()["c"].to_numpy()
    np.testing.assert_array_equal(got, to_minor_units(values))


@pytest.mark.parametrize("engine", ["pandas", "duckdb"])
@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_a_day_netting_to_zero_cents_is_not_a_purchase(kin_files, engine, fmt):
    for zero in ("exclude", "purchase"):
        got = summarise_transactions(kin_files[fmt], engine=engine, as_of=AS_OF, zero_spend_days=zero)
        for customer, (freq, mv, total) in EXPECTED.items():
            row = got.loc[customer]
            if customer == "dust" and zero == "purchase":  # a zero row is a free order
                freq, mv = 1, 1.00
            assert row["frequency"] == freq, (customer, zero)
            assert row["monetary_value"] == pytest.approx(mv, abs=1e-12), customer
            assert row["total_spend"] == pytest.approx(total, abs=1e-12), customer
    # reported spend is cents / 100: the float a reader expects, not a float sum's drift
    assert got.loc["thirds", "total_spend"] == 0.6 and got.loc["halves", "total_spend"] == 3.19


def test_minor_unit_digits_changes_the_unit(kin_files):
    yen = summarise_transactions(kin_files["parquet"], as_of=AS_OF, minor_unit_digits=0)
    assert yen.equals(rfm_summary(KIN, AS_OF, minor_unit_digits=0))
    assert "thirds" not in yen.index  # every one of its amounts is 0 yen but the 0.3 (0 as well)
    with pytest.raises(DataError, match="minor_unit_digits"):
        summarise_transactions(kin_files["parquet"], as_of=AS_OF, minor_unit_digits=1.5)


def _random_log(n_rows: int, seed: int = 11) -> pd.DataFrame:
    """A log with many refunds that cancel a purchase to the cent, partial refunds and sub-cent amounts."""
    rng = np.random.default_rng(seed)
    n_parts = n_rows // 10  # days of two purchases and a refund of both: 0.10 + 0.20 - 0.30 style
    n_buy = int(n_rows * 0.6)
    n_ref = n_rows - n_buy - 3 * n_parts
    cust = rng.integers(0, n_rows // 10, n_buy)
    day = rng.integers(0, 400, n_buy)
    amount = np.round(rng.gamma(2.0, 15.0, n_buy), 2)
    sub = rng.random(n_buy) < 0.05
    amount[sub] = np.round(amount[sub] + rng.integers(0, 10, sub.sum()) / 1000, 3)  # three decimals
    pick = rng.integers(0, n_buy, n_ref)
    full = rng.random(n_ref) < 0.6
    ref = np.where(full, -amount[pick], -np.round(amount[pick] * rng.random(n_ref), 2))
    a, b = rng.integers(1, 5000, (2, n_parts))
    on = rng.integers(0, n_buy, n_parts)
    parts = np.c_[a / 100, b / 100, -(a + b) / 100].ravel()
    df = pd.DataFrame({"customer_id": np.r_[cust, cust[pick], np.repeat(cust[on], 3)],
                       "day": np.r_[day, day[pick], np.repeat(day[on], 3)],
                       "amount": np.r_[amount, ref, parts]})
    df = df.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    df["date"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(df.pop("day"), unit="D")
    return df[["customer_id", "date", "amount"]]


@pytest.fixture(scope="module")
def big_log(tmp_path_factory) -> str:
    df = _random_log(200_000)
    folder = tmp_path_factory.mktemp("big") / "tx"
    folder.mkdir()
    for i, part in enumerate(np.array_split(np.arange(len(df)), 4)):
        df.iloc[part].to_parquet(folder / f"part-{i}.parquet", index=False, coerce_timestamps="us")
    return str(folder)


def test_large_log_summaries_and_rfm_scores_are_identical(big_log):
    kw = {"as_of": "2025-02-28", "time_unit": "D"}
    on_pandas = summarise_transactions(big_log, engine="pandas", **kw)
    on_duckdb = summarise_transactions(big_log, engine="duckdb", **kw)
    pd.testing.assert_frame_equal(on_duckdb, on_pandas, check_exact=True)
    assert on_duckdb.attrs == on_pandas.attrs
    assert any("not purchase days" in r["rule"] for r in on_pandas.attrs["exclusions"])
    pd.testing.assert_frame_equal(rfm_scores(on_duckdb), rfm_scores(on_pandas), check_exact=True)
    split = {"calibration_end": "2024-10-31", "observation_end": "2025-02-28", "time_unit": "D"}
    pd.testing.assert_frame_equal(calibration_holdout_split(big_log, engine="duckdb", **split),
                                  calibration_holdout_split(big_log, engine="pandas", **split), check_exact=True)


# ----------------------------------------------------------------------------- Spark


@needs_spark
def test_spark_nets_in_cents_as_pandas_does(spark, kin_files, big_log):
    for fmt in ("csv", "parquet"):
        for zero in ("exclude", "purchase"):
            want = summarise_transactions(kin_files[fmt], engine="pandas", as_of=AS_OF, zero_spend_days=zero)
            got = summarise_transactions(kin_files[fmt], engine="spark", spark=spark, as_of=AS_OF,
                                         zero_spend_days=zero)
            pd.testing.assert_frame_equal(got, want, check_exact=True)
    kw = {"as_of": "2025-02-28", "time_unit": "D"}
    pd.testing.assert_frame_equal(summarise_transactions(big_log, engine="spark", spark=spark, **kw),
                                  summarise_transactions(big_log, engine="pandas", **kw), check_exact=True)
