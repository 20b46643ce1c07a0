"""A log of Parquet/CSV parts read into pandas, each row labelled by its file and its row in that file.

A transaction log written in parts (``transactions/part-0.parquet``, ...) is one table to
the analyst but several files to whoever must fix it. Read here, a damaged part is a
:class:`cxkit.DataError` naming that part (and its lost rows, when the footer reads), and
each row keeps the label ``(file, row)``, row counted from 1 within its file, so that a
bad value found later ("amount is not numeric") points at the part and row to open, as
DuckDB and Spark report it.

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
from cxkit.errors import DataError
from cxkit.files import parquet_error

__all__ = ["read_parts"]

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
