"""A whole data folder in one call: :func:`load_folder` and the :class:`CXData` it returns."""
from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cxkit import files as _files
from cxkit.data.contract import (
    ACTIVITY_TABLES,
    DUPLICATE_RULE,
    TABLES,
    Source,
    _as_of,
    _as_of_customers,
    _note,
    _options,
    exclusion_report,
    notes_report,
)
from cxkit.data.large import ENGINES, TransactionLog, describe_log, log_size_mb
from cxkit.data.loaders import (
    load_contacts,
    load_customers,
    load_surveys,
    load_transactions,
)
from cxkit.data.settings import GIVEN, SETTINGS_FILE, Settings, fingerprint, read_settings
from cxkit.errors import DataError, data_error
from cxkit.parsing import setting_for

__all__ = ["CXData", "load_folder"]

# --------------------------------------------------------------------------- folders


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
    settings : what the folder says about itself (``cxkit.toml``) after the arguments
        given to the run: company, currency, goals, and where each came from
        (:class:`~cxkit.data.settings.Settings`).
    transaction_log : a :class:`~cxkit.data.large.TransactionLog` when the transactions
        were too large to load (``transactions`` is then ``None``); use
        :meth:`rfm_summary`, :meth:`calibration_holdout_split` and :meth:`customer_value`,
        which give the same frames either way.
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
    transaction_log: TransactionLog | None = None
    settings: Settings = field(default_factory=Settings)

    @property
    def has_transactions(self) -> bool:
        """Whether there are transactions, loaded or left in their files."""
        return self.transactions is not None or self.transaction_log is not None

    def rfm_summary(self, as_of: Any = None, **options: Any) -> pd.DataFrame:
        """:func:`cxkit.clv.rfm_summary` of the transactions, loaded or in a log (``as_of`` default: ``self.as_of``).

        Example
        -------
        >>> int(load_folder("data/sample").rfm_summary(time_unit="D")["frequency"].sum())
        23392
        """
        from cxkit import clv

        self.require("transactions")
        as_of = self.as_of if as_of is None else as_of
        if self.transactions is not None:
            return clv.rfm_summary(self.transactions, as_of, **options)
        return self.transaction_log.rfm_summary(as_of, **options)

    def calibration_holdout_split(self, calibration_end: Any, observation_end: Any = None,
                                  **options: Any) -> pd.DataFrame:
        """:func:`cxkit.clv.calibration_holdout_split` of the transactions, loaded or in a log."""
        from cxkit import clv

        self.require("transactions")
        observation_end = self.as_of if observation_end is None else observation_end
        if self.transactions is not None:
            return clv.calibration_holdout_split(self.transactions, calibration_end, observation_end, **options)
        return self.transaction_log.calibration_holdout_split(calibration_end, observation_end, **options)

    def customer_value(self, *, period_start: Any = None, period_end: Any = None) -> pd.DataFrame:
        """:func:`cxkit.value.customer_value` at ``as_of``, plus each customer's ``period_spend``.

        ``period_spend`` is purchases minus refunds dated in the period (both ends
        included; an open end runs to the start of the data or to ``as_of``), never below 0.
        The same frame whether the transactions were loaded or left in a log.

        Example
        -------
        >>> v = load_folder("data/sample").customer_value(period_start="2025-01-01")
        >>> bool((v["period_spend"] <= v["net_spend"] + 1e-9).all())
        True
        """
        from cxkit.value import customer_value, period_spend

        self.require("transactions")
        open_period = period_start is None and period_end is None
        if self.transactions is None:
            value = self.transaction_log.customer_value(self.customers, as_of=self.as_of, period_start=period_start,
                                                        period_end=period_end)
        else:
            value = customer_value(self.transactions, self.customers, as_of=self.as_of)
            if not open_period:
                value["period_spend"] = period_spend(self.transactions, value["customer_id"], start=period_start,
                                                     end=period_end).to_numpy()
        if open_period:  # the whole history to as_of: the same rule as net_spend
            value["period_spend"] = value["net_spend"]
        return value

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
        left_out = pd.DataFrame({
            "table": self.exclusions["table"], "what happened": "rows left out",
            "rule": self.exclusions["rule"], "rows": self.exclusions["n_rows"],
            "example lines": self.exclusions["example_rows"]})
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
        rows = []
        for name in TABLES:
            df = getattr(self, name)
            log = self.transaction_log if name == "transactions" else None
            if df is None and log is not None:
                rows.append({"table": name, "source": self.sources.get(name, ""), "rows": log.rows,
                             "customers": log.customers, "first_date": log.first_date, "last_date": log.last_date,
                             "excluded_rows": 0, "present": True,
                             "hint": f"left in {log.place}, summarised by {log.engine}"})
                continue
            if df is None:
                rows.append({"table": name, "source": "", "rows": 0, "customers": 0, "first_date": pd.NaT,
                             "last_date": pd.NaT, "excluded_rows": 0, "present": False, "hint": ""})
                continue
            date_col = "signup_date" if name == "customers" else "date"
            ex = self.exclusions.loc[self.exclusions["table"] == name, "n_rows"].sum()
            hint = ""
            if name == "surveys" and self.unused_ratings:
                hint = (f"columns that look like ratings are not used: {', '.join(self.unused_ratings)}; map them, "
                        f"e.g. columns={{'{self.unused_ratings[0]}': '<nps, csat, ces or a driver>'}}")
            rows.append({
                "table": name,
                "source": self.sources.get(name, ""),
                "rows": len(df),
                "customers": df["customer_id"].nunique(),
                "first_date": df[date_col].min(),
                "last_date": df[date_col].max(),
                "excluded_rows": int(ex),
                "present": True,
                "hint": hint,
            })
        return pd.DataFrame(rows)


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


