"""CLV results in plain words: sentences written from the numbers, for reports and notebooks.

* :func:`cancellations_sentence`: how many customers are known to have left, and what the
  forecast does with them.
* :func:`segment_action_sentence`: one segment's share of customers and of value, the
  model's chance that its customers are still buying, and the action of the segment
  table, word for word.
* :func:`population_sentence`, :func:`experience_value_sentence`: a value comparison
  between experience groups with who was compared (active customers, or everyone when
  cancellations are not known).

Text from the data (a segment name) is escaped with :func:`cxkit.narrative.escape`, so it
shows as written in Markdown and HTML.
"""
# ruff: noqa: E501  (docstring examples print whole sentences: their expected output cannot wrap)
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from cxkit.clv.segments import CANCELLED
from cxkit.narrative import escape, value_difference_sentence

__all__ = ["cancellations_sentence", "segment_action_sentence", "population_sentence",
           "experience_value_sentence"]

#: Words in a segment name that say its customers have stopped buying or are slipping away.
_LAPSING_WORDS = ("risk", "lose", "lost", "hibernat", "sleep")


def _day(ts: Any) -> str:
    ts = pd.Timestamp(ts)
    return f"{ts.day} {ts:%b %Y}"


def cancellations_sentence(n_cancelled: int | None, *, n_customers: int, as_of: Any) -> str:
    """What the forecast does with customers known to have left, with their number.

    A forecast that counts cancelled customers as possible buyers overstates value, and
    one that drops them silently leaves the reader guessing why the customer count and
    the segments differ; the sentence says which it is.

    Parameters
    ----------
    n_cancelled : customers known to have cancelled by ``as_of``; ``None`` when the data
        has no cancellation dates (no customers table).
    n_customers : customers in the forecast.
    as_of : the analysis date.

    Example
    -------
    >>> print(cancellations_sentence(1328, n_customers=5000, as_of="2025-06-30"))
    The customers table shows 1,328 of the 5,000 customers (27%) as cancelled by 30 Jun 2025: they are worth nothing more (forecast value, expected purchases and the chance of still buying are set to zero) and form a segment of their own, Cancelled, in the segment tables.
    >>> print(cancellations_sentence(None, n_customers=5000, as_of="2025-06-30"))
    There are no cancellation dates (no customers table): every customer is treated as possibly still buying, as the models assume.
    """
    if n_cancelled is None:
        return ("There are no cancellation dates (no customers table): every customer is treated as possibly "
                "still buying, as the models assume.")
    n = int(n_cancelled)
    if n == 0:
        return (f"The customers table shows no cancellation by {_day(as_of)}: every customer is treated as "
                "possibly still buying, as the models assume.")
    share = n / n_customers if n_customers else float("nan")
    return (f"The customers table shows {n:,} of the {int(n_customers):,} customers ({share:.0%}) as cancelled by "
            f"{_day(as_of)}: they are worth nothing more (forecast value, expected purchases and the chance of "
            f"still buying are set to zero) and form a segment of their own, {CANCELLED}, in the segment tables.")


def segment_action_sentence(profile: Mapping, *, action: str | None, alive_threshold: float = 0.5) -> str:
    """One segment in words: its shares of customers and of value, and the action of its table row.

    The summary of a report and its segment table must give the same advice: the action
    is quoted as the table has it, never reworded. What the model says of the segment is
    added as a fact beside it (the average chance that one of its customers is still
    buying), with a note where the name and the model disagree: a segment named as
    slipping away that the model still rates as mostly active, or the reverse.

    Parameters
    ----------
    profile : a row of :func:`cxkit.clv.segment_profile` (``segment``, ``customers``,
        ``share``, ``clv_share`` and ``p_alive``, the model's chance that a customer is
        still buying).
    action : the segment's action, as shown in its table (escaped here).
    alive_threshold : average chance of still buying above which the model rates most
        of a segment as active.

    Example
    -------
    >>> row = {"segment": "At Risk", "customers": 400, "share": 0.08, "clv_share": 0.11, "p_alive": 0.88}
    >>> print(segment_action_sentence(row, action="Personalised win-back emails."))
    At Risk are 8% of customers and hold 11% of forecast value; the chance that one of them is still buying averages 88%, so the model still rates most of them as active. Suggested action: Personalised win-back emails.
    >>> left = {"segment": "Cancelled", "customers": 1328, "share": 0.27, "clv_share": 0.0, "p_alive": 0.0}
    >>> print(segment_action_sentence(left, action="Win back only if worth it."))
    1,328 customers (27%) have already cancelled and hold none of the forecast value. Suggested action: Win back only if worth it.
    """
    name = str(profile["segment"])
    todo = f" Suggested action: {escape(action)}" if action else ""
    if name == CANCELLED:
        return (f"{int(profile['customers']):,} customers ({float(profile['share']):.0%}) have already cancelled and "
                f"hold none of the forecast value.{todo}")
    text = (f"{escape(name)} are {float(profile['share']):.0%} of customers and hold "
            f"{float(profile['clv_share']):.0%} of forecast value")
    p = profile.get("p_alive") if hasattr(profile, "get") else None
    if p is not None and not pd.isna(p):
        p = float(p)
        text += f"; the chance that one of them is still buying averages {p:.0%}"
        lapsing = any(w in name.lower() for w in _LAPSING_WORDS)
        if lapsing and p >= alive_threshold:
            text += ", so the model still rates most of them as active"
        elif not lapsing and p < alive_threshold:
            text += ", so the model rates most of them as probably lapsed"
    return text + "." + todo


