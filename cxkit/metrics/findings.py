"""The headline results of the CX metrics report as findings, each with its sentence, numbers and test.

The summary of the CX metrics report says how much of the period the tables cover, each
headline metric with its interval, base and period against its goal, whether the top
spenders feel the same as everyone else (by the test of the difference, never by two
means alone), the share of revenue they bring, the spend-weighted CSAT and the range of
first-contact resolution across channels. :func:`metrics_findings` returns them as
:class:`cxkit.findings.Finding` records (theme ``"metrics"``) in that order, so the
notebook's summary, the board report and any check read the same numbers and sentences.

Example
-------
>>> card = pd.DataFrame({"metric": ["NPS"], "value": [27.2], "ci_low": [24.6], "ci_high": [29.7], "n": [3421]})
>>> gaps = pd.DataFrame({"metric": ["NPS"], "goal": [35.0], "status": ["not met"]})
>>> nps, = metrics_findings(card, gaps, goals={"NPS": 35})
>>> nps.direction, nps.base
('short', {'answers': 3421})
"""
# Docstring examples print whole board sentences: their expected output cannot wrap.
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from cxkit.findings import Finding
from cxkit.metrics.sentences import NO_GOALS_SET, scorecard_sentences, service_sentence
from cxkit.narrative import (
    coverage_sentence,
    difference_sentence,
    interval_of,
    sign_from_test,
    value_share_sentence,
    weighted_sentence,
)

__all__ = ["THEME", "GOAL_DIRECTIONS", "metrics_findings", "scorecard_findings", "coverage_finding"]

#: The theme every finding here carries.
THEME = "metrics"

#: A goal's status (:func:`cxkit.metrics.gap_analysis`) as the direction of its finding.
GOAL_DIRECTIONS = {"met": "met", "not met": "short", "within noise": "too close to call"}

_WHAT = {"NPS": "NPS", "CSAT": "CSAT (top-2-box %)", "CES": "CES (mean on 1-7)"}
_UNITS = {"NPS": "points", "CSAT": "%", "CES": "points on 1-7"}
_TESTS = {"NPS": "z-test (trinomial variance)", "CSAT": "z-test of two proportions", "CES": "Welch t-test"}
_MEASURES = {"NPS": "likely to recommend us (NPS)", "CSAT": "satisfied (CSAT top-2-box %)",
             "CES": "at ease (CES mean on 1-7)"}
_SIGNS = {1: "higher", -1: "lower", 0: "no clear difference"}


