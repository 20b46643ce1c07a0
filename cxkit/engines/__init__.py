"""Big transaction logs summarised where the data is: DuckDB in-process, or Spark.

A retailer's log of hundreds of millions of rows does not fit in pandas on a laptop,
but the CLV models and value segments need only one row per customer. These functions
compute that row straight from Parquet/CSV files (or a Spark DataFrame) with the same
rules, index, columns and exclusion counts as the pandas path:

* :func:`summarise_transactions` is :func:`cxkit.clv.rfm_summary` on files;
* :func:`calibration_holdout_split` is :func:`cxkit.clv.calibration_holdout_split` on files;
* :func:`customer_spend_summary` is :func:`cxkit.value.customer_value` on files (with
  an optional customers table and a period's spend).

``engine="duckdb"`` (default) streams the files in this process; ``engine="spark"``
runs the same SQL text (:mod:`cxkit.engines.sql`) on a Spark session;
``engine="pandas"`` reads the files into memory and calls the pandas functions (the
reference the other two are tested against).

A log that belongs to a data folder (``load_folder``) also follows the loaded tables'
rules, where it is: ids as text (``text_ids``), the customers table's checks
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

from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd

from cxkit.clv import summary as pandas_summary
from cxkit.clv.summary import MINOR_UNIT_DIGITS, _check_choice, _check_minor_unit_digits, rfm_summary
from cxkit.clv.units import TimeUnit, _check_time_unit, _to_day
from cxkit.engines import sql
from cxkit.engines.read import read_parts
from cxkit.engines.sql import EngineError
from cxkit.engines.sql_split import split_frame
from cxkit.engines.value import value_frame
from cxkit.errors import DataError, data_error
from cxkit.parsing import clean_text, parse_dates

__all__ = ["summarise_transactions", "calibration_holdout_split", "customer_spend_summary", "read_transactions",
           "EngineError"]

Engine = Literal["duckdb", "spark", "pandas"]
Refunds = Literal["net", "drop", "raise"]
_EARLIEST = "DATE '0001-01-01'"
_LATEST = "DATE '9999-12-31'"


def read_transactions(source: Any, columns: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Read a file, folder or glob of Parquet/CSV transactions into pandas, files in sorted order.

    The pandas engine's input, and the reference the SQL engines are compared with. A file
    that cannot be read is named; rows are labelled by file and row within it
    (:func:`cxkit.engines.read.read_parts`).

    Example
    -------
    >>> len(read_transactions("data/sample/transactions.csv")) > 1000
    True
    """
    return read_parts(source, columns)


def _check_timezone(timezone: str | None) -> None:
    if timezone is not None and not sql.known_zone(str(timezone)):
        raise DataError(f"timezone {timezone!r} is neither a zone name (e.g. 'Europe/London') nor a fixed offset "
                        "('+02:00')", column="timezone", rule="arguments")


def _pandas_rows(source: Any, columns: Mapping[str, str] | None, text_ids: bool,
                 known_customers: pd.DataFrame | None, drop_duplicates: Any = False,
                 timezone: str | None = None) -> pd.DataFrame:
    """:func:`read_transactions`; ids as text, duplicates and rows of unknown customers left out when asked.

    Zoned dates (one zone per file, which may differ between files) and text dates are read
    by the loader's rule (:func:`cxkit.parsing.parse_dates`): each row's local date and time
    as written, or converted to ``timezone``; the SQL engines apply the same rule.
    """
    tx = read_transactions(source, columns)
    dates = tx.get("date")
    if dates is not None and not (pd.api.types.is_datetime64_dtype(dates) and getattr(dates.dt, "tz", None) is None):
        if not (pd.api.types.is_numeric_dtype(dates) or pd.api.types.is_bool_dtype(dates)):
            tx["date"] = parse_dates(dates, table="transactions", column="date", timezone=timezone)
    amount = tx.get("amount")
    if amount is not None and not pd.api.types.is_numeric_dtype(amount):  # text in the column: named, by file and row
        numbers = pd.to_numeric(amount, errors="coerce")
        bad = numbers.isna() & amount.notna()
        if bad.any():
            raise data_error("transactions", "amount", "amount is not numeric",
                             tx.loc[bad, [c for c in ("customer_id", "date", "amount") if c in tx]],
                             hint="strip currency symbols / thousands separators before writing the files")
        tx["amount"] = numbers
    if isinstance(drop_duplicates, pd.DataFrame) or drop_duplicates:
        tx = tx[~tx.duplicated(keep="first")]
    if (text_ids or known_customers is not None) and "customer_id" in tx:
        tx["customer_id"] = clean_text(tx["customer_id"], as_str=True).astype(str)
    if known_customers is not None and "customer_id" in tx:
        tx = tx[tx["customer_id"].isin(known_customers["customer_id"].astype(str))]
    return tx


