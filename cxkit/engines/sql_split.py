"""The calibration/holdout split's frame from the per-customer rows of :data:`cxkit.engines.sql.SUMMARY_SQL`.

Why here: the split runs the one summary query (with ``{cal}`` = calibration_end and
``{end}`` = observation_end, so days after the calibration end form the holdout); what
is left is the small per-customer arithmetic of
:func:`cxkit.clv.calibration_holdout_split`, written once more in numpy on one row per
customer and tested equal to the pandas path (``tests/test_engines.py``).

Example
-------
>>> from cxkit.engines.sql_split import split_frame
>>> callable(split_frame)
True
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from cxkit.engines.sql import TABLE, Source, add_record, calibration_columns, counts, customer_ids
from cxkit.errors import DataError
from cxkit.exclusions import (
    EXCLUDED_AFTER_OBSERVATION_END,
    EXCLUDED_BEFORE_CALIBRATION_START,
    EXCLUDED_HOLDOUT_NEW_CUSTOMERS,
    EXCLUDED_HOLDOUT_NOT_PURCHASE_DAYS,
    EXCLUDED_NO_PURCHASE_DAY,
    EXCLUDED_NOT_PURCHASE_DAYS,
    NO_CALIBRATION_PURCHASE_DAY,
    NO_CALIBRATION_ROWS,
)
from cxkit.units import MINOR_UNIT_DIGITS, day_timestamp, spend_per_day

__all__ = ["split_frame"]


def split_frame(per: pd.DataFrame, src: Source, cal_day: int, obs_day: int, unit_days: float, time_unit: str,
                zero_spend_days: str, refund_records: list[dict[str, Any]] | None = None,
                minor_unit_digits: int = MINOR_UNIT_DIGITS) -> pd.DataFrame:
    """``calibration_holdout_split``'s frame (index, columns, dtypes, attrs) from the summary query's rows.

    Parameters
    ----------
    per : :data:`~cxkit.engines.sql.SUMMARY_SQL`'s rows, run with ``cal`` = ``cal_day`` and
        ``end`` = ``obs_day``, in order of first appearance.
    src : the engine's :class:`~cxkit.engines.sql.Source` (customer-id typing).
    cal_day, obs_day : calibration end and observation end as day numbers.
    unit_days, time_unit : the time unit and its length in days.
    zero_spend_days : "exclude" or "purchase" (wording of one exclusion rule).
    refund_records : the ``refunds="drop"`` record, if any (listed after the early rows).
    minor_unit_digits : decimals of the minor unit the query's spend columns are counted in.

    Returns
    -------
    DataFrame indexed by customer id with the ``*_cal`` and ``*_holdout`` columns and
    ``spend_holdout``, as :func:`cxkit.clv.calibration_holdout_split`.
    """
    ids = customer_ids(per["cid"], src)
    num = counts(per, "late_rows", "early_rows", "kept_rows", "other_rows", "n_days", "hold_rows",
                 "hold_other_rows", "hold_days")
    records: list[dict[str, Any]] = []
    add_record(records, EXCLUDED_AFTER_OBSERVATION_END, num["late_rows"])
    add_record(records, EXCLUDED_BEFORE_CALIBRATION_START, num["early_rows"])
    records.extend(refund_records or [])
    if not num["kept_rows"].any():
        raise DataError(f"table '{TABLE}', column 'date': {NO_CALIBRATION_ROWS}", table=TABLE, column="date",
                        rule=NO_CALIBRATION_ROWS)
    buyer = num["n_days"] > 0
    add_record(records, EXCLUDED_NOT_PURCHASE_DAYS.format(or_zero=", or zero" if zero_spend_days == "exclude" else ""),
               np.where(buyer, num["other_rows"], 0))
    add_record(records, EXCLUDED_NO_PURCHASE_DAY, np.where(buyer, 0, num["kept_rows"]))
    if not buyer.any():
        raise DataError(f"table '{TABLE}', column 'amount': {NO_CALIBRATION_PURCHASE_DAY}", table=TABLE,
                        column="amount", rule=NO_CALIBRATION_PURCHASE_DAY)
    add_record(records, EXCLUDED_HOLDOUT_NEW_CUSTOMERS, np.where(buyer, 0, num["hold_rows"]))
    add_record(records, EXCLUDED_HOLDOUT_NOT_PURCHASE_DAYS, np.where(buyer, num["hold_other_rows"], 0))
    cal = calibration_columns(per, buyer, cal_day, unit_days, ids[buyer], minor_unit_digits)
    out = cal[["frequency", "recency", "T", "monetary_value"]].add_suffix("_cal")
    freq_h = num["hold_days"][buyer].astype(np.int64)
    scale = float(10 ** minor_unit_digits)
    spend = np.where(freq_h > 0, per["hold_spend"].fillna(0).to_numpy(np.int64)[buyer], 0)
    out["frequency_holdout"] = freq_h
    out["monetary_value_holdout"] = spend_per_day(spend, freq_h, scale)
    out["duration_holdout"] = (obs_day - cal_day) / unit_days
    out["spend_holdout"] = spend / scale
    out.attrs = {"time_unit": time_unit, "as_of": day_timestamp(cal_day),
                 "observation_end": day_timestamp(obs_day), "exclusions": records}
    return out
