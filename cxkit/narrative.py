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
>>> print(p_text(0.0004), "|", escape("<b>Club</b>"))
p < 0.001 | &lt;b&gt;Club&lt;/b&gt;
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from cxkit.display import format_money
from cxkit.findings import Finding, sentences

__all__ = ["escape", "p_text", "difference_sentence", "value_difference_sentence",
           "weighted_sentence", "value_share_sentence", "facts_line", "as_bullets",
           "coverage_sentence", "coverage_bases",
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


def as_bullets(lines: Iterable[Finding | str | None]) -> str:
    """Join sentences, or the sentences of findings, as a Markdown bullet list; ``None`` and "" are skipped.

    >>> from cxkit.findings import Finding
    >>> print(as_bullets(["NPS is 31.", None, Finding(theme="clv", key="total", what="CLV", sentence="CLV is £1m.")]))
    - NPS is 31.
    - CLV is £1m.
    """
    return "\n".join(f"- {line}" for line in sentences(lines) if line)


# --------------------------------------------------------------------------- phrasing the themes' sentences share


def pct_range(a: float, b: float) -> str:
    return f"{a:.0f}-{b:.0f}%" if a >= 0 else f"{a:.0f} to {b:.0f}%"


def capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def lower_first(text: str) -> str:
    """Lower the first letter of a phrase that starts a sentence, but not of an acronym ("CSAT")."""
    return text[:1].lower() + text[1:] if text[:2].istitle() or text[1:2].islower() else text


def and_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
