"""A whole data folder, read in memory: :func:`load_folder` and the :class:`CXData` it returns.

Loading a folder takes three steps, each on its floor:

1. finding the files and what the folder says about itself (:func:`find_folder`, which
   returns a :class:`FolderPlan`: settings, :class:`~cxkit.data.options.ReadOptions`,
   each table's source), before a row is read;
2. loading the tables in memory by the contract's rules (:class:`FolderLoad`, one step
   per table, collecting what was left out and what was read by a rule);
3. for transactions too large for memory, leaving them where they are for an engine:
   :func:`cxkit.load_folder` does that step (with :mod:`cxkit.engines`) between the
   customers and the other tables, and adds the conveniences that join a folder to the
   themes (``rfm_summary``, ``customer_value``).

:func:`load_folder` here runs steps 1 and 2: a folder whose transactions stay in their
files (or are a folder of parts) is loaded by :func:`cxkit.load_folder`.
"""
from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd

from cxkit import files as _files
from cxkit.data.contract import (
    ACTIVITY_TABLES,
    TABLES,
    Source,
    _as_of,
    _as_of_customers,
    _note,
    _Reading,
    exclusion_report,
    notes_report,
)
from cxkit.data.loaders import (
    load_contacts,
    load_customers,
    load_surveys,
    load_transactions,
)
from cxkit.data.options import READ_OPTIONS, ReadOptions
from cxkit.data.settings import GIVEN, SETTINGS_FILE, Settings, fingerprint, read_settings
from cxkit.errors import ArgumentError, DataError, data_error
from cxkit.exclusions import Exclusion, exclusion_table

__all__ = ["CXData", "FolderPlan", "FolderLoad", "TransactionsInPlace", "find_folder", "load_in_memory",
           "load_folder"]

# --------------------------------------------------------------------------- folders


class TransactionsInPlace(Protocol):
    """Transactions left in their files for an engine, as this floor sees them.

    :class:`cxkit.engines.log.TransactionLog` is one: it holds the counts the load report
    and ``CXData.summary`` show, and says where the log is and what it left out.
    """

    rows: int
    customers: int
    first_date: pd.Timestamp | None
    last_date: pd.Timestamp | None
    engine: str
    notes: list[dict[str, Any]]

    @property
    def place(self) -> str: ...

    @property
    def exclusions(self) -> list[Exclusion]: ...

    @property
    def kept_duplicate_rows(self) -> int: ...


