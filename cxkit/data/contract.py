"""The rules of the data contract: table columns, how rows are read, checked and reported.

Shared by the per-table loaders (:mod:`cxkit.data.loaders`) and :func:`cxkit.data.load_folder`.
Each rule either passes a row, excludes it with a record in the exclusion report, notes a
decision taken by a stated rule, or raises :class:`cxkit.DataError`.
"""
from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cxkit import files as _files
from cxkit.data.options import ReadOptions
from cxkit.errors import DataError, data_error, require_columns
from cxkit.exclusions import AFTER_AS_OF_RULE, DUPLICATE_RULE, UNKNOWN_CUSTOMERS_RULE, Exclusion, exclusion_table
from cxkit.parsing import (
    clean_text,
    parse_dates,
    parse_timestamp,
    setting_for,
    to_number,
)
from cxkit.units import TENURE_UNITS

__all__ = ["DEFAULT_DRIVERS", "RATING_SCALES", "DRIVER_SCALE", "TABLES", "ACTIVITY_TABLES", "TENURE_UNITS",
           "exclusion_report",
           "notes_report"]


#: The six CX elements rated 1-5 in the default survey.
DEFAULT_DRIVERS: tuple[str, ...] = (
    "accountability",
    "clarity",
    "reliability",
    "availability",
    "quickness",
    "relevancy",
)

#: Allowed integer range of each headline survey score.
RATING_SCALES: dict[str, tuple[int, int]] = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}

#: Driver ratings use this scale.
DRIVER_SCALE: tuple[int, int] = (1, 5)

#: Table name -> required columns.
TABLES: dict[str, tuple[str, ...]] = {
    "customers": ("customer_id", "signup_date", "churn_date"),
    "transactions": ("customer_id", "date", "amount"),
    "surveys": ("customer_id", "date"),
    "contacts": ("customer_id", "date", "channel", "wait_minutes", "resolved_first_contact"),
}

#: The note on zero amounts, the same for a loaded table and a log left in its files.
ZERO_AMOUNT_NOTE = ("amount is zero: kept (neither purchase nor refund; the CLV summary's zero_spend_days rule "
                    "decides)")

#: Tables whose dates are customer activity: the default as_of is their last date.
ACTIVITY_TABLES: tuple[str, ...] = ("transactions", "surveys", "contacts")

_NOTE_COLUMNS = ["table", "column", "note", "n_rows"]
_SCORE_HINT = re.compile(r"nps|csat|ces|score|rating|satisf|recommend|effort", re.IGNORECASE)

Source = str | Path | pd.DataFrame


@dataclass
class _Reading:
    """One load as it reads: the options it reads by, and the lists that collect its report.

    ``excluded`` receives an :class:`~cxkit.exclusions.Exclusion` per rule that left rows
    out, ``notes`` a record per decision taken by a stated rule; ``used_keys`` are the
    column-mapping keys a table used (a flat mapping's unused key is an error).
    """

    options: ReadOptions = field(default_factory=ReadOptions)
    excluded: list[Exclusion] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)
    used_keys: set[str] = field(default_factory=set)
    strict_mapping: bool = True


def _reading(exclusions: list[Exclusion] | None, notes: list[dict[str, Any]] | None, **options: Any) -> _Reading:
    """A reading of one table by a loader called on its own: its options, and the caller's lists (if given)."""
    reading = _Reading(ReadOptions(**options))
    if exclusions is not None:
        reading.excluded = exclusions
    if notes is not None:
        reading.notes = notes
    return reading


# --------------------------------------------------------------------------- reports


def exclusion_report(exclusions: Sequence[Exclusion | Mapping[str, Any]] = ()) -> pd.DataFrame:
    """An exclusion report: one row per (table, rule) with the count of rows removed (``CXData.exclusions``).

    Example
    -------
    >>> exclusion_report([Exclusion("surveys", "row is entirely empty", 2, examples="5, 9")])
         table                   rule  n_rows example_rows
    0  surveys  row is entirely empty       2         5, 9
    """
    return exclusion_table(exclusions, "load")


def notes_report(rows: Sequence[Mapping[str, Any]] = ()) -> pd.DataFrame:
    """A notes report: one row per decision taken by a stated rule while reading."""
    df = pd.DataFrame(list(rows), columns=_NOTE_COLUMNS).astype({"n_rows": "int64"})
    return df.drop_duplicates(ignore_index=True)


def _exclusion(table: str, rule: str, rows: pd.DataFrame) -> Exclusion:
    """The rows ``rows`` of ``table`` left out under ``rule``, with the lines of the first five."""
    return Exclusion(table, rule, len(rows), examples=", ".join(str(i) for i in rows.index[:5]))


