"""The one definition of the per-customer queries, as SQL text both DuckDB and Spark accept.

Why one text: the CLV summary's rules (purchase days, refund netting, zero-spend days,
the ``as_of`` cut-off, the exclusion counts) decide every CLV figure. Two hand-kept
copies of them, one per engine, drift apart the first time someone fixes a rule in one
and forgets the other; then DuckDB and Spark give different CLVs for the same customers.
So the aggregation is written once here, in the SQL both engines accept (``CASE``,
``TRY_CAST``, ``MIN_BY``, ``GROUP BY``), and each engine supplies only

* a view ``cx_source(customer_id, date, amount, _file_idx, _row)`` over its files,
* a handful of dialect words (:data:`DIALECTS`: a regular-expression test, a pair of
  values that sorts like a tuple, NaN), and
* a function that runs a query and returns a pandas frame.

The per-customer rows the query returns are turned into ``rfm_summary``'s frame by the
same numpy arithmetic as the pandas path (:func:`rfm_frame`), and into
``calibration_holdout_split``'s by :func:`cxkit.engines.sql_split.split_frame` (the same
query, with the days after the calibration end as the holdout), so the engines agree with
it to the day and the cent. Money is netted in whole minor units (:func:`minor_units`,
the rounding of :func:`cxkit.units.to_minor_units`), so "is this day a purchase?"
never hangs on a float sum's last bit and the engines return integer sums that
:func:`calibration_columns` turns into currency units exactly as pandas does. The refund
rules (``refunds="net"|"drop"|"raise"``) are in the query and :func:`refund_rule`; every
exclusion wording is imported from :mod:`cxkit.exclusions` (as :mod:`cxkit.clv.summary`'s
are), so the three paths name left-out rows identically.

Calendar days (the rule implemented, the pandas one):

* ``DATE`` columns are days; naive ``TIMESTAMP`` columns give the date part as written.
* Time-zone-aware timestamps (Parquet written from a tz-aware pandas column) give the
  date part of the wall-clock time in *each file's own* time zone (the one stored in that
  file's Arrow schema; parts of one log may differ), or, with ``timezone=`` stated, in
  that zone. The engines run in UTC and the SQL turns each instant into its wall-clock
  time (:func:`local_time`): a named zone through the engine's zone data (DuckDB
  ``timezone()``, Spark ``from_utc_timestamp``), a fixed offset (``+02:00``, ``-05:30``)
  as that many minutes added to UTC (DuckDB takes no bare offset as a zone name).
* Text dates must be ISO (``YYYY-MM-DD``, optionally followed by a time and an offset
  such as ``+02:00`` or ``Z``); the day is the date part *as written*, the offset is not
  applied (pandas keeps the wall-clock time too), row by row, so a column whose rows
  carry different offsets is read the same way. With ``timezone=`` stated, a row with an
  offset is converted to that zone by its own offset; a row without one is taken to be
  in it. Any other text is "date could not be parsed", naming the file: big-data files
  must carry one unambiguous format.
* Parquet parts with a zone beside parts without one, or a zone neither engine knows,
  stop with a :class:`DataError` naming the files and their zones (:func:`inspect_files`).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

from cxkit.errors import DataError, EngineError
from cxkit.exclusions import (
    EXCLUDED_AFTER_AS_OF,
    EXCLUDED_BEFORE_START,
    EXCLUDED_NO_PURCHASE_DAY,
    EXCLUDED_NOT_PURCHASE_DAYS,
    EXCLUDED_REFUNDS_DROPPED,
    NO_PURCHASE_DAY,
    NO_ROWS_LEFT,
    REFUSED_REFUNDS,
    REFUSED_REFUNDS_HINT,
    Exclusion,
)
from cxkit.parsing import clean_text
from cxkit.units import MINOR_UNIT_DIGITS, day_timestamp, spend_per_day

__all__ = ["SUMMARY_SQL", "VALIDATION_SQL", "SPEND_SQL", "DIALECTS", "Source", "EngineError", "rfm_frame",
           "refund_rule", "calibration_columns", "minor_units", "local_time", "zone_minutes"]

TABLE = "transactions"
REQUIRED = ("customer_id", "date", "amount")
_ISO = "^[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?)? *(Z|[+-][0-9]{2}:?[0-9]{2})?$"
_MAX_DOUBLE = "1.7976931348623157E308"
#: ISO text with a time and an offset (the offset itself is the last group of each pattern below).
_ZONED_TEXT = "[0-9]:[0-9]{2}([.][0-9]+)? *(Z|[+-][0-9]{2}:?[0-9]{2})$"
_OFFSET_TEXT = " *(Z|[+-][0-9]{2}:?[0-9]{2})$"
_FIXED_OFFSET = re.compile(r"^(?:UTC|GMT)?([+-])(\d{2}):?(\d{2})$")


#: The few words in which DuckDB's and Spark's SQL differ.
DIALECTS: dict[str, dict[str, str]] = {
    # DuckDB: the (file, row) pair packed in one BIGINT (fast); Spark: a struct (its row ids use 63 bits).
    "duckdb": {"regex": "regexp_matches({x}, '{p}')", "pair": "(CAST({a} AS BIGINT) * 1099511627776 + {b})",
               "order": "MIN(first_seen)",
               "unpair": "CAST({p} // 1099511627776 AS BIGINT) AS _file_idx, {p} % 1099511627776 AS _row"},
    "spark": {"regex": "({x} RLIKE '{p}')", "pair": "named_struct('f', {a}, 'r', {b})",
              "order": "MIN(first_seen).f, MIN(first_seen).r", "unpair": "{p}.f AS _file_idx, {p}.r AS _row"},
}
# The wall-clock time in a named zone of an instant (a UTC session; a naive value is read as UTC),
# and a number of minutes as an interval.
DIALECTS["duckdb"].update(in_zone="timezone('{z}', CAST({x} AS TIMESTAMPTZ))",
                          minutes="to_minutes(CAST({m} AS BIGINT))")
DIALECTS["spark"].update(in_zone="from_utc_timestamp({x}, '{z}')", minutes="make_dt_interval(0, 0, {m})")

# ----------------------------------------------------------------------------- the query

#: Per customer: first appearance, late / early / dropped / kept rows, purchase days, first
#: and last purchase day, net spend over purchase days and the first purchase day's spend,
#: and the same for the holdout (days after ``{cal}``). ``rfm_summary`` runs it with
#: ``{cal}`` = ``{end}`` = as_of (no holdout); ``calibration_holdout_split`` with
#: ``{cal}`` = calibration_end and ``{end}`` = observation_end. ``{drop_refunds}`` = 1
#: drops negative rows inside the window (``refunds="drop"``); ``neg_rows`` counts those
#: rows either way (``refunds="raise"`` refuses them). Amounts, ``net``, ``total_spend``,
#: ``first_spend`` and ``hold_spend`` are whole minor units (``{scale}`` per currency unit).
SUMMARY_SQL = """
WITH scaled_rows AS (
    SELECT {cid} AS cid, {day} AS day, ({amount}) * CAST({scale} AS DOUBLE) AS scaled, {pair} AS seen
    FROM cx_source
),
typed AS (
    -- amounts in whole minor units (cents), rounded half away from zero: the netting below is exact
    SELECT cid, day, {cents} AS amount, seen
    FROM (SELECT *, {whole} AS whole FROM scaled_rows) s
),
raw_cells AS (
    -- the one pass over every row: few aggregates, so the (customer, day) table stays small;
    -- everything that depends on the day alone (late, early, refunds dropped) comes after
    SELECT cid, day, CAST(SUM(amount) AS BIGINT) AS net_all, COUNT(*) AS n_all,
           SUM(CASE WHEN amount < 0 THEN 1 ELSE 0 END) AS n_neg,
           {neg_sum} AS neg_sum,
           MIN(seen) AS first_seen
    FROM typed GROUP BY cid, day
),
cells AS (
    -- period: 1 calibration (or the whole window), 2 holdout, 3 after the window, 4 before it
    SELECT cid, day, n_neg, first_seen,
           CASE WHEN day > {end} THEN 3 WHEN day < {start} THEN 4 WHEN day > {cal} THEN 2 ELSE 1 END AS period,
           {n_neg_in} AS n_neg_in, {net} AS net, {n_rows} AS n_rows
    FROM raw_cells
),
marked AS (
    SELECT cid, day, net, n_rows, n_neg_in, first_seen, period,
           CASE WHEN period <= 2 AND n_rows > 0 AND (net > 0 OR ({zero_is_purchase} = 1 AND net = 0
                     AND n_neg - {drop_refunds} * n_neg_in = 0)) THEN period ELSE 0 END AS purchase_in
    FROM cells
)
SELECT cid,
       {late_rows} AS late_rows,
       {early_rows} AS early_rows,
       {neg_rows} AS neg_rows,
       SUM(CASE WHEN period = 1 THEN n_rows ELSE 0 END) AS kept_rows,
       SUM(CASE WHEN period = 1 AND purchase_in <> 1 THEN n_rows ELSE 0 END) AS other_rows,
       SUM(CASE WHEN purchase_in = 1 THEN 1 ELSE 0 END) AS n_days,
       MIN(CASE WHEN purchase_in = 1 THEN day END) AS first_day,
       MAX(CASE WHEN purchase_in = 1 THEN day END) AS last_day,
       CAST(SUM(CASE WHEN purchase_in = 1 THEN net END) AS BIGINT) AS total_spend,
       MIN_BY(net, CASE WHEN purchase_in = 1 THEN day END) AS first_spend{holdout}
