"""Transaction logs too large to load: left in their files, summarised by an engine when asked.

A retailer's log of tens or hundreds of millions of rows does not fit in pandas, but the
notebooks only need one row per customer from it. When :func:`cxkit.data.load_folder`
meets such a log (larger than ``large_file_mb``, or ``engine="duckdb"``/``"spark"``), it
validates the rows where they are (:mod:`cxkit.engines`: the same rules and
``DataError`` messages as the pandas path) and keeps a :class:`TransactionLog` instead
of a DataFrame. ``CXData.rfm_summary``, ``CXData.calibration_holdout_split`` and
``CXData.customer_value`` then give the notebooks the same per-customer frames either way.

Example
-------
>>> log = describe_log("data/sample/transactions.csv")
>>> log.rows, log.last_date.date().isoformat()
(29357, '2025-12-31')
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from cxkit.errors import DataError

__all__ = ["TransactionLog", "describe_log", "log_size_mb", "ENGINES"]

#: How ``load_folder`` may read transactions: ``"auto"`` picks DuckDB above ``large_file_mb``.
ENGINES = ("auto", "pandas", "duckdb", "spark")


def log_size_mb(source: str | Path) -> float:
    """Size on disk of a transactions file, or of every file in a folder of parts, in MB.

    Example
    -------
    >>> round(log_size_mb("data/sample/transactions.csv"), 2)
    0.74
    """
    path = Path(source)
    parts = [p for p in path.iterdir() if p.is_file()] if path.is_dir() else [path]
    return sum(p.stat().st_size for p in parts) / 1e6


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

    def _options(self) -> dict[str, Any]:
        return {"engine": self.engine, "columns": self.columns, "memory_limit": self.memory_limit,
                "threads": self.threads}

    def rfm_summary(self, as_of: Any, **options: Any) -> pd.DataFrame:
        """:func:`cxkit.clv.rfm_summary` of the log (rows after ``as_of`` left out and counted)."""
        from cxkit.engines import summarise_transactions

        return summarise_transactions(self.source, as_of=as_of, **self._options(), **options)

    def calibration_holdout_split(self, calibration_end: Any, observation_end: Any, **options: Any) -> pd.DataFrame:
        """:func:`cxkit.clv.calibration_holdout_split` of the log."""
        from cxkit import engines

        return engines.calibration_holdout_split(self.source, calibration_end, observation_end, **self._options(),
                                                 **options)

    def customer_value(self, customers: pd.DataFrame | None = None, *, as_of: Any = None,
                       period_start: Any = None, period_end: Any = None) -> pd.DataFrame:
        """:func:`cxkit.drivers.customer_value` of the log, with ``period_spend`` when a period is given."""
        from cxkit.engines import customer_spend_summary

        return customer_spend_summary(self.source, as_of=as_of, customers=customers, period_start=period_start,
                                      period_end=period_end, **self._options())


def describe_log(source: str | Path, *, columns: Mapping[str, str] | None = None, engine: str = "duckdb",
                 memory_limit: str | None = None, threads: int | None = None) -> TransactionLog:
    """Validate a transaction log where it is and describe it: rows, customers, date range.

    Raises the :class:`cxkit.DataError` the pandas path would (a missing column, an
    amount that is not a number, an unparseable or missing date, a missing customer id),
    naming the files and the first offending rows.

    Parameters
    ----------
    source : a Parquet/CSV file, a folder of them or a glob.
    columns : the user's column names mapped to cxkit's.
    engine : ``"duckdb"`` or ``"spark"``.
    memory_limit, threads : DuckDB settings.

    Returns
    -------
    :class:`TransactionLog`.
    """
    from cxkit.engines import _engine, sql

    if engine not in ("duckdb", "spark"):
        raise DataError(f"a transaction log is read by engine 'duckdb' or 'spark', got {engine!r}", rule="engine")
    eng = _engine(engine, str(source), columns, memory_limit, threads, None)
    try:
        sql.validate(eng.query, eng.source, None, "exclude")
        ex = sql.expressions(eng.source, None)
        stats = eng.query(f"SELECT COUNT(*) AS n, COUNT(DISTINCT customer_id) AS c, MIN({ex['day']}) AS first_day, "
                          f"MAX({ex['day']}) AS last_day FROM cx_source").iloc[0]
    finally:
        eng.close()
    size = log_size_mb(source) if Path(str(source)).exists() else 0.0
    return TransactionLog(source=str(source), columns=dict(columns) if columns else None, engine=engine,
                          memory_limit=memory_limit, threads=threads, rows=int(stats["n"]), customers=int(stats["c"]),
                          first_date=pd.Timestamp(stats["first_day"]), last_date=pd.Timestamp(stats["last_day"]),
                          size_mb=size)
