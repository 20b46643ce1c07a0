"""The data contract: load, validate and tidy the four cxkit tables.

Every notebook starts here. A folder holds up to four tables, each a CSV or Parquet
file (or the caller passes DataFrames):

==============  ==================================================================
table           columns
==============  ==================================================================
customers       customer_id (unique), signup_date, churn_date (empty while active),
                optional descriptive columns (plan, region, channel, ...)
transactions    customer_id, date, amount (refunds negative)
surveys         customer_id, date, any of nps (0-10), csat (1-5), ces (1-7) and
                driver ratings (1-5; default the six CX elements, configurable)
contacts        customer_id, date, channel, wait_minutes, resolved_first_contact
==============  ==================================================================

Bad input raises :class:`cxkit.DataError` naming the table, column, rule, count and up
to five offending rows. Rows removed by a documented rule are listed in an exclusion
report (``CXData.exclusions``); nothing is dropped silently.

Example
-------
>>> from cxkit.data import load_folder
>>> cx = load_folder("data/sample")                       # doctest: +SKIP
>>> cx.summary()                                          # doctest: +SKIP
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cxkit.errors import DataError, data_error, require_columns

__all__ = [
    "DEFAULT_DRIVERS",
    "RATING_SCALES",
    "TABLES",
    "CXData",
    "load_folder",
    "load_customers",
    "load_transactions",
    "load_surveys",
    "load_contacts",
    "exclusion_report",
]

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

_EXCLUSION_COLUMNS = ["table", "rule", "n_rows", "example_rows"]

_TRUE = {"true", "t", "yes", "y", "1", "1.0"}
_FALSE = {"false", "f", "no", "n", "0", "0.0"}

Source = str | Path | pd.DataFrame


# --------------------------------------------------------------------------- helpers


def exclusion_report(rows: Sequence[Mapping[str, Any]] = ()) -> pd.DataFrame:
    """An exclusion report: one row per (table, rule) with the count of rows removed."""
    return pd.DataFrame(list(rows), columns=_EXCLUSION_COLUMNS).astype({"n_rows": "int64"})


def _exclusion(table: str, rule: str, rows: pd.DataFrame) -> dict[str, Any]:
    return {
        "table": table,
        "rule": rule,
        "n_rows": int(len(rows)),
        "example_rows": ", ".join(str(i) for i in rows.index[:5]),
    }


def _read(source: Source, table: str) -> pd.DataFrame:
    """Read a CSV/Parquet file or copy a DataFrame; row labels are file line numbers."""
    if isinstance(source, pd.DataFrame):
        df = source.copy()
    else:
        path = Path(source)
        if not path.exists():
            raise DataError(f"table '{table}': file not found: {path}", table=table, rule="file exists")
        if path.stat().st_size == 0:
            raise DataError(f"table '{table}': file is empty: {path}", table=table, rule="not empty")
        suffix = path.suffix.lower()
        if suffix == ".parquet":
            df = pd.read_parquet(path)
        elif suffix in {".csv", ".txt", ".gz"}:
            try:
                df = pd.read_csv(path, dtype=str, keep_default_na=True)
            except pd.errors.EmptyDataError:
                raise DataError(
                    f"table '{table}': file is empty: {path}", table=table, rule="not empty"
                ) from None
        else:
            raise DataError(
                f"table '{table}': unsupported file type '{suffix}' ({path}); use .csv or .parquet",
                table=table,
                rule="file type",
            )
        # Label rows by their line in the file (header is line 1) so errors point there.
        df.index = pd.RangeIndex(2, len(df) + 2, name="line") if suffix != ".parquet" else df.index
    if df.empty:
        raise DataError(f"table '{table}': has no rows", table=table, rule="not empty")
    return df


def _rename(df: pd.DataFrame, columns: Mapping[str, str] | None, table: str) -> pd.DataFrame:
    if not columns:
        return df
    mapping = {k: v for k, v in columns.items() if k in df.columns}
    targets = list(mapping.values())
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


def _require(df: pd.DataFrame, table: str, required: Sequence[str]) -> None:
    missing = [c for c in required if c not in df.columns]
    require_columns(df, required, table, hint=(
        f"pass columns={{'your_name': '{missing[0]}'}} to map your own column names" if missing else None))


def _drop_blank_rows(df: pd.DataFrame, table: str, excluded: list[dict[str, Any]]) -> pd.DataFrame:
    blank = df.isna().all(axis=1)
    if blank.any():
        excluded.append(_exclusion(table, "row is entirely empty", df[blank]))
        df = df[~blank]
    return df


def _customer_ids(df: pd.DataFrame, table: str) -> pd.DataFrame:
    # Ids are labels, not numbers: keep them as strings so '007' stays '007'.
    ids = df["customer_id"].astype(str).str.strip()
    bad = df["customer_id"].isna() | (ids == "")
    if bad.any():
        raise data_error(table, "customer_id", "customer_id must not be empty", df[bad])
    df["customer_id"] = ids
    return df


def _parse_dates(
    df: pd.DataFrame, table: str, column: str, *, allow_missing: bool = False
) -> pd.DataFrame:
    raw = df[column]
    if pd.api.types.is_datetime64_any_dtype(raw):
        parsed = raw
        if getattr(parsed.dt, "tz", None) is not None:
            parsed = parsed.dt.tz_convert(None)
    else:
        text = raw.astype("string").str.strip()
        text = text.mask(text == "")
        parsed = pd.to_datetime(text, errors="coerce", format="mixed")
        unparsed = parsed.isna() & text.notna()
        if unparsed.any():
            raise data_error(
                table,
                column,
                "date could not be parsed (use ISO dates such as 2024-03-31)",
                df.loc[unparsed, [c for c in ("customer_id", column) if c in df.columns]],
            )
    if not allow_missing and parsed.isna().any():
        raise data_error(
            table,
            column,
            "date must not be empty",
            df.loc[parsed.isna(), [c for c in ("customer_id", column) if c in df.columns]],
        )
    df[column] = parsed.astype("datetime64[ns]")
    return df


def _to_number(df: pd.DataFrame, table: str, column: str) -> pd.Series:
    raw = df[column]
    if pd.api.types.is_bool_dtype(raw):
        raise data_error(table, column, "must be numeric, got true/false values", df[[column]].head())
    if pd.api.types.is_numeric_dtype(raw):
        return raw.astype(float)
    values = pd.to_numeric(raw, errors="coerce")
    text = raw.astype("string").str.strip()
    wrong = values.isna() & text.notna() & (text != "")
    if wrong.any():
        raise data_error(
            table,
            column,
            "must be numeric",
            df.loc[wrong, [c for c in ("customer_id", column) if c in df.columns]],
        )
    return values.astype(float)


def _check_rating(df: pd.DataFrame, table: str, column: str, lo: int, hi: int) -> pd.DataFrame:
    values = _to_number(df, table, column)
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


def _check_known_customers(
    df: pd.DataFrame,
    table: str,
    known: pd.Index | None,
    unknown_customers: str,
    excluded: list[dict[str, Any]],
) -> pd.DataFrame:
    if known is None:
        return df
    unknown = ~df["customer_id"].isin(known)
    if not unknown.any():
        return df
    if unknown_customers == "exclude":
        excluded.append(_exclusion(table, "customer_id not in customers table", df[unknown]))
        return df[~unknown]
    raise data_error(
        table,
        "customer_id",
        "customer_id not found in the customers table",
        df[unknown],
        hint="fix the ids, or pass unknown_customers='exclude' to drop these rows with a report",
    )


def _check_not_after(df: pd.DataFrame, table: str, column: str, as_of: pd.Timestamp | None) -> None:
    if as_of is None:
        return
    late = df[column] > as_of
    if late.any():
        raise data_error(
            table,
            column,
            f"date is after as_of ({as_of.date()})",
            df.loc[late, ["customer_id", column]],
            hint="pass a later as_of, or filter the table to the analysis period first",
        )


def _order(df: pd.DataFrame, first: Sequence[str], sort: Sequence[str]) -> pd.DataFrame:
    cols = list(first) + [c for c in df.columns if c not in first]
    return df[cols].sort_values(list(sort), kind="mergesort").reset_index(drop=True)


def _as_timestamp(as_of: Any) -> pd.Timestamp | None:
    if as_of is None:
        return None
    ts = pd.Timestamp(as_of)
    if pd.isna(ts):
        raise DataError(f"as_of could not be read as a date: {as_of!r}", rule="as_of date")
    return ts


# --------------------------------------------------------------------------- loaders


def load_customers(
    source: Source,
    *,
    columns: Mapping[str, str] | None = None,
    as_of: Any = None,
    exclusions: list[dict[str, Any]] | None = None,
) -> pd.DataFrame:
    """Load and validate the customers table.

    One row per customer with the signup date and, for customers who left, the churn
    date: the basis of every tenure and survival figure.

    Parameters
    ----------
    source : path to a CSV/Parquet file, or a DataFrame.
    columns : mapping from your column names to the contract's, e.g. ``{"cust": "customer_id"}``.
    as_of : optional analysis date; signup or churn dates after it are an error.
    exclusions : a list that receives exclusion records (see :func:`exclusion_report`).

    Returns
    -------
    DataFrame sorted by ``customer_id`` with datetime ``signup_date`` and ``churn_date``
    (NaT while active), other columns kept as they are.

    Example
    -------
    >>> customers = load_customers(pd.DataFrame({"customer_id": ["a"],
    ...     "signup_date": ["2024-01-05"], "churn_date": [None]}))
    >>> bool(customers["churn_date"].isna().all())
    True
    """
    table = "customers"
    excluded = exclusions if exclusions is not None else []
    as_of = _as_timestamp(as_of)
    df = _rename(_read(source, table), columns, table)
    if "churn_date" not in df.columns and "customer_id" in df.columns and "signup_date" in df.columns:
        # A table with no churn column describes customers who are all still active.
        df["churn_date"] = pd.NaT
    _require(df, table, TABLES[table])
    df = _drop_blank_rows(df, table, excluded)
    df = _customer_ids(df, table)
    dup = df["customer_id"].duplicated(keep=False)
    if dup.any():
        raise data_error(table, "customer_id", "customer_id must be unique", df[dup].sort_values("customer_id"))
    df = _parse_dates(df, table, "signup_date")
    df = _parse_dates(df, table, "churn_date", allow_missing=True)
    negative = df["churn_date"] < df["signup_date"]
    if negative.any():
        raise data_error(
            table,
            "churn_date",
            "churn_date is before signup_date (negative tenure)",
            df.loc[negative, ["customer_id", "signup_date", "churn_date"]],
        )
    _check_not_after(df, table, "signup_date", as_of)
    _check_not_after(df.dropna(subset=["churn_date"]), table, "churn_date", as_of)
    return _order(df, TABLES[table], ["customer_id"])


def load_transactions(
    source: Source,
    *,
    columns: Mapping[str, str] | None = None,
    customers: pd.DataFrame | None = None,
    as_of: Any = None,
    unknown_customers: str = "raise",
    exclusions: list[dict[str, Any]] | None = None,
) -> pd.DataFrame:
    """Load and validate the transactions table.

    Purchases are the raw material of spend, value segments and CLV. Refunds are
    negative amounts and are kept (flagged in ``is_refund``) so later steps handle them
    by an explicit rule; rows with an amount of exactly zero are neither and are
    excluded with a report.

    Parameters
    ----------
    source : path to a CSV/Parquet file, or a DataFrame.
    columns : mapping from your column names to the contract's.
    customers : validated customers table; when given, unknown ids are an error
        (or excluded with a report if ``unknown_customers="exclude"``).
    as_of : optional analysis date; transactions after it are an error.
    exclusions : a list that receives exclusion records.

    Returns
    -------
    DataFrame sorted by ``customer_id`` and ``date`` with float ``amount`` and a boolean
    ``is_refund`` column.

    Example
    -------
    >>> tx = load_transactions(pd.DataFrame({"customer_id": ["a", "a"],
    ...     "date": ["2024-01-05", "2024-02-01"], "amount": [20.0, -5.0]}))
    >>> int(tx["is_refund"].sum())
    1
    """
    table = "transactions"
    excluded = exclusions if exclusions is not None else []
    as_of = _as_timestamp(as_of)
    df = _rename(_read(source, table), columns, table)
    _require(df, table, TABLES[table])
    df = _drop_blank_rows(df, table, excluded)
    df = _customer_ids(df, table)
    df = _parse_dates(df, table, "date")
    df["amount"] = _to_number(df, table, "amount")
    missing = df["amount"].isna()
    if missing.any():
        raise data_error(table, "amount", "amount must not be empty", df.loc[missing, ["customer_id", "date", "amount"]])
    zero = df["amount"] == 0
    if zero.any():
        excluded.append(_exclusion(table, "amount is zero (neither purchase nor refund)", df[zero]))
        df = df[~zero]
    df = _check_known_customers(df, table, _known(customers), unknown_customers, excluded)
    _check_not_after(df, table, "date", as_of)
    if customers is not None:
        _check_not_before_signup(df, table, customers)
    df["is_refund"] = df["amount"] < 0
    return _order(df, TABLES[table], ["customer_id", "date"])


def load_surveys(
    source: Source,
    *,
    columns: Mapping[str, str] | None = None,
    drivers: Sequence[str] | None = None,
    customers: pd.DataFrame | None = None,
    as_of: Any = None,
    unknown_customers: str = "raise",
    exclusions: list[dict[str, Any]] | None = None,
) -> pd.DataFrame:
    """Load and validate survey responses (NPS, CSAT, CES and driver ratings).

    One row per response; unanswered questions are missing values. A response that
    answers none of the score or driver questions carries no information and is
    excluded with a report.

    Parameters
    ----------
    source : path to a CSV/Parquet file, or a DataFrame.
    columns : mapping from your column names to the contract's.
    drivers : names of driver-rating columns (1-5). ``None`` uses those of
        :data:`DEFAULT_DRIVERS` that the table has; an explicit list must all be present.
    customers, as_of, unknown_customers, exclusions : as in :func:`load_transactions`.

    Returns
    -------
    DataFrame sorted by ``customer_id`` and ``date``; ratings as nullable integers.
    The driver columns found are stored in ``df.attrs["drivers"]``.

    Example
    -------
    >>> s = load_surveys(pd.DataFrame({"customer_id": ["a"], "date": ["2024-03-01"],
    ...     "nps": [9], "csat": [5]}))
    >>> s.attrs["drivers"]
    []
    """
    table = "surveys"
    excluded = exclusions if exclusions is not None else []
    as_of = _as_timestamp(as_of)
    df = _rename(_read(source, table), columns, table)
    _require(df, table, TABLES[table])
    if drivers is None:
        drivers = [d for d in DEFAULT_DRIVERS if d in df.columns]
    else:
        drivers = list(drivers)
        _require(df, table, drivers)
    scores = [c for c in RATING_SCALES if c in df.columns]
    if not scores and not drivers:
        raise DataError(
            f"table '{table}': no score column found; expected at least one of "
            f"{list(RATING_SCALES) + list(DEFAULT_DRIVERS)} (found: {list(df.columns)})",
            table=table,
            column="nps",
            rule="at least one score column",
        )
    df = _drop_blank_rows(df, table, excluded)
    df = _customer_ids(df, table)
    df = _parse_dates(df, table, "date")
    for col in scores:
        df = _check_rating(df, table, col, *RATING_SCALES[col])
    for col in drivers:
        if col in RATING_SCALES:
            continue
        df = _check_rating(df, table, col, *DRIVER_SCALE)
    unanswered = df[scores + list(drivers)].isna().all(axis=1)
    if unanswered.any():
        excluded.append(_exclusion(table, "response answers no score or driver question", df[unanswered]))
        df = df[~unanswered]
    df = _check_known_customers(df, table, _known(customers), unknown_customers, excluded)
    _check_not_after(df, table, "date", as_of)
    out = _order(df, TABLES[table], ["customer_id", "date"])
    out.attrs["drivers"] = list(drivers)
    return out


def load_contacts(
    source: Source,
    *,
    columns: Mapping[str, str] | None = None,
    customers: pd.DataFrame | None = None,
    as_of: Any = None,
    unknown_customers: str = "raise",
    exclusions: list[dict[str, Any]] | None = None,
) -> pd.DataFrame:
    """Load and validate customer-service contacts.

    Each row is one interaction; waits and first-contact resolution are the service
    experiences that the churn notebook links to customers leaving.

    Parameters
    ----------
    source : path to a CSV/Parquet file, or a DataFrame.
    columns : mapping from your column names to the contract's.
    customers, as_of, unknown_customers, exclusions : as in :func:`load_transactions`.

    Returns
    -------
    DataFrame sorted by ``customer_id`` and ``date``; ``wait_minutes`` float (>= 0),
    ``resolved_first_contact`` boolean (true/false, yes/no, 1/0 are accepted).

    Example
    -------
    >>> c = load_contacts(pd.DataFrame({"customer_id": ["a"], "date": ["2024-03-01"],
    ...     "channel": ["phone"], "wait_minutes": [4.5], "resolved_first_contact": ["yes"]}))
    >>> bool(c.loc[0, "resolved_first_contact"])
    True
    """
    table = "contacts"
    excluded = exclusions if exclusions is not None else []
    as_of = _as_timestamp(as_of)
    df = _rename(_read(source, table), columns, table)
    _require(df, table, TABLES[table])
    df = _drop_blank_rows(df, table, excluded)
    df = _customer_ids(df, table)
    df = _parse_dates(df, table, "date")
    df["channel"] = df["channel"].astype("string").str.strip()
    if df["channel"].isna().any():
        raise data_error(table, "channel", "channel must not be empty", df[df["channel"].isna()])
    wait = _to_number(df, table, "wait_minutes")
    bad = wait < 0
    if bad.any():
        raise data_error(table, "wait_minutes", "wait_minutes must be >= 0", df.loc[bad, ["customer_id", "date", "wait_minutes"]])
    df["wait_minutes"] = wait
    df["resolved_first_contact"] = _to_bool(df, table, "resolved_first_contact")
    df = _check_known_customers(df, table, _known(customers), unknown_customers, excluded)
    _check_not_after(df, table, "date", as_of)
    return _order(df, TABLES[table], ["customer_id", "date"])


def _to_bool(df: pd.DataFrame, table: str, column: str) -> pd.Series:
    raw = df[column]
    if pd.api.types.is_bool_dtype(raw):
        return raw.astype("boolean")
    text = raw.astype("string").str.strip().str.lower()
    out = pd.Series(pd.NA, index=df.index, dtype="boolean")
    out[text.isin(_TRUE)] = True
    out[text.isin(_FALSE)] = False
    bad = out.isna() & text.notna()
    if bad.any():
        raise data_error(
            table, column, "must be true/false (also accepted: yes/no, y/n, 1/0)", df.loc[bad, ["customer_id", column]]
        )
    return out


def _known(customers: pd.DataFrame | None) -> pd.Index | None:
    return None if customers is None else pd.Index(customers["customer_id"])


def _check_not_before_signup(df: pd.DataFrame, table: str, customers: pd.DataFrame) -> None:
    signup = df["customer_id"].map(customers.set_index("customer_id")["signup_date"])
    early = df["date"].dt.normalize() < signup.dt.normalize()
    if early.any():
        rows = df.loc[early, ["customer_id", "date"]].assign(signup_date=signup[early])
        raise data_error(table, "date", "dated before the customer's signup_date", rows)


# --------------------------------------------------------------------------- folders


@dataclass
class CXData:
    """The validated tables of one data folder, plus what was excluded and why.

    Attributes
    ----------
    customers, transactions, surveys, contacts : DataFrame or None (absent table).
    exclusions : DataFrame with one row per (table, rule): rows removed and why.
    drivers : the driver-rating columns found in ``surveys``.
    as_of : the analysis date (given, or the latest date seen in any table).
    """

    customers: pd.DataFrame | None = None
    transactions: pd.DataFrame | None = None
    surveys: pd.DataFrame | None = None
    contacts: pd.DataFrame | None = None
    exclusions: pd.DataFrame = field(default_factory=exclusion_report)
    drivers: list[str] = field(default_factory=list)
    as_of: pd.Timestamp | None = None

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables that are present, by name."""
        return {n: getattr(self, n) for n in TABLES if getattr(self, n) is not None}

    def require(self, *names: str) -> None:
        """Raise :class:`DataError` unless every named table is present."""
        missing = [n for n in names if getattr(self, n) is None]
        if missing:
            raise DataError(
                f"this analysis needs the table(s) {missing}, which the data folder does not have",
                table=missing[0],
                rule="table present",
            )

    def summary(self) -> pd.DataFrame:
        """One row per table: rows, distinct customers, date range and rows excluded."""
        rows = []
        for name in TABLES:
            df = getattr(self, name)
            if df is None:
                rows.append({"table": name, "rows": 0, "customers": 0, "first_date": pd.NaT,
                             "last_date": pd.NaT, "excluded_rows": 0, "present": False})
                continue
            date_col = "signup_date" if name == "customers" else "date"
            ex = self.exclusions.loc[self.exclusions["table"] == name, "n_rows"].sum()
            rows.append({
                "table": name,
                "rows": len(df),
                "customers": df["customer_id"].nunique(),
                "first_date": df[date_col].min(),
                "last_date": df[date_col].max(),
                "excluded_rows": int(ex),
                "present": True,
            })
        return pd.DataFrame(rows)


