"""EngineOptions: how an engine reads a log, one record instead of ten keywords repeated by every summary."""
from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from cxkit import ArgumentError
from cxkit.engines import EngineOptions, customer_spend_summary, summarise_transactions
from cxkit.engines.log import describe_log
from cxkit.engines.options import ENGINE_OPTIONS

SAMPLE = "data/sample/transactions.csv"


def test_the_defaults_read_files_with_duckdb_as_written():
    options = EngineOptions()
    assert (options.engine, options.columns, options.text_ids, options.timezone) == ("duckdb", None, False, None)
    assert not options.drops_duplicates and options.listed_copies is None
    assert ENGINE_OPTIONS == ("engine", "columns", "memory_limit", "threads", "spark", "text_ids",
                              "known_customers", "drop_duplicates", "timezone")
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.engine = "spark"


def test_keywords_change_the_options_given():
    base = EngineOptions(engine="spark", memory_limit="1GB")
    assert EngineOptions.of(base) is base and EngineOptions.of(None) == EngineOptions()
    changed = EngineOptions.of(base, memory_limit="2GB", threads=2)
    assert (changed.engine, changed.memory_limit, changed.threads) == ("spark", "2GB", 2)
    with pytest.raises(TypeError, match="unknown engine option 'thread'; did you mean 'threads'"):
        EngineOptions.of(None, thread=2)
    with pytest.raises(TypeError, match="unknown engine option 'colour'"):
        summarise_transactions(SAMPLE, options=EngineOptions(), time_unit="D", colour=1)


@pytest.mark.parametrize("values, match", [
    ({"engine": "polars"}, r"engine must be one of \['duckdb', 'spark', 'pandas'\], got 'polars'"),
    ({"timezone": "Mars/Olympus"}, "neither a zone name"),
    ({"columns": ["cust"]}, "columns must be a mapping"),
    ({"threads": 0}, "threads must be a whole number above 0"),
    ({"threads": True}, "threads must be a whole number"),
    ({"memory_limit": 2}, "memory_limit must be a size"),
    ({"known_customers": pd.DataFrame({"id": [1]})}, "known_customers must be the customers table"),
])
def test_each_option_is_checked(values, match):
    with pytest.raises(ArgumentError, match=match):
        EngineOptions(**values)


def test_options_or_keywords_give_the_same_summary():
    by_keywords = summarise_transactions(SAMPLE, as_of="2025-12-31", time_unit="D", text_ids=True, threads=1)
    by_options = summarise_transactions(SAMPLE, as_of="2025-12-31", time_unit="D",
                                        options=EngineOptions(text_ids=True, threads=1))
    pd.testing.assert_frame_equal(by_keywords, by_options)
    overridden = summarise_transactions(SAMPLE, as_of="2025-12-31", time_unit="D",
                                        options=EngineOptions(engine="spark", text_ids=True, threads=1),
                                        engine="duckdb")  # a keyword overrides the options given
    pd.testing.assert_frame_equal(overridden, by_keywords)


def test_the_engine_floor_leaves_the_pandas_path_to_the_floor_above():
    with pytest.raises(ArgumentError, match="engine='pandas' reads the rows into memory"):
        customer_spend_summary(SAMPLE, engine="pandas")


def test_a_log_reads_with_its_own_options():
    customers = pd.read_csv("data/sample/customers.csv", parse_dates=["signup_date", "churn_date"])
    customers["customer_id"] = customers["customer_id"].astype(str)
    log = describe_log(SAMPLE, customers=customers, threads=1, timezone="UTC")
    options = log.options
    assert (options.engine, options.threads, options.text_ids, options.timezone) == ("duckdb", 1, True, "UTC")
    assert log.exclusions == [] and log.kept_duplicate_rows == 0
