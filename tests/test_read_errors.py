"""Every read error names the file (and the row within it, from 1 per file), on pandas, DuckDB and Spark."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cxkit.clv import rfm_summary
from cxkit.engines import summarise_transactions
from cxkit.engines.read import read_parts
from cxkit.engines.spark import short_java_error
from cxkit.errors import DataError
from cxkit.files import read_parquet
from tests.spark_support import needs_spark

AS_OF = "2024-12-31"


def _part(i: int, n: int = 2000) -> pa.Table:
    return pa.table({"customer_id": pa.array([f"C{j % 50}" for j in range(n)]),
                     "date": pa.array(pd.date_range("2024-01-01", periods=n, freq="h").date),
                     "amount": pa.array(np.round(np.random.default_rng(i).uniform(1, 100, n), 2))})


@pytest.fixture(scope="module")
def corrupt_parts(tmp_path_factory) -> Path:
    """Three Parquet parts; the second has a corrupt data page in its second row group, its footer intact."""
    folder = tmp_path_factory.mktemp("corrupt") / "transactions"
    folder.mkdir()
    for i in range(3):
        pq.write_table(_part(i), folder / f"part-{i}.parquet", compression="snappy", use_dictionary=False,
                       row_group_size=500)
    path = folder / "part-1.parquet"
    chunk = pq.ParquetFile(path).metadata.row_group(1).column(0)
    raw = bytearray(path.read_bytes())
    start = chunk.data_page_offset + chunk.total_compressed_size // 2
    raw[start:start + 8] = b"\xff" * 8
    path.write_bytes(bytes(raw))
    with pytest.raises(OSError):  # the damage a plain read meets, and pq.ParquetFile still opens the footer
        pd.read_parquet(path)
    assert pq.ParquetFile(path).metadata.num_row_groups == 4
    return folder


@pytest.fixture(scope="module")
def csv_parts(tmp_path_factory) -> Path:
    """Three CSV parts; the second holds the text 'twelve' as an amount on its third data row (line 4)."""
    folder = tmp_path_factory.mktemp("csvparts") / "transactions"
    folder.mkdir()
    for i in range(3):
        lines = ["customer_id,date,amount"] + [f"C{j},2024-01-0{1 + j % 5},{10 + j}.5" for j in range(6)]
        if i == 1:
            lines[3] = "C2,2024-01-03,twelve"
        (folder / f"part-{i}.csv").write_text("\n".join(lines) + "\n")
    return folder


def _names_part_1_parquet(err: DataError) -> None:
    text = str(err)
    assert "could not read part-1.parquet" in text or "part-1.parquet could not be read" in text, text
    assert "part-0.parquet could" not in text and "read part-0.parquet" not in text
    assert err.table == "transactions" and err.rule == "readable file"


def test_pandas_corrupt_part_names_the_file_and_its_rows(corrupt_parts):
    with pytest.raises(DataError) as info:
        read_parts(corrupt_parts)
    _names_part_1_parquet(info.value)
    assert "row group 2 of 4 (rows 501-1,000)" in str(info.value)
    assert "Corrupt snappy" in str(info.value)


def test_single_table_parquet_names_the_rows_lost(corrupt_parts):
    with pytest.raises(DataError, match=r"part-1\.parquet could not be read as Parquet in row group 2 of 4"):
        read_parquet(corrupt_parts / "part-1.parquet", "transactions")


def test_duckdb_corrupt_part_names_the_file(corrupt_parts):
    with pytest.raises(DataError) as info:
        summarise_transactions(corrupt_parts, engine="duckdb", as_of=AS_OF)
    _names_part_1_parquet(info.value)
    assert "rows 501-1,000" in str(info.value)


@needs_spark
def test_spark_corrupt_part_names_the_file_in_a_few_lines(corrupt_parts, recwarn):
    with pytest.raises(DataError) as info:
        summarise_transactions(corrupt_parts, engine="spark", as_of=AS_OF)
    _names_part_1_parquet(info.value)
    text = str(info.value)
    assert len(text.splitlines()) <= 4, text
    assert "\tat " not in text and "at org.apache" not in text
    assert not [w for w in recwarn if "Arrow optimization" in str(w.message)]


def test_pandas_bad_value_names_second_file_and_row(csv_parts):
    tx = read_parts(csv_parts)
    assert tx.index.names == ["file", "row"]
    assert tx.index[6] == ("part-1.csv", 1)  # the second file's first row is its row 1
    with pytest.raises(DataError, match="amount is not numeric") as info:
        rfm_summary(tx, AS_OF)
    assert list(info.value.rows.index) == [("part-1.csv", 3)]
    assert "part-1.csv 3" in str(info.value)


def test_duckdb_bad_value_names_second_file_and_row(csv_parts):
    with pytest.raises(DataError, match="amount is not numeric") as info:
        summarise_transactions(csv_parts, engine="duckdb", as_of=AS_OF)
    assert list(info.value.rows.index) == [("part-1.csv", 3)]
    assert "part-1.csv (1 rows)" in str(info.value)


@needs_spark
def test_spark_bad_value_names_second_file_and_row(csv_parts):
    with pytest.raises(DataError, match="amount is not numeric") as info:
        summarise_transactions(csv_parts, engine="spark", as_of=AS_OF)
    assert list(info.value.rows.index) == [("part-1.csv", 3)]


@needs_spark
@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_spark_rows_count_from_one_in_every_file(tmp_path, kind):
    from cxkit.engines.spark import SparkEngine, session_for

    folder = tmp_path / "transactions"
    folder.mkdir()
    sizes = [7, 300, 40]  # unequal sizes: Spark would pack the files into one task in size order
    for i, n in enumerate(sizes):
        frame = _part(i, n).to_pandas()
        if kind == "csv":
            frame.to_csv(folder / f"part-{i}.csv", index=False)
        else:
            frame.to_parquet(folder / f"part-{i}.parquet", index=False)
    keys = ("spark.sql.files.maxPartitionBytes", "spark.sql.files.openCostInBytes")
    spark = session_for()
    before = {k: spark.conf.get(k, None) for k in keys}
    engine = SparkEngine(str(folder), spark=spark)
    try:
        rows = engine.query("SELECT _file_idx, MIN(_row) AS first, MAX(_row) AS last, COUNT(*) AS n FROM cx_raw "
                            "GROUP BY _file_idx ORDER BY _file_idx")
    finally:
        engine.close()
    assert rows["first"].tolist() == [1, 1, 1]
    assert rows["last"].tolist() == sizes and rows["n"].tolist() == sizes
    assert {k: spark.conf.get(k, None) for k in keys} == before  # the settings a CSV run needs are put back


def test_java_trace_cut_to_its_causes():
    frames = "\n".join(f"\tat org.apache.spark.Stage{i}.run(Stage.scala:{i})" for i in range(150))
    trace = ("An error occurred while calling o83.getResult.\n"
             ": org.apache.spark.SparkException: Exception thrown in awaitResult: \n" + frames +
             "\nCaused by: org.apache.spark.SparkException: [FAILED_READ_FILE.NO_HINT] Encountered error while "
             "reading file file:///data/transactions/part-1.parquet.  SQLSTATE: KD001\n" + frames +
             "\nCaused by: java.io.IOException: could not read page in col [customer_id]\n" + frames +
             "\nCaused by: java.io.IOException: FAILED_TO_UNCOMPRESS(5)\n\t... 35 more")
    message, uri = short_java_error(RuntimeError(trace))
    assert uri == "file:///data/transactions/part-1.parquet"
    lines = message.splitlines()
    assert len(lines) <= 3 and "FAILED_READ_FILE" in lines[0] and "FAILED_TO_UNCOMPRESS(5)" in lines[-1]
    assert "Stage" not in message


def test_load_folder_names_the_part_and_its_row_on_the_pandas_path(tmp_path):
    from cxkit import load_folder

    parts = tmp_path / "transactions"
    parts.mkdir()
    (parts / "part-0.csv").write_text("customer_id,date,amount\na,2025-01-01,5\nb,2025-01-02,6\n")
    (parts / "part-1.csv").write_text("customer_id,date,amount\nc,2025-01-03,7\nd,2025-01-04,oops\n")
    with pytest.raises(DataError, match=r"(?s)amount.*part-1\.csv\s+2\s+d\s+oops"):
        load_folder(tmp_path, engine="pandas")


@pytest.mark.parametrize("engine", ["pandas", "duckdb"])
def test_text_in_the_amount_is_named_by_part_and_row_in_every_engine_summary(tmp_path, engine):
    from cxkit.folder import customer_spend_summary

    parts = tmp_path / "transactions"
    parts.mkdir()
    (parts / "part-0.csv").write_text("customer_id,date,amount\na,2025-01-01,5\nb,2025-01-02,6\n")
    (parts / "part-1.csv").write_text("customer_id,date,amount\nc,2025-01-03,7\nd,2025-01-04,oops\n")
    with pytest.raises(DataError, match=r"(?s)amount is not numeric.*part-1\.csv.*oops"):
        customer_spend_summary(parts, engine=engine, as_of="2025-02-01")
