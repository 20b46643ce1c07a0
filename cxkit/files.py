"""Finding and reading the table files of a data folder, without guessing silently.

A data folder holds up to four tables (``customers``, ``transactions``, ``surveys``,
``contacts``) as CSV, Parquet or Excel. Exports from real systems come with upper-case
names, a semicolon as delimiter, a decimal comma, Latin-1 or UTF-16 text, a stale copy
in another format beside the new one. This module finds each table's file by a stated
rule (name matched case-insensitively; two files for one table is an error) and reads
it into a frame of text (CSV/Excel) or typed columns (Parquet), with each row labelled
by its line in the file so that errors point there.

Example
-------
>>> from cxkit.files import find_table_files
>>> sorted(find_table_files("data/sample"))          # doctest: +SKIP
['contacts', 'customers', 'surveys', 'transactions']
"""
from __future__ import annotations

import csv
import io
import re
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from cxkit.errors import DataError

__all__ = ["TABLE_NAMES", "READABLE_SUFFIXES", "find_table_files", "unread_files", "log_size_mb", "read_csv_text",
           "read_parquet", "read_excel_text", "parquet_damage", "parquet_error"]

#: The table names of the data contract, in load order.
TABLE_NAMES: tuple[str, ...] = ("customers", "transactions", "surveys", "contacts")

#: File endings cxkit reads, lower case.
READABLE_SUFFIXES: tuple[str, ...] = (".csv", ".csv.gz", ".txt", ".tsv", ".parquet", ".pq", ".xlsx", ".xlsm")

# Endings we recognise but cannot read: named in an error, never skipped silently.
_UNREADABLE = {".xls": "old Excel (.xls): save it as .xlsx or .csv",
               ".json": "JSON: save it as .csv or .parquet",
               ".ods": "OpenDocument: save it as .xlsx or .csv",
               ".feather": "Feather: save it as .parquet"}

# Missing markers for numeric columns: only these and empty cells count as missing.
NUMERIC_MISSING = ("", "NA", "N/A", "NaN", "nan", "null", "NULL", "None", "-")


def _suffix(path: Path) -> str:
    name = path.name.lower()
    for suffix in sorted(READABLE_SUFFIXES + tuple(_UNREADABLE), key=len, reverse=True):
        if name.endswith(suffix):
            return suffix
    return path.suffix.lower()


def _stem(path: Path) -> str:
    return path.name[: len(path.name) - len(_suffix(path))].lower()


def find_table_files(folder: str | Path, files: Mapping[str, str] | None = None) -> dict[str, Path]:
    """Find the file of each table in ``folder``: one per table, or a :class:`DataError`.

    File names match the table name case-insensitively (``Customers.CSV`` is the
    customers table). Two files for one table (``customers.csv`` beside a stale
    ``customers.parquet``) is an error, never a silent preference; so is a table saved
    in a format cxkit cannot read (``.xls``). ``files`` names a table's file when it
    differs (``{"transactions": "orders.csv"}``). A folder ``transactions/`` holds a
    transaction log written in parts (beside a ``transactions.csv`` it is an error).

    Parameters
    ----------
    folder : the data folder.
    files : file names by table, relative to ``folder``.

    Returns
    -------
    dict table name -> path, for the tables present.

    Example
    -------
    >>> find_table_files("data/sample")["surveys"].name
    'surveys.csv'
    """
    folder = Path(folder)
    if folder.is_file():
        raise DataError(f"{folder} is a file, not a folder: pass the folder that holds the table files "
                        f"(e.g. {folder.parent}), and files={{'<table>': '{folder.name}'}} if its name differs",
                        rule="folder exists")
    if not folder.is_dir():
        raise DataError(f"data folder not found: {folder}", rule="folder exists")
    files = dict(files or {})
    unknown = set(files) - set(TABLE_NAMES)
    if unknown:
        raise DataError(f"files= names unknown table(s) {sorted(unknown)}; tables are {list(TABLE_NAMES)}",
                        rule="table name")
    entries = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith((".", "~$")))
    found: dict[str, Path] = {}
    for table in TABLE_NAMES:
        if table in files:
            path = folder / files[table]
            if not path.exists():
                matches = [p for p in entries if p.name.lower() == str(files[table]).lower()]
                if len(matches) != 1:
                    raise DataError(f"table '{table}': file not found: {path} (files={{'{table}': ...}})",
                                    table=table, rule="file exists")
                path = matches[0]
            found[table] = path
            continue
        claims = [p for p in entries if _stem(p) == table]
        if len(claims) > 1:
            raise DataError(
                f"table '{table}': {len(claims)} files claim this table: {[p.name for p in claims]}. "
                f"cxkit will not guess which is current: remove or rename the others, or pass "
                f"files={{'{table}': '{claims[0].name}'}}",
                table=table, rule="one file per table")
        if claims:
            path = claims[0]
            suffix = _suffix(path)
            if suffix in _UNREADABLE:
                raise DataError(f"table '{table}': {path.name} is {_UNREADABLE[suffix]}", table=table,
                                rule="file type")
            if suffix not in READABLE_SUFFIXES:
                raise DataError(f"table '{table}': unsupported file type '{suffix}' ({path.name}); "
                                "use .csv, .parquet or .xlsx", table=table, rule="file type")
            found[table] = path
    parts = [p for p in folder.iterdir() if p.is_dir() and p.name.lower() == "transactions"]
    if parts and "transactions" in found:
        raise DataError(f"two sources for the transactions table: {found['transactions'].name} and the "
                        f"folder {parts[0].name}/; keep one", table="transactions", rule="one source per table")
    if parts:  # a log written in parts (Parquet or CSV files in one folder)
        found["transactions"] = parts[0]
    return found