FROM marked
GROUP BY cid
ORDER BY {order}
"""

def summary_query(ex: Mapping[str, str], *, start: str, end: str, cal: str, refunds: str,
                  zero_spend_days: str, holdout: bool = True, late: bool = True, early: bool = True,
                  minor_unit_digits: int = MINOR_UNIT_DIGITS) -> str:
    """:data:`SUMMARY_SQL` for one run.

    What only some runs need costs time on every (customer, day), so it is left out when
    not needed: the refunds' sum and the refund-adjusted net (only when refunds are
    dropped), the count of refunds in the window (not when they are netted), the holdout
    columns (only for the calibration/holdout split), and the rows after ``end``
    (``late=False``) or before ``start`` (``early=False``) when the log's first and last
    days (from :func:`validate`) show there are none.
    """
    drop = refunds == "drop"
    inside = f"day <= {end} AND day >= {start}"
    return SUMMARY_SQL.format(**ex, start=start, end=end, cal=cal, drop_refunds=int(drop),
                              scale=10 ** minor_unit_digits, whole=_WHOLE.format(x="scaled"),
                              cents=_ROUNDED.format(x="scaled", whole="whole"),
                              neg_sum="SUM(CASE WHEN amount < 0 THEN amount ELSE 0 END)" if drop else "0",
                              n_neg_in=f"CASE WHEN {inside} THEN n_neg ELSE 0 END" if refunds != "net" else "0",
                              net=f"CASE WHEN {inside} THEN net_all - neg_sum ELSE net_all END" if drop else "net_all",
                              n_rows=f"CASE WHEN {inside} THEN n_all - n_neg ELSE n_all END" if drop else "n_all",
                              holdout=_HOLDOUT_COLUMNS if holdout else "",
                              late_rows="SUM(CASE WHEN period = 3 THEN n_rows ELSE 0 END)" if late else "0",
                              early_rows="SUM(CASE WHEN period = 4 THEN n_rows ELSE 0 END)" if early else "0",
                              neg_rows="SUM(n_neg_in)" if refunds != "net" else "0",
                              zero_is_purchase=int(zero_spend_days == "purchase"))


#: Round a float ``{x}`` to a whole number, half away from zero, as BIGINT (``{whole}`` = ``{x}`` truncated):
#: the rule of :func:`cxkit.units.to_minor_units`, in words both engines read the same way
#: (``x - trunc(x)`` is exact in floating point, so no ``x + 0.5`` rounding slips in).
_WHOLE = "CASE WHEN {x} < 0 THEN CEIL({x}) ELSE FLOOR({x}) END"
_ROUNDED = "CAST({whole} + CASE WHEN ABS({x} - {whole}) >= 0.5 THEN SIGN({x}) ELSE 0 END AS BIGINT)"


def minor_units(amount: str, minor_unit_digits: int = MINOR_UNIT_DIGITS) -> str:
    """SQL for an amount in whole minor units (BIGINT), rounded as :func:`cxkit.units.to_minor_units`.

    Example
    -------
    >>> from cxkit.engines.duck import connect
    >>> connect().execute(f"SELECT {minor_units('x')} FROM (VALUES (0.125), (-0.125), (10.1)) t(x)").fetchall()
    [(13,), (-13,), (1010,)]
    """
    x = f"(({amount}) * CAST({10 ** minor_unit_digits} AS DOUBLE))"
    return _ROUNDED.format(x=x, whole=_WHOLE.format(x=x))


_HOLDOUT_COLUMNS = """,
       SUM(CASE WHEN period = 2 THEN n_rows ELSE 0 END) AS hold_rows,
       SUM(CASE WHEN period = 2 AND purchase_in <> 2 THEN n_rows ELSE 0 END) AS hold_other_rows,
       SUM(CASE WHEN purchase_in = 2 THEN 1 ELSE 0 END) AS hold_days,
       CAST(SUM(CASE WHEN purchase_in = 2 THEN net ELSE 0 END) AS BIGINT) AS hold_spend"""


#: One pass counting the rows that break each rule of ``rfm_summary``'s validation.
VALIDATION_SQL = """
SELECT COUNT(*) AS n_rows,
       SUM(CASE WHEN {cid} IS NULL THEN 1 ELSE 0 END) AS missing_customer,
       SUM(CASE WHEN {date_bad} THEN 1 ELSE 0 END) AS bad_date,
       SUM(CASE WHEN date IS NULL THEN 1 ELSE 0 END) AS missing_date,
       SUM(CASE WHEN {amount_bad} THEN 1 ELSE 0 END) AS bad_amount,
       SUM(CASE WHEN {amount_nonfinite} THEN 1 ELSE 0 END) AS nonfinite_amount,
       SUM(CASE WHEN {day} > {as_of} THEN 1 ELSE 0 END) AS late,
       MIN({day}) AS first_day,
       MAX({day}) AS last_day
