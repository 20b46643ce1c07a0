"""Customer value and value segments: what each customer is worth, and who the top spenders are.

The K-mart lesson: overall satisfaction can look fine while the customers who bring
the money are the unhappy ones. Everything that reads satisfaction by value starts
here: what each customer is worth (``customer_value``: spend per year of tenure, and
spend in a period), value segments (``value_segments``, ``value_tiers``), each
segment's share of revenue, and ``attach`` to put a customer's value or segment on
their survey answers. Money per satisfaction level (revenue at risk, spend by level,
whether a rating predicts future spend) is in :mod:`cxkit.spend`; which drivers matter
for which group is in :mod:`cxkit.drivers`.

Example
-------
>>> value = customer_value(transactions, customers, as_of="2025-12-31")  # doctest: +SKIP
>>> value["value_decile"] = value_segments(value["annual_spend"])         # doctest: +SKIP
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from cxkit.engines.value import value_from_sums
from cxkit.errors import DataError, data_error, require_columns

__all__ = ["customer_value", "value_segments", "value_tiers", "focus_vs_rest", "attach", "period_spend",
           "revenue_share", "segment_revenue", "value_from_sums", "top_tier_label", "REST"]

#: The label of everyone outside the focus group in a driver comparison.
REST = "everyone else"


def customer_value(
    transactions: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    *,
    as_of: Any = None,
    min_tenure_days: int = 90,
    customer_col: str = "customer_id",
    date_col: str = "date",
    amount_col: str = "amount",
) -> pd.DataFrame:
    """One row per customer: net spend, purchase days and spend per year of tenure.

    Customers who joined recently have had less time to spend; annualising puts
    old and new customers on one scale before they are ranked into value segments.

    Parameters
    ----------
    transactions : validated transactions (refunds negative).
    customers : optional customers table; its ``signup_date`` starts tenure and its
        customers without purchases appear with zero spend. Without it tenure starts at
        the first purchase.
    as_of : end of the observation window (default: the last transaction date).
        Tenure ends at ``churn_date`` for customers who left.
    min_tenure_days : tenures shorter than this are counted as this long, so a
        customer who bought once last week does not look like a giant.
    customer_col, date_col, amount_col : column names.

    Returns
    -------
    DataFrame with ``customer_id``, ``net_spend`` (purchases minus refunds, never
    below 0: refunds beyond purchases are counted in ``refund_excess``),
    ``purchase_days``, ``tenure_days`` and ``annual_spend``, sorted by customer.

    Example
    -------
    >>> tx = pd.DataFrame({"customer_id": ["a", "a", "b"], "amount": [30.0, -10.0, 5.0],
    ...     "date": pd.to_datetime(["2025-01-01", "2025-01-05", "2025-06-01"])})
    >>> customer_value(tx, as_of="2025-12-31")["net_spend"].tolist()
    [20.0, 5.0]
    """
    require_columns(transactions, [customer_col, date_col, amount_col], "transactions")
    tx = transactions[[customer_col, date_col, amount_col]]
    as_of = pd.Timestamp(as_of) if as_of is not None else tx[date_col].max().normalize()
    late = tx[date_col] > as_of + pd.Timedelta(days=1) - pd.Timedelta(1, "ns")
    if late.any():
        raise data_error("transactions", date_col, f"date is after as_of ({as_of.date()})", tx[late])
    amount = tx[amount_col]
    parts = pd.DataFrame({
        customer_col: tx[customer_col],
        "gross_spend": amount.clip(lower=0),
        "refunds": (-amount).clip(lower=0),
        "day": tx[date_col].dt.normalize().where(amount > 0),
        "first_purchase": tx[date_col],
    })
    grouped = parts.groupby(customer_col, sort=True)
    sums = pd.DataFrame({
        "gross_spend": grouped["gross_spend"].sum(),
        "refunds": grouped["refunds"].sum(),
        "purchase_days": grouped["day"].nunique(),
        "first_purchase": grouped["first_purchase"].min(),
    })
    return value_from_sums(sums, customers, as_of=as_of, min_tenure_days=min_tenure_days, customer_col=customer_col)


def value_segments(values: pd.Series, q: int = 10) -> pd.Series:
    """Value deciles (or any ``q``-tiles): 1 = lowest value, ``q`` = highest.

    Ranking before cutting means ties (for example many customers with the same small
    spend) never collapse quantiles, so every segment holds its share of customers.
    Ties are broken by order of appearance, which is deterministic.

    Example
    -------
    >>> value_segments(pd.Series([0, 0, 0, 0, 5, 9, 12, 40, 41, 100]), q=5).tolist()
    [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    """
    if q < 2:
        raise ValueError("q must be at least 2")
    v = pd.to_numeric(values, errors="coerce")
    if v.isna().any():
        raise data_error("value", values.name or "value", "value must be a number",
                         values[v.isna()].to_frame())
    if len(v) < q:
        raise DataError(f"cannot cut {len(v)} customers into {q} value segments; use a smaller q",
                        rule="enough customers")
    ranks = v.rank(method="first")
    return pd.Series(np.ceil(ranks * q / len(v)).astype(int), index=values.index, name="value_segment")


def value_tiers(deciles: pd.Series, q: int = 10, top: int = 1) -> pd.Series:
    """Readable tiers from :func:`value_segments`: the top ``top`` segments against the rest.

    Example
    -------
    >>> value_tiers(pd.Series([1, 5, 10])).tolist()
    ['Rest (90%)', 'Rest (90%)', 'Top 10%']
    """
    share = round(100 * top / q)
    labels = np.where(deciles > q - top, top_tier_label(q, top), f"Rest ({100 - share}%)")
    return pd.Series(labels, index=deciles.index, name="value_tier")


def top_tier_label(q: int, top: int) -> str:
    """The label :func:`value_tiers` gives the top ``top`` of ``q`` value segments, e.g. ``"Top 10%"``."""
    return f"Top {round(100 * top / q)}%"


def focus_vs_rest(labels: pd.Series, focus: Any = None, *, rest: str = REST) -> pd.Series:
    """One segment against all the others: the two groups a driver comparison needs.

    ``focus`` is the label to keep (default: the first in sorted order); every other
    label becomes ``rest``. A missing label stays missing (its answers are left out of
    segment comparisons, and counted there).

    Example
    -------
    >>> focus_vs_rest(pd.Series(["Club", "Club Plus", "Club"]), "Club Plus").tolist()
    ['everyone else', 'Club Plus', 'everyone else']
    """
    present = sorted(labels.dropna().astype(str).unique())
    if not present:
        raise data_error("segments", labels.name or "segment", "no segment labels (every value is missing)",
                         labels.to_frame())
    focus = present[0] if focus is None else str(focus)
    if focus not in present:
        raise DataError(f"segment {focus!r} is not among the labels of {labels.name or 'the segment column'} "
                        f"({present[:10]})", column=str(labels.name), rule="focus segment present")
    if len(present) < 2:
        raise DataError(f"only one segment ({focus!r}) in {labels.name or 'the segment column'}: nothing to "
                        "compare it with", column=str(labels.name), rule="two segments")
    text = labels.astype("string")
    out = text.where(text.isna() | (text == focus), rest)
    return out.astype(object).where(out.notna(), None).rename(labels.name)


def attach(table: pd.DataFrame, other: pd.DataFrame, columns: list[str] | str,
           *, on: str = "customer_id") -> pd.DataFrame:
    """Add per-customer columns (plan, region, value segment...) to a response-level table.

    Example
    -------
    >>> attach(surveys, customers, ["plan", "region"])         # doctest: +SKIP
    """
    columns = [columns] if isinstance(columns, str) else list(columns)
    require_columns(other, [on, *columns], "lookup table")
    require_columns(table, [on], "table")
    clash = [c for c in columns if c in table]
    if clash:
        raise DataError(f"table already has column(s) {clash}; drop or rename them first",
                        column=clash[0], rule="unique column names")
    lookup = other.drop_duplicates(on).set_index(on)[columns]
    out = table.join(lookup, on=on)
    out.attrs = dict(table.attrs)
    return out


def _window_net(transactions: pd.DataFrame, start: Any, end: Any, customer_col: str, date_col: str,
                amount_col: str) -> pd.Series:
    """Net amount per customer of the rows dated from ``start`` to ``end`` (whole days, both included)."""
    require_columns(transactions, [customer_col, date_col, amount_col], "transactions")
    day = transactions[date_col].dt.normalize()
    keep = pd.Series(True, index=transactions.index)
    if start is not None:
        keep &= day >= pd.Timestamp(start).normalize()
    if end is not None:
        keep &= day <= pd.Timestamp(end).normalize()
    return transactions[keep].groupby(customer_col)[amount_col].sum()


def period_spend(
    transactions: pd.DataFrame,
    customers: pd.Series,
    *,
    start: Any = None,
    end: Any = None,
    customer_col: str = "customer_id",
    date_col: str = "date",
    amount_col: str = "amount",
) -> pd.Series:
    """Each customer's spend in a window: purchases minus refunds dated in it, never below 0.

    The money a period's revenue table splits by segment; refunds beyond a customer's
    purchases in the window count as 0, as :func:`customer_value` does for all time.

    Parameters
    ----------
    transactions : validated transactions (refunds negative).
    customers : the customer ids to report, in the order wanted (customers without
        purchases in the window get 0).
    start, end : the window (whole days, both included); ``None`` leaves that end open.

    Example
    -------
    >>> tx = pd.DataFrame({"customer_id": ["a", "a", "b"], "amount": [30.0, -10.0, 5.0],
    ...                    "date": pd.to_datetime(["2025-01-01", "2025-01-02", "2024-01-01"])})
    >>> period_spend(tx, pd.Series(["a", "b", "c"]), start="2025-01-01").tolist()
    [20.0, 0.0, 0.0]
    """
    net = _window_net(transactions, start, end, customer_col, date_col, amount_col)
    out = pd.Series(customers).map(net).fillna(0.0).clip(lower=0.0)
    return out.rename("period_spend").reset_index(drop=True)


def revenue_share(
    transactions: pd.DataFrame,
    segments: pd.DataFrame,
    *,
    segment_col: str = "value_decile",
    start: Any = None,
    end: Any = None,
    customer_col: str = "customer_id",
    date_col: str = "date",
    amount_col: str = "amount",
) -> pd.DataFrame:
    """Net revenue per segment in a window, and each segment's share of the total.

    The number that makes the K-mart finding matter: "the top 10% of spenders, the
    least satisfied, bring 42% of revenue".

    Parameters
    ----------
    transactions : validated transactions (refunds negative, netted into revenue).
    segments : one row per customer with ``customer_col`` and ``segment_col``.
    start, end : the window (inclusive days); default: all transactions.

    Returns
    -------
    DataFrame: ``segment_col``, ``customers``, ``revenue``, ``share`` (0-1), sorted by segment.
    Revenue of customers without a segment is counted in no segment, but in the total.

    Example
    -------
    >>> tx = pd.DataFrame({"customer_id": ["a", "b", "b"], "amount": [10.0, 30.0, 60.0],
    ...                    "date": pd.to_datetime(["2025-01-01", "2025-02-01", "2025-03-01"])})
    >>> seg = pd.DataFrame({"customer_id": ["a", "b"], "value_decile": [1, 2]})
    >>> revenue_share(tx, seg)[["value_decile", "revenue", "share"]]
       value_decile  revenue  share
    0             1     10.0    0.1
    1             2     90.0    0.9
    """
    require_columns(transactions, [customer_col, date_col, amount_col], "transactions")
    require_columns(segments, [customer_col, segment_col], "segments")
    per_customer = _window_net(transactions, start, end, customer_col, date_col, amount_col)
    return _shares(segments, per_customer, float(per_customer.sum()), segment_col, customer_col)


def _shares(segments: pd.DataFrame, revenue: pd.Series, total: float, segment_col: str,
            customer_col: str) -> pd.DataFrame:
    seg = segments.drop_duplicates(customer_col).set_index(customer_col)[segment_col]
    joined = seg.to_frame().join(revenue.rename("revenue"), how="left").fillna({"revenue": 0.0})
    out = joined.groupby(segment_col, sort=True).agg(customers=("revenue", "size"), revenue=("revenue", "sum"))
    out["share"] = out["revenue"] / total if total > 0 else np.nan
    return out.reset_index()


def segment_revenue(
    value: pd.DataFrame,
    *,
    segment_col: str = "value_decile",
    revenue_col: str = "period_spend",
    customer_col: str = "customer_id",
) -> pd.DataFrame:
    """Revenue per segment from one row per customer, and each segment's share of the total.

    The form of :func:`revenue_share` for per-customer frames, such as
    ``CXData.customer_value(period_start=..., period_end=...)``, which a transaction log
    too large to load also gives. Customers without a segment count in the total only.

    Example
    -------
    >>> v = pd.DataFrame({"customer_id": ["a", "b"], "period_spend": [10.0, 90.0], "value_decile": [1, 2]})
    >>> segment_revenue(v)[["value_decile", "revenue", "share"]]
       value_decile  revenue  share
    0             1     10.0    0.1
    1             2     90.0    0.9
    """
    require_columns(value, [customer_col, segment_col, revenue_col], "value")
    revenue = value.drop_duplicates(customer_col).set_index(customer_col)[revenue_col].astype(float)
    return _shares(value, revenue, float(revenue.sum()), segment_col, customer_col)
