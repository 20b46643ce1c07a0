"""Spark: the shared SQL of :mod:`cxkit.engines.sql` over a temp view, for logs kept in a cluster.

The query text is the one DuckDB runs; this module only builds the view
``cx_source(customer_id, date, amount, _file_idx, _row)`` from files, a table name or
a Spark DataFrame, and turns Spark's failures into messages an analyst can act on
("not found", "permission denied" and "cannot connect" each say what to do).

The kit is a guest in a session it did not create: it uses the session passed as
``spark=``, else the active one (``SparkSession.getActiveSession()``, e.g. the notebook's
or Databricks' ``spark``), and starts a local one only when there is none. It never
leaves a setting of a session changed: what a run needs (the session time zone that
decides a timestamp's calendar day) is set through :class:`SessionSettings`, which puts
back every value it touched when the run ends, even on an error. Its temp views
(``cx_*``) are dropped. Spark Connect sessions, which have no ``sparkContext``, work too.

Row order (for "order of first appearance"): files in sorted order, and within a file its
own row, counted from 1, which is also the row messages quote: Parquet's row index
(``_metadata.row_index``); for CSV, whose rows carry no index, each file is read whole in
one task for the run (``spark.sql.files.maxPartitionBytes`` and ``openCostInBytes``, put
back afterwards) and its row is the count within that task. A Spark DataFrame or table
has no files: its rows are numbered by ``monotonically_increasing_id()``, which orders
them but skips numbers between partitions.

A read that fails inside Spark (a corrupt page in one part) is a :class:`cxkit.DataError`
naming that part and the cause, in a few lines rather than Spark's Java trace.

Example
-------
>>> from cxkit.engines.spark import java_available
>>> isinstance(java_available(), bool)
True
"""
from __future__ import annotations

import contextlib
import re
import shutil
import tempfile
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from cxkit.engines.sql import EngineError, FileSet, Source, find_files, inspect_files
from cxkit.errors import DataError

__all__ = ["java_available", "local_session", "session_for", "SessionSettings", "spark_failure", "table_columns",
           "short_java_error", "SparkEngine"]

# A file read whole by one task: larger than any file (bytes), so Spark neither splits nor packs files.
_WHOLE_FILE = str(1 << 50)
# monotonically_increasing_id() holds the partition in its upper bits and the row within it in the lower 33.
_ROW_BITS = 1 << 33


def java_available() -> bool:
    """Whether a ``java`` executable is on PATH (Spark needs one)."""
    return shutil.which("java") is not None


def _spark_session_class() -> Any:
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise EngineError("the Spark engine needs pyspark: pip install 'cxkit[spark]' (and Java 17+)") from exc
    return SparkSession


def active_session() -> Any:
    """The session active in this thread (a notebook's ``spark``, classic or Spark Connect), or None."""
    try:
        return _spark_session_class().getActiveSession()
    except EngineError:
        return None
    except Exception:  # a stopped context or an unreachable Connect server: no usable session
        return None


def has_spark_context(session: Any) -> bool:
    """Whether ``session`` has a ``sparkContext`` (a classic session; Spark Connect sessions have none)."""
    try:
        return session.sparkContext is not None
    except Exception:  # Spark Connect raises on the attribute
        return False


def session_for(spark: Any = None) -> Any:
    """The session a run uses: ``spark`` when given, else the active session, else a new local one.

    A session the kit did not create is only read: its settings are changed for a run at
    most, and put back (:class:`SessionSettings`). The active session is used rather than
    a new one so that a notebook's own ``spark`` (its cluster, catalog and credentials)
    reads the tables; pass ``spark=`` to choose another.

    Example
    -------
    >>> session_for(spark="my session")
    'my session'
    """
    if spark is not None:
        return spark
    return active_session() or local_session()