def _engine(engine: str, source: Any, columns: Mapping[str, str] | None, memory_limit: str | None,
            threads: int | None, spark: Any, text_ids: bool = False,
            known_customers: pd.DataFrame | None = None, drop_duplicates: bool | pd.DataFrame = False,
            timezone: str | None = None) -> Any:
    """An engine over ``source``: ids as text when asked; exact duplicate rows and the rows of customers
    not in ``known_customers`` left out when asked; each file's time zone (and the stated ``timezone``)
    known to the SQL, which decides every row's calendar day by them (:func:`cxkit.engines.sql.expressions`)."""
    _check_timezone(timezone)
    zones: list[str | None] = []
    if engine == "duckdb":
        from cxkit.engines.duck import DuckDBEngine

        if not isinstance(source, (str,)) and not hasattr(source, "__fspath__"):
            raise DataError(f"engine='duckdb' reads files: pass a path, folder or glob, got {type(source).__name__}",
                            rule="arguments")
        files = sql.inspect_files(sql.find_files(source), columns)
        zones = files.zones
        eng = DuckDBEngine(files, columns, memory_limit=memory_limit, threads=threads)
    else:
        from cxkit.engines.spark import SparkEngine, _is_table_name

        if (isinstance(source, str) or hasattr(source, "__fspath__")) and not _is_table_name(source):
            zones = sql.inspect_files(sql.find_files(source), columns).zones
        eng = SparkEngine(source, columns, spark=spark)
    try:
        eng.source.extra.update(zones=zones, timezone=timezone)
        eng.source.extra["text_ids"] = text_ids or known_customers is not None
        if isinstance(drop_duplicates, pd.DataFrame) or drop_duplicates:
            from cxkit.engines.duplicates import drop_duplicates as first_copies

            first_copies(eng, drop_duplicates if isinstance(drop_duplicates, pd.DataFrame) else None)
        if known_customers is not None and "customer_id" in eng.source.kinds:
            from cxkit.engines.customers import keep_known, require_frame

            keep_known(eng, require_frame(known_customers))
    except BaseException:
        eng.close()  # a Spark session gets its settings back
        raise
    return eng


def _summary_rows(eng: Any, *, as_of_day: int | None, after_as_of: str, start_day: int | None, end_day: int | None,
                  cal_day: int | None, refunds: str, zero_spend_days: str,
                  minor_unit_digits: int = MINOR_UNIT_DIGITS) -> tuple[pd.DataFrame, list[dict[str, Any]], sql.LogSpan]:
    """Validate, run :data:`sql.SUMMARY_SQL` once and apply the refund rule.

    Returns the per-customer rows, the refund record and the log's span (rows, first and last day).
    """
    span = sql.validate(eng.query, eng.source, as_of_day, after_as_of)
    ex = sql.expressions(eng.source, as_of_day)
    start = sql.sql_date(start_day) if start_day is not None else _EARLIEST
    end = sql.sql_date(end_day) if end_day is not None else _LATEST
    cal = sql.sql_date(cal_day) if cal_day is not None else end
    per = eng.query(sql.summary_query(ex, start=start, end=end, cal=cal, refunds=refunds,
                                      zero_spend_days=zero_spend_days, holdout=cal_day is not None,
                                      late=end_day is not None and span.last_day > end_day,
                                      early=start_day is not None and span.first_day < start_day,
                                      minor_unit_digits=minor_unit_digits))
    records: list[dict[str, Any]] = []
    sql.refund_rule(eng.query, eng.source, per, refunds, f"{ex['day']} <= {end} AND {ex['day']} >= {start}", records,
                    minor_unit_digits)
    return per, records, span