def unread_files(folder: str | Path, used: Sequence[Path]) -> list[str]:
    """Data-looking files in ``folder`` that no table uses (e.g. ``orders.csv``): listed, not hidden.

    Example
    -------
    >>> unread_files("data/sample", list(find_table_files("data/sample").values()))
    []
    """
    used_names = {Path(p).name for p in used}
    data_like = READABLE_SUFFIXES + tuple(_UNREADABLE)
    return sorted(p.name for p in Path(folder).iterdir()
                  if p.is_file() and p.name not in used_names and _suffix(p) in data_like)


def log_size_mb(source: str | Path) -> float:
    """Size on disk of a transactions file, or of every file in a folder of parts, in MB.

    ``load_folder`` leaves a log larger than its ``large_file_mb`` in its files.

    Example
    -------
    >>> round(log_size_mb("data/sample/transactions.csv"), 2)
    0.74
    """
    path = Path(source)
    parts = [p for p in path.iterdir() if p.is_file()] if path.is_dir() else [path]
    return sum(p.stat().st_size for p in parts) / 1e6


# --------------------------------------------------------------------------- reading


def _decode(raw: bytes, path: Path, table: str) -> tuple[str, str]:
    """Bytes -> text by a stated rule: a BOM decides; else UTF-8; else Latin-1 (cp1252)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), "UTF-16"
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="strict"), "UTF-8"
    if len(raw) >= 4 and raw[1:4:2] == b"\x00\x00" and raw[0:1] != b"\x00":
        try:
            return raw.decode("utf-16-le"), "UTF-16"
        except UnicodeDecodeError:
            pass
    try:
        return raw.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError as exc:
        try:
            return raw.decode("cp1252"), "Windows-1252 (Latin-1)"
        except UnicodeDecodeError:
            raise DataError(f"table '{table}': {path.name} is not UTF-8 text (byte {exc.start}); "
                            "save it as UTF-8 CSV", table=table, rule="text encoding") from None


def _sniff_delimiter(text: str, path: Path, table: str) -> str:
    """The delimiter of the header line: comma, semicolon, tab or pipe (the most frequent)."""
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    if counts[best] == 0:
        return ","
    tied = [d for d, n in counts.items() if n == counts[best]]
    if len(tied) > 1:
        raise DataError(f"table '{table}': cannot tell the delimiter of {path.name} from its header "
                        f"({tied} appear equally often); save it as comma-separated CSV",
                        table=table, rule="CSV delimiter")
    return best


def _line_numbers(text: str, delimiter: str, n_rows: int) -> pd.RangeIndex | pd.Index:
    """The physical line each data row starts on (blank lines skipped, quoted newlines counted)."""
    if '"' not in text and not re.search(r"\n[ \t]*\n", text.rstrip("\n")):
        return pd.RangeIndex(2, n_rows + 2, name="line")   # one line per row: no need to count
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    lines = []
    next(reader, None)
    start = reader.line_num + 1
    for record in reader:
        if any(cell != "" for cell in record):
            lines.append(start)
        start = reader.line_num + 1
    if len(lines) != n_rows:  # the csv module and pandas disagree: fall back to row order
        return pd.RangeIndex(2, n_rows + 2, name="line")
    return pd.Index(lines, name="line")


def _check_header(columns: Sequence[str], path: Path, table: str) -> None:
    names = [str(c).strip() for c in columns]
    dup = sorted({c for c in names if names.count(c) > 1})
    if dup:
        raise DataError(f"table '{table}': {path.name} has the column name(s) {dup} more than once in its "
                        "header; rename or delete the extra column", table=table, column=dup[0],
                        rule="unique column names")


def read_csv_text(path: Path, table: str) -> tuple[pd.DataFrame, dict[str, str]]:
    """Read a CSV as text columns; returns the frame and how it was read (encoding, delimiter)."""
    raw = path.read_bytes()
    if path.name.lower().endswith(".gz"):
        import gzip

        raw = gzip.decompress(raw)
    text, encoding = _decode(raw, path, table)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise DataError(f"table '{table}': file is empty: {path}", table=table, rule="not empty")
    delimiter = "\t" if _suffix(path) == ".tsv" else _sniff_delimiter(text, path, table)
    header = next(csv.reader(io.StringIO(text), delimiter=delimiter))
    _check_header(header, path, table)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            df = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False,
                             skip_blank_lines=True, index_col=False)
        if any(issubclass(w.category, pd.errors.ParserWarning) for w in caught):
            _too_many_fields(text, delimiter, len(header), path, table)
    except pd.errors.ParserError as exc:
        _too_many_fields(text, delimiter, len(header), path, table)
        raise DataError(f"table '{table}': {path.name} is not a well-formed CSV ({exc}); check the "
                        "delimiter and quotes", table=table, rule="CSV format") from None
    df.columns = [str(c).strip() for c in df.columns]
    df.index = _line_numbers(text, delimiter, len(df))
    return df, {"encoding": encoding, "delimiter": {"\t": "tab"}.get(delimiter, delimiter)}


def _too_many_fields(text: str, delimiter: str, n_header: int, path: Path, table: str) -> None:
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    next(reader, None)
    bad = []
    start = reader.line_num + 1
    for record in reader:
        if len(record) > n_header:
            bad.append((start, len(record)))
        start = reader.line_num + 1
    if not bad:
        return
    lines = ", ".join(f"line {n} ({k} fields)" for n, k in bad[:5])
    raise DataError(f"table '{table}': {path.name} has rows with more fields than its header's {n_header} "
                    f"({len(bad)} rows: {lines}); a value with the delimiter {delimiter!r} inside needs quotes",
                    table=table, rule="fields match header", n_rows=len(bad))


def parquet_damage(path: str | Path) -> str:
    """Where a Parquet file fails to read: its first unreadable row group and that group's rows (from 1).

    A file whose footer is intact but whose pages are corrupt opens, then fails part-way;
    this reads it one row group at a time so that the message can say which rows are
    lost. Returns "" when the footer itself is unreadable or every group reads.

    Example
    -------
    >>> parquet_damage("data/sample/transactions.parquet")   # doctest: +SKIP
    'row group 2 of 4 (rows 1,048,577-2,097,152)'
    """
    import pyarrow.parquet as pq

    try:
        file = pq.ParquetFile(path)
    except Exception:  # the footer is damaged: no row groups to tell apart
        return ""
    first = 1
    groups = file.metadata.num_row_groups
    for i in range(groups):
        n = file.metadata.row_group(i).num_rows
        try:
            file.read_row_group(i)
        except Exception:  # pyarrow raises OSError, ArrowInvalid... for a damaged page
            return f"row group {i + 1} of {groups} (rows {first:,}-{first + n - 1:,})"
        first += n
    return ""


def parquet_error(path: str | Path, table: str, exc: BaseException) -> DataError:
    """The :class:`DataError` for a Parquet file that would not read: the file, the rows lost, the cause."""
    name = Path(path).name
    where = parquet_damage(path)
    cause = str(exc).strip().split("\n")[0][:200]
    return DataError(f"table '{table}': {name} could not be read as Parquet"
                     f"{f' in {where}' if where else ''} ({type(exc).__name__}: {cause}); export it again",
                     table=table, rule="readable file")


def read_parquet(path: Path, table: str) -> pd.DataFrame:
    """Read Parquet; a damaged file is a :class:`DataError` naming it (and the rows lost, when the footer reads)."""
    try:
        df = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several types for damaged files
        raise parquet_error(path, table, exc) from None
    _check_header(list(df.columns), path, table)
    df.index = pd.RangeIndex(0, len(df), name="row")
    return df


def read_excel_text(path: Path, table: str) -> pd.DataFrame:
    """Read the first sheet of an .xlsx file as text columns, rows labelled by sheet row."""
    try:
        book = pd.ExcelFile(path, engine="openpyxl")
    except Exception as exc:
        raise DataError(f"table '{table}': {path.name} could not be read as Excel ({type(exc).__name__}); "
                        "save it as .xlsx or .csv", table=table, rule="readable file") from None
    with book:
        if len(book.sheet_names) > 1:
            raise DataError(f"table '{table}': {path.name} has {len(book.sheet_names)} sheets "
                            f"{book.sheet_names}; cxkit will not guess which one: keep one sheet, or save "
                            "it as CSV", table=table, rule="one sheet")
        df = book.parse(book.sheet_names[0], dtype=object, keep_default_na=False, na_values=[])
    _check_header([str(c) for c in df.columns], path, table)
    df.columns = [str(c).strip() for c in df.columns]
    df.index = pd.RangeIndex(2, len(df) + 2, name="line")
    return df
