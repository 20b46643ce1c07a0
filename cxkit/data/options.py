"""How a data folder is read: ``load_folder``'s reading options as one validated record, :class:`ReadOptions`.

A notebook passes them as ``load_options`` (``load_folder(path, **load_options)``), a
folder's settings file holds them under ``[read]``; either way they become one
``ReadOptions``, checked once, before a file is opened: a misspelt value is refused with
what was expected and what was got, rather than found half-way through a load.

Example
-------
>>> options = ReadOptions.resolve({"dayfirst": True}, {"engine": "duckdb"})
>>> options.dayfirst, options.engine, options.duplicates
(True, 'duckdb', 'exclude')
"""
from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

import pandas as pd

from cxkit.errors import ArgumentError
from cxkit.files import log_size_mb
from cxkit.units import TENURE_UNITS

__all__ = ["ReadOptions", "READ_OPTIONS", "ENGINES"]

#: How ``load_folder`` may read transactions: ``"auto"`` leaves files above ``large_file_mb`` for DuckDB.
ENGINES = ("auto", "pandas", "duckdb", "spark")

_DATE_RULE = "or a mapping by 'table.column', table or column name"


@dataclass(frozen=True)
class ReadOptions:
    """How to read a data folder's tables: ``load_folder``'s reading options, checked once.

    Why it matters: how dates are read (day first or month first, which time zone) and
    which rows are left out (duplicates, unknown customers) change every count a report
    quotes; these options say so in one place, and the load report lists them.

    Attributes
    ----------
    dayfirst, date_format, timezone : how to read dates: one value, or a mapping by
        ``"table.column"``, table or column name (see :func:`cxkit.parsing.parse_dates`).
        ``timezone`` is the zone calendar days are counted in (``"Europe/London"``);
        None keeps each row's local date as written.
    duplicates : ``"exclude"`` (default, reported) or ``"keep"`` exact duplicate rows.
    unknown_customers : ``"raise"`` (default) or ``"exclude"`` (reported) rows whose
        customer is not in the customers table.
    tenure_unit : unit of a customers ``tenure`` column when the table gives tenure +
        churned instead of dates: ``"days"``, ``"weeks"`` or ``"months"``.
    engine : how to read transactions: ``"auto"`` (default: into pandas, unless the file,
        or the folder of files named ``transactions/``, is larger than ``large_file_mb``),
        ``"pandas"``, ``"duckdb"`` or ``"spark"`` (a log left in its files, see
        :func:`cxkit.load_folder`).
    large_file_mb : the size above which ``"auto"`` leaves transactions in their files.
    memory_limit : DuckDB's memory cap for such a log, e.g. ``"2GB"``.
    spark_table : with ``engine="spark"``, the Spark table (``"sales.transactions"``)
        that holds the transactions, in place of a file in the folder.
    drivers : driver-rating columns of the survey (default: those of
        :data:`cxkit.data.DEFAULT_DRIVERS` present).

    Example
    -------
    >>> ReadOptions(timezone="Europe/London", engine="duckdb").large_file_mb
    500.0
    >>> ReadOptions(duplicates="drop")
    Traceback (most recent call last):
    ...
    cxkit.errors.ArgumentError: duplicates must be 'exclude' or 'keep', got 'drop'
    """

    dayfirst: Any = None
    date_format: Any = None
    timezone: Any = None
    duplicates: str = "exclude"
    unknown_customers: str = "raise"
    tenure_unit: str | None = None
    engine: str = "auto"
    large_file_mb: float = 500.0
    memory_limit: str | None = None
    spark_table: str | None = None
    drivers: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        _check_dates(self)
        _check_rows(self)
        _check_engine(self)
        if self.drivers is not None:
            if isinstance(self.drivers, str) or not isinstance(self.drivers, Sequence) \
                    or not all(isinstance(d, str) for d in self.drivers):
                raise ArgumentError(f"drivers must be a list of column names, got {self.drivers!r}", column="drivers")
            object.__setattr__(self, "drivers", tuple(self.drivers))

    @classmethod
    def resolve(cls, file: Mapping[str, Any] | None = None, given: Mapping[str, Any] | None = None) -> ReadOptions:
        """The options a load reads by: the defaults, then the settings file's ``[read]``, then those given.

        A value of None in ``given`` means "not given". A name that is no reading option is
        a ``TypeError`` naming the closest one, as Python's own keyword check would.

        Example
        -------
        >>> ReadOptions.resolve({"duplicates": "keep"}, {"duplicates": None}).duplicates
        'keep'
        >>> ReadOptions.resolve(given={"dayfrist": True})  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        TypeError: unknown reading option 'dayfrist'; did you mean 'dayfirst'? (options: dayfirst, date_format, ...)
        """
        for name in {**(file or {}), **(given or {})}:
            if name not in READ_OPTIONS:
                close = difflib.get_close_matches(name, READ_OPTIONS, n=1)
                raise TypeError(f"unknown reading option {name!r}" + (f"; did you mean {close[0]!r}?" if close else "")
                                + f" (options: {', '.join(READ_OPTIONS)})")
        return cls(**{**(file or {}), **{k: v for k, v in (given or {}).items() if v is not None}})

    def in_place(self, source: Any) -> bool:
        """Whether transactions read from ``source`` stay in their files for an engine (the rule ``engine`` states).

        Example
        -------
        >>> ReadOptions().in_place("data/sample/transactions.csv"), ReadOptions(engine="duckdb").in_place("x.csv")
        (False, True)
        """
        if isinstance(source, pd.DataFrame) or self.engine == "pandas":
            return False
        return self.engine in ("duckdb", "spark") or log_size_mb(source) > self.large_file_mb