def _find_file(folder: Path, name: str, files: Mapping[str, str] | None) -> Path | None:
    if files and name in files:
        return folder / files[name]
    for suffix in (".parquet", ".csv", ".csv.gz"):
        path = folder / f"{name}{suffix}"
        if path.exists():
            return path
    return None


def _columns_for(columns: Mapping[str, Any] | None, table: str) -> Mapping[str, str] | None:
    if not columns:
        return None
    if any(isinstance(v, Mapping) for v in columns.values()):
        return columns.get(table)
    return columns


def load_folder(
    path: str | Path | None = None,
    *,
    tables: Mapping[str, pd.DataFrame] | None = None,
    columns: Mapping[str, Any] | None = None,
    files: Mapping[str, str] | None = None,
    drivers: Sequence[str] | None = None,
    as_of: Any = None,
    unknown_customers: str = "raise",
) -> CXData:
    """Load every table of a data folder (or a dict of DataFrames) and validate it.

    One call gives a notebook its validated tables and the report of anything excluded,
    so the analyst sees at once what went in.

    Parameters
    ----------
    path : folder holding ``customers``, ``transactions``, ``surveys`` and ``contacts``
        as ``.csv`` or ``.parquet``; absent tables are allowed.
    tables : DataFrames by table name, instead of (or on top of) files.
    columns : mapping of your column names to the contract's; either one flat mapping
        for all tables or ``{"transactions": {...}, "surveys": {...}}``.
    files : file names by table when they differ from the default, e.g.
        ``{"transactions": "orders.csv"}``.
    drivers : driver-rating columns of the survey (default: those of
        :data:`DEFAULT_DRIVERS` present).
    as_of : analysis date; dates after it are an error. Default: the latest date seen.
    unknown_customers : ``"raise"`` (default) or ``"exclude"`` rows whose customer is
        not in the customers table.

    Returns
    -------
    CXData

    Example
    -------
    >>> cx = load_folder("data/sample")                       # doctest: +SKIP
    >>> cx.exclusions                                         # doctest: +SKIP
    """
    if unknown_customers not in {"raise", "exclude"}:
        raise ValueError("unknown_customers must be 'raise' or 'exclude'")
    sources: dict[str, Source] = {}
    if path is not None:
        folder = Path(path)
        if not folder.is_dir():
            raise DataError(f"data folder not found: {folder}", rule="folder exists")
        for name in TABLES:
            found = _find_file(folder, name, files)
            if found is not None:
                sources[name] = found
    sources.update(tables or {})
    unknown = set(sources) - set(TABLES)
    if unknown:
        raise DataError(f"unknown table name(s) {sorted(unknown)}; expected {list(TABLES)}", rule="table name")
    if not sources:
        raise DataError(
            f"no tables found in {path}: expected files named {[t + '.csv' for t in TABLES]} (or .parquet)",
            rule="table present",
        )
    as_of_ts = _as_timestamp(as_of)
    excluded: list[dict[str, Any]] = []
    data = CXData()
    if "customers" in sources:
        data.customers = load_customers(
            sources["customers"], columns=_columns_for(columns, "customers"), as_of=as_of_ts, exclusions=excluded
        )
    common = dict(customers=data.customers, as_of=as_of_ts, unknown_customers=unknown_customers, exclusions=excluded)
    if "transactions" in sources:
        data.transactions = load_transactions(
            sources["transactions"], columns=_columns_for(columns, "transactions"), **common
        )
    if "surveys" in sources:
        data.surveys = load_surveys(
            sources["surveys"], columns=_columns_for(columns, "surveys"), drivers=drivers, **common
        )
        data.drivers = list(data.surveys.attrs["drivers"])
    if "contacts" in sources:
        data.contacts = load_contacts(sources["contacts"], columns=_columns_for(columns, "contacts"), **common)
    data.exclusions = exclusion_report(excluded)
    if as_of_ts is None:
        seen = [
            df[c].max()
            for df, c in (
                (data.customers, "signup_date"),
                (data.customers, "churn_date"),
                (data.transactions, "date"),
                (data.surveys, "date"),
                (data.contacts, "date"),
            )
            if df is not None and df[c].notna().any()
        ]
        as_of_ts = max(seen).normalize() if seen else None
    data.as_of = as_of_ts
    return data
