"""The four table loaders: customers, transactions, surveys, contacts.

Each reads one table (file or DataFrame), applies the contract's rules
(:mod:`cxkit.data.contract`) and returns a tidy, typed frame.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from cxkit.data.contract import (
    _SCORE_HINT,
    DEFAULT_DRIVERS,
    DRIVER_SCALE,
    RATING_SCALES,
    TABLES,
    ZERO_AMOUNT_NOTE,
    Source,
    _as_of,
    _as_of_customers,
    _begin,
    _check_rating,
    _clean_rows,
    _dates,
    _exclusion,
    _finish_activity,
    _note,
    _number,
    _order,
    _Reading,
    _reading,
    _require,
)
from cxkit.errors import DataError, data_error
from cxkit.exclusions import Exclusion
from cxkit.parsing import to_bool
from cxkit.units import TENURE_UNITS

__all__ = ["load_customers", "load_transactions", "load_surveys", "load_contacts"]

# --------------------------------------------------------------------------- loaders


def load_customers(
    source: Source,
    *,
    columns: Mapping[str, str] | None = None,
    as_of: Any = None,
    exclusions: list[Exclusion] | None = None,
    notes: list[dict[str, Any]] | None = None,
    date_format: Any = None,
    dayfirst: Any = None,
    timezone: str | None = None,
    duplicates: str = "exclude",
    tenure_unit: str | None = None,
    _opts: _Reading | None = None,
) -> pd.DataFrame:
    """Load and validate the customers table.

    One row per customer with the signup date and, for customers who left, the churn
    date: the basis of every tenure and survival figure.

    Parameters
    ----------
    source : path to a CSV/Parquet/Excel file, or a DataFrame.
    columns : mapping from your column names to the contract's, e.g. ``{"cust": "customer_id"}``.
    as_of : optional analysis date; customers who signed up after it are excluded (with a
        report) and a churn date after it counts as not yet churned (noted).
    exclusions, notes : lists that receive the rows left out (:class:`~cxkit.exclusions.Exclusion`
        records) and the notes on values read by a rule.
    date_format, dayfirst, timezone : how to read dates (see :func:`cxkit.parsing.parse_dates`);
        a value, or a mapping by ``"table.column"``, table or column.
    duplicates : ``"exclude"`` (default, reported) or ``"keep"`` exact duplicate rows.
    tenure_unit : ``"days"``, ``"weeks"`` or ``"months"``: needed when the table gives
        ``tenure`` + ``churned`` (yes/no, 1/0, true/false) instead of dates; tenure is then
        read into ``tenure_days`` and the date columns stay empty.

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
    opts = _opts or _reading(exclusions, notes, date_format=date_format, dayfirst=dayfirst, timezone=timezone,
                             duplicates=duplicates, tenure_unit=tenure_unit)
    as_of = _as_of(as_of)
    df = _begin(source, table, columns, [*TABLES[table], "tenure", "churned"], opts)
    if "signup_date" not in df.columns and {"customer_id", "tenure", "churned"} <= set(df.columns):
        return _tenure_customers(df, table, opts)
    if "churn_date" not in df.columns and "customer_id" in df.columns and "signup_date" in df.columns:
        # A table with no churn column describes customers who are all still active.
        df["churn_date"] = pd.NaT
    if "signup_date" not in df.columns and "customer_id" in df.columns:
        _require(df, table, TABLES[table][:2] if "tenure" not in df.columns else ["churned"])
    _require(df, table, TABLES[table])
    df = _clean_rows(df, table, opts)
    dup = df["customer_id"].duplicated(keep=False)
    if dup.any():
        raise data_error(table, "customer_id", "customer_id must be unique", df[dup].sort_values("customer_id"))
    df = _dates(df, table, "signup_date", opts)
    df = _dates(df, table, "churn_date", opts, allow_missing=True)
    negative = df["churn_date"] < df["signup_date"]
    if negative.any():
        raise data_error(
            table,
            "churn_date",
            "churn_date is before signup_date (negative tenure)",
            df.loc[negative, ["customer_id", "signup_date", "churn_date"]],
        )
    df = _as_of_customers(df, as_of, opts)
    return _order(df, TABLES[table], ["customer_id"], table, opts)


