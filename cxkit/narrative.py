"""Plain sentences from tidy results, for "what to tell the board" sections and reports.

Numbers in a board summary must come from the analysis, never be typed in, and the
wording must follow the numbers: "higher" only when it is higher, "significant" only
when the test says so. These helpers write those sentences from cxkit's tidy tables.

Sentences are Markdown, and reports render Markdown as HTML: a segment or channel
named ``<img src=x onerror=...>`` would become a live tag. Every string from the data
therefore goes through :func:`escape` before it is written into a sentence; the
functions here escape what they are given, so pass them plain text, not escaped text.

Example
-------
>>> sc = metrics.cx_scorecard(surveys)                       # doctest: +SKIP
>>> print(scorecard_sentences(sc, metrics.gap_analysis(sc, {"NPS": 30})))  # doctest: +SKIP
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from cxkit.display import format_money
from cxkit.findings import Finding, sentences

__all__ = ["escape", "p_text", "scorecard_sentences", "difference_sentence", "value_difference_sentence",
           "weighted_sentence", "value_share_sentence", "clv_total_sentence", "holdout_sentence",
           "segment_sentence", "service_sentence", "facts_line", "forecast_warnings", "as_bullets",
           "coverage_sentence", "coverage_bases", "NO_GOALS",
           # shared phrasing, for the sentences each theme writes beside it
           "interval_of", "sign_from_test", "money_text", "signed_money_text", "date_text", "how_long", "pct_range",
           "capital", "lower_first", "and_list", "NUMBER_WORDS"]

# HTML's special characters as html.escape writes them, and the Markdown characters
# that build links, images, emphasis, code, headings and tables as numeric character
# references: they read the same once rendered (in JupyterLab and in nbconvert's HTML)
# but can no longer build anything. One pass, so no entity is escaped twice.
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;",
                          **{c: f"&#{ord(c)};" for c in "\\`*_[]()!#|~$"}})


def escape(text: Any) -> str:
    """Make a string from the data safe to put into Markdown or HTML: it shows as written.

    A channel, plan or segment name is data, and data can carry markup: in a board
    sentence, ``<img src=x onerror=...>`` or ``[click](javascript:...)`` would become
    live HTML in the report. HTML's special characters (``& < > " '``) become entities,
    Markdown's (``[ ] ( ) * _ ` ! # | ~ $`` and backslash) numeric character references,
    and line breaks spaces; ordinary names are left as they are. Escape once, where the
    text is put into Markdown: escaping escaped text shows the entities.

    Example
    -------
    >>> escape("<img src=x onerror=alert(1)>")
    '&lt;img src=x onerror=alert&#40;1&#41;&gt;'
    >>> escape("[click](javascript:alert(1))")
    '&#91;click&#93;&#40;javascript:alert&#40;1&#41;&#41;'
    >>> escape("Club Plus"), escape("North-East")
    ('Club Plus', 'North-East')
    """
    return " ".join(str(text).splitlines()).translate(_ESCAPES)

_FORMATS = {
    "NPS": ("NPS is **{value:+.0f}** (95% interval {low:+.0f} to {high:+.0f}, {n:,} answers)", "{goal:+g}"),
    "CSAT": ("**{value:.0f}%** of customers are satisfied (CSAT top-2-box; interval {low:.0f}-{high:.0f}%, "
             "{n:,} answers)", "{goal:g}%"),
    "CES": ("effort (CES) averages **{value:.2f}** of 7 (interval {low:.2f}-{high:.2f}, {n:,} answers)", "{goal:g}"),
}
#: The line :func:`scorecard_sentences` adds when no goals are set: no figure is compared
#: with a goal from anywhere else.
NO_GOALS = ("No goals are set, so these figures are not compared with any. To set them, add a `[goals]` table to "
            "the settings file `cxkit.toml` beside the data (e.g. `NPS = 30`), or pass them as the notebook's "
            "`goals` parameter.")
#: The first sentence of :data:`NO_GOALS` alone, for a board summary whose report says
#: elsewhere how goals are set (``scorecard_sentences(..., goals_note=False)`` then this line).
NO_GOALS_SET = NO_GOALS.split(". ", 1)[0] + "."
__all__ += ["NO_GOALS_SET"]
_STATUS = {
    "met": "goal met",
    "not met": "short of the goal",
    "within noise": "too close to the goal to call",
    "no data": "no data",
}


def scorecard_sentences(scorecard: pd.DataFrame, gaps: pd.DataFrame | None = None, *,
                        period: str | None = None, goals_note: bool = True) -> list[str]:
    """One sentence per headline metric with its interval, base, period and goal status.

    A figure is compared with a goal only when a goal is set: with none, the last line says
    so and how to set them (a ``[goals]`` table in the settings file ``cxkit.toml`` beside
    the data, or the notebook's ``goals`` parameter), never a goal taken from elsewhere.

    Parameters
    ----------
    scorecard : output of :func:`cxkit.metrics.cx_scorecard` (ungrouped).
    gaps : optional output of :func:`cxkit.metrics.gap_analysis` on that scorecard.
    period : the period the answers cover, e.g. ``"the 12 months to 31 Dec 2025"``
        (:attr:`cxkit.periods.Period.label`); named in every sentence.
    goals_note : add the line saying that no goals are set (when ``gaps`` is ``None`` or
        empty); a metric without a goal while others have one says "no goal is set for it".

    Example
    -------
    >>> sc = pd.DataFrame({"metric": ["NPS"], "value": [27.2], "ci_low": [24.6], "ci_high": [29.7], "n": [3421]})
    >>> scorecard_sentences(sc, period="the 12 months to 31 Dec 2025")[0]
    'NPS is **+27** (95% interval +25 to +30, 3,421 answers in the 12 months to 31 Dec 2025).'
    >>> print(scorecard_sentences(sc)[1])
    No goals are set, so these figures are not compared with any. To set them, add a `[goals]` table to the settings file `cxkit.toml` beside the data (e.g. `NPS = 30`), or pass them as the notebook's `goals` parameter.
    """
    have_goals = gaps is not None and len(gaps) > 0
    status = gaps.set_index("metric")[["goal", "status"]].to_dict("index") if have_goals else {}
    lines = []
    for row in scorecard.itertuples(index=False):
        text, goal_fmt = _FORMATS.get(row.metric, ("{metric} is {value:.2f} (interval {low:.2f}-{high:.2f}, "
                                                    "{n:,} answers)", "{goal:g}"))
        if pd.isna(row.value):
            lines.append(f"{escape(row.metric)}: no answers.")
            continue
        sentence = text.format(metric=escape(row.metric), value=row.value, low=row.ci_low, high=row.ci_high,
                               n=int(row.n))
        if period:
            sentence = sentence.replace(" answers)", f" answers in {escape(period)})")
        if row.metric in status:
            goal = goal_fmt.format(goal=status[row.metric]["goal"])
            state = status[row.metric]["status"]
            sentence += f" against a goal of {goal}: {_STATUS.get(state, escape(state))}"
        elif have_goals:
            sentence += "; no goal is set for it"
        lines.append(sentence[0].upper() + sentence[1:] + ".")
    if goals_note and not have_goals and lines:
        lines.append(NO_GOALS)
    return lines


def difference_sentence(
    comparison: pd.Series | Mapping,
    *,
    subject: str,
    other: str,
    measure: str,
    unit: str = " points",
    alpha: float = 0.05,
) -> str:
    """Describe one row of :func:`cxkit.metrics.compare` in words that follow its test, with its interval.

    "More" or "less" is written only when the test says so: the p-value below ``alpha``
    and the difference's interval (``ci_low``, ``ci_high``) clear of zero; its direction
    is the interval's, never the two values' alone. Otherwise the sentence says "no clear
    difference" and gives the interval both ways ("-5.1 to +1.1 points"). ``subject``,
    ``other``, ``measure`` and ``unit`` are escaped (a subject is often a segment name
    from the data): pass them as plain text.

    Example
    -------
    >>> row = {"value_a": 51.4, "value_b": 79.3, "diff": -27.9, "ci_low": -34.2, "ci_high": -21.5, "p_value": 1e-9}
    >>> print(difference_sentence(row, subject="The top 10% of spenders", other="everyone else",
    ...                           measure="satisfied with delivery"))
    The top 10% of spenders are **less** satisfied with delivery: 51.4 against 79.3 for everyone else, 27.9 points lower (95% interval 21.5 to 34.2, p < 0.001).
    >>> print(difference_sentence({**row, "value_a": 78.0, "diff": -1.3, "ci_low": -5.1, "ci_high": 2.5,
    ...                            "p_value": 0.4}, subject="Club members", other="the rest", measure="satisfied"))
    Club members and the rest are about equally satisfied: 78.0 against 79.3, no clear difference (-5.1 to +2.5 points, p = 0.400).
    """
    a, b, d, p = (float(comparison[k]) for k in ("value_a", "value_b", "diff", "p_value"))
    lo, hi = interval_of(comparison)
    ptext = p_text(p)
    subject, other, measure, unit = escape(subject), escape(other), escape(measure), escape(unit)
    words = measure.split(" ", 1)
    head, tail = words[0], (" " + words[1] if len(words) > 1 else "")
    sign = sign_from_test(d, lo, hi, p, alpha)
    if sign == 0:
        interval = f"{lo:+.1f} to {hi:+.1f}{unit}, " if lo is not None else ""
        return (f"{subject} and {other} are about equally {head}{tail}: {a:.1f} against {b:.1f}, "
                f"no clear difference ({interval}{ptext}).")
    interval = ""
    if lo is not None:
        low, high = sorted((abs(lo), abs(hi)))
        interval = f"95% interval {low:.1f} to {high:.1f}, "
    return (f"{subject} are **{'more' if sign > 0 else 'less'}** {head}{tail}: {a:.1f} against {b:.1f} for {other}, "
            f"{abs(d):.1f}{unit} {'higher' if sign > 0 else 'lower'} ({interval}{ptext}).")


def interval_of(row: pd.Series | Mapping, low: str = "ci_low", high: str = "ci_high") -> tuple[float | None, float | None]:
    """The interval of a result row, or (None, None) when the row has none."""
    keys = row.keys() if hasattr(row, "keys") else ()
    if low in keys and high in keys and not (pd.isna(row[low]) or pd.isna(row[high])):
        return float(row[low]), float(row[high])
    return None, None


def sign_from_test(estimate: float, lo: float | None, hi: float | None, p: float | None, alpha: float) -> int:
    """+1 or -1 when the test finds a difference (p below alpha and the interval clear of 0), else 0.

    The direction is the interval's (the estimate's when there is no interval), so a
    comparative word never rests on two values alone.
    """
    if p is not None and not p < alpha:
        return 0
    if lo is not None and hi is not None:
        return 1 if lo > 0 else -1 if hi < 0 else 0
    if p is None or estimate == 0 or math.isnan(estimate):
        return 0
    return 1 if estimate > 0 else -1


def money_text(value: float, currency: str | None, decimals: int = 0) -> str:
    """Money for a Markdown sentence: formatted, then escaped ("$" would open a formula)."""
    return escape(format_money(value, currency, decimals=decimals))


def signed_money_text(value: float, currency: str | None, decimals: int = 0) -> str:
    """Money with its sign either way ("+46", "-7"), for a difference or the ends of its interval."""
    text = money_text(value, currency, decimals)
    return text if text.startswith("-") or float(f"{abs(value):.{decimals}f}") == 0 else "+" + text


def p_text(p: float) -> str:
    """A p-value as a reader sees it: ``p < 0.001`` or ``p = 0.031``.

    Example
    -------
    >>> p_text(0.0004), p_text(0.0312)
    ('p < 0.001', 'p = 0.031')
    """
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def value_difference_sentence(
    comparison: pd.Series | Mapping,
    *,
    subject: str,
    other: str,
    currency: str | None = None,
    alpha: float = 0.05,
) -> str:
    """Say whether one group is worth more than another, only as far as both tests agree.

    Customer value is skewed: a few large customers can lift a group's mean while its
    typical customer is worth less. "Worth more" is written only when the means
    (Welch, whose interval must clear zero) and the distributions (Mann-Whitney) both
    differ at ``alpha`` and point the same way; otherwise the sentence says which test
    finds a difference (the average, or the typical customer) and which does not, with no
    "more" or "less". The difference of the means carries its interval.

    Parameters
    ----------
    comparison : a row of :func:`cxkit.comparisons.compare_values` (``diff``, ``ci_low``
        and ``ci_high`` give the interval of the difference of the means).
    subject, other : the two groups in words (escaped here: pass plain text).
    currency : shown with the money figures (see :func:`cxkit.display.format_money`);
        ``None`` shows plain numbers in the data's own unit.

    Example
    -------
    >>> row = {"mean_a": 112.0, "mean_b": 66.0, "diff": 46.0, "ci_low": -7.0, "ci_high": 99.0, "p_value": 0.09,
    ...        "median_a": 15.9, "median_b": 24.6, "p_median": 0.04, "n_a": 79, "n_b": 2400, "top5_share_a": 0.5}
    >>> print(value_difference_sentence(row, subject="Dissatisfied customers", other="satisfied ones"))
    Dissatisfied customers and satisfied ones differ in the typical customer but not clearly on average: the mean is 112 against 66 (a difference of +46, 95% interval -7 to +99; p = 0.090) while the median 16 against 25 (p = 0.040); the five largest customers hold 50% of the dissatisfied customers' value (79 customers).
    >>> print(value_difference_sentence({**row, "p_value": 0.001, "ci_low": 20.0, "p_median": 0.6},
    ...                                 subject="Dissatisfied customers", other="satisfied ones"))
    Dissatisfied customers and satisfied ones differ on average but not clearly in the typical customer: the mean is 112 against 66 (a difference of +46, 95% interval +20 to +99; p = 0.001) but the median 16 against 25 (p = 0.600), so a few large customers make the difference; the five largest customers hold 50% of the dissatisfied customers' value (79 customers).
    """
    c = {k: comparison[k] for k in ("mean_a", "mean_b", "p_value", "median_a", "median_b", "p_median", "n_a")}
    subject_t, other_t = escape(subject), escape(other)
    m = {k: money_text(float(c[k]), currency) for k in ("mean_a", "mean_b", "median_a", "median_b")}
    p_mean, p_med = float(c["p_value"]), float(c["p_median"])
    keys = comparison.keys() if hasattr(comparison, "keys") else ()
    d_mean = float(comparison["diff"]) if "diff" in keys else float(c["mean_a"]) - float(c["mean_b"])
    lo, hi = interval_of(comparison)
    d_med = float(c["median_a"]) - float(c["median_b"])
    mean_sign = sign_from_test(d_mean, lo, hi, p_mean, alpha)
    med_sign = 0 if not p_med < alpha or d_med == 0 else (1 if d_med > 0 else -1)
    detail = f"a difference of {signed_money_text(d_mean, currency)}"
    if lo is not None:
        detail += f", 95% interval {signed_money_text(lo, currency)} to {signed_money_text(hi, currency)}"
    figures = (f"the mean is {m['mean_a']} against {m['mean_b']} ({detail}; {p_text(p_mean)}) and the median "
               f"{m['median_a']} against {m['median_b']} ({p_text(p_med)})")
    if mean_sign != 0 and mean_sign == med_sign:
        word = "more" if mean_sign > 0 else "less"
        return f"{subject_t} are worth **{word}** than {other_t}: {figures}; both tests agree."
    if mean_sign == 0 and med_sign == 0:
        return (f"{subject_t} and {other_t} are worth about the same: {figures}; neither test finds a clear "
                "difference.")
    top = comparison.get("top5_share_a") if hasattr(comparison, "get") else None
    lower = subject_t[:1].lower() + subject_t[1:]
    if mean_sign != 0 and med_sign != 0:      # both tests clear, pointing opposite ways
        lead = f"The value of {lower} against {other_t} points two ways: "
        why = figures.replace(" and the median", " but the median")
    elif mean_sign != 0:                      # the means differ, the typical customers do not
        lead = f"{subject_t} and {other_t} differ on average but not clearly in the typical customer: "
        why = (figures.replace(" and the median", " but the median")
               + ", so a few large customers make the difference")
    else:                                     # the typical customers differ, the means not clearly
        lead = f"{subject_t} and {other_t} differ in the typical customer but not clearly on average: "
        why = figures.replace(" and the median", " while the median")
    tail = ""
    if top is not None and not pd.isna(top):
        tail = (f"; the five largest customers hold {float(top):.0%} of the "
                f"{lower}' value ({int(c['n_a']):,} customers)")
    return lead + why + tail + "."


def weighted_sentence(per_answer: Mapping, weighted: Mapping, *, metric: str = "CSAT", weight: str = "spend",
                      period: str | None = None) -> str:
    """The value-weighted score beside the per-answer score, each with its interval and base.

    Weighting by spend asks how satisfied our *revenue* is. The weighted figure has an
    effective base (Kish) far below the number of answers when a few customers carry
    much weight, so both intervals are shown; no comparative word is used (the two are
    not independent samples; the tested comparison is top spenders against the rest).

    Example
    -------
    >>> pa = {"value": 77.1, "ci_low": 75.6, "ci_high": 78.5, "n": 3566}
    >>> w = {"value": 66.8, "ci_low": 62.0, "ci_high": 71.3, "n_effective": 412.0}
    >>> print(weighted_sentence(pa, w))
    Weighted by each customer's spend, CSAT is 67% (95% interval 62-71%, effective base 412 answers); per answer it is 77% (76-78%, 3,566 answers).
    """
    unit = "%" if metric.upper() in {"CSAT"} else ""
    fmt = "{:.0f}" if unit else "{:+.0f}" if metric.upper() == "NPS" else "{:.2f}"

    def f(x: float) -> str:
        return fmt.format(float(x)) + unit

    where = f" in {escape(period)}" if period else ""
    return (f"Weighted by each customer's {escape(weight)}, {escape(metric)} is {f(weighted['value'])} (95% interval "
            f"{fmt.format(float(weighted['ci_low']))}-{f(weighted['ci_high'])}, effective base "
            f"{float(weighted['n_effective']):,.0f} answers{where}); per answer it is {f(per_answer['value'])} "
            f"({fmt.format(float(per_answer['ci_low']))}-{f(per_answer['ci_high'])}, {int(per_answer['n']):,} answers).")


def value_share_sentence(share: float, *, who: str, what: str = "revenue", period: str | None = None) -> str:
    """The share of value a group brings, e.g. the top decile's share of revenue.

    Example
    -------
    >>> value_share_sentence(0.421, who="The top 10% of spenders", period="the 12 months to 31 Dec 2025")
    'The top 10% of spenders bring **42%** of revenue (the 12 months to 31 Dec 2025).'
    """
    where = f" ({escape(period)})" if period else ""
    return f"{escape(who)} bring **{share:.0%}** of {escape(what)}{where}."


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
    lapsing = any(w in str(profile["segment"]).lower() for w in ("risk", "lose", "lost", "hibernat", "sleep"))
    chance = f"the chance that one of them is still buying averages {p:.0%}"
    if lapsing and p >= alive_threshold:
        return (text + f" They have not bought for a while, yet the model still rates most of them as active "
                f"({chance}): a timely reminder is more likely to pay than a costly win-back.")
    if lapsing:
        return (text + f" The model rates most of them as probably lapsed ({chance}): win them back "
                "only where it is cheap.")
    return text + (f" {escape(action)}" if action else "")


def service_sentence(service: pd.DataFrame, *, group: str = "channel", period: str | None = None) -> str | None:
    """First-contact resolution across channels, lowest and highest, each with its interval.

    A range, not a ranking claim: the intervals let the reader see whether the two
    ends differ beyond the noise. ``None`` when there are fewer than two channels.

    Example
    -------
    >>> sm = pd.DataFrame({"channel": ["chat", "phone", "All"], "fcr_rate": [54.2, 80.9, 70.0],
    ...                    "fcr_ci_low": [51.0, 79.1, 69.0], "fcr_ci_high": [57.3, 82.6, 71.0]})
    >>> service_sentence(sm)
    'First-contact resolution ranges from 54% for chat (95% interval 51-57%) to 81% for phone (79-83%).'
    """
    rows = service[service[group] != "All"].dropna(subset=["fcr_rate"]).sort_values("fcr_rate", kind="mergesort")
    if len(rows) < 2:
        return None
    lo, hi = rows.iloc[0], rows.iloc[-1]
    where = f" in {escape(period)}" if period else ""
    return (f"First-contact resolution{where} ranges from {lo['fcr_rate']:.0f}% for {escape(lo[group])} (95% interval "
            f"{lo['fcr_ci_low']:.0f}-{lo['fcr_ci_high']:.0f}%) to {hi['fcr_rate']:.0f}% for {escape(hi[group])} "
            f"({hi['fcr_ci_low']:.0f}-{hi['fcr_ci_high']:.0f}%).")


def facts_line(*, as_of: Any, period: str | None = None, currency: str | None = None,
               bases: Mapping[str, int] | None = None, money: bool = True) -> str:
    """The facts every report states on its first page: analysis date, period, currency, bases.

    Example
    -------
    >>> print(facts_line(as_of=pd.Timestamp("2025-12-31"), period="the 12 months to 31 Dec 2025",
    ...                  currency="GBP", bases={"survey answers": 1204, "customers": 5000}))
    Analysis date 31 Dec 2025 · figures cover the 12 months to 31 Dec 2025 unless a chart says otherwise · money in GBP · 1,204 survey answers, 5,000 customers.
    """
    ts = None if as_of is None else pd.Timestamp(as_of)
    parts = [f"Analysis date {ts.day} {ts:%b %Y}" if ts is not None and not pd.isna(ts)
             else "No analysis date (durations as exported)"]
    if period:
        parts.append(f"figures cover {escape(period)} unless a chart says otherwise")
    if money:   # a report with no money figures (e.g. retention in days) says nothing of currency
        parts.append(f"money in {escape(currency)}" if currency else "money in the data's own unit (no currency given)")
    if bases:
        parts.append(", ".join(f"{int(v):,} {escape(k)}" for k, v in bases.items()))
    return " · ".join(parts) + "."


def coverage_sentence(coverage: pd.DataFrame, *, names: Mapping[str, str] | None = None) -> str | None:
    """Say which tables stop well before the reporting period's end, and what that means for the figures.

    A satisfaction headline "for the 12 months to 29 Jun" is only true of the months the
    survey export reaches. Each table :func:`cxkit.periods.coverage` flags as ending early
    (last date more than its ``early_days``, 31 by default, before the period's end, or
    no rows in the period) gets one sentence: when it ends, how long before the period's
    end, and which figures describe only the time up to then. ``None`` when every table
    covers the period.

    Parameters
    ----------
    coverage : output of :func:`cxkit.periods.coverage`.
    names : the tables in words, overriding the defaults ("Survey answers",
        "Transactions", "Contacts", "Customer records"); escaped here.

    Example
    -------
    >>> cov = pd.DataFrame({"table": ["surveys", "transactions"], "rows": [812, 5000],
    ...     "last_date": pd.to_datetime(["2024-12-28", "2025-06-27"]), "period_end": pd.to_datetime(["2025-06-29"] * 2),
    ...     "days_before_end": [183, 2], "ends_early": [True, False]})
    >>> print(coverage_sentence(cov))
    Survey answers end on 28 Dec 2024, six months before the period's end (29 Jun 2025): the satisfaction figures describe the period up to then.
    >>> coverage_sentence(cov.assign(ends_early=False)) is None
    True
    """
    missing = [c for c in ("table", "rows", "last_date", "period_end", "ends_early") if c not in coverage.columns]
    if missing:
        raise ValueError(f"coverage_sentence() needs the table of cxkit.periods.coverage; missing {missing}")
    names = dict(names or {})
    out = []
    for row in coverage[coverage["ends_early"].astype(bool)].itertuples(index=False):
        key = str(row.table)
        default_subject, figures = _TABLE_WORDS.get(key, (None, "the figures from it"))
        if key in names:
            subject, verb = escape(names[key]), ("end" if key in _TABLE_WORDS else "ends")
        elif default_subject is not None:
            subject, verb = default_subject, "end"
        else:
            subject, verb = f"The {escape(key)} table", "ends"
        end = date_text(row.period_end)
        if not row.rows or pd.isna(row.last_date):
            out.append(f"{subject} {'have' if verb == 'end' else 'has'} no rows in the reporting period (to {end}): "
                       f"there are no {figures.removeprefix('the ')} for it.")
            continue
        days = int((pd.Timestamp(row.period_end) - pd.Timestamp(row.last_date).normalize()).days)
        out.append(f"{subject} {verb} on {date_text(row.last_date)}, {how_long(days)} before the period's end ({end}): "
                   f"{figures} describe the period up to then.")
    return " ".join(out) if out else None


def coverage_bases(coverage: pd.DataFrame) -> dict[str, int]:
    """The rows each table holds of the reporting period, named with their dates, for :func:`facts_line`.

    Example
    -------
    >>> cov = pd.DataFrame({"table": ["surveys", "contacts"], "rows": [812, 0],
    ...     "first_date": pd.to_datetime(["2025-01-02", None]), "last_date": pd.to_datetime(["2025-06-27", None])})
    >>> coverage_bases(cov)
    {'survey answers (2 Jan 2025 to 27 Jun 2025)': 812, 'contacts': 0}
    """
    bases = {}
    for row in coverage.itertuples(index=False):
        words = _TABLE_WORDS.get(str(row.table), (escape(row.table), ""))[0].lower()
        if row.rows and not pd.isna(row.first_date):
            words += f" ({date_text(row.first_date)} to {date_text(row.last_date)})"
        bases[words] = int(row.rows)
    return bases


_TABLE_WORDS = {
    "surveys": ("Survey answers", "the satisfaction figures"),
    "transactions": ("Transactions", "the spend and value figures"),
    "contacts": ("Contacts", "the service figures"),
    "customers": ("Customer records", "the membership figures"),
}
NUMBER_WORDS = dict(enumerate(["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                                "ten", "eleven", "twelve"]))


def date_text(ts: Any) -> str:
    ts = pd.Timestamp(ts)
    return f"{ts.day} {ts:%b %Y}"


def how_long(days: int) -> str:
    """A gap in days as a reader says it: "45 days", "six months", "2 years"."""
    if days < 62:
        return f"{days} day{'s' if days != 1 else ''}"
    months = round(days / 30.4375)
    if months < 24:
        return f"{NUMBER_WORDS.get(months, str(months))} months"
    return f"{round(days / 365.25)} years"


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


def as_bullets(lines: Iterable[Finding | str | None]) -> str:
    """Join sentences, or the sentences of findings, as a Markdown bullet list; ``None`` and "" are skipped.

    >>> from cxkit.findings import Finding
    >>> print(as_bullets(["NPS is 31.", None, Finding(theme="clv", key="total", what="CLV", sentence="CLV is £1m.")]))
    - NPS is 31.
    - CLV is £1m.
    """
    return "\n".join(f"- {line}" for line in sentences(lines) if line)


# --------------------------------------------------------------------------- churn survival

__all__ += ["hazard_sentence", "immortal_time_sentence", "attributable_sentence", "rmst_sentence"]


def pct_range(a: float, b: float) -> str:
    return f"{a:.0f}-{b:.0f}%" if a >= 0 else f"{a:.0f} to {b:.0f}%"


def hazard_sentence(hr_row: Mapping, *, what: str, ci: float = 0.95, association: bool = False,
                    who: str | None = None) -> str:
    """One hazard ratio in words a board reads: how much it raises or lowers the day-to-day risk of leaving.

    The wording follows the interval: "raises" or "lowers" only when the interval
    excludes 1; otherwise "no clear evidence either way", never "no effect" (the data may
    simply be too few to tell), with the interval as a range from lower to higher risk.

    A measure from survey answers (a CSAT score, having answered at all) is not something
    the company sets: customers who rate us well differ in other ways too. With
    ``association=True`` the sentence reports a link, not a cause: "goes with a 33% lower
    day-to-day risk of leaving ... an association, not proof of cause"; with ``who`` (e.g.
    "customers who rate us a point higher") it starts "Customers who rate us a point
    higher leave less often: ...".

    Parameters
    ----------
    hr_row : a row of :func:`cxkit.survival.hazard_ratios` (``hazard_ratio``, ``ci_low``, ``ci_high``).
    what : the covariate in words, starting the sentence (escaped here: pass plain text),
        e.g. "Each contact not resolved at first contact".
    ci : the interval's level, for the wording.
    association : word the result as an association (for survey-based measures), not a cause.
    who : with ``association``, the customers it describes, e.g. "customers who rate us a
        point higher" (escaped here).

    Example
    -------
    >>> print(hazard_sentence({"hazard_ratio": 1.55, "ci_low": 1.30, "ci_high": 1.84}, what="Each bad contact"))
    Each bad contact raises the day-to-day risk of leaving by **55%** (95% interval 30% to 84%).
    >>> print(hazard_sentence({"hazard_ratio": 1.11, "ci_low": 0.98, "ci_high": 1.27}, what="A long wait"))
    A long wait: **no clear evidence either way** on the day-to-day risk of leaving (95% interval from 2% lower to 27% higher).
    >>> print(hazard_sentence({"hazard_ratio": 0.67, "ci_low": 0.60, "ci_high": 0.74}, what="Each CSAT point",
    ...                       association=True, who="customers who rate us a point higher"))
    Customers who rate us a point higher leave **less often**: each CSAT point goes with a **33% lower** day-to-day risk of leaving (95% interval 26% to 40%). This is an association seen in survey answers, not proof that one causes the other.
    """
    hr, lo, hi = (float(hr_row[k]) for k in ("hazard_ratio", "ci_low", "ci_high"))
    what_t, level = escape(what), f"{ci * 100:g}% interval"
    risk = "the day-to-day risk of leaving"
    if lo > 1:
        size, low, high, word = (hr - 1) * 100, (lo - 1) * 100, (hi - 1) * 100, "higher"
    elif hi < 1:
        size, low, high, word = (1 - hr) * 100, (1 - hi) * 100, (1 - lo) * 100, "lower"
    else:
        both = f"{level} from {(1 - lo) * 100:.0f}% lower to {(hi - 1) * 100:.0f}% higher"
        if association and who:
            return (f"{capital(escape(who))}: **no clear evidence either way** that they leave more or less often "
                    f"({both} day-to-day risk of leaving).")
        if association:
            return f"{what_t}: **no clear evidence either way** of a link with {risk} ({both})."
        return f"{what_t}: **no clear evidence either way** on {risk} ({both})."
    interval = f"{level} {low:.0f}% to {high:.0f}%"
    if not association:
        verb = "raises" if word == "higher" else "lowers"
        return f"{what_t} {verb} {risk} by **{size:.0f}%** ({interval})."
    link = f"goes with a **{size:.0f}% {word}** day-to-day risk of leaving ({interval})"
    if who:
        often = "more often" if word == "higher" else "less often"
        return (f"{capital(escape(who))} leave **{often}**: {lower_first(what_t)} {link}. This is an association "
                "seen in survey answers, not proof that one causes the other.")
    return f"{what_t} {link}: an association seen in survey answers, not proof that one causes the other."


def capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def lower_first(text: str) -> str:
    """Lower the first letter of a phrase that starts a sentence, but not of an acronym ("CSAT")."""
    return text[:1].lower() + text[1:] if text[:2].istitle() or text[1:2].islower() else text


def immortal_time_sentence(naive: Mapping, right: Mapping, *, what: str) -> str:
    """The naive (lifetime-count) answer beside the right (time-varying) one, in plain words, and why they differ.

    Customers who stayed longer had more time to contact us, so counting contacts over a
    whole membership credits long stayers with contacts: that makes contacts look
    protective (immortal-time bias). The sentence says so only when the two answers
    point different ways. Both are told as changes in the risk of leaving, the right one
    with its interval ("no clear evidence either way" when it includes no change).

    Parameters
    ----------
    naive, right : rows of :func:`cxkit.survival.naive_vs_time_varying` (or
        :func:`cxkit.survival.hazard_ratios`) for the same covariate.
    what : the covariate in words, plural (escaped here), e.g. "unresolved contacts".

    Example
    -------
    >>> print(immortal_time_sentence({"hazard_ratio": 0.83}, {"hazard_ratio": 1.32, "ci_low": 1.24, "ci_high": 1.41},
    ...                              what="unresolved contacts"))
    Counted over a whole membership, unresolved contacts look *protective* (as if each lowered the risk of leaving by 17%), only because customers who stayed longer had more time to contact us; counted as they happen, each raises the day-to-day risk of leaving by **32%** (95% interval 24% to 41%).
    """
    n, r = float(naive["hazard_ratio"]), float(right["hazard_ratio"])
    lo, hi = float(right["ci_low"]), float(right["ci_high"])
    what_t = escape(what)
    if lo > 1:
        right_text = f"each raises the day-to-day risk of leaving by **{(r - 1) * 100:.0f}%** (95% interval " \
                     f"{(lo - 1) * 100:.0f}% to {(hi - 1) * 100:.0f}%)"
    elif hi < 1:
        right_text = f"each lowers the day-to-day risk of leaving by **{(1 - r) * 100:.0f}%** (95% interval " \
                     f"{(1 - hi) * 100:.0f}% to {(1 - lo) * 100:.0f}%)"
    else:
        right_text = (f"there is **no clear evidence either way** on the day-to-day risk of leaving (95% interval "
                      f"from {(1 - lo) * 100:.0f}% lower to {(hi - 1) * 100:.0f}% higher)")
    naive_text = (f"each lowered the risk of leaving by {(1 - n) * 100:.0f}%" if n < 1
                  else f"each raised the risk of leaving by {(n - 1) * 100:.0f}%")
    if (n < 1) != (r < 1):
        look = "protective" if n < 1 else "harmful"
        return (f"Counted over a whole membership, {what_t} look *{look}* (as if {naive_text}), only because "
                f"customers who stayed longer had more time to contact us; counted as they happen, {right_text}.")
    return (f"Counted over a whole membership, {what_t} look as if {naive_text}; counted as they happen, "
            f"{right_text}. Only the second is free of the bias of longer stayers having had more time to "
            "contact us.")


def attributable_sentence(row: Mapping, horizon_days: int, *, what: str = "bad contacts") -> str:
    """The churn over the horizon owed to bad contacts, with its interval, in words.

    The kit's answer to claims such as "67% of churn is preventable": the share of the
    churners a model expects among today's active customers who would be expected to
    stay had their bad contacts gone well, with its interval ("no evidence" when the
    interval includes 0).

    Parameters
    ----------
    row : the row of :func:`cxkit.survival.attributable_churn`.
    horizon_days : the horizon, in days.
    what : the exposure in words (escaped here).

    Example
    -------
    >>> print(attributable_sentence({"expected_churners": 158.9, "attributable_churners": 29.4,
    ...     "attributable_share": 0.186, "ci_low": 0.138, "ci_high": 0.230, "customers": 3672}, 90))
    Of the **159** customers the model expects to leave in the next 90 days (of 3,672 active), about **29** (**19%**, 95% interval 14-23%) would be expected to stay had their bad contacts gone well.
    """
    share, lo, hi = (float(row[k]) for k in ("attributable_share", "ci_low", "ci_high"))
    expected, owed = float(row["expected_churners"]), float(row["attributable_churners"])
    what_t = escape(what)
    base = f" (of {int(row['customers']):,} active)" if "customers" in row else ""
    interval = f"95% interval {pct_range(lo * 100, hi * 100)}"
    if lo <= 0 <= hi:
        return (f"**No evidence** that {what_t} add to the {expected:,.0f} departures the model expects in the "
                f"next {horizon_days} days{base}: the share owed to them is {share:.0%} ({interval}).")
    if share < 0:
        return (f"Of the **{expected:,.0f}** customers the model expects to leave in the next {horizon_days} days"
                f"{base}, more would leave had their {what_t} gone well ({share:.0%}, {interval}).")
    return (f"Of the **{expected:,.0f}** customers the model expects to leave in the next {horizon_days} days{base}, "
            f"about **{owed:,.0f}** (**{share:.0%}**, {interval}) would be expected to stay had their {what_t} "
            "gone well.")


def rmst_sentence(diff_row: Mapping, *, a: str | None = None, b: str | None = None, alpha: float = 0.05,
                  within: str | None = None) -> str:
    """Days of membership kept by one group against another within a horizon, worded by its test, with its interval.

    The restricted mean (RMST) is told as what it is: how many days, on average, members
    stay within the horizon. "Longer" or "less" is written only when the p-value is
    below ``alpha`` and the interval excludes 0; otherwise "no clear difference" with
    the interval both ways.

    Parameters
    ----------
    diff_row : a row of :func:`cxkit.survival.rmst_difference` (``horizon``, ``rmst_a``,
        ``rmst_b``, ``difference``, ``ci_low``, ``ci_high``, ``p_value``, ``group_a``, ``group_b``).
    a, b : the groups in words (default: ``group_a`` and ``group_b`` followed by "members");
        escaped here.
    alpha : the test's level.
    within : the window in words (escaped here), default "within their first {horizon} days";
        e.g. "in the 365 days after day 180" for a landmark comparison.

    Example
    -------
    >>> row = {"group_a": "Club Plus", "group_b": "Club", "horizon": 365.0, "rmst_a": 343.0, "rmst_b": 330.6,
    ...        "difference": 12.4, "ci_low": 8.3, "ci_high": 16.5, "p_value": 0.0001}
    >>> print(rmst_sentence(row))
    Club Plus members stay on average **12.4 days longer** than Club members within their first 365 days (95% interval 8.3 to 16.5 days; 343.0 against 330.6 days, p < 0.001).
    >>> print(rmst_sentence({**row, "rmst_a": 328.7, "difference": -1.9, "ci_low": -7.8, "ci_high": 4.0,
    ...                      "p_value": 0.526}))
    Club Plus members and Club members stay about as long on average within their first 365 days: 328.7 against 330.6 days, no clear difference (-7.8 to +4.0 days, p = 0.526).
    """
    a_t = escape(a if a is not None else f"{diff_row['group_a']} members")
    b_t = escape(b if b is not None else f"{diff_row['group_b']} members")
    h, ra, rb = float(diff_row["horizon"]), float(diff_row["rmst_a"]), float(diff_row["rmst_b"])
    d, lo, hi, p = (float(diff_row[k]) for k in ("difference", "ci_low", "ci_high", "p_value"))
    window = escape(within) if within is not None else f"within their first {h:g} days"
    sign = sign_from_test(d, lo, hi, p, alpha)
    if sign == 0:
        return (f"{capital(a_t)} and {b_t} stay about as long on average {window}: {ra:.1f} against {rb:.1f} days, "
                f"no clear difference ({lo:+.1f} to {hi:+.1f} days, {p_text(p)}).")
    word = "longer" if sign > 0 else "less"
    low, high = sorted((abs(lo), abs(hi)))
    return (f"{capital(a_t)} stay on average **{abs(d):.1f} days {word}** than {b_t} {window} (95% interval "
            f"{low:.1f} to {high:.1f} days; {ra:.1f} against {rb:.1f} days, {p_text(p)}).")


def risk_check_sentence(concordance: float, predicted: float, observed: int, *, horizon_days: int) -> str:
    """How a churn-risk score did on a time holdout: its ranking and its total, in words.

    Example
    -------
    >>> risk_check_sentence(0.59, 170.2, 156, horizon_days=90)
    'Checked on the last 90 days, the risk score ranked leavers above stayers 59% of the time (50% is chance); it predicted 170 departures and 156 happened.'
    """
    return (f"Checked on the last {horizon_days} days, the risk score ranked leavers above stayers "
            f"{concordance:.0%} of the time (50% is chance); it predicted {predicted:,.0f} departures and "
            f"{int(observed):,} happened.")


def risk_list_sentence(top: pd.Series, everyone: pd.Series, *, horizon_days: int) -> str:
    """The customers most at risk against the average active customer.

    Example
    -------
    >>> risk_list_sentence(pd.Series([0.15, 0.28]), pd.Series([0.02, 0.05, 0.15, 0.28]), horizon_days=90)
    'The 2 members most at risk have a 15%-28% chance of leaving in the next 90 days (average member 12.5%).'
    """
    return (f"The {len(top)} members most at risk have a {top.min():.0%}-{top.max():.0%} chance of leaving in the "
            f"next {horizon_days} days (average member {everyone.mean():.1%}).")


__all__ += ["risk_check_sentence", "risk_list_sentence"]


# --------------------------------------------------------------------------- drivers (the K-mart lesson)


def and_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def driver_sentence(importance: pd.DataFrame, *, who: str, outcome: str = "CSAT", k: int = 2,
                    period: str | None = None) -> str:
    """The drivers that explain the largest shares of satisfaction for a group, with their intervals.

    "Matter most" is said of the first ``k`` drivers only when the k-th driver's interval
    lies wholly above the next driver's (a conservative test: intervals that do not overlap);
    otherwise the sentence adds that the lead is not clear.

    Parameters
    ----------
    importance : a table of :func:`cxkit.drivers.driver_importance` (``driver``,
        ``share``, ``share_low``, ``share_high``).
    who : the group, starting the sentence (escaped here).
    k : how many drivers to name.
    period : the answers' period, named at the end (escaped here).

    Example
    -------
    >>> imp = pd.DataFrame({"driver": ["availability", "accountability", "clarity"], "share": [0.44, 0.22, 0.12],
    ...                     "share_low": [0.31, 0.15, 0.05], "share_high": [0.56, 0.33, 0.14]})
    >>> print(driver_sentence(imp, who="For the top 10% of spenders"))
    For the top 10% of spenders, **availability** (44% of what the drivers explain of CSAT, 95% interval 31-56%) and **accountability** (22%, 15-33%) matter most.
    >>> print(driver_sentence(imp.assign(share_low=[0.31, 0.1, 0.05]), who="For the rest", k=2))
    For the rest, **availability** (44% of what the drivers explain of CSAT, 95% interval 31-56%) and **accountability** (22%, 10-33%) explain the largest shares, though not clearly more than **clarity** (the intervals overlap).
    """
    ranked = importance.dropna(subset=["share"]).sort_values("share", ascending=False, kind="mergesort")
    top = ranked.head(k)
    who = escape(who) + (f" ({escape(period)})" if period else "")
    parts = []
    for i, row in enumerate(top.itertuples(index=False)):
        what = f" of what the drivers explain of {escape(outcome)}, 95% interval " if i == 0 else ", "
        parts.append(f"**{escape(row.driver)}** ({row.share:.0%}{what}{row.share_low * 100:.0f}-"
                     f"{row.share_high * 100:.0f}%)")
    if len(ranked) <= len(top) or top["share_low"].iloc[-1] > ranked["share_high"].iloc[len(top)]:
        return f"{who}, {and_list(parts)} {'matters' if len(parts) == 1 else 'matter'} most."
    after = escape(ranked["driver"].iloc[len(top)])
    verb = "explains the largest share" if len(parts) == 1 else "explain the largest shares"
    return (f"{who}, {and_list(parts)} {verb}, though not clearly more than **{after}** "
            "(the intervals overlap).")


def driver_difference_sentence(difference: pd.DataFrame, *, a: str, b: str, outcome: str = "CSAT",
                               most: int = 3, period: str | None = None) -> str:
    """Which drivers matter more (or less) to one group than another, by the test of the difference.

    Only drivers whose difference in share has an interval that excludes 0 are named,
    so "the top spenders care about different things" is said only when it is shown.

    Parameters
    ----------
    difference : :func:`cxkit.drivers.importance_difference` (``driver``, ``share_a``,
        ``share_b``, ``difference``, ``difference_low``, ``difference_high``, ``excludes_zero``).
    a, b : the two groups in words (escaped here), e.g. "the top 10% of spenders", "everyone else".
    period : the answers' period (escaped here).

    Example
    -------
    >>> d = pd.DataFrame({"driver": ["availability", "quickness"], "share_a": [0.44, 0.08], "share_b": [0.18, 0.19],
    ...                   "difference": [0.26, -0.11], "difference_low": [0.12, -0.18], "difference_high": [0.4, -0.03],
    ...                   "excludes_zero": [True, True]})
    >>> print(driver_difference_sentence(d, a="the top 10% of spenders", b="everyone else"))
    **Availability** weighs more in the CSAT of the top 10% of spenders than of everyone else (44% against 18%, a difference of 26 points, 95% interval 12 to 40). **Quickness** weighs less (8% against 19%, -11 points, 95% interval -18 to -3).
    """
    when = f" ({escape(period)})" if period else ""
    tail = f"; {escape(period)}" if period else ""
    clear = difference[difference["excludes_zero"].astype(bool)]
    clear = clear.reindex(clear["difference"].abs().sort_values(ascending=False, kind="mergesort").index).head(most)
    if clear.empty:
        return (f"No driver weighs clearly more or less in the {escape(outcome)} of {escape(a)} than of "
                f"{escape(b)}{when}: every difference's 95% interval includes zero.")
    out = []
    for i, row in enumerate(clear.itertuples(index=False)):
        name = escape(str(row.driver))
        name = name[0].upper() + name[1:]
        word = "more" if row.difference > 0 else "less"
        pts, lo, hi = row.difference * 100, row.difference_low * 100, row.difference_high * 100
        if i == 0:
            out.append(f"**{name}** weighs {word} in the {escape(outcome)} of {escape(a)} than of {escape(b)} "
                       f"({row.share_a:.0%} against {row.share_b:.0%}, a difference of {pts:.0f} points, "
                       f"95% interval {lo:.0f} to {hi:.0f}{tail}).")
        else:
            out.append(f"**{name}** weighs {word} ({row.share_a:.0%} against {row.share_b:.0%}, {pts:.0f} points, "
                       f"95% interval {lo:.0f} to {hi:.0f}).")
    return " ".join(out)


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


def quadrant_sentence(quadrants: pd.DataFrame, *, who: str, period: str | None = None) -> str:
    """Where to act for a group: the drivers in "Fix first", or that none are.

    Parameters
    ----------
    quadrants : rows of :func:`cxkit.drivers.importance_performance` for one group
        (``driver``, ``quadrant``, ``importance``).
    who : the group (escaped here).
    period : the answers' period (escaped here).

    Example
    -------
    >>> q = pd.DataFrame({"driver": ["availability", "clarity"], "quadrant": ["Fix first", "Maintain"],
    ...                   "importance": [0.44, 0.1]})
    >>> print(quadrant_sentence(q, who="the top 10% of spenders"))
    Fix first for the top 10% of spenders: **availability** (more than the average driver's share of their satisfaction, and rated below the drivers' average).
    """
    fix = quadrants[quadrants["quadrant"] == "Fix first"].sort_values("importance", ascending=False, kind="mergesort")
    when = f" ({escape(period)})" if period else ""
    if fix.empty:
        return (f"For {escape(who)}{when}, no driver is both above the average in importance and below the average in "
                "rating: keep up the strongest drivers.")
    names = [f"**{escape(d)}**" for d in fix["driver"]]
    return (f"Fix first for {escape(who)}{when}: {and_list(names)} (more than the average driver's share of their "
            "satisfaction, and rated below the drivers' average).")
