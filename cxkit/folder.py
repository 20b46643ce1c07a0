"""A data folder ready for analysis: :func:`load_folder`, and the conveniences that join a folder to the themes.

The facade above the floors. :func:`load_folder` finds the files and the settings
(:func:`cxkit.data.find_folder`), loads the tables in memory (:class:`cxkit.data.FolderLoad`)
and leaves a transaction log too large for memory where it is, for an engine
(:func:`cxkit.engines.describe_log`). The :class:`CXFolder` it returns joins the folder to
the themes: :meth:`CXFolder.rfm_summary`, :meth:`CXFolder.calibration_holdout_split` and
:meth:`CXFolder.customer_value` give the same frames whether the transactions were loaded
or left in their files.

:func:`summarise_transactions`, :func:`calibration_holdout_split` and
:func:`customer_spend_summary` are :mod:`cxkit.engines`' summaries on every engine,
``engine="pandas"`` included: the rows read into memory (:func:`cxkit.engines.read_rows`)
and summarised by the themes' own functions, the reference DuckDB and Spark are tested
against.

Example
-------
>>> cx = load_folder("data/sample")
>>> cx.rfm_summary(time_unit="W").attrs["time_unit"], len(cx.customer_value()) == len(cx.customers)
('W', True)
"""
from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from cxkit.clv import summary as clv_summary
from cxkit.data import CXData, FolderLoad, find_folder
from cxkit.engines import describe_log, read_rows, read_transactions
from cxkit.engines import summaries as on_engine
from cxkit.engines.options import EngineOptions
from cxkit.engines.spark import table_columns
from cxkit.engines.sql import find_files, inspect_files
from cxkit.errors import CXWarning, check_choice
from cxkit.parsing import setting_for
from cxkit.prepared import read_snapshot, snapshot_key
from cxkit.units import MINOR_UNIT_DIGITS, TimeUnit, day_number, days_per_unit
from cxkit.value import customer_value, period_spend

__all__ = ["CXFolder", "load_folder", "summarise_transactions", "calibration_holdout_split",
           "customer_spend_summary"]


@dataclass
class CXFolder(CXData):
    """A loaded data folder (:class:`cxkit.data.CXData`) with the conveniences that join it to the themes.

    The transactions may be loaded (``transactions``) or left in their files for an engine
    (``transaction_log``); the conveniences give the same frames either way, so a notebook
    never asks which.

    Example
    -------
    >>> cx = load_folder("data/sample")
    >>> isinstance(cx, CXData), cx.has_transactions
    (True, True)
    """

    @classmethod
    def of(cls, data: CXData) -> CXFolder:
        """The folder ``data`` with its conveniences (the same tables and reports, not copied)."""
        return cls(**{f.name: getattr(data, f.name) for f in fields(CXData)})

    def rfm_summary(self, as_of: Any = None, **options: Any) -> pd.DataFrame:
        """:func:`cxkit.clv.rfm_summary` of the transactions, loaded or in a log (``as_of`` default: ``self.as_of``).

        Example
        -------
        >>> int(load_folder("data/sample").rfm_summary(time_unit="D")["frequency"].sum())
        23392
        """
        self.require("transactions")
        as_of = self.as_of if as_of is None else as_of
        if self.transactions is not None:
            return clv_summary.rfm_summary(self.transactions, as_of, **options)
        return self.transaction_log.rfm_summary(as_of, **options)

    def calibration_holdout_split(self, calibration_end: Any, observation_end: Any = None,
                                  **options: Any) -> pd.DataFrame:
        """:func:`cxkit.clv.calibration_holdout_split` of the transactions, loaded or in a log.

        Example
        -------
        >>> split = load_folder("data/sample").calibration_holdout_split("2025-06-30", time_unit="W")
        >>> split.attrs["observation_end"].date().isoformat()
        '2025-12-31'
        """
        self.require("transactions")
        observation_end = self.as_of if observation_end is None else observation_end
        if self.transactions is not None:
            return clv_summary.calibration_holdout_split(self.transactions, calibration_end, observation_end,
                                                         **options)
        return self.transaction_log.calibration_holdout_split(calibration_end, observation_end, **options)

    def customer_value(self, *, period_start: Any = None, period_end: Any = None) -> pd.DataFrame:
        """:func:`cxkit.value.customer_value` at ``as_of``, plus each customer's ``period_spend``.

        ``period_spend`` is purchases minus refunds dated in the period (both ends
        included; an open end runs to the start of the data or to ``as_of``), never below 0.
        The same frame whether the transactions were loaded or left in a log.

        Example
        -------
        >>> v = load_folder("data/sample").customer_value(period_start="2025-01-01")
        >>> bool((v["period_spend"] <= v["net_spend"] + 1e-9).all())
        True
        """
        self.require("transactions")
        open_period = period_start is None and period_end is None
        if self.transactions is None:
            value = self.transaction_log.customer_value(self.customers, as_of=self.as_of, period_start=period_start,
                                                        period_end=period_end)
        else:
            value = customer_value(self.transactions, self.customers, as_of=self.as_of)
            if not open_period:
                value["period_spend"] = period_spend(self.transactions, value["customer_id"], start=period_start,
                                                     end=period_end).to_numpy()
        if open_period:  # the whole history to as_of: the same rule as net_spend
            value["period_spend"] = value["net_spend"]
        return value