def local_session(cores: int = 2, shuffle_partitions: int = 4, memory: str | None = None) -> Any:
    """A new local SparkSession (UI off, few shuffle partitions, Arrow transfers), or an :class:`EngineError`.

    When a session is already running in this process (a notebook's ``spark``), that one
    is returned unchanged: its settings are its owner's (:func:`session_for`).

    Example
    -------
    >>> spark = local_session()    # doctest: +SKIP
    """
    SparkSession = _spark_session_class()
    existing = active_session() or _default_session(SparkSession)
    if existing is not None:
        return existing
    if not java_available():
        raise EngineError("Spark could not start: no 'java' on PATH. Install Java 17 (e.g. apt-get install "
                          "openjdk-17-jre-headless) or set JAVA_HOME, or use engine='duckdb'")
    builder = (SparkSession.builder.master(f"local[{cores}]").appName("cxkit")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
               .config("spark.sql.execution.arrow.pyspark.enabled", "true")
               .config("spark.sql.session.timeZone", "UTC")
               # its own temporary warehouse: the kit's session writes nothing into the working folder
               .config("spark.sql.warehouse.dir", tempfile.mkdtemp(prefix="cxkit-spark-warehouse-")))
    if memory:
        builder = builder.config("spark.driver.memory", memory)
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # py4j / JVM start-up failures come in several types
        raise EngineError(f"Spark could not start ({type(exc).__name__}: {str(exc)[:300]}); check Java "
                          "(java -version) and JAVA_HOME, or use engine='duckdb'") from None
    if has_spark_context(session):  # a failed task reaches Python as the error cxkit raises: no Java log too
        session.sparkContext.setLogLevel("FATAL")
    return session


def _default_session(session_class: Any) -> Any:
    """A classic session running in this process but not active in this thread (``getOrCreate`` would reuse it)."""
    try:
        from pyspark import SparkContext

        if SparkContext._active_spark_context is None:
            return None
        return getattr(session_class, "_instantiatedSession", None)
    except Exception:
        return None


_UNSET = object()


class SessionSettings:
    """Settings changed on a session for one run and put back afterwards, every one of them.

    ``with SessionSettings(spark) as conf: conf.set("spark.sql.session.timeZone", "UTC")``
    runs the block under UTC and restores the user's zone (or unsets it, if it was not set)
    on leaving, also when the block raises.

    Example
    -------
    >>> class Conf(dict):
    ...     def get(self, key, default=None): return dict.get(self, key, default)
    ...     def set(self, key, value): self[key] = value
    ...     def unset(self, key): self.pop(key, None)
    >>> class Session: conf = Conf({"spark.sql.session.timeZone": "America/New_York"})
    >>> s = Session()
    >>> with SessionSettings(s) as conf:
    ...     conf.set("spark.sql.session.timeZone", "UTC")
    ...     conf.set("spark.sql.shuffle.partitions", "4")
    ...     dict(s.conf)["spark.sql.session.timeZone"]
    'UTC'
    >>> dict(s.conf)
    {'spark.sql.session.timeZone': 'America/New_York'}
    """

    def __init__(self, spark: Any) -> None:
        self.spark = spark
        self.saved: dict[str, Any] = {}

    def get(self, key: str) -> str | None:
        """The session's value of ``key`` (None when it is not set)."""
        try:
            return self.spark.conf.get(key, None)
        except Exception:
            return None

    def set(self, key: str, value: str) -> None:
        """Set ``key`` for this run, remembering the value to put back (the first one seen)."""
        if key not in self.saved:
            old = self.get(key)
            self.saved[key] = _UNSET if old is None else old
        if self.get(key) != value:
            self.spark.conf.set(key, value)

    def restore(self) -> None:
        """Put back every setting changed through :meth:`set` (unset those that were not set)."""
        for key, old in reversed(list(self.saved.items())):
            try:
                if old is _UNSET:
                    self.spark.conf.unset(key)
                elif self.get(key) != old:
                    self.spark.conf.set(key, old)
            except Exception:  # a stopped session: nothing left to restore
                pass
        self.saved.clear()

    def __enter__(self) -> SessionSettings:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.restore()


# Words in Spark's, py4j's and gRPC's messages that tell the three failures apart.
_CANNOT_CONNECT = ("connection refused", "failed to connect", "cannot connect", "could not connect", "unavailable",
                   "deadline_exceeded", "deadline exceeded", "connection reset", "py4jnetworkerror",
                   "answer from java side is empty", "stopped sparkcontext", "sparkcontext was shut down",
                   "sparkcontext has been shutdown", "session is closed", "connection closed", "broken pipe")
