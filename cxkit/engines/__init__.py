"""Big transaction logs summarised where the data is: DuckDB in-process, or Spark.

A retailer's log of hundreds of millions of rows does not fit in pandas on a laptop,
but the CLV models and value segments need only one row per customer. These functions
compute that row straight from Parquet/CSV files (or a Spark DataFrame) with the same
rules, index, columns and exclusion counts as the pandas path
(:mod:`cxkit.engines.summaries`):

* :func:`summarise_transactions` is :func:`cxkit.clv.rfm_summary` on files;
* :func:`calibration_holdout_split` is :func:`cxkit.clv.calibration_holdout_split` on files;
* :func:`customer_spend_summary` is :func:`cxkit.value.customer_value` on files (with
  an optional customers table and a period's spend).

``engine="duckdb"`` (default) streams the files in this process; ``engine="spark"``
runs the same SQL text (:mod:`cxkit.engines.sql`) on a Spark session. How the files are
read (engine, DuckDB's memory, the Spark session, column names, time zone) is one
:class:`EngineOptions`, given as ``options=`` or as keywords. The pandas path
(``engine="pandas"``: the rows read into memory by :func:`read_rows`, then the themes'
functions; the reference the other two are tested against) runs one floor up, in
:func:`cxkit.folder.summarise_transactions` and its siblings.

A log that belongs to a data folder (:func:`cxkit.load_folder`) is kept as a
:class:`~cxkit.engines.log.TransactionLog` and follows the loaded tables' rules where it
is: ids as text (``text_ids``), the customers table's checks
(:mod:`cxkit.engines.customers`, ``known_customers``) and exact duplicate rows
(:mod:`cxkit.engines.duplicates`, ``drop_duplicates``).

Example
-------
>>> from cxkit.engines import summarise_transactions
>>> summary = summarise_transactions("data/sample/transactions.csv", as_of="2025-12-31")
>>> int(summary["frequency"].sum()) > 0
True
"""
from __future__ import annotations

from cxkit.engines.log import TransactionLog, describe_log
from cxkit.engines.options import EngineOptions
from cxkit.engines.read import read_rows, read_transactions
from cxkit.engines.summaries import (
    calibration_holdout_split,
    customer_spend_summary,
    open_engine,
    summarise_transactions,
)
from cxkit.errors import EngineError

__all__ = ["summarise_transactions", "calibration_holdout_split", "customer_spend_summary", "read_transactions",
           "read_rows", "open_engine", "EngineOptions", "TransactionLog", "describe_log", "EngineError"]