# --------------------------------------------------------------------------- loading a folder


def load_folder(
    path: str | Path | None = None,
    *,
    tables: Mapping[str, pd.DataFrame] | None = None,
    columns: Mapping[str, Any] | None = None,
    files: Mapping[str, str] | None = None,
    as_of: Any = None,
    company: str | None = None,
    currency: str | None = None,
    goals: Mapping[str, float] | None = None,
    spark: Any = None,
    prepared: str | Path | None = None,
    **load_options: Any,
) -> CXFolder:
    """Load every table of a data folder (or a dict of DataFrames) and validate it.

    One call gives a notebook its validated tables, the report of anything excluded and
    the notes on how the data was read, so the analyst sees at once what went in.

    Parameters
    ----------
    path : folder holding ``customers``, ``transactions``, ``surveys`` and ``contacts``
        as ``.csv``, ``.parquet`` or ``.xlsx`` (names match whatever their case; two
        files for one table is an error); absent tables are allowed.
    tables : DataFrames by table name, instead of (or on top of) files.
    columns : mapping of your column names to the contract's; either one flat mapping
        for all tables or ``{"transactions": {...}, "surveys": {...}}``. A name that
        matches no column is an error (it is probably a typo).
    files : file names by table when they differ from the default, e.g.
        ``{"transactions": "orders.csv"}``.
    as_of : analysis date; later rows are excluded with a report. Default: the last date
        of activity in transactions, surveys and contacts (``CXData.as_of_rule`` says so).
    company, currency, goals : what the reports say about the data: the company's name,
        the currency money is shown in, the goal of each metric (``{"NPS": 30}``).
    spark : with ``engine="spark"``, the SparkSession to read with (default: the active
        session, else a local one); its settings are left as they were.
    **load_options : how to read the files, the fields of
        :class:`~cxkit.data.options.ReadOptions` (a notebook passes them as
        ``**load_options``): ``dayfirst``, ``date_format``, ``timezone`` (one value, or a
        mapping by ``"table.column"``, table or column name; see
        :func:`cxkit.parsing.parse_dates`), ``duplicates`` (``"exclude"``, default,
        reported, or ``"keep"``), ``unknown_customers`` (``"raise"``, default, or
        ``"exclude"`` rows whose customer is not in the customers table), ``tenure_unit``
        (of a customers ``tenure`` column given instead of dates), ``drivers`` (the
        survey's driver-rating columns), ``engine`` (``"auto"``, default: into pandas
        unless the transactions file, or folder of files ``transactions/``, is larger
        than ``large_file_mb``, 500; ``"pandas"``, ``"duckdb"`` or ``"spark"``: a log read
        by DuckDB or Spark is validated where it is and kept as ``transaction_log``, see
        :mod:`cxkit.engines.log`; the decision is in ``notes``), ``memory_limit``
        (DuckDB's memory cap, ``"2GB"``) and ``spark_table`` (with ``engine="spark"``, the
        Spark table that holds the transactions in place of a file; the other tables
        still come from ``path``). A name that is no reading option is a ``TypeError``.
    prepared : a snapshot of the folder as ``cxkit report`` loaded it once for the whole run
        (:mod:`cxkit.prepared`). It is used only when it was made from this folder, with the
        same ``columns``, ``files``, ``as_of`` and reading options, and no data file changed
        since; ``company``, ``currency`` and ``goals`` are then applied to it as to a fresh
        load. Otherwise a :class:`cxkit.errors.CXWarning` says why, and the folder is loaded.

    Settings
    --------
    A ``cxkit.toml`` in ``path`` (see :mod:`cxkit.data.settings`) may hold every
    argument above but ``tables`` and ``spark``: ``company``, ``currency``, ``as_of``,
    ``[goals]``, ``[files]``, ``[columns]`` and the reading options under ``[read]``. An
    argument given here (not None) overrides the file; ``CXData.settings`` and the load
    report say where each value came from. Without the file and the argument: no company,
    no currency (plain numbers), no goals, and the defaults above.

    Returns
    -------
    CXFolder (a :class:`cxkit.data.CXData` with the conveniences)

    Example
    -------
    >>> cx = load_folder("data/sample")
    >>> cx.exclusions.empty, cx.as_of.date().isoformat()
    (True, '2025-12-31')
    """
    if prepared is not None:
        snapshot = _from_snapshot(prepared, path, tables=tables, spark=spark, columns=columns, files=files,
                                  as_of=as_of, load_options=load_options)
        if snapshot is not None:  # the settings given to this call, as find_folder applies them to a fresh load
            return replace(snapshot, settings=snapshot.settings.given(company=company, currency=currency,
                                                                      goals=goals))
    plan = find_folder(path, tables=tables, columns=columns, files=files, as_of=as_of, company=company,
                       currency=currency, goals=goals, **load_options)
    spark_columns = None
    if plan.options.spark_table is not None:  # the table exists, and what it holds
        spark_columns = table_columns(plan.options.spark_table, spark)
    load = FolderLoad(plan)
    load.load_customers()
    if plan.transactions_in_place:
        _leave_in_place(load, spark, spark_columns)
    elif plan.transactions_in_parts:
        load.load_transactions(read_transactions(plan.sources["transactions"]))
    else:
        load.load_transactions()
    load.load_surveys_and_contacts()
    return CXFolder.of(load.finish())