FROM cx_source
"""

#: ``customer_value``'s per-customer sums (gross spend, refunds, purchase days, first date),
#: and the net spend dated from ``{period_start}`` to ``{period_end}`` (both included).
SPEND_SQL = """
SELECT {cid} AS cid,
       SUM(CASE WHEN {amount} > 0 THEN {amount} ELSE 0 END) AS gross_spend,
       SUM(CASE WHEN {amount} < 0 THEN -({amount}) ELSE 0 END) AS refunds,
       COUNT(DISTINCT CASE WHEN {amount} > 0 THEN {day} END) AS purchase_days,
       MIN({ts}) AS first_purchase,
       MAX({ts}) AS last_date,
       SUM(CASE WHEN {day} >= {period_start} AND {day} <= {period_end} THEN {amount} ELSE 0 END) AS period_net
FROM cx_source
WHERE {day} <= {as_of}
GROUP BY {cid}
"""

# ----------------------------------------------------------------------------- sources


@dataclass
class Source:
    """What an engine found: file names (for messages), the kind of each column, its time zone."""

    files: list[str]
    kinds: dict[str, str]  # column -> "string" | "numeric" | "bool" | "date" | "timestamp" | "timestamptz"
    timezone: str | None = None
    dialect: str = "duckdb"
    csv: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def arrow_kind(arrow_type: Any) -> str:
    """The kind of a pyarrow type, as the SQL expressions need it."""
    import pyarrow as pa

    t = arrow_type
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_null(t):
        return "string"
    if pa.types.is_boolean(t):
        return "bool"
    if pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t):
        return "numeric"
    if pa.types.is_date(t):
        return "date"
    if pa.types.is_timestamp(t):
        return "timestamptz" if t.tz else "timestamp"
    return str(t)


def zone_minutes(zone: str) -> int | None:
    """Minutes east of UTC of a fixed offset (``"+02:00"``, ``"-0530"``, ``"UTC"``); None for a named zone.

    Example
    -------
    >>> zone_minutes("+02:00"), zone_minutes("-05:30"), zone_minutes("UTC"), zone_minutes("Asia/Tokyo")
    (120, -330, 0, None)
    """
    if zone.strip().upper() in ("UTC", "Z", "GMT", "ETC/UTC", "ETC/GMT"):
        return 0
    m = _FIXED_OFFSET.match(zone.strip())
    if m is None:
        return None
    return (-1 if m.group(1) == "-" else 1) * (int(m.group(2)) * 60 + int(m.group(3)))


def known_zone(zone: str) -> bool:
    """Whether both engines can apply ``zone``: a fixed offset, or a zone name in the time-zone database."""
    if zone_minutes(zone) is not None:
        return True
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def local_time(x: str, zone: str, dialect: str) -> str:
    """SQL for the wall-clock time in ``zone`` of the instant ``x`` (the engines run in UTC).

    A fixed offset is added to UTC as minutes (so ``+02:00`` works on DuckDB, which takes
    no bare offset as a zone name, and ``+05:30`` as well as whole hours); a named zone
    (``Europe/London``, with its summer time) goes through the engine's zone data.

    Example
    -------
    >>> local_time("date", "+02:00", "duckdb")
    '(CAST(date AS TIMESTAMP) + to_minutes(CAST(120 AS BIGINT)))'
    """
    minutes = zone_minutes(zone)
    if minutes == 0:
        return f"CAST({x} AS TIMESTAMP)"
    if minutes is not None:
        return f"(CAST({x} AS TIMESTAMP) + {DIALECTS[dialect]['minutes'].format(m=minutes)})"
    return DIALECTS[dialect]["in_zone"].format(x=x, z=zone.replace("'", "''"))


def _zoned_timestamp(src: Source) -> str:
    """The wall-clock time of a zoned timestamp column: in the stated zone, else in each file's own zone."""
    target = src.extra.get("timezone")
    if target:
        return local_time("date", target, src.dialect)
    by_zone: dict[str, list[int]] = {}
    for i, zone in enumerate(src.extra.get("zones") or []):
        if zone:
            by_zone.setdefault(zone, []).append(i)
    if not by_zone:  # a Spark table or DataFrame: its session's zone decides, as for the user's own queries
        return "CAST(date AS TIMESTAMP)"
    if len(by_zone) == 1:
        return local_time("date", next(iter(by_zone)), src.dialect)
    cases = " ".join(f"WHEN _file_idx IN ({', '.join(map(str, idx))}) THEN {local_time('date', zone, src.dialect)}"
                     for zone, idx in by_zone.items())
    return f"CASE {cases} END"


