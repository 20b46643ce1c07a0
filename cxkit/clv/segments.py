"""Customer segments: RFM scores and named RFM segments, K-means value segments, profiles.

* :func:`rfm_scores`, :func:`rfm_segments`, :data:`RFM_GRID`, :data:`SEGMENT_ACTIONS`:
  rule-based segments with a suggested action each.
* :func:`kmeans_segments` (:class:`KMeansSegments`): data-driven segments with plain-words
  labels.
* :func:`segment_profile`, :func:`segment_actions`: size, value and share of value per
  segment; the action a K-means segment borrows from its dominant RFM segment.

Customers known to have left (``cancelled=``, e.g. :func:`known_cancellations`) are never
scored, clustered or rewarded with the customers still buying: every function here gives
them a segment of their own, :data:`CANCELLED` (``"Cancelled"``; segment number
:data:`CANCELLED_NUMBER`, 0, among the numbered K-means segments), with the action
"win back only if worth it", and reports how many there are (``attrs["n_cancelled"]``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from cxkit.clv.value import _churn_flags
from cxkit.errors import DataError, data_error, require_columns

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


# --------------------------------------------------------------------------------------
# RFM scores and named segments
# --------------------------------------------------------------------------------------
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
        raise data_error("arguments", "q", f"q must be a whole number between 2 and 10, got {q!r}")
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


# --------------------------------------------------------------------------------------
# Segment profiles and actions
# --------------------------------------------------------------------------------------
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
    >>> segment_actions(pd.Series([1, 1, 2]), pd.Series(["Champions", "Champions", "Lost"]))["dominant_rfm_segment"].tolist()
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


# --------------------------------------------------------------------------------------
# K-means value segments
# --------------------------------------------------------------------------------------
@dataclass
class KMeansSegments:
    """Result of :func:`kmeans_segments`.

    Attributes
    ----------
    labels : Series
        Segment number per customer (1 = highest mean CLV, or mean of the last feature;
        :data:`CANCELLED_NUMBER`, 0, for customers known to have left when ``cancelled``
        was given: they are not clustered). ``labels.attrs`` holds ``cancelled_segment``
        and ``n_cancelled`` when ``cancelled`` was given.
    k : int
        Number of segments found (the cancelled customers' row not counted).
    profile : DataFrame
        One row per segment: segment, label (plain words, unique), size, share, mean of
        each feature, value share (share of the total of the value feature); the
        cancelled customers' row (label ``"Cancelled"``) last. ``attrs["n_cancelled"]``.
    silhouette : DataFrame
        ``k`` and ``silhouette`` for every k tried (empty when k was given).
    features : list of str
        Features used.
    model : sklearn.cluster.KMeans
        The fitted model (on log1p-transformed, standardised features).
    scaler : sklearn.preprocessing.StandardScaler
        The standardisation the model was fitted after.
    n_cancelled : int
        Customers known to have left, kept out of the clustering (0 when not given).
    """

    labels: pd.Series
    k: int
    profile: pd.DataFrame
    silhouette: pd.DataFrame
    features: list[str]
    model: Any = field(repr=False)
    scaler: Any = field(repr=False)
    n_cancelled: int = 0


def _signed_log1p(v: np.ndarray) -> np.ndarray:
    return np.sign(v) * np.log1p(np.abs(v))


def _rank_span(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Best and worst rank (1 = highest) of each value; equal values (to 1e-9) share a span."""
    tol = 1e-9 * float(np.abs(v).max(initial=0.0))
    higher = v[None, :] > v[:, None] + tol          # [i, j]: j is above i
    not_lower = v[None, :] >= v[:, None] - tol      # [i, j]: j is above or level with i
    return higher.sum(axis=1) + 1, not_lower.sum(axis=1)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _value_word(best: int, worst: int, k: int) -> str | None:
    """"highest value", "2nd highest value", "mid value", "2nd lowest value", "lowest value"."""
    if best == 1 and worst == k:
        return None                                  # every segment alike
    if best == 1:
        return "highest value"
    if worst == k:
        return "lowest value"
    middle = (k + 1) / 2
    if best <= middle <= worst:
        return "mid value"
    if worst < middle:
        return f"{_ordinal(best)} highest value"
    return f"{_ordinal(k - worst + 1)} lowest value"


def _rank_word(best: int, worst: int, k: int, words: tuple[str, str, str, str, str]) -> str | None:
    """One of (most, more, mid, less, least) by where the segment ranks among ``k``."""
    if best == 1 and worst == k:
        return None
    if best == 1:
        return words[0]
    if worst == k:
        return words[4]
    middle = (k + 1) / 2
    return words[1] if worst < middle else words[3] if best > middle else words[2]


_FREQUENCY_WORDS = ("most frequent", "more frequent", "mid frequency", "less frequent", "least frequent")
_RECENCY_WORDS = ("most recent", "more recent", "mid recency", "less recent", "least recent")


def _segment_labels(means: pd.DataFrame, value_feat: str) -> dict[Any, str]:
    """Plain-words label per segment from its rank among the segments on each dimension.

    Ranks, not thresholds: a label says where a segment stands against the others, so
    two segments can never both be "high value, frequent, recent". Segments level on
    every dimension keep their words and get "(segment n)" added.
    """
    k = len(means)
    dims = [(value_feat, 1.0, None)]
    if "frequency" in means and value_feat != "frequency":
        dims.append(("frequency", 1.0, _FREQUENCY_WORDS))
    if "time_since_last" in means and value_feat != "time_since_last":
        dims.append(("time_since_last", -1.0, _RECENCY_WORDS))
    parts: dict[Any, list[str]] = {seg: [] for seg in means.index}
    for col, sign, words in dims:
        best, worst = _rank_span(sign * means[col].to_numpy(dtype=float))
        for seg, b, w in zip(means.index, best, worst):
            word = _value_word(b, w, k) if words is None else _rank_word(b, w, k, words)
            if word:
                parts[seg].append(word)
    names = {seg: ", ".join(p) if p else "all alike" for seg, p in parts.items()}
    counts = pd.Series(names).value_counts()
    return {seg: (f"{nm} (segment {seg})" if counts[nm] > 1 else nm) for seg, nm in names.items()}


def kmeans_segments(
    table: pd.DataFrame,
    features: Sequence[str] = ("frequency", "time_since_last", "expected_avg_value", "clv"),
    k: int | None = None,
    k_range: Iterable[int] = range(2, 9),
    random_state: int = 0,
    sample_size: int = 5000,
    *,
    cancelled: Any = None,
) -> KMeansSegments:
    """Data-driven customer segments with K-means on log-scaled RFM / CLV features.

    Complements rule-based RFM segments with groups that follow the data, each with a
    size, a CLV share and a plain-words label for stakeholders.

    The default features mean the same for every customer: repeat purchases, time since
    the last purchase, expected spend per purchase (``expected_avg_value``, the
    Gamma-Gamma estimate: a repeat buyer's own average pulled towards the average
    customer's, and the average customer's for a one-time buyer) and CLV. The observed
    ``monetary_value`` is not one of them: it is the mean over *repeat* purchases, stored
    as 0 for one-time buyers, so clustering on it splits off the one-time buyers as a
    "segment" made by that storage rule alone (on the sample company: all 952 one-time
    buyers and one other customer, and that split decided the number of segments). The
    Gamma-Gamma estimate is preferred to the first purchase's spend because it is what the
    CLV itself uses, is a column of :func:`clv_table` and does not read one basket as a
    customer's habit.

    Customers known to have left (``cancelled``, e.g. ``"known_churned"`` of
    :func:`clv_table`) are kept out of the clustering and the standardisation: they get
    segment :data:`CANCELLED_NUMBER` (0), labelled ``"Cancelled"``, the last row of the
    profile. Without ``cancelled`` every customer is clustered, and cancelled customers
    who bought often can land in the best segment.

    Features are transformed with sign(x)·log1p(|x|) (spend and counts are heavily
    skewed), standardised, and clustered with ``KMeans(n_init=10, random_state)``. When
    ``k`` is None the k in ``k_range`` with the best silhouette score wins; silhouettes are
    computed on a fixed-seed sample of at most ``sample_size`` customers. Segments are
    numbered by decreasing mean of the value feature (``clv`` if used, else the last
    feature). ``time_since_last`` is computed as ``T - recency`` when absent. KMeans runs
    on all rows for every candidate k; for millions of customers pass ``k`` or cluster a
    sample.

    Labels rank each segment against the others on the mean of the value feature
    ("highest value", "2nd highest value", "mid value", "2nd lowest value", "lowest
    value"), of frequency ("most frequent", "more frequent", "mid frequency", "less
    frequent", "least frequent") and of time since the last purchase ("most recent" ...
    "least recent"), the means shown in the profile. Value ranks differ from segment to
    segment, so labels are unique; segments exactly level on every dimension get
    "(segment n)" added. They describe the segments relative to each other, not against
    a standard: the "highest value" of three segments of lapsed customers is still lapsed.

    Parameters
    ----------
    table : DataFrame
        E.g. :func:`clv_table` output.
    features : sequence of str
        Columns to cluster on (default: frequency, time_since_last, expected_avg_value,
        clv).
    k : int, optional
        Number of segments; chosen by silhouette when None.
    k_range : iterable of int
        Candidate k values.
    random_state : int
        Seed for KMeans and the silhouette sample.
    sample_size : int
        Maximum rows for the silhouette computation.
    cancelled : str, Series of bool or array, optional
        Customers known to have left: a true/false column of ``table`` (``"known_churned"``),
        a Series indexed by customer id (:func:`known_cancellations`) or an array in row
        order.

    Returns
    -------
    KMeansSegments
        ``labels``, ``k``, ``profile``, ``silhouette``, ``features``, ``model``, ``scaler``,
        ``n_cancelled``.

    Examples
    --------
    >>> table = pd.DataFrame({"frequency": [0, 1, 0, 8, 9, 7, 9],
    ...                       "monetary_value": [10.0, 12.0, 9.0, 80.0, 95.0, 70.0, 90.0],
    ...                       "left": [False] * 6 + [True]})
    >>> seg = kmeans_segments(table, features=["frequency", "monetary_value"], k=2, cancelled="left")
    >>> seg.labels.tolist()
    [2, 2, 2, 1, 1, 1, 0]
    >>> seg.profile[["segment", "label", "size", "monetary_value_share"]].round(2)
       segment                         label  size  monetary_value_share
    0        1  highest value, most frequent     3                  0.67
    1        2  lowest value, least frequent     3                  0.08
    2        0                     Cancelled     1                  0.25
    """
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score
    from sklearn.preprocessing import StandardScaler

    if not isinstance(table, pd.DataFrame):
        raise data_error("table", None, f"expected a pandas DataFrame, got {type(table).__name__}")
    features = list(features)
    df = table.copy()
    df.attrs = {}
    if (
        "time_since_last" in features
        and "time_since_last" not in df.columns
        and {"T", "recency"} <= set(df.columns)
    ):
        df["time_since_last"] = df["T"] - df["recency"]
    require_columns(df, features, "table", hint="build it with clv_table(), or pass features=")
    flags = _cancelled_flags(cancelled, df, "table")
    active = np.ones(len(df), dtype=bool) if flags is None else ~flags
    X_all = df[features].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isfinite(X_all).all(axis=1)
    if bad.any():
        raise data_error(
            "table", features, "feature values must be finite numbers", df.loc[bad, features]
        )
    X = X_all[active]
    n = X.shape[0]
    ks = [int(k)] if k is not None else sorted({int(c) for c in k_range})
    if not ks or min(ks) < 2 or max(ks) >= n:
        who = "customers" if flags is None else "active (not cancelled) customers"
        raise data_error(
            "arguments",
            "k",
            f"k must be between 2 and the number of {who} - 1 ({n - 1}); got {ks}",
        )
    Z = StandardScaler().fit(_signed_log1p(X))
    Xs = Z.transform(_signed_log1p(X))
    rng = np.random.default_rng(random_state)
    sample = np.sort(rng.choice(n, size=min(n, sample_size), replace=False))
    sil_rows = []
    best = None
    for kk in ks:
        km = KMeans(n_clusters=kk, n_init=10, random_state=random_state).fit(Xs)
        if k is None:
            lab = km.labels_[sample]
            s = float(silhouette_score(Xs[sample], lab)) if np.unique(lab).size > 1 else np.nan
            sil_rows.append({"k": kk, "silhouette": s})
            if best is None or (np.isfinite(s) and s > best[0]):
                best = (s, kk, km)
        else:
            best = (np.nan, kk, km)
    assert best is not None
    _, k_used, km = best
    value_feat = "clv" if "clv" in features else features[-1]
    vi = features.index(value_feat)
    raw_lab = km.labels_
    means_raw = pd.DataFrame(X, columns=features).groupby(raw_lab).mean()
    order = means_raw[value_feat].sort_values(ascending=False, kind="stable").index
    relabel = {old: new for new, old in enumerate(order, start=1)}
    numbers = np.full(len(df), CANCELLED_NUMBER, dtype=np.int64)
    numbers[active] = pd.Series(raw_lab).map(relabel).to_numpy()
    labels = pd.Series(numbers, index=table.index, name="segment")
    n_cancelled = int((~active).sum())
    if flags is not None:
        labels.attrs = {"cancelled_segment": CANCELLED_NUMBER, "n_cancelled": n_cancelled}

    grp = pd.DataFrame(X_all, columns=features).groupby(numbers)
    prof = grp.mean().add_prefix("mean_")
    names = _segment_labels(grp.mean().drop(index=CANCELLED_NUMBER, errors="ignore"), value_feat)
    names[CANCELLED_NUMBER] = CANCELLED
    prof.insert(0, "share", grp.size() / len(df))
    prof.insert(0, "size", grp.size())
    prof.insert(0, "label", pd.Series(names))
    total = X_all[:, vi].sum()
    prof[f"{value_feat}_share"] = grp[value_feat].sum() / total if total != 0 else np.nan
    prof.index.name = "segment"
    clusters = prof.index != CANCELLED_NUMBER
    prof = pd.concat([prof[clusters], prof[~clusters]]).reset_index()
    prof.attrs = {"n_cancelled": n_cancelled}
    sil = pd.DataFrame(sil_rows, columns=["k", "silhouette"])
    return KMeansSegments(labels, int(k_used), prof, sil, features, km, Z, n_cancelled)
