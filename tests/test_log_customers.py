"""A transaction log left in its files obeys the loaded tables' rules: text ids, known customers, customer dates."""
from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest
from spark_support import needs_spark

from cxkit import DataError, load_folder
from cxkit.engines import summarise_transactions

SAMPLE = "data/sample"


def _company(tmp_path, name: str, change=None, id_type=int):
    """The sample with numeric ids (customers as CSV, transactions as a Parquet folder), changed by ``change``."""
    folder = tmp_path / name
    (folder / "transactions").mkdir(parents=True)
    customers = pd.read_csv(f"{SAMPLE}/customers.csv")
    tx = pd.read_csv(f"{SAMPLE}/transactions.csv", parse_dates=["date"])
    customers["customer_id"] = customers["customer_id"].str[1:].astype(int)
    tx["customer_id"] = tx["customer_id"].str[1:].astype(int).astype(id_type)
    if change is not None:
        customers, tx = change(customers, tx)
    customers.to_csv(folder / "customers.csv", index=False)
    half = len(tx) // 2
    for i, part in enumerate((tx.iloc[:half], tx.iloc[half:])):  # microseconds: Spark reads no nanoseconds
        part.to_parquet(folder / "transactions" / f"part-{i}.parquet", index=False, coerce_timestamps="us")
    return folder


def _same_frames(folder, **load):
    loaded, log = load_folder(folder, engine="pandas", **load), load_folder(folder, engine="duckdb", **load)
    assert loaded.transactions is not None and log.transaction_log is not None
    a, b = loaded.rfm_summary(time_unit="D").sort_index(), log.rfm_summary(time_unit="D").sort_index()
    pd.testing.assert_frame_equal(a, b)
    start = loaded.as_of - pd.DateOffset(months=12) + pd.Timedelta(days=1)
    pd.testing.assert_frame_equal(loaded.customer_value(period_start=start).reset_index(drop=True),
                                  log.customer_value(period_start=start).reset_index(drop=True), check_dtype=False)
    end = loaded.as_of - pd.DateOffset(months=6)
    pd.testing.assert_frame_equal(loaded.calibration_holdout_split(end).sort_index(),
                                  log.calibration_holdout_split(end).sort_index())
    return loaded, log


def test_numeric_ids_in_a_log_match_the_customers_table(tmp_path):
    loaded, log = _same_frames(_company(tmp_path, "ints"))
    value = log.customer_value()
    assert value["customer_id"].map(type).eq(str).all() and value["customer_id"].is_unique
    assert len(value) == len(log.customers)                     # one row per customer, none doubled
    assert value["net_spend"].sum() == pytest.approx(loaded.transactions["amount"].sum())
    assert log.rfm_summary().index.dtype == object


def test_ids_stored_as_floats_are_the_same_customers(tmp_path):
    _, log = _same_frames(_company(tmp_path, "floats", id_type=float))
    assert "1" in log.rfm_summary().index and "1.0" not in log.rfm_summary().index


def test_text_ids_with_spaces_are_one_customer(tmp_path):
    def pad(customers, tx):
        tx["customer_id"] = tx["customer_id"].astype(str)
        tx.loc[tx.index[::3], "customer_id"] = " " + tx.loc[tx.index[::3], "customer_id"] + " "
        return customers, tx

    _, log = _same_frames(_company(tmp_path, "spaces", pad))
    summary = log.rfm_summary()
    assert summary.index.is_unique and not summary.index.str.contains(" ").any()


def _with_strangers(customers, tx):
    extra = pd.DataFrame({"customer_id": [990001, 990001, 990002], "amount": [10.0, 12.0, 30.0],
                          "date": pd.to_datetime(["2024-03-01", "2024-05-01", "2025-02-01"])})
    return customers, pd.concat([tx, extra], ignore_index=True)