def _text_day_and_time(src: Source, text: str) -> tuple[str, str]:
    """Day and wall-clock time of ISO text: as written, or (offset given, zone stated) converted row by row."""
    dia = DIALECTS[src.dialect]
    local = f"TRY_CAST(regexp_replace({text}, '{_OFFSET_TEXT}', '') AS TIMESTAMP)"
    day = f"TRY_CAST(SUBSTR({text}, 1, 10) AS DATE)"
    target = src.extra.get("timezone")
    if not target:
        return day, local
    sign = f"CASE WHEN regexp_extract({text}, '([+-])[0-9]{{2}}:?[0-9]{{2}}$', 1) = '-' THEN -1 ELSE 1 END"
    hours = f"CAST(regexp_extract({text}, '[+-]([0-9]{{2}}):?[0-9]{{2}}$', 1) AS INT)"
    mins = f"CAST(regexp_extract({text}, '[+-][0-9]{{2}}:?([0-9]{{2}})$', 1) AS INT)"
    offset = f"(CASE WHEN {text} LIKE '%Z' THEN 0 ELSE ({sign}) * ({hours} * 60 + {mins}) END)"
    utc = f"({local} - {dia['minutes'].format(m=offset)})"
    converted = local_time(utc, target, src.dialect)
    zoned = dia["regex"].format(x=text, p=_ZONED_TEXT)
    return (f"CASE WHEN {zoned} THEN CAST({converted} AS DATE) ELSE {day} END",
            f"CASE WHEN {zoned} THEN {converted} ELSE {local} END")