@dataclass
class CXData:
    """The validated tables of one data folder, plus what was excluded, noted and why.

    Attributes
    ----------
    customers, transactions, surveys, contacts : DataFrame or None (absent table).
    exclusions : DataFrame with one row per (table, rule): rows removed and why.
    notes : DataFrame with one row per decision taken by a stated rule while reading
        (dates read day-first, decimal commas, missing markers, time zones, zero amounts).
    drivers : the driver-rating columns found in ``surveys``.
    as_of : the analysis date (given, or the last date of activity).
    as_of_rule : one sentence saying how ``as_of`` was chosen.
    sources : where each table came from (file name, or "DataFrame").
    unused_ratings : survey columns that look like ratings but are not used.
    transaction_log : transactions left in their files for an engine (``transactions``
        is then ``None``): a :class:`cxkit.engines.log.TransactionLog`, kept by
        :func:`cxkit.load_folder`, whose ``rfm_summary``, ``calibration_holdout_split``
        and ``customer_value`` give the same frames either way.
    settings : what the folder says about itself (``cxkit.toml``) after the arguments
        given to the run: company, currency, goals, and where each came from
        (:class:`~cxkit.data.settings.Settings`).
    read_options : the :class:`~cxkit.data.options.ReadOptions` the tables were read by.
    """

    customers: pd.DataFrame | None = None
    transactions: pd.DataFrame | None = None
    surveys: pd.DataFrame | None = None
    contacts: pd.DataFrame | None = None
    exclusions: pd.DataFrame = field(default_factory=exclusion_report)
    notes: pd.DataFrame = field(default_factory=notes_report)
    drivers: list[str] = field(default_factory=list)
    as_of: pd.Timestamp | None = None
    as_of_rule: str = ""
    sources: dict[str, str] = field(default_factory=dict)
    unused_ratings: list[str] = field(default_factory=list)
    transaction_log: TransactionsInPlace | None = None
    settings: Settings = field(default_factory=Settings)
    read_options: ReadOptions = field(default_factory=ReadOptions)

    @property
    def has_transactions(self) -> bool:
        """Whether there are transactions, loaded or left in their files."""
        return self.transactions is not None or self.transaction_log is not None

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables that are present, by name."""
        return {n: getattr(self, n) for n in TABLES if getattr(self, n) is not None}

    def require(self, *names: str) -> None:
        """Raise :class:`DataError` unless every named table is present."""
        missing = [n for n in names if getattr(self, n) is None and not (n == "transactions" and self.has_transactions)]
        if missing:
            raise DataError(
                f"this analysis needs the table(s) {missing}, which the data folder does not have",
                table=missing[0],
                rule="table present",
            )

    def load_report(self, *, settings: bool = True) -> pd.DataFrame:
        """What loading did that a reader should know: rows left out, values read by a rule, settings used.

        One row per (table, rule), in words: the exclusions first, then the notes, then
        (``settings=True``) each setting with where it came from (the folder's
        ``cxkit.toml``, given to the run, or not set).

        Example
        -------
        >>> load_folder("data/sample").load_report(settings=False).empty
        True
        >>> load_folder("data/sample").load_report()["rule"].iloc[1]
        'currency: £ (settings file)'
        """
        left_out = exclusion_table(self.exclusions.to_dict("records"), "report")
        read = pd.DataFrame({
            "table": self.notes["table"], "what happened": "read by a rule",
            "rule": self.notes["note"] + np.where(self.notes["column"] != "", " (column " + self.notes["column"]
                                                  + ")", ""),
            "rows": self.notes["n_rows"], "example lines": ""})
        parts = [left_out, read]
        if settings:
            used = self.settings.report()
            parts.append(pd.DataFrame({
                "table": "", "what happened": "setting",
                "rule": used["setting"] + ": " + used["value"] + " (" + used["from"] + ")",
                "rows": pd.NA, "example lines": ""}))
        return pd.concat([p for p in parts if len(p)], ignore_index=True) if any(len(p) for p in parts) else left_out

    def summary(self) -> pd.DataFrame:
        """One row per table: source, rows, distinct customers, date range, rows excluded, hints."""
        return pd.DataFrame([self._summary_row(name) for name in TABLES])

    def _summary_row(self, name: str) -> dict[str, Any]:
        df = getattr(self, name)
        log = self.transaction_log if name == "transactions" else None
        if df is None and log is not None:
            return {"table": name, "source": self.sources.get(name, ""), "rows": log.rows,
                    "customers": log.customers, "first_date": log.first_date, "last_date": log.last_date,
                    "excluded_rows": 0, "present": True, "hint": f"left in {log.place}, summarised by {log.engine}"}
        if df is None:
            return {"table": name, "source": "", "rows": 0, "customers": 0, "first_date": pd.NaT,
                    "last_date": pd.NaT, "excluded_rows": 0, "present": False, "hint": ""}
        date_col = "signup_date" if name == "customers" else "date"
        ex = self.exclusions.loc[self.exclusions["table"] == name, "n_rows"].sum()
        hint = ""
        if name == "surveys" and self.unused_ratings:
            hint = (f"columns that look like ratings are not used: {', '.join(self.unused_ratings)}; map them, "
                    f"e.g. columns={{'{self.unused_ratings[0]}': '<nps, csat, ces or a driver>'}}")
        return {
            "table": name,
            "source": self.sources.get(name, ""),
            "rows": len(df),
            "customers": df["customer_id"].nunique(),
            "first_date": df[date_col].min(),
            "last_date": df[date_col].max(),
            "excluded_rows": int(ex),
            "present": True,
            "hint": hint,
        }


def _columns_for(columns: Mapping[str, Any] | None, table: str) -> Mapping[str, str] | None:
    if not columns:
        return None
    if _per_table(columns):
        return columns.get(table)
    return columns


def _per_table(columns: Mapping[str, Any]) -> bool:
    return any(isinstance(v, Mapping) for v in columns.values())


def _default_as_of(data: CXData) -> tuple[pd.Timestamp | None, str]:
    """The last date of activity, never a customers-table date; a future date is an error."""
    present = [t for t in ACTIVITY_TABLES if getattr(data, t) is not None]
    lasts = {t: getattr(data, t)["date"].max() for t in present}
    if data.transaction_log is not None:
        present.append("transactions")
        lasts["transactions"] = data.transaction_log.last_date
    if not present:
        return None, ("No analysis date: the folder has no transactions, surveys or contacts, and dates in the "
                      "customers table (sign-ups, cancellations) never set it. Pass as_of.")
    present = [t for t in ACTIVITY_TABLES if t in present]
    last = max(lasts.values()).normalize()
    today = pd.Timestamp.today().normalize()
    if last > today:
        table = max(present, key=lambda t: lasts[t])
        df = getattr(data, table)
        if df is None:
            raise data_error(table, "date", f"the transaction log runs to {last.date()}, after today "
                             f"({today.date()}); the analysis date would be in the future",
                             hint="pass as_of to set the analysis date yourself")
        raise data_error(table, "date", f"dated after today ({today.date()}); the analysis date would be in the "
                         "future", df.loc[df["date"].dt.normalize() > today, ["customer_id", "date"]],
                         hint="fix these dates, or pass as_of to set the analysis date yourself")
    names = " and ".join([", ".join(present[:-1]), present[-1]] if len(present) > 1 else present)
    return last, f"Analysis date {last:%-d %b %Y}: the last date with activity in {names}."


# --------------------------------------------------------------------------- step 1: finding


@dataclass(frozen=True)
class FolderPlan:
    """What :func:`find_folder` found before a row was read: settings, reading options, each table's source.

    Attributes
    ----------
    settings : the folder's settings after the arguments given to the run.
    options : the :class:`~cxkit.data.options.ReadOptions` the tables are read by.
    sources : each table's file (a ``Path``), DataFrame, folder of parts or Spark table name.
    as_of : the analysis date given (by the run or the settings file), or None.
    folder : the data folder, or None (tables given as DataFrames only).
    """

    settings: Settings
    options: ReadOptions
    sources: dict[str, Source]
    as_of: pd.Timestamp | None = None
    folder: Path | None = None

    @property
    def columns(self) -> Mapping[str, Any] | None:
        """The column mapping: flat (every table) or per table."""
        return self.settings.columns

    @property
    def flat(self) -> bool:
        """Whether the column mapping is one mapping for every table (a key no table uses is then an error)."""
        return bool(self.columns) and not _per_table(self.columns)

    def columns_for(self, table: str) -> Mapping[str, str] | None:
        """The column mapping a table is read with."""
        return _columns_for(self.columns, table)

    @property
    def transactions_in_place(self) -> bool:
        """Whether the transactions stay in their files for an engine (``ReadOptions.engine`` says when)."""
        return "transactions" in self.sources and self.options.in_place(self.sources["transactions"])

    @property
    def transactions_in_parts(self) -> bool:
        """Whether the transactions, read in memory, are a folder of part files (``transactions/``)."""
        source = self.sources.get("transactions")
        return isinstance(source, Path) and source.is_dir() and not self.transactions_in_place


def _settings(path: str | Path | None, given_read: Mapping[str, Any], settings: Settings | None = None,
              **given: Any) -> tuple[Settings, ReadOptions]:
    """The folder's settings (its file, or ``settings`` already read) after the run's, and the reading options."""
    if settings is None:
        settings = read_settings(path) if path is not None and Path(path).is_dir() else Settings()
    options = ReadOptions.resolve(settings.read, given_read)
    given_read = {k: v for k, v in given_read.items() if v is not None}
    read = {**settings.read, **given_read}
    as_of = given.pop("as_of")
    settings = settings.given(**given)
    settings = replace(settings, read={k: read[k] for k in READ_OPTIONS if k in read},
                       origin={**settings.origin, **{k: GIVEN for k in given_read}})
    if as_of is not None:
        settings = replace(settings, as_of=as_of, origin={**settings.origin, "as_of": GIVEN})
    return settings, options


def _sources(folder: Path | None, settings: Settings, options: ReadOptions,
             tables: Mapping[str, pd.DataFrame] | None) -> dict[str, Source]:
    """Each table's source: the folder's files, a Spark table, the DataFrames given."""
    bad_tables = {k: type(v).__name__ for k, v in (tables or {}).items() if not isinstance(v, pd.DataFrame)}
    if bad_tables:
        raise ArgumentError(f"tables= takes pandas DataFrames by table name; got {bad_tables}", column="tables",
                            rule="DataFrame input")
    sources: dict[str, Source] = {}
    if folder is not None:
        sources.update(_files.find_table_files(folder, settings.files))
    if options.spark_table is not None:
        if "transactions" in sources:
            raise DataError(f"two sources for the transactions table: {Path(sources['transactions']).name} and "
                            f"the Spark table {options.spark_table}; keep one", table="transactions",
                            rule="one source per table")
        sources["transactions"] = str(options.spark_table)
    unknown = set(tables or {}) - set(TABLES)
    if unknown:
        raise ArgumentError(f"unknown table name(s) {sorted(unknown)}; expected {list(TABLES)}", column="tables",
                            rule="table name")
    sources.update(tables or {})
    if not sources:
        raise DataError(
            f"no tables found in {folder}: expected files named {[t + '.csv' for t in TABLES]} (or .parquet, .xlsx)",
            rule="table present",
        )
    return sources


def find_folder(
    path: str | Path | None = None,
    *,
    tables: Mapping[str, pd.DataFrame] | None = None,
    columns: Mapping[str, Any] | None = None,
    files: Mapping[str, str] | None = None,
    as_of: Any = None,
    company: str | None = None,
    currency: str | None = None,
    goals: Mapping[str, float] | None = None,
    settings: Settings | None = None,
    **load_options: Any,
) -> FolderPlan:
    """Find a data folder's tables and settings, and check the options, before a row is read.

    A misspelt option, a second file for one table or a folder with no tables stops here,
    before minutes are spent reading files. The arguments are :func:`load_folder`'s, and
    ``settings``: the folder's settings already read (e.g. the valid entries of a settings
    file with problems, :func:`~cxkit.data.settings.read_settings_with_problems`), used
    instead of reading ``cxkit.toml`` again.

    Returns
    -------
    :class:`FolderPlan`

    Example
    -------
    >>> plan = find_folder("data/sample", dayfirst=False)
    >>> sorted(plan.sources), plan.options.dayfirst, plan.settings.currency
    (['contacts', 'customers', 'surveys', 'transactions'], False, '£')
    """
    settings, options = _settings(path, load_options, settings, as_of=as_of, company=company, currency=currency,
                                  goals=goals, files=files, columns=columns)
    if settings.columns is not None and not isinstance(settings.columns, Mapping):
        raise ArgumentError(f"columns must be a mapping such as {{'cust_no': 'customer_id'}}, got "
                            f"{type(settings.columns).__name__}", column="columns", rule="column mapping")
    folder = None if path is None else Path(path)
    sources = _sources(folder, settings, options, tables)
    return FolderPlan(settings=settings, options=options, sources=sources, as_of=_as_of(settings.as_of),
                      folder=folder)


# --------------------------------------------------------------------------- step 2: loading


class FolderLoad:
    """One load of a :class:`FolderPlan`, a table at a time: the steps :func:`load_folder` runs.

    The steps are separate so that :func:`cxkit.load_folder` can leave a large
    transaction log where it is (:meth:`leave_transactions`, with the engines) between
    loading the customers, which the log is checked against, and the other tables.

    Example
    -------
    >>> load = FolderLoad(find_folder("data/sample"))
    >>> load.load_customers()
    >>> len(load.data.customers)
    5000
    """

    def __init__(self, plan: FolderPlan) -> None:
        self.plan = plan
        self.reading = _Reading(plan.options, strict_mapping=not plan.flat)
        self.data = CXData(sources={n: (Path(s).name if not isinstance(s, pd.DataFrame) else "DataFrame")
                                    for n, s in plan.sources.items()}, read_options=plan.options)

    def _activity(self) -> dict[str, Any]:
        """What every activity table is read against: the customers, the analysis date, the unknown-id rule."""
        return dict(customers=self.data.customers, as_of=self.plan.as_of,
                    unknown_customers=self.plan.options.unknown_customers, _opts=self.reading)

    def load_customers(self) -> None:
        """Load the customers table (the others are checked against it)."""
        if "customers" in self.plan.sources:
            self.data.customers = load_customers(self.plan.sources["customers"],
                                                 columns=self.plan.columns_for("customers"), as_of=self.plan.as_of,
                                                 _opts=self.reading)

    def load_transactions(self, rows: pd.DataFrame | None = None) -> None:
        """Load the transactions in memory: from their file, or ``rows`` (a folder of parts read by the caller)."""
        if "transactions" in self.plan.sources:
            source = self.plan.sources["transactions"] if rows is None else rows
            self.data.transactions = load_transactions(source, columns=self.plan.columns_for("transactions"),
                                                       **self._activity())

    def leave_transactions(self, log: TransactionsInPlace, columns: Iterable[str] = ()) -> None:
        """Keep transactions left in their files: the log, its notes and exclusions, and a note saying where it is.

        ``columns`` are the column-mapping keys the log was read with (a flat mapping's
        keys that no table uses are an error).
        """
        options = self.plan.options
        self.data.transaction_log = log
        self.reading.used_keys.update(columns)
        self.reading.notes.extend(log.notes)
        checked = ("; checked against the customers table (known ids, signup and churn dates)"
                   if self.data.customers is not None else "; no customers table to check the ids against")
        threshold = "" if options.spark_table is not None else f", threshold {options.large_file_mb:,.0f} MB"
        _note(self.reading, "transactions", "", f"left in {log.place} and summarised by {log.engine} (engine "
              f"{options.engine!r}{threshold}){checked}", log.rows)
        self.reading.excluded.extend(log.exclusions)
        _note(self.reading, "transactions", "", "exact duplicate rows kept (duplicates='keep')",
              log.kept_duplicate_rows)

    def load_surveys_and_contacts(self) -> None:
        """Load the surveys (with their drivers) and the contacts."""
        self.load_surveys()
        self.load_contacts()

    def load_surveys(self) -> None:
        """Load the surveys, with their drivers (one step, so a problem here hides none in the contacts)."""
        sources, data = self.plan.sources, self.data
        if "surveys" in sources:
            data.surveys = load_surveys(sources["surveys"], columns=self.plan.columns_for("surveys"),
                                        drivers=self.plan.options.drivers, **self._activity())
            data.drivers = list(data.surveys.attrs["drivers"])
            data.unused_ratings = list(data.surveys.attrs.get("unused_ratings", []))

    def load_contacts(self) -> None:
        """Load the contacts (checked against the customers, when loaded)."""
        if "contacts" in self.plan.sources:
            self.data.contacts = load_contacts(self.plan.sources["contacts"],
                                               columns=self.plan.columns_for("contacts"), **self._activity())

    def finish(self) -> CXData:
        """Check the column mapping, set the analysis date, note unread files, build the reports."""
        self._check_mapping()
        self._set_as_of()
        plan, data = self.plan, self.data
        if plan.folder is not None:
            for name in _files.unread_files(plan.folder, [Path(s) for s in plan.sources.values()
                                                          if not isinstance(s, pd.DataFrame)]):
                _note(self.reading, "", "", f"file not read: {name} (name its table with files={{'<table>': "
                      f"'{name}'}})", 1)
        data.settings = _confirm_sample(plan.settings, plan.sources, self.reading)  # may add a note: first
        data.exclusions = exclusion_report(self.reading.excluded)
        data.notes = notes_report(self.reading.notes)
        return data

    def _check_mapping(self) -> None:
        """A flat mapping's key that no table has is an error (a typo); a mapping for an absent table, a note."""
        columns = self.plan.columns
        if self.plan.flat:
            unused = [k for k in columns if k not in self.reading.used_keys]
            if unused:
                seen = sorted({str(c) for df in self.data.tables().values() for c in df.columns})
                close = difflib.get_close_matches(unused[0], seen, n=1)
                raise DataError(f"the column mapping names {unused}, which no table has"
                                + (f"; did you mean '{close[0]}'?" if close else ""), column=unused[0],
                                rule="column mapping")
        elif columns:
            for name in sorted(set(columns) - set(self.plan.sources)):
                _note(self.reading, name, "", "a column mapping was given for this table, which the folder does "
                      "not have", 1)

    def _set_as_of(self) -> None:
        """The analysis date given, or the last date of activity (customers then cut to it); and its rule in words."""
        data, given = self.data, self.plan.as_of
        if given is None:
            data.as_of, data.as_of_rule = _default_as_of(data)
            if data.customers is not None and data.as_of is not None:
                data.customers = _as_of_customers(data.customers, data.as_of, self.reading).reset_index(drop=True)
        else:
            data.as_of = given
            source = "the settings file" if self.plan.settings.origin.get("as_of") != GIVEN else "the run"
            data.as_of_rule = f"Analysis date {given:%-d %b %Y}: set by {source}; rows dated after it are left out."


