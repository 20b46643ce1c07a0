"""Satisfaction by value: the top spenders against everyone else, and the metrics weighted by spend.

K-mart's overall satisfaction looked fine while its biggest spenders were the
disappointed ones. Two views show whether a company repeats that:

* :func:`top_tier_comparison`: a headline metric of the top value tier against every
  other answer, with the interval of the difference and its test
  (:func:`cxkit.metrics.compare`).
* :func:`spend_weighted_scorecard`: every headline metric per answer and once more with
  each answer weighted by the customer's spend: the satisfaction of the revenue rather
  than of the head count.

Example
-------
>>> answers = pd.DataFrame({"csat": [5, 4, 2, 1, 5, 4], "value_tier": ["Top 50%"] * 3 + ["Rest (50%)"] * 3,
...                         "annual_spend": [90.0, 80.0, 70.0, 10.0, 20.0, 30.0]})
>>> top_tier_comparison(answers, "csat", top_tier="Top 50%")[["n_a", "n_b"]].values.tolist()
[[3, 3]]
"""
from __future__ import annotations

import pandas as pd

from cxkit.errors import require_columns
from cxkit.metrics import compare, cx_scorecard

__all__ = ["spend_weighted_scorecard", "top_tier_comparison"]


def top_tier_comparison(answers: pd.DataFrame, metric: str = "csat", *, top_tier: str,
                        tier: str = "value_tier") -> pd.DataFrame:
    """A headline metric of the top value tier against every other answer, tested.

    Are the customers who bring the money as satisfied as everyone else? The difference
    comes with its interval and p-value, so a sentence can say "less satisfied" only when
    the test does. Answers whose customer has no tier count with everyone else.

    Parameters
    ----------
    answers : survey answers with the metric's column and ``tier`` attached
        (:func:`cxkit.value.attach` of :func:`cxkit.spend.customer_spend`).
    metric : ``"nps"``, ``"csat"`` or ``"ces"``.
    top_tier : the top tier's label in ``tier`` (``"Top 10%"``, :func:`cxkit.value.top_tier_label`).
    tier : the value tier column.

    Returns
    -------
    One-row DataFrame of :func:`cxkit.metrics.compare`: the top tier is group A (``True``),
    everyone else group B; ``value_a``, ``value_b``, ``n_a``, ``n_b``, ``diff`` (A - B),
    ``ci_low``, ``ci_high``, ``p_value``.

    Example
    -------
    >>> answers = pd.DataFrame({"csat": [2, 1, 3, 5, 4, 5], "value_tier": ["Top 50%"] * 3 + ["Rest (50%)"] * 3})
    >>> float(top_tier_comparison(answers, "csat", top_tier="Top 50%")["diff"].iloc[0])
    -100.0
    """
    require_columns(answers, [tier], "surveys")
    return compare(answers.assign(top=answers[tier] == top_tier), metric, by="top", a=True)


def spend_weighted_scorecard(answers: pd.DataFrame, *, weights: str = "annual_spend",
                             weighted_label: str = "by annual spend") -> pd.DataFrame:
    """Every headline metric per answer, then weighted by each customer's spend.

    Weighting by spend asks how satisfied the *revenue* is. A few big customers carry much
    weight, so the weighted rows have an effective base (``n_effective``) far below the
    number of answers, and their intervals are wider.

    Parameters
    ----------
    answers : survey answers with the spend column ``weights`` attached.
    weights : the spend column each answer is weighted by.
    weighted_label : the weighted rows' label in the ``weighting`` column.

    Returns
    -------
    :func:`cxkit.metrics.cx_scorecard` twice, with a ``weighting`` column: ``"per answer"``
    rows first, then ``weighted_label`` rows.

    Example
    -------
    >>> answers = pd.DataFrame({"csat": [5, 4, 2, 1], "annual_spend": [10.0, 10.0, 50.0, 30.0]})
    >>> spend_weighted_scorecard(answers)[["weighting", "value"]].values.tolist()
    [['per answer', 50.0], ['by annual spend', 20.0]]
    """
    require_columns(answers, [weights], "surveys")
    return pd.concat([cx_scorecard(answers).assign(weighting="per answer"),
                      cx_scorecard(answers, weights=weights).assign(weighting=weighted_label)])