def expressions(src: Source, as_of_day: int | None = None) -> dict[str, str]:
    """The SQL expressions for the day, amount and timestamp of a row, and their checks.

    A row's day follows the rule in the module's docstring: per file for zoned timestamps
    (``src.extra["zones"]``), per row for text, converted when ``src.extra["timezone"]`` is set.
    """
    dia = DIALECTS[src.dialect]
    dk, ak = src.kinds["date"], src.kinds["amount"]
    if dk == "string":
        text = "TRIM(date)"
        ok = dia["regex"].format(x=text, p=_ISO)
        text_day, text_ts = _text_day_and_time(src, text)
        day = f"CASE WHEN {ok} THEN {text_day} END"
        date_bad = f"(date IS NOT NULL AND ({day}) IS NULL)"
        ts = f"CASE WHEN {ok} THEN {text_ts} END"
    elif dk == "timestamptz":
        ts = _zoned_timestamp(src)
        day, date_bad = f"CAST({ts} AS DATE)", "FALSE"
    else:
        day, date_bad, ts = "CAST(date AS DATE)", "FALSE", "CAST(date AS TIMESTAMP)"
    if ak == "string":
        amount = "TRY_CAST(TRIM(amount) AS DOUBLE)"
        amount_bad = f"(amount IS NOT NULL AND {amount} IS NULL)"
    else:
        amount, amount_bad = "CAST(amount AS DOUBLE)", "FALSE"
    nonfinite = f"({amount} IS NULL OR isnan({amount}) OR ABS({amount}) > {_MAX_DOUBLE})"
    text_cid = src.extra.get("text_ids") and src.kinds.get("customer_id") == "string"
    return {"cid": id_text(src) if text_cid else "customer_id", "id_text": id_text(src), "day": day,
            "date_bad": date_bad, "ts": ts, "amount": amount, "amount_bad": amount_bad,
            "amount_nonfinite": nonfinite, "pair": dia["pair"].format(a="_file_idx", b="_row"), "order": dia["order"],
            "as_of": sql_date(as_of_day) if as_of_day is not None else "DATE '9999-12-31'"}


def id_text(src: Source) -> str:
    """A customer id as the loaded tables hold it (:func:`cxkit.parsing.clean_text`): text, stripped, empty missing.

    Whole numbers, even when stored as floats (7.0), become "7".
    """
    kind = src.kinds.get("customer_id")
    if kind == "string":
        return "NULLIF(TRIM(customer_id), '')"
    if kind == "numeric":
        return ("CASE WHEN customer_id = FLOOR(customer_id) THEN CAST(CAST(customer_id AS BIGINT) AS STRING) "
                "ELSE CAST(customer_id AS STRING) END")
    return "CAST(customer_id AS STRING)"


def sql_date(day: int) -> str:
    """An integer day number as a SQL date literal both engines read."""
    return f"DATE '{day_timestamp(day):%Y-%m-%d}'"


def to_days(values: Any) -> np.ndarray:
    """Dates returned by an engine (datetime64 or ``datetime.date``) as int64 day numbers."""
    arr = pd.to_datetime(pd.Series(values)).to_numpy()
    return arr.astype("datetime64[D]").astype(np.int64)


# ----------------------------------------------------------------------------- validation

Query = Callable[[str], pd.DataFrame]


def sql_error(column: str | None, rule: str, n: int, rows: pd.DataFrame | None, files: Mapping[str, int] | None = None,
              hint: str | None = None) -> DataError:
    """A :class:`DataError` shaped like ``cxkit.errors.data_error`` with the true count ``n``."""
    where = f"table '{TABLE}'" + (f", column '{column}'" if column else "")
    msg = f"{where}: {rule} ({n} row{'s' if n != 1 else ''})"
    if files:
        msg += "; in file(s): " + ", ".join(f"{f} ({k} rows)" for f, k in list(files.items())[:10])
    if rows is not None and len(rows):
        msg += f"; first offending rows:\n{rows.to_string()}"
    if hint:
        msg += f"\nHint: {hint}"
    return DataError(msg, table=TABLE, column=column, rule=rule, n_rows=n, rows=rows)


def row_in_file(query: Query, src: Source, file_idx: pd.Series, row: pd.Series) -> np.ndarray:
    """Row numbers counted within each file (1 = the first data row).

    DuckDB numbers CSV rows across all the files of a log (``row_number() OVER ()``, in
    file order; a numbering per file would not keep the order); this turns a row number
    into its place in its file, with one extra pass, taken only when rows are reported.
    """
    values = row.to_numpy(np.int64)
    if not (src.csv and src.dialect == "duckdb" and len(values)):
        return values
    firsts = query("SELECT _file_idx, MIN(_row) AS first_row FROM cx_raw GROUP BY _file_idx")
    first = dict(zip(firsts["_file_idx"].astype(int), firsts["first_row"].astype(np.int64), strict=True))
    return values - np.array([first.get(int(i), 1) for i in file_idx], dtype=np.int64) + 1


def offending(query: Query, src: Source, where: str, limit: int = 5,
              table: str = "cx_source") -> tuple[pd.DataFrame, dict[str, int]]:
    """The first offending rows (``LIMIT``) of ``table`` and the count per file of rows matching ``where``."""
    rows = query(f"SELECT _file_idx, _row, customer_id, date, amount FROM {table} WHERE {where} "
                 f"ORDER BY _file_idx, _row LIMIT {limit}")
    rows["_row"] = row_in_file(query, src, rows["_file_idx"], rows["_row"])
    per_file = query(f"SELECT _file_idx, COUNT(*) AS n FROM {table} WHERE {where} GROUP BY _file_idx "
                     "ORDER BY _file_idx")
    names = {i: (src.files[i] if 0 <= i < len(src.files) else "<data frame>") for i in range(len(src.files))}
    rows.insert(0, "file", [names.get(int(i), "<data frame>") for i in rows.pop("_file_idx")])
    rows = rows.rename(columns={"_row": "row"}).set_index(["file", "row"])
    counts = {names.get(int(i), "<data frame>"): int(n)
              for i, n in zip(per_file["_file_idx"], per_file["n"], strict=True)}
    return rows, (counts if src.files else {})


@dataclass(frozen=True)
class LogSpan:
    """What :func:`validate` learnt on its pass: the row count and the first and last day (day numbers)."""

    n_rows: int
    first_day: int
    last_day: int


