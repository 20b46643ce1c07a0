"""Transactions too large to load stay in their files; the notebooks get the same per-customer frames."""
from __future__ import annotations

import shutil

import pandas as pd
import pytest

from cxkit import DataError, load_folder

SAMPLE = "data/sample"


@pytest.fixture(scope="module")
def both():
    return load_folder(SAMPLE), load_folder(SAMPLE, engine="duckdb")


def test_a_log_is_described_not_loaded(both):
    loaded, log = both
    assert loaded.transaction_log is None and log.transactions is None
    assert log.transaction_log.rows == len(loaded.transactions)
    assert log.transaction_log.customers == loaded.transactions["customer_id"].nunique()
    assert log.as_of == loaded.as_of and "transactions" in log.as_of_rule
    row = log.summary().set_index("table").loc["transactions"]
    assert row["rows"] == len(loaded.transactions) and row["present"] and "duckdb" in row["hint"]
    assert row["first_date"] == loaded.transactions["date"].min().normalize()
    note = log.notes[log.notes["table"] == "transactions"]["note"].iloc[0]
    assert "left in its files (" in note and "checked against the customers table (known ids" in note
    log.require("transactions", "customers")  # a log counts as the table being there


@pytest.mark.parametrize("time_unit", ["D", "W"])
def test_the_clv_summary_is_the_same_frame(both, time_unit):
    loaded, log = both
    a, b = loaded.rfm_summary(time_unit=time_unit), log.rfm_summary(time_unit=time_unit)
    pd.testing.assert_frame_equal(a, b)
    assert a.attrs["exclusions"] == b.attrs["exclusions"]


def test_the_holdout_split_is_the_same_frame(both):
    loaded, log = both
    end = loaded.as_of - pd.DateOffset(months=6)
    pd.testing.assert_frame_equal(loaded.calibration_holdout_split(end, time_unit="W"),
                                  log.calibration_holdout_split(end, time_unit="W"))


def test_customer_value_with_period_spend_is_the_same_frame(both):
    loaded, log = both
    start = loaded.as_of - pd.DateOffset(months=12) + pd.Timedelta(days=1)
    a = loaded.customer_value(period_start=start, period_end=loaded.as_of)
    b = log.customer_value(period_start=start, period_end=loaded.as_of)
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), check_dtype=False)
    assert (a["period_spend"] >= 0).all() and a["period_spend"].sum() > 0


def test_auto_reads_small_files_into_pandas_and_large_ones_as_a_log(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(SAMPLE, folder)
    parts = folder / "transactions"
    tx = pd.read_csv(folder / "transactions.csv")
    (folder / "transactions.csv").unlink()
    parts.mkdir()
    for i, chunk in enumerate((tx.iloc[:15000], tx.iloc[15000:])):
        chunk.to_parquet(parts / f"part-{i}.parquet", index=False)
    small = load_folder(folder)
    assert small.transactions is not None and len(small.transactions) == len(tx)
    large = load_folder(folder, large_file_mb=0.01)
    assert large.transactions is None and large.transaction_log.rows == len(tx)
    pd.testing.assert_frame_equal(small.rfm_summary(time_unit="D"), large.rfm_summary(time_unit="D"))
    pd.testing.assert_frame_equal(small.rfm_summary(time_unit="D"), load_folder(SAMPLE).rfm_summary(time_unit="D"))


def test_a_log_with_your_column_names(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(SAMPLE, folder)
    tx = pd.read_csv(folder / "transactions.csv").rename(columns={"customer_id": "cust", "amount": "value"})
    tx.to_csv(folder / "transactions.csv", index=False)
    cx = load_folder(folder, columns={"transactions": {"cust": "customer_id", "value": "amount"}}, engine="duckdb")
    pd.testing.assert_frame_equal(cx.rfm_summary(time_unit="W"), load_folder(SAMPLE).rfm_summary(time_unit="W"))


def test_bad_logs_and_settings_are_named(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(SAMPLE, folder)
    with pytest.raises(DataError, match="engine must be one of"):
        load_folder(folder, engine="polars")
    (folder / "transactions").mkdir()
    with pytest.raises(DataError, match="two sources for the transactions table"):
        load_folder(folder)
    (folder / "transactions").rmdir()
    tx = pd.read_csv(folder / "transactions.csv", dtype={"amount": str})
    tx.loc[7, "amount"] = "12,50 EUR"
    tx.to_csv(folder / "transactions.csv", index=False)
    with pytest.raises(DataError, match="amount is not numeric") as err:
        load_folder(folder, engine="duckdb")
    assert "transactions.csv" in str(err.value)


def test_the_report_runner_sees_a_log_written_in_parts(tmp_path, capsys):
    """A folder ``transactions/`` of Parquet parts is the transactions table for the runner too:
    notebook 03 runs on it (on DuckDB, with numeric ids matched to the customers table), not skipped."""
    from cxkit.report import main

    data = tmp_path / "parts"
    (data / "transactions").mkdir(parents=True)
    customers = pd.read_csv(f"{SAMPLE}/customers.csv")
    tx = pd.read_csv(f"{SAMPLE}/transactions.csv", parse_dates=["date"])
    customers["customer_id"] = customers["customer_id"].str[1:].astype(int)
    tx["customer_id"] = tx["customer_id"].str[1:].astype(int)
    customers.to_csv(data / "customers.csv", index=False)
    tx.to_parquet(data / "transactions" / "part-0.parquet", index=False)
    code = main(["run", "--data-dir", str(data), "--out", str(tmp_path / "out"), "-p", "load_options",
                 '{"engine": "duckdb"}', "-p", "n_segments", "4", "03"])
    printed = capsys.readouterr().out
    assert code == 0 and "ran      03_clv_segmentation" in printed, printed
    html = (tmp_path / "out" / "03_clv_segmentation.html").read_text()
    assert "left in its files (" in html and "checked against the customers table" in html


def test_a_log_gives_the_loaded_tables_notes_and_follows_the_stated_zone(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from cxkit.data.contract import ZERO_AMOUNT_NOTE

    # 23:30 in UTC on 1 March is 18:30 in New York; 03:30 UTC on 2 March is 22:30 on 1 March there
    times = pd.to_datetime(["2025-03-01 23:30", "2025-03-02 03:30", "2025-03-05 12:00", "2025-03-09 12:00"], utc=True)
    table = pa.table({"customer_id": ["a", "a", "a", "b"], "date": pa.array(times, pa.timestamp("us", tz="UTC")),
                      "amount": [10.0, 4.0, 0.0, 7.0]})
    pq.write_table(table, tmp_path / "transactions.parquet")
    loaded = load_folder(tmp_path, engine="pandas", timezone="America/New_York")
    log = load_folder(tmp_path, engine="duckdb", timezone="America/New_York")
    for cx in (loaded, log):
        zero = cx.notes[cx.notes["note"] == ZERO_AMOUNT_NOTE]
        assert zero["n_rows"].tolist() == [1]          # said once, with its count, on both paths
    a = loaded.rfm_summary(time_unit="D")
    b = log.rfm_summary(time_unit="D")
    pd.testing.assert_frame_equal(a, b)
    utc = load_folder(tmp_path, engine="duckdb", timezone="UTC").rfm_summary(time_unit="D")
    # one purchase day in New York (both on 1 March), two in UTC: the stated zone decides the day
    assert (a.loc["a", "frequency"], utc.loc["a", "frequency"]) == (0, 1)
