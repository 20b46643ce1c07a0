"""A log of Parquet/CSV parts read into pandas, each row labelled by its file and its row in that file.

A transaction log written in parts (``transactions/part-0.parquet``, ...) is one table to
the analyst but several files to whoever must fix it. Read here, a damaged part is a
:class:`cxkit.DataError` naming that part (and its lost rows, when the footer reads), and
each row keeps the label ``(file, row)``, row counted from 1 within its file, so that a
bad value found later ("amount is not numeric") points at the part and row to open, as
DuckDB and Spark report it.

:func:`read_rows` reads the rows an engine would summarise, in pandas and by the same
rules (dates, amounts, ids, duplicates, unknown customers): the in-memory reference the
DuckDB and Spark summaries are tested against.

Example
-------
>>> from cxkit.engines.read import read_parts
>>> tx = read_parts("data/sample/transactions.csv")
>>> tx.index.names
FrozenList(['file', 'row'])
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from cxkit.engines import sql
from cxkit.engines.options import EngineOptions
from cxkit.errors import DataError, data_error
from cxkit.files import parquet_error
from cxkit.parsing import clean_text, parse_dates

__all__ = ["read_parts", "read_transactions", "read_rows"]

TABLE = "transactions"


def _read_csv(path: str) -> pd.DataFrame:
    name = path.rsplit("/", 1)[-1]
    try:
        # round_trip: the text "1.005" becomes the float DuckDB and Spark read, to the last bit
        return pd.read_csv(path, sep="\t" if path.lower().endswith(".tsv") else ",", float_precision="round_trip")
    except (pd.errors.ParserError, UnicodeDecodeError, OSError, EOFError) as exc:
        cause = str(exc).strip().split("\n")[0][:200]
        raise DataError(f"table '{TABLE}': {name} could not be read as CSV ({type(exc).__name__}: {cause})",
                        table=TABLE, rule="readable file") from None


def _read_parquet(path: str) -> pd.DataFrame:
    try:
        return pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises OSError, ArrowInvalid... for a damaged page
        raise parquet_error(path, TABLE, exc) from None


def read_parts(source: Any, columns: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Read a file, folder or glob of Parquet/CSV transactions into pandas, files in sorted order.

    Every read error names its file, and every row is labelled ``(file, row)`` so that the
    checks run later on the frame name the part and row of an offending value rather than
    a position in the combined table.

    Parameters
    ----------
    source : a Parquet/CSV file, a folder of them or a glob.
    columns : your column names mapped to cxkit's, e.g. ``{"cust_no": "customer_id"}``.

    Returns
    -------
    DataFrame with the files' columns (renamed by ``columns``), indexed by ``file`` (the
    file's name) and ``row`` (1 = its first data row).

    Example
    -------
    >>> tx = read_parts("data/sample/transactions.csv")
    >>> int(tx.index.get_level_values("row")[0])
    1
    """
    paths = sql.find_files(source)
    files = sql.inspect_files(paths, columns)
    frames = []
    for path in paths:
        frame = _read_csv(path) if files.csv else _read_parquet(path)
        frame.index = pd.MultiIndex.from_arrays(
            [[path.rsplit("/", 1)[-1]] * len(frame), pd.RangeIndex(1, len(frame) + 1)], names=["file", "row"])
        frames.append(frame)
    df = pd.concat(frames) if len(frames) > 1 else frames[0]
    return df.rename(columns=dict(columns or {}))


def read_transactions(source: Any, columns: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Read a file, folder or glob of Parquet/CSV transactions into pandas, files in sorted order.

    The pandas engine's input, and the reference the SQL engines are compared with. A file
    that cannot be read is named; rows are labelled by file and row within it
    (:func:`read_parts`).

    Example
    -------
    >>> len(read_transactions("data/sample/transactions.csv")) > 1000
    True
    """
    return read_parts(source, columns)


def read_rows(source: Any, options: EngineOptions | None = None) -> pd.DataFrame:
    """:func:`read_transactions`; ids as text, duplicates and rows of unknown customers left out when asked.

    Zoned dates (one zone per file, which may differ between files) and text dates are read
    by the loader's rule (:func:`cxkit.parsing.parse_dates`): each row's local date and time
    as written, or converted to ``options.timezone``; the SQL engines apply the same rule.

    Parameters
    ----------
    source : a Parquet/CSV file, a folder of them or a glob.
    options : how to read them (:class:`~cxkit.engines.options.EngineOptions`: ``columns``,
        ``text_ids``, ``known_customers``, ``drop_duplicates``, ``timezone``).

    Returns
    -------
    DataFrame of the rows, labelled by ``file`` and ``row``, ready for the pandas summaries.

    Example
    -------
    >>> rows = read_rows("data/sample/transactions.csv", EngineOptions(text_ids=True))
    >>> bool(rows["customer_id"].map(type).eq(str).all()), str(rows["date"].dtype)
    (True, 'datetime64[ns]')
    """
    options = options if options is not None else EngineOptions()
    tx = read_transactions(source, options.columns)
    dates = tx.get("date")
    parsed = dates is not None and pd.api.types.is_datetime64_dtype(dates) and getattr(dates.dt, "tz", None) is None
    numeric = dates is not None and (pd.api.types.is_numeric_dtype(dates) or pd.api.types.is_bool_dtype(dates))
    if dates is not None and not parsed and not numeric:
        tx["date"] = parse_dates(dates, table="transactions", column="date", timezone=options.timezone)
    amount = tx.get("amount")
    if amount is not None and not pd.api.types.is_numeric_dtype(amount):  # text in the column: named, by file and row
        numbers = pd.to_numeric(amount, errors="coerce")
        bad = numbers.isna() & amount.notna()
        if bad.any():
            raise data_error("transactions", "amount", "amount is not numeric",
                             tx.loc[bad, [c for c in ("customer_id", "date", "amount") if c in tx]],
                             hint="strip currency symbols / thousands separators before writing the files")
        tx["amount"] = numbers
    if options.drops_duplicates:
        tx = tx[~tx.duplicated(keep="first")]
    known = options.known_customers
    if (options.text_ids or known is not None) and "customer_id" in tx:
        tx["customer_id"] = clean_text(tx["customer_id"], as_str=True).astype(str)
    if known is not None and "customer_id" in tx:
        tx = tx[tx["customer_id"].isin(known["customer_id"].astype(str))]
    return tx
