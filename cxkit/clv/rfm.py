"""RFM scores and named RFM segments, each with a suggested action.

* :func:`rfm_scores`: recency, frequency and monetary scores 1..q from an RFM summary.
* :func:`rfm_segments`, :data:`RFM_GRID`, :data:`SEGMENT_ACTIONS`: rule-based segments
  ("Champions", "At Risk" ...) with a suggested action each.

Customers known to have left (``cancelled=``) are not scored and form the segment
:data:`~cxkit.clv.cancelled.CANCELLED` (see :mod:`cxkit.clv.cancelled`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from cxkit.clv.cancelled import CANCELLED, _cancelled_flags
from cxkit.errors import argument_error, data_error, require_columns

__all__ = ["rfm_scores", "rfm_segments", "SEGMENT_ACTIONS", "RFM_GRID"]


def rfm_scores(
    summary: pd.DataFrame, q: int = 5, *, monetary_col: str | None = None, cancelled: Any = None
) -> pd.DataFrame:
    """Recency, frequency and monetary scores 1..q (q = best) from an RFM summary.

    RFM scores are the common language of CRM teams; equal-size bins keep every score
    level populated even when most customers bought only once.

    Rule: each metric is ranked and cut into ``q`` groups of equal size (score = 1 +
    floor(q * rank / n)). Recency for scoring is the time since the last purchase
    (``T - recency``): a more recent customer scores higher. Ties (e.g. the many one-time
    buyers, who all have frequency 0) are broken by the other two metrics so the result
    does not depend on row order: R by frequency then spend, F by spend then recency, M by
    frequency then recency; remaining ties by row position.

    Customers known to have left (``cancelled``) are not scored: the scores rank the
    active customers among themselves, so a "top 20 %" is 20 % of the customers still
    with us, and the cancelled ones get missing scores and ``cancelled`` True
    (:func:`rfm_segments` then names them :data:`CANCELLED`).

    Parameters
    ----------
    summary : DataFrame
        Columns frequency, recency, T and the monetary column.
    q : int, default 5
        Number of score levels (2..10).
    monetary_col : str, optional
        Spend column for M; default ``total_spend`` when present (classic RFM: total spend),
        else ``monetary_value``.
    cancelled : Series of bool, array or column name, optional
        True for customers known to have left, e.g.
        ``known_cancellations(customers, as_of)`` (indexed by customer id, aligned on the
        summary's index; ids absent from it count as active), an array in row order, or
        the name of a true/false column of ``summary``.

    Returns
    -------
    DataFrame
        Indexed like ``summary`` with integer columns R, F, M. With ``cancelled``: R, F, M
        are nullable integers (missing for cancelled customers) and a boolean column
        ``cancelled`` follows; ``attrs["n_cancelled"]`` counts them.

    Examples
    --------
    >>> summary = pd.DataFrame({"frequency": [0, 1, 3, 5, 0], "recency": [0, 10, 30, 38, 0],
    ...                         "T": [40, 40, 40, 40, 5], "total_spend": [20, 60, 150, 400, 35]})
    >>> rfm_scores(summary)
       R  F  M
    0  1  1  1
    1  2  3  3
    2  3  4  4
    3  5  5  5
    4  4  2  2
    >>> rfm_scores(summary, q=2, cancelled=[False, False, False, True, False])
          R     F     M  cancelled
    0     1     1     1      False
    1     1     2     2      False
    2     2     2     2      False
    3  <NA>  <NA>  <NA>       True
    4     2     1     1      False
    """
    if monetary_col is None:
        monetary_col = (
            "total_spend"
            if isinstance(summary, pd.DataFrame) and "total_spend" in summary.columns
            else "monetary_value"
        )
    require_columns(
        summary,
        ["frequency", "recency", "T", monetary_col],
        "summary",
        hint="build it with rfm_summary()",
    )
    if int(q) != q or not 2 <= q <= 10:
        raise argument_error("q", f"q must be a whole number between 2 and 10, got {q!r}")
    if len(summary) == 0:
        raise data_error("summary", None, "summary has no rows")
    flags = _cancelled_flags(cancelled, summary, "summary")
    active = np.ones(len(summary), dtype=bool) if flags is None else ~flags
    n = int(active.sum())
    if n == 0:
        raise data_error("summary", None, "every customer is cancelled: no active customer to score",
                         hint="check the cancelled flags and as_of")
    vals = {}
    for c in ("frequency", "recency", "T", monetary_col):
        v = pd.to_numeric(summary[c], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        bad = ~np.isfinite(v) & active
        if bad.any():
            raise data_error("summary", c, "values must be finite numbers", summary[bad])
        vals[c] = v[active]
    r_good = -(vals["T"] - vals["recency"])
    f_good = vals["frequency"]
    m_good = vals[monetary_col]
    pos = np.arange(n)

    def score(primary: np.ndarray, tb1: np.ndarray, tb2: np.ndarray) -> np.ndarray:
        order = np.lexsort((pos, tb2, tb1, primary))
        rank = np.empty(n, dtype=np.int64)
        rank[order] = pos
        return (rank * int(q) // n + 1).astype(np.int64)

    scores = {
        "R": score(r_good, f_good, m_good),
        "F": score(f_good, m_good, r_good),
        "M": score(m_good, f_good, r_good),
    }
    if flags is None:
        return pd.DataFrame(scores, index=summary.index)
    out = pd.DataFrame(index=summary.index)
    for name, sc in scores.items():
        full = pd.array(np.full(len(summary), pd.NA), dtype="Int64")
        full[active] = sc
        out[name] = full
    out["cancelled"] = flags
    out.attrs = {"n_cancelled": int(flags.sum())}
    return out


SEGMENT_ACTIONS = pd.DataFrame(
    [
        (
            "Champions",
            "R 5, F 4-5 or R 4, F 5",
            "Bought recently, buy often and spend the most.",
            "Reward them; ask for reviews and referrals; early access to new products.",
        ),
        (
            "Loyal",
            "R 4, F 4 or R 3, F 4-5",
            "Buy regularly and respond to promotions.",
            "Upsell higher-value products; loyalty programme; ask for feedback.",
        ),
        (
            "Potential Loyalist",
            "R 4-5, F 2-3",
            "Recent customers with a few purchases.",
            "Offer membership or loyalty perks; recommend related products.",
        ),
        (
            "New Customers",
            "R 4-5, F 1",
            "Bought recently, but only once or rarely.",
            "Onboarding journey; make the second purchase easy; early support check-in.",
        ),
        (
            "Promising",
            "R 3, F 1",
            "Fairly recent single or rare purchase.",
            "Build the relationship: content, free shipping or a small first-repeat incentive.",
        ),
        (
            "Need Attention",
            "R 3, F 3",
            "Average recency and frequency; slipping.",
            "Limited-time, personalised offers based on past purchases; reactivation survey.",
        ),
        (
            "About to Sleep",
            "R 3, F 2",
            "Below-average recency and frequency.",
            "Share popular products and reminders; reconnect before they lapse.",
        ),
        (
            "At Risk",
            "R 1-2, F 3-4",
            "Bought fairly often, but long ago.",
            "Personalised win-back emails; find out what went wrong; service recovery.",
        ),
        (
            "Can't Lose Them",
            "R 1-2, F 5",
            "Used to be frequent buyers, have not returned for long.",
            "Win them back with renewals or new products; a personal call; do not lose them to competitors.",
        ),
        (
            "Hibernating",
            "R 2, F 1-2 or R 1, F 2",
            "Last purchase long ago, few purchases.",
            "Offer relevant products and special discounts; recreate brand value.",
        ),
        (
            "Lost",
            "R 1, F 1",
            "Lowest recency and frequency.",
            "Revive with a broad campaign only if cheap; otherwise exclude from paid outreach.",
        ),
        (
            CANCELLED,
            "churn date on or before as_of",
            "Known to have left: cancelled, whatever they bought before.",
            "Win back only if worth it, weighing their past value against the cost; no loyalty rewards or upsell.",
        ),
    ],
    columns=["segment", "rule", "description", "action"],
)
"""Named RFM segments with their R/F rule, a description and a suggested action.

The last row, :data:`CANCELLED`, is for customers known to have left; it is not a cell of
:data:`RFM_GRID` and appears only when cancellations are given.
"""

#: R (rows, 5 = most recent) x F (columns, 5 = most frequent) grid of segment names.
RFM_GRID = pd.DataFrame(
    [
        ["New Customers", "Potential Loyalist", "Potential Loyalist", "Champions", "Champions"],
        ["New Customers", "Potential Loyalist", "Potential Loyalist", "Loyal", "Champions"],
        ["Promising", "About to Sleep", "Need Attention", "Loyal", "Loyal"],
        ["Hibernating", "Hibernating", "At Risk", "At Risk", "Can't Lose Them"],
        ["Lost", "Hibernating", "At Risk", "At Risk", "Can't Lose Them"],
    ],
    index=pd.Index([5, 4, 3, 2, 1], name="R"),
    columns=pd.Index([1, 2, 3, 4, 5], name="F"),
)


def rfm_segments(scores: pd.DataFrame, *, cancelled: Any = None) -> pd.Series:
    """Map R and F scores (1..5) to named segments with suggested actions.

    Names such as "At Risk" or "Champions" make RFM scores actionable for marketing and
    service teams; the action text is in :data:`SEGMENT_ACTIONS`.

    The map is the usual R/F grid (see :data:`RFM_GRID`) with two changes that keep every
    segment meaningful in cohort data: "New Customers" covers R 4-5 / F 1 (in a single
    acquisition cohort nobody with one purchase is among the 20 % most recent) and "Lost"
    is the bottom corner R 1 / F 1, split from "Hibernating".

    Customers known to have left form the segment :data:`CANCELLED` ("win back only if
    worth it; no loyalty rewards"), never "Champions" or "Loyal": a customer who bought
    often until they cancelled still looks like a champion on R and F alone.

    Parameters
    ----------
    scores : DataFrame
        Output of :func:`rfm_scores` with ``q=5`` (columns R and F; a ``cancelled`` column,
        present when the scores were given cancellations, is used).
    cancelled : Series of bool, array or column name, optional
        Customers known to have left, as for :func:`rfm_scores`; default: the scores'
        ``cancelled`` column when present. Pass them to :func:`rfm_scores` rather than here,
        so the other customers are ranked among themselves.

    Returns
    -------
    Series
        Categorical ``segment`` indexed like ``scores``, categories in
        ``SEGMENT_ACTIONS`` order (``"Cancelled"`` only when cancellations are known);
        ``attrs["n_cancelled"]`` counts the cancelled customers.

    Examples
    --------
    >>> seg = rfm_segments(pd.DataFrame({"R": [5, 3, 1, 1], "F": [5, 3, 5, 1]}))
    >>> seg.tolist()
    ['Champions', 'Need Attention', "Can't Lose Them", 'Lost']
    >>> SEGMENT_ACTIONS.set_index("segment").loc[seg[2], "action"]
    'Win them back with renewals or new products; a personal call; do not lose them to competitors.'
    >>> rfm_segments(pd.DataFrame({"R": [5, 5], "F": [5, 5]}), cancelled=[False, True]).tolist()
    ['Champions', 'Cancelled']
    """
    require_columns(scores, ["R", "F"], "scores", hint="build it with rfm_scores(summary, q=5)")
    if cancelled is None and "cancelled" in scores.columns:
        cancelled = "cancelled"
    flags = _cancelled_flags(cancelled, scores, "scores")
    gone = np.zeros(len(scores), dtype=bool) if flags is None else flags
    R = pd.to_numeric(scores["R"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    F = pd.to_numeric(scores["F"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = (~np.isin(R, [1, 2, 3, 4, 5]) | ~np.isin(F, [1, 2, 3, 4, 5])) & ~gone
    if bad.any():
        raise data_error(
            "scores",
            ["R", "F"],
            "scores must be whole numbers 1..5 (use rfm_scores(..., q=5))",
            scores[bad],
        )
    grid = RFM_GRID.to_numpy()
    names = np.full(len(scores), CANCELLED, dtype=object)
    names[~gone] = grid[5 - R[~gone].astype(int), F[~gone].astype(int) - 1]
    categories = list(SEGMENT_ACTIONS["segment"])
    if flags is None:
        categories.remove(CANCELLED)
    out = pd.Series(pd.Categorical(names, categories=categories), index=scores.index, name="segment")
    out.attrs = {"n_cancelled": int(gone.sum())}
    return out