def _note(opts: _Reading, table: str, column: str, note: str, n_rows: int) -> None:
    if n_rows:
        opts.notes.append({"table": table, "column": column, "note": note, "n_rows": int(n_rows)})


# --------------------------------------------------------------------------- reading


def _read(source: Source, table: str, opts: _Reading) -> pd.DataFrame:
    """Read a file (or copy a DataFrame); text cells that are empty become missing.

    Rows are labelled by their line in the file (header = line 1) so errors point there.
    ``df.attrs["delimiter"]`` records a CSV's delimiter for number parsing.
    """
    delimiter = ","
    if isinstance(source, pd.DataFrame):
        df = source.copy()
        names = [str(c).strip() for c in df.columns]
        dup = sorted({c for c in names if names.count(c) > 1})
        if dup:
            raise DataError(f"table '{table}': column name(s) {dup} appear more than once", table=table,
                            column=dup[0], rule="unique column names")
        df.columns = names
    else:
        path = Path(source)
        if not path.exists():
            raise DataError(f"table '{table}': file not found: {path}", table=table, rule="file exists")
        if path.stat().st_size == 0:
            raise DataError(f"table '{table}': file is empty: {path}", table=table, rule="not empty")
        suffix = _files._suffix(path)
        if suffix in {".parquet", ".pq"}:
            df = _files.read_parquet(path, table)
        elif suffix in {".xlsx", ".xlsm"}:
            df = _files.read_excel_text(path, table)
        elif suffix in {".csv", ".csv.gz", ".txt", ".tsv"} or suffix.endswith(".gz"):
            df, how = _files.read_csv_text(path, table)
            delimiter = {"tab": "\t"}.get(how["delimiter"], how["delimiter"])
            if how["encoding"] != "UTF-8":
                _note(opts, table, "", f"file read as {how['encoding']} text ({path.name})", len(df))
            if how["delimiter"] != ",":
                _note(opts, table, "", f"columns separated by {how['delimiter']!r} ({path.name})", len(df))
        else:
            raise DataError(f"table '{table}': unsupported file type '{suffix}' ({path}); use .csv, .parquet "
                            "or .xlsx", table=table, rule="file type")
    for col in df.columns:
        if df[col].dtype == object or pd.api.types.is_string_dtype(df[col]):
            df[col] = clean_text(df[col])
    # A trailing delimiter in the header makes a column with no name and no values: say so, drop it.
    blank = [c for c in df.columns if str(c).startswith("Unnamed: ") and df[c].isna().all()]
    if blank:
        df = df.drop(columns=blank)
        _note(opts, table, "", f"{len(blank)} column(s) with no name and no values dropped (a trailing delimiter?)",
              len(df))
    if df.empty:
        raise DataError(f"table '{table}': has no rows", table=table, rule="not empty")
    df.attrs["delimiter"] = delimiter
    return df


def _lookup(columns: Sequence[str], name: str) -> str | None:
    """The column called ``name``: exactly, else case-insensitively (None if absent)."""
    if name in columns:
        return name
    hits = [c for c in columns if c.strip().lower() == name.strip().lower()]
    return hits[0] if len(hits) == 1 else None


def _rename(df: pd.DataFrame, columns: Mapping[str, str] | None, table: str, opts: _Reading) -> pd.DataFrame:
    """Apply the user's column mapping; a key that matches no column is an error."""
    if not columns:
        return df
    mapping: dict[str, str] = {}
    for key, target in columns.items():
        found = _lookup(list(df.columns), key)
        if found is None:
            if opts.strict_mapping:
                close = difflib.get_close_matches(key, list(map(str, df.columns)), n=1)
                raise DataError(
                    f"table '{table}': the column mapping names '{key}', which the table does not have"
                    + (f"; did you mean '{close[0]}'?" if close else "")
                    + f" (columns: {list(map(str, df.columns))})",
                    table=table, column=key, rule="column mapping")
            continue
        opts.used_keys.add(key)
        mapping[found] = target
    targets = list(mapping.values())
    twice = sorted({t for t in targets if targets.count(t) > 1})
    if twice:
        sources = [k for k, v in mapping.items() if v == twice[0]]
        raise DataError(f"table '{table}': the column mapping maps {sources} all to '{twice[0]}'; map only one "
                        "of them", table=table, column=twice[0], rule="column mapping")
    clash = [t for t in targets if t in df.columns and t not in mapping]
    if clash:
        raise DataError(
            f"table '{table}': mapping renames a column to {clash}, which the table already has; "
            "map or drop one of them",
            table=table,
            column=clash[0],
            rule="column mapping",
        )
    return df.rename(columns=mapping)