def validate(query: Query, src: Source, as_of_day: int | None, after_as_of: str) -> LogSpan:
    """Raise the :class:`DataError` ``rfm_summary`` would raise, in its order; return the log's span."""
    missing = [c for c in REQUIRED if c not in src.kinds]
    if missing:
        raise DataError(f"table '{TABLE}', column '{', '.join(missing)}': required column missing\nHint: available "
                        f"columns: {list(src.extra.get('columns', src.kinds))}; map yours with columns="
                        "{'your name': 'customer_id'}", table=TABLE, column=", ".join(missing),
                        rule="required column missing")
    ex = expressions(src, as_of_day)
    if src.kinds["date"] in ("numeric", "bool"):
        rows, _ = offending(query, src, "TRUE")
        raise sql_error("date", "dates are numbers, not datetimes", len(rows), rows,
                        hint="write dates as DATE/TIMESTAMP columns or ISO text (YYYY-MM-DD)")
    if src.kinds["date"] not in ("string", "date", "timestamp", "timestamptz"):
        raise sql_error("date", f"date column has type {src.kinds['date']}, not a date", 0, None)
    if src.kinds["amount"] == "bool":
        rows, _ = offending(query, src, "TRUE")
        raise sql_error("amount", "amount must be numeric, got booleans", len(rows), rows)
    found = query(VALIDATION_SQL.format(**ex))
    days = to_days(found[["first_day", "last_day"]].iloc[0])
    counts = found.drop(columns=["first_day", "last_day"]).fillna(0).astype("int64").iloc[0]
    if counts["n_rows"] == 0:
        raise DataError(f"table '{TABLE}': table has no rows", table=TABLE, rule="table has no rows")
    checks = [
        ("missing_customer", "customer_id", "customer id must not be missing", f"{ex['cid']} IS NULL", None),
        ("bad_date", "date", "date could not be parsed", ex["date_bad"],
         "the engines read DATE/TIMESTAMP columns and ISO text dates (YYYY-MM-DD[ HH:MM:SS][+HH:MM]); "
         "write every file in that one format"),
        ("missing_date", "date", "date must not be missing", "date IS NULL", None),
        ("bad_amount", "amount", "amount is not numeric", ex["amount_bad"],
         "strip currency symbols / thousands separators before writing the files"),
        ("nonfinite_amount", "amount", "amount must be a finite number (no missing or infinite values)",
         ex["amount_nonfinite"], None),
    ]
    for key, column, rule, where, hint in checks:
        if counts[key]:
            rows, files = offending(query, src, where)
            raise sql_error(column, rule, int(counts[key]), rows, files, hint)
    if counts["late"] and after_as_of == "raise" and as_of_day is not None:
        rows, files = offending(query, src, f"{ex['day']} > {ex['as_of']}")
        raise sql_error("date", f"transactions dated after as_of ({day_timestamp(as_of_day):%Y-%m-%d})",
                        int(counts["late"]), rows, files,
                        hint="filter the files to the observation period first, or pass after_as_of='exclude' "
                             "to leave them out (they are then counted in summary.attrs['exclusions'])")
    return LogSpan(int(counts["n_rows"]), int(days[0]), int(days[1]))


# ----------------------------------------------------------------------------- results


def customer_ids(values: pd.Series, src: Source) -> pd.Index:
    """Customer ids as pandas would type them: text read from CSV that is all integers becomes int64.

    With ``src.extra["text_ids"]`` (a log that belongs to a loaded folder) ids are text, as
    in the folder's other tables (:func:`cxkit.parsing.clean_text`).
    """
    if src.extra.get("text_ids"):
        return pd.Index(clean_text(pd.Series(values, name="customer_id"), as_str=True).astype(str),
                        name="customer_id")
    if src.csv and len(values) and values.astype(str).str.fullmatch(r"-?[0-9]+").all():
        return pd.Index(values.astype(np.int64), name="customer_id")
    return pd.Index(values.to_numpy(dtype=object) if values.dtype == object else values, name="customer_id")


def exclusion_counts(rows: np.ndarray) -> tuple[int, int]:
    """Rows left out under a rule and the customers they belong to, from per-customer counts."""
    return int(rows.sum()), int((rows > 0).sum())


def counts(per: pd.DataFrame, *names: str) -> dict[str, np.ndarray]:
    """Per-customer row counts of :data:`SUMMARY_SQL` as int64 arrays (missing sums are 0)."""
    return {c: per[c].fillna(0).to_numpy(np.int64) for c in names}


def refund_rule(query: Query, src: Source, per: pd.DataFrame, refunds: str, window: str,
                records: list[dict[str, Any]], minor_unit_digits: int = MINOR_UNIT_DIGITS) -> None:
    """``refunds="raise"``: the pandas refusal (rule, count, first rows, files); ``"drop"``: count the rows dropped.

    ``window`` is the SQL condition of the days the rule applies to (those not already
    left out as too late or too early), as in :func:`cxkit.clv.summary._apply_refund_rule`.
    """
    neg = counts(per, "neg_rows")["neg_rows"]
    if not neg.any() or refunds == "net":
        return
    if refunds == "raise":
        ex = expressions(src)
        rows, files = offending(query, src, f"{minor_units(ex['amount'], minor_unit_digits)} < 0 AND {window}")
        raise sql_error("amount", REFUSED_REFUNDS, int(neg.sum()), rows, files, REFUSED_REFUNDS_HINT)
    add_record(records, EXCLUDED_REFUNDS_DROPPED, neg)


