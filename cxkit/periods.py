"""The period a figure covers: "the 12 months to 31 Dec 2025", stated with every headline.

A headline NPS that pools three years of answers without saying so describes no one's
experience today. Notebooks choose a reporting period with one parameter (default:
the trailing 12 months to the analysis date), select the rows it covers, and print its
label in every headline, table title and board sentence. Trends keep the full history.

A period chosen for one table may outrun another: survey answers exported up to
December set beside transactions up to June describe different months. :func:`coverage`
says, for each table, which dates inside the period it actually holds.

Example
-------
>>> p = reporting_period("12M", as_of="2025-12-31")
>>> p.label
'the 12 months to 31 Dec 2025'
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from cxkit.errors import DataError
from cxkit.parsing import parse_timestamp

__all__ = ["Period", "reporting_period", "coverage", "period_names", "EARLY_END_DAYS"]

#: A table "ends early" when its last date in the period is more than this many days
#: before the period's end: a month with no rows is a gap a reader should be told of.
EARLY_END_DAYS = 31

_TRAILING = re.compile(r"^\s*(\d+)\s*([MY])\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Period:
    """A closed span of days, ``start`` to ``end`` inclusive, with a label for readers."""

    start: pd.Timestamp | None
    end: pd.Timestamp
    label: str

    def select(self, data: pd.DataFrame, date_col: str = "date", *, table: str | None = None) -> pd.DataFrame:
        """The rows of ``data`` dated inside the period.

        With ``table`` named, a period that holds no rows is a :class:`DataError` saying
        so (a headline over no answers would be empty, not zero).

        Example
        -------
        >>> p = reporting_period("1M", as_of="2025-01-31")
        >>> df = pd.DataFrame({"date": pd.to_datetime(["2024-12-31", "2025-01-01"])})
        >>> len(p.select(df))
        1
        """
        day = data[date_col].dt.normalize()
        keep = day <= self.end
        if self.start is not None:
            keep &= day >= self.start
        if table is not None and not keep.any():
            raise DataError(f"table '{table}': no rows in {self.label} (the data run from "
                            f"{data[date_col].min():%d %b %Y} to {data[date_col].max():%d %b %Y}); choose another "
                            "period, e.g. period='all'", table=table, column=date_col, rule="rows in period")
        return data[keep]

    @property
    def span(self) -> str:
        """The dates, e.g. ``1 Jan 2025 to 31 Dec 2025``."""
        start = "the first record" if self.start is None else _day(self.start)
        return f"{start} to {_day(self.end)}"


def _day(ts: pd.Timestamp) -> str:
    return f"{ts.day} {ts:%b %Y}"


def reporting_period(period: Any = "12M", *, as_of: Any, first_date: Any = None, last_date: Any = None) -> Period:
    """The reporting period named by ``period``, ending at the analysis date.

    Parameters
    ----------
    period : ``"12M"`` / ``"6M"`` / ``"2Y"`` (trailing months or years to ``as_of``),
        ``"all"`` (everything up to ``as_of``), or a pair of dates ``("2025-01-01",
        "2025-06-30")``.
    as_of : the analysis date.
    first_date : the first date in the data; when a trailing period reaches before it,
        the label says the data start later (no silent pooling of less than promised).
    last_date : the last date in the data; when it is more than ``EARLY_END_DAYS`` before
        the period's end, the label says where the data end ("all answers" ends there).

    Returns
    -------
    Period with ``start``, ``end`` and ``label``.

    Example
    -------
    >>> reporting_period(("2025-01-01", "2025-06-30"), as_of="2025-12-31").label
    '1 Jan 2025 to 30 Jun 2025'
    >>> reporting_period("all", as_of="2025-12-31", first_date="2023-01-02").label
    'all answers, 2 Jan 2023 to 31 Dec 2025'
    >>> reporting_period("all", as_of="2025-06-30", first_date="2022-05-23", last_date="2024-12-31").label
    'all answers, 23 May 2022 to 31 Dec 2024'
    >>> reporting_period("12M", as_of="2025-06-30", last_date="2024-12-31").label
    'the 12 months to 30 Jun 2025 (data end 31 Dec 2024)'
    """
    end = parse_timestamp(as_of, name="as_of")
    if end is None:
        raise DataError("a reporting period needs the analysis date as_of", rule="period")
    end = end.normalize()
    first = parse_timestamp(first_date, name="first_date") if first_date is not None else None
    last = parse_timestamp(last_date, name="last_date") if last_date is not None else None
    early = last is not None and (end - last.normalize()).days > EARLY_END_DAYS
    if isinstance(period, str) and period.strip().lower() == "all":
        start = None if first is None else first.normalize()
        shown = last.normalize() if early else end
        label = "all answers" + (f", {_day(start)} to {_day(shown)}" if start is not None else f" to {_day(shown)}")
        return Period(start, end, label)
    if isinstance(period, str):
        m = _TRAILING.match(period)
        if not m:
            raise DataError(f"period {period!r} not understood: use '12M', '2Y', 'all' or a pair of dates",
                            rule="period")
        n, unit = int(m.group(1)), m.group(2).upper()
        months = n * (12 if unit == "Y" else 1)
        if months <= 0:
            raise DataError(f"period {period!r} must be at least one month", rule="period")
        start = (end - pd.DateOffset(months=months) + pd.Timedelta(days=1)).normalize()
        years = months // 12 if months % 12 == 0 and months > 12 else None
        label = f"the {years} years to {_day(end)}" if years else f"the {months} months to {_day(end)}"
        if first is not None and first.normalize() > start:
            label += f" (data start {_day(first)})"
        if early:
            label += f" (data end {_day(last)})"
        return Period(start, end, label)
    if isinstance(period, Sequence) and len(period) == 2:
        start = parse_timestamp(period[0], name="period start").normalize()
        stop = parse_timestamp(period[1], name="period end").normalize()
        if stop < start:
            raise DataError(f"period {period!r} ends before it starts", rule="period")
        if stop > end:
            raise DataError(f"period {period!r} ends after the analysis date {end.date()}", rule="period")
        return Period(start, stop, f"{_day(start)} to {_day(stop)}")
    raise DataError(f"period {period!r} not understood: use '12M', '2Y', 'all' or a pair of dates", rule="period")


def coverage(tables: Mapping[str, pd.DataFrame | None], period: Period, date_col: str | Mapping[str, str] = "date",
             *, early_days: int = EARLY_END_DAYS) -> pd.DataFrame:
    """For each table, the first and last date inside the reporting period, and whether it ends early.

    A headline "for the 12 months to 30 Jun" is only true of the tables that reach 30 Jun:
    a survey export that stops in December leaves half the period without a satisfaction
    figure. The rule: a table *ends early* when its last date in the period is more than
    ``early_days`` days (default 31) before the period's end, or when it has no rows in
    the period at all. :func:`cxkit.narrative.coverage_sentence` puts this in words.

    Parameters
    ----------
    tables : the tables by name, e.g. ``{"surveys": cx.surveys, "transactions": cx.transactions}``;
        a table given as ``None`` (not loaded) is left out.
    period : the reporting period (:func:`reporting_period`).
    date_col : the date column, one name for every table or a mapping by table name
        (tables not in the mapping use ``"date"``).
    early_days : how many days short of the period's end a table may stop without being
        flagged.

    Returns
    -------
    DataFrame, one row per table in the order given: ``table``, ``rows`` (in the period),
    ``first_date``, ``last_date`` (NaT without rows), ``period_start`` (NaT for a period
    with no start), ``period_end``, ``days_before_end`` (from the last date to the period's
    end), ``ends_early`` (bool).

    Example
    -------
    >>> p = reporting_period(("2025-01-01", "2025-06-29"), as_of="2025-06-29")
    >>> s = pd.DataFrame({"date": pd.to_datetime(["2025-01-03", "2024-12-28"])})
    >>> t = pd.DataFrame({"date": pd.to_datetime(["2025-01-02", "2025-06-20"])})
    >>> coverage({"surveys": s, "transactions": t}, p)[["table", "rows", "last_date", "days_before_end", "ends_early"]]
              table  rows  last_date  days_before_end  ends_early
    0       surveys     1 2025-01-03              177        True
    1  transactions     2 2025-06-20                9       False
    """
    if not isinstance(period, Period):
        raise TypeError(f"coverage() needs a Period (from reporting_period), got {type(period).__name__}")
    if int(early_days) < 0:
        raise ValueError(f"early_days must be 0 or more, got {early_days}")
    rows = []
    for name, data in tables.items():
        if data is None:
            continue
        col = date_col.get(name, "date") if isinstance(date_col, Mapping) else date_col
        if not isinstance(data, pd.DataFrame):
            raise TypeError(f"table '{name}': coverage() needs a pandas DataFrame, got {type(data).__name__}")
        if col not in data.columns:
            raise DataError(f"table '{name}': no date column '{col}' to check the period's coverage "
                            f"(columns: {', '.join(map(str, data.columns))}); pass date_col={{'{name}': ...}}",
                            table=name, column=col, rule="date column")
        if not pd.api.types.is_datetime64_any_dtype(data[col]):
            raise DataError(f"table '{name}': column '{col}' holds {data[col].dtype}, not dates",
                            table=name, column=col, rule="date column")
        inside = period.select(data, col)[col].dropna()
        first = inside.min().normalize() if len(inside) else pd.NaT
        last = inside.max().normalize() if len(inside) else pd.NaT
        short = (period.end - last).days if len(inside) else None
        rows.append({"table": str(name), "rows": int(len(inside)), "first_date": first, "last_date": last,
                     "period_start": period.start if period.start is not None else pd.NaT,
                     "period_end": period.end, "days_before_end": short,
                     "ends_early": short is None or short > int(early_days)})
    out = pd.DataFrame(rows, columns=["table", "rows", "first_date", "last_date", "period_start", "period_end",
                                      "days_before_end", "ends_early"])
    out["days_before_end"] = out["days_before_end"].astype("Int64")
    out["ends_early"] = out["ends_early"].astype(bool)
    for c in ("first_date", "last_date", "period_start", "period_end"):
        out[c] = pd.to_datetime(out[c])
    out.attrs["early_days"] = int(early_days)
    return out


def period_names(periods: pd.Series, freq: str) -> pd.Series:
    """The calendar periods of a trend as a reader names them: "2025Q1" for a quarter, "2025-03" for a month.

    :func:`cxkit.metrics.trend` and :func:`cxkit.metrics.period_over_period` label each
    period by its last day (2025-03-31), as pandas groups dates; a chart or table reads
    better with the period's own name.

    Parameters
    ----------
    periods : the ``period`` column of a trend (dates that end each period).
    freq : the pandas alias the trend was made with: ``"QE"`` quarters, ``"ME"`` months,
        ``"YE"`` years, ``"W"`` weeks.

    Returns
    -------
    Series of str, one name per row, in the same order and index.

    Example
    -------
    >>> period_names(pd.Series(pd.to_datetime(["2025-03-31", "2025-06-30"])), "QE").tolist()
    ['2025Q1', '2025Q2']
    >>> period_names(pd.Series(pd.to_datetime(["2025-01-31"])), "ME").tolist()
    ['2025-01']
    """
    return pd.Series(periods).dt.to_period(freq.rstrip("E")).astype(str)
