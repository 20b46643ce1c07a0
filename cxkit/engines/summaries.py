"""The per-customer summaries of a log, computed where it lives: DuckDB in this process, or Spark.

:func:`open_engine` opens an engine over a log's files (or a Spark table or DataFrame)
with the loaded tables' rules applied where the data is; the three summaries run the one
SQL text of :mod:`cxkit.engines.sql` on it and return the very frames the pandas path
returns for the same rows (:func:`cxkit.clv.rfm_summary`,
:func:`cxkit.clv.calibration_holdout_split`, :func:`cxkit.value.customer_value`).
The pandas path itself, reading the rows into memory (``engine="pandas"``), sits above
the themes, in :mod:`cxkit.folder`.

Example
-------
>>> split = calibration_holdout_split("data/sample/transactions.csv", "2025-06-30", "2025-12-31")
>>> int(split["frequency_holdout"].sum()) > 0
True
"""
from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd

from cxkit.engines import sql
from cxkit.engines.customers import keep_known
from cxkit.engines.duck import DuckDBEngine
from cxkit.engines.duplicates import drop_duplicates
from cxkit.engines.options import EngineOptions
from cxkit.engines.spark import SparkEngine, _is_table_name
from cxkit.engines.sql_split import split_frame
from cxkit.engines.value import value_frame
from cxkit.errors import ArgumentError, argument_error, check_choice
from cxkit.units import MINOR_UNIT_DIGITS, TimeUnit, day_number, days_per_unit, minor_unit_scale

__all__ = ["open_engine", "summarise_transactions", "calibration_holdout_split", "customer_spend_summary"]

Refunds = Literal["net", "drop", "raise"]
_EARLIEST = "DATE '0001-01-01'"
_LATEST = "DATE '9999-12-31'"


def open_engine(source: Any, options: EngineOptions | None = None) -> Any:
    """An engine over ``source`` (``options.engine``: DuckDB or Spark), the loaded tables' rules applied where it is.

    Ids as text when asked; exact duplicate rows and the rows of customers not in
    ``options.known_customers`` left out when asked; each file's time zone (and the stated
    ``timezone``) known to the SQL, which decides every row's calendar day by them
    (:func:`cxkit.engines.sql.expressions`). Close it with ``engine.close()``.

    Example
    -------
    >>> eng = open_engine("data/sample/transactions.csv")
    >>> int(eng.query("SELECT COUNT(*) AS n FROM cx_source")["n"].iloc[0])
    29357
    >>> eng.close()
    """
    options = options if options is not None else EngineOptions()
    if options.engine == "pandas":
        raise ArgumentError("engine='pandas' reads the rows into memory: use cxkit.engines.read_rows (or the "
                            "summaries of cxkit.folder, which run the pandas path)", column="engine", rule="engine")
    zones: list[str | None] = []
    if options.engine == "duckdb":
        if not isinstance(source, (str,)) and not hasattr(source, "__fspath__"):
            raise ArgumentError(f"engine='duckdb' reads files: pass a path, folder or glob, got "
                                f"{type(source).__name__}", table=None, column="source")
        files = sql.inspect_files(sql.find_files(source), options.columns)
        zones = files.zones
        eng = DuckDBEngine(files, options.columns, memory_limit=options.memory_limit, threads=options.threads)
    else:
        if (isinstance(source, str) or hasattr(source, "__fspath__")) and not _is_table_name(source):
            zones = sql.inspect_files(sql.find_files(source), options.columns).zones
        eng = SparkEngine(source, options.columns, spark=options.spark)
    try:
        eng.source.extra.update(zones=zones, timezone=options.timezone)
        eng.source.extra["text_ids"] = options.text_ids or options.known_customers is not None
        if options.drops_duplicates:
            drop_duplicates(eng, options.listed_copies)
        if options.known_customers is not None and "customer_id" in eng.source.kinds:
            keep_known(eng, options.known_customers)
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


def _check_rules(refunds: str, zero_spend_days: str, minor_unit_digits: int, after_as_of: str = "exclude") -> None:
    """The CLV summary's rules, as :func:`cxkit.clv.rfm_summary` checks them."""
    check_choice(refunds, ("net", "drop", "raise"), "refunds")
    check_choice(after_as_of, ("raise", "exclude"), "after_as_of")
    check_choice(zero_spend_days, ("exclude", "purchase"), "zero_spend_days")
    minor_unit_scale(minor_unit_digits)


