"""The DuckDB and Spark engines give exactly the pandas path's per-customer tables and errors."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from spark_support import needs_spark

from conftest import SAMPLE_DIR
from cxkit import DataError
from cxkit.clv import calibration_holdout_split, rfm_summary
from cxkit.clv import summary as clv_summary
from cxkit.engines import EngineError
from cxkit.engines import sql as engine_sql
from cxkit.engines.duck import connect
from cxkit.folder import calibration_holdout_split as split_on_engine
from cxkit.folder import customer_spend_summary, summarise_transactions
from cxkit.value import customer_value

SAMPLE = SAMPLE_DIR / "transactions.csv"


def _parquet_parts(df: pd.DataFrame, folder, n: int = 3) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    for i, part in enumerate(np.array_split(np.arange(len(df)), n)):
        df.iloc[part].to_parquet(folder / f"part-{i:03d}.parquet", index=False, coerce_timestamps="us",
                                 allow_truncated_timestamps=True)
    return str(folder)


def _csv_parts(df: pd.DataFrame, folder, n: int = 2) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    for i, part in enumerate(np.array_split(np.arange(len(df)), n)):
        df.iloc[part].to_csv(folder / f"part-{i}.csv", index=False)
    return str(folder)


def _same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(got, want)
    assert got.attrs == want.attrs


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    return pd.read_csv(SAMPLE)


@pytest.fixture(scope="module")
def sample_parquet(sample, tmp_path_factory) -> str:
    df = sample.assign(date=pd.to_datetime(sample["date"]))
    return _parquet_parts(df, tmp_path_factory.mktemp("sample") / "tx", n=4)


# Edge cases, one customer each: same-day purchases, partial / full / excess refunds,
# zero amounts, times of day, a row after as_of, a customer seen only after as_of.
EDGE = pd.DataFrame({
    "customer_id": ["same", "same", "same", "part", "part", "part", "full", "full", "full", "beyond", "beyond",
                    "zero", "zero", "zero", "late", "late", "onlylate", "refundonly", "zfree", "zfree"],
    "date": ["2024-01-01 09:00:00", "2024-01-01 18:30:00", "2024-02-01", "2024-01-05", "2024-01-05", "2024-03-01",
             "2024-01-10", "2024-01-10", "2024-02-10", "2024-01-20", "2024-02-20",
             "2024-01-03", "2024-01-03", "2024-02-03", "2024-01-02", "2024-07-01", "2024-08-01",
             "2024-03-03", "2024-01-04", "2024-05-05"],
    "amount": [10.0, 15.5, 20.0, 40.0, -12.25, 30.0, 25.0, -25.0, 60.0, 10.0, -50.0,
               0.0, 0.0, 12.0, 8.0, 9.0, 5.0, -3.0, 0.0, 7.5],
})
AS_OF = "2024-06-30"


@pytest.fixture(scope="module")
def edge_files(tmp_path_factory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("edge")
    return {"csv": _csv_parts(EDGE, root / "csv"),
            "parquet": _parquet_parts(EDGE.assign(date=pd.to_datetime(EDGE["date"], format="ISO8601")), root / "pq")}


# ----------------------------------------------------------------------------- DuckDB = pandas


@pytest.mark.parametrize("time_unit", ["D", "W", "M"])
def test_duckdb_equals_pandas_on_the_sample_parquet(sample, sample_parquet, time_unit):
    want = rfm_summary(sample.assign(date=pd.to_datetime(sample["date"])), "2025-12-31", time_unit=time_unit)
    _same(summarise_transactions(sample_parquet, as_of="2025-12-31", time_unit=time_unit), want)


def test_duckdb_equals_pandas_on_the_sample_csv_without_as_of(sample):
    _same(summarise_transactions(SAMPLE), rfm_summary(sample))
    _same(summarise_transactions(str(SAMPLE_DIR / "trans*.csv")), rfm_summary(sample))


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
@pytest.mark.parametrize("zero", ["exclude", "purchase"])
@pytest.mark.parametrize("time_unit", ["D", "W", "M"])
def test_duckdb_equals_pandas_on_edge_cases(edge_files, fmt, zero, time_unit):
    src = edge_files[fmt]
    want = summarise_transactions(src, engine="pandas", as_of=AS_OF, time_unit=time_unit,
                                  zero_spend_days=zero, after_as_of="exclude")
    got = summarise_transactions(src, as_of=AS_OF, time_unit=time_unit, zero_spend_days=zero)
    _same(got, want)
    assert "onlylate" not in got.index and "refundonly" not in got.index
    assert got.loc["same", "n_purchase_days"] == 2 and got.loc["same", "total_spend"] == 45.5
    rules = {r["rule"]: r["n_rows"] for r in got.attrs["exclusions"]}
    assert rules["rows dated after as_of"] == 2


def test_observation_start_and_columns_mapping(edge_files, tmp_path):
    renamed = EDGE.rename(columns={"customer_id": "cust_no", "amount": "value"})
    path = tmp_path / "tx.csv"
    renamed.to_csv(path, index=False)
    cols = {"cust_no": "customer_id", "value": "amount"}
    want = rfm_summary(EDGE, AS_OF, observation_start="2024-01-06", after_as_of="exclude")
    _same(summarise_transactions(path, as_of=AS_OF, observation_start="2024-01-06", columns=cols), want)


def test_time_zones_take_the_wall_clock_day(tmp_path):
    stamps = pd.to_datetime(["2024-01-01 23:30", "2024-01-02 00:30", "2024-01-09 12:00"]).tz_localize("Europe/Paris")
    df = pd.DataFrame({"customer_id": ["a", "a", "a"], "date": stamps, "amount": [5.0, 7.0, 9.0]})
    src = _parquet_parts(df, tmp_path / "tz", n=1)
    got = summarise_transactions(src, time_unit="D")
    _same(got, rfm_summary(df, time_unit="D"))
    assert got.loc["a", "n_purchase_days"] == 3  # 23:30 and 00:30 Paris time fall on two days
    text = df.assign(date=["2024-01-01T23:30:00+05:00", "2024-01-02T00:30:00+05:00", "2024-01-09T12:00:00+05:00"])
    text.to_csv(tmp_path / "tz.csv", index=False)
    _same(summarise_transactions(tmp_path / "tz.csv", time_unit="D"), rfm_summary(text, time_unit="D"))


def test_numeric_customer_ids_keep_the_pandas_dtype(tmp_path):
    df = EDGE.assign(customer_id=pd.factorize(EDGE["customer_id"])[0] + 100)
    df.to_csv(tmp_path / "tx.csv", index=False)
    got = summarise_transactions(tmp_path / "tx.csv", as_of=AS_OF)
    _same(got, rfm_summary(pd.read_csv(tmp_path / "tx.csv"), AS_OF, after_as_of="exclude"))
    assert got.index.dtype == np.int64


def test_customer_spend_summary_equals_customer_value(sample, sample_parquet, edge_files):
    want = customer_value(sample.assign(date=pd.to_datetime(sample["date"])), as_of="2025-12-31")
    pd.testing.assert_frame_equal(customer_spend_summary(sample_parquet, as_of="2025-12-31"), want)
    pd.testing.assert_frame_equal(customer_spend_summary(SAMPLE), customer_value(sample.assign(
        date=pd.to_datetime(sample["date"]))))
    edge = EDGE[EDGE["date"] < "2024-07"].reset_index(drop=True)
    src = _csv_parts(edge, __import__("pathlib").Path(edge_files["csv"]).parent / "spend")
    pd.testing.assert_frame_equal(customer_spend_summary(src), customer_spend_summary(src, engine="pandas"))


def test_memory_limit_and_threads_are_set():
    con = connect(memory_limit="2GB", threads=1)
    limit, threads = con.execute("SELECT current_setting('memory_limit'), current_setting('threads')").fetchone()
    assert threads == 1 and limit.replace(" ", "").upper().startswith(("1.8GIB", "1.9GIB", "2.0GB", "2GB", "1.8G"))
    with pytest.raises(DataError, match="memory_limit"):
        connect(memory_limit="lots")


# ----------------------------------------------------------------------------- errors


def _both_raise(df: pd.DataFrame, path, **kw) -> tuple[DataError, DataError]:
    with pytest.raises(DataError) as want:
        rfm_summary(pd.read_csv(path) if str(path).endswith(".csv") else pd.read_parquet(path), **kw)
    with pytest.raises(DataError) as got:
        summarise_transactions(path, **kw)
    return got.value, want.value


BAD = {
    "missing customer": (EDGE.assign(customer_id=EDGE["customer_id"].where(EDGE.index % 7 != 3)), "customer_id"),
    "amount text": (EDGE.assign(amount=EDGE["amount"].astype(str).where(EDGE.index % 5 != 1, "$12")), "amount"),
    "bad date": (EDGE.assign(date=EDGE["date"].where(EDGE.index != 4, "not a date")), "date"),
    "empty amount": (EDGE.assign(amount=EDGE["amount"].where(EDGE.index != 2)), "amount"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_errors_match_the_pandas_path(tmp_path, case):
    df, column = BAD[case]
    path = tmp_path / "tx.csv"
    df.to_csv(path, index=False)
    got, want = _both_raise(df, path, after_as_of="raise")
    assert (got.rule, got.column, got.n_rows) == (want.rule, want.column, want.n_rows)
    assert got.column == column and "tx.csv" in str(got) and "first offending rows" in str(got)


def test_transactions_after_as_of_raise(edge_files):
    with pytest.raises(DataError) as want:
        rfm_summary(EDGE, AS_OF, after_as_of="raise")
    with pytest.raises(DataError, match="part-1.csv") as got:
        summarise_transactions(edge_files["csv"], as_of=AS_OF, after_as_of="raise")
    assert (got.value.rule, got.value.n_rows) == (want.value.rule, want.value.n_rows)


def test_missing_column_is_named(tmp_path):
    EDGE.drop(columns="amount").to_parquet(tmp_path / "tx.parquet")
    with pytest.raises(DataError, match="required column missing") as err:
        summarise_transactions(tmp_path / "tx.parquet")
    assert err.value.column == "amount"


def test_wrong_type_in_one_file_names_it(tmp_path):
    _parquet_parts(EDGE, tmp_path / "tx", n=2)
    EDGE.assign(amount=EDGE["amount"].astype(str)).to_parquet(tmp_path / "tx" / "part-002.parquet")
    with pytest.raises(DataError, match="part-002.parquet holds string values") as err:
        summarise_transactions(tmp_path / "tx")
    assert err.value.rule == "one type per column"


def test_corrupted_parquet_names_the_file(tmp_path):
    _parquet_parts(EDGE, tmp_path / "tx", n=2)
    (tmp_path / "tx" / "part-001.parquet").write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(DataError, match="part-001.parquet could not be read as Parquet"):
        summarise_transactions(tmp_path / "tx")


def test_mixed_date_formats_across_files_name_the_file(tmp_path):
    folder = tmp_path / "tx"
    _csv_parts(EDGE, folder)
    day_first = EDGE.assign(date=pd.to_datetime(EDGE["date"], format="ISO8601").dt.strftime("%d/%m/%Y"))
    day_first.to_csv(folder / "part-9.csv", index=False)
    with pytest.raises(DataError, match=r"part-9.csv \(20 rows\)") as err:
        summarise_transactions(folder)
    assert err.value.rule == "date could not be parsed" and "part-0.csv" not in str(err.value).split("Hint")[0]


def test_bad_arguments():
    with pytest.raises(DataError, match="engine"):
        summarise_transactions(SAMPLE, engine="polars")
    with pytest.raises(DataError, match="no such file"):
        summarise_transactions("/nonexistent/tx.parquet")


# ----------------------------------------------------------------------------- calibration / holdout split

# One customer per situation around a calibration end of 2024-03-31 and an observation end of 2024-06-30.
CAL, OBS = "2024-03-31", "2024-06-30"
SPLIT_EDGE = pd.DataFrame({
    "customer_id": ["calday", "calday", "calday", "cross", "cross", "cross", "newbie", "newbie",
                    "zero", "zero", "zero", "onlyrefund", "onlyrefund", "early", "early", "late", "late",
                    "same", "same", "same", "nopday", "nopday", "netzero", "netzero", "netzero"],
    "date": ["2024-03-31 08:00", "2024-03-31 20:00", "2024-04-01", "2024-03-10", "2024-04-02", "2024-05-05",
             "2024-04-15", "2024-05-15", "2024-02-02", "2024-02-02", "2024-04-04", "2024-02-10", "2024-04-10",
             "2023-12-01", "2024-01-20", "2024-06-30 23:00", "2024-07-01", "2024-01-05", "2024-01-05",
             "2024-06-01", "2024-03-03", "2024-04-20", "2024-01-07", "2024-01-07", "2024-05-07"],
    "amount": [20.0, 5.0, 11.0, 50.0, -20.0, 30.0, 14.0, 16.0, 0.0, 0.0, 9.0, 40.0, -40.0,
               8.0, 12.0, 7.0, 99.0, 10.0, -4.0, 0.0, -6.0, 13.0, 15.0, -15.0, 22.0],
})


@pytest.fixture(scope="module")
def split_files(tmp_path_factory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("split")
    dated = SPLIT_EDGE.assign(date=pd.to_datetime(SPLIT_EDGE["date"], format="ISO8601"))
    return {"csv": _csv_parts(SPLIT_EDGE, root / "csv", n=3), "parquet": _parquet_parts(dated, root / "pq")}


@pytest.mark.parametrize("refunds", ["net", "drop"])
@pytest.mark.parametrize("time_unit", ["D", "W"])
def test_split_equals_pandas_on_the_sample(sample, sample_parquet, time_unit, refunds):
    want = calibration_holdout_split(sample.assign(date=pd.to_datetime(sample["date"])), "2025-06-30",
                                     "2025-12-31", time_unit=time_unit, refunds=refunds)
    got = split_on_engine(sample_parquet, "2025-06-30", "2025-12-31", time_unit=time_unit, refunds=refunds)
    _same(got, want)
    assert got["spend_holdout"].sum() > 0 and got.attrs["observation_end"] == pd.Timestamp("2025-12-31")


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
@pytest.mark.parametrize("zero", ["exclude", "purchase"])
@pytest.mark.parametrize("refunds", ["net", "drop"])
def test_split_equals_pandas_on_edge_cases(split_files, fmt, zero, refunds):
    kw = {"time_unit": "D", "zero_spend_days": zero, "refunds": refunds, "calibration_start": "2024-01-01"}
    want = split_on_engine(split_files[fmt], CAL, OBS, engine="pandas", **kw)
    got = split_on_engine(split_files[fmt], CAL, OBS, **kw)
    _same(got, want)
    # a purchase on the calibration end day is a calibration day; the holdout starts the day after
    assert got.loc["calday", "frequency_cal"] == 0 and got.loc["calday", "T_cal"] == 0.0
    assert got.loc["calday", "frequency_holdout"] == 1 and "newbie" not in got.index
    rules = {r["rule"]: r["n_rows"] for r in got.attrs["exclusions"]}
    assert rules[clv_summary.EXCLUDED_AFTER_OBSERVATION_END] == 1
    assert rules[clv_summary.EXCLUDED_BEFORE_CALIBRATION_START] == 1
    assert rules[clv_summary.EXCLUDED_HOLDOUT_NEW_CUSTOMERS] == (5 if zero == "exclude" else 4) + (refunds == "net")


def test_split_without_calibration_start_and_in_weeks_from_csv_text(split_files):
    want = calibration_holdout_split(SPLIT_EDGE, CAL, OBS)
    _same(split_on_engine(split_files["csv"], CAL, OBS), want)
    _same(split_on_engine(split_files["csv"], CAL, "2024-04-01", time_unit="M"),
          calibration_holdout_split(SPLIT_EDGE, CAL, "2024-04-01", time_unit="M"))


def test_split_errors_match_the_pandas_path(split_files):
    for kw in ({"calibration_end": OBS, "observation_end": CAL}, {"calibration_end": "2023-01-01",
                                                                   "observation_end": OBS}):
        with pytest.raises(DataError) as want:
            calibration_holdout_split(SPLIT_EDGE, **kw)
        with pytest.raises(DataError) as got:
            split_on_engine(split_files["parquet"], **kw)
        assert (got.value.rule, got.value.column, str(got.value)) == (want.value.rule, want.value.column,
                                                                       str(want.value))
    only_refunds = SPLIT_EDGE[SPLIT_EDGE["amount"] < 0]
    path = _csv_parts(only_refunds, __import__("pathlib").Path(split_files["csv"]).parent / "refunds", n=1)
    with pytest.raises(DataError) as want:
        calibration_holdout_split(only_refunds, CAL, OBS)
    with pytest.raises(DataError) as got:
        split_on_engine(path, CAL, OBS)
    assert (got.value.rule, str(got.value)) == (want.value.rule, str(want.value))


# ----------------------------------------------------------------------------- refund rules


def test_refunds_drop_equals_pandas(sample, sample_parquet, edge_files):
    want = rfm_summary(sample.assign(date=pd.to_datetime(sample["date"])), "2025-12-31", refunds="drop")
    _same(summarise_transactions(sample_parquet, as_of="2025-12-31", refunds="drop"), want)
    for zero in ("exclude", "purchase"):
        want = rfm_summary(EDGE, AS_OF, refunds="drop", zero_spend_days=zero, after_as_of="exclude",
                           observation_start="2024-01-02")
        got = summarise_transactions(edge_files["csv"], as_of=AS_OF, refunds="drop", zero_spend_days=zero,
                                     observation_start="2024-01-02")
        _same(got, want)
        assert got.attrs["exclusions"][2]["rule"] == clv_summary.EXCLUDED_REFUNDS_DROPPED


@pytest.mark.parametrize("which", ["rfm", "split"])
def test_refunds_raise_matches_pandas(edge_files, split_files, which):
    if which == "rfm":
        with pytest.raises(DataError) as want:
            rfm_summary(EDGE, AS_OF, refunds="raise", after_as_of="exclude")
        with pytest.raises(DataError) as got:
            summarise_transactions(edge_files["csv"], as_of=AS_OF, refunds="raise")
        files = ["part-0.csv", "part-1.csv"]
    else:
        with pytest.raises(DataError) as want:
            calibration_holdout_split(SPLIT_EDGE, CAL, OBS, refunds="raise", calibration_start="2024-01-01")
        with pytest.raises(DataError) as got:
            split_on_engine(split_files["parquet"], CAL, OBS, refunds="raise", calibration_start="2024-01-01")
        files = ["part-000.parquet"]
    g, w = got.value, want.value
    assert (g.rule, g.column, g.n_rows) == (w.rule, w.column, w.n_rows) == (clv_summary.REFUSED_REFUNDS, "amount",
                                                                            w.n_rows)
    assert g.rule == clv_summary.REFUSED_REFUNDS and w.n_rows > 0
    assert g.rows["amount"].astype(float).tolist() == w.rows["amount"].astype(float).tolist()[:5]
    assert g.rows["customer_id"].tolist() == w.rows["customer_id"].tolist()[:5]
    assert all(f in str(g) for f in files) and str(g).endswith(str(w).rsplit("\n", 1)[-1])
    # nothing to refuse: the raise rule then equals the net rule
    _same(summarise_transactions(edge_files["csv"], as_of="2024-01-04", refunds="raise"),
          rfm_summary(EDGE, "2024-01-04", refunds="raise", after_as_of="exclude"))


def test_exclusion_wordings_are_shared():
    from cxkit.engines import sql_split

    for name in ("EXCLUDED_AFTER_AS_OF", "EXCLUDED_NOT_PURCHASE_DAYS", "REFUSED_REFUNDS", "NO_PURCHASE_DAY"):
        assert getattr(engine_sql, name) is getattr(clv_summary, name)
    assert sql_split.EXCLUDED_HOLDOUT_NEW_CUSTOMERS is clv_summary.EXCLUDED_HOLDOUT_NEW_CUSTOMERS


# ----------------------------------------------------------------------------- customer value with customers


@pytest.fixture(scope="module")
def sample_customers() -> pd.DataFrame:
    return pd.read_csv(SAMPLE_DIR / "customers.csv", parse_dates=["signup_date", "churn_date"])[
        ["customer_id", "signup_date", "churn_date"]]


def test_customer_spend_summary_with_customers_equals_customer_value(sample, sample_parquet, sample_customers):
    tx = sample.assign(date=pd.to_datetime(sample["date"]))
    want = customer_value(tx, sample_customers, as_of="2025-12-31")
    got = customer_spend_summary(sample_parquet, as_of="2025-12-31", customers=sample_customers)
    pd.testing.assert_frame_equal(got, want)
    assert len(got) == len(sample_customers) and (got["net_spend"] == 0).sum() > 0  # non-buyers kept
    pd.testing.assert_frame_equal(customer_spend_summary(SAMPLE, customers=sample_customers),
                                  customer_value(tx, sample_customers))


def test_customer_spend_summary_edge_customers(edge_files):
    edge = EDGE[EDGE["date"] < "2024-07"].reset_index(drop=True)
    src = _csv_parts(edge, __import__("pathlib").Path(edge_files["csv"]).parent / "value")
    customers = pd.DataFrame({
        "customer_id": ["same", "part", "full", "beyond", "zero", "late", "refundonly", "zfree", "never", "gone"],
        "signup_date": pd.to_datetime(["2023-12-01", "2024-01-05", "2023-01-01", "2024-01-20", "2024-01-01",
                                       "2023-06-01", "2024-03-01", "2024-01-04", "2024-02-02", "2023-05-05"]),
        "churn_date": pd.to_datetime([None, "2024-04-01", None, None, "2024-02-15", None, None, None, None,
                                      "2023-09-09"]),
    })
    tx = edge.assign(date=pd.to_datetime(edge["date"], format="ISO8601"))
    for as_of in ("2024-06-30", "2024-12-31"):
        want = customer_value(tx, customers, as_of=as_of, min_tenure_days=30)
        got = customer_spend_summary(src, customers=customers, as_of=as_of, min_tenure_days=30)
        pd.testing.assert_frame_equal(got, want)
        pd.testing.assert_frame_equal(customer_spend_summary(src, engine="pandas", customers=customers,
                                                             as_of=as_of, min_tenure_days=30), want)
    assert got.set_index("customer_id").loc["never", "net_spend"] == 0.0


# ----------------------------------------------------------------------------- period spend


def _period_spend(tx: pd.DataFrame, ids: pd.Series, start, end) -> pd.Series:
    day = tx["date"].dt.normalize()
    keep = pd.Series(True, index=tx.index)
    if start is not None:
        keep &= day >= pd.Timestamp(start)
    if end is not None:
        keep &= day <= pd.Timestamp(end)
    net = tx[keep].groupby("customer_id")["amount"].sum()
    return ids.map(net).fillna(0.0).clip(lower=0.0).rename("period_spend")


@pytest.mark.parametrize("window", [("2025-01-01", "2025-12-31"), ("2025-07-01", None), (None, "2024-12-31")])
def test_period_spend_equals_a_pandas_computation(sample, sample_parquet, sample_customers, window):
    tx = sample.assign(date=pd.to_datetime(sample["date"]))
    start, end = window
    got = customer_spend_summary(sample_parquet, as_of="2025-12-31", customers=sample_customers,
                                 period_start=start, period_end=end)
    pd.testing.assert_series_equal(got["period_spend"], _period_spend(tx, got["customer_id"], start, end))
    pd.testing.assert_frame_equal(got.drop(columns="period_spend"),
                                  customer_value(tx, sample_customers, as_of="2025-12-31"))
    pd.testing.assert_frame_equal(got, customer_spend_summary(SAMPLE, engine="pandas", as_of="2025-12-31",
                                                              customers=sample_customers, period_start=start,
                                                              period_end=end))


def test_period_spend_includes_both_end_days_and_floors_refunds(edge_files):
    edge = EDGE[EDGE["date"] < "2024-07"].reset_index(drop=True)
    src = _csv_parts(edge, __import__("pathlib").Path(edge_files["csv"]).parent / "period")
    got = customer_spend_summary(src, period_start="2024-01-01", period_end="2024-01-10").set_index("customer_id")
    assert got.loc["same", "period_spend"] == 25.5  # 2024-01-01 both rows, times of day included
    assert got.loc["full", "period_spend"] == 0.0  # 25 - 25 on the end day
    assert got.loc["refundonly", "period_spend"] == 0.0 and got.loc["beyond", "period_spend"] == 0.0
    beyond = customer_spend_summary(src, period_start="2024-02-20", period_end="2024-02-20").set_index("customer_id")
    assert beyond.loc["beyond", "period_spend"] == 0.0  # a lone refund never goes below 0


# ----------------------------------------------------------------------------- Spark



@needs_spark
def test_spark_equals_pandas_on_the_sample(spark, sample, sample_parquet):
    want = rfm_summary(sample.assign(date=pd.to_datetime(sample["date"])), "2025-12-31", time_unit="M")
    _same(summarise_transactions(sample_parquet, engine="spark", spark=spark, as_of="2025-12-31", time_unit="M"),
          want)


@needs_spark
@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_spark_equals_pandas_on_edge_cases(spark, edge_files, fmt):
    want = summarise_transactions(edge_files[fmt], engine="pandas", as_of=AS_OF, zero_spend_days="purchase")
    _same(summarise_transactions(edge_files[fmt], engine="spark", spark=spark, as_of=AS_OF,
                                 zero_spend_days="purchase"), want)
    if fmt == "parquet":
        on_spark = customer_spend_summary(edge_files[fmt], engine="spark", spark=spark, as_of="2024-08-01",
                                          period_start="2024-01-05", period_end="2024-02-20")
        pd.testing.assert_frame_equal(on_spark, customer_spend_summary(edge_files[fmt], engine="pandas",
                                                                       as_of="2024-08-01", period_start="2024-01-05",
                                                                       period_end="2024-02-20"))


@needs_spark
def test_spark_split_and_refund_rules_equal_pandas(spark, split_files):
    kw = {"time_unit": "D", "refunds": "drop", "calibration_start": "2024-01-01"}
    _same(split_on_engine(split_files["parquet"], CAL, OBS, engine="spark", spark=spark, **kw),
          split_on_engine(split_files["parquet"], CAL, OBS, engine="pandas", **kw))
    with pytest.raises(DataError, match="part-000.parquet") as err:
        split_on_engine(split_files["parquet"], CAL, OBS, engine="spark", spark=spark, refunds="raise")
    assert err.value.rule == clv_summary.REFUSED_REFUNDS


@needs_spark
def test_spark_reads_a_dataframe_and_reports_errors(spark, tmp_path):
    sdf = spark.createDataFrame(EDGE.rename(columns={"customer_id": "cust_no"}))
    got = summarise_transactions(sdf, engine="spark", spark=spark, as_of=AS_OF, columns={"cust_no": "customer_id"})
    _same(got, rfm_summary(EDGE, AS_OF, after_as_of="exclude"))
    df, _ = BAD["amount text"]
    df.to_csv(tmp_path / "tx.csv", index=False)
    with pytest.raises(DataError, match="amount is not numeric") as err:
        summarise_transactions(tmp_path / "tx.csv", engine="spark", spark=spark)
    assert err.value.n_rows == 4 and "tx.csv" in str(err.value)


def test_spark_that_cannot_start_says_why(monkeypatch):
    pytest.importorskip("pyspark", reason="pyspark is not installed")
    import cxkit.engines.spark as spark_mod

    monkeypatch.setattr(spark_mod.shutil, "which", lambda name: None)
    monkeypatch.setattr(spark_mod, "active_session", lambda: None)  # no session running: one must start
    monkeypatch.setattr(spark_mod, "_default_session", lambda cls: None)
    with pytest.raises(EngineError, match="no 'java' on PATH"):
        summarise_transactions(SAMPLE, engine="spark")
