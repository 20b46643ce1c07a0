"""Per customer: value segment, value tier and spend in the reporting period.

Revenue at risk is the period's money, split by who holds it. :func:`customer_spend`
puts each customer's period spend beside their value segment (deciles of spend per year
of tenure, as in the CX-metrics notebook) from the transactions;
:func:`segment_customers` does the same for per-customer spend computed elsewhere (a
transaction log too large to load). Spend in a window is purchases minus refunds dated in
it, never below 0 (the :func:`cxkit.value.customer_value` rule); windows are whole days,
both ends included. Attach the segment to survey answers with :func:`cxkit.value.attach`.

Example
-------
>>> tx = pd.DataFrame({"customer_id": ["a", "b"], "amount": [10.0, 90.0],
...                    "date": pd.to_datetime(["2025-02-01", "2025-03-01"])})
>>> customer_spend(tx, as_of="2025-12-31", q=2)["value_tier"].tolist()
['Rest (50%)', 'Top 50%']
"""
from __future__ import annotations

from typing import Any

import pandas as pd

from cxkit.errors import DataError, data_error, require_columns
from cxkit.parsing import parse_dates, parse_timestamp
from cxkit.periods import reporting_period
from cxkit.spend.rules import _numbers
from cxkit.value import customer_value, value_segments, value_tiers

__all__ = ["customer_spend", "segment_customers"]


def customer_spend(
    transactions: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    *,
    as_of: Any = None,
    period: Any = "12M",
    q: int = 10,
    top: int = 1,
    rank_by: str = "annual_spend",
    customer_col: str = "customer_id",
    date_col: str = "date",
    amount_col: str = "amount",
) -> pd.DataFrame:
    """One row per customer: value segment, value tier and spend in the reporting period.

    Revenue at risk is the period's money, split by who holds it: this puts each
    customer's period spend beside their value segment, so every table in the analysis
    uses the same segments as the CX-metrics notebook (deciles of spend per year of tenure).

    Parameters
    ----------
    transactions : validated transactions (refunds negative).
    customers : optional customers table: customers without purchases appear with 0
        spend, tenure starts at sign-up (see :func:`cxkit.value.customer_value`) and an
        ``active`` column says who had not left by ``as_of``.
    as_of : the analysis date (default: the last transaction date).
    period : the reporting period for ``period_spend`` (:func:`cxkit.periods.reporting_period`:
        ``"12M"``, ``"2Y"``, ``"all"`` or two dates); its label is in ``attrs["period"]``.
    q, top : ``q`` value segments (10: deciles, 10 = top); ``top`` segments form the top tier.
    rank_by : column that ranks customers into segments: ``"annual_spend"`` (default),
        ``"net_spend"`` or ``"period_spend"``.
    customer_col, date_col, amount_col : column names.

    Returns
    -------
    DataFrame sorted by customer: ``customer_id``, ``net_spend``, ``annual_spend``,
    ``period_spend`` (purchases minus refunds in the period, never below 0),
    ``period_refund_excess`` (refunds beyond purchases in the period), ``value_segment``
    (1 = lowest), ``value_tier`` (``"Top 10%"`` / ``"Rest (90%)"``) and, with
    ``customers``, ``active``. ``attrs``: ``as_of``, ``period``, ``exclusions`` (none).
    Attach segments to survey answers with ``value.attach(surveys, seg, "value_segment")``.

    Example
    -------
    >>> tx = pd.DataFrame({"customer_id": ["a", "b", "b"], "amount": [10.0, 30.0, 60.0],
    ...                    "date": pd.to_datetime(["2024-01-01", "2025-02-01", "2025-03-01"])})
    >>> customer_spend(tx, as_of="2025-12-31", q=2)[["customer_id", "period_spend", "value_segment"]].values.tolist()
    [['a', 0.0, 1], ['b', 90.0, 2]]
    """
    require_columns(transactions, [customer_col, date_col, amount_col], "transactions")
    if rank_by not in ("annual_spend", "net_spend", "period_spend"):
        raise DataError(f"rank_by must be 'annual_spend', 'net_spend' or 'period_spend', got {rank_by!r}",
                        column="rank_by", rule="rank_by")
    tx = pd.DataFrame({customer_col: transactions[customer_col],
                       date_col: parse_dates(transactions[date_col], table="transactions", column=date_col,
                                             frame=transactions),
                       amount_col: _numbers(transactions, amount_col, "transactions", allow_missing=False)})
    if tx[date_col].isna().any():
        raise data_error("transactions", date_col, "date missing", transactions[tx[date_col].isna()])
    day = parse_timestamp(as_of) if as_of is not None else tx[date_col].max()
    day = day.normalize()
    value = customer_value(tx, customers, as_of=day, customer_col=customer_col, date_col=date_col,
                           amount_col=amount_col)
    window = reporting_period(period, as_of=day, first_date=tx[date_col].min())
    net = window.select(tx, date_col).groupby(customer_col)[amount_col].sum()
    net = value[customer_col].map(net).fillna(0.0)
    out = value[[customer_col, "net_spend", "annual_spend"]].copy()
    out["period_spend"] = net.clip(lower=0).to_numpy()
    out["period_refund_excess"] = (-net).clip(lower=0).to_numpy()
    return segment_customers(out, customers, as_of=day, period=window.label, q=q, top=top, rank_by=rank_by,
                             customer_col=customer_col)


def segment_customers(
    value: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    *,
    as_of: Any,
    period: str,
    q: int = 10,
    top: int = 1,
    rank_by: str = "annual_spend",
    customer_col: str = "customer_id",
) -> pd.DataFrame:
    """Value segments and tiers for one row per customer that already has its spend.

    The second half of :func:`customer_spend`, for per-customer frames computed
    elsewhere (``CXData.customer_value(period_start=..., period_end=...)``, which a
    transaction log too large to load also gives).

    Parameters
    ----------
    value : one row per customer with ``net_spend``, ``annual_spend``, ``period_spend``.
    customers : optional customers table; adds ``active``.
    as_of : the analysis date; period : the period's label (kept in ``attrs``).
    q, top, rank_by : as in :func:`customer_spend`.

    Returns
    -------
    :func:`customer_spend`'s frame.

    Example
    -------
    >>> v = pd.DataFrame({"customer_id": ["a", "b"], "net_spend": [10.0, 90.0], "annual_spend": [10.0, 90.0],
    ...                   "period_spend": [10.0, 90.0]})
    >>> segment_customers(v, as_of="2025-12-31", period="2025", q=2)["value_tier"].tolist()
    ['Rest (50%)', 'Top 50%']
    """
    require_columns(value, [customer_col, "net_spend", "annual_spend", "period_spend", rank_by], "value")
    out = value.copy()
    day = parse_timestamp(as_of).normalize()
    out["value_segment"] = value_segments(out[rank_by], q=q).to_numpy()
    out["value_tier"] = value_tiers(out["value_segment"], q=q, top=top).to_numpy()
    if customers is not None and "churn_date" in customers:
        churn = out[customer_col].map(customers.drop_duplicates(customer_col).set_index(customer_col)["churn_date"])
        out["active"] = (churn.isna() | (churn > day)).to_numpy()
    out = out.sort_values(customer_col, kind="mergesort").reset_index(drop=True)
    out.attrs = {"as_of": day, "period": period, "exclusions": []}
    return out