def _number(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def scorecard_findings(scorecard: pd.DataFrame, gaps: pd.DataFrame | None = None, *,
                       period: str | None = None) -> list[Finding]:
    """One finding per headline metric: its value, interval, base and period, and its goal's status as direction.

    The direction is the goal's status (``"met"``, ``"short"``, ``"too close to call"``)
    where a goal is set for the metric, else ``"none"``; the sentence is that of
    :func:`cxkit.metrics.sentences.scorecard_sentences` (without the no-goals note).

    Parameters
    ----------
    scorecard : output of :func:`cxkit.metrics.cx_scorecard` (ungrouped).
    gaps : optional output of :func:`cxkit.metrics.gap_analysis` on that scorecard.
    period : the period the answers cover (:attr:`cxkit.periods.Period.label`).

    Returns
    -------
    list of Finding, one per row of ``scorecard``, keyed by the metric's name in lower case.

    Example
    -------
    >>> card = pd.DataFrame({"metric": ["CSAT"], "value": [78.0], "ci_low": [75.9], "ci_high": [79.9], "n": [1633]})
    >>> csat, = scorecard_findings(card, period="the 12 months to 31 Dec 2025")
    >>> csat.direction, csat.estimate, csat.unit
    ('none', 78.0, '%')
    """
    lines = scorecard_sentences(scorecard, gaps, period=period, goals_note=False)
    have_goals = gaps is not None and len(gaps) > 0
    status = gaps.set_index("metric")[["goal", "status"]].to_dict("index") if have_goals else {}
    out = []
    for row, sentence in zip(scorecard.to_dict("records"), lines, strict=True):
        name = str(row["metric"])
        goal = status.get(row["metric"])
        out.append(Finding(
            theme=THEME, key=name.lower(), what=_WHAT.get(name, name), sentence=sentence,
            estimate=_number(row["value"]), low=_number(row["ci_low"]), high=_number(row["ci_high"]),
            unit=_UNITS.get(name), period=period, base={"answers": int(row["n"])},
            test=None if goal is None else "the goal against the 95% interval",
            direction="none" if goal is None else GOAL_DIRECTIONS.get(str(goal["status"]), "none")))
    return out


def coverage_finding(coverage: pd.DataFrame | None, period: str | None = None) -> Finding | None:
    """What each table holds of the reporting period, as a finding; None when every table covers it all.

    Parameters
    ----------
    coverage : output of :func:`cxkit.periods.coverage`.
    period : the reporting period's label.

    Example
    -------
    >>> coverage_finding(None) is None
    True
    """
    sentence = coverage_sentence(coverage) if coverage is not None else None
    if not sentence:
        return None
    return Finding(theme=THEME, key="coverage", what="the tables' coverage of the reporting period",
                   sentence=sentence, period=period,
                   base={str(t): int(n) for t, n in zip(coverage["table"], coverage["rows"], strict=True)})


def _no_goals_finding(goals: Mapping[str, float] | None) -> Finding | None:
    if goals:
        return None
    return Finding(theme=THEME, key="no_goals", what="goals", sentence=NO_GOALS_SET)


def _one_row(comparison: pd.DataFrame | pd.Series | Mapping) -> pd.Series | Mapping:
    if isinstance(comparison, pd.DataFrame):
        if len(comparison) != 1:
            raise ValueError(f"top_vs_rest must be the one comparison of metrics.compare(..., a=True); got "
                             f"{len(comparison)} rows")
        return comparison.iloc[0]
    return comparison


def _top_vs_rest_finding(comparison: pd.DataFrame | pd.Series | Mapping, *, who: str, period: str | None,
                         alpha: float) -> Finding:
    row = _one_row(comparison)
    metric = str(row.get("metric", "CSAT"))
    sentence = difference_sentence(row, subject=who, other="everyone else",
                                   measure=_MEASURES.get(metric, f"satisfied ({metric})"), alpha=alpha)
    low, high = interval_of(row)
    p_value = float(row["p_value"])
    sign = sign_from_test(float(row["diff"]), low, high, p_value, alpha)
    base = {"answers": int(row["n_a"]), "answers from everyone else": int(row["n_b"])} if "n_a" in row else {}
    return Finding(theme=THEME, key="top_vs_rest", what=f"{metric}: {who[:1].lower() + who[1:]} against everyone else",
                   sentence=sentence, estimate=float(row["diff"]), low=low, high=high, unit="points", period=period,
                   base=base, test=_TESTS.get(metric), p_value=p_value, direction=_SIGNS[sign])


def _weighted_finding(weighted: pd.DataFrame, metric: str = "CSAT") -> Finding | None:
    rows = weighted[weighted["metric"] == metric]
    per_answer = rows[rows["weighting"] == "per answer"]
    by_value = rows[rows["weighting"] != "per answer"]
    if per_answer.empty or by_value.empty:
        return None
    plain, heavy = per_answer.iloc[0], by_value.iloc[0]
    weight = str(heavy["weighting"]).removeprefix("by ")
    sentence = weighted_sentence(plain, heavy, metric=metric, weight=weight)
    return Finding(theme=THEME, key=f"{metric.lower()}_weighted", what=f"{metric} weighted by {weight}",
                   sentence=sentence, estimate=float(heavy["value"]), low=_number(heavy["ci_low"]),
                   high=_number(heavy["ci_high"]), unit=_UNITS.get(metric),
                   base={"answers": int(heavy["n"]), "effective answers": round(float(heavy["n_effective"]))})


def _service_finding(service: pd.DataFrame, period: str | None, group: str = "channel") -> Finding | None:
    sentence = service_sentence(service, group=group, period=period)
    if sentence is None:
        return None
    rows = service[service[group] != "All"]
    return Finding(theme=THEME, key="fcr_range", what="first-contact resolution across channels", sentence=sentence,
                   unit="%", period=period, base={"contacts with a known outcome": int(rows["fcr_base"].sum())})


def metrics_findings(
    scorecard: pd.DataFrame,
    gaps: pd.DataFrame | None = None,
    *,
    period: str | None = None,
    goals: Mapping[str, float] | None = None,
    coverage: pd.DataFrame | None = None,
    top: str | None = None,
    top_vs_rest: pd.DataFrame | pd.Series | Mapping | None = None,
    top_share: float | None = None,
    weighted: pd.DataFrame | None = None,
    service: pd.DataFrame | None = None,
    alpha: float = 0.05,
) -> list[Finding]:
    """The headline results of the CX metrics report, in the order its summary tells them.

    A board summary that reads its figures from findings states each with its interval,
    base and period, and words a comparison only as its test allows. In order: the tables
    that end before the period does (:func:`cxkit.narrative.coverage_sentence`); each
    headline metric against its goal (:func:`scorecard_findings`); that no goals are set;
    the top spenders against everyone else, direction from the test of the difference and
    its interval ("higher", "lower", "no clear difference"); their share of revenue; the
    spend-weighted score beside the per-answer one; first-contact resolution across
    channels. A result not given (``None``) is left out, and so is a line with nothing to
    say (every table covers the period, fewer than two channels).

    Parameters
    ----------
    scorecard : :func:`cxkit.metrics.cx_scorecard` of the period's answers.
    gaps : :func:`cxkit.metrics.gap_analysis` of that scorecard (``None`` or empty: no goals).
    period : the period in words (:attr:`cxkit.periods.Period.label`).
    goals : the goals set for the run (``cx.settings.goals``); empty or ``None`` adds the
        line saying that no goals are set.
    coverage : :func:`cxkit.periods.coverage` of the period.
    top : the top spenders' group in words, e.g. ``"top 10%"`` (the findings say "the top
        10% of spenders"); needed with ``top_vs_rest`` or ``top_share``.
    top_vs_rest : the one row (or one-row frame) of :func:`cxkit.metrics.compare` of the
        top spenders (A) against everyone else (B).
    top_share : the top spenders' share of the period's revenue (0 to 1).
    weighted : :func:`cxkit.metrics.weighted_scorecard` of the same answers.
    service : :func:`cxkit.metrics.service_metrics` of the period's contacts.
    alpha : the level of the test of the difference.

    Returns
    -------
    list of Finding, theme ``"metrics"``.

    Example
    -------
    >>> card = pd.DataFrame({"metric": ["CSAT"], "value": [78.0], "ci_low": [75.9], "ci_high": [79.9], "n": [1633]})
    >>> row = {"metric": "CSAT", "value_a": 53.8, "value_b": 80.1, "diff": -26.3, "ci_low": -35.0,
    ...        "ci_high": -17.6, "p_value": 1e-9, "n_a": 132, "n_b": 1501}
    >>> found = metrics_findings(card, top="top 10%", top_vs_rest=row, top_share=0.42)
    >>> [(f.key, f.direction) for f in found]
    [('csat', 'none'), ('no_goals', 'none'), ('top_vs_rest', 'lower'), ('top_revenue_share', 'none')]
    >>> print(found[2])
    The top 10% of spenders are **less** satisfied &#40;CSAT top-2-box %&#41;: 53.8 against 80.1 for everyone else, 26.3 points lower (95% interval 17.6 to 35.0, p < 0.001).
    """
    if top is None and (top_vs_rest is not None or top_share is not None):
        raise ValueError("metrics_findings needs top (the top spenders' group in words, e.g. 'top 10%') to word "
                         "top_vs_rest and top_share")
    who = f"The {top} of spenders"
    found: list[Finding | None] = [coverage_finding(coverage, period)]
    found += scorecard_findings(scorecard, gaps, period=period)
    found.append(_no_goals_finding(goals))
    if top_vs_rest is not None:
        found.append(_top_vs_rest_finding(top_vs_rest, who=who, period=period, alpha=alpha))
    if top_share is not None:
        found.append(Finding(theme=THEME, key="top_revenue_share", what=f"the {top} of spenders' share of revenue",
                             sentence=value_share_sentence(top_share, who=who, period=period),
                             estimate=float(top_share), unit="share of revenue", period=period))
    if weighted is not None:
        found.append(_weighted_finding(weighted))
    if service is not None:
        found.append(_service_finding(service, period))
    return [f for f in found if f is not None]
