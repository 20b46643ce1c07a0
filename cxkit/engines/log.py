"""Transaction logs too large to load: left in their files, summarised by an engine when asked.

A retailer's log of tens or hundreds of millions of rows does not fit in pandas, but the
notebooks only need one row per customer from it. When :func:`cxkit.load_folder` meets
such a log (larger than ``large_file_mb``, or ``engine="duckdb"``/``"spark"``), it
validates the rows where they are (:func:`describe_log`: the same rules and
``DataError`` messages as the pandas path) and keeps a :class:`TransactionLog` instead
of a DataFrame. The folder's ``rfm_summary``, ``calibration_holdout_split`` and
``customer_value`` then give the notebooks the same per-customer frames either way.

Example
-------
>>> log = describe_log("data/sample/transactions.csv")
>>> log.rows, log.last_date.date().isoformat()
(29357, '2025-12-31')
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from cxkit.data.contract import ZERO_AMOUNT_NOTE
from cxkit.engines import sql
from cxkit.engines.customers import check_customers, keep_known
from cxkit.engines.duplicates import count_duplicates, drop_duplicates
from cxkit.engines.options import EngineOptions
from cxkit.engines.spark import active_session
from cxkit.engines.summaries import (
    calibration_holdout_split,
    customer_spend_summary,
    open_engine,
    summarise_transactions,
)
from cxkit.errors import ArgumentError
from cxkit.exclusions import (
    AFTER_AS_OF_RULE,
    DUPLICATE_RULE,
    EXCLUDED_AFTER_AS_OF,
    EXCLUDED_AFTER_OBSERVATION_END,
    UNKNOWN_CUSTOMERS_RULE,
    Exclusion,
)
from cxkit.files import log_size_mb
from cxkit.units import day_number

__all__ = ["TransactionLog", "describe_log"]


@dataclass
class TransactionLog:
    """A validated transaction log that stays in its files; an engine summarises it on demand.

    Attributes
    ----------
    source : the file, folder of parts or glob.
    columns : the user's column names mapped to cxkit's.
    engine : ``"duckdb"`` or ``"spark"``.
    memory_limit, threads : DuckDB settings.
    rows, customers : rows and distinct customers in the files (before the ``as_of`` cut-off).
    first_date, last_date : the range of transaction days.
    size_mb : size on disk.
    late_rows : rows dated after the analysis date (left out of every summary).
    unknown_rows, unknown_customers, unknown_examples : rows (and customers) the customers
        table does not know, left out under ``unknown_customers="exclude"``, with the
        first of them (file and row).
    known_customers : the customers table the summaries keep to, when rows were left out.
    duplicate_rows, duplicate_examples, duplicate_copies : rows repeating an earlier row in
        every column, where the first few are, and (DuckDB) all of them by file and row;
        ``drop_duplicates``: whether the summaries leave them out.
    spark : the Spark session the log is read with (None: the active one, else a local one).
    as_of : the analysis date the log was read for: its rows after it are reported once, as the
        load's exclusion, not again in each summary run at that date.
    timezone : the zone calendar days are counted in (None: each row's local date as written).
    notes : the reading notes the pandas loader gives for the same rows (zero amounts kept),
        in the notes report's shape.

    Customer ids come back as text, as in the folder's other tables.
    """

    source: str
    columns: Mapping[str, str] | None = None
    engine: str = "duckdb"
    memory_limit: str | None = None
    threads: int | None = None
    rows: int = 0
    customers: int = 0
    first_date: pd.Timestamp | None = None
    last_date: pd.Timestamp | None = None
    size_mb: float = 0.0
    late_rows: int = 0
    unknown_rows: int = 0
    unknown_customers: int = 0
    unknown_examples: str = ""
    known_customers: pd.DataFrame | None = field(default=None, repr=False)
    duplicate_rows: int = 0
    duplicate_examples: str = ""
    duplicate_copies: pd.DataFrame | None = field(default=None, repr=False)
    drop_duplicates: bool = False
    spark: Any = field(default=None, repr=False, compare=False)
    as_of: pd.Timestamp | None = None
    timezone: str | None = None
    notes: list[dict[str, Any]] = field(default_factory=list)

    @property
    def place(self) -> str:
        """Where the log is, in words: "its files (0.7 MB)", "the Spark table sales.transactions"."""
        if not Path(self.source).exists() and self.engine == "spark":
            return f"the Spark table {self.source}"
        size = f"{self.size_mb:,.1f} MB" if self.size_mb < 10 else f"{self.size_mb:,.0f} MB"
        return f"its files ({size})"

    @property
    def options(self) -> EngineOptions:
        """How every summary reads the log: its engine and settings, ids as text, the rows the load left out."""
        return EngineOptions(engine=self.engine, columns=self.columns, memory_limit=self.memory_limit,
                             threads=self.threads, text_ids=True, known_customers=self.known_customers,
                             drop_duplicates=(self.duplicate_copies if self.drop_duplicates
                                              and self.duplicate_copies is not None else self.drop_duplicates),
                             spark=self.spark, timezone=self.timezone)

    @property
    def exclusions(self) -> list[Exclusion]:
        """The rows the load left out of the log, as the pandas loader reports them for a loaded table.

        Exact duplicates (``duplicates="exclude"``), rows dated after the analysis date and
        rows of customers the customers table does not hold (``unknown_customers="exclude"``).
        """
        left: list[Exclusion] = []
        if self.duplicate_rows and self.drop_duplicates:
            left.append(Exclusion("transactions", DUPLICATE_RULE, self.duplicate_rows, self.duplicate_examples))
        if self.late_rows:
            as_of = pd.Timestamp(self.as_of).date()
            left.append(Exclusion("transactions", AFTER_AS_OF_RULE.format(as_of=as_of), self.late_rows))
        if self.unknown_rows:
            left.append(Exclusion("transactions", f"{UNKNOWN_CUSTOMERS_RULE} ({self.unknown_customers:,} customers)",
                                  self.unknown_rows, self.unknown_examples))
        return left

    @property
    def kept_duplicate_rows(self) -> int:
        """Rows repeating an earlier row that the summaries keep (``duplicates="keep"``); 0 when left out."""
        return 0 if self.drop_duplicates else self.duplicate_rows

    def _reported_once(self, frame: pd.DataFrame, end: Any, rule: str) -> pd.DataFrame:
        """Drop ``rule`` (rows after ``end``) from the summary's exclusions when the load reported those rows."""
        if self.as_of is not None and end is not None and self.late_rows \
                and pd.Timestamp(end).normalize() == pd.Timestamp(self.as_of).normalize():
            frame.attrs["exclusions"] = [r for r in frame.attrs.get("exclusions", []) if r.get("rule") != rule]
        return frame

    def rfm_summary(self, as_of: Any, **arguments: Any) -> pd.DataFrame:
        """:func:`cxkit.clv.rfm_summary` of the log (rows after ``as_of`` left out and counted, once).

        ``arguments`` are :func:`cxkit.engines.summarise_transactions`' (``time_unit``, ...).
        """
        return self._reported_once(summarise_transactions(self.source, as_of=as_of, options=self.options,
                                                          **arguments), as_of, EXCLUDED_AFTER_AS_OF)

    def calibration_holdout_split(self, calibration_end: Any, observation_end: Any, **arguments: Any) -> pd.DataFrame:
        """:func:`cxkit.clv.calibration_holdout_split` of the log (``arguments``: ``time_unit``, ...)."""
        return self._reported_once(calibration_holdout_split(
            self.source, calibration_end, observation_end, options=self.options, **arguments),
            observation_end, EXCLUDED_AFTER_OBSERVATION_END)

    def customer_value(self, customers: pd.DataFrame | None = None, *, as_of: Any = None,
                       period_start: Any = None, period_end: Any = None) -> pd.DataFrame:
        """:func:`cxkit.value.customer_value` of the log, with ``period_spend`` when a period is given."""
        return customer_spend_summary(self.source, as_of=as_of, customers=customers, period_start=period_start,
                                      period_end=period_end, after_as_of="exclude", options=self.options)


def describe_log(source: str | Path, *, columns: Mapping[str, str] | None = None, engine: str = "duckdb",
                 memory_limit: str | None = None, threads: int | None = None,
                 customers: pd.DataFrame | None = None, as_of: Any = None,
                 unknown_customers: str = "raise", duplicates: str = "exclude", spark: Any = None,
                 timezone: str | None = None) -> TransactionLog:
    """Validate a transaction log where it is and describe it: rows, customers, date range.

    Raises the :class:`cxkit.DataError` the pandas path would (a missing column, an
    amount that is not a number, an unparseable or missing date, a missing customer id),
    naming the files and the first offending rows. With ``customers`` the log is also
    checked against the customers table as the pandas loader checks loaded transactions
    (:mod:`cxkit.engines.customers`): unknown ids, rows before signup, purchases after
    churn.

    Parameters
    ----------
    source : a Parquet/CSV file, a folder of them or a glob.
    columns : the user's column names mapped to cxkit's.
    engine : ``"duckdb"`` or ``"spark"``.
    memory_limit, threads : DuckDB settings.
    customers : the loaded customers table, or None.
    as_of : the analysis date; rows after it are counted (``late_rows``) and not checked.
    unknown_customers : ``"raise"`` or ``"exclude"`` rows whose customer the customers
        table does not hold (counted in ``unknown_rows`` and left out of every summary).
    duplicates : ``"exclude"`` (default) or ``"keep"`` rows that repeat an earlier row in
        every column of the files (counted in ``duplicate_rows`` either way,
        :mod:`cxkit.engines.duplicates`).
    spark : with ``engine="spark"``, the session to read with (default: the active one,
        else a local one); its settings are left as they were.
    timezone : the zone calendar days are counted in (None: each row's local date as
        written), as in :func:`cxkit.engines.summarise_transactions`.

    Returns
    -------
    :class:`TransactionLog`.

    Example
    -------
    >>> log = describe_log("data/sample/transactions.csv")
    >>> log.rows, log.last_date.date().isoformat()
    (29357, '2025-12-31')
    """
    if engine not in ("duckdb", "spark"):
        raise ArgumentError(f"a transaction log is read by engine 'duckdb' or 'spark', got {engine!r}",
                            column="engine", rule="engine")
    if unknown_customers not in ("raise", "exclude"):
        raise ArgumentError("unknown_customers must be 'raise' or 'exclude'", column="unknown_customers")
    if duplicates not in ("exclude", "keep"):
        raise ArgumentError("duplicates must be 'exclude' or 'keep'", column="duplicates")
    as_of_day = None if as_of is None else day_number(as_of, "as_of")
    notes = []
    if engine == "spark":  # which session read the log, said in the load report
        which = ("the Spark session given" if spark is not None else "the active Spark session"
                 if active_session() is not None else "a local Spark session started for this run")
        notes.append({"table": "transactions", "column": "", "note": f"read with {which}; its settings are left "
                      "as they were", "n_rows": 1})
    eng = open_engine(str(source), EngineOptions(engine=engine, columns=columns, memory_limit=memory_limit,
                                                 threads=threads, spark=spark, text_ids=True, timezone=timezone))
    try:
        sql.validate(eng.query, eng.source, None, "exclude")
        copies = count_duplicates(eng)
        if copies.n_rows and duplicates == "exclude":
            drop_duplicates(eng, copies.copies)
        ex = sql.expressions(eng.source, as_of_day)
        def kept(value: str) -> str:  # on the rows a loaded table would hold
            return f"CASE WHEN {ex['day']} <= {ex['as_of']} THEN {value} END"

        stats_sql = (f"SELECT COUNT({kept('1')}) AS n, COUNT(DISTINCT {kept(ex['cid'])}) AS c, "
                     f"MIN({kept(ex['day'])}) AS first_day, MAX({kept(ex['day'])}) AS last_day, "
                     f"SUM(CASE WHEN {ex['day']} > {ex['as_of']} THEN 1 ELSE 0 END) AS late FROM cx_source")
        stats = eng.query(stats_sql).iloc[0]
        # read as the pandas loader reads: zero amounts counted before the as_of cut (its notes' count)
        zero = int(eng.query(f"SELECT SUM(CASE WHEN {ex['amount']} = 0 THEN 1 ELSE 0 END) AS z FROM cx_source")
                   .iloc[0]["z"] or 0)
        check = check_customers(eng, customers, as_of_day=as_of_day, unknown_customers=unknown_customers) \
            if customers is not None else None
        if check is not None and check.unknown_rows:  # counted without the customers left out
            keep_known(eng, customers)
            late = stats["late"]
            stats = eng.query(stats_sql).iloc[0]
            stats["late"] = late
    finally:
        eng.close()
    size = log_size_mb(source) if Path(str(source)).exists() else 0.0
    return TransactionLog(source=str(source), columns=dict(columns) if columns else None, engine=engine,
                          memory_limit=memory_limit, threads=threads, rows=int(stats["n"]), customers=int(stats["c"]),
                          first_date=pd.Timestamp(stats["first_day"]), last_date=pd.Timestamp(stats["last_day"]),
                          size_mb=size, late_rows=int(stats["late"] or 0),
                          unknown_rows=check.unknown_rows if check else 0,
                          unknown_customers=check.unknown_customers if check else 0,
                          unknown_examples=check.examples if check else "",
                          known_customers=customers if check is not None and check.unknown_rows else None,
                          duplicate_rows=copies.n_rows, duplicate_examples=copies.examples,
                          duplicate_copies=copies.copies,
                          drop_duplicates=bool(copies.n_rows) and duplicates == "exclude", spark=spark,
                          as_of=None if as_of is None else pd.Timestamp(as_of), timezone=timezone,
                          notes=notes + ([{"table": "transactions", "column": "amount", "note": ZERO_AMOUNT_NOTE,
                                           "n_rows": zero}] if zero else []))