def population_sentence(comparison: Mapping) -> str:
    """Who a value comparison between experience groups covered, in words.

    A group holding more customers who have already cancelled (worth 0) looks worth less
    for that reason alone; comparing among active customers removes that, and the
    sentence says so, with how many were left out.

    Parameters
    ----------
    comparison : a row of :func:`cxkit.experience.compare_value_by_experience`
        (``population``, ``n_cancelled_left_out``).

    Example
    -------
    >>> population_sentence({"population": "active customers", "n_cancelled_left_out": 1328})
    'Compared among active customers: the 1,328 customers who have already cancelled are left out, as the forecast counts each of them as zero whatever their experience.'
    >>> population_sentence({"population": "all customers (cancellations not known)", "n_cancelled_left_out": 0})
    'Compared among all customers: without cancellation dates, customers who have left cannot be told apart from those still buying.'
    """
    population = str(comparison["population"])
    n = int(comparison.get("n_cancelled_left_out", 0) or 0) if hasattr(comparison, "get") else 0
    if population == "active customers":
        if n:
            return (f"Compared among active customers: the {n:,} customers who have already cancelled are left out, "
                    "as the forecast counts each of them as zero whatever their experience.")
        return "Compared among active customers; none is known to have cancelled."
    if population.startswith("all customers, cancelled included"):
        return ("Compared among all customers, those who have already cancelled included (the forecast counts "
                "each of them as zero).")
    return ("Compared among all customers: without cancellation dates, customers who have left cannot be told "
            "apart from those still buying.")


def experience_value_sentence(comparison: Mapping, *, subject: str, other: str,
                              currency: str | None = None, alpha: float = 0.05) -> str:
    """Whether one experience group is worth more than another, and among whom.

    :func:`cxkit.narrative.value_difference_sentence` (means and medians, both tested,
    with the interval of the difference) followed by :func:`population_sentence`.

    Parameters
    ----------
    comparison : a row of :func:`cxkit.experience.compare_value_by_experience`.
    subject, other : the two groups in words (escaped here: pass plain text).
    currency : for the money figures; ``None`` shows plain numbers in the data's own unit.
    alpha : significance level of both tests.

    Example
    -------
    >>> row = {"mean_a": 191.0, "mean_b": 430.0, "diff": -239.0, "ci_low": -337.0, "ci_high": -140.0,
    ...        "p_value": 0.0001, "median_a": 40.0, "median_b": 62.0, "p_median": 0.01, "n_a": 103, "n_b": 717,
    ...        "population": "active customers", "n_cancelled_left_out": 1347}
    >>> print(experience_value_sentence(row, subject="Dissatisfied customers", other="satisfied ones"))
    Dissatisfied customers are worth **less** than satisfied ones: the mean is 191 against 430 (a difference of -239, 95% interval -337 to -140; p < 0.001) and the median 40 against 62 (p = 0.010); both tests agree. Compared among active customers: the 1,347 customers who have already cancelled are left out, as the forecast counts each of them as zero whatever their experience.
    """
    return (value_difference_sentence(comparison, subject=subject, other=other, currency=currency, alpha=alpha)
            + " " + population_sentence(comparison))
