"""The value of dissatisfaction's headline results as :class:`~cxkit.findings.Finding` records.

A board reads "the top spenders are less satisfied" or "happier customers do not spend
more afterwards" only as far as the test behind it goes. Each function here keeps the
sentence together with its estimate, interval, currency, period, base, test and the
direction the test supports (theme ``"spend"``), so the notebook's summary, the board
report and the deck render the same records and nothing edits a sentence afterwards.

* :func:`satisfaction_by_value_finding`: the top value tier's satisfaction against
  everyone else's (:func:`cxkit.spend.top_tier_comparison`).
* :func:`weighted_metric_finding`: a headline metric weighted by spend beside its per-answer
  value (:func:`cxkit.spend.spend_weighted_scorecard`).
* :func:`revenue_at_risk_finding`: the top tier's revenue held by dissatisfied or neutral
  customers (:func:`cxkit.spend.revenue_at_risk`).
* :func:`spend_by_satisfaction_finding`: the spend of the dissatisfied against the
  satisfied (:func:`cxkit.spend.compare_spend_by_satisfaction`).
* :func:`future_spend_finding`: the slope of future spend on the rating
  (:func:`cxkit.spend.future_spend_models`).
* :func:`spend_findings`: those the summary reads, in its order.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from cxkit.findings import Finding
from cxkit.narrative import (
    date_text,
    difference_sentence,
    interval_of,
    sign_from_test,
    value_difference_sentence,
    weighted_sentence,
)
from cxkit.spend.sentences import future_spend_sentence, revenue_at_risk_sentence

__all__ = ["THEME", "future_spend_finding", "revenue_at_risk_finding", "satisfaction_by_value_finding",
           "spend_by_satisfaction_finding", "spend_findings", "weighted_metric_finding"]

#: The theme every finding here belongs to.
THEME = "spend"

#: The test :func:`cxkit.metrics.compare` runs for each headline metric.
_METRIC_TESTS = {"NPS": "z-test of the difference (trinomial variance of each group)",
                 "CSAT": "z-test of the difference in top-box shares (unpooled variances)",
                 "CES": "Welch t-test on the means"}
_UNITS = {"NPS": "points", "CSAT": "%", "CES": "mean rating"}


def _direction(sign: int) -> str:
    return "higher" if sign > 0 else "lower" if sign < 0 else "no clear difference"


def _interval_direction(estimate: float, low: float, high: float) -> str:
    """The direction an interval supports: clear of zero one way or the other, or not."""
    return "no clear difference" if low <= 0 <= high else "higher" if estimate > 0 else "lower"


def _population_words(population: Any) -> str:
    """Who a money comparison covered, as a sentence names them: "active customers" or "customers"."""
    return "active customers" if population == "active customers" else "customers"


def satisfaction_by_value_finding(comparison: pd.Series | Mapping, *, spenders: str, metric: str,
                                  other: str = "everyone else", period: str | None = None,
                                  alpha: float = 0.05) -> Finding:
    """Are the top spenders as satisfied as everyone else? The tested difference, with its sentence.

    "More" or "less" satisfied is said, and ``direction`` is ``"higher"`` or ``"lower"``,
    only when the test finds a difference (p below ``alpha``, the interval clear of zero).

    Parameters
    ----------
    comparison : the row of :func:`cxkit.spend.top_tier_comparison` (``value_a``, ``value_b``,
        ``n_a``, ``n_b``, ``diff``, ``ci_low``, ``ci_high``, ``p_value``); A is the top tier.
    spenders : the top tier in words (``"the top 10% of spenders"``), starting the sentence.
    metric : the headline metric compared (``"CSAT"``).
    other : everyone else, in words.
    period : the answers' period.
    alpha : the test's level.

    Returns
    -------
    :class:`~cxkit.findings.Finding` with key ``"satisfaction_by_value"``.

    Example
    -------
    >>> row = {"value_a": 53.8, "value_b": 80.1, "n_a": 160, "n_b": 1473, "diff": -26.3, "ci_low": -35.0,
    ...        "ci_high": -17.6, "p_value": 1e-9}
    >>> f = satisfaction_by_value_finding(row, spenders="the top 10% of spenders", metric="CSAT")
    >>> f.direction, f.sentence
    ('lower', 'The top 10% of spenders are **less** satisfied &#40;CSAT&#41;: 53.8 against 80.1 for everyone else, 26.3 points lower (95% interval 17.6 to 35.0, p < 0.001).')
    """
    estimate, p_value = float(comparison["diff"]), float(comparison["p_value"])
    low, high = interval_of(comparison)
    sentence = difference_sentence(comparison, subject=spenders.capitalize(), other=other,
                                   measure=f"satisfied ({metric})", alpha=alpha)
    return Finding(theme=THEME, key="satisfaction_by_value", what=f"{metric}: {spenders} against {other}",
                   sentence=sentence, estimate=estimate, low=low, high=high, ci=1 - alpha,
                   unit=_UNITS.get(metric.upper(), "points"), period=period,
                   base={"answers, top tier": int(comparison["n_a"]), f"answers, {other}": int(comparison["n_b"])},
                   test=_METRIC_TESTS.get(metric.upper(), "two-sided test of the difference"), p_value=p_value,
                   direction=_direction(sign_from_test(estimate, low, high, p_value, alpha)))


def weighted_metric_finding(scorecard: pd.DataFrame, *, metric: str, weighting: str = "by annual spend",
                            weight: str = "annual spend", period: str | None = None) -> Finding:
    """A headline metric weighted by each customer's spend, beside its value per answer.

    How satisfied is the *revenue*? The weighted figure's base is its effective number of
    answers (far below the answers when a few customers carry much weight). The two
    figures are not independent samples, so no comparison is claimed (``direction``
    ``"none"``); the tested one is :func:`satisfaction_by_value_finding`.

    Parameters
    ----------
    scorecard : :func:`cxkit.spend.spend_weighted_scorecard` (``weighting``, ``metric``,
        ``n``, ``n_effective``, ``value``, ``ci_low``, ``ci_high``).
    metric : the headline metric (``"CSAT"``).
    weighting : the weighted rows' label in ``weighting``.
    weight : what each answer is weighted by, in words.
    period : the answers' period.

    Example
    -------
    >>> sc = pd.DataFrame({"weighting": ["per answer", "by annual spend"], "metric": ["CSAT"] * 2, "n": [3566] * 2,
    ...                    "n_effective": [3566.0, 412.0], "value": [77.1, 66.8], "ci_low": [75.6, 62.0],
    ...                    "ci_high": [78.5, 71.3]})
    >>> print(weighted_metric_finding(sc, metric="CSAT"))
    Weighted by each customer's annual spend, CSAT is 67% (95% interval 62-71%, effective base 412 answers); per answer it is 77% (76-78%, 3,566 answers).
    """
    rows = scorecard[scorecard["metric"] == metric]
    per_answer = rows[rows["weighting"] == "per answer"].iloc[0]
    weighted = rows[rows["weighting"] == weighting].iloc[0]
    return Finding(theme=THEME, key="weighted_metric", what=f"{metric} weighted by {weight}",
                   sentence=weighted_sentence(per_answer, weighted, metric=metric, weight=weight, period=period),
                   estimate=weighted["value"], low=weighted["ci_low"], high=weighted["ci_high"],
                   unit=_UNITS.get(metric.upper()), period=period,
                   base={"answers": int(weighted["n"]), "effective answers": round(float(weighted["n_effective"]))})


def revenue_at_risk_finding(risk: pd.DataFrame, *, segment: Any, who: str, column: str = "value_tier",
                            period: str | None = None, currency: str | None = None) -> Finding:
    """The revenue of one value segment held by dissatisfied or neutral customers, with its sentence.

    The money at risk is a sum, not a comparison: there is no test (``direction`` ``"none"``).

    Parameters
    ----------
    risk : :func:`cxkit.spend.revenue_at_risk` by ``column``.
    segment : the segment's label in ``column`` (``"Top 10%"``).
    who : the segment's customers in words (escaped in the sentence).
    period : the revenue's period; currency : the money's currency.

    Returns
    -------
    :class:`~cxkit.findings.Finding` with key ``"revenue_at_risk"``: the revenue from
    dissatisfied or neutral customers; ``base``: the segment's customers compared.

    Example
    -------
    >>> r = pd.DataFrame({"value_tier": ["Top 10%"] * 4, "satisfaction_level": ["dissatisfied (1-2)", "neutral (3)",
    ...     "satisfied (4-5)", "no survey"], "customers": [10, 9, 20, 61], "revenue": [30000.0, 27916.0, 60000.0, 109299.0],
    ...     "share_of_segment": [0.132, 0.123, 0.264, 0.481]})
    >>> f = revenue_at_risk_finding(r, segment="Top 10%", who="the top 10% of spenders", currency="€")
    >>> f.estimate, f.base
    (57916.0, {'customers': 100})
    """
    rows = risk[risk[column] == segment]
    at_risk = rows[rows["satisfaction_level"].astype(str).str.startswith(("dissatisfied", "neutral"))]
    sentence = revenue_at_risk_sentence(risk, segment=segment, who=who, period=period, currency=currency,
                                        column=column)
    return Finding(theme=THEME, key="revenue_at_risk",
                   what=f"revenue from {who} held by dissatisfied or neutral customers", sentence=sentence,
                   estimate=float(at_risk["revenue"].sum()), currency=currency, period=period,
                   base={"customers": int(rows["customers"].sum())})


def spend_by_satisfaction_finding(comparison: pd.Series | Mapping, *, subject: str | None = None,
                                  other: str = "satisfied ones", period: str | None = None,
                                  currency: str | None = None, alpha: float = 0.05) -> Finding:
    """Do dissatisfied customers spend more than satisfied ones? Both tests, in one record.

    Spend is skewed: ``direction`` is ``"higher"`` or ``"lower"`` only when the means
    (Welch, interval clear of zero) and the distributions (Mann-Whitney) both differ at
    ``alpha`` and point the same way, as the sentence says "more" or "less" only then;
    otherwise ``"no clear difference"``.

    Parameters
    ----------
    comparison : the row of :func:`cxkit.spend.compare_spend_by_satisfaction`.
    subject : the first group in words; default "Dissatisfied active customers" (or
        "Dissatisfied customers" when everyone was compared, from ``population``).
    other : the second group in words.
    period : the spend's period; currency : the money's currency.

    Example
    -------
    >>> row = {"mean_a": 261.0, "mean_b": 117.0, "diff": 144.0, "ci_low": 19.0, "ci_high": 269.0, "p_value": 0.025,
    ...        "median_a": 86.0, "median_b": 53.0, "p_median": 0.09, "n_a": 44, "n_b": 900, "top5_share_a": 0.56,
    ...        "population": "active customers"}
    >>> f = spend_by_satisfaction_finding(row, currency="£")
    >>> f.direction, f.sentence[:60]
    ('no clear difference', 'Dissatisfied active customers and satisfied ones differ on a')
    """
    subject = subject or f"Dissatisfied {_population_words(comparison.get('population'))}"
    estimate, p_value = float(comparison["diff"]), float(comparison["p_value"])
    low, high = interval_of(comparison)
    mean_sign = sign_from_test(estimate, low, high, p_value, alpha)
    median_gap = float(comparison["median_a"]) - float(comparison["median_b"])
    median_sign = 0 if not float(comparison["p_median"]) < alpha or median_gap == 0 else (1 if median_gap > 0 else -1)
    return Finding(theme=THEME, key="spend_by_satisfaction", what=f"mean spend: {subject} against {other}",
                   sentence=value_difference_sentence(comparison, subject=subject, other=other, currency=currency,
                                                      alpha=alpha),
                   estimate=estimate, low=low, high=high, ci=1 - alpha, currency=currency, period=period,
                   base={"customers, A": int(comparison["n_a"]), "customers, B": int(comparison["n_b"])},
                   test="Welch t-test on the means; Mann-Whitney on the distributions", p_value=p_value,
                   direction=_direction(mean_sign) if mean_sign == median_sign else "no clear difference")


def future_spend_finding(models: pd.DataFrame, *, months: int, rating: str = "CSAT", currency: str | None = None,
                         compared: str = "customers of the same value decile") -> Finding:
    """Does a more satisfied answer go with more spend afterwards? The fairest slope, with its sentence.

    The last model of :func:`cxkit.spend.future_spend_models` compares customers who were
    worth alike when they answered. ``direction`` follows its interval, as the sentence
    does: ``"higher"`` or ``"lower"`` when it is clear of zero, else ``"no clear difference"``.

    Parameters
    ----------
    models : :func:`cxkit.spend.future_spend_models` (its last row is reported), or the
        rating's rows of :func:`cxkit.spend.future_spend_regression`.
    months : the follow-up window; rating : the rating in words; currency : the money's currency.
    compared : who is compared with whom, in words.

    Example
    -------
    >>> m = pd.DataFrame({"estimate": [-6.64], "ci_low": [-12.32], "ci_high": [-0.97], "p_value": [0.02],
    ...                   "n_answers": [2670], "n_customers": [2400]})
    >>> f = future_spend_finding(m, months=6, currency="£")
    >>> f.direction, f.base
    ('lower', {'answers': 2670, 'customers': 2400})
    """
    row = models.iloc[-1]
    estimate, low, high = (float(row[k]) for k in ("estimate", "ci_low", "ci_high"))
    as_of = models.attrs.get("as_of")
    period = None if as_of is None else f"answers whose {months} following months had passed by {date_text(as_of)}"
    return Finding(theme=THEME, key="future_spend",
                   what=f"spend in the {months} months after an answer, per point of {rating}",
                   sentence=future_spend_sentence(row, months=months, rating=rating, currency=currency,
                                                  compared=compared),
                   estimate=estimate, low=low, high=high, unit=f"per {rating} point", currency=currency,
                   period=period,
                   base={"answers": int(row["n_answers"]), "customers": int(row["n_customers"])},
                   test=models.attrs.get("method", "OLS, standard errors clustered by customer"),
                   p_value=row.get("p_value"), direction=_interval_direction(estimate, low, high))


def spend_findings(
    *,
    top_vs_rest: pd.DataFrame | None = None,
    risk: pd.DataFrame | None = None,
    future: pd.DataFrame | None = None,
    spenders: str,
    top_tier: str,
    metric: str | None = None,
    rating: str = "CSAT",
    months_after: int = 6,
    group_word: str = "decile",
    period: str | None = None,
    currency: str | None = None,
) -> list[Finding]:
    """The summary's findings on satisfaction and money, in its order; a result not computed is skipped.

    The top spenders' satisfaction against everyone else's, the top tier's revenue at
    risk, and whether happier customers spend more afterwards (comparing customers of the
    same value group when they answered).

    Parameters
    ----------
    top_vs_rest : :func:`cxkit.spend.top_tier_comparison` (needs ``metric``).
    risk : :func:`cxkit.spend.revenue_at_risk` by ``value_tier``.
    future : :func:`cxkit.spend.future_spend_models`.
    spenders : the top tier in words (``DriverGroups.spenders``); top_tier : its label.
    metric : the headline metric of ``top_vs_rest``; rating : the rating of ``future``, in words.
    months_after : the follow-up window of ``future``.
    group_word : one value group in words (``"decile"``).
    period : the reporting period; currency : the money's currency.

    Returns
    -------
    list of :class:`~cxkit.findings.Finding` (theme ``"spend"``).

    Example
    -------
    >>> row = pd.DataFrame({"value_a": [53.8], "value_b": [80.1], "n_a": [160], "n_b": [1473], "diff": [-26.3],
    ...                     "ci_low": [-35.0], "ci_high": [-17.6], "p_value": [1e-9]})
    >>> [f.key for f in spend_findings(top_vs_rest=row, spenders="the top 10% of spenders", top_tier="Top 10%",
    ...                                metric="CSAT")]
    ['satisfaction_by_value']
    """
    out = []
    if top_vs_rest is not None and metric:
        out.append(satisfaction_by_value_finding(top_vs_rest.iloc[0], spenders=spenders, metric=metric,
                                                 period=period))
    if risk is not None:
        who = f"the {_population_words(risk.attrs.get('population'))} in {spenders}"
        out.append(revenue_at_risk_finding(risk, segment=top_tier, who=who, period=period, currency=currency))
    if future is not None:
        out.append(future_spend_finding(future, months=months_after, rating=rating, currency=currency,
                                        compared=f"customers of the same value {group_word} when they answered"))
    return out
