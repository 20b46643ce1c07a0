"""The period a figure covers: "the 12 months to 31 Dec 2025", stated with every headline.

A headline NPS that pools three years of answers without saying so describes no one's
experience today. Notebooks choose a reporting period with one parameter (default:
the trailing 12 months to the analysis date), select the rows it covers, and print its
label in every headline, table title and board sentence. Trends keep the full history.

Example
-------
>>> p = reporting_period("12M", as_of="2025-12-31")
>>> p.label
'the 12 months to 31 Dec 2025'
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from cxkit.errors import DataError
from cxkit.parsing import parse_timestamp

__all__ = ["Period", "reporting_period"]

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


def reporting_period(period: Any = "12M", *, as_of: Any, first_date: Any = None) -> Period:
    """The reporting period named by ``period``, ending at the analysis date.

    Parameters
    ----------
    period : ``"12M"`` / ``"6M"`` / ``"2Y"`` (trailing months or years to ``as_of``),
        ``"all"`` (everything up to ``as_of``), or a pair of dates ``("2025-01-01",
        "2025-06-30")``.
    as_of : the analysis date.
    first_date : the first date in the data; when a trailing period reaches before it,
        the label says the data start later (no silent pooling of less than promised).

    Returns
    -------
    Period with ``start``, ``end`` and ``label``.

    Example
    -------
    >>> reporting_period(("2025-01-01", "2025-06-30"), as_of="2025-12-31").label
    '1 Jan 2025 to 30 Jun 2025'
    >>> reporting_period("all", as_of="2025-12-31", first_date="2023-01-02").label
    'all answers, 2 Jan 2023 to 31 Dec 2025'
    """
    end = parse_timestamp(as_of, name="as_of")
    if end is None:
        raise DataError("a reporting period needs the analysis date as_of", rule="period")
    end = end.normalize()
    first = parse_timestamp(first_date, name="first_date") if first_date is not None else None
    if isinstance(period, str) and period.strip().lower() == "all":
        start = None if first is None else first.normalize()
        label = "all answers" + (f", {_day(start)} to {_day(end)}" if start is not None else f" to {_day(end)}")
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
