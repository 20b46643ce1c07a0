"""K-means value segments: data-driven customer segments with plain-words labels.

* :func:`kmeans_segments` (:class:`KMeansSegments`): segments found by K-means on
  log-scaled RFM / CLV features, numbered by value, each labelled by where it ranks
  against the others ("highest value, most frequent").

Customers known to have left (``cancelled=``) are not clustered: they get segment
:data:`~cxkit.clv.cancelled.CANCELLED_NUMBER` (see :mod:`cxkit.clv.cancelled`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from cxkit.clv.cancelled import CANCELLED, CANCELLED_NUMBER, _cancelled_flags
from cxkit.errors import argument_error, data_error, require_columns

__all__ = ["KMeansSegments", "kmeans_segments"]


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
        for seg, b, w in zip(means.index, best, worst, strict=True):
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
        raise argument_error(
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
