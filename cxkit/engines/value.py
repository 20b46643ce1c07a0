"""``customer_value``'s per-customer arithmetic on the sums an engine returns (one row per customer).

Why here: the engines aggregate a big log to gross spend, refunds, purchase days and
first date per customer (:data:`cxkit.engines.sql.SPEND_SQL`); what is left (joining the
customers table, tenure from signup to ``as_of`` or churn, annualising, the period's
spend) is small, and is the very code :func:`cxkit.value.customer_value` runs on its own
sums (:func:`value_from_sums`, which it imports from here), so the two agree exactly
(``tests/test_engines.py``).

Example
-------
>>> sums = pd.DataFrame({"gross_spend": [30.0], "refunds": [10.0], "purchase_days": [1],
...                      "first_purchase": pd.to_datetime(["2025-01-01"])},
...                     index=pd.Index(["a"], name="customer_id"))
>>> value_frame(sums, None, as_of=pd.Timestamp("2025-12-31"))["net_spend"].tolist()
[20.0]
"""
from __future__ import annotations

import pandas as pd

from cxkit.errors import require_columns

__all__ = ["value_frame", "value_from_sums", "VALUE_COLUMNS"]

#: The columns of :func:`cxkit.value.customer_value`, after ``customer_id``.
VALUE_COLUMNS = ["net_spend", "gross_spend", "refunds", "refund_excess", "purchase_days", "tenure_days",
                 "annual_spend"]


def value_from_sums(
    sums: pd.DataFrame,
    customers: pd.DataFrame | None,
    *,
    as_of: pd.Timestamp,
    min_tenure_days: int = 90,
    customer_col: str = "customer_id",
) -> pd.DataFrame:
    """:func:`cxkit.value.customer_value`'s frame from per-customer sums, however they were computed.

    The step shared by pandas and the engines that aggregate a log too large to load
    (:mod:`cxkit.engines`): join the customers table, tenure from sign-up to ``as_of``
    or churn, net spend never below 0, spend per year of tenure.

    Parameters
    ----------
    sums : indexed by customer id (sorted), with ``gross_spend``, ``refunds``,
        ``purchase_days`` and ``first_purchase`` (the earliest transaction time).
    customers : the customers table (``signup_date``, ``churn_date``) or ``None``.
    as_of : end of the window; min_tenure_days : as in :func:`cxkit.value.customer_value`.

    Example
    -------
    >>> sums = pd.DataFrame({"gross_spend": [30.0], "refunds": [10.0], "purchase_days": [1],
    ...                      "first_purchase": pd.to_datetime(["2025-01-01"])}, index=pd.Index(["a"]))
    >>> value_from_sums(sums, None, as_of=pd.Timestamp("2025-12-31"))["net_spend"].tolist()
    [20.0]
    """
    out = sums[["gross_spend", "refunds", "purchase_days", "first_purchase"]].copy()
    if customers is not None:
        base = customers.set_index(customer_col)[["signup_date", "churn_date"]]
        out = base.join(out, how="outer")
        start = out["signup_date"].fillna(out["first_purchase"])
        end = out["churn_date"].fillna(as_of).clip(upper=as_of)
    else:
        start, end = out["first_purchase"], pd.Series(as_of, index=out.index)
    out[["gross_spend", "refunds", "purchase_days"]] = out[["gross_spend", "refunds", "purchase_days"]].fillna(0)
    net = out["gross_spend"] - out["refunds"]
    out["refund_excess"] = (-net).clip(lower=0)
    out["net_spend"] = net.clip(lower=0)
    out["tenure_days"] = (end - start).dt.days.astype(float)
    out["annual_spend"] = out["net_spend"] / (out["tenure_days"].clip(lower=min_tenure_days) / 365.25)
    out.index.name = customer_col
    cols = ["net_spend", "gross_spend", "refunds", "refund_excess", "purchase_days", "tenure_days", "annual_spend"]
    out = out[cols].reset_index()
    out["purchase_days"] = out["purchase_days"].astype(int)
    return out


def value_frame(sums: pd.DataFrame, customers: pd.DataFrame | None, *, as_of: pd.Timestamp,
                min_tenure_days: int = 90, period: pd.Series | None = None,
                customer_col: str = "customer_id") -> pd.DataFrame:
    """``customer_value``'s frame from per-customer sums, optionally with ``period_spend``.

    Parameters
    ----------
    sums : indexed by customer id (sorted), with ``gross_spend``, ``refunds``,
        ``purchase_days`` and ``first_purchase`` (the earliest transaction time).
    customers : the customers table (``customer_col``, ``signup_date``, ``churn_date``) or None.
    as_of : end of the window.
    min_tenure_days : shorter tenures count as this long when annualising.
    period : net spend in the period per customer (index as ``sums``); when given, a
        ``period_spend`` column (never below 0, 0 for customers without rows) is added.
    customer_col : the customer id column of ``customers``.

    Returns
    -------
    DataFrame with ``customer_id`` and :data:`VALUE_COLUMNS` (plus ``period_spend``), sorted by customer.
    """
    if customers is not None:
        require_columns(customers, [customer_col, "signup_date", "churn_date"], "customers")
    out = value_from_sums(sums, customers, as_of=as_of, min_tenure_days=min_tenure_days, customer_col=customer_col)
    out = out.rename(columns={customer_col: "customer_id"})
    if period is not None:
        out["period_spend"] = out["customer_id"].map(period).fillna(0.0).clip(lower=0.0).astype(float)
    return out