def _from_snapshot(prepared: str | Path, path: str | Path | None, *, tables: Any, spark: Any,
                   columns: Mapping[str, Any] | None, files: Mapping[str, str] | None, as_of: Any,
                   load_options: Mapping[str, Any]) -> CXFolder | None:
    """The folder in the snapshot ``prepared`` when it is this load's; else None, after a warning saying why."""
    if path is None or tables is not None or spark is not None:
        given = "tables" if tables is not None else "spark" if spark is not None else "no folder"
        why = f"{given} given to this load"
    else:
        folder, why = read_snapshot(prepared, snapshot_key(path, columns=columns, files=files, as_of=as_of,
                                                           load_options=load_options))
        if isinstance(folder, CXData):
            return folder if isinstance(folder, CXFolder) else CXFolder.of(folder)
        why = why or f"{prepared} holds no data folder"
    warnings.warn(CXWarning(f"the prepared folder is not used ({why}): the folder is loaded afresh"), stacklevel=3)
    return None


def _leave_in_place(load: FolderLoad, spark: Any, spark_columns: list[str] | None) -> None:
    """Validate the transactions where they are (DuckDB or Spark) and keep them as the folder's log."""
    plan, options = load.plan, load.plan.options
    source = plan.sources["transactions"]
    columns = plan.columns_for("transactions")
    if plan.flat:  # a flat mapping also names other tables' columns: keep those the log has
        present = set(spark_columns if spark_columns is not None
                      else inspect_files(find_files(str(source))).columns)
        columns = {k: v for k, v in plan.columns.items() if k in present} or None
    log = describe_log(source, columns=columns, engine="spark" if options.engine == "spark" else "duckdb",
                       memory_limit=options.memory_limit, customers=load.data.customers, as_of=plan.as_of,
                       unknown_customers=options.unknown_customers, duplicates=options.duplicates, spark=spark,
                       timezone=setting_for(options.timezone, "transactions", "date"))
    load.leave_transactions(log, columns=columns or {})


# --------------------------------------------------------------------------- a log's summaries, on every engine