_PERMISSION = ("permission denied", "permission_denied", "access denied", "accessdenied", "access_denied",
               "insufficient_permissions", "insufficient privileges", "not authorized", "unauthorized",
               "forbidden", "does not have privilege", "user does not have")
_NOT_FOUND = ("table_or_view_not_found", "table or view not found", "schema_not_found", "database not found",
              "namespace_not_found", "not found", "does not exist", "no such table", "cannot be found")


_CAUSE = re.compile(r"^\s*Caused by: (.*)$", re.MULTILINE)
_READ_FILE = re.compile(r"(?:reading|read) file (\S+?)\.?(?:\s|$)")
_JAVA_NOISE = ("An error occurred while calling", "Exception thrown in awaitResult")


def short_java_error(exc: BaseException, limit: int = 3) -> tuple[str, str | None]:
    """Spark's failure cut to what an analyst needs: (up to ``limit`` lines of causes, the file it names).

    A task that fails in the JVM reaches Python as a Py4J error whose text is a Java trace
    of a hundred lines or more; its useful parts are the error's own message (Spark's
    ``[FAILED_READ_FILE...]`` names the file) and the "Caused by" lines, the deepest last.

    Example
    -------
    >>> error = RuntimeError("An error occurred while calling o83.getResult.\\n"
    ...                      ": org.apache.spark.SparkException: Encountered error while reading file "
    ...                      "file:///d/part-1.parquet.  SQLSTATE: KD001\\n"
    ...                      "\\tat org.apache.Foo.bar(Foo.scala:1)\\n"
    ...                      "Caused by: java.io.IOException: FAILED_TO_UNCOMPRESS(5)")
    >>> message, file = short_java_error(error)
    >>> file
    'file:///d/part-1.parquet'
    >>> print(message)
    org.apache.spark.SparkException: Encountered error while reading file file:///d/part-1.parquet.  SQLSTATE: KD001
    caused by java.io.IOException: FAILED_TO_UNCOMPRESS(5)
    """
    text = str(exc)
    found = _READ_FILE.search(text)
    lines: list[str] = []
    for line in text.split("\n"):
        line = line.strip().lstrip(": ").removeprefix("Caused by: ").strip()
        if line and not line.startswith(("at ", "...")) and not any(n in line for n in _JAVA_NOISE):
            lines.append(line)
            break
    causes = [c.strip() for c in _CAUSE.findall(text)]
    for cause in causes[-(limit - 1):] if limit > 1 else []:
        if cause not in lines:
            lines.append("caused by " + cause)
    if not lines:
        lines = [text.strip().split("\n")[0]]
    return "\n".join(line[:300] for line in lines[:limit]), found.group(1) if found else None


def failure_kind(exc: BaseException) -> str:
    """"cannot connect", "permission denied", "not found" or "other", from the type and text of ``exc``."""
    text = f"{type(exc).__name__}: {exc}".lower()
    if isinstance(exc, (ConnectionError, TimeoutError)) or any(w in text for w in _CANNOT_CONNECT):
        return "cannot connect"
    if isinstance(exc, PermissionError) or any(w in text for w in _PERMISSION):
        return "permission denied"
    if any(w in text for w in _NOT_FOUND):
        return "not found"
    return "other"


def spark_failure(exc: BaseException, what: str) -> Exception:
    """The error to raise when Spark failed on ``what`` ("table sales.tx"): one message per kind of failure.

    Example
    -------
    >>> spark_failure(PermissionError("denied"), "table sales.tx").rule
    'permission to read'
    """
    first = str(exc).strip().split("\n")[0][:300]
    detail = f"{type(exc).__name__}: {first}"
    kind = failure_kind(exc)
    if kind == "cannot connect":
        return EngineError(f"Spark could not be reached to read {what} (cannot connect; {detail}). Check that the "
                           "session is running (not stopped) and, for Spark Connect, the server address; or use "
                           "engine='duckdb' on files")
    if kind == "permission denied":
        return DataError(f"table 'transactions': Spark may not read {what} (permission denied; {detail}). Ask for "
                         "read (SELECT) access to it, or pass spark= a session whose user has it",
                         table="transactions", rule="permission to read")
    if kind == "not found":
        return DataError(f"table 'transactions': Spark has no {what} (not found; {detail}). Check the name "
                         "(catalog.database.table, spark.catalog.listTables()) and the session's current "
                         "database, or pass the path of the files", table="transactions", rule="table present")
    return DataError(f"table 'transactions': Spark could not read {what} ({detail})", table="transactions",
                     rule="readable table")


