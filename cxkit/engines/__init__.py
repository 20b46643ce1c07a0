"""Big transaction logs summarised where the data is: DuckDB in-process, or Spark.

A retailer's log of hundreds of millions of rows does not fit in pandas on a laptop,
but the CLV models and value segments need only one row per customer. These functions
compute that row straight from Parquet/CSV files (or a Spark DataFrame) with the same
rules, index, columns and exclusion counts as the pandas path:

* :func:`summarise_transactions` is :func:`cxkit.clv.rfm_summary` on files;
* :func:`customer_spend_summary` is :func:`cxkit.drivers.customer_value` on files.

``engine="duckdb"`` (default) streams the files in this process; ``engine="spark"``
runs the same SQL text (:mod:`cxkit.engines.sql`) on a Spark session;
``engine="pandas"`` reads the files into memory and calls the pandas functions (the
reference the other two are tested against).

Example
-------
>>> from cxkit.engines import summarise_transactions
>>> summary = summarise_transactions("data/sample/transactions.csv", as_of="2025-12-31")
>>> int(summary["frequency"].sum()) > 0
True
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd

from cxkit.clv.summary import _check_choice, rfm_summary
from cxkit.clv.units import TimeUnit, _check_time_unit, _to_day
from cxkit.engines import sql
from cxkit.engines.sql import EngineError
from cxkit.errors import DataError

__all__ = ["summarise_transactions", "customer_spend_summary", "read_transactions", "EngineError"]

Engine = Literal["duckdb", "spark", "pandas"]


def read_transactions(source: Any, columns: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Read a file, folder or glob of Parquet/CSV transactions into pandas, files in sorted order.

    The pandas engine's input, and the reference the SQL engines are compared with.

    Example
    -------
    >>> len(read_transactions("data/sample/transactions.csv")) > 1000
    True
    """
    paths = sql.find_files(source)
    files = sql.inspect_files(paths, columns)
    if files.csv:
        frames = [pd.read_csv(p, sep="\t" if p.lower().endswith(".tsv") else ",") for p in paths]
    else:
        frames = [pd.read_parquet(p) for p in paths]
    df = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    return df.rename(columns=dict(columns or {}))


def _engine(engine: str, source: Any, columns: Mapping[str, str] | None, memory_limit: str | None,
            threads: int | None, spark: Any) -> Any:
    if engine == "duckdb":
        from cxkit.engines.duck import DuckDBEngine

        if not isinstance(source, (str,)) and not hasattr(source, "__fspath__"):
            raise DataError(f"engine='duckdb' reads files: pass a path, folder or glob, got {type(source).__name__}",
                            rule="arguments")
        files = sql.inspect_files(sql.find_files(source), columns)
        return DuckDBEngine(files, columns, memory_limit=memory_limit, threads=threads)
    from cxkit.engines.spark import SparkEngine

    return SparkEngine(source, columns, spark=spark)


