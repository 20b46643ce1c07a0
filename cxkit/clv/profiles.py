"""Segment profiles and actions: size, value and share of value per segment, and what to do.

* :func:`segment_profile`: size, share of customers, mean value and share of total value
  per segment, for any segmentation (RFM names or K-means numbers).
* :func:`segment_actions`: the action a K-means segment borrows from its dominant RFM
  segment (:data:`~cxkit.clv.rfm.SEGMENT_ACTIONS`).

Customers known to have left form a row of their own, :data:`~cxkit.clv.cancelled.CANCELLED`
(see :mod:`cxkit.clv.cancelled`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from cxkit.clv.cancelled import CANCELLED, _cancelled_flags, _cancelled_key
from cxkit.clv.forecast import _churn_flags
from cxkit.clv.rfm import SEGMENT_ACTIONS
from cxkit.errors import DataError, require_columns

__all__ = ["segment_profile", "segment_actions"]


def segment_profile(
    table: pd.DataFrame,
    segment_col: str,
    *,
    value_col: str = "clv",
    alive_col: str | None = "p_alive",
    cancelled: Any = None,
) -> pd.DataFrame:
    """One row per segment: size, share of customers, mean value and share of total value.

    Set side by side, the share of customers and the share of value show where a
    marketing budget earns most. Sorted by mean value, highest first; the cancelled
    customers' row comes last whatever its value.

    Parameters
    ----------
    table : DataFrame
        One row per customer with ``segment_col``, ``value_col`` (and ``alive_col``), e.g.
        :func:`clv_table` with a segment column added.
    segment_col : str
        The segment column (names, or numbers such as :func:`kmeans_segments` labels).
    value_col : str, default "clv"
        The value summed and averaged.
    alive_col : str or None, default "p_alive"
        Column averaged per segment; None to leave out.
    cancelled : Series of bool, array or column name, optional
        Customers known to have left (e.g. ``"known_churned"`` of :func:`clv_table`, or
        :func:`known_cancellations`): they form their own row, :data:`CANCELLED` (segment
        :data:`CANCELLED_NUMBER` when segments are numbers), whatever their segment. A
        segment already named ``"Cancelled"`` (from :func:`rfm_segments`) is that row too.

    Returns
    -------
    DataFrame
        ``segment``, ``customers``, ``mean_<value>``, ``<value>``, [``alive_col``],
        ``share`` (of all customers) and ``<value>_share`` (of total value).
        ``attrs["n_cancelled"]``: customers in the cancelled row (0 when none).

    Example
    -------
    >>> t = pd.DataFrame({"seg": ["a", "a", "b"], "clv": [10.0, 30.0, 60.0]})
    >>> segment_profile(t, "seg", alive_col=None)[["segment", "customers", "clv_share"]].values.tolist()
    [['b', 1, 0.6], ['a', 2, 0.4]]
    >>> t["left"] = [False, False, True]
    >>> segment_profile(t, "seg", alive_col=None, cancelled="left")[["segment", "customers"]].values.tolist()
    [['a', 2], ['Cancelled', 1]]
    """
    require_columns(table, [segment_col, value_col] + ([alive_col] if alive_col else []), "table")
    flags = _cancelled_flags(cancelled, table, "table")
    seg = table[segment_col]
    key = _cancelled_key(seg)
    if flags is not None and flags.any():
        if isinstance(seg.dtype, pd.CategoricalDtype) and key not in seg.cat.categories:
            seg = seg.cat.add_categories([key])
        seg = seg.mask(pd.Series(flags, index=seg.index), key)
    is_cancelled = (seg == key).to_numpy() if (flags is not None or key == CANCELLED) else np.zeros(len(seg), bool)
    g = table.groupby(seg.rename(segment_col), observed=True, sort=True)
    out = pd.DataFrame({"customers": g.size(), f"mean_{value_col}": g[value_col].mean(), value_col: g[value_col].sum()})
    if alive_col:
        out[alive_col] = g[alive_col].mean()
    out["share"] = out["customers"] / out["customers"].sum()
    out[f"{value_col}_share"] = out[value_col] / table[value_col].sum()
    out = out.sort_values(f"mean_{value_col}", ascending=False, kind="mergesort")
    last = out.index == key if is_cancelled.any() else np.zeros(len(out), bool)
    out = pd.concat([out[~last], out[last]])
    out = out.rename_axis("segment").reset_index()
    out.attrs = {"n_cancelled": int(is_cancelled.sum())}
    return out


def segment_actions(segments: pd.Series, rfm_segment: pd.Series, *, cancelled: Any = None) -> pd.DataFrame:
    """Suggested action per data-driven segment: that of the RFM segment most of its customers are in.

    KMeans finds groups but does not name what to do with them; borrowing the action of
    each group's dominant RFM segment gives a marketer a starting point, and the
    ``dominant_share`` column says how clear-cut that borrowing is.

    Customers known to have left never lend a segment their RFM segment: they form their
    own row (segment :data:`CANCELLED`, or :data:`CANCELLED_NUMBER` for numbered segments)
    with the cancelled action, and the other segments borrow among active customers only.
    They are recognised from ``cancelled``, from an RFM segment ``"Cancelled"`` and from
    the labels of a :func:`kmeans_segments` run given ``cancelled``.

    Parameters
    ----------
    segments : segment label per customer (e.g. ``KMeansSegments.labels``).
    rfm_segment : named RFM segment per customer (from :func:`rfm_segments`), same index.
    cancelled : Series of bool or array, optional: customers known to have left.

    Returns
    -------
    DataFrame: ``segment``, ``dominant_rfm_segment``, ``dominant_share``, ``action``
    (the cancelled row last); ``attrs["n_cancelled"]``.

    Example
    -------
    >>> out = segment_actions(pd.Series([1, 1, 2]), pd.Series(["Champions", "Champions", "Lost"]))
    >>> out["dominant_rfm_segment"].tolist()
    ['Champions', 'Lost']
    >>> out = segment_actions(pd.Series([1, 1, 2]), pd.Series(["Champions", "Cancelled", "Lost"]))
    >>> out[["segment", "dominant_rfm_segment"]].values.tolist()
    [[1, 'Champions'], [2, 'Lost'], [0, 'Cancelled']]
    """
    if not isinstance(segments, pd.Series) or not isinstance(rfm_segment, pd.Series):
        raise DataError("segments and rfm_segment must be Series with one row per customer",
                        rule="Series input")
    if not segments.index.equals(rfm_segment.index):
        raise DataError("segments and rfm_segment must share one index (one row per customer)",
                        rule="aligned inputs")
    key = _cancelled_key(segments)
    gone = (rfm_segment.astype(str) == CANCELLED).to_numpy()
    if cancelled is not None:
        gone = gone | _churn_flags(cancelled, segments.index, name="cancelled")
    marked = segments.attrs.get("cancelled_segment")
    if marked is not None:
        gone = gone | (segments == marked).to_numpy()
    kept = segments[~gone].rename("segment")
    if isinstance(kept.dtype, pd.CategoricalDtype):
        kept = kept.cat.remove_unused_categories()
    counts = pd.crosstab(kept, rfm_segment[~gone].astype(str).rename("rfm"))
    dominant = counts.idxmax(axis=1)
    out = pd.DataFrame({
        "segment": counts.index,
        "dominant_rfm_segment": dominant.to_numpy(),
        "dominant_share": (counts.max(axis=1) / counts.sum(axis=1)).to_numpy(),
    })
    if gone.any():
        out = pd.concat([out, pd.DataFrame({"segment": [key], "dominant_rfm_segment": [CANCELLED],
                                            "dominant_share": [1.0]})], ignore_index=True)
    actions = SEGMENT_ACTIONS.set_index("segment")["action"]
    out["action"] = out["dominant_rfm_segment"].map(actions)
    out.attrs = {"n_cancelled": int(gone.sum())}
    return out
