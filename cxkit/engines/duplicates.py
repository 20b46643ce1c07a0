"""Exact duplicate rows of a transaction log, found and left out where the log is.

The pandas loader leaves out a row that repeats an earlier one in every column (an
export run twice, a part file copied) and reports it (``duplicates="exclude"``, the
default), or keeps it with a note (``duplicates="keep"``). A log left in its files gets
the same rule: :func:`count_duplicates` counts the extra copies over *all* the files'
columns (not only the three cxkit reads, so two purchases told apart by an order number
are not duplicates), and :func:`drop_duplicates` makes every later query read one copy
of each row, the first in file order.

Both are one GROUP BY over every column, as costly as a summary, so ``load_folder``
runs the second only when the first found copies.

Example
-------
>>> import pandas as pd, tempfile, pathlib
>>> from cxkit.engines import _engine
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> pd.DataFrame({"customer_id": ["a", "a", "a"], "date": ["2024-01-02"] * 3,
...               "amount": [5.0, 5.0, 7.0]}).to_csv(folder / "tx.csv", index=False)
>>> eng = _engine("duckdb", str(folder / "tx.csv"), None, None, None, None)
>>> count_duplicates(eng)
Duplicates(n_rows=1, examples='tx.csv row 2')
>>> eng.close()
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cxkit.data.contract import DUPLICATE_RULE
from cxkit.engines.sql import DIALECTS

__all__ = ["Duplicates", "count_duplicates", "drop_duplicates", "DUPLICATE_RULE"]

COUNT_SQL = """
SELECT SUM(n - 1) AS n_rows FROM (SELECT COUNT(*) AS n FROM cx_raw GROUP BY {raw} HAVING COUNT(*) > 1) AS copies
"""

EXAMPLES_SQL = """
SELECT _file_idx, _row FROM (
    SELECT _file_idx, _row, ROW_NUMBER() OVER (PARTITION BY {raw} ORDER BY _file_idx, _row) AS _copy FROM cx_raw
) AS numbered WHERE _copy > 1 ORDER BY _file_idx, _row LIMIT 5
"""

FIRST_COPIES_SQL = """
SELECT {mapped}, {unpair} FROM (SELECT {raw}, MIN({pair}) AS _first FROM cx_raw GROUP BY {raw}) AS firsts
"""


@dataclass(frozen=True)
class Duplicates:
    """Extra copies of rows (each copy after the first counts once) and where the first few are."""

    n_rows: int = 0
    examples: str = ""


def count_duplicates(eng: Any) -> Duplicates:
    """Count the rows that repeat an earlier row in every column of the files."""
    found = eng.query(COUNT_SQL.format(raw=eng.raw_columns)).iloc[0]["n_rows"]
    n = 0 if found is None or found != found else int(found)
    if not n:
        return Duplicates()
    rows = eng.query(EXAMPLES_SQL.format(raw=eng.raw_columns))
    files = eng.source.files
    where = [f"{files[int(i)] if files and 0 <= int(i) < len(files) else 'data'} row {int(r)}"
             for i, r in zip(rows["_file_idx"], rows["_row"])]
    return Duplicates(n, ", ".join(where))


def drop_duplicates(eng: Any) -> None:
    """From now on the engine's queries read the first copy of each row only."""
    dia = DIALECTS[eng.source.dialect]
    eng.replace_files(FIRST_COPIES_SQL.format(
        raw=eng.raw_columns, mapped=eng.mapped, pair=dia["pair"].format(a="_file_idx", b="_row"),
        unpair=dia["unpair"].format(p="_first")))
