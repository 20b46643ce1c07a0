"""Reading dates, numbers and true/false values from exports, each by a stated rule.

Exports carry dates as ``2025-01-05``, ``05/01/2025`` or ``5 Jan 2025``, numbers with a
decimal comma, flags as ``yes``/``N``/``1``. Reading these by guessing value by value
is how a column ends up in two conventions without anyone noticing. Here every column
is read by one rule decided for the whole column, the decision is returned as a
*note* (so the loader can report it), and anything the rule cannot settle stops with a
:class:`cxkit.DataError` that says what to pass.

Work is done on the distinct values of a column, so a million rows with a thousand
distinct dates cost a thousand parses.

Example
-------
>>> import pandas as pd
>>> notes = []
>>> parse_dates(pd.Series(["25/01/2025", "05/02/2025"]), table="t", column="date", notes=notes).dt.month.tolist()
[1, 2]
>>> notes[0]["note"]
'dates read as day/month/year (a first number above 12, e.g. 25/01/2025, can only be a day)'
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from cxkit.errors import DataError, data_error

__all__ = ["clean_text", "MISSING_MARKERS", "TRUE_WORDS", "FALSE_WORDS", "parse_dates", "parse_timestamp", "to_number",
           "to_bool", "setting_for"]

#: Markers read as missing in number, date and true/false columns (never in text columns,
#: where ``NA`` may be North America and ``None`` a real answer).
MISSING_MARKERS = frozenset({"NA", "N/A", "n/a", "NaN", "nan", "null", "NULL", "Null", "None", "none", "-", "#N/A"})

#: Words read as true / false.
TRUE_WORDS = frozenset({"true", "t", "yes", "y", "1", "1.0"})
FALSE_WORDS = frozenset({"false", "f", "no", "n", "0", "0.0"})

# An optional time, then an optional zone (only after a time): groups (time, zone).
_TIME_ZONE = r"(?:[T ](\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)(\s*(?:Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?))?)?"
_YEAR_FIRST = re.compile(rf"^(\d{{4}})[-/.](\d{{1,2}})[-/.](\d{{1,2}}){_TIME_ZONE}$")
_NN_YEAR = re.compile(rf"^(\d{{1,2}})([/.-])(\d{{1,2}})\2(\d{{4}}){_TIME_ZONE}$")
_TWO_DIGIT_YEAR = re.compile(r"^\d{1,2}([/.-])\d{1,2}\1\d{2}(?:\s.*)?$")
_YEAR_ONLY = re.compile(r"^\d{4}$")
_NUMBER_ONLY = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
_ZONE_SUFFIX = re.compile(r"(?:Z|[+-]\d{2}(?::?\d{2})?)$")
_HAS_MONTH_NAME = re.compile(r"(?i)(?<![a-z])(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?(?![a-z])")

_FAMILY_WORDS = {"year-first": "year first (2025-01-31)", "nn/nn/yyyy": "day and month first (31/01/2025)",
                 "month name": "with a month name (31 Jan 2025)"}

#: Plausible years: a date outside is a typo (0205 for 2025), not a customer event.
YEAR_RANGE = (1900, 2100)


def setting_for(setting: Any, table: str, column: str) -> Any:
    """Resolve a per-table/per-column setting: a value, or a mapping keyed by
    ``"table.column"``, ``"table"`` or ``"column"`` (most specific first).

    Example
    -------
    >>> setting_for({"surveys": True, "customers.churn_date": False}, "customers", "churn_date")
    False
    """
    if not isinstance(setting, Mapping):
        return setting
    for key in (f"{table}.{column}", table, column):
        if key in setting:
            return setting[key]
    return None


def _note(notes: list[dict[str, Any]] | None, table: str, column: str, note: str, n_rows: int) -> None:
    if notes is not None and n_rows:
        notes.append({"table": table, "column": column, "note": note, "n_rows": int(n_rows)})


def _rows(raw: pd.Series, mask: pd.Series | np.ndarray, frame: pd.DataFrame | None) -> pd.DataFrame:
    if frame is not None:
        cols = [c for c in ("customer_id", raw.name) if c in frame.columns]
        return frame.loc[np.asarray(mask), cols]
    return raw[np.asarray(mask)].to_frame()


def clean_text(raw: pd.Series, *, as_str: bool = False) -> pd.Series:
    """Text cells stripped of surrounding spaces; empty cells missing; nothing else touched.

    Works on the distinct values, so long columns of repeated labels cost little.

    Example
    -------
    >>> clean_text(pd.Series([" NA ", "", None, "North"])).tolist()
    ['NA', nan, nan, 'North']
    """
    try:
        codes, uniques = pd.factorize(raw)
    except TypeError:
        raise DataError(f"column '{raw.name}' holds lists or other nested values; cxkit expects one value per "
                        "cell", column=str(raw.name), rule="one value per cell") from None
    u = pd.Series(uniques, dtype=object)
    if as_str and pd.api.types.infer_dtype(u, skipna=False) in {"floating", "mixed-integer-float"}:
        # Ids stored as floats (7.0, from a column with gaps) are the labels 7.
        u = u.map(lambda v: str(int(v)) if isinstance(v, float) and v.is_integer() else v)
    if as_str and pd.api.types.infer_dtype(u, skipna=False) != "string":
        u = u.map(str)   # labels such as ids: 7 and "7" are the same text
    if pd.api.types.infer_dtype(u, skipna=False) == "string":
        u = u.str.strip()
        u[(u == "").to_numpy(dtype=bool)] = np.nan
    else:
        u = u.map(lambda v: v.strip() if isinstance(v, str) else v)
        u[u.map(lambda v: isinstance(v, str) and v == "").to_numpy(dtype=bool)] = np.nan
    out = np.append(u.to_numpy(dtype=object), np.nan)[codes]   # code -1 (missing) takes the last: NaN
    return pd.Series(out, index=raw.index, dtype=object, name=raw.name)


class _Distinct:
    """A column as codes into its distinct present values (stripped text; -1 = missing)."""

    def __init__(self, raw: pd.Series) -> None:
        codes, uniques = pd.factorize(raw)
        u = pd.Series(uniques, dtype=object).map(str).str.strip()
        marker = u.isin(MISSING_MARKERS).to_numpy()
        keep = ~((u == "").to_numpy() | marker)
        inner, values = pd.factorize(u[keep])
        remap = np.full(len(u) + 1, -1)
        remap[:-1][keep] = inner
        self.codes = remap[codes]                  # code -1 maps through the sentinel slot to -1
        self.values = pd.Index(values.astype(str), dtype=object)
        self.n_markers = int(np.isin(codes, np.flatnonzero(marker)).sum())
        self.raw = raw

    def rows(self, bad: np.ndarray | pd.Series) -> np.ndarray:
        """Row mask of the rows whose value is flagged in ``bad`` (one flag per distinct value)."""
        bad = np.append(np.asarray(bad, dtype=bool), False)
        return bad[self.codes]

    def expand(self, per_value: np.ndarray, fill: Any) -> np.ndarray:
        return np.append(np.asarray(per_value), np.array([fill], dtype=np.asarray(per_value).dtype))[self.codes]


def parse_dates(
    raw: pd.Series,
    *,
    table: str,
    column: str,
    date_format: str | None = None,
    dayfirst: bool | None = None,
    timezone: str | None = None,
    notes: list[dict[str, Any]] | None = None,
    frame: pd.DataFrame | None = None,
) -> pd.Series:
    """Parse a date column by one rule for the whole column; naive ``datetime64[ns]`` out.

    Rules, in order:

    * ``date_format`` (e.g. ``"%d/%m/%Y"``) given: every value must match it.
    * Otherwise each value must be *year first* (``2025-01-31``, ``2025/01/31``, with an
      optional time and zone), *day and month first* with a four-digit year
      (``31/01/2025`` or ``01/31/2025``) or *with a month name* (``31 Jan 2025``), and the
      whole column must use one of these: a column mixing them stops with an error.
    * ``nn/nn/yyyy`` is day-first when some first number is above 12, month-first when
      some second number is; if both occur the column mixes conventions (error); if
      neither, ``dayfirst`` must be given (error otherwise).
    * A year alone (``2023``), a two-digit year, a bare number or a year outside
      1900-2100 is not accepted.
    * Time zones: with ``timezone=None`` the local date and time *as written* are kept
      (an offset is dropped, never converted to UTC); with a zone name (``"Europe/London"``)
      zoned values are converted to it and unzoned values are taken to be in it.
    * Empty cells and missing markers (``NA``, ``null``...) are missing (markers noted).

    Parameters
    ----------
    raw : the column as read.
    table, column : names used in errors and notes.
    date_format, dayfirst, timezone : the settings above.
    notes : a list that receives one record per decision taken.
    frame : the table, to show ``customer_id`` beside offending values in errors.

    Returns
    -------
    Series of ``datetime64[ns]`` (NaT where missing), same index as ``raw``.

    Example
    -------
    >>> parse_dates(pd.Series(["2025-03-01T23:30:00+02:00"]), table="t", column="d").iloc[0]
    Timestamp('2025-03-01 23:30:00')
    """
    if pd.api.types.is_datetime64_any_dtype(raw):
        return _from_datetimes(raw, table, column, timezone, notes)
    if pd.api.types.is_bool_dtype(raw) or pd.api.types.is_numeric_dtype(raw):
        if raw.notna().any():
            raise data_error(table, column, "must hold dates, got numbers (a year alone or a day count is "
                             "not a date; save the column as dates such as 2025-01-31)",
                             _rows(raw, raw.notna(), frame))
        return pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
    d = _Distinct(raw)   # Excel datetime cells arrive as objects; their text is ISO
    _note(notes, table, column, "missing markers (NA, null, None...) read as missing", d.n_markers)
    uniques = d.values
    if date_format is not None:
        parsed_u = pd.to_datetime(pd.Series(uniques, dtype=object), format=date_format, errors="coerce")
        rule = f"date must match the format {date_format!r}"
    else:
        parsed_u, rule = _parse_uniques(uniques, table, column, dayfirst, timezone, notes,
                                        lambda bad_u: _rows(raw, d.rows(uniques.isin(bad_u)), frame))
    parsed_u = pd.Series(pd.to_datetime(parsed_u).to_numpy(dtype="datetime64[ns]"))
    bad_u = parsed_u.isna().to_numpy()
    years = parsed_u.dt.year
    implausible = ~bad_u & ((years < YEAR_RANGE[0]) | (years > YEAR_RANGE[1])).to_numpy()
    if bad_u.any():
        raise data_error(table, column, f"date could not be parsed ({rule})", _rows(raw, d.rows(bad_u), frame),
                         hint="use ISO dates such as 2024-03-31, or pass date_format='%d/%m/%Y' for this column")
    if implausible.any():
        raise data_error(table, column, f"date outside {YEAR_RANGE[0]}-{YEAR_RANGE[1]} (a typo in the year?)",
                         _rows(raw, d.rows(implausible), frame))
    out = d.expand(parsed_u.to_numpy(dtype="datetime64[ns]"), np.datetime64("NaT"))
    return pd.Series(out, index=raw.index, dtype="datetime64[ns]", name=raw.name)


def _read_day_month(s: pd.Series, nn: np.ndarray, uniques: pd.Index, table: str, column: str,
                    dayfirst: bool | None, notes: list | None, rows_of, iso: pd.Series, zone: pd.Series) -> None:
    """Read nn/nn/yyyy dates into ``iso`` and ``zone`` (in place), day or month first by the stated rule.

    A number above 12 settles the order; without one, ``dayfirst`` must; both are refused
    when they disagree, and the order chosen is noted with its reason.
    """
    m = s[nn].str.extract(_NN_YEAR)
    first, second = m[0].astype(int), m[2].astype(int)
    says_day, says_month = (first > 12).any(), (second > 12).any()
    if says_day and says_month:
        day_first, month_first = uniques[nn][(first > 12).to_numpy()][0], uniques[nn][(second > 12).to_numpy()][0]
        raise data_error(table, column, "the column mixes day/month and month/day dates (values such as "
                         f"{day_first!r} and {month_first!r})",
                         rows_of(uniques[nn][((first > 12) | (second > 12)).to_numpy()]))
    evidence = True if says_day else False if says_month else None
    if dayfirst is None and evidence is None:
        raise data_error(table, column, "dates such as "
                         f"{uniques[nn][0]!r} could be day/month or month/day, and no value in the column "
                         "settles it", rows_of(uniques[nn][:5]),
                         hint=f"pass dayfirst={{'{table}.{column}': True}} for dd/mm/yyyy (or False for "
                              f"mm/dd/yyyy), or date_format={{'{table}.{column}': '%d/%m/%Y'}}")
    if dayfirst is not None and evidence is not None and dayfirst != evidence:
        wrong = (second > 12) if dayfirst else (first > 12)
        raise data_error(table, column, f"dayfirst={dayfirst} was set, but values such as "
                         f"{uniques[nn][wrong.to_numpy()][0]!r} cannot be read that way",
                         rows_of(uniques[nn][wrong.to_numpy()]))
    day_first = evidence if evidence is not None else dayfirst
    day, month = (first, second) if day_first else (second, first)
    iso[nn] = (m[3] + "-" + month.astype(str).str.zfill(2) + "-" + day.astype(str).str.zfill(2)
               + _time_part(m[4], m[5])).to_numpy()
    zone[nn] = m[5].fillna("").str.strip().to_numpy()
    how = "day/month/year" if day_first else "month/day/year"
    why = (f"a first number above 12, e.g. {uniques[nn][(first > 12).to_numpy()][0]}, can only be a day"
           if evidence is True else
           f"a second number above 12, e.g. {uniques[nn][(second > 12).to_numpy()][0]}, can only be a day"
           if evidence is False else "as set by dayfirst")
    _note(notes, table, column, f"dates read as {how} ({why})", int(nn.sum()))


def _parse_uniques(uniques: pd.Index, table: str, column: str, dayfirst: bool | None, timezone: str | None,
                   notes: list | None, rows_of) -> tuple[pd.Series, str]:
    s = pd.Series(uniques, dtype="object")
    for pattern, why in ((_YEAR_ONLY, "a year alone is not a date"),
                         (_TWO_DIGIT_YEAR, "two-digit years are ambiguous: write the year in full (2025)"),
                         (_NUMBER_ONLY, "a bare number is not a date")):
        hit = s.str.match(pattern).to_numpy()
        if hit.any():
            raise data_error(table, column, why, rows_of(uniques[hit]))
    year_first = s.str.match(_YEAR_FIRST).to_numpy()
    nn = s.str.match(_NN_YEAR).to_numpy()
    named = ~year_first & ~nn & s.str.contains(_HAS_MONTH_NAME).to_numpy()
    if nn.any():  # a value no convention can read (31/31/2024) is unparseable, not a mix
        m = s[nn].str.extract(_NN_YEAR)
        impossible = ((m[0].astype(int) > 12) & (m[2].astype(int) > 12)) | (m[0].astype(int) > 31) | (
            m[2].astype(int) > 31) | (m[0].astype(int) == 0) | (m[2].astype(int) == 0)
        nn[np.flatnonzero(nn)[impossible.to_numpy()]] = False
    unknown = ~(year_first | nn | named)
    if unknown.any():
        raise data_error(table, column, "date could not be parsed (dates must be year first, dd/mm/yyyy or "
                         "mm/dd/yyyy, or use a month name)", rows_of(uniques[unknown]),
                         hint="use ISO dates such as 2024-03-31, or pass date_format='%d/%m/%Y' for this column")
    years = pd.Series(0, index=s.index)
    years[year_first] = s[year_first].str.slice(0, 4).astype(int).to_numpy()
    years[nn] = s[nn].str.extract(_NN_YEAR)[3].astype(int).to_numpy()
    odd = ((years < YEAR_RANGE[0]) | (years > YEAR_RANGE[1])).to_numpy() & (year_first | nn)
    if odd.any():
        raise data_error(table, column, f"date outside {YEAR_RANGE[0]}-{YEAR_RANGE[1]} (a typo in the year?)",
                         rows_of(uniques[odd]))
    families = {"year-first": year_first, "nn/nn/yyyy": nn, "month name": named}
    used = {k: int(v.sum()) for k, v in families.items() if v.any()}
    if len(used) > 1:
        parts = [f"{_FAMILY_WORDS[k]}: e.g. {uniques[families[k]][0]!r}" for k in used]
        mixed = np.zeros(len(s), bool)
        for k in list(used)[1:]:
            mixed |= families[k]
        raise data_error(table, column, "the column mixes date conventions (" + "; ".join(parts) + ")",
                         rows_of(uniques[mixed]),
                         hint="save the column in one format (ISO 2025-01-31 is safest); cxkit will not read "
                              "one column two ways")
    iso = s.copy()
    zone = pd.Series("", index=s.index, dtype="object")
    if nn.any():
        _read_day_month(s, nn, uniques, table, column, dayfirst, notes, rows_of, iso, zone)
    if year_first.any():
        m = s[year_first].str.extract(_YEAR_FIRST)
        iso[year_first] = (m[0] + "-" + m[1].str.zfill(2) + "-" + m[2].str.zfill(2)
                           + _time_part(m[3], m[4])).to_numpy()
        zone[year_first] = m[4].fillna("").str.strip().to_numpy()
    zoned = (zone != "").to_numpy()
    if named.any():
        with_named = _named_dates(s[named], table, column, timezone, notes)
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    plain = (year_first | nn) & ~zoned
    if plain.any():
        out[plain] = pd.to_datetime(iso[plain].str.replace(",", ".", regex=False), format="ISO8601",
                                    errors="coerce").to_numpy()
    if zoned.any():
        text = iso[zoned].str.replace(",", ".")
        _note_mixed_offsets(notes, table, column, zone[zoned], timezone)
        if timezone is None:
            local = text.str.replace(_ZONE_SUFFIX, "", regex=True)
            out[zoned] = pd.to_datetime(local, format="ISO8601", errors="coerce").to_numpy()
            _note(notes, table, column, "time-zone offsets dropped: the local date and time as written are kept "
                  "(pass timezone= to convert to one zone)", int(zoned.sum()))
        else:
            utc = pd.to_datetime(text, format="ISO8601", utc=True, errors="coerce")
            out[zoned] = utc.dt.tz_convert(timezone).dt.tz_localize(None).to_numpy()
            _note(notes, table, column, f"zoned times converted to {timezone}", int(zoned.sum()))
    if named.any():
        out[named] = pd.to_datetime(with_named).to_numpy()
    return out, "dates must be year first, dd/mm/yyyy or mm/dd/yyyy, or use a month name"


def _offset_words(zone: str) -> str:
    """A written zone as one offset: ``Z``, ``UTC`` and ``+00:00`` are all UTC; ``+0200`` is ``+02:00``."""
    z = zone.strip().upper()
    if z in ("Z", "UTC", "GMT", "+00:00", "-00:00", "+0000", "-0000", "+00", "-00"):
        return "UTC"
    digits = z[1:].replace(":", "")
    return f"{z[0]}{digits[:2]}:{digits[2:4] or '00'}"


def _note_mixed_offsets(notes: list | None, table: str, column: str, zones: pd.Series, timezone: str | None) -> None:
    """Note a column whose values carry different offsets: each row is read by its own (the rule is per row)."""
    offsets = sorted({_offset_words(z) for z in zones if z})
    if len(offsets) < 2:
        return
    shown = ", ".join(offsets[:5]) + (", ..." if len(offsets) > 5 else "")
    how = ("each row's local date and time as written are kept" if timezone is None
           else f"each row converted to {timezone} from its own offset")
    _note(notes, table, column, f"time-zone offsets differ between rows ({shown}): {how}", int(len(zones)))


def _named_dates(values: pd.Series, table: str, column: str, timezone: str | None,
                 notes: list | None) -> pd.Series:
    """Dates with a month name, each read on its own (their offsets may differ row to row).

    Zoned values follow the column rule: the local time as written (``timezone=None``) or
    converted to ``timezone``; unzoned values are taken as written.
    """
    stamps = [pd.to_datetime(v, format="mixed", errors="coerce") for v in values]
    zoned = [pd.notna(t) and t.tzinfo is not None for t in stamps]
    if timezone is None:
        local = [t.tz_localize(None) if z else t for t, z in zip(stamps, zoned, strict=True)]
    else:
        local = [t.tz_convert(timezone).tz_localize(None) if z else t for t, z in zip(stamps, zoned, strict=True)]
    if any(zoned):
        offsets = pd.Series([t.strftime("%z") if z else "" for t, z in zip(stamps, zoned, strict=True)], dtype=object)
        _note_mixed_offsets(notes, table, column, offsets[offsets != ""], timezone)
        _note(notes, table, column, "time-zone offsets dropped: the local date and time as written are kept "
              "(pass timezone= to convert to one zone)" if timezone is None else
              f"zoned times converted to {timezone}", int(sum(zoned)))
    return pd.Series(pd.to_datetime(pd.Series(local, dtype=object)).to_numpy(dtype="datetime64[ns]"),
                     index=values.index)


def _time_part(time: pd.Series, zone: pd.Series) -> pd.Series:
    """``T`` + time + zone in ISO form ('' when there is no time)."""
    zone = zone.fillna("").str.strip().replace({"UTC": "+00:00", "GMT": "+00:00"})
    return ("T" + time + zone).where(time.notna(), "")


def _from_datetimes(raw: pd.Series, table: str, column: str, timezone: str | None,
                    notes: list | None) -> pd.Series:
    tz = getattr(raw.dt, "tz", None)
    if tz is None:
        return raw.astype("datetime64[ns]")
    if timezone is None:
        _note(notes, table, column, f"zoned times ({tz}): the local date and time as stored are kept "
              "(pass timezone= to convert)", int(raw.notna().sum()))
        return raw.dt.tz_localize(None).astype("datetime64[ns]")
    _note(notes, table, column, f"zoned times converted from {tz} to {timezone}", int(raw.notna().sum()))
    return raw.dt.tz_convert(timezone).dt.tz_localize(None).astype("datetime64[ns]")


def parse_timestamp(value: Any, *, name: str = "as_of", dayfirst: bool | None = None) -> pd.Timestamp | None:
    """One date given by the user (``as_of``), read by the column rules; ``None`` stays ``None``.

    Example
    -------
    >>> parse_timestamp("2025-06-30")
    Timestamp('2025-06-30 00:00:00')
    """
    if value is None:
        return None
    if isinstance(value, (pd.Timestamp, np.datetime64)) or hasattr(value, "isoformat"):
        ts = pd.Timestamp(value)
        return ts.tz_localize(None) if ts.tzinfo is not None else ts
    try:
        parsed = parse_dates(pd.Series([str(value)], name=name), table="settings", column=name, dayfirst=dayfirst)
    except DataError as exc:
        raise DataError(f"{name} could not be read as a date: {value!r} ({exc.rule}); use ISO, e.g. 2025-06-30",
                        rule=f"{name} date") from None
    if parsed.isna().iloc[0]:
        raise DataError(f"{name} could not be read as a date: {value!r}; use ISO, e.g. 2025-06-30",
                        rule=f"{name} date")
    return parsed.iloc[0]


# --------------------------------------------------------------------------- numbers

_PLAIN = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")
_COMMA_DECIMAL = re.compile(r"^[+-]?\d+,\d+$")
_EU = re.compile(r"^[+-]?\d{1,3}(?:\.\d{3})+(?:,\d+)?$")
_US = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")


def to_number(
    raw: pd.Series,
    *,
    table: str,
    column: str,
    delimiter: str = ",",
    notes: list[dict[str, Any]] | None = None,
    frame: pd.DataFrame | None = None,
) -> pd.Series:
    """Read a number column (float out) by one rule for the column.

    Empty cells and missing markers (``NA``, ``null``...) are missing (markers noted).
    A comma is a decimal comma when some value can only be read that way (``12,5``) or
    the file is semicolon/tab separated; it is a thousands separator when values such as
    ``1,234.50`` say so. A column that needs both readings stops with an error.

    Example
    -------
    >>> to_number(pd.Series(["12,50", "1.234,00"]), table="t", column="amount", delimiter=";").tolist()
    [12.5, 1234.0]
    """
    if pd.api.types.is_bool_dtype(raw):
        raise data_error(table, column, "must be numeric, got true/false values", raw.head().to_frame())
    if pd.api.types.is_numeric_dtype(raw):
        out = raw.astype(float)
        if np.isinf(out).any():
            raise data_error(table, column, "must be a finite number", _rows(raw, np.isinf(out), frame))
        return out
    d = _Distinct(raw)
    _note(notes, table, column, "missing markers (NA, null, None...) read as missing", d.n_markers)
    u = pd.Series(d.values, dtype="object")
    has_comma = u.str.contains(",", regex=False)
    if has_comma.any():
        only_decimal = u.str.match(_COMMA_DECIMAL) & ~u.str.match(_US)
        us_both = u.str.contains(r"\d,\d{3}\.\d", regex=True)
        eu_both = u.str.contains(r"\d\.\d{3},\d", regex=True)
        decimal_comma = bool(only_decimal.any() or eu_both.any()) or (delimiter in {";", "\t"} and not us_both.any())
        if decimal_comma and us_both.any():
            raise data_error(table, column, "the column mixes decimal commas (12,5) and thousands commas "
                             "(1,234.50)", _rows(raw, d.rows(us_both | only_decimal), frame))
        if decimal_comma:
            dotted = u.str.contains(".", regex=False)
            wrong = dotted & ~u.str.match(_EU)
            if wrong.any():
                raise data_error(table, column, "the column mixes decimal commas (12,5) and decimal points (12.5)",
                                 _rows(raw, d.rows(wrong | only_decimal), frame))
            u = u.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
            _note(notes, table, column, "decimal comma read (12,50 = 12.5)", int(d.rows(has_comma).sum()))
        else:
            u = u.where(~u.str.match(_US), u.str.replace(",", "", regex=False))
            _note(notes, table, column, "thousands separators removed (1,234.50 = 1234.5)",
                  int(d.rows(has_comma).sum()))
    values_u = pd.to_numeric(u, errors="coerce").to_numpy(dtype=float)
    bad = np.isnan(values_u)
    if np.isinf(values_u).any():
        raise data_error(table, column, "must be a finite number (inf or a value too large to store)",
                         _rows(raw, d.rows(np.isinf(values_u)), frame))
    if bad.any():
        raise data_error(table, column, "must be numeric", _rows(raw, d.rows(bad), frame))
    return pd.Series(d.expand(values_u, np.nan), index=raw.index, dtype=float, name=raw.name)


def to_bool(
    raw: pd.Series,
    *,
    table: str,
    column: str,
    notes: list[dict[str, Any]] | None = None,
    frame: pd.DataFrame | None = None,
) -> pd.Series:
    """Read a true/false column (nullable boolean out): true/false, yes/no, y/n, t/f, 1/0.

    Example
    -------
    >>> to_bool(pd.Series(["yes", "N", "", "1"]), table="t", column="ok").tolist()
    [True, False, <NA>, True]
    """
    if pd.api.types.is_bool_dtype(raw):
        return raw.astype("boolean")
    if pd.api.types.is_numeric_dtype(raw):
        num = raw.astype(float)
        bad = num.notna() & ~num.isin([0.0, 1.0])
        if bad.any():
            raise data_error(table, column, "must be true/false (also accepted: yes/no, y/n, 1/0)",
                             _rows(raw, bad, frame))
        return num.map({1.0: True, 0.0: False}).astype("boolean")
    d = _Distinct(raw)
    _note(notes, table, column, "missing markers (NA, null, None...) read as missing", d.n_markers)
    lower = pd.Series(d.values, dtype=object).str.lower()
    value_u = np.where(lower.isin(TRUE_WORDS), 1.0, np.where(lower.isin(FALSE_WORDS), 0.0, np.nan))
    bad = np.isnan(value_u)
    if bad.any():
        raise data_error(table, column, "must be true/false (also accepted: yes/no, y/n, 1/0)",
                         _rows(raw, d.rows(bad), frame))
    out = pd.Series(d.expand(value_u, np.nan), index=raw.index, name=raw.name)
    return out.map({1.0: True, 0.0: False}).astype("boolean")
