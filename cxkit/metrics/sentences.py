"""The metrics theme's board sentences: the headline scorecard and first-contact resolution.

Each headline figure is told with its interval, its base and its period, and set against
a goal only when a goal is set (:data:`NO_GOALS` says how to set them otherwise). The
shared phrasing (escaping, p-values, the tested differences) comes from
:mod:`cxkit.narrative`; these sentences belong to :mod:`cxkit.metrics` and sit beside it.
:mod:`cxkit.metrics.findings` turns them into the notebook summary's findings.

Example
-------
>>> sc = pd.DataFrame({"metric": ["NPS"], "value": [27.2], "ci_low": [24.6], "ci_high": [29.7], "n": [3421]})
>>> print(scorecard_sentences(sc, goals_note=False)[0])
NPS is **+27** (95% interval +25 to +30, 3,421 answers).
"""
# Docstring examples print whole board sentences: their expected output cannot wrap.
from __future__ import annotations

import pandas as pd

from cxkit.narrative import escape

__all__ = ["scorecard_sentences", "service_sentence", "NO_GOALS", "NO_GOALS_SET", "SCALE_WORDS"]

#: How each headline metric's scale reads on a chart axis, where no goal panel names it.
SCALE_WORDS = {"NPS": "NPS (\u2212100 to +100)", "CSAT": "CSAT top-2-box %", "CES": "CES mean (1-7)"}

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