def test_unknown_customers_are_refused_with_the_rule_and_rows(tmp_path):
    folder = _company(tmp_path, "strangers", _with_strangers)
    with pytest.raises(DataError) as err:
        load_folder(folder, engine="duckdb")
    e = err.value
    assert e.column == "customer_id" and e.rule == "customer_id not found in the customers table"
    assert e.n_rows == 3 and "part-1.parquet" in str(e) and "990001" in str(e) and "unknown_customers" in str(e)


def test_unknown_customers_excluded_are_reported_and_left_out(tmp_path):
    folder = _company(tmp_path, "strangers_out", _with_strangers)
    loaded, log = _same_frames(folder, unknown_customers="exclude")
    mine = log.exclusions[log.exclusions["rule"].str.startswith("customer_id not in customers table")]
    theirs = loaded.exclusions[loaded.exclusions["rule"] == "customer_id not in customers table"]
    assert int(mine["n_rows"].sum()) == int(theirs["n_rows"].sum()) == 3
    assert "(2 customers)" in mine["rule"].iloc[0] and "part-1.parquet" in mine["example_rows"].iloc[0]
    assert "990001" not in log.rfm_summary().index and "990001" not in set(log.customer_value()["customer_id"])
    assert (log.transaction_log.rows, log.transaction_log.customers) == (
        len(loaded.transactions), loaded.transactions["customer_id"].nunique())


def test_activity_before_signup_and_purchases_after_churn_are_refused(tmp_path):
    def early(customers, tx):
        first = customers.iloc[0]
        row = pd.DataFrame({"customer_id": [first["customer_id"]], "amount": [5.0],
                            "date": [pd.Timestamp(first["signup_date"]) - pd.Timedelta(days=3)]})
        return customers, pd.concat([tx, row], ignore_index=True)

    with pytest.raises(DataError) as err:
        load_folder(_company(tmp_path, "early", early), engine="duckdb")
    assert err.value.rule == "dated before the customer's signup_date" and err.value.n_rows == 1

    def after_churn(customers, tx, amount):
        gone = customers[customers["churn_date"].notna()].iloc[0]
        row = pd.DataFrame({"customer_id": [gone["customer_id"]], "amount": [amount],
                            "date": [pd.Timestamp(gone["churn_date"]) + pd.Timedelta(days=2)]})
        return customers, pd.concat([tx, row], ignore_index=True)

    with pytest.raises(DataError) as err:
        load_folder(_company(tmp_path, "late", lambda c, t: after_churn(c, t, 20.0)), engine="duckdb")
    assert err.value.rule == "purchase dated after the customer's churn_date"
    assert "churn_date" in str(err.value) and "refunds after churn are allowed" in str(err.value)
    # a refund after churn is allowed, as in the pandas loader
    _same_frames(_company(tmp_path, "refund", lambda c, t: after_churn(c, t, -20.0)))


def test_rows_after_as_of_are_reported_and_left_out(tmp_path):
    folder = _company(tmp_path, "as_of")
    loaded, log = _same_frames(folder, as_of="2025-06-30")
    late = log.exclusions[log.exclusions["rule"].str.startswith("dated after as_of")]
    assert int(late["n_rows"].sum()) == int(
        loaded.exclusions[loaded.exclusions["rule"].str.startswith("dated after as_of")]["n_rows"].sum()) > 0
    assert log.customer_value()["net_spend"].sum() == pytest.approx(loaded.transactions["amount"].sum())
    mine, theirs = log.summary().set_index("table"), loaded.summary().set_index("table")
    for column in ("rows", "customers", "first_date", "last_date"):
        assert mine.loc["transactions", column] == theirs.loc["transactions", column], column


def test_the_engines_alone_keep_the_ids_they_read(tmp_path):
    folder = _company(tmp_path, "raw")
    raw = summarise_transactions(folder / "transactions", as_of="2025-12-31")
    text = summarise_transactions(folder / "transactions", as_of="2025-12-31", text_ids=True)
    assert raw.index.dtype == np.int64 and text.index.dtype == object
    assert list(raw.index.astype(str)) == list(text.index)