def add_record(records: list[dict[str, Any]], rule: str, rows: np.ndarray) -> None:
    """Append the :class:`~cxkit.exclusions.Exclusion` of ``rule`` when the per-customer ``rows`` left out any row.

    It is appended as a CLV summary's record (``{"rule", "n_rows", "n_customers"}``), the
    shape :func:`cxkit.clv.rfm_summary` puts in ``attrs["exclusions"]``, so both paths
    return equal frames.
    """
    if rows.sum():
        n_rows, n_customers = exclusion_counts(rows)
        records.append(Exclusion(TABLE, rule, n_rows, customers=n_customers).record("summary"))


def calibration_columns(per: pd.DataFrame, buyer: np.ndarray, end_day: int, unit_days: float,
                        index: pd.Index, minor_unit_digits: int = MINOR_UNIT_DIGITS) -> pd.DataFrame:
    """frequency / recency / T / monetary value and purchase dates of the buyers, as ``rfm_summary`` computes them.

    The query's spend columns are whole minor units; they become currency units here, by the
    arithmetic of :func:`cxkit.clv.summary.rfm_summary` (``spend_per_day``, cents / scale).
    """
    p = per[buyer]
    first, last = to_days(p["first_day"]), to_days(p["last_day"])
    n_days = per["n_days"].fillna(0).to_numpy(np.int64)[buyer]
    scale = float(10 ** minor_unit_digits)
    total = p["total_spend"].to_numpy(np.int64)
    freq = n_days - 1
    mv = spend_per_day(total - p["first_spend"].to_numpy(np.int64), freq, scale)
    return pd.DataFrame({
        "frequency": freq.astype(np.int64),
        "recency": (last - first) / unit_days,
        "T": (end_day - first) / unit_days,
        "monetary_value": mv,
        "first_purchase": first.astype("datetime64[D]").astype("datetime64[ns]"),
        "last_purchase": last.astype("datetime64[D]").astype("datetime64[ns]"),
        "n_purchase_days": n_days.astype(np.int64),
        "total_spend": total / scale,
    }, index=index)


def rfm_frame(per: pd.DataFrame, src: Source, as_of_day: int, unit_days: float, time_unit: str,
              zero_spend_days: str, refund_records: list[dict[str, Any]] | None = None,
              minor_unit_digits: int = MINOR_UNIT_DIGITS) -> pd.DataFrame:
    """``rfm_summary``'s frame (same index, columns, dtypes, attrs) from :data:`SUMMARY_SQL`'s rows.

    ``as_of_day`` is the analysis date (the log's last day when none was given);
    ``refund_records`` holds the ``refunds="drop"`` record from :func:`refund_rule`, placed
    where ``rfm_summary`` lists it (after the late and early rows).
    """
    ids = customer_ids(per["cid"], src)
    num = counts(per, "late_rows", "early_rows", "kept_rows", "other_rows", "n_days")
    records: list[dict[str, Any]] = []
    add_record(records, EXCLUDED_AFTER_AS_OF, num["late_rows"])
    add_record(records, EXCLUDED_BEFORE_START, num["early_rows"])
    records.extend(refund_records or [])
    buyer = num["n_days"] > 0
    add_record(records, EXCLUDED_NOT_PURCHASE_DAYS.format(or_zero=", or zero" if zero_spend_days == "exclude" else ""),
               np.where(buyer, num["other_rows"], 0))
    add_record(records, EXCLUDED_NO_PURCHASE_DAY, np.where(buyer, 0, num["kept_rows"]))
    if not num["kept_rows"].any():
        raise DataError(f"table '{TABLE}', column 'date': {NO_ROWS_LEFT}", table=TABLE, column="date",
                        rule=NO_ROWS_LEFT)
    if not buyer.any():
        raise DataError(f"table '{TABLE}', column 'amount': {NO_PURCHASE_DAY}\nHint: rows left out: {records}",
                        table=TABLE, column="amount", rule=NO_PURCHASE_DAY)
    out = calibration_columns(per, buyer, as_of_day, unit_days, ids[buyer], minor_unit_digits)
    out.attrs = {"time_unit": time_unit, "as_of": day_timestamp(as_of_day), "exclusions": records}
    return out


# ----------------------------------------------------------------------------- files

_PARQUET = (".parquet", ".pq")
_CSV = (".csv", ".csv.gz", ".txt", ".tsv")


@dataclass
class FileSet:
    """The files of a source, all Parquet or all CSV, with the kind of each column."""

    paths: list[str]
    csv: bool
    columns: list[str]
    kinds: dict[str, str]
    #: the session zone the engines run in: None, UTC (each file's zone is applied in the SQL, from ``zones``)
    timezone: str | None = None
    #: per file, the time zone of its zoned ``date`` column (None: naive, a date, text or CSV)
    zones: list[str | None] = field(default_factory=list)

    def describe(self) -> str:
        names = [p.rsplit("/", 1)[-1] for p in self.paths]
        return f"{len(names)} file(s) ({', '.join(names[:5])}{', ...' if len(names) > 5 else ''})"