def _tenure_customers(df: pd.DataFrame, table: str, opts: _Reading) -> pd.DataFrame:
    """Customers exported as ``tenure`` + ``churned`` (the Telco/SaaS shape), without dates.

    Tenure is turned into whole days with the stated ``tenure_unit``; ``signup_date`` and
    ``churn_date`` stay empty, so analyses that need dates say they cannot run.
    """
    unit = opts.options.tenure_unit  # a known unit or None (ReadOptions checks it)
    if unit is None:
        raise DataError(f"table '{table}', column 'tenure': tenure has no unit; pass tenure_unit= one of "
                        f"{list(TENURE_UNITS)} (e.g. load_options={{'tenure_unit': 'months'}} in a notebook)",
                        table=table, column="tenure", rule="tenure unit")
    df = _clean_rows(df, table, opts)
    dup = df["customer_id"].duplicated(keep=False)
    if dup.any():
        raise data_error(table, "customer_id", "customer_id must be unique", df[dup].sort_values("customer_id"))
    tenure = _number(df, table, "tenure", opts)
    bad = tenure.isna() | (tenure < 0)
    if bad.any():
        raise data_error(table, "tenure", "tenure must be a number >= 0", df.loc[bad, ["customer_id", "tenure"]])
    churned = to_bool(df["churned"], table=table, column="churned", notes=opts.notes, frame=df)
    if churned.isna().any():
        raise data_error(table, "churned", "churned must not be empty (yes/no, 1/0, true/false)",
                         df.loc[churned.isna(), ["customer_id", "churned"]])
    days = (tenure * TENURE_UNITS[unit]).round()
    zero = days <= 0
    if zero.any():
        opts.excluded.append(_exclusion(table, "tenure is 0: no time observed", df[zero]))
    df = df.assign(tenure_days=days.astype("Int64"), churned=churned.astype(bool),
                   signup_date=pd.NaT, churn_date=pd.NaT)[~zero.to_numpy()]
    _note(opts, table, "tenure", f"tenure in {unit} read as days (no dates: sign-up and churn dates are "
          "empty, and analyses that need them are skipped)", len(df))
    return _order(df, TABLES[table], ["customer_id"], table, opts)


