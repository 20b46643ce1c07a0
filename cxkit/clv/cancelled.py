"""The segment of customers known to have left, which every segmentation gives them.

Customers known to have left (``cancelled=``, e.g. :func:`known_cancellations`) are never
scored, clustered or rewarded with the customers still buying: :func:`rfm_scores`,
:func:`rfm_segments`, :func:`kmeans_segments`, :func:`segment_profile` and
:func:`segment_actions` give them a segment of their own, :data:`CANCELLED`
(``"Cancelled"``; segment number :data:`CANCELLED_NUMBER`, 0, among the numbered K-means
segments), with the action "win back only if worth it", and report how many there are
(``attrs["n_cancelled"]``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from cxkit.clv.forecast import _churn_flags
from cxkit.errors import data_error, require_columns

__all__ = ["CANCELLED", "CANCELLED_NUMBER"]

#: Segment name of customers known to have left (a churn date on or before ``as_of``).
CANCELLED = "Cancelled"
#: Segment number of those customers among numbered (K-means) segments, numbered from 1.
CANCELLED_NUMBER = 0


def _cancelled_flags(cancelled: Any, table: pd.DataFrame, table_name: str) -> np.ndarray | None:
    """``cancelled`` as one boolean per row of ``table`` (None when not given).

    A column name of ``table``, a boolean Series indexed like ``table`` (customer id; ids
    absent from it count as not cancelled) or an array in row order.
    """
    if cancelled is None:
        return None
    if isinstance(cancelled, str):
        require_columns(table, [cancelled], table_name,
                        hint="pass the column of true/false cancellation flags, or a Series from "
                        "known_cancellations(customers, as_of)")
        col = table[cancelled]
        present = col.notna()
        bad = present & ~col.isin([True, False])
        if bad.any():
            raise data_error(table_name, cancelled, "cancellation flags must be true/false", table[bad])
        return (col.where(present, False) == True).to_numpy(dtype=bool)  # noqa: E712
    return _churn_flags(cancelled, table.index, name="cancelled")


def _cancelled_key(segments: pd.Series) -> Any:
    """The cancelled customers' segment: :data:`CANCELLED_NUMBER` among numbered segments."""
    numeric = pd.api.types.is_numeric_dtype(segments) and not pd.api.types.is_bool_dtype(segments)
    return CANCELLED_NUMBER if numeric else CANCELLED
