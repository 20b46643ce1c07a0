"""Plain sentences from tidy results, for "what to tell the board" sections and reports.

Numbers in a board summary must come from the analysis, never be typed in, and the
wording must follow the numbers: "higher" only when it is higher, "significant" only
when the test says so. These helpers write those sentences from cxkit's tidy tables.

Example
-------
>>> sc = metrics.cx_scorecard(surveys)                       # doctest: +SKIP
>>> print(scorecard_sentences(sc, metrics.gap_analysis(sc, {"NPS": 30})))  # doctest: +SKIP
"""
from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

__all__ = ["scorecard_sentences", "difference_sentence", "as_bullets"]

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
            lines.append(f"{row.metric}: no answers.")
            continue
        sentence = text.format(metric=row.metric, value=row.value, low=row.ci_low, high=row.ci_high, n=int(row.n))
        if row.metric in status:
            goal = goal_fmt.format(goal=status[row.metric]["goal"])
            sentence += f" against a goal of {goal}: {_STATUS.get(status[row.metric]['status'], status[row.metric]['status'])}"
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

    Example
    -------
    >>> row = {"value_a": 51.4, "value_b": 79.3, "diff": -27.9, "p_value": 1e-9}
    >>> difference_sentence(row, subject="The top 10% of spenders", other="everyone else",
    ...                     measure="satisfied (CSAT top-2-box %)")
    'The top 10% of spenders are **less** satisfied (CSAT top-2-box %): 51.4 against 79.3 for everyone else, 27.9 points lower (p < 0.001).'
    """
    a, b, d, p = (float(comparison[k]) for k in ("value_a", "value_b", "diff", "p_value"))
    ptext = "p < 0.001" if p < 0.001 else f"p = {p:.3f}"
    words = measure.split(" ", 1)
    head, tail = words[0], (" " + words[1] if len(words) > 1 else "")
    if p >= alpha:
        return (f"{subject} and {other} are about equally {head}{tail}: {a:.1f} against {b:.1f}, "
                f"a difference within the noise ({ptext}).")
    direction = "more" if d > 0 else "less"
    return (f"{subject} are **{direction}** {head}{tail}: {a:.1f} against {b:.1f} for {other}, "
            f"{abs(d):.1f}{unit} {'higher' if d > 0 else 'lower'} ({ptext}).")


def as_bullets(lines: list[str]) -> str:
    """Join sentences as a Markdown bullet list."""
    return "\n".join(f"- {line}" for line in lines if line)