def summarise_transactions(
    source: Any,
    *,
    as_of: Any = None,
    time_unit: TimeUnit = "W",
    observation_start: Any = None,
    refunds: Literal["net", "drop", "raise"] = "net",
    zero_spend_days: Literal["exclude", "purchase"] = "exclude",
    after_as_of: Literal["raise", "exclude"] = "exclude",
    minor_unit_digits: int = MINOR_UNIT_DIGITS,
    options: EngineOptions | None = None,
    **engine_options: Any,
) -> pd.DataFrame:
    """:func:`cxkit.engines.summarise_transactions` on any engine, ``"pandas"`` included.

    ``engine="pandas"`` reads the rows into memory (:func:`cxkit.engines.read_rows`) and
    runs :func:`cxkit.clv.rfm_summary`: the reference the DuckDB and Spark summaries are
    tested against. The arguments are those of :func:`cxkit.engines.summarise_transactions`.

    Example
    -------
    >>> on_pandas = summarise_transactions("data/sample/transactions.csv", engine="pandas")
    >>> on_duckdb = summarise_transactions("data/sample/transactions.csv")
    >>> on_pandas.equals(on_duckdb)
    True
    """
    days_per_unit(time_unit)
    options = EngineOptions.of(options, **engine_options)
    arguments = dict(time_unit=time_unit, observation_start=observation_start, refunds=refunds,
                     zero_spend_days=zero_spend_days, after_as_of=after_as_of, minor_unit_digits=minor_unit_digits)
    if options.engine != "pandas":
        return on_engine.summarise_transactions(source, as_of=as_of, options=options, **arguments)
    return clv_summary.rfm_summary(read_rows(source, options), as_of, **arguments)


def calibration_holdout_split(
    source: Any,
    calibration_end: Any,
    observation_end: Any,
    *,
    time_unit: TimeUnit = "W",
    calibration_start: Any = None,
    refunds: Literal["net", "drop", "raise"] = "net",
    zero_spend_days: Literal["exclude", "purchase"] = "exclude",
    minor_unit_digits: int = MINOR_UNIT_DIGITS,
    options: EngineOptions | None = None,
    **engine_options: Any,
) -> pd.DataFrame:
    """:func:`cxkit.engines.calibration_holdout_split` on any engine, ``"pandas"`` included.

    ``engine="pandas"`` reads the rows into memory and runs
    :func:`cxkit.clv.calibration_holdout_split` (the reference); the arguments are those of
    :func:`cxkit.engines.calibration_holdout_split`.

    Example
    -------
    >>> split = calibration_holdout_split("data/sample/transactions.csv", "2025-06-30", "2025-12-31",
    ...                                   engine="pandas")
    >>> int(split["frequency_holdout"].sum()) > 0
    True
    """
    days_per_unit(time_unit)
    options = EngineOptions.of(options, **engine_options)
    arguments = dict(time_unit=time_unit, calibration_start=calibration_start, refunds=refunds,
                     zero_spend_days=zero_spend_days, minor_unit_digits=minor_unit_digits)
    if options.engine != "pandas":
        return on_engine.calibration_holdout_split(source, calibration_end, observation_end, options=options,
                                                   **arguments)
    return clv_summary.calibration_holdout_split(read_rows(source, options), calibration_end, observation_end,
                                                 **arguments)


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
    """:func:`cxkit.engines.customer_spend_summary` on any engine, ``"pandas"`` included.

    ``engine="pandas"`` reads the rows into memory and runs :func:`cxkit.value.customer_value`
    (and :func:`cxkit.value.period_spend` for a period): the reference. The arguments are
    those of :func:`cxkit.engines.customer_spend_summary`.

    Example
    -------
    >>> v = customer_spend_summary("data/sample/transactions.csv", engine="pandas", period_start="2025-01-01")
    >>> bool((v["period_spend"] <= v["net_spend"] + v["refunds"]).all())
    True
    """
    options = EngineOptions.of(options, **engine_options)
    arguments = dict(as_of=as_of, customers=customers, min_tenure_days=min_tenure_days, period_start=period_start,
                     period_end=period_end, after_as_of=after_as_of)
    if options.engine != "pandas":
        return on_engine.customer_spend_summary(source, options=options, **arguments)
    check_choice(after_as_of, ("raise", "exclude"), "after_as_of")
    for name, day in (("period_start", period_start), ("period_end", period_end)):
        if day is not None:
            day_number(day, name)
    tx = read_rows(source, options)
    if not pd.api.types.is_datetime64_any_dtype(tx.get("date")):
        tx["date"] = pd.to_datetime(tx["date"], format="ISO8601")
    if after_as_of == "exclude" and as_of is not None:
        tx = tx[tx["date"].dt.normalize() <= pd.Timestamp(as_of).normalize()]
    out = customer_value(tx, customers, as_of=as_of, min_tenure_days=min_tenure_days)
    if period_start is not None or period_end is not None:
        out["period_spend"] = period_spend(tx, out["customer_id"], start=period_start, end=period_end).to_numpy()
    return out
