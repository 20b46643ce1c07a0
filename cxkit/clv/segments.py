"""Customer segments: RFM scores and named RFM segments, K-means value segments, profiles.

* :func:`rfm_scores`, :func:`rfm_segments`, :data:`RFM_GRID`, :data:`SEGMENT_ACTIONS`:
  rule-based segments with a suggested action each.
* :func:`kmeans_segments` (:class:`KMeansSegments`): data-driven segments with plain-words
  labels.
* :func:`segment_profile`, :func:`segment_actions`: size, value and share of value per
  segment; the action a K-means segment borrows from its dominant RFM segment.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from cxkit.errors import DataError, data_error, require_columns


# --------------------------------------------------------------------------------------
# RFM scores and named segments
# --------------------------------------------------------------------------------------
def rfm_scores(
    summary: pd.DataFrame, q: int = 5, *, monetary_col: str | None = None
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

    Parameters
    ----------
    summary : DataFrame
        Columns frequency, recency, T and the monetary column.
    q : int, default 5
        Number of score levels (2..10).
    monetary_col : str, optional
        Spend column for M; default ``total_spend`` when present (classic RFM: total spend),
        else ``monetary_value``.

    Returns
    -------
    DataFrame
        Indexed like ``summary`` with integer columns R, F, M.

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
    n = len(summary)
    if n == 0:
        raise data_error("summary", None, "summary has no rows")
    vals = {}
    for c, name in [
        ("frequency", "frequency"),
        ("recency", "recency"),
        ("T", "T"),
        (monetary_col, monetary_col),
    ]:
        v = pd.to_numeric(summary[c], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        bad = ~np.isfinite(v)
        if bad.any():
            raise data_error("summary", c, "values must be finite numbers", summary[bad])
        vals[name] = v
    r_good = -(vals["T"] - vals["recency"])
    f_good = vals["frequency"]
    m_good = vals[monetary_col]
    pos = np.arange(n)

    def score(primary: np.ndarray, tb1: np.ndarray, tb2: np.ndarray) -> np.ndarray:
        order = np.lexsort((pos, tb2, tb1, primary))
        rank = np.empty(n, dtype=np.int64)
        rank[order] = pos
        return (rank * int(q) // n + 1).astype(np.int64)

    return pd.DataFrame(
        {
            "R": score(r_good, f_good, m_good),
            "F": score(f_good, m_good, r_good),
            "M": score(m_good, f_good, r_good),
        },
        index=summary.index,
    )


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
    ],
    columns=["segment", "rule", "description", "action"],
)
"""Named RFM segments with their R/F rule, a description and a suggested action."""

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


def rfm_segments(scores: pd.DataFrame) -> pd.Series:
    """Map R and F scores (1..5) to named segments with suggested actions.

    Names such as "At Risk" or "Champions" make RFM scores actionable for marketing and
    service teams; the action text is in :data:`SEGMENT_ACTIONS`.

    The map is the usual R/F grid (see :data:`RFM_GRID`) with two changes that keep every
    segment meaningful in cohort data: "New Customers" covers R 4-5 / F 1 (in a single
    acquisition cohort nobody with one purchase is among the 20 % most recent) and "Lost"
    is the bottom corner R 1 / F 1, split from "Hibernating".

    Parameters
    ----------
    scores : DataFrame
        Output of :func:`rfm_scores` with ``q=5`` (columns R and F).

    Returns
    -------
    Series
        Categorical ``segment`` indexed like ``scores``, categories in
        ``SEGMENT_ACTIONS`` order.

    Examples
    --------
    >>> seg = rfm_segments(pd.DataFrame({"R": [5, 3, 1, 1], "F": [5, 3, 5, 1]}))
    >>> seg.tolist()
    ['Champions', 'Need Attention', "Can't Lose Them", 'Lost']
    >>> SEGMENT_ACTIONS.set_index("segment").loc[seg[2], "action"]
    'Win them back with renewals or new products; a personal call; do not lose them to competitors.'
    """
    require_columns(scores, ["R", "F"], "scores", hint="build it with rfm_scores(summary, q=5)")
    R = pd.to_numeric(scores["R"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    F = pd.to_numeric(scores["F"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isin(R, [1, 2, 3, 4, 5]) | ~np.isin(F, [1, 2, 3, 4, 5])
    if bad.any():
        raise data_error(
            "scores",
            ["R", "F"],
            "scores must be whole numbers 1..5 (use rfm_scores(..., q=5))",
            scores[bad],
        )
    grid = RFM_GRID.to_numpy()
    names = grid[5 - R.astype(int), F.astype(int) - 1]
    return pd.Series(
        pd.Categorical(names, categories=list(SEGMENT_ACTIONS["segment"])),
        index=scores.index,
        name="segment",
    )


# --------------------------------------------------------------------------------------
# Segment profiles and actions
# --------------------------------------------------------------------------------------
def segment_profile(
    table: pd.DataFrame,
    segment_col: str,
    *,
    value_col: str = "clv",
    alive_col: str | None = "p_alive",
) -> pd.DataFrame:
    """One row per segment: size, share of customers, mean value and share of total value.

    Set side by side, the share of customers and the share of value show where a
    marketing budget earns most. Sorted by mean value, highest first.

    Example
    -------
    >>> t = pd.DataFrame({"seg": ["a", "a", "b"], "clv": [10.0, 30.0, 60.0]})
    >>> segment_profile(t, "seg", alive_col=None)[["segment", "customers", "clv_share"]].values.tolist()
    [['b', 1, 0.6], ['a', 2, 0.4]]
    """
    require_columns(table, [segment_col, value_col] + ([alive_col] if alive_col else []), "table")
    g = table.groupby(segment_col, observed=True, sort=True)
    out = pd.DataFrame({"customers": g.size(), f"mean_{value_col}": g[value_col].mean(), value_col: g[value_col].sum()})
    if alive_col:
        out[alive_col] = g[alive_col].mean()
    out["share"] = out["customers"] / out["customers"].sum()
    out[f"{value_col}_share"] = out[value_col] / table[value_col].sum()
    out = out.sort_values(f"mean_{value_col}", ascending=False, kind="mergesort")
    return out.rename_axis("segment").reset_index()


def segment_actions(segments: pd.Series, rfm_segment: pd.Series) -> pd.DataFrame:
    """Suggested action per data-driven segment: that of the RFM segment most of its customers are in.

    KMeans finds groups but does not name what to do with them; borrowing the action of
    each group's dominant RFM segment gives a marketer a starting point, and the
    ``dominant_share`` column says how clear-cut that borrowing is.

    Parameters
    ----------
    segments : segment label per customer (e.g. ``KMeansSegments.labels``).
    rfm_segment : named RFM segment per customer (from :func:`rfm_segments`), same index.

    Returns
    -------
    DataFrame: ``segment``, ``dominant_rfm_segment``, ``dominant_share``, ``action``.

    Example
    -------
    >>> segment_actions(pd.Series([1, 1, 2]), pd.Series(["Champions", "Champions", "Lost"]))["dominant_rfm_segment"].tolist()
    ['Champions', 'Lost']
    """
    if not segments.index.equals(rfm_segment.index):
        raise DataError("segments and rfm_segment must share one index (one row per customer)",
                        rule="aligned inputs")
    counts = pd.crosstab(segments.rename("segment"), rfm_segment.astype(str).rename("rfm"))
    dominant = counts.idxmax(axis=1)
    out = pd.DataFrame({
        "segment": counts.index,
        "dominant_rfm_segment": dominant.to_numpy(),
        "dominant_share": (counts.max(axis=1) / counts.sum(axis=1)).to_numpy(),
    })
    actions = SEGMENT_ACTIONS.set_index("segment")["action"]
    out["action"] = out["dominant_rfm_segment"].map(actions)
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
        Segment number per customer (1 = highest mean CLV, or mean of the last feature).
    k : int
        Number of segments used.
    profile : DataFrame
        One row per segment: segment, label (plain words), size, share, mean of each
        feature, value share (share of the total of the value feature).
    silhouette : DataFrame
        ``k`` and ``silhouette`` for every k tried (empty when k was given).
    features : list of str
        Features used.
    model : sklearn.cluster.KMeans
        The fitted model (on log1p-transformed, standardised features).
    """

    labels: pd.Series
    k: int
    profile: pd.DataFrame
    silhouette: pd.DataFrame
    features: list[str]
    model: Any = field(repr=False)
    scaler: Any = field(repr=False)


