"""Days, time units and the minor units of money: the arithmetic every floor counts with.

Recency, T and forecast horizons are counted in days, weeks or months of fixed length
(:data:`UNIT_DAYS`, :data:`MONTH_DAYS`); a date argument such as ``as_of`` is read as a
whole calendar day (:func:`day_number`); money is decided in whole minor units (cents
for ``minor_unit_digits=2``, :func:`to_minor_units`), so that the pandas CLV summary and
the DuckDB and Spark engines net a day's spend to the same integer and report the same
float (:func:`spend_per_day`).

Example
-------
>>> days_per_unit("W"), day_number("1970-01-08"), day_timestamp(7).date().isoformat()
(7.0, 7, '1970-01-08')
"""
from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd

from cxkit.errors import argument_error

__all__ = ["UNIT_DAYS", "MONTH_DAYS", "TimeUnit", "TENURE_UNITS", "MINOR_UNIT_DIGITS", "days_per_unit", "day_number",
           "day_timestamp", "minor_unit_scale", "to_minor_units", "spend_per_day"]

#: Length of each allowed time unit in days.
UNIT_DAYS: dict[str, float] = {"D": 1.0, "W": 7.0, "M": 30.4375}
#: Days in one CLV month (365.25 / 12).
MONTH_DAYS: float = 30.4375

TimeUnit = Literal["D", "W", "M"]

#: Days per unit of a ``tenure`` column (customers exported as tenure + churned, without dates).
TENURE_UNITS: dict[str, float] = {"days": 1.0, "weeks": 7.0, "months": MONTH_DAYS}

#: Default number of decimals of the currency's minor unit (2: cents).
MINOR_UNIT_DIGITS = 2


def days_per_unit(time_unit: str, name: str = "time_unit") -> float:
    """The length in days of ``time_unit`` ("D", "W" or "M"), or an :class:`~cxkit.errors.ArgumentError`.

    Example
    -------
    >>> days_per_unit("M")
    30.4375
    """
    if not isinstance(time_unit, str) or time_unit not in UNIT_DAYS:
        raise argument_error(
            name,
            f"{name} must be one of {sorted(UNIT_DAYS)}, got {time_unit!r}",
            hint="'D' = days, 'W' = weeks (7 days), 'M' = months (30.4375 days).",
        )
    return UNIT_DAYS[time_unit]


def day_number(value: Any, name: str = "date") -> int:
    """A date-like scalar as an integer day number (days since 1970-01-01); a time of day is dropped.

    A zoned timestamp keeps its local date. ``name`` is the argument named in the error
    when ``value`` is not a date or is missing.

    Example
    -------
    >>> day_number("2024-01-02 23:59"), day_number(pd.Timestamp("2024-01-02", tz="Asia/Tokyo"))
    (19724, 19724)
    """
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise argument_error(name, f"{name} is not a date: {value!r}") from exc
    if ts is pd.NaT:
        raise argument_error(name, f"{name} must not be missing")
    if ts.tzinfo is not None:
        ts = ts.tz_localize(None)
    return int(np.datetime64(ts.normalize(), "D").astype(np.int64))


def day_timestamp(day: int) -> pd.Timestamp:
    """The midnight timestamp of a day number (the inverse of :func:`day_number`).

    Example
    -------
    >>> day_timestamp(19724)
    Timestamp('2024-01-02 00:00:00')
    """
    return pd.Timestamp(np.datetime64(int(day), "D"))


def minor_unit_scale(digits: Any) -> float:
    """The minor units per currency unit (10 ** digits), or an :class:`~cxkit.errors.ArgumentError` for a bad value.

    Example
    -------
    >>> minor_unit_scale(2), minor_unit_scale(0)
    (100.0, 1.0)
    """
    if isinstance(digits, bool) or not isinstance(digits, (int, np.integer)) or not 0 <= digits <= 6:
        raise argument_error("minor_unit_digits",
                             f"minor_unit_digits must be a whole number from 0 to 6 (2 for cents), got {digits!r}")
    return float(10 ** int(digits))


def to_minor_units(amounts: Any, minor_unit_digits: int = MINOR_UNIT_DIGITS) -> np.ndarray:
    """Amounts as whole minor units (int64): ``amount * 10**digits`` rounded half away from zero.

    The one rounding rule every engine applies before deciding whether a day is a purchase:
    0.125 becomes 13 cents and -0.125 becomes -13 (half away from zero, not banker's). The
    product is taken in float64 first, so 1.005 (stored as 1.00499999...) is 100 cents in
    pandas, DuckDB and Spark alike.

    Example
    -------
    >>> to_minor_units([0.1, 0.125, -0.125, 2.5e-3, 10.10]).tolist()
    [10, 13, -13, 0, 1010]
    """
    scale = minor_unit_scale(minor_unit_digits)
    scaled = np.asarray(amounts, dtype=np.float64) * scale
    whole = np.trunc(scaled)
    return (whole + np.where(np.abs(scaled - whole) >= 0.5, np.sign(scaled), 0.0)).astype(np.int64)


def spend_per_day(cents: np.ndarray, days: np.ndarray, scale: float = 100.0) -> np.ndarray:
    """Mean spend per day in currency units, ``cents / (days * scale)``, 0 where ``days`` is 0.

    Written once so that every engine turns its integer sums into the same float64.

    Example
    -------
    >>> spend_per_day(np.array([1050, 0]), np.array([2, 0])).tolist()
    [5.25, 0.0]
    """
    cents = np.asarray(cents, dtype=np.float64)
    days = np.asarray(days, dtype=np.int64)
    return np.divide(cents, days * scale, out=np.zeros(len(days)), where=days > 0)