def load_transactions(
    source: Source,
    *,
    columns: Mapping[str, str] | None = None,
    customers: pd.DataFrame | None = None,
    as_of: Any = None,
    unknown_customers: str = "raise",
    exclusions: list[Exclusion] | None = None,
    notes: list[dict[str, Any]] | None = None,
    date_format: Any = None,
    dayfirst: Any = None,
    timezone: str | None = None,
    duplicates: str = "exclude",
    _opts: _Reading | None = None,
) -> pd.DataFrame:
    """Load and validate the transactions table.

    Purchases are the raw material of spend, value segments and CLV. Refunds are
    negative amounts and are kept (flagged in ``is_refund``) so later steps handle them
    by an explicit rule. Rows with an amount of exactly zero are kept too and noted: the
    analysis decides what they mean (the CLV summary's ``zero_spend_days`` rule).

    Parameters
    ----------
    source : path to a CSV/Parquet/Excel file, or a DataFrame.
    columns : mapping from your column names to the contract's.
    customers : validated customers table; when given, unknown ids are an error
        (or excluded with a report if ``unknown_customers="exclude"``), activity before
        signup is an error, and so is a purchase after the churn date.
    as_of : optional analysis date; transactions after it are excluded with a report.
    exclusions, notes, date_format, dayfirst, timezone, duplicates : as in :func:`load_customers`.

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
    opts = _opts or _reading(exclusions, notes, date_format=date_format, dayfirst=dayfirst, timezone=timezone,
                             duplicates=duplicates)
    as_of = _as_of(as_of)
    df = _begin(source, table, columns, TABLES[table], opts)
    _require(df, table, TABLES[table])
    df = _dates(_clean_rows(df, table, opts), table, "date", opts)
    df["amount"] = _number(df, table, "amount", opts)
    missing = df["amount"].isna()
    if missing.any():
        raise data_error(table, "amount", "amount must not be empty",
                         df.loc[missing, ["customer_id", "date", "amount"]])
    _note(opts, table, "amount", ZERO_AMOUNT_NOTE, int((df["amount"] == 0).sum()))
    df["is_refund"] = df["amount"] < 0
    return _finish_activity(df, table, as_of, customers, unknown_customers, opts)


def _score_like(df: pd.DataFrame, used: Sequence[str]) -> list[str]:
    """Columns that look like ratings but are not used: named like one, or small whole numbers."""
    out = []
    for col in df.columns:
        if col in used or col in {"customer_id", "date"}:
            continue
        named = bool(_SCORE_HINT.search(str(col))) or any(d in str(col).lower() for d in DEFAULT_DRIVERS)
        values = pd.to_numeric(df[col], errors="coerce")
        numeric = values.notna().mean() > 0.5 if len(values) else False
        small = numeric and values.dropna().between(0, 10).all() and (values.dropna() % 1 == 0).all()
        if named or small:
            out.append(str(col))
    return out


def load_surveys(
    source: Source,
    *,
    columns: Mapping[str, str] | None = None,
    drivers: Sequence[str] | None = None,
    customers: pd.DataFrame | None = None,
    as_of: Any = None,
    unknown_customers: str = "raise",
    exclusions: list[Exclusion] | None = None,
    notes: list[dict[str, Any]] | None = None,
    date_format: Any = None,
    dayfirst: Any = None,
    timezone: str | None = None,
    duplicates: str = "exclude",
    _opts: _Reading | None = None,
) -> pd.DataFrame:
    """Load and validate survey responses (NPS, CSAT, CES and driver ratings).

    One row per response; unanswered questions are missing values. A response that
    answers none of the score or driver questions carries no information and is
    excluded with a report. Column names match whatever their case (``NPS``); columns
    that look like ratings but are not used are listed in ``df.attrs["unused_ratings"]``.

    Parameters
    ----------
    source : path to a CSV/Parquet/Excel file, or a DataFrame.
    columns : mapping from your column names to the contract's.
    drivers : names of driver-rating columns (1-5). ``None`` uses those of
        :data:`DEFAULT_DRIVERS` that the table has; an explicit list must all be present.
    customers, as_of, unknown_customers, exclusions, notes, date_format, dayfirst,
    timezone, duplicates : as in :func:`load_transactions`.

    Returns
    -------
    DataFrame sorted by ``customer_id`` and ``date``; ratings as nullable integers.
    The driver columns found are stored in ``df.attrs["drivers"]``.

    Example
    -------
    >>> s = load_surveys(pd.DataFrame({"customer_id": ["a"], "date": ["2024-03-01"],
    ...     "NPS": [9], "csat": [5]}))
    >>> s.attrs["drivers"], list(s.columns)
    ([], ['customer_id', 'date', 'nps', 'csat'])
    """
    table = "surveys"
    opts = _opts or _reading(exclusions, notes, date_format=date_format, dayfirst=dayfirst, timezone=timezone,
                             duplicates=duplicates)
    as_of = _as_of(as_of)
    candidates = list(TABLES[table]) + list(RATING_SCALES) + list(drivers or DEFAULT_DRIVERS)
    df = _begin(source, table, columns, candidates, opts)
    _require(df, table, TABLES[table])
    if drivers is None:
        drivers = [d for d in DEFAULT_DRIVERS if d in df.columns]
    else:
        drivers = list(drivers)
        _require(df, table, drivers)
    scores = [c for c in RATING_SCALES if c in df.columns]
    unused = _score_like(df, scores + list(drivers))
    if not scores and not drivers:
        raise DataError(
            f"table '{table}': no score column found; expected at least one of "
            f"{list(RATING_SCALES) + list(DEFAULT_DRIVERS)} (found: {list(df.columns)})"
            + (f". Columns that look like ratings: {unused}: map them with columns={{'{unused[0]}': 'csat'}} "
               "(or the right name), or pass drivers=[...]" if unused else ""),
            table=table,
            column="nps",
            rule="at least one score column",
        )
    df = _dates(_clean_rows(df, table, opts), table, "date", opts)
    for col in scores:
        df = _check_rating(df, table, col, *RATING_SCALES[col], opts)
    for col in drivers:
        if col in RATING_SCALES:
            continue
        df = _check_rating(df, table, col, *DRIVER_SCALE, opts)
    unanswered = df[scores + list(drivers)].isna().all(axis=1)
    if unanswered.any():
        opts.excluded.append(_exclusion(table, "response answers no score or driver question", df[unanswered]))
        df = df[~unanswered]
    out = _finish_activity(df, table, as_of, customers, unknown_customers, opts)
    out.attrs["drivers"] = list(drivers)
    out.attrs["unused_ratings"] = unused
    return out


def load_contacts(
    source: Source,
    *,
    columns: Mapping[str, str] | None = None,
    customers: pd.DataFrame | None = None,
    as_of: Any = None,
    unknown_customers: str = "raise",
    exclusions: list[Exclusion] | None = None,
    notes: list[dict[str, Any]] | None = None,
    date_format: Any = None,
    dayfirst: Any = None,
    timezone: str | None = None,
    duplicates: str = "exclude",
    _opts: _Reading | None = None,
) -> pd.DataFrame:
    """Load and validate customer-service contacts.

    Each row is one interaction; waits and first-contact resolution are the service
    experiences that the churn notebook links to customers leaving.

    Parameters
    ----------
    source : path to a CSV/Parquet/Excel file, or a DataFrame.
    columns : mapping from your column names to the contract's.
    customers, as_of, unknown_customers, exclusions, notes, date_format, dayfirst,
    timezone, duplicates : as in :func:`load_transactions`.

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
    opts = _opts or _reading(exclusions, notes, date_format=date_format, dayfirst=dayfirst, timezone=timezone,
                             duplicates=duplicates)
    as_of = _as_of(as_of)
    df = _begin(source, table, columns, TABLES[table], opts)
    _require(df, table, TABLES[table])
    df = _dates(_clean_rows(df, table, opts), table, "date", opts)
    df["channel"] = df["channel"].astype("string").str.strip()
    if df["channel"].isna().any():
        raise data_error(table, "channel", "channel must not be empty", df[df["channel"].isna()])
    wait = _number(df, table, "wait_minutes", opts)
    bad = wait < 0
    if bad.any():
        raise data_error(table, "wait_minutes", "wait_minutes must be >= 0",
                         df.loc[bad, ["customer_id", "date", "wait_minutes"]])
    df["wait_minutes"] = wait
    df["resolved_first_contact"] = to_bool(df["resolved_first_contact"], table=table,
                                           column="resolved_first_contact", notes=opts.notes, frame=df)
    return _finish_activity(df, table, as_of, customers, unknown_customers, opts)
