"""Service metrics on the contacts table: volume, first-contact resolution and waiting times."""
from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from cxkit.errors import data_error, require_columns
from cxkit.metrics._common import (
    CONTACTS,
    _as_numeric,
    _by_list,
    _check_ci,
    _evidence,
    _require_frame,
    _tidy,
    wilson_interval,
)
from cxkit.parsing import to_bool

__all__ = ["service_metrics"]


def _boolean_like(data: pd.DataFrame, column: str, table: str) -> pd.Series:
    """Column as float 1.0/0.0 (NaN = unknown), read by :func:`cxkit.parsing.to_bool`."""
    flags = to_bool(data[column], table=table, column=column, frame=data)
    return flags.astype("Float64").astype("float64")


def service_metrics(
    contacts: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = "channel",
    wait_col: str = "wait_minutes",
    fcr_col: str = "resolved_first_contact",
    ci: float = 0.95,
    pool_waits: bool = False,
) -> pd.DataFrame:
    """Contact volume, first-contact resolution (with Wilson interval) and waiting times per channel.

    FCR and waiting time are the operational levers behind CSAT and effort; seeing
    them per channel shows where to invest.

    Parameters
    ----------
    contacts : pandas.DataFrame
        The ``contacts`` table, one row per contact.
    by : str or list of str or None, default "channel"
        Group column(s); ``None`` gives only the overall row.
    wait_col : str, default "wait_minutes"
        Waiting time in minutes (>= 0; NaN is left out of the wait statistics).
    fcr_col : str, default "resolved_first_contact"
        Boolean-like first-contact resolution flag (NaN is left out of the FCR base).
    ci : float, default 0.95
        Confidence level of the FCR interval.
    pool_waits : bool, default False
        Whether the "All" row pools waiting times across groups. Off by default: a
        channel answered in seconds and one answered in days have no meaningful
        pooled median wait.

    Returns
    -------
    pandas.DataFrame
        Group columns, ``n_contacts``, ``fcr_base`` (contacts with a known outcome),
        ``fcr_rate`` (%), ``fcr_ci_low``, ``fcr_ci_high`` (Wilson, %),
        ``median_wait_minutes`` and ``p90_wait_minutes`` (linear-interpolated
        percentiles); groups sorted, then an "All" row over every contact (its waits
        empty unless ``pool_waits``).

    Example
    -------
    >>> c = pd.DataFrame({"channel": ["chat", "chat", "phone"], "wait_minutes": [1.0, 3.0, 10.0],
    ...                   "resolved_first_contact": [True, False, True]})
    >>> service_metrics(c)[["channel", "n_contacts", "fcr_rate", "median_wait_minutes"]].round(1)
      channel  n_contacts  fcr_rate  median_wait_minutes
    0    chat           2      50.0                  2.0
    1   phone           1     100.0                 10.0
    2     All           3      66.7                  NaN
    """
    contacts = _require_frame(contacts, "contacts")
    ci = _check_ci(ci)
    keys = _by_list(by)
    require_columns(contacts, [*keys, wait_col, fcr_col], CONTACTS)
    wait = _as_numeric(contacts, wait_col, CONTACTS, "waiting times")
    bad = (wait < 0) | np.isinf(wait)
    if bad.any():
        raise data_error(
            CONTACTS, wait_col, "waiting times must be finite and >= 0",
            _evidence(contacts, bad, wait_col),
        )
    fcr = _boolean_like(contacts, fcr_col, CONTACTS)
    frame = pd.DataFrame({k: contacts[k] for k in keys}, index=contacts.index)
    frame["__wait__"] = wait
    frame["__fcr__"] = fcr

    def summarise(g: pd.DataFrame) -> dict[str, Any]:
        f = g["__fcr__"].dropna().to_numpy()
        wv = g["__wait__"].dropna().to_numpy()
        rate = float(f.mean()) if len(f) else math.nan
        lo, hi = wilson_interval(rate, len(f), ci)
        return {
            "n_contacts": len(g),
            "fcr_base": len(f),
            "fcr_rate": 100.0 * rate,
            "fcr_ci_low": 100.0 * lo,
            "fcr_ci_high": 100.0 * hi,
            "median_wait_minutes": float(np.percentile(wv, 50)) if len(wv) else math.nan,
            "p90_wait_minutes": float(np.percentile(wv, 90)) if len(wv) else math.nan,
        }

    rows = []
    if keys:
        for key, g in frame.groupby(keys, sort=True, dropna=False, observed=True):
            rows.append({**dict(zip(keys, key, strict=True)), **summarise(g)})
    overall = summarise(frame)
    if keys and len(rows) > 1 and not pool_waits:
        overall.update(median_wait_minutes=math.nan, p90_wait_minutes=math.nan)
    rows.append({**{k: "All" for k in keys}, **overall})
    cols = [*keys, "n_contacts", "fcr_base", "fcr_rate", "fcr_ci_low", "fcr_ci_high",
            "median_wait_minutes", "p90_wait_minutes"]
    return _tidy(rows, cols)