def _contract_names(df: pd.DataFrame, table: str, names: Sequence[str], opts: _Reading) -> pd.DataFrame:
    """Find contract columns whatever their case (``NPS`` is ``nps``), so they are validated."""
    rename = {}
    for name in names:
        if name in df.columns:
            continue
        hits = [c for c in df.columns if str(c).strip().lower() == name]
        if len(hits) > 1:
            raise DataError(f"table '{table}': columns {hits} all read as '{name}'; keep one", table=table,
                            column=name, rule="unique column names")
        if hits:
            rename[hits[0]] = name
    if rename:
        _note(opts, table, ", ".join(rename.values()), "column names matched ignoring case: "
              + ", ".join(f"{k} -> {v}" for k, v in rename.items()), len(df))
    return df.rename(columns=rename)


def _require(df: pd.DataFrame, table: str, required: Sequence[str]) -> None:
    missing = [c for c in required if c not in df.columns]
    require_columns(df, required, table, hint=(
        f"pass columns={{'your_name': '{missing[0]}'}} to map your own column names" if missing else None))


def _drop_blank_rows(df: pd.DataFrame, table: str, opts: _Reading) -> pd.DataFrame:
    blank = df.isna().all(axis=1)
    if blank.any():
        opts.excluded.append(_exclusion(table, "row is entirely empty", df[blank]))
        df = df[~blank]
    return df


def _drop_duplicate_rows(df: pd.DataFrame, table: str, opts: _Reading) -> pd.DataFrame:
    dup = df.duplicated(keep="first")
    if dup.any():
        if opts.options.duplicates == "keep":
            _note(opts, table, "", "exact duplicate rows kept (duplicates='keep')", int(dup.sum()))
        else:
            opts.excluded.append(_exclusion(table, DUPLICATE_RULE, df[dup]))
            df = df[~dup]
    return df


def _customer_ids(df: pd.DataFrame, table: str) -> pd.DataFrame:
    # Ids are labels, not numbers: keep them as strings so '007' stays '007'.
    ids = clean_text(df["customer_id"], as_str=True)
    bad = ids.isna()
    if bad.any():
        raise data_error(table, "customer_id", "customer_id must not be empty", df[bad])
    return df.assign(customer_id=ids.astype(str))


def _dates(df: pd.DataFrame, table: str, column: str, opts: _Reading, *, allow_missing: bool = False
           ) -> pd.DataFrame:
    parsed = parse_dates(
        df[column], table=table, column=column,
        date_format=setting_for(opts.options.date_format, table, column),
        dayfirst=setting_for(opts.options.dayfirst, table, column),
        timezone=setting_for(opts.options.timezone, table, column),
        notes=opts.notes, frame=df)
    if not allow_missing and parsed.isna().any():
        raise data_error(table, column, "date must not be empty",
                         df.loc[parsed.isna(), [c for c in ("customer_id", column) if c in df.columns]])
    return df.assign(**{column: parsed})


def _number(df: pd.DataFrame, table: str, column: str, opts: _Reading) -> pd.Series:
    return to_number(df[column], table=table, column=column, delimiter=df.attrs.get("delimiter", ","),
                     notes=opts.notes, frame=df)


def _check_rating(df: pd.DataFrame, table: str, column: str, lo: int, hi: int, opts: _Reading) -> pd.DataFrame:
    values = _number(df, table, column, opts)
    present = values.notna()
    bad = present & ((values < lo) | (values > hi) | (values != np.round(values)))
    if bad.any():
        raise data_error(
            table,
            column,
            f"rating must be a whole number from {lo} to {hi}",
            df.loc[bad, ["customer_id", column]],
        )
    df[column] = values.astype("Int64")
    return df


def _check_known_customers(df: pd.DataFrame, table: str, customers: pd.DataFrame | None,
                           unknown_customers: str, opts: _Reading) -> pd.DataFrame:
    if customers is None:
        return df
    unknown = ~df["customer_id"].isin(pd.Index(customers["customer_id"]))
    if not unknown.any():
        return df
    if unknown_customers == "exclude":
        opts.excluded.append(_exclusion(table, UNKNOWN_CUSTOMERS_RULE, df[unknown]))
        return df[~unknown]
    raise data_error(
        table,
        "customer_id",
        "customer_id not found in the customers table",
        df[unknown],
        hint="fix the ids, or pass unknown_customers='exclude' to drop these rows with a report",
    )