def summarise_transactions(
    source: Any,
    *,
    as_of: Any = None,
    time_unit: TimeUnit = "W",
    observation_start: Any = None,
    refunds: Refunds = "net",
    zero_spend_days: Literal["exclude", "purchase"] = "exclude",
    after_as_of: Literal["raise", "exclude"] = "exclude",
    minor_unit_digits: int = MINOR_UNIT_DIGITS,
    options: EngineOptions | None = None,
    **engine_options: Any,
) -> pd.DataFrame:
    """The CLV summary (frequency, recency, T, monetary value) computed where the data is.

    For logs too big for pandas: the BG/NBD and Gamma-Gamma fits need one row per
    customer, and this returns exactly the frame :func:`cxkit.clv.rfm_summary` returns
    for the same rows (same index order, columns, dtypes and ``attrs["exclusions"]``).

    Parameters
    ----------
    source : a Parquet/CSV file, a folder of them, a glob; for Spark also a Spark
        DataFrame or a table name.
    as_of, time_unit, observation_start, refunds, zero_spend_days, after_as_of : as in
        :func:`cxkit.clv.rfm_summary` (note ``after_as_of`` defaults to "exclude" here:
        a big log usually runs past the analysis date). ``refunds="raise"`` raises the
        pandas error (rule, count, first rows) naming the files the refunds are in.
    minor_unit_digits : decimals of the currency's minor unit (2: cents). Each day is
        netted in whole minor units, amounts rounded half away from zero, as in
        :func:`cxkit.clv.rfm_summary`; every engine returns the same floats.
    options : how the engine reads the log (:class:`~cxkit.engines.options.EngineOptions`).
    **engine_options : the same, as keywords (``engine="spark", spark=session``,
        ``memory_limit="2GB"``, ``columns=...``, ``timezone=...``); they override ``options``.

    Returns
    -------
    DataFrame indexed by customer id, as :func:`cxkit.clv.rfm_summary`.

    Example
    -------
    >>> s = summarise_transactions("data/sample/transactions.csv", time_unit="D")  # doctest: +SKIP
    >>> s[["frequency", "recency", "T"]].head(2)                                    # doctest: +SKIP
    """
    unit_days = days_per_unit(time_unit)
    options = EngineOptions.of(options, **engine_options)
    _check_rules(refunds, zero_spend_days, minor_unit_digits, after_as_of)
    as_of_day = None if as_of is None else day_number(as_of, "as_of")
    start_day = None if observation_start is None else day_number(observation_start, "observation_start")
    if start_day is not None and as_of_day is not None and start_day > as_of_day:
        raise argument_error("observation_start", "observation_start is after as_of")
    eng = open_engine(source, options)
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
    time_unit: TimeUnit = "W",
    calibration_start: Any = None,
    refunds: Refunds = "net",
    zero_spend_days: Literal["exclude", "purchase"] = "exclude",
    minor_unit_digits: int = MINOR_UNIT_DIGITS,
    options: EngineOptions | None = None,
    **engine_options: Any,
) -> pd.DataFrame:
    """The calibration summary and the holdout behaviour that followed, computed where the data is.

    The honest check of a CLV model (fit on the calibration period, compare with the
    holdout) for a log too big for pandas: returns exactly the frame
    :func:`cxkit.clv.calibration_holdout_split` returns for the same rows (index order,
    columns, dtypes, ``attrs`` with ``exclusions``), from one scan of the files.

    Parameters
    ----------
    source, minor_unit_digits, options, **engine_options : as in :func:`summarise_transactions`.
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
    unit_days = days_per_unit(time_unit)
    options = EngineOptions.of(options, **engine_options)
    _check_rules(refunds, zero_spend_days, minor_unit_digits)
    cal_day = day_number(calibration_end, "calibration_end")
    obs_day = day_number(observation_end, "observation_end")
    if obs_day <= cal_day:
        raise argument_error("observation_end", "observation_end must be after calibration_end")
    start_day = None if calibration_start is None else day_number(calibration_start, "calibration_start")
    eng = open_engine(source, options)
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
    as_of: Any = None,
    customers: pd.DataFrame | None = None,
    min_tenure_days: int = 90,
    period_start: Any = None,
    period_end: Any = None,
    after_as_of: Literal["raise", "exclude"] = "raise",
    options: EngineOptions | None = None,
    **engine_options: Any,
) -> pd.DataFrame:
    """Net spend, purchase days, tenure and annual spend per customer, computed where the data is.

    The value side of a driver analysis (:func:`cxkit.value.customer_value`) for a log
    too big for pandas: the same columns and numbers. With ``period_start`` /
    ``period_end`` it adds each customer's spend in that window, so a notebook can split
    a period's revenue by value segment without the raw rows.

    Parameters
    ----------
    source, options, **engine_options : as in :func:`summarise_transactions`.
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
    options = EngineOptions.of(options, **engine_options)
    check_choice(after_as_of, ("raise", "exclude"), "after_as_of")
    with_period = period_start is not None or period_end is not None
    p_start = None if period_start is None else day_number(period_start, "period_start")
    p_end = None if period_end is None else day_number(period_end, "period_end")
    as_of_day = None if as_of is None else day_number(as_of, "as_of")
    eng = open_engine(source, options)
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
