"""Where and how an engine reads a log: :class:`EngineOptions`, one validated record.

The three summaries of a log (:func:`cxkit.engines.summarise_transactions`,
:func:`~cxkit.engines.calibration_holdout_split`, :func:`~cxkit.engines.customer_spend_summary`)
and a log kept by a loaded folder (:class:`cxkit.engines.log.TransactionLog`) read the
files the same way: which engine, DuckDB's memory and threads, the Spark session, the
user's column names, ids as text, the customers table and the duplicate rows to leave
out, and the time zone that decides each row's day. These are one record, checked once,
rather than ten keywords repeated by every function; each function still takes them as
keywords (``engine="spark", spark=session``).

Example
-------
>>> options = EngineOptions.of(None, engine="duckdb", memory_limit="2GB")
>>> options.engine, options.memory_limit, options.text_ids
('duckdb', '2GB', False)
"""
from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

import pandas as pd

from cxkit.engines.sql import known_zone
from cxkit.errors import ArgumentError, check_choice

__all__ = ["EngineOptions", "ENGINE_OPTIONS", "ENGINES"]

#: The engines a log can be read with: DuckDB in this process, Spark, or pandas in memory
#: (the reference the other two are tested against: :func:`cxkit.folder.summarise_transactions`).
ENGINES = ("duckdb", "spark", "pandas")


@dataclass(frozen=True)
class EngineOptions:
    """How an engine reads a log: the options every summary of a log shares, checked once.

    Attributes
    ----------
    engine : ``"duckdb"`` (default), ``"spark"`` or ``"pandas"`` (read into memory: the
        reference, run by :func:`cxkit.folder.summarise_transactions` and its siblings).
    columns : your column names mapped to cxkit's, e.g. ``{"cust_no": "customer_id"}``.
    memory_limit : DuckDB memory cap such as ``"2GB"`` (``SET memory_limit``).
    threads : DuckDB threads.
    spark : a SparkSession, classic or Spark Connect (default: the active session, else a
        local one is started). A session the kit did not start keeps its settings: the
        time zone a run needs is set for the run and put back
        (:class:`cxkit.engines.spark.SessionSettings`).
    text_ids : customer ids as text, as the tables of a loaded folder hold them (``7`` and
        ``7.0`` become "7", spaces stripped).
    known_customers : the customers table; rows of customers it does not hold are left
        out (``load_folder(unknown_customers="exclude")``, which reports them). Implies
        ``text_ids``.
    drop_duplicates : read one copy of rows that repeat an earlier row in every column of
        the files (``load_folder(duplicates="exclude")``, which reports them); or the
        copies :func:`cxkit.engines.duplicates.count_duplicates` listed for these files
        (DuckDB: skipped without grouping again).
    timezone : the zone calendar days are counted in (``"Europe/London"``, ``"+02:00"``).
        Default None: each row's local date as written (``load_folder``'s rule): a zoned
        Parquet column in each file's own zone, ISO text by the date written before its
        offset. Given: zoned values (each file's zone, each text row's offset) are
        converted to it; unzoned values are taken to be in it. The same on every engine.

    Example
    -------
    >>> EngineOptions(engine="spark", timezone="Europe/London").timezone
    'Europe/London'
    >>> EngineOptions(timezone="Mars/Olympus")
    Traceback (most recent call last):
    ...
    cxkit.errors.ArgumentError: timezone 'Mars/Olympus' is neither a zone name (e.g. 'Europe/London') nor a fixed offset ('+02:00')
    """  # noqa: E501 - the doctest shows the whole message

    engine: str = "duckdb"
    columns: Mapping[str, str] | None = None
    memory_limit: str | None = None
    threads: int | None = None
    spark: Any = field(default=None, repr=False, compare=False)
    text_ids: bool = False
    known_customers: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    drop_duplicates: bool | pd.DataFrame = field(default=False, repr=False, compare=False)
    timezone: str | None = None

    def __post_init__(self) -> None:
        check_choice(self.engine, ENGINES, "engine")
        if self.timezone is not None and not known_zone(str(self.timezone)):
            raise ArgumentError(f"timezone {self.timezone!r} is neither a zone name (e.g. 'Europe/London') nor a "
                                "fixed offset ('+02:00')", column="timezone")
        if self.columns is not None and not isinstance(self.columns, Mapping):
            raise ArgumentError(f"columns must be a mapping such as {{'cust_no': 'customer_id'}}, got "
                                f"{type(self.columns).__name__}", column="columns")
        if self.threads is not None and (isinstance(self.threads, bool) or not isinstance(self.threads, int)
                                         or self.threads < 1):
            raise ArgumentError(f"threads must be a whole number above 0, got {self.threads!r}", column="threads")
        if self.memory_limit is not None and not isinstance(self.memory_limit, str):
            raise ArgumentError(f"memory_limit must be a size such as '2GB', got {self.memory_limit!r}",
                                column="memory_limit")
        if self.known_customers is not None and (not isinstance(self.known_customers, pd.DataFrame)
                                                 or "customer_id" not in self.known_customers):
            raise ArgumentError("known_customers must be the customers table (a DataFrame with customer_id)",
                                column="known_customers")

    @classmethod
    def of(cls, options: EngineOptions | None = None, **changes: Any) -> EngineOptions:
        """``options`` (default: the defaults) with the keyword ``changes``; an unknown name is a ``TypeError``.

        How every function of :mod:`cxkit.engines` reads its ``options=`` and keyword options.

        Example
        -------
        >>> EngineOptions.of(EngineOptions(engine="spark"), threads=None).engine
        'spark'
        >>> EngineOptions.of(None, thread=2)
        Traceback (most recent call last):
        ...
        TypeError: unknown engine option 'thread'; did you mean 'threads'?
        """
        for name in changes:
            if name not in ENGINE_OPTIONS:
                close = difflib.get_close_matches(name, ENGINE_OPTIONS, n=1)
                raise TypeError(f"unknown engine option {name!r}" + (f"; did you mean {close[0]!r}?" if close else
                                                                     f" (options: {', '.join(ENGINE_OPTIONS)})"))
        base = options if options is not None else cls()
        return replace(base, **changes) if changes else base

    @property
    def drops_duplicates(self) -> bool:
        """Whether duplicate rows are left out (``drop_duplicates`` True, or the listed copies)."""
        return isinstance(self.drop_duplicates, pd.DataFrame) or bool(self.drop_duplicates)

    @property
    def listed_copies(self) -> pd.DataFrame | None:
        """The copies :func:`cxkit.engines.duplicates.count_duplicates` listed, when ``drop_duplicates`` holds them."""
        return self.drop_duplicates if isinstance(self.drop_duplicates, pd.DataFrame) else None


#: The names :meth:`EngineOptions.of` takes (the fields of :class:`EngineOptions`).
ENGINE_OPTIONS: tuple[str, ...] = tuple(f.name for f in fields(EngineOptions))