def _signed_log1p(v: np.ndarray) -> np.ndarray:
    return np.sign(v) * np.log1p(np.abs(v))


def kmeans_segments(
    table: pd.DataFrame,
    features: Sequence[str] = ("frequency", "time_since_last", "expected_avg_value", "clv"),
    k: int | None = None,
    k_range: Iterable[int] = range(2, 9),
    random_state: int = 0,
    sample_size: int = 5000,
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
    customer's habit. Customers known to have left (``known_churned``) have a CLV of 0 and
    may form a segment of their own: a real group, not an artefact; cluster the others
    only if that is not wanted.

    Features are transformed with sign(x)·log1p(|x|) (spend and counts are heavily
    skewed), standardised, and clustered with ``KMeans(n_init=10, random_state)``. When
    ``k`` is None the k in ``k_range`` with the best silhouette score wins; silhouettes are
    computed on a fixed-seed sample of at most ``sample_size`` customers. Segments are
    numbered by decreasing mean of the value feature (``clv`` if used, else the last
    feature). ``time_since_last`` is computed as ``T - recency`` when absent. KMeans runs
    on all rows for every candidate k; for millions of customers pass ``k`` or cluster a
    sample.

    Labels: per segment, the standardised mean of value, frequency and time since last
    purchase is called high / mid / low (> 0.5, between, < -0.5), e.g. "high value,
    frequent, recent".

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

    Returns
    -------
    KMeansSegments
        ``labels``, ``k``, ``profile``, ``silhouette``, ``features``, ``model``, ``scaler``.

    Examples
    --------
    >>> table = pd.DataFrame({"frequency": [0, 1, 0, 8, 9, 7],
    ...                       "monetary_value": [10.0, 12.0, 9.0, 80.0, 95.0, 70.0]})
    >>> seg = kmeans_segments(table, features=["frequency", "monetary_value"], k=2)
    >>> seg.labels.tolist()
    [2, 2, 2, 1, 1, 1]
    >>> seg.profile[["segment", "label", "size", "monetary_value_share"]].round(2)
       segment                 label  size  monetary_value_share
    0        1  high value, frequent     3                  0.89
    1        2       low value, rare     3                  0.11
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
    X = df[features].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isfinite(X).all(axis=1)
    if bad.any():
        raise data_error(
            "table", features, "feature values must be finite numbers", df.loc[bad, features]
        )
    n = X.shape[0]
    Z = StandardScaler().fit(_signed_log1p(X))
    Xs = Z.transform(_signed_log1p(X))
    ks = [int(k)] if k is not None else sorted({int(c) for c in k_range})
    if not ks or min(ks) < 2 or max(ks) >= n:
        raise data_error(
            "arguments",
            "k",
            f"k must be between 2 and the number of customers - 1 ({n - 1}); got {ks}",
        )
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
    labels = pd.Series(
        pd.Series(raw_lab).map(relabel).to_numpy(), index=table.index, name="segment"
    )

    zmeans = pd.DataFrame(Xs, columns=features).groupby(labels.to_numpy()).mean()

    def level(z: float, words: tuple[str, str, str]) -> str:
        return words[0] if z > 0.5 else words[2] if z < -0.5 else words[1]

    names = {}
    for seg, row in zmeans.iterrows():
        parts = [level(row[value_feat], ("high value", "mid value", "low value"))]
        if "frequency" in features and value_feat != "frequency":
            parts.append(level(row["frequency"], ("frequent", "occasional", "rare")))
        if "time_since_last" in features:
            parts.append(level(-row["time_since_last"], ("recent", "lapsing", "lapsed")))
        names[seg] = ", ".join(parts)
    counts = pd.Series(names).value_counts()
    names = {s: (f"{nm} ({s})" if counts[nm] > 1 else nm) for s, nm in names.items()}

    grp = pd.DataFrame(X, columns=features).groupby(labels.to_numpy())
    prof = grp.mean().add_prefix("mean_")
    prof.insert(0, "share", grp.size() / n)
    prof.insert(0, "size", grp.size())
    prof.insert(0, "label", pd.Series(names))
    total = X[:, vi].sum()
    prof[f"{value_feat}_share"] = grp[value_feat].sum() / total if total != 0 else np.nan
    prof.index.name = "segment"
    prof = prof.reset_index()
    sil = pd.DataFrame(sil_rows, columns=["k", "silhouette"])
    return KMeansSegments(labels, int(k_used), prof, sil, features, km, Z)
