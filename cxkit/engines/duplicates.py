"""Exact duplicate rows of a transaction log, found and left out where the log is.

The pandas loader leaves out a row that repeats an earlier one in every column (an
export run twice, a part file copied) and reports it (``duplicates="exclude"``, the
default), or keeps it with a note (``duplicates="keep"``). A log left in its files gets
the same rule: :func:`count_duplicates` counts the extra copies over *all* the files'
columns (not only the three cxkit reads, so two purchases told apart by an order number
are not duplicates), and :func:`drop_duplicates` makes every later query read one copy
of each row, the first in file order.

Counting is one GROUP BY over every column, as costly as a summary. When there are
copies, DuckDB lists them by file and row once (two more passes), and each later summary
skips them with a cheap anti-join; Spark, whose row ids are not the files' own, groups
again in every summary.

Example
-------
>>> import pandas as pd, tempfile, pathlib
>>> from cxkit.engines import open_engine
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> pd.DataFrame({"customer_id": ["a", "a", "a"], "date": ["2024-01-02"] * 3,
...               "amount": [5.0, 5.0, 7.0]}).to_csv(folder / "tx.csv", index=False)
>>> eng = open_engine(str(folder / "tx.csv"))
>>> count_duplicates(eng)
Duplicates(n_rows=1, examples='tx.csv row 2')
>>> eng.close()
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from cxkit.engines.sql import DIALECTS, row_in_file
from cxkit.exclusions import DUPLICATE_RULE

__all__ = ["Duplicates", "count_duplicates", "drop_duplicates", "DUPLICATE_RULE"]

COUNT_SQL = """
SELECT SUM(n - 1) AS n_rows FROM (SELECT COUNT(*) AS n FROM cx_raw GROUP BY {raw} HAVING COUNT(*) > 1) AS copies
"""

#: Every copy after the first, by file and row (a second grouping and one join pass).
COPIES_SQL = """
WITH groups AS (SELECT {raw}, MIN({pair}) AS _first FROM cx_raw GROUP BY {raw} HAVING COUNT(*) > 1)
SELECT r._file_idx, r._row FROM cx_raw AS r JOIN groups AS g ON {same}
WHERE {pair_r} <> g._first ORDER BY r._file_idx, r._row{limit}
"""

FIRST_COPIES_SQL = """
SELECT {mapped}, {unpair} FROM (SELECT {raw}, MIN({pair}) AS _first FROM cx_raw GROUP BY {raw}) AS firsts
"""

# a LEFT JOIN keeping the unmatched rows: planned as a hash anti-join (NOT EXISTS was 2 s slower on 10M rows)
NOT_COPIES_SQL = """
SELECT {mapped}, r._file_idx, r._row FROM cx_raw AS r
LEFT JOIN cx_copies AS c ON c._file_idx = r._file_idx AND c._row = r._row
WHERE c._row IS NULL
"""

#: Up to this many copies are listed by file and row, so that later queries skip them
#: with a cheap anti-join (DuckDB, whose row numbers are the files' own) instead of grouping.
MAX_LISTED = 1_000_000


@dataclass(frozen=True)
class Duplicates:
    """Extra copies of rows (each copy after the first counts once), where the first few are,
    and (DuckDB, up to :data:`MAX_LISTED`) all of them as ``_file_idx``/``_row``."""

    n_rows: int = 0
    examples: str = ""
    copies: pd.DataFrame | None = field(default=None, repr=False, compare=False)


def _copies_sql(eng: Any, limit: int | None) -> str:
    dia = DIALECTS[eng.source.dialect]
    names = eng.raw_names
    return COPIES_SQL.format(raw=eng.raw_columns, pair=dia["pair"].format(a="_file_idx", b="_row"),
                             pair_r=dia["pair"].format(a="r._file_idx", b="r._row"),
                             same=" AND ".join(f"r.{c} IS NOT DISTINCT FROM g.{c}" for c in names),
                             limit=f" LIMIT {limit}" if limit else "")


def count_duplicates(eng: Any) -> Duplicates:
    """Count the rows that repeat an earlier row in every column of the files (listed: :class:`Duplicates`)."""
    found = eng.query(COUNT_SQL.format(raw=eng.raw_columns)).iloc[0]["n_rows"]
    n = 0 if found is None or found != found else int(found)
    if not n:
        return Duplicates()
    listed = eng.source.dialect == "duckdb" and n <= MAX_LISTED
    rows = eng.query(_copies_sql(eng, None if listed else 5))
    files, first = eng.source.files, rows.iloc[:5]
    in_file = row_in_file(eng.query, eng.source, first["_file_idx"], first["_row"])
    where = [f"{files[int(i)] if files and 0 <= int(i) < len(files) else 'data'} row {int(r)}"
             for i, r in zip(first["_file_idx"], in_file, strict=True)]
    copies = rows.astype("int64") if listed else None
    return Duplicates(n, ", ".join(where), copies)


def drop_duplicates(eng: Any, copies: pd.DataFrame | None = None) -> None:
    """From now on the engine's queries read the first copy of each row only.

    ``copies``: the copies :func:`count_duplicates` listed for these files (DuckDB), skipped
    by an anti-join; without them each query groups the rows by every column.
    """
    dia = DIALECTS[eng.source.dialect]
    if copies is not None and eng.source.dialect == "duckdb":
        eng.register("cx_copies", copies[["_file_idx", "_row"]].astype("int64"))
        eng.replace_files(NOT_COPIES_SQL.format(mapped=eng.mapped))
        return
    eng.replace_files(FIRST_COPIES_SQL.format(
        raw=eng.raw_columns, mapped=eng.mapped, pair=dia["pair"].format(a="_file_idx", b="_row"),
        unpair=dia["unpair"].format(p="_first")))