def _after_as_of(df: pd.DataFrame, table: str, column: str, as_of: pd.Timestamp | None,
                 opts: _Reading) -> pd.DataFrame:
    """Rows dated after the analysis date are excluded with a report (a later day is not yet known)."""
    if as_of is None:
        return df
    late = df[column].dt.normalize() > as_of
    if late.any():
        opts.excluded.append(_exclusion(table, AFTER_AS_OF_RULE.format(as_of=as_of.date()), df[late]))
        df = df[~late]
    return df


def _check_customer_dates(df: pd.DataFrame, table: str, customers: pd.DataFrame | None) -> None:
    """Activity must fall in the customer's life: not before signup; no purchase after churn."""
    if customers is None:
        return
    indexed = customers.set_index("customer_id")
    signup = df["customer_id"].map(indexed["signup_date"])
    early = df["date"].dt.normalize() < signup.dt.normalize()
    if early.any():
        rows = df.loc[early, ["customer_id", "date"]].assign(signup_date=signup[early])
        raise data_error(table, "date", "dated before the customer's signup_date", rows,
                         hint="fix signup_date or the dates; activity cannot come before a customer signs up")
    if table == "transactions":
        churn = df["customer_id"].map(indexed["churn_date"])
        late = (df["amount"] > 0) & (df["date"].dt.normalize() > churn.dt.normalize())
        if late.any():
            rows = df.loc[late, ["customer_id", "date", "amount"]].assign(churn_date=churn[late])
            raise data_error(table, "date", "purchase dated after the customer's churn_date", rows,
                             hint="fix churn_date or the purchases (refunds after churn are allowed)")


def _order(df: pd.DataFrame, first: Sequence[str], sort: Sequence[str], table: str = "",
           opts: _Reading | None = None) -> pd.DataFrame:
    if df.empty:
        rules = [f"{e.rule}: {e.rows} rows" for e in (opts.excluded if opts else []) if e.table == table]
        raise DataError(f"table '{table}': no rows left after the exclusions ({'; '.join(rules)}); nothing to "
                        "analyse", table=table, rule="rows left")
    cols = list(first) + [c for c in df.columns if c not in first]
    out = df[cols].sort_values(list(sort), kind="mergesort").reset_index(drop=True)
    out.attrs = {}
    return out


def _as_of_customers(df: pd.DataFrame, as_of: pd.Timestamp | None, opts: _Reading) -> pd.DataFrame:
    """Apply the analysis date to customers: later sign-ups are excluded, later churn is not yet churn."""
    if as_of is None:
        return df
    table = "customers"
    late = df["signup_date"].dt.normalize() > as_of
    if late.any():
        opts.excluded.append(_exclusion(table, f"signed up after as_of ({as_of.date()}), the analysis date",
                                        df[late]))
        df = df[~late].copy()
    future = df["churn_date"].dt.normalize() > as_of
    if future.any():
        _note(opts, table, "churn_date", f"churn_date after as_of ({as_of.date()}): a cancellation that had not "
              "happened by then, so the customer counts as active", int(future.sum()))
        df.loc[future, "churn_date"] = pd.NaT
    return df


def _begin(source: Source, table: str, columns: Mapping[str, str] | None, names: Sequence[str],
           opts: _Reading) -> pd.DataFrame:
    """Read a table and give its columns the contract's names (mapping first, then case)."""
    return _contract_names(_rename(_read(source, table, opts), columns, table, opts), table, names, opts)


def _clean_rows(df: pd.DataFrame, table: str, opts: _Reading) -> pd.DataFrame:
    """Rows every table shares rules for: empty rows, exact duplicates, customer ids."""
    return _customer_ids(_drop_duplicate_rows(_drop_blank_rows(df, table, opts), table, opts), table)


def _finish_activity(df: pd.DataFrame, table: str, as_of: pd.Timestamp | None, customers: pd.DataFrame | None,
                     unknown_customers: str, opts: _Reading) -> pd.DataFrame:
    """Activity rows: the as_of cut, known customers, dates within each customer's life; sorted."""
    df = _after_as_of(df, table, "date", as_of, opts)
    df = _check_known_customers(df, table, customers, unknown_customers, opts)
    _check_customer_dates(df, table, customers)
    return _order(df, TABLES[table], ["customer_id", "date"], table, opts)


def _as_of(as_of: Any) -> pd.Timestamp | None:
    ts = parse_timestamp(as_of, name="as_of")
    return None if ts is None else ts.normalize()
