"""CLV results in plain words: sentences written from the numbers, for reports and notebooks.

* :func:`load_sentence`: what was loaded (transaction rows, customers, how the analysis
  date was chosen) and what the forecast does with customers known to have left.
* :func:`cancellations_sentence`: how many customers are known to have left, and what the
  forecast does with them.
* :func:`segment_action_sentence`: one segment's share of customers and of value, the
  model's chance that its customers are still buying, and the action of the segment
  table, word for word.
* :func:`population_sentence`, :func:`experience_value_sentence`,
  :func:`satisfaction_value_sentence`: a value comparison between experience groups with
  who was compared (active customers, or everyone when cancellations are not known).
* :func:`clv_total_sentence`: the total forecast with its interval, against last year's
  spend of the same customers and why the two differ.
* :func:`holdout_sentence` and :func:`forecast_error_text`: how the forecast did on
  months it had not seen ("over-forecast by 4.1%").
* :func:`forecast_warnings`: the holdout checks the forecast failed, as "Check:" lines.
* :func:`segment_sentence`: one RFM segment in words, with advice that follows what the
  model says of it.
* The summary of a report, gathered: :func:`forecast_sentences` (the forecast against last
  year, and its holdout check), :func:`headline_segments` and
  :func:`segment_action_sentences` (the segments it names, each with its action), and
  :func:`closing_sentences` (experience against value, coverage of the period, failed
  checks and parameters the data cannot pin down). :mod:`cxkit.clv.findings` keeps the
  same sentences as findings, with the numbers behind each.

Text from the data (a segment name) is escaped with :func:`cxkit.narrative.escape`, so it
shows as written in Markdown and HTML.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from cxkit.clv.cancelled import CANCELLED
from cxkit.narrative import coverage_sentence, escape, money_text, value_difference_sentence

__all__ = ["SAMPLE_NOTE", "load_sentence", "cancellations_sentence", "clv_total_sentence", "holdout_sentence",
           "forecast_error_text", "forecast_warnings", "segment_sentence", "segment_action_sentence",
           "population_sentence", "experience_value_sentence", "satisfaction_value_sentence",
           "WATCH_SEGMENTS", "forecast_sentences", "headline_segments", "segment_action_sentences",
           "closing_sentences"]

#: Said first on the bundled sample only: where its purchases come from, and why its estimates can be checked.
SAMPLE_NOTE = ("The bundled sample company is a fictional retailer: its purchases come from BG/NBD and Gamma-Gamma "
               "models with known parameters, so the estimates below can be checked against the truth. ")

#: Segments a summary names after the one worth most per customer, when the data has them.
WATCH_SEGMENTS = ("At Risk", "Can't Lose Them")

#: Words in a segment name that say its customers have stopped buying or are slipping away.
_LAPSING_WORDS = ("risk", "lose", "lost", "hibernat", "sleep")


def _day(ts: Any) -> str:
    ts = pd.Timestamp(ts)
    return f"{ts.day} {ts:%b %Y}"


def _row(result: pd.DataFrame | Mapping) -> Mapping:
    """The row of a one-row result table (a row or a mapping is returned as it is)."""
    return result.iloc[0] if isinstance(result, pd.DataFrame) else result


def load_sentence(as_of_rule: str, *, n_rows: int, customers: Sequence, cancelled: pd.Series | None,
                  as_of: Any, sample: bool = False) -> str:
    """What was loaded, in words: the analysis date and its rule, rows and customers, and who has left.

    A reader checks a report against what they know of their own data first: how many
    transactions it read, how many customers they made, the date the analysis stands on,
    and how many customers are already known to have cancelled. Customers known to have
    left but absent from the forecast are not counted.

    Parameters
    ----------
    as_of_rule : how the analysis date was chosen, in words (``CXData.as_of_rule``;
        escaped here).
    n_rows : transaction rows loaded.
    customers : ids of the customers in the forecast (the index of the RFM summary).
    cancelled : true/false per customer id, from :func:`cxkit.clv.known_cancellations`;
        ``None`` when the data has no cancellation dates.
    as_of : the analysis date.
    sample : the bundled sample: :data:`SAMPLE_NOTE` comes first.

    Example
    -------
    >>> gone = pd.Series({"a": True, "b": False, "z": True})   # z made no purchase
    >>> print(load_sentence("Analysis date 31 Dec 2025: the last date with activity.", n_rows=12,
    ...                     customers=["a", "b", "c"], cancelled=gone, as_of="2025-12-31"))
    Analysis date 31 Dec 2025: the last date with activity. 12 transaction rows give 3 customers. The customers table shows 1 of the 3 customers (33%) as cancelled by 31 Dec 2025: they are worth nothing more (forecast value, expected purchases and the chance of still buying are set to zero) and form a segment of their own, Cancelled, in the segment tables.
    """
    ids = pd.Index(customers)
    n_cancelled = None if cancelled is None else int(cancelled.reindex(ids, fill_value=False).sum())
    return ((SAMPLE_NOTE if sample else "") + escape(as_of_rule)
            + f" {int(n_rows):,} transaction rows give {len(ids):,} customers. "
            + cancellations_sentence(n_cancelled, n_customers=len(ids), as_of=as_of))


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


def clv_total_sentence(total: Mapping, *, horizon_months: int, n_customers: int, currency: str | None = None,
                       last_year_revenue: float | None = None, n_left: int = 0,
                       top10_share: float | None = None, last_year_from_left: float | None = None,
                       last_year_first_purchases: float | None = None,
                       discount_rate: float | None = None) -> str:
    """The headline CLV: total forecast with its interval, against last year's spend, and why the two differ.

    The forecast and last year's spend of the same customers answer different questions,
    and a board that sees a forecast below last year reads "we are shrinking". The
    forecast is the discounted spend of the repeat purchases today's customers are
    expected to make; last year's spend also holds customers who have since cancelled (the
    forecast counts them as zero) or lapsed, and the first purchases of customers who
    joined during the year (a first purchase is not repeated). The sentence says so, with
    the amounts when they are given, and what last year's spend comes to without them.
    Where last year's spend falls is said against the forecast's interval, not its point.

    Parameters
    ----------
    total : a row of :func:`cxkit.clv.total_clv_interval` (``total``, ``ci_low``, ``ci_high``).
    horizon_months : forecast horizon.
    n_customers : customers in the forecast.
    currency : for the money figures; ``None`` shows plain numbers in the data's own unit.
    last_year_revenue : spend in the last 12 months by the same customers (those in the forecast).
    n_left : customers known to have left (their CLV is zero).
    top10_share : share of the forecast held by the top 10% of customers.
    last_year_from_left : of ``last_year_revenue``, the spend of the customers who have since
        cancelled (the ``n_left``).
    last_year_first_purchases : of ``last_year_revenue``, the spend on the first purchase day
        of customers whose first purchase fell in the last 12 months (leaving out those
        counted in ``last_year_from_left``, so that nothing is taken off twice).
    discount_rate : the monthly discount rate of the forecast, e.g. ``0.01``.

    Example
    -------
    >>> print(clv_total_sentence({"total": 412_345.0, "ci_low": 398_000.0, "ci_high": 430_000.0},
    ...       horizon_months=12, n_customers=5000, currency="EUR", last_year_revenue=455_000.0, n_left=120,
    ...       last_year_from_left=31_000.0, last_year_first_purchases=52_000.0, discount_rate=0.01))
    Over the next 12 months our 5,000 customers are worth about **412,000 EUR** in discounted spend (95% interval 398,000 EUR to 430,000 EUR). In the last 12 months the same customers spent 455,000 EUR, more than the top of the forecast's interval, and the two measure different things: the forecast is of the repeat purchases the customers there today will make, discounted at 1% a month (future spend counted at today's value), with the 120 customers who have already cancelled counted as zero, and it leaves out customers not yet acquired; last year's spend also includes customers who have since left (31,000 EUR from the 120 who cancelled) or lapsed, and the first purchases of customers who joined during the year (52,000 EUR). Without the cancelled customers' spend and those first purchases, last year's spend comes to 372,000 EUR.
    """
    def r(x: float) -> str:
        return money_text(round(float(x), -3) if abs(float(x)) >= 10_000 else float(x), currency)

    h = int(horizon_months)
    text = (f"Over the next {h} months our {n_customers:,} customers are worth about "
            f"**{r(total['total'])}** in discounted spend (95% interval {r(total['ci_low'])} to {r(total['ci_high'])})")
    if top10_share is not None:
        text += f"; the top 10% of customers hold {top10_share:.0%} of the forecast"
    rate = (f" at {discount_rate * 100:g}% a month (future spend counted at today's value)" if discount_rate
            else " (future spend counted at today's value)")
    gone = (f", with the {n_left:,} customers who have already cancelled counted as zero" if n_left
            else "")
    if last_year_revenue is None:
        text += f". The forecast is discounted{rate} and leaves out customers not yet acquired"
        if n_left:
            text += f"; the {n_left:,} customers who have already cancelled count as zero"
        return text + "."
    ly = float(last_year_revenue)
    lo, hi = float(total["ci_low"]), float(total["ci_high"])
    where = ("more than the top of the forecast's interval" if ly > hi else
             "less than the bottom of the forecast's interval" if ly < lo else "within the forecast's interval")
    text += (f". In the last 12 months the same customers spent {r(ly)}, {where}, and the two measure different "
             f"things: the forecast is of the repeat purchases the customers there today will make"
             f"{'' if h == 12 else f' in the next {h} months'}, discounted{rate}{gone}, and it leaves out customers "
             "not yet acquired; last year's spend also includes customers who have since left")
    if last_year_from_left is not None and n_left:
        text += f" ({r(last_year_from_left)} from the {n_left:,} who cancelled)"
    text += " or lapsed, and the first purchases of customers who joined during the year"
    if last_year_first_purchases is not None:
        text += f" ({r(last_year_first_purchases)})"
    text += "."
    if last_year_from_left is not None and last_year_first_purchases is not None:
        rest = ly - float(last_year_from_left) - float(last_year_first_purchases)
        text += (f" Without the cancelled customers' spend and those first purchases, last year's spend comes to "
                 f"{r(rest)}.")
    return text


def holdout_sentence(purchases: Mapping, *, months: int, revenue: Mapping | None = None,
                     max_error_pct: float = 25.0) -> str:
    """How the forecast did on months it had not seen: purchases, and revenue when checked.

    The error reads as a reader says it: "over-forecast by 4.1%" when the forecast was
    above what happened, "under-forecast by 2.5%" when below (``error_pct`` is predicted
    against actual, in %).

    Example
    -------
    >>> holdout_sentence({"error_pct": 4.1}, months=6, revenue={"error_pct": -2.5})
    'Checked on 6 months it had not seen, purchases were over-forecast by 4.1% and revenue under-forecast by 2.5%.'
    """
    text = f"Checked on {months} months it had not seen, purchases were {forecast_error_text(purchases['error_pct'])}"
    if revenue is not None:
        text += f" and revenue {forecast_error_text(revenue['error_pct'])}"
    errors = [float(purchases["error_pct"])] + ([float(revenue["error_pct"])] if revenue is not None else [])
    if any(math.isnan(e) or abs(e) > max_error_pct for e in errors):
        text += f": more than {max_error_pct:g}% off, so treat it as a rough guide"
    return text + "."


def forecast_error_text(error_pct: Any, decimals: int = 1) -> str:
    """``+4.1`` as "over-forecast by 4.1%", ``-2.5`` as "under-forecast by 2.5%"."""
    e = float(error_pct)
    if math.isnan(e):
        return "not checked (nothing to compare with)"
    size = f"{abs(e):.{decimals}f}"
    if float(size) == 0:
        return f"forecast to within {0.5 * 10 ** -decimals:g}%"
    return f"{'over' if e > 0 else 'under'}-forecast by {size}%"


def forecast_warnings(
    holdout: pd.DataFrame,
    deciles: pd.DataFrame | None = None,
    *,
    max_error_pct: float = 25.0,
) -> list[str]:
    """Plain warnings for the report when a CLV forecast fails its holdout checks (none when it passes).

    A forecast that missed the holdout by a third, or ranked customers backwards, can
    still be reported, but the reader must be told: these lines say so in the report
    itself, where an assertion would only have stopped it.

    Parameters
    ----------
    holdout : output of :func:`cxkit.clv.diagnostics.holdout_error` (``actual``, ``error_pct``).
    deciles : optional output of :func:`cxkit.clv.diagnostics.holdout_by_decile`.
    max_error_pct : largest total holdout error (in %, either way) that passes.

    Returns
    -------
    list of str, Markdown sentences starting "Check:"; empty when every check passes.

    Example
    -------
    >>> forecast_warnings(pd.DataFrame({"actual": [410.0], "error_pct": [31.2]}))
    ['Check: purchases in the holdout were over-forecast by 31%, more than the 25% allowed; treat the forecast with caution.']
    """
    row = holdout.iloc[0]
    lines = []
    error = float(row["error_pct"])
    if not row["actual"] > 0:
        lines.append("Check: no purchases fell in the holdout period, so the forecast could not be checked; "
                     "treat it with caution.")
    elif math.isnan(error):
        lines.append("Check: the holdout error could not be computed; treat the forecast with caution.")
    elif abs(error) > max_error_pct:
        lines.append(f"Check: purchases in the holdout were {forecast_error_text(error, 0)}, more than the "
                     f"{max_error_pct:g}% allowed; treat the forecast with caution.")
    if deciles is not None and len(deciles) >= 2:
        by = deciles.sort_values("decile")
        low, high = float(by["actual"].iloc[0]), float(by["actual"].iloc[-1])
        if high < low:
            lines.append(f"Check: the customers the forecast ranks highest bought less in the holdout than those it "
                         f"ranks lowest ({high:,.0f} against {low:,.0f} purchases); treat its ranking of "
                         "customers with caution.")
    return lines


def segment_sentence(profile: Mapping, *, action: str | None = None, alive_threshold: float = 0.5) -> str:
    """One RFM segment in words: its share of customers and of CLV, and what to do, consistent
    with what the model says of it (a segment the model still rates as active is not "lost").

    Parameters
    ----------
    profile : a row of :func:`cxkit.clv.segment_profile` (``segment``, ``share``, ``clv_share``,
        ``p_alive``: the model's chance that a customer is still buying).
    action : the suggested action of the segment.
    alive_threshold : average chance of still buying above which the model rates most
        customers as still active.

    Example
    -------
    >>> row = {"segment": "At Risk", "share": 0.08, "clv_share": 0.11, "p_alive": 0.88}
    >>> print(segment_sentence(row, action="Win back only where it is cheap."))
    At Risk are 8% of customers and hold 11% of forecast value. They have not bought for a while, yet the model still rates most of them as active (the chance that one of them is still buying averages 88%): a timely reminder is more likely to pay than a costly win-back.
    """
    name = escape(profile["segment"])
    p = float(profile["p_alive"])
    text = f"{name} are {float(profile['share']):.0%} of customers and hold {float(profile['clv_share']):.0%} of forecast value."
    lapsing = any(w in str(profile["segment"]).lower() for w in _LAPSING_WORDS)
    chance = f"the chance that one of them is still buying averages {p:.0%}"
    if lapsing and p >= alive_threshold:
        return (text + f" They have not bought for a while, yet the model still rates most of them as active "
                f"({chance}): a timely reminder is more likely to pay than a costly win-back.")
    if lapsing:
        return (text + f" The model rates most of them as probably lapsed ({chance}): win them back "
                "only where it is cheap.")
    return text + (f" {escape(action)}" if action else "")


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


def satisfaction_value_sentence(comparison: Mapping, *, currency: str | None = None, alpha: float = 0.05) -> str:
    """Whether dissatisfied customers are worth more or less than satisfied ones, and among whom.

    :func:`experience_value_sentence` for the comparison a report makes by default
    (:func:`cxkit.experience.compare_value_by_experience`: satisfaction 1-2 against 4-5),
    so that its section and its summary say it in the same words.

    Parameters
    ----------
    comparison : a row of :func:`cxkit.experience.compare_value_by_experience` with
        ``a="dissatisfied (1-2)"`` and ``b="satisfied (4-5)"``.
    currency, alpha : as in :func:`experience_value_sentence`.

    Example
    -------
    >>> row = {"mean_a": 143.0, "mean_b": 76.0, "diff": 67.0, "ci_low": -5.0, "ci_high": 139.0, "p_value": 0.066,
    ...        "median_a": 31.0, "median_b": 33.0, "p_median": 0.85, "n_a": 55, "n_b": 1724,
    ...        "population": "active customers", "n_cancelled_left_out": 0}
    >>> print(satisfaction_value_sentence(row, currency="£"))
    Dissatisfied customers and satisfied ones are worth about the same: the mean is £143 against £76 (a difference of +£67, 95% interval -£5 to +£139; p = 0.066) and the median £31 against £33 (p = 0.850); neither test finds a clear difference. Compared among active customers; none is known to have cancelled.
    """
    return experience_value_sentence(comparison, subject="Dissatisfied customers", other="satisfied ones",
                                     currency=currency, alpha=alpha)


def forecast_sentences(total: pd.DataFrame | Mapping, last_year: pd.DataFrame | Mapping,
                       holdout: pd.DataFrame | Mapping, holdout_revenue: pd.DataFrame | Mapping | None = None, *,
                       horizon_months: int, holdout_months: int, n_customers: int, currency: str | None = None,
                       top10_share: float | None = None, discount_rate: float | None = None) -> list[str]:
    """The forecast in a summary: its total against last year's spend, then how it did on a holdout.

    A board hears the forecast once, with the two things that make it believable: what
    the same customers spent last year (and why the two differ) and how far off the
    model was on months it had not seen.

    Parameters
    ----------
    total : :func:`cxkit.clv.total_clv_interval` (or its row).
    last_year : :func:`cxkit.clv.last_year_spend` (or its row).
    holdout, holdout_revenue : :func:`cxkit.clv.diagnostics.holdout_error` and
        :func:`cxkit.clv.diagnostics.holdout_revenue` (or their rows); revenue may be ``None``.
    horizon_months, holdout_months : the forecast horizon and the holdout's length.
    n_customers : customers in the forecast.
    currency, top10_share, discount_rate : as in :func:`clv_total_sentence`.

    Returns
    -------
    list of str: the sentence of :func:`clv_total_sentence`, then that of
    :func:`holdout_sentence`.

    Example
    -------
    >>> lines = forecast_sentences({"total": 9_000.0, "ci_low": 8_000.0, "ci_high": 9_900.0},
    ...     {"spend": 9_500.0, "n_cancelled": 0, "from_cancelled": 0.0, "first_purchases": 1_000.0},
    ...     {"error_pct": -3.0}, horizon_months=12, holdout_months=6, n_customers=100)
    >>> print(lines[1])
    Checked on 6 months it had not seen, purchases were under-forecast by 3.0%.
    """
    ly = _row(last_year)
    return [clv_total_sentence(_row(total), horizon_months=horizon_months, n_customers=n_customers,
                               currency=currency, last_year_revenue=ly["spend"], n_left=int(ly["n_cancelled"]),
                               top10_share=top10_share, last_year_from_left=ly["from_cancelled"],
                               last_year_first_purchases=ly["first_purchases"], discount_rate=discount_rate),
            holdout_sentence(_row(holdout), months=holdout_months,
                             revenue=None if holdout_revenue is None else _row(holdout_revenue))]


def headline_segments(profile: pd.DataFrame, *, watch: Iterable[str] = WATCH_SEGMENTS) -> pd.DataFrame:
    """The segments a summary names: the one worth most per customer, then those to watch, where present.

    A summary cannot walk through every segment; it names where the value is and where it
    is slipping away, each once, in the order of that choice.

    Parameters
    ----------
    profile : :func:`cxkit.clv.segment_profile` (highest mean value first), with an
        ``action`` column.
    watch : segment names said after the first, when the profile has them.

    Returns
    -------
    The chosen rows of ``profile``, indexed by segment name.

    Example
    -------
    >>> p = pd.DataFrame({"segment": ["Champions", "Loyal", "At Risk"], "action": ["Reward.", "Upsell.", "Call."]})
    >>> headline_segments(p)["action"].to_dict()
    {'Champions': 'Reward.', 'At Risk': 'Call.'}
    """
    by_segment = profile.set_index(profile["segment"].astype(str))
    if by_segment.empty:
        return by_segment
    named = [s for s in dict.fromkeys([str(profile["segment"].iloc[0]), *watch]) if s in by_segment.index]
    return by_segment.loc[named]


def segment_action_sentences(segments: pd.DataFrame) -> list[str]:
    """One :func:`segment_action_sentence` per segment, each with the action of its own row.

    Parameters
    ----------
    segments : rows of :func:`cxkit.clv.segment_profile` with an ``action`` column, e.g.
        :func:`headline_segments`.

    Example
    -------
    >>> p = pd.DataFrame({"segment": ["Champions"], "customers": [700], "share": [0.14], "clv_share": [0.6],
    ...                   "p_alive": [0.87], "action": ["Reward them."]})
    >>> segment_action_sentences(p)
    ['Champions are 14% of customers and hold 60% of forecast value; the chance that one of them is still buying averages 87%. Suggested action: Reward them.']
    """
    return [segment_action_sentence(row, action=row["action"]) for _, row in segments.iterrows()]


def closing_sentences(satisfaction: pd.DataFrame | None, coverage: pd.DataFrame, holdout: pd.DataFrame,
                      deciles: pd.DataFrame | None = None, notes: Iterable[str] = (), *,
                      currency: str | None = None, max_error_pct: float = 25.0) -> list[str]:
    """The last lines of a summary: experience against value, then what to read the figures with.

    After the forecast and the segments, a board needs what qualifies them: whether
    satisfaction shows up in value, which tables stop before the period ends, which
    holdout checks the forecast failed and which parameters the data cannot pin down.
    Each line is there only when it has something to say.

    Parameters
    ----------
    satisfaction : :func:`cxkit.experience.compare_value_by_experience` (dissatisfied
        against satisfied), or ``None`` when no comparison was made.
    coverage : :func:`cxkit.periods.coverage` of the tables the figures rest on.
    holdout, deciles, max_error_pct : as in :func:`forecast_warnings`.
    notes : further lines, e.g. :func:`cxkit.clv.identification_notes`.
    currency : for the money figures.

    Example
    -------
    >>> closing_sentences(None, pd.DataFrame(columns=["table", "rows", "last_date", "period_end", "ends_early"]),
    ...                   pd.DataFrame({"actual": [410.0], "error_pct": [31.2]}), notes=["A note."])
    ['Check: purchases in the holdout were over-forecast by 31%, more than the 25% allowed; treat the forecast with caution.', 'A note.']
    """
    lines = [None if satisfaction is None else satisfaction_value_sentence(_row(satisfaction), currency=currency),
             coverage_sentence(coverage)]
    return ([line for line in lines if line] + forecast_warnings(holdout, deciles, max_error_pct=max_error_pct)
            + list(notes))
