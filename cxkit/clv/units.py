"""Time units and calendar days shared by the CLV modules.

Recency, T and forecast horizons are counted in days, weeks or months; every CLV module
converts with the same lengths (:data:`UNIT_DAYS`, :data:`MONTH_DAYS`) and reads date
arguments such as ``as_of`` the same way (as whole calendar days).
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd

from cxkit.errors import data_error

#: Length of each allowed time unit in days.
UNIT_DAYS: dict[str, float] = {"D": 1.0, "W": 7.0, "M": 30.4375}
#: Days in one CLV month (365.25 / 12).
MONTH_DAYS: float = 30.4375

TimeUnit = Literal["D", "W", "M"]


def _check_time_unit(time_unit: str, name: str = "time_unit") -> float:
    if not isinstance(time_unit, str) or time_unit not in UNIT_DAYS:
        raise data_error(
            "arguments",
            name,
            f"{name} must be one of {sorted(UNIT_DAYS)}, got {time_unit!r}",
            hint="'D' = days, 'W' = weeks (7 days), 'M' = months (30.4375 days).",
        )
    return UNIT_DAYS[time_unit]


def _to_day(value: Any, name: str) -> int:
    """A date-like scalar as an integer day number (days since 1970-01-01)."""
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise data_error("arguments", name, f"{name} is not a date: {value!r}") from exc
    if ts is pd.NaT:
        raise data_error("arguments", name, f"{name} must not be missing")
    if ts.tzinfo is not None:
        ts = ts.tz_localize(None)
    return int(np.datetime64(ts.normalize(), "D").astype(np.int64))


def _day_to_timestamp(day: int) -> pd.Timestamp:
    return pd.Timestamp(np.datetime64(int(day), "D"))
