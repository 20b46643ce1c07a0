"""The DuckDB and Spark engines give exactly the pandas path's per-customer tables and errors."""
from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from conftest import SAMPLE_DIR
from cxkit import DataError
from cxkit.clv import rfm_summary
from cxkit.drivers import customer_value
from cxkit.engines import EngineError, customer_spend_summary, summarise_transactions
from cxkit.engines.duck import connect

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


# ----------------------------------------------------------------------------- Spark

_NO_SPARK = None
try:
    import pyspark  # noqa: F401
except ImportError:
    _NO_SPARK = "pyspark is not installed (pip install 'cxkit[spark]')"
if _NO_SPARK is None and shutil.which("java") is None:
    _NO_SPARK = "no 'java' on PATH: Spark needs Java 17+"
needs_spark = pytest.mark.skipif(_NO_SPARK is not None, reason=_NO_SPARK or "")


@pytest.fixture(scope="module")
def spark():
    from cxkit.engines.spark import local_session

    session = local_session(cores=2, shuffle_partitions=2)
    yield session
    session.stop()


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
        on_spark = customer_spend_summary(edge_files[fmt], engine="spark", spark=spark, as_of="2024-08-01")
        pd.testing.assert_frame_equal(on_spark, customer_spend_summary(edge_files[fmt], engine="pandas",
                                                                       as_of="2024-08-01"))


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
    with pytest.raises(EngineError, match="no 'java' on PATH"):
        summarise_transactions(SAMPLE, engine="spark")
