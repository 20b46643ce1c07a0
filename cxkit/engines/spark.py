"""Spark: the shared SQL of :mod:`cxkit.engines.sql` over a temp view, for logs kept in a cluster.

The query text is the one DuckDB runs; this module only builds the view
``cx_source(customer_id, date, amount, _file_idx, _row)`` from files, a table name or
a Spark DataFrame, and turns Spark's failures into messages an analyst can act on.

Row order (for "order of first appearance"): files in sorted order, and within a file
``monotonically_increasing_id()``, which follows the file's splits in offset order. Plus
one, it is the row number messages quote: the file's own row for a file read in one split;
for a larger file, Spark's id, which still orders the rows but skips numbers between splits.

Example
-------
>>> from cxkit.engines.spark import java_available
>>> isinstance(java_available(), bool)
True
"""
from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from cxkit.engines.sql import EngineError, FileSet, Source, find_files, inspect_files
from cxkit.errors import DataError

__all__ = ["java_available", "local_session", "SparkEngine"]


def java_available() -> bool:
    """Whether a ``java`` executable is on PATH (Spark needs one)."""
    return shutil.which("java") is not None


def local_session(cores: int = 2, shuffle_partitions: int = 4, memory: str | None = None) -> Any:
    """A local SparkSession (UI off, few shuffle partitions, Arrow transfers), or an :class:`EngineError`.

    Example
    -------
    >>> spark = local_session()    # doctest: +SKIP
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise EngineError("the Spark engine needs pyspark: pip install 'cxkit[spark]' (and Java 17+)") from exc
    if not java_available():
        raise EngineError("Spark could not start: no 'java' on PATH. Install Java 17 (e.g. apt-get install "
                          "openjdk-17-jre-headless) or set JAVA_HOME, or use engine='duckdb'")
    builder = (SparkSession.builder.master(f"local[{cores}]").appName("cxkit")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
               .config("spark.sql.execution.arrow.pyspark.enabled", "true")
               .config("spark.sql.session.timeZone", "UTC"))
    if memory:
        builder = builder.config("spark.driver.memory", memory)
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # py4j / JVM start-up failures come in several types
        raise EngineError(f"Spark could not start ({type(exc).__name__}: {str(exc)[:300]}); check Java "
                          "(java -version) and JAVA_HOME, or use engine='duckdb'") from None
    session.sparkContext.setLogLevel("ERROR")
    return session


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
        from pyspark.sql import functions as F

        self.spark = spark if spark is not None else local_session()
        self._views: list[str] = []
        self._tz = self.spark.conf.get("spark.sql.session.timeZone")
        files: FileSet | None = None
        self.label = "the Spark DataFrame"
        if hasattr(source, "sparkSession") and hasattr(source, "schema"):
            df, file_idx = source, F.lit(0)
        elif isinstance(source, str) and not Path(source).exists() and not any(c in source for c in "*?[") \
                and self._table_exists(source):
            df, file_idx, self.label = self.spark.table(source), F.lit(0), f"table {source}"
        else:
            files = inspect_files(find_files(source), columns)
            self.label = files.describe()
            uris = [Path(p).as_uri() for p in files.paths]
            reader = self.spark.read
            try:
                if files.csv:
                    df = reader.csv(uris, header=True, inferSchema=False)
                else:
                    df = reader.parquet(*uris)
            except Exception as exc:
                raise self._data_error(exc) from None
            file_idx = F.array_position(F.array(*[F.lit(u) for u in uris]), F.input_file_name()) - 1
        self.spark.conf.set("spark.sql.session.timeZone", (files.timezone if files else None) or self._tz or "UTC")
        rename = {v: k for k, v in (columns or {}).items()}
        present = {c: rename.get(c, c) for c in ("customer_id", "date", "amount") if rename.get(c, c) in df.columns}
        raw = df.select(*[F.col(f"`{c}`") for c in df.columns], file_idx.cast("long").alias("_file_idx"),
                        (F.monotonically_increasing_id() + 1).alias("_row"))
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

    def _table_exists(self, name: str) -> bool:
        try:
            return bool(self.spark.catalog.tableExists(name))
        except Exception:
            return False

    def _data_error(self, exc: Exception) -> DataError:
        text = str(exc).split("\n")[0][:500]
        hint = ("\nHint: Spark does not read nanosecond timestamps; write the files with microseconds "
                "(pandas: to_parquet(..., coerce_timestamps='us')) or read them with engine='duckdb'"
                if "TIMESTAMP(NANOS" in text else "")
        return DataError(f"table 'transactions': Spark could not read {self.label}: {type(exc).__name__}: {text}"
                         f"{hint}", table="transactions", rule="readable file")

    def query(self, sql: str) -> pd.DataFrame:
        """Run ``sql`` with ``spark.sql`` and return a pandas frame."""
        try:
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
        for name in self._views:
            self.spark.catalog.dropTempView(name)
        self.spark.catalog.dropTempView("cx_source")
        if self._tz is not None:
            self.spark.conf.set("spark.sql.session.timeZone", self._tz)