def table_columns(table: str, spark: Any = None) -> list[str]:
    """The columns of a Spark table, or the "not found" / "permission denied" / "cannot connect" error.

    Example
    -------
    >>> table_columns("sales.transactions")   # doctest: +SKIP
    ['customer_id', 'date', 'amount']
    """
    session = session_for(spark)
    try:
        return list(session.table(table).columns)
    except Exception as exc:
        raise spark_failure(exc, f"table {table!r}") from None


def _kind(data_type: Any) -> str:
    name = type(data_type).__name__
    if name in ("StringType", "VarcharType", "CharType", "NullType"):
        return "string"
    if name == "BooleanType":
        return "bool"
    if name in ("ByteType", "ShortType", "IntegerType", "LongType", "FloatType", "DoubleType", "DecimalType"):
        return "numeric"
    return {"DateType": "date", "TimestampType": "timestamptz", "TimestampNTZType": "timestamp"}.get(name, name)


class SparkEngine:
    """Runs the shared queries on a Spark session over a temp view ``cx_source``."""

    dialect = "spark"

    def __init__(self, source: Any, columns: Mapping[str, str] | None = None, *, spark: Any = None) -> None:

        self.spark = session_for(spark)
        self._views: list[str] = []
        self.settings = SessionSettings(self.spark)
        try:
            self._open(source, columns)
        except BaseException:
            self.close()
            raise

    def _open(self, source: Any, columns: Mapping[str, str] | None) -> None:
        from pyspark.sql import functions as F

        files: FileSet | None = None
        self.label = "the Spark DataFrame"
        if hasattr(source, "sparkSession") and hasattr(source, "schema"):
            df, file_idx = source, F.lit(0)
        elif _is_table_name(source):
            self.label = f"table {source!r}"
            try:
                df = self.spark.table(source)
                _ = df.columns  # resolves the table: a missing one fails here, not in the first query
            except Exception as exc:
                raise spark_failure(exc, self.label) from None
            file_idx = F.lit(0)
        else:
            files = inspect_files(find_files(source), columns)
            self.label = files.describe()
            self.uris = uris = [Path(p).as_uri() for p in files.paths]
            reader = self.spark.read
            try:
                if files.csv:
                    # each CSV read whole by one task, so that a row's place in its task is its place in its file
                    self.settings.set("spark.sql.files.maxPartitionBytes", _WHOLE_FILE)
                    self.settings.set("spark.sql.files.openCostInBytes", _WHOLE_FILE)
                    df = reader.csv(uris, header=True, inferSchema=False)
                else:
                    df = reader.parquet(*uris)
            except Exception as exc:
                raise self._data_error(exc) from None
            file_idx = F.array_position(F.array(*[F.lit(u) for u in uris]), F.input_file_name()) - 1
        # the calendar day of a timestamp follows the session time zone: the files' own zone (UTC when they
        # carry none) for the run, the session's for its tables and DataFrames; put back by close()
        if files is not None:
            self.settings.set("spark.sql.session.timeZone", files.timezone or "UTC")
        self.settings.set("spark.sql.execution.arrow.pyspark.enabled", "true")  # the same pandas types everywhere
        rename = {v: k for k, v in (columns or {}).items()}
        present = {c: rename.get(c, c) for c in ("customer_id", "date", "amount") if rename.get(c, c) in df.columns}
        if files is None:
            row = F.monotonically_increasing_id() + 1
        elif files.csv:
            row = F.monotonically_increasing_id() % _ROW_BITS + 1
        else:
            row = F.col("_metadata.row_index") + 1
        raw = df.select(*[F.col(f"`{c}`") for c in df.columns], file_idx.cast("long").alias("_file_idx"),
                        row.cast("long").alias("_row"))
        raw.createOrReplaceTempView("cx_raw")
        self._views.append("cx_raw")
        #: every column (``cx_raw``) and the contract's three, the rows the queries read (``cx_source``)
        self.raw_names = ["`" + c.replace("`", "``") + "`" for c in df.columns]
        self.raw_columns = ", ".join(self.raw_names)
        self.mapped = ", ".join(f"`{n}` AS {c}" for c, n in present.items())
        self.replace_files(f"SELECT {self.mapped}, _file_idx, _row FROM cx_raw")
        kinds = {c: _kind(df.schema[n].dataType) for c, n in present.items()}
        if files is not None and not files.csv:
            kinds = {c: files.kinds.get(n, kinds[c]) for c, n in present.items()}
        self.source = Source(files=[p.rsplit("/", 1)[-1] for p in files.paths] if files else [], kinds=kinds,
                             dialect="spark", csv=bool(files and files.csv), extra={"columns": list(df.columns)})

    def _data_error(self, exc: Exception) -> Exception:
        if failure_kind(exc) in ("cannot connect", "permission denied"):
            return spark_failure(exc, self.label)
        text, uri = short_java_error(exc)
        hint = ("\nHint: Spark does not read nanosecond timestamps; write the files with microseconds "
                "(pandas: to_parquet(..., coerce_timestamps='us')) or read them with engine='duckdb'"
                if "TIMESTAMP(NANOS" in str(exc) else "")
        what = self.label
        if uri is not None:
            name = uri.rstrip("/").rsplit("/", 1)[-1]
            what = f"{name} (of {self.label})"
        return DataError(f"table 'transactions': Spark could not read {what}: {type(exc).__name__}: {text}"
                         f"{hint}", table="transactions", rule="readable file")

    def query(self, sql: str) -> pd.DataFrame:
        """Run ``sql`` with ``spark.sql`` and return a pandas frame."""
        try:
            with warnings.catch_warnings():  # Arrow's warning repeats the whole Java trace the error carries
                warnings.filterwarnings("ignore", message="toPandas attempted Arrow optimization")
                return self.spark.sql(sql).toPandas()
        except Exception as exc:  # AnalysisException, Py4JJavaError, SparkException...
            raise self._data_error(exc) from None

    def execute(self, sql: str) -> None:
        """Run a statement that returns nothing (a view)."""
        try:
            self.spark.sql(sql)
        except Exception as exc:
            raise self._data_error(exc) from None

    def register(self, name: str, frame: pd.DataFrame) -> None:
        """Make a small pandas frame (the customers' ids and dates) a temp view the queries can join."""
        schema = ", ".join(f"`{c}` STRING" for c in frame.columns)
        text = frame.astype(object).where(frame.notna(), None)
        self.spark.createDataFrame(text, schema=schema).createOrReplaceTempView(name)
        self._views.append(name)

    def replace_files(self, body: str) -> None:
        """The rows of the files the queries start from (e.g. without exact duplicates)."""
        self.spark.sql(body).createOrReplaceTempView("cx_source")

    def restrict(self, where: str) -> None:
        """From now on ``cx_source`` holds only the rows where ``where`` holds."""
        self.spark.sql(f"SELECT * FROM cx_source WHERE {where}").createOrReplaceTempView("cx_source")

    def close(self) -> None:
        """Drop the temp views and put back every setting the run changed."""
        try:
            for name in [*self._views, "cx_source"]:
                with contextlib.suppress(Exception):  # a stopped session holds no views
                    self.spark.catalog.dropTempView(name)
            self._views = []
        finally:
            self.settings.restore()


def _is_table_name(source: Any) -> bool:
    """A string naming a table (``sales.transactions``), not a file, folder or glob."""
    if not isinstance(source, str) or Path(source).exists() or any(c in source for c in "*?[/\\"):
        return False
    return not source.lower().endswith((".parquet", ".pq", ".csv", ".csv.gz", ".txt", ".tsv"))