def test_a_log_without_customers_table_says_so(tmp_path):
    folder = _company(tmp_path, "no_customers")
    (folder / "customers.csv").unlink()
    shutil.copy(f"{SAMPLE}/surveys.csv", folder / "surveys_unused.csv")
    log = load_folder(folder, engine="duckdb")
    note = log.notes[log.notes["table"] == "transactions"]["note"].iloc[0]
    assert "no customers table to check the ids against" in note


def _with_copies(customers, tx):
    tx = tx.assign(order_id=np.arange(len(tx)))
    copies = tx.iloc[[5, 5, 40, 900]]                                   # 4 exact copies (one row twice)
    told_apart = tx.iloc[[60, 61]].assign(order_id=[10**9, 10**9 + 1])  # same purchase data, other orders
    return customers, pd.concat([tx, copies, told_apart], ignore_index=True)


@pytest.mark.parametrize("duplicates", ["exclude", "keep"])
def test_exact_duplicate_rows_follow_the_loaders_rule(tmp_path, duplicates):
    folder = _company(tmp_path, f"copies_{duplicates}", _with_copies)
    loaded, log = _same_frames(folder, duplicates=duplicates)
    assert log.transaction_log.duplicate_rows == 4
    if duplicates == "exclude":
        mine = log.exclusions[log.exclusions["rule"].str.startswith("exact duplicate")]
        theirs = loaded.exclusions[loaded.exclusions["rule"].str.startswith("exact duplicate")]
        assert int(mine["n_rows"].sum()) == int(theirs["n_rows"].sum()) == 4
        assert "part-1.parquet row" in mine["example_rows"].iloc[0]
    else:
        note = log.notes[log.notes["note"].str.startswith("exact duplicate rows kept")]
        assert int(note["n_rows"].sum()) == 4
    net = log.customer_value()["net_spend"].sum()
    assert net == pytest.approx(loaded.transactions["amount"].sum())
    copies = log.transaction_log.duplicate_copies               # listed once, skipped by an anti-join
    assert copies is not None and len(copies) == 4 and set(copies["_file_idx"]) == {1}
    grouped = summarise_transactions(folder / "transactions", as_of=log.as_of, drop_duplicates=True)
    pd.testing.assert_frame_equal(grouped, summarise_transactions(folder / "transactions", as_of=log.as_of,
                                                                  drop_duplicates=copies))
    kept = summarise_transactions(folder / "transactions", as_of=log.as_of)
    assert kept["total_spend"].sum() > grouped["total_spend"].sum()


# ----------------------------------------------------------------------------- Spark