def _spark_columns(table: str, spark: Any = None) -> list[str]:
    """The columns of a Spark table; "not found", "permission denied" and "cannot connect" each have their message."""
    from cxkit.engines.spark import table_columns

    return table_columns(table, spark)


def _as_log(source: Any, engine: str, large_file_mb: float) -> bool:
    """Whether transactions stay in their files for an engine (the rule ``load_folder`` states)."""
    if isinstance(source, pd.DataFrame) or engine == "pandas":
        return False
    return engine in ("duckdb", "spark") or log_size_mb(source) > large_file_mb


def load_folder(
    path: str | Path | None = None,
    *,
    tables: Mapping[str, pd.DataFrame] | None = None,
    columns: Mapping[str, Any] | None = None,
    files: Mapping[str, str] | None = None,
    drivers: Sequence[str] | None = None,
    as_of: Any = None,
    unknown_customers: str | None = None,
    date_format: Any = None,
    dayfirst: Any = None,
    timezone: str | None = None,
    duplicates: str | None = None,
    tenure_unit: str | None = None,
    engine: str | None = None,
    large_file_mb: float | None = None,
    memory_limit: str | None = None,
    spark_table: str | None = None,
    spark: Any = None,
    company: str | None = None,
    currency: str | None = None,
    goals: Mapping[str, float] | None = None,
) -> CXData:
    """Load every table of a data folder (or a dict of DataFrames) and validate it.

    One call gives a notebook its validated tables, the report of anything excluded and
    the notes on how the data was read, so the analyst sees at once what went in.

    Parameters
    ----------
    path : folder holding ``customers``, ``transactions``, ``surveys`` and ``contacts``
        as ``.csv``, ``.parquet`` or ``.xlsx`` (names match whatever their case; two
        files for one table is an error); absent tables are allowed.
    tables : DataFrames by table name, instead of (or on top of) files.
    columns : mapping of your column names to the contract's; either one flat mapping
        for all tables or ``{"transactions": {...}, "surveys": {...}}``. A name that
        matches no column is an error (it is probably a typo).
    files : file names by table when they differ from the default, e.g.
        ``{"transactions": "orders.csv"}``.
    drivers : driver-rating columns of the survey (default: those of
        :data:`DEFAULT_DRIVERS` present).
    as_of : analysis date; later rows are excluded with a report. Default: the last date
        of activity in transactions, surveys and contacts (``CXData.as_of_rule`` says so).
    unknown_customers : ``"raise"`` (default) or ``"exclude"`` rows whose customer is
        not in the customers table.
    date_format, dayfirst, timezone : how to read dates: one value, or a mapping by
        ``"table.column"``, table or column name (see :func:`cxkit.parsing.parse_dates`).
    duplicates : ``"exclude"`` (default, reported) or ``"keep"`` exact duplicate rows.
    tenure_unit : unit of a customers ``tenure`` column when the table gives tenure +
        churned instead of dates (``"days"``, ``"weeks"``, ``"months"``).
    engine : how to read transactions: ``"auto"`` (default: into pandas, unless the file,
        or the folder of files named ``transactions/``, is larger than ``large_file_mb``),
        ``"pandas"``, ``"duckdb"`` or ``"spark"``. A log read by DuckDB or Spark is
        validated where it is and kept as ``CXData.transaction_log`` (see
        :mod:`cxkit.data.large`); the decision is in ``CXData.notes``.
    large_file_mb : the size above which ``"auto"`` leaves transactions in their files.
    memory_limit : DuckDB's memory cap for such a log, e.g. ``"2GB"``.
    spark_table : with ``engine="spark"``, the Spark table (e.g. ``"sales.transactions"``)
        that holds the transactions, in place of a file in the folder; the other tables
        still come from ``path``.
    spark : with ``engine="spark"``, the SparkSession to read with (default: the active
        session, else a local one); its settings are left as they were.
    company, currency, goals : what the reports say about the data: the company's name,
        the currency money is shown in, the goal of each metric (``{"NPS": 30}``).

    Settings
    --------
    A ``cxkit.toml`` in ``path`` (see :mod:`cxkit.data.settings`) may hold every
    argument above but ``tables``: ``company``, ``currency``, ``as_of``, ``[goals]``,
    ``[files]``, ``[columns]`` and the reading options under ``[read]``. An argument
    given here (not None) overrides the file; ``CXData.settings`` and the load report
    say where each value came from. Without the file and the argument: no company,
    no currency (plain numbers), no goals, and the defaults below.

    Returns
    -------
    CXData

    Example
    -------
    >>> cx = load_folder("data/sample")
    >>> cx.exclusions.empty, cx.as_of.date().isoformat()
    (True, '2025-12-31')
    """
    settings = read_settings(path) if path is not None and Path(path).is_dir() else Settings()
    given_read = {k: v for k, v in dict(
        dayfirst=dayfirst, date_format=date_format, timezone=timezone, duplicates=duplicates,
        unknown_customers=unknown_customers, tenure_unit=tenure_unit, engine=engine, large_file_mb=large_file_mb,
        memory_limit=memory_limit, spark_table=spark_table, drivers=drivers).items() if v is not None}
    read = {**_READ_DEFAULTS, **settings.read, **given_read}
    settings = settings.given(company=company, currency=currency, goals=goals, files=files, columns=columns)
    settings = replace(settings, read={k: v for k, v in read.items() if k in settings.read or k in given_read},
                       origin={**settings.origin, **{k: GIVEN for k in given_read}})
    if as_of is not None:
        settings = replace(settings, as_of=as_of, origin={**settings.origin, "as_of": GIVEN})
    columns, files, as_of = settings.columns, settings.files, settings.as_of
    (dayfirst, date_format, timezone, duplicates, unknown_customers, tenure_unit, engine, large_file_mb,
     memory_limit, spark_table, drivers) = (read[k] for k in (
        "dayfirst", "date_format", "timezone", "duplicates", "unknown_customers", "tenure_unit", "engine",
        "large_file_mb", "memory_limit", "spark_table", "drivers"))
    if duplicates not in {"exclude", "keep"}:
        raise DataError(f"duplicates must be 'exclude' or 'keep', got {duplicates!r}", rule="duplicates")
    if unknown_customers not in {"raise", "exclude"}:
        raise ValueError("unknown_customers must be 'raise' or 'exclude'")
    if columns is not None and not isinstance(columns, Mapping):
        raise DataError(f"columns must be a mapping such as {{'cust_no': 'customer_id'}}, got "
                        f"{type(columns).__name__}", rule="column mapping")
    bad_tables = {k: type(v).__name__ for k, v in (tables or {}).items() if not isinstance(v, pd.DataFrame)}
    if bad_tables:
        raise DataError(f"tables= takes pandas DataFrames by table name; got {bad_tables}", rule="DataFrame input")
    sources: dict[str, Source] = {}
    folder = None if path is None else Path(path)
    if engine not in ENGINES:
        raise DataError(f"engine must be one of {list(ENGINES)}, got {engine!r}", rule="engine")
    if folder is not None:
        sources.update(_files.find_table_files(folder, files))
    if spark_table is not None:
        if engine != "spark":
            raise DataError(f"spark_table={spark_table!r} is read by engine='spark', got engine={engine!r}",
                            table="transactions", rule="engine")
        if "transactions" in sources:
            raise DataError(f"two sources for the transactions table: {Path(sources['transactions']).name} and "
                            f"the Spark table {spark_table}; keep one", table="transactions",
                            rule="one source per table")
        sources["transactions"] = str(spark_table)
        table_columns = _spark_columns(spark_table, spark)   # the table exists, and what it holds
    unknown = set(tables or {}) - set(TABLES)
    if unknown:
        raise DataError(f"unknown table name(s) {sorted(unknown)}; expected {list(TABLES)}", rule="table name")
    sources.update(tables or {})
    if not sources:
        raise DataError(
            f"no tables found in {path}: expected files named {[t + '.csv' for t in TABLES]} (or .parquet, .xlsx)",
            rule="table present",
        )
    flat = bool(columns) and not _per_table(columns)
    opts = _options(None, None, date_format=date_format, dayfirst=dayfirst, timezone=timezone, duplicates=duplicates,
                    tenure_unit=tenure_unit)
    opts.strict_mapping = not flat
    given = _as_of(as_of)
    data = CXData(sources={n: (Path(s).name if not isinstance(s, pd.DataFrame) else "DataFrame")
                           for n, s in sources.items()})
    if "customers" in sources:
        data.customers = load_customers(sources["customers"], columns=_columns_for(columns, "customers"),
                                        as_of=given, _opts=opts)
    common = dict(customers=data.customers, as_of=given, unknown_customers=unknown_customers, _opts=opts)
    if "transactions" in sources:
        tx_source, tx_columns = sources["transactions"], _columns_for(columns, "transactions")
        if _as_log(tx_source, engine, large_file_mb):
            if flat:  # a flat mapping also names other tables' columns: keep those the log has
                from cxkit.engines import sql

                present = set(table_columns if spark_table is not None
                              else sql.inspect_files(sql.find_files(str(tx_source))).columns)
                tx_columns = {k: v for k, v in columns.items() if k in present} or None
                opts.used_keys.update(tx_columns or {})
            log = describe_log(tx_source, columns=tx_columns, engine="spark" if engine == "spark" else "duckdb",
                               memory_limit=memory_limit, customers=data.customers, as_of=given,
                               unknown_customers=unknown_customers, duplicates=duplicates, spark=spark,
                               timezone=setting_for(opts.timezone, "transactions", "date"))
            data.transaction_log = log
            opts.notes.extend(log.notes)
            checked = ("; checked against the customers table (known ids, signup and churn dates)"
                       if data.customers is not None else "; no customers table to check the ids against")
            threshold = "" if spark_table is not None else f", threshold {large_file_mb:,.0f} MB"
            _note(opts, "transactions", "", f"left in {log.place} and summarised by {log.engine} (engine {engine!r}"
                  f"{threshold}){checked}", log.rows)
            if log.duplicate_rows and log.drop_duplicates:
                opts.excluded.append({"table": "transactions", "rule": DUPLICATE_RULE, "n_rows": log.duplicate_rows,
                                      "example_rows": log.duplicate_examples})
            elif log.duplicate_rows:
                _note(opts, "transactions", "", "exact duplicate rows kept (duplicates='keep')", log.duplicate_rows)
            if log.late_rows:
                opts.excluded.append({"table": "transactions", "rule": f"dated after as_of ({given.date()}), the "
                                      "analysis date", "n_rows": log.late_rows, "example_rows": ""})
            if log.unknown_rows:
                opts.excluded.append({"table": "transactions", "rule": "customer_id not in customers table "
                                      f"({log.unknown_customers:,} customers)", "n_rows": log.unknown_rows,
                                      "example_rows": log.unknown_examples})
        else:
            if isinstance(tx_source, Path) and tx_source.is_dir():
                from cxkit.engines import read_transactions

                tx_source = read_transactions(tx_source)
            data.transactions = load_transactions(tx_source, columns=tx_columns, **common)
    if "surveys" in sources:
        data.surveys = load_surveys(sources["surveys"], columns=_columns_for(columns, "surveys"), drivers=drivers,
                                    **common)
        data.drivers = list(data.surveys.attrs["drivers"])
        data.unused_ratings = list(data.surveys.attrs.get("unused_ratings", []))
    if "contacts" in sources:
        data.contacts = load_contacts(sources["contacts"], columns=_columns_for(columns, "contacts"), **common)
    if flat:
        unused = [k for k in columns if k not in opts.used_keys]
        if unused:
            seen = sorted({str(c) for df in data.tables().values() for c in df.columns})
            close = difflib.get_close_matches(unused[0], seen, n=1)
            raise DataError(f"the column mapping names {unused}, which no table has"
                            + (f"; did you mean '{close[0]}'?" if close else ""), column=unused[0],
                            rule="column mapping")
    elif columns:
        for name in set(columns) - set(sources):
            _note(opts, name, "", "a column mapping was given for this table, which the folder does not have", 1)
    if given is None:
        data.as_of, data.as_of_rule = _default_as_of(data)
        if data.customers is not None and data.as_of is not None:
            data.customers = _as_of_customers(data.customers, data.as_of, opts).reset_index(drop=True)
    else:
        data.as_of = given
        source = "the settings file" if settings.origin.get("as_of") != GIVEN else "the run"
        data.as_of_rule = f"Analysis date {given:%-d %b %Y}: set by {source}; rows dated after it are left out."
    if folder is not None:
        for name in _files.unread_files(folder, [Path(s) for s in sources.values()
                                                 if not isinstance(s, pd.DataFrame)]):
            _note(opts, "", "", f"file not read: {name} (name its table with files={{'<table>': '{name}'}})", 1)
    data.settings = _confirm_sample(settings, sources, opts)   # may add a note: before the report is built
    data.exclusions = exclusion_report(opts.excluded)
    data.notes = notes_report(opts.notes)
    return data


#: load_folder's reading options when neither the call nor the settings file sets them.
_READ_DEFAULTS: dict[str, Any] = dict(
    dayfirst=None, date_format=None, timezone=None, duplicates="exclude", unknown_customers="raise",
    tenure_unit=None, engine="auto", large_file_mb=500.0, memory_limit=None, spark_table=None, drivers=None)


def _confirm_sample(settings: Settings, sources: Mapping[str, Any], opts: Any) -> Settings:
    """``settings.sample`` True only when the files read match the fingerprint the settings file claims."""
    if not settings.sample_sha256:
        return settings
    paths = [Path(sources[t]) for t in TABLES if t in sources and not isinstance(sources[t], pd.DataFrame)]
    if paths and all(p.is_file() for p in paths) and len(paths) == len(sources):
        if fingerprint(paths) == settings.sample_sha256:
            return replace(settings, sample=True)
    _note(opts, "", "", f"{SETTINGS_FILE} names the bundled sample, but the tables differ from it: read as "
          "your own data (no sample checks, no sample text)", 1)
    return settings
