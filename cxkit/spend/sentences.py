"""The value of dissatisfaction in words: revenue at risk, spend after an answer, who was left out.

* :func:`revenue_at_risk_sentence`: the revenue of one value segment held by dissatisfied
  or neutral customers, and by those never asked (:func:`cxkit.spend.revenue_at_risk`).
* :func:`future_spend_sentence`: does a more satisfied answer go with more spend
  afterwards? The slope of :func:`cxkit.spend.future_spend_regression` in words that
  follow its interval.
* :func:`cancelled_sentence`: what a money comparison did with the customers who had left.

Text from the data (a segment name, a period) and money are escaped with
:func:`cxkit.narrative.escape`, so they show as written in Markdown and HTML.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from cxkit.display import format_money
from cxkit.narrative import escape, money_text

__all__ = ["cancelled_sentence", "future_spend_sentence", "revenue_at_risk_sentence"]


def cancelled_sentence(result: pd.DataFrame, *, currency: str | None = None) -> str:
    """What a money comparison did with the customers who had left, in one sentence.

    Revenue of customers who have left is lost, not at risk: a reader of a revenue-at-risk
    table must be told who was left out and what they spent, that nobody had left, or that
    nobody knows (no cancellation dates).

    Parameters
    ----------
    result : :func:`revenue_at_risk` or :func:`spend_by_satisfaction` (``attrs``:
        ``population``, ``n_cancelled``, ``left_out_revenue``).
    currency : symbol or code for the money; ``None``: the data's own unit.

    Example
    -------
    >>> r = pd.DataFrame()
    >>> r.attrs.update(population="active customers", n_cancelled=12, left_out_revenue=3400.0)
    >>> cancelled_sentence(r, currency="€")
    'Left out: 12 customers who had left by the analysis date, who spent €3,400 in the period.'
    """
    missing = [k for k in ("population", "n_cancelled", "left_out_revenue") if k not in result.attrs]
    if missing:
        raise ValueError(f"cancelled_sentence() needs a result of revenue_at_risk or spend_by_satisfaction; "
                         f"its attrs lack {missing}")
    n, population = int(result.attrs["n_cancelled"]), result.attrs["population"]
    if population == "all customers (cancellations not known)":
        return "Who has left is not known (no cancellation dates): every customer is counted."
    if not n:
        return "No customer had left by the analysis date."
    if population == "active customers":
        gone = escape(format_money(result.attrs["left_out_revenue"], currency))
        return f"Left out: {n:,} customers who had left by the analysis date, who spent {gone} in the period."
    return f"Every customer is counted, the {n:,} who had left by the analysis date among them."


def revenue_at_risk_sentence(risk: pd.DataFrame, *, segment: Any, who: str, period: str | None = None,
                             currency: str | None = None, column: str | None = None) -> str:
    """The revenue of one value segment held by dissatisfied or neutral customers, and by those never asked.

    Parameters
    ----------
    risk : :func:`cxkit.spend.revenue_at_risk` (a segment column, ``satisfaction_level``,
        ``revenue``, ``share_of_segment``); ``segment`` picks the rows.
    who : the segment in words (escaped here).
    column : the segment column; default the first of ``value_tier``, ``value_segment``,
        ``segment`` in ``risk``.

    Example
    -------
    >>> r = pd.DataFrame({"value_segment": ["top"] * 4, "satisfaction_level": ["dissatisfied (1-2)", "neutral (3)",
    ...     "satisfied (4-5)", "no survey"], "revenue": [30000.0, 27916.0, 60000.0, 109299.0],
    ...     "share_of_segment": [0.132, 0.123, 0.264, 0.481]})  # shares of the segment's revenue
    >>> print(revenue_at_risk_sentence(r, segment="top", who="the top 10% of spenders",
    ...                                period="the 12 months to 31 Dec 2025", currency="€"))
    In the 12 months to 31 Dec 2025, **€57,916** (**26%**) of the revenue from the top 10% of spenders came from customers dissatisfied or neutral in their survey answers; 48% came from customers who gave none.
    """
    column = column or next((c for c in ("value_tier", "value_segment", "segment") if c in risk), None)
    if column is None:
        raise ValueError("revenue_at_risk_sentence needs the segment column (pass column=...)")
    rows = risk[risk[column] == segment]
    if rows.empty:
        raise ValueError(f"no rows for segment {segment!r} in column {column!r}")
    level = rows["satisfaction_level"].astype(str)
    at_risk = rows[level.str.startswith(("dissatisfied", "neutral"))]
    unasked = rows.loc[level == "no survey", "share_of_segment"].sum()
    when = f"In {escape(period)}, " if period else ""
    text = (f"{when}**{money_text(at_risk['revenue'].sum(), currency)}** (**{at_risk['share_of_segment'].sum():.0%}**) "
            f"of the revenue from {escape(who)} came from customers dissatisfied or neutral in their survey answers")
    text = text[0].upper() + text[1:]
    return text + (f"; {unasked:.0%} came from customers who gave none." if unasked > 0 else ".")


def future_spend_sentence(row: Mapping, *, months: int, rating: str = "CSAT", currency: str | None = None,
                          compared: str = "customers of the same value decile") -> str:
    """Does a more satisfied answer go with more spend afterwards? The slope in words that follow its interval.

    Parameters
    ----------
    row : the rating row of :func:`cxkit.spend.future_spend_regression` (``estimate``,
        ``ci_low``, ``ci_high``, ``n_answers``).
    months : the follow-up window.
    compared : who is compared with whom (escaped here).

    Example
    -------
    >>> print(future_spend_sentence({"estimate": -0.8, "ci_low": -5.3, "ci_high": 3.8, "n_answers": 2670},
    ...                             months=6, currency="€"))
    **No evidence** that customers who rate CSAT higher spend more in the following 6 months, comparing customers of the same value decile: -€0.80 per point (95% interval -€5.30 to €3.80; 2,670 answers).
    """
    est, lo, hi = (float(row[k]) for k in ("estimate", "ci_low", "ci_high"))
    detail = (f"{money_text(est, currency, 2)} per point (95% interval {money_text(lo, currency, 2)} to "
              f"{money_text(hi, currency, 2)}; "
              f"{int(row['n_answers']):,} answers)")
    r, c = escape(rating), escape(compared)
    if lo <= 0 <= hi:
        return (f"**No evidence** that customers who rate {r} higher spend more in the following {months} months, "
                f"comparing {c}: {detail}.")
    word = "more" if est > 0 else "less"
    return (f"Customers who rate {r} one point higher spend **{word}** in the following {months} months, "
            f"comparing {c}: {detail}.")