@needs_spark
def test_spark_checks_customers_and_keeps_to_the_known_ones(tmp_path):
    from cxkit.engines import EngineOptions, open_engine
    from cxkit.engines.customers import check_customers
    from cxkit.engines.duplicates import count_duplicates
    from cxkit.engines.spark import local_session

    folder = _company(tmp_path, "spark", _with_strangers)
    customers = load_folder(folder, engine="pandas", unknown_customers="exclude").customers
    session = local_session(cores=2, shuffle_partitions=2)
    try:
        eng = open_engine(str(folder / "transactions"), EngineOptions(engine="spark", spark=session, text_ids=True))
        try:
            with pytest.raises(DataError) as err:
                check_customers(eng, customers)
            assert err.value.rule == "customer_id not found in the customers table" and err.value.n_rows == 3
            found = check_customers(eng, customers, unknown_customers="exclude")
            assert (found.unknown_rows, found.unknown_customers) == (3, 2)
        finally:
            eng.close()
        kw = dict(as_of="2025-12-31", time_unit="D", known_customers=customers)
        on_spark = summarise_transactions(folder / "transactions", engine="spark", spark=session, **kw)
        pd.testing.assert_frame_equal(on_spark.sort_index(),
                                      summarise_transactions(folder / "transactions", **kw).sort_index())
        assert "990001" not in on_spark.index and on_spark.index.dtype == object
        copies = _company(tmp_path, "spark_copies", _with_copies) / "transactions"
        eng = open_engine(str(copies), EngineOptions(engine="spark", spark=session))
        try:
            assert count_duplicates(eng).n_rows == 4
        finally:
            eng.close()
        kw = dict(as_of="2025-12-31", time_unit="D", drop_duplicates=True)
        pd.testing.assert_frame_equal(summarise_transactions(copies, engine="spark", spark=session, **kw),
                                      summarise_transactions(copies, **kw))
        # a notebook's folder whose transactions are a Spark table (load_options spark_table)
        no_files = tmp_path / "spark_table"
        no_files.mkdir()
        shutil.copy(folder / "customers.csv", no_files / "customers.csv")
        session.createDataFrame(pd.read_parquet(folder / "transactions")).createOrReplaceTempView("cx_test_sales")
        in_spark = load_folder(no_files, engine="spark", spark_table="cx_test_sales", unknown_customers="exclude",
                               spark=session)
        assert in_spark.transaction_log.spark is session
        loaded = load_folder(folder, engine="pandas", unknown_customers="exclude")
        pd.testing.assert_frame_equal(in_spark.rfm_summary(time_unit="D").sort_index(),
                                      loaded.rfm_summary(time_unit="D").sort_index())
        assert "left in the Spark table cx_test_sales" in " ".join(in_spark.notes["note"])
        assert "read with the Spark session given; its settings are left as they were" in set(in_spark.notes["note"])
        active = load_folder(no_files, engine="spark", spark_table="cx_test_sales", unknown_customers="exclude")
        assert "read with the active Spark session; its settings are left as they were" in set(active.notes["note"])
        with pytest.raises(DataError, match="engine='spark'"):
            load_folder(no_files, spark_table="cx_test_sales")
        with pytest.raises(DataError, match="two sources for the transactions table"):
            load_folder(folder, engine="spark", spark_table="cx_test_sales")
        with pytest.raises(DataError, match=r"Spark has no table 'no_such_table' \(not found") as err:
            load_folder(no_files, engine="spark", spark_table="no_such_table")
        assert err.value.rule == "table present"
        nanos = tmp_path / "nanos.parquet"
        pd.DataFrame({"customer_id": [1], "date": [pd.Timestamp("2024-01-01")], "amount": [1.0]}).to_parquet(nanos)
        with pytest.raises(DataError, match="coerce_timestamps='us'"):
            summarise_transactions(nanos, engine="spark", spark=session)
    finally:
        session.stop()


def test_csv_rows_are_counted_within_their_file(tmp_path):
    """A log of CSV parts names a bad row by its file and its place in that file, not across the files."""
    folder = tmp_path / "csv_parts"
    folder.mkdir()
    first = pd.DataFrame({"customer_id": ["a", "b", "c"], "date": ["2024-01-02"] * 3, "amount": [1.0, 2.0, 3.0]})
    second = pd.DataFrame({"customer_id": ["d", "e", "f", "d"], "date": ["2024-01-03"] * 4,
                           "amount": ["4", "5", "six", "4"]})
    first.to_csv(folder / "part-1.csv", index=False)
    second.to_csv(folder / "part-2.csv", index=False)
    with pytest.raises(DataError) as err:
        summarise_transactions(folder, as_of="2024-12-31")
    assert err.value.rule == "amount is not numeric"
    assert list(err.value.rows.index) == [("part-2.csv", 3)]
    from cxkit.engines import open_engine
    from cxkit.engines.duplicates import count_duplicates

    second.assign(amount=["4", "5", "6", "4"]).to_csv(folder / "part-2.csv", index=False)
    eng = open_engine(str(folder))
    try:
        assert count_duplicates(eng).examples == "part-2.csv row 4"
    finally:
        eng.close()
