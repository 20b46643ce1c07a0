"""The facade: cxkit.load_folder joins the data contract, the engines and the themes; each floor stays on its own."""
from __future__ import annotations

import shutil

import pandas as pd
import pytest

import cxkit
from cxkit import ArgumentError, load_folder
from cxkit import data as data_floor
from cxkit.clv import rfm_summary
from cxkit.data import CXData, FolderLoad, find_folder
from cxkit.engines import TransactionLog
from cxkit.folder import CXFolder, calibration_holdout_split, customer_spend_summary, summarise_transactions
from cxkit.value import customer_value

SAMPLE = "data/sample"


def test_load_folder_is_the_facades_and_gives_the_conveniences():
    assert cxkit.load_folder is load_folder
    cx = load_folder(SAMPLE)
    assert isinstance(cx, CXFolder) and isinstance(cx, CXData)
    pd.testing.assert_frame_equal(cx.rfm_summary(time_unit="D"), rfm_summary(cx.transactions, cx.as_of, time_unit="D"))
    value = cx.customer_value()
    pd.testing.assert_frame_equal(value.drop(columns="period_spend"),
                                  customer_value(cx.transactions, cx.customers, as_of=cx.as_of))
    assert (value["period_spend"] == value["net_spend"]).all()


def test_the_data_floor_loads_the_same_tables_in_memory():
    facade, floor = load_folder(SAMPLE), data_floor.load_folder(SAMPLE)
    assert type(floor) is CXData and not hasattr(floor, "rfm_summary")
    for name in ("customers", "transactions", "surveys", "contacts", "exclusions", "notes"):
        pd.testing.assert_frame_equal(getattr(facade, name), getattr(floor, name))
    assert (facade.as_of, facade.as_of_rule, facade.settings) == (floor.as_of, floor.as_of_rule, floor.settings)
    pd.testing.assert_frame_equal(CXFolder.of(floor).load_report(), facade.load_report())


def test_the_data_floor_leaves_a_log_to_the_facade(tmp_path):
    with pytest.raises(ArgumentError, match="load the folder with cxkit.load_folder") as err:
        data_floor.load_folder(SAMPLE, engine="duckdb")
    assert err.value.table == "transactions"
    folder = tmp_path / "data"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("transactions.csv"))
    (folder / "transactions").mkdir()
    pd.read_csv(f"{SAMPLE}/transactions.csv").to_parquet(folder / "transactions" / "part-0.parquet", index=False)
    with pytest.raises(ArgumentError, match="a folder of part files"):
        data_floor.load_folder(folder)
    assert len(load_folder(folder).transactions) == len(load_folder(SAMPLE).transactions)


def test_a_log_is_left_in_place_between_the_customers_and_the_other_tables():
    plan = find_folder(SAMPLE, engine="duckdb")
    assert plan.transactions_in_place and not plan.transactions_in_parts
    load = FolderLoad(plan)
    load.load_customers()
    assert load.data.customers is not None and load.data.surveys is None
    cx = load_folder(SAMPLE, engine="duckdb")
    assert isinstance(cx.transaction_log, TransactionLog) and cx.transactions is None
    assert cx.read_options.engine == "duckdb"


def test_the_summaries_run_on_every_engine_pandas_included(tmp_path):
    src = f"{SAMPLE}/transactions.csv"
    pd.testing.assert_frame_equal(summarise_transactions(src, engine="pandas", time_unit="D"),
                                  summarise_transactions(src, time_unit="D"))
    pd.testing.assert_frame_equal(calibration_holdout_split(src, "2025-06-30", "2025-12-31", engine="pandas"),
                                  calibration_holdout_split(src, "2025-06-30", "2025-12-31"))
    pd.testing.assert_frame_equal(customer_spend_summary(src, engine="pandas", period_start="2025-01-01"),
                                  customer_spend_summary(src, period_start="2025-01-01"))
    with pytest.raises(ArgumentError, match="period_start is not a date"):
        customer_spend_summary(src, engine="pandas", period_start="not a date")
