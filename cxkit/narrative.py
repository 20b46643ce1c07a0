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
from collections.abc import Mapping
from typing import Any

import pandas as pd

__all__ = ["escape", "scorecard_sentences", "difference_sentence", "forecast_warnings", "as_bullets"]

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
_STATUS = {
    "met": "goal met",
    "not met": "short of the goal",
    "within noise": "too close to the goal to call",
    "no data": "no data",
}


def scorecard_sentences(scorecard: pd.DataFrame, gaps: pd.DataFrame | None = None) -> list[str]:
    """One sentence per headline metric with its interval, base and goal status.

    Parameters
    ----------
    scorecard : output of :func:`cxkit.metrics.cx_scorecard` (ungrouped).
    gaps : optional output of :func:`cxkit.metrics.gap_analysis` on that scorecard.

    Example
    -------
    >>> sc = pd.DataFrame({"metric": ["NPS"], "value": [27.2], "ci_low": [24.6], "ci_high": [29.7], "n": [3421]})
    >>> scorecard_sentences(sc)
    ['NPS is **+27** (95% interval +25 to +30, 3,421 answers).']
    """
    status = {} if gaps is None else gaps.set_index("metric")[["goal", "status"]].to_dict("index")
    lines = []
    for row in scorecard.itertuples(index=False):
        text, goal_fmt = _FORMATS.get(row.metric, ("{metric} is {value:.2f} (interval {low:.2f}-{high:.2f}, "
                                                    "{n:,} answers)", "{goal:g}"))
        if pd.isna(row.value):
            lines.append(f"{escape(row.metric)}: no answers.")
            continue
        sentence = text.format(metric=escape(row.metric), value=row.value, low=row.ci_low, high=row.ci_high,
                               n=int(row.n))
        if row.metric in status:
            goal = goal_fmt.format(goal=status[row.metric]["goal"])
            state = status[row.metric]["status"]
            sentence += f" against a goal of {goal}: {_STATUS.get(state, escape(state))}"
        lines.append(sentence[0].upper() + sentence[1:] + ".")
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
    """Describe one row of :func:`cxkit.metrics.compare` in words that follow its test.

    ``subject``, ``other``, ``measure`` and ``unit`` are escaped (a subject is often a
    segment name from the data): pass them as plain text.

    Example
    -------
    >>> row = {"value_a": 51.4, "value_b": 79.3, "diff": -27.9, "p_value": 1e-9}
    >>> difference_sentence(row, subject="The top 10% of spenders", other="everyone else",
    ...                     measure="satisfied with delivery")
    'The top 10% of spenders are **less** satisfied with delivery: 51.4 against 79.3 for everyone else, 27.9 points lower (p < 0.001).'
    """
    a, b, d, p = (float(comparison[k]) for k in ("value_a", "value_b", "diff", "p_value"))
    ptext = "p < 0.001" if p < 0.001 else f"p = {p:.3f}"
    subject, other, measure, unit = escape(subject), escape(other), escape(measure), escape(unit)
    words = measure.split(" ", 1)
    head, tail = words[0], (" " + words[1] if len(words) > 1 else "")
    if p >= alpha:
        return (f"{subject} and {other} are about equally {head}{tail}: {a:.1f} against {b:.1f}, "
                f"a difference within the noise ({ptext}).")
    direction = "more" if d > 0 else "less"
    return (f"{subject} are **{direction}** {head}{tail}: {a:.1f} against {b:.1f} for {other}, "
            f"{abs(d):.1f}{unit} {'higher' if d > 0 else 'lower'} ({ptext}).")


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
    holdout : output of :func:`cxkit.clv_diagnostics.holdout_error` (``actual``, ``error_pct``).
    deciles : optional output of :func:`cxkit.clv_diagnostics.holdout_by_decile`.
    max_error_pct : largest total holdout error (in %, either way) that passes.

    Returns
    -------
    list of str, Markdown sentences starting "Check:"; empty when every check passes.

    Example
    -------
    >>> forecast_warnings(pd.DataFrame({"actual": [410.0], "error_pct": [31.2]}))
    ['Check: the holdout error is +31%, larger than 25%; treat the forecast with caution.']
    """
    row = holdout.iloc[0]
    lines = []
    if not row["actual"] > 0:
        lines.append("Check: no purchases fell in the holdout period, so the forecast could not be checked; "
                     "treat it with caution.")
    elif math.isnan(float(row["error_pct"])) or abs(float(row["error_pct"])) > max_error_pct:
        lines.append(f"Check: the holdout error is {float(row['error_pct']):+.0f}%, larger than {max_error_pct:g}%; "
                     "treat the forecast with caution.")
    if deciles is not None and len(deciles) >= 2:
        by = deciles.sort_values("decile")
        low, high = float(by["actual"].iloc[0]), float(by["actual"].iloc[-1])
        if high < low:
            lines.append(f"Check: the customers the forecast ranks highest bought less in the holdout than those it "
                         f"ranks lowest ({high:,.0f} against {low:,.0f} purchases); treat its ranking of "
                         "customers with caution.")
    return lines


def as_bullets(lines: list[str]) -> str:
    """Join sentences as a Markdown bullet list."""
    return "\n".join(f"- {line}" for line in lines if line)