def load_in_memory(plan: FolderPlan) -> CXData:
    """Load every table of a :class:`FolderPlan` in memory (a log left in its files is :func:`cxkit.load_folder`'s).

    Example
    -------
    >>> load_in_memory(find_folder("data/sample")).as_of.date().isoformat()
    '2025-12-31'
    """
    if plan.transactions_in_place or plan.transactions_in_parts:
        source = plan.sources["transactions"]
        why = ("a folder of part files" if plan.transactions_in_parts
               else f"left in their files for an engine (engine {plan.options.engine!r}, large_file_mb "
                    f"{plan.options.large_file_mb:g})")
        raise ArgumentError(f"the transactions ({Path(str(source)).name}) are {why}: load the folder with "
                            "cxkit.load_folder, which reads them with cxkit.engines (cxkit.data.load_folder "
                            "loads tables in memory only)", table="transactions", column="engine", rule="engine")
    load = FolderLoad(plan)
    load.load_customers()
    load.load_transactions()
    load.load_surveys_and_contacts()
    return load.finish()


def load_folder(
    path: str | Path | None = None,
    *,
    tables: Mapping[str, pd.DataFrame] | None = None,
    columns: Mapping[str, Any] | None = None,
    files: Mapping[str, str] | None = None,
    as_of: Any = None,
    company: str | None = None,
    currency: str | None = None,
    goals: Mapping[str, float] | None = None,
    **load_options: Any,
) -> CXData:
    """Load every table of a data folder (or a dict of DataFrames) in memory and validate it.

    The data floor's loader: :func:`cxkit.load_folder` takes the same arguments, also
    leaves a transaction log too large for memory in its files, and returns the folder
    with its conveniences (``rfm_summary``, ``customer_value``). The arguments and the
    settings file are described there.

    Returns
    -------
    CXData

    Example
    -------
    >>> cx = load_folder("data/sample")
    >>> cx.exclusions.empty, cx.as_of.date().isoformat()
    (True, '2025-12-31')
    """
    return load_in_memory(find_folder(path, tables=tables, columns=columns, files=files, as_of=as_of,
                                      company=company, currency=currency, goals=goals, **load_options))


def _confirm_sample(settings: Settings, sources: Mapping[str, Any], opts: _Reading) -> Settings:
    """``settings.sample`` True only when the files read match the fingerprint the settings file claims."""
    if not settings.sample_sha256:
        return settings
    paths = [Path(sources[t]) for t in TABLES if t in sources and not isinstance(sources[t], pd.DataFrame)]
    complete = bool(paths) and all(p.is_file() for p in paths) and len(paths) == len(sources)
    if complete and fingerprint(paths) == settings.sample_sha256:
        return replace(settings, sample=True)
    _note(opts, "", "", f"{SETTINGS_FILE} names the bundled sample, but the tables differ from it: read as "
          "your own data (no sample checks, no sample text)", 1)
    return settings