def summarise_transactions(
    source: Any,
    *,
    engine: Engine = "duckdb",
    as_of: Any = None,
    time_unit: TimeUnit = "W",
    observation_start: Any = None,
    refunds: Refunds = "net",
    zero_spend_days: Literal["exclude", "purchase"] = "exclude",
    after_as_of: Literal["raise", "exclude"] = "exclude",
    memory_limit: str | None = None,
    threads: int | None = None,
    spark: Any = None,
    columns: Mapping[str, str] | None = None,
    text_ids: bool = False,
    known_customers: pd.DataFrame | None = None,
    drop_duplicates: bool | pd.DataFrame = False,
    minor_unit_digits: int = MINOR_UNIT_DIGITS,
    timezone: str | None = None,
) -> pd.DataFrame:
    """The CLV summary (frequency, recency, T, monetary value) computed where the data is.

    For logs too big for pandas: the BG/NBD and Gamma-Gamma fits need one row per
    customer, and this returns exactly the frame :func:`cxkit.clv.rfm_summary` returns
    for the same rows (same index order, columns, dtypes and ``attrs["exclusions"]``).

    Parameters
    ----------
    source : a Parquet/CSV file, a folder of them, a glob; for Spark also a Spark
        DataFrame or a table name.
    engine : "duckdb" (default), "spark" or "pandas".
    as_of, time_unit, observation_start, refunds, zero_spend_days, after_as_of : as in
        :func:`cxkit.clv.rfm_summary` (note ``after_as_of`` defaults to "exclude" here:
        a big log usually runs past the analysis date). ``refunds="raise"`` raises the
        pandas error (rule, count, first rows) naming the files the refunds are in.
    memory_limit : DuckDB memory cap such as "2GB" (``SET memory_limit``).
    threads : DuckDB threads.
    spark : a SparkSession, classic or Spark Connect (default: the active session,
        ``SparkSession.getActiveSession()``, else a local one is started). A session the
        kit did not start keeps its settings: the time zone a run needs is set for the run
        and put back (:class:`cxkit.engines.spark.SessionSettings`).
    columns : your column names mapped to cxkit's, e.g. ``{"cust_no": "customer_id"}``.
    text_ids : return customer ids as text, as the tables of a loaded folder hold them
        (``7`` and ``7.0`` become "7", spaces stripped).
    known_customers : the customers table; rows of customers it does not hold are left
        out (``load_folder(unknown_customers="exclude")``, which reports them). Implies
        ``text_ids``.
    drop_duplicates : read one copy of rows that repeat an earlier row in every column
        of the files (``load_folder(duplicates="exclude")``, which reports them); or the
        copies :func:`cxkit.engines.duplicates.count_duplicates` listed for these files
        (DuckDB: skipped without grouping again).
    minor_unit_digits : decimals of the currency's minor unit (2: cents). Each day is
        netted in whole minor units, amounts rounded half away from zero, as in
        :func:`cxkit.clv.rfm_summary`; every engine returns the same floats.
    timezone : the zone calendar days are counted in (``"Europe/London"``, ``"+02:00"``).
        Default None: each row's local date as written (``load_folder``'s rule): a zoned
        Parquet column in each file's own zone, ISO text by the date written before its
        offset. Given: zoned values (each file's zone, each text row's offset) are
        converted to it; unzoned values are taken to be in it. The same on every engine.

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
    _check_timezone(timezone)
    _check_choice(refunds, ("net", "drop", "raise"), "refunds")
    _check_choice(after_as_of, ("raise", "exclude"), "after_as_of")
    _check_choice(zero_spend_days, ("exclude", "purchase"), "zero_spend_days")
    _check_minor_unit_digits(minor_unit_digits)
    if engine == "pandas":
        return rfm_summary(_pandas_rows(source, columns, text_ids, known_customers, drop_duplicates, timezone), as_of,
                           time_unit=time_unit, observation_start=observation_start, refunds=refunds,
                           zero_spend_days=zero_spend_days, after_as_of=after_as_of,
                           minor_unit_digits=minor_unit_digits)
    as_of_day = None if as_of is None else _to_day(as_of, "as_of")
    start_day = None if observation_start is None else _to_day(observation_start, "observation_start")
    if start_day is not None and as_of_day is not None and start_day > as_of_day:
        raise DataError("table 'arguments', column 'observation_start': observation_start is after as_of",
                        table="arguments", column="observation_start", rule="observation_start is after as_of")
    eng = _engine(engine, source, columns, memory_limit, threads, spark, text_ids, known_customers,
                  drop_duplicates, timezone)
    try:
        per, refund_records, span = _summary_rows(eng, as_of_day=as_of_day, after_as_of=after_as_of,
                                                  start_day=start_day, end_day=as_of_day, cal_day=None,
                                                  refunds=refunds, zero_spend_days=zero_spend_days,
                                                  minor_unit_digits=minor_unit_digits)
    finally:
        eng.close()
    return sql.rfm_frame(per, eng.source, span.last_day if as_of_day is None else as_of_day, unit_days, time_unit,
                         zero_spend_days, refund_records, minor_unit_digits)


def calibration_holdout_split(
    source: Any,
    calibration_end: Any,
    observation_end: Any,
    *,
    engine: Engine = "duckdb",
    time_unit: TimeUnit = "W",
    calibration_start: Any = None,
    refunds: Refunds = "net",
    zero_spend_days: Literal["exclude", "purchase"] = "exclude",
    memory_limit: str | None = None,
    threads: int | None = None,
    spark: Any = None,
    columns: Mapping[str, str] | None = None,
    text_ids: bool = False,
    known_customers: pd.DataFrame | None = None,
    drop_duplicates: bool | pd.DataFrame = False,
    minor_unit_digits: int = MINOR_UNIT_DIGITS,
    timezone: str | None = None,
) -> pd.DataFrame:
    """The calibration summary and the holdout behaviour that followed, computed where the data is.

    The honest check of a CLV model (fit on the calibration period, compare with the
    holdout) for a log too big for pandas: returns exactly the frame
    :func:`cxkit.clv.calibration_holdout_split` returns for the same rows (index order,
    columns, dtypes, ``attrs`` with ``exclusions``), from one scan of the files.

    Parameters
    ----------
    source, engine, memory_limit, threads, spark, columns, text_ids, known_customers, drop_duplicates,
        minor_unit_digits, timezone : as in :func:`summarise_transactions`.
    calibration_end, observation_end : last days (inclusive) of the calibration and holdout periods.
    time_unit, calibration_start, refunds, zero_spend_days : as in
        :func:`cxkit.clv.calibration_holdout_split`.

    Returns
    -------
    DataFrame indexed by customer id with ``frequency_cal``, ``recency_cal``, ``T_cal``,
    ``monetary_value_cal``, ``frequency_holdout``, ``monetary_value_holdout``,
    ``duration_holdout`` and ``spend_holdout``.

    Example
    -------
    >>> split = calibration_holdout_split("data/sample/transactions.csv", "2025-06-30", "2025-12-31")
    >>> int(split["frequency_holdout"].sum()) > 0
    True
    """
    unit_days = _check_time_unit(time_unit)
    _check_choice(engine, ("duckdb", "spark", "pandas"), "engine")
    _check_timezone(timezone)
    _check_choice(refunds, ("net", "drop", "raise"), "refunds")
    _check_choice(zero_spend_days, ("exclude", "purchase"), "zero_spend_days")
    _check_minor_unit_digits(minor_unit_digits)
    if engine == "pandas":
        return pandas_summary.calibration_holdout_split(
            _pandas_rows(source, columns, text_ids, known_customers, drop_duplicates, timezone), calibration_end,
            observation_end,
            time_unit=time_unit, calibration_start=calibration_start, refunds=refunds,
            zero_spend_days=zero_spend_days, minor_unit_digits=minor_unit_digits)
    cal_day = _to_day(calibration_end, "calibration_end")
    obs_day = _to_day(observation_end, "observation_end")
    if obs_day <= cal_day:
        rule = "observation_end must be after calibration_end"
        raise DataError(f"table 'arguments', column 'observation_end': {rule}", table="arguments",
                        column="observation_end", rule=rule)
    start_day = None if calibration_start is None else _to_day(calibration_start, "calibration_start")
    eng = _engine(engine, source, columns, memory_limit, threads, spark, text_ids, known_customers,
                  drop_duplicates, timezone)
    try:
        per, refund_records, _ = _summary_rows(eng, as_of_day=None, after_as_of="exclude", start_day=start_day,
                                            end_day=obs_day, cal_day=cal_day, refunds=refunds,
                                            zero_spend_days=zero_spend_days, minor_unit_digits=minor_unit_digits)
    finally:
        eng.close()
    return split_frame(per, eng.source, cal_day, obs_day, unit_days, time_unit, zero_spend_days, refund_records,
                       minor_unit_digits)


def customer_spend_summary(
    source: Any,
    *,
    engine: Engine = "duckdb",
    as_of: Any = None,
    customers: pd.DataFrame | None = None,
    min_tenure_days: int = 90,
    period_start: Any = None,
    period_end: Any = None,
    after_as_of: Literal["raise", "exclude"] = "raise",
    memory_limit: str | None = None,
    threads: int | None = None,
    spark: Any = None,
    columns: Mapping[str, str] | None = None,
    text_ids: bool = False,
    known_customers: pd.DataFrame | None = None,
    drop_duplicates: bool | pd.DataFrame = False,
    timezone: str | None = None,
) -> pd.DataFrame:
    """Net spend, purchase days, tenure and annual spend per customer, computed where the data is.

    The value side of a driver analysis (:func:`cxkit.value.customer_value`) for a log
    too big for pandas: the same columns and numbers. With ``period_start`` /
    ``period_end`` it adds each customer's spend in that window, so a notebook can split
    a period's revenue by value segment without the raw rows.

    Parameters
    ----------
    source, engine, memory_limit, threads, spark, columns, text_ids, known_customers, drop_duplicates,
        timezone : as in :func:`summarise_transactions`.
    as_of : end of the window (default: the last transaction date); later rows are an error.
    customers : the validated customers table (``customer_id``, ``signup_date``,
        ``churn_date``), small enough for memory: tenure runs from signup to ``as_of`` or
        the churn date and customers without purchases appear with zero spend. Without
        it tenure starts at each customer's first transaction.
    min_tenure_days : shorter tenures count as this long when annualising.
    after_as_of : rows dated after ``as_of`` are an error ("raise") or left out ("exclude",
        as a loaded folder does after reporting them).
    period_start, period_end : a window of days (both included; ``None`` leaves that end
        open); when either is given, ``period_spend`` is added: purchases minus refunds
        dated in the window, never below 0.

    Returns
    -------
    DataFrame with ``customer_id``, ``net_spend``, ``gross_spend``, ``refunds``,
    ``refund_excess``, ``purchase_days``, ``tenure_days``, ``annual_spend`` (and
    ``period_spend``), sorted by customer.

    Example
    -------
    >>> v = customer_spend_summary("data/sample/transactions.csv", period_start="2025-01-01")
    >>> bool((v["period_spend"] <= v["net_spend"] + v["refunds"]).all())
    True
    """
    _check_choice(engine, ("duckdb", "spark", "pandas"), "engine")
    _check_timezone(timezone)
    _check_choice(after_as_of, ("raise", "exclude"), "after_as_of")
    with_period = period_start is not None or period_end is not None
    p_start = None if period_start is None else _to_day(period_start, "period_start")
    p_end = None if period_end is None else _to_day(period_end, "period_end")
    if engine == "pandas":
        from cxkit.value import customer_value, period_spend

        tx = _pandas_rows(source, columns, text_ids, known_customers, drop_duplicates, timezone)
        if not pd.api.types.is_datetime64_any_dtype(tx.get("date")):
            tx["date"] = pd.to_datetime(tx["date"], format="ISO8601")
        if after_as_of == "exclude" and as_of is not None:
            tx = tx[tx["date"].dt.normalize() <= pd.Timestamp(as_of).normalize()]
        out = customer_value(tx, customers, as_of=as_of, min_tenure_days=min_tenure_days)
        if with_period:
            out["period_spend"] = period_spend(tx, out["customer_id"], start=period_start, end=period_end).to_numpy()
        return out
    as_of_day = None if as_of is None else _to_day(as_of, "as_of")
    eng = _engine(engine, source, columns, memory_limit, threads, spark, text_ids, known_customers,
                  drop_duplicates, timezone)
    try:
        sql.validate(eng.query, eng.source, as_of_day, after_as_of)
        per = eng.query(sql.SPEND_SQL.format(
            **sql.expressions(eng.source, as_of_day),
            period_start=sql.sql_date(p_start) if p_start is not None else _EARLIEST,
            period_end=sql.sql_date(p_end) if p_end is not None else _LATEST))
    finally:
        eng.close()
    ids = sql.customer_ids(per["cid"], eng.source)
    end = pd.Timestamp(as_of) if as_of is not None else pd.Timestamp(pd.to_datetime(per["last_date"]).max()).normalize()
    sums = pd.DataFrame({"gross_spend": per["gross_spend"].to_numpy(np.float64),
                         "refunds": per["refunds"].to_numpy(np.float64),
                         "purchase_days": per["purchase_days"].to_numpy(np.int64),
                         "first_purchase": pd.to_datetime(per["first_purchase"]).to_numpy().astype("datetime64[ns]")},
                        index=ids).sort_index(kind="stable")
    period = pd.Series(per["period_net"].to_numpy(np.float64), index=ids) if with_period else None
    return value_frame(sums, customers, as_of=end, min_tenure_days=min_tenure_days, period=period)