#: The reading options ``[read]`` in a settings file may hold: :class:`ReadOptions`' fields.
READ_OPTIONS: tuple[str, ...] = tuple(f.name for f in fields(ReadOptions))


def _check_dates(options: ReadOptions) -> None:
    """dayfirst: True/False; date_format and timezone: text; each also a mapping by table or column."""
    if not (options.dayfirst is None or isinstance(options.dayfirst, (bool, Mapping))):
        raise ArgumentError(f"dayfirst must be True or False {_DATE_RULE}, got {options.dayfirst!r}",
                            column="dayfirst")
    for name in ("date_format", "timezone"):
        value = getattr(options, name)
        if not (value is None or isinstance(value, (str, Mapping))):
            raise ArgumentError(f"{name} must be text {_DATE_RULE}, got {value!r}", column=name)


def _check_rows(options: ReadOptions) -> None:
    """The rules that leave rows out, or read them: duplicates, unknown customers, tenure's unit."""
    if options.duplicates not in ("exclude", "keep"):
        raise ArgumentError(f"duplicates must be 'exclude' or 'keep', got {options.duplicates!r}",
                            column="duplicates", rule="duplicates")
    if options.unknown_customers not in ("raise", "exclude"):
        raise ArgumentError(f"unknown_customers must be 'raise' or 'exclude', got {options.unknown_customers!r}",
                            column="unknown_customers")
    if options.tenure_unit is not None and options.tenure_unit not in TENURE_UNITS:
        raise ArgumentError(f"tenure_unit must be one of {list(TENURE_UNITS)}, got {options.tenure_unit!r}",
                            column="tenure_unit", rule="tenure unit")


def _check_engine(options: ReadOptions) -> None:
    """The engine, the size that switches ``"auto"`` to DuckDB, DuckDB's memory cap, and a Spark table."""
    if options.engine not in ENGINES:
        raise ArgumentError(f"engine must be one of {list(ENGINES)}, got {options.engine!r}", column="engine",
                            rule="engine")
    size = options.large_file_mb
    if isinstance(size, bool) or not isinstance(size, (int, float)) or not size > 0:
        raise ArgumentError(f"large_file_mb must be a number of megabytes above 0, got {size!r}",
                            column="large_file_mb")
    object.__setattr__(options, "large_file_mb", float(size))
    if options.memory_limit is not None and not isinstance(options.memory_limit, str):
        raise ArgumentError(f"memory_limit must be a size such as '2GB', got {options.memory_limit!r}",
                            column="memory_limit")
    if options.spark_table is not None:
        if not isinstance(options.spark_table, str) or not options.spark_table.strip():
            raise ArgumentError(f"spark_table must name a Spark table such as 'sales.transactions', got "
                                f"{options.spark_table!r}", column="spark_table")
        if options.engine != "spark":
            raise ArgumentError(f"spark_table={options.spark_table!r} is read by engine='spark', got "
                                f"engine={options.engine!r}", table="transactions", column="spark_table",
                                rule="engine")
