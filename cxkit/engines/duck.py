"""DuckDB in-process: the shared SQL of :mod:`cxkit.engines.sql` run straight on Parquet/CSV files.

DuckDB streams the files, so a laptop summarises a log far larger than its memory;
``memory_limit`` (``SET memory_limit``) caps what it holds, spilling to a temporary
folder beyond it, and ``threads`` caps the cores it uses.

Named ``duck`` so that ``import duckdb`` inside this package finds the DuckDB package.

Example
-------
>>> from cxkit.engines.duck import connect
>>> con = connect(memory_limit="1GB", threads=1)
>>> con.execute("SELECT current_setting('threads')").fetchone()[0]
1
"""
from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from cxkit.engines.sql import EngineError, FileSet, Source
from cxkit.errors import ArgumentError, DataError
from cxkit.files import parquet_damage

__all__ = ["connect", "DuckDBEngine"]


def connect(memory_limit: str | None = None, threads: int | None = None) -> Any:
    """An in-memory DuckDB connection with the memory limit and thread count set."""
    try:
        import duckdb
    except ImportError as exc:  # pragma: no cover - duckdb is a core dependency
        raise EngineError("the DuckDB engine needs the duckdb package: pip install 'duckdb>=1.1'") from exc
    con = duckdb.connect(":memory:")
    # no progress bar on stderr; in Jupyter without ipywidgets it is off already and cannot be set
    with contextlib.suppress(duckdb.Error):
        con.execute("SET enable_progress_bar = false")
    con.execute("SET preserve_insertion_order = false")  # results are ordered explicitly; this saves memory
    con.execute(f"SET temp_directory = '{tempfile.gettempdir()}/cxkit_duckdb_spill'")
    if memory_limit is not None:
        try:
            con.execute(f"SET memory_limit = '{memory_limit}'")
        except duckdb.Error as exc:
            raise ArgumentError(f"memory_limit {memory_limit!r} is not a size DuckDB understands (e.g. '2GB')",
                                column="memory_limit") from exc
    if threads is not None:
        con.execute(f"SET threads = {int(threads)}")
    return con


def _quote(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def _list(paths: Sequence[str]) -> str:
    return "[" + ", ".join("'" + p.replace("'", "''") + "'" for p in paths) + "]"


class DuckDBEngine:
    """Runs queries on one DuckDB connection over a view ``cx_source`` of the files."""

    dialect = "duckdb"

    def __init__(self, files: FileSet, columns: Mapping[str, str] | None = None, *,
                 memory_limit: str | None = None, threads: int | None = None) -> None:
        import duckdb

        self._error = duckdb.Error
        self.files = files
        self.con = connect(memory_limit, threads)
        rename = {v: k for k, v in (columns or {}).items()}  # contract name -> user's name
        names = {c: rename.get(c, c) for c in ("customer_id", "date", "amount")}
        present = {c: n for c, n in names.items() if n in files.columns}
        select = ", ".join(f"{_quote(n)} AS {c}" for c, n in present.items())
        paths = _list(files.paths)
        self.raw_names = [_quote(c) for c in files.columns]
        raw = ", ".join(self.raw_names)
        if files.csv:
            self.con.execute("SET TimeZone = 'UTC'")
            body = (f"SELECT {raw}, list_position({paths}, filename) - 1 AS _file_idx, "
                    f"row_number() OVER () AS _row FROM read_csv({paths}, header = true, all_varchar = true, "
                    "union_by_name = true, filename = true)")
        else:
            self.con.execute(f"SET TimeZone = '{files.timezone or 'UTC'}'")
            body = (f"SELECT {raw}, list_position({paths}, filename) - 1 AS _file_idx, "
                    f"file_row_number + 1 AS _row FROM read_parquet({paths}, filename = true, "
                    "file_row_number = true, union_by_name = true)")
        #: every column of the files (``cx_raw``), the contract's three (``cx_files``), and the
        #: rows the queries read (``cx_source``: narrowed by :meth:`restrict`)
        self.raw_columns, self.mapped = raw, select
        self.con.execute(f"CREATE OR REPLACE TEMP VIEW cx_raw AS {body}")
        self.replace_files(f"SELECT {select}, _file_idx, _row FROM cx_raw")
        kinds = {c: files.kinds[n] for c, n in present.items()}
        self.source = Source(files=[p.rsplit('/', 1)[-1] for p in files.paths], kinds=kinds,
                             timezone=files.timezone, dialect="duckdb", csv=files.csv,
                             extra={"columns": files.columns})

    def _read_error(self, exc: Exception) -> DataError:
        """The error for a failed scan, naming the file that fails when read alone (and the rows it loses)."""
        cause = f"{type(exc).__name__}: {str(exc).strip()[:500]}"
        bad = self._failing_file() if len(self.files.paths) > 1 or not self.files.csv else None
        if bad is None:
            return DataError(f"table 'transactions': DuckDB could not read {self.files.describe()}: {cause}",
                             table="transactions", rule="readable file")
        path, own = bad
        name = path.rsplit("/", 1)[-1]
        where = "" if self.files.csv else parquet_damage(path)
        of = f" (of {self.files.describe()})" if len(self.files.paths) > 1 else ""
        return DataError(f"table 'transactions': DuckDB could not read {name}{of}"
                         f"{f' in {where}' if where else ''}: {own or cause}", table="transactions",
                         rule="readable file")

    def _failing_file(self) -> tuple[str, str] | None:
        """The first file that fails a full read on its own, with its own error; None when each reads."""
        for path in self.files.paths:
            one = _list([path])
            scan = (f"read_csv({one}, header = true, all_varchar = true)" if self.files.csv
                    else f"read_parquet({one})")
            try:  # hashing the whole row makes DuckDB decode every column
                self.con.execute(f"SELECT max(hash(t)) FROM {scan} AS t").fetchone()
            except self._error as exc:
                return path, f"{type(exc).__name__}: {str(exc).strip()[:500]}"
        return None

    def query(self, sql: str) -> pd.DataFrame:
        """Run ``sql`` and return a pandas frame; a read failure is a :class:`DataError` naming the files."""
        try:
            return self.con.sql(sql).df()
        except self._error as exc:
            raise self._read_error(exc) from None

    def execute(self, sql: str) -> None:
        """Run a statement that returns nothing (a view); failures as in :meth:`query`."""
        try:
            self.con.execute(sql)
        except self._error as exc:
            raise self._read_error(exc) from None

    def register(self, name: str, frame: pd.DataFrame) -> None:
        """Make a small pandas frame (the customers' ids and dates) a table the queries can join."""
        self.con.register(name, frame)

    def replace_files(self, body: str) -> None:
        """The rows of the files the queries start from (e.g. without exact duplicates)."""
        self.execute(f"CREATE OR REPLACE TEMP VIEW cx_files AS {body}")
        self.execute("CREATE OR REPLACE TEMP VIEW cx_source AS SELECT * FROM cx_files")

    def restrict(self, where: str) -> None:
        """From now on ``cx_source`` holds only the rows where ``where`` holds."""
        self.execute(f"CREATE OR REPLACE TEMP VIEW cx_source AS SELECT * FROM cx_files WHERE {where}")

    def close(self) -> None:
        self.con.close()