def summarise_transactions(
    source: Any,
    *,
    engine: Engine = "duckdb",
    as_of: Any = None,
    time_unit: TimeUnit = "W",
    observation_start: Any = None,
    zero_spend_days: Literal["exclude", "purchase"] = "exclude",
    after_as_of: Literal["raise", "exclude"] = "exclude",
    memory_limit: str | None = None,
    threads: int | None = None,
    spark: Any = None,
    columns: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """The CLV summary (frequency, recency, T, monetary value) computed where the data is.

    For logs too big for pandas: the BG/NBD and Gamma-Gamma fits need one row per
    customer, and this returns exactly the frame :func:`cxkit.clv.rfm_summary` returns
    for the same rows (same index order, columns, dtypes and ``attrs["exclusions"]``),
    with refunds netted (``refunds="net"``).

    Parameters
    ----------
    source : a Parquet/CSV file, a folder of them, a glob; for Spark also a Spark
        DataFrame or a table name.
    engine : "duckdb" (default), "spark" or "pandas".
    as_of, time_unit, observation_start, zero_spend_days, after_as_of : as in
        :func:`cxkit.clv.rfm_summary` (note ``after_as_of`` defaults to "exclude" here:
        a big log usually runs past the analysis date).
    memory_limit : DuckDB memory cap such as "2GB" (``SET memory_limit``).
    threads : DuckDB threads.
    spark : a SparkSession (default: a local one is started).
    columns : your column names mapped to cxkit's, e.g. ``{"cust_no": "customer_id"}``.

    Returns
    -------
    DataFrame indexed by customer id, as :func:`cxkit.clv.rfm_summary`.

    Example
    -------
    >>> s = summarise_transactions("data/sample/transactions.csv", time_unit="D")  # doctest: +SKIP
    >>> s[["frequency", "recency", "T"]].head(2)                                    # doctest: +SKIP
    """
    unit_days = _check_time_unit(time_unit)
    _check_choice(engine, ("duckdb", "spark", "pandas"), "engine")
    _check_choice(after_as_of, ("raise", "exclude"), "after_as_of")
    _check_choice(zero_spend_days, ("exclude", "purchase"), "zero_spend_days")
    if engine == "pandas":
        return rfm_summary(read_transactions(source, columns), as_of, time_unit=time_unit,
                           observation_start=observation_start, zero_spend_days=zero_spend_days,
                           after_as_of=after_as_of)
    as_of_day = None if as_of is None else _to_day(as_of, "as_of")
    start_day = None if observation_start is None else _to_day(observation_start, "observation_start")
    if start_day is not None and as_of_day is not None and start_day > as_of_day:
        raise DataError("table 'arguments', column 'observation_start': observation_start is after as_of",
                        table="arguments", column="observation_start", rule="observation_start is after as_of")
    eng = _engine(engine, source, columns, memory_limit, threads, spark)
    try:
        sql.validate(eng.query, eng.source, as_of_day, after_as_of)
        ex = sql.expressions(eng.source, as_of_day)
        per = eng.query(sql.SUMMARY_SQL.format(
            **ex, start=sql.sql_date(start_day) if start_day is not None else "DATE '0001-01-01'",
            zero_is_purchase=int(zero_spend_days == "purchase")))
    finally:
        eng.close()
    return sql.rfm_frame(per, eng.source, as_of_day, unit_days, time_unit, zero_spend_days)


def customer_spend_summary(
    source: Any,
    *,
    engine: Engine = "duckdb",
    as_of: Any = None,
    min_tenure_days: int = 90,
    memory_limit: str | None = None,
    threads: int | None = None,
    spark: Any = None,
    columns: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Net spend, purchase days, tenure and annual spend per customer, computed where the data is.

    The value side of a driver analysis (:func:`cxkit.drivers.customer_value`) for a log
    too big for pandas; the same columns and numbers (no customers table: tenure starts
    at each customer's first transaction).

    Parameters
    ----------
    source, engine, memory_limit, threads, spark, columns : as in :func:`summarise_transactions`.
    as_of : end of the window (default: the last transaction date); later rows are an error.
    min_tenure_days : shorter tenures count as this long when annualising.

    Returns
    -------
    DataFrame with ``customer_id``, ``net_spend``, ``gross_spend``, ``refunds``,
    ``refund_excess``, ``purchase_days``, ``tenure_days`` and ``annual_spend``, sorted by customer.

    Example
    -------
    >>> v = customer_spend_summary("data/sample/transactions.csv")    # doctest: +SKIP
    >>> v[["customer_id", "net_spend", "annual_spend"]].head(2)        # doctest: +SKIP
    """
    _check_choice(engine, ("duckdb", "spark", "pandas"), "engine")
    if engine == "pandas":
        from cxkit.drivers import customer_value

        tx = read_transactions(source, columns)
        if not pd.api.types.is_datetime64_any_dtype(tx.get("date")):
            tx["date"] = pd.to_datetime(tx["date"], format="ISO8601")
        return customer_value(tx, as_of=as_of, min_tenure_days=min_tenure_days)
    as_of_day = None if as_of is None else _to_day(as_of, "as_of")
    eng = _engine(engine, source, columns, memory_limit, threads, spark)
    try:
        sql.validate(eng.query, eng.source, as_of_day, "raise")
        per = eng.query(sql.SPEND_SQL.format(**sql.expressions(eng.source, as_of_day)))
    finally:
        eng.close()
    ids = sql.customer_ids(per["cid"], eng.source.csv)
    first = pd.to_datetime(per["first_purchase"]).to_numpy().astype("datetime64[ns]")
    end = pd.Timestamp(as_of) if as_of is not None else pd.Timestamp(pd.to_datetime(per["last_date"]).max()).normalize()
    out = pd.DataFrame({"customer_id": np.asarray(ids),
                        "gross_spend": per["gross_spend"].to_numpy(np.float64),
                        "refunds": per["refunds"].to_numpy(np.float64),
                        "purchase_days": per["purchase_days"].to_numpy(np.int64)})
    net = out["gross_spend"] - out["refunds"]
    out["refund_excess"] = (-net).clip(lower=0)
    out["net_spend"] = net.clip(lower=0)
    out["tenure_days"] = (end - pd.Series(first)).dt.days.astype(float)
    out["annual_spend"] = out["net_spend"] / (out["tenure_days"].clip(lower=min_tenure_days) / 365.25)
    cols = ["net_spend", "gross_spend", "refunds", "refund_excess", "purchase_days", "tenure_days", "annual_spend"]
    out = out.sort_values("customer_id", kind="stable").reset_index(drop=True)
    return out[["customer_id", *cols]].astype({"purchase_days": int})