def find_files(source: Any) -> list[str]:
    """A file, a folder of Parquet/CSV files or a glob as a sorted list of paths (the pandas order)."""
    import glob
    from pathlib import Path

    text = str(source)
    if any(ch in text for ch in "*?["):
        paths = sorted(glob.glob(text))
    elif Path(text).is_dir():
        paths = sorted(str(p) for p in Path(text).iterdir()
                       if p.is_file() and not p.name.startswith((".", "_"))
                       and p.name.lower().endswith(_PARQUET + _CSV))
    elif Path(text).is_file():
        paths = [text]
    else:
        raise DataError(f"table '{TABLE}': no such file or folder: {text}", table=TABLE, rule="file exists")
    if not paths:
        raise DataError(f"table '{TABLE}': no Parquet or CSV files in {text}", table=TABLE, rule="file exists")
    return [str(Path(p).resolve()) for p in paths]


def inspect_files(paths: list[str], columns: Mapping[str, str] | None = None) -> FileSet:
    """Read each file's schema (Parquet footer or CSV header): damaged files and type clashes are errors.

    One file whose ``amount`` is text while the others hold numbers, or a Parquet file
    whose footer is damaged, is named here, before any engine scans the data.
    """
    import csv
    import gzip

    import pyarrow.parquet as pq

    kinds_of = [p.lower().endswith(_CSV) for p in paths]
    if len(set(kinds_of)) > 1:
        raise DataError(f"table '{TABLE}': mixed CSV and Parquet files: {[p.rsplit('/', 1)[-1] for p in paths][:10]}; "
                        "keep one format per folder", table=TABLE, rule="one file format")
    is_csv = kinds_of[0]
    wanted = [k for k, v in (columns or {}).items() if v in REQUIRED] + [c for c in REQUIRED]
    seen: dict[str, tuple[str, str]] = {}
    all_columns: list[str] = []
    zones: list[str | None] = []
    date_names = {k for k, v in (columns or {}).items() if v == "date"} or {"date"}
    for path in paths:
        name = path.rsplit("/", 1)[-1]
        if is_csv:
            opener = gzip.open if path.lower().endswith(".gz") else open
            try:
                with opener(path, "rt", encoding="utf-8-sig", newline="") as fh:
                    text = fh.readline()
            except (OSError, UnicodeDecodeError) as exc:
                raise DataError(f"table '{TABLE}': {name} could not be read as UTF-8 CSV ({exc})", table=TABLE,
                                rule="readable file") from None
            header = next(csv.reader([text], delimiter="\t" if path.lower().endswith(".tsv") else
                                     max(",;\t|", key=text.count)), [])
            file_kinds = {c.strip(): "string" for c in header}
        else:
            try:
                schema = pq.read_schema(path)
            except Exception as exc:  # pyarrow raises several types for damaged files
                raise DataError(f"table '{TABLE}': {name} could not be read as Parquet ({type(exc).__name__}: "
                                f"{str(exc)[:200]}); export it again", table=TABLE, rule="readable file") from None
            file_kinds = {f.name: arrow_kind(f.type) for f in schema}
        zones.append(next((str(f.type.tz) for f in ([] if is_csv else schema)
                           if f.name in date_names and getattr(f.type, "tz", None)), None))
        for col, kind in file_kinds.items():
            if col not in all_columns:
                all_columns.append(col)
            if col in wanted:
                if col in seen and {seen[col][0], kind} == {"timestamp", "timestamptz"}:
                    raise _zone_clash(col, paths, zones, seen[col][1], name)
                if col in seen and seen[col][0] != kind:
                    raise DataError(f"table '{TABLE}', column '{col}': {name} holds {kind} values where "
                                    f"{seen[col][1]} holds {seen[col][0]}; write every file with one type per "
                                    "column", table=TABLE, column=col, rule="one type per column")
                seen.setdefault(col, (kind, name))
        missing = [c for c in wanted if c not in file_kinds and c in seen]
        if missing:
            raise DataError(f"table '{TABLE}', column '{missing[0]}': {name} has no column {missing[0]!r} "
                            f"(it has {list(file_kinds)})", table=TABLE, column=missing[0],
                            rule="required column missing")
    unknown = {z for z in zones if z and not known_zone(z)}
    if unknown:
        named = [f"{p.rsplit('/', 1)[-1]} ({z})" for p, z in zip(paths, zones, strict=True) if z in unknown]
        raise DataError(f"table '{TABLE}', column 'date': time zone(s) {sorted(unknown)} are neither a zone name "
                        f"nor a fixed offset (+HH:MM) the engines can apply, in {', '.join(named[:10])}\nHint: "
                        "write the column in a named zone (Europe/Berlin) or UTC", table=TABLE, column="date",
                        rule="known time zone")
    return FileSet(paths=paths, csv=is_csv, columns=all_columns, kinds={c: k for c, (k, _) in seen.items()},
                   zones=zones)


def _zone_clash(col: str, paths: list[str], zones: list[str | None], first: str, name: str) -> DataError:
    """Parts of one log with and without a time zone: no one rule says on which day their rows fall."""
    described = [f"{p.rsplit('/', 1)[-1]} ({z or 'no zone'})" for p, z in zip(paths, zones, strict=True)]
    rule = "one time-zone rule per column"
    return DataError(f"table '{TABLE}', column '{col}': {name} holds timestamps without a time zone where {first} "
                     f"holds them with one (or the other way round), so no single rule gives their calendar days; "
                     f"files and zones: {', '.join(described[:10])}{', ...' if len(described) > 10 else ''}\n"
                     "Hint: write every part with a zone (tz-aware column) or every part without one",
                     table=TABLE, column=col, rule=rule)
