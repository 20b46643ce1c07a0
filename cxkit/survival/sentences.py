"""Survival results in plain words: sentences written from the numbers, for reports and notebooks.

Each function takes a row of a survival result and writes what it shows, with the
numbers that back it; the wording follows the test (nothing alarming when a test finds
no evidence). Text from the data (a plan or column name) is escaped, so it shows as
written in Markdown and HTML.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd
from scipy import stats

__all__ = ["ph_sentence", "raw_churn_sentence"]

# HTML's special characters as html.escape writes them, and the Markdown characters
# that build links, emphasis, code and tables, as numeric character references.
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;",
                          **{c: f"&#{ord(c)};" for c in "\\`*_[]()!#|~$"}})


def _escape(text: Any) -> str:
    return " ".join(str(text).splitlines()).translate(_ESCAPES)


def _p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}" if p < 0.01 else f"p = {p:.2f}"


_CLEAR = math.log(1.1)  # a hazard ratio beyond 0.91-1.1 on both sides of 1 reads as a reversal


def _shape(row: Mapping[str, Any]) -> str:
    """How the effect changes with tenure, in words: fades, grows or reverses.

    By the hazard ratios before and after the split: "reverses" when they lie on either
    side of 1, each by more than 10%; otherwise "fades" when the later one is nearer 1,
    "grows" when it is further from it.
    """
    early, late = math.log(float(row["hr_early"])), math.log(float(row["hr_late"]))
    if early * late < 0 and min(abs(early), abs(late)) > _CLEAR:
        return "reverses with tenure"
    return "fades with tenure" if abs(late) < abs(early) else "grows with tenure"


def ph_sentence(row: Mapping[str, Any], *, what: str | None = None, alpha: float = 0.05, unit: str = "day",
                plain: bool = False) -> str:
    """Whether a hazard ratio holds over tenure, in words: "fades", "grows", or nothing alarming.

    A hazard ratio is an average over the membership; when the proportional-hazards
    test finds it drifting, a reader should know which way before acting on it (a
    contact that hurts in the first months and not later calls for early care).

    Parameters
    ----------
    row : a row of :func:`cxkit.survival.proportional_hazards_test` (``covariate``,
        ``hazard_ratio``, ``p_value``, ``direction``, ``hr_early``, ``hr_late``,
        ``split_tenure``).
    what : the covariate in words (plain text, escaped here), e.g. from
        :func:`cxkit.survival.covariate_words`; default the column name.
    alpha : the test's level.
    unit : the model's unit of time, for "up to day 210".
    plain : words for a summary, without "hazard ratio": "it multiplies the day-to-day
        risk of leaving by 1.50 up to day 210 and by 1.10 after".

    Returns
    -------
    One sentence (Markdown).

    Example
    -------
    >>> row = {"covariate": "cum_bad_contacts", "hazard_ratio": 1.3, "p_value": 0.002, "direction": "falls",
    ...        "hr_early": 1.5, "hr_late": 1.1, "split_tenure": 210}
    >>> print(ph_sentence(row, what="Each bad contact"))  # doctest: +NORMALIZE_WHITESPACE
    Each bad contact: the effect **fades with tenure** (hazard ratio 1.50 up to day 210, 1.10 after;
    proportional-hazards test p = 0.002), so the hazard ratio reported is an average over tenure.
    >>> print(ph_sentence({**row, "p_value": 0.41}, what="Each bad contact"))  # doctest: +NORMALIZE_WHITESPACE
    Each bad contact: no sign that the effect changes with tenure (proportional-hazards test p = 0.41).
    >>> print(ph_sentence(row, what="Each bad contact", plain=True))  # doctest: +NORMALIZE_WHITESPACE
    Each bad contact: the effect **fades with tenure**: it multiplies the day-to-day risk of leaving by 1.50 up
    to day 210 and by 1.10 after (test of a constant effect p = 0.002), so the single figure given is an average
    over tenure.
    """
    what_t = _escape(what if what is not None else row["covariate"])
    p = float(row["p_value"])
    if not p < alpha:
        return f"{what_t}: no sign that the effect changes with tenure (proportional-hazards test {_p(p)})."
    early, late, split = float(row["hr_early"]), float(row["hr_late"]), float(row["split_tenure"])
    if plain:
        return (f"{what_t}: the effect **{_shape(row)}**: it multiplies the day-to-day risk of leaving by "
                f"{early:.2f} up to {unit} {split:,.0f} and by {late:.2f} after (test of a constant effect "
                f"{_p(p)}), so the single figure given is an average over tenure.")
    return (f"{what_t}: the effect **{_shape(row)}** (hazard ratio {early:.2f} up to {unit} {split:,.0f}, "
            f"{late:.2f} after; proportional-hazards test {_p(p)}), so the hazard ratio reported is an average "
            "over tenure.")


def raw_churn_sentence(rates: pd.DataFrame, *, exposed: str, unexposed: str, what: str,
                       alpha: float = 0.05) -> str:
    """What a raw churn-rate comparison shows, in words, and why it is not the answer.

    The share of customers who left, with and without (say) a bad contact over their
    whole membership, is the comparison a first look makes. The sentence says which way
    it points on this data, backed by a two-proportion test, with the mean tenure of each
    group: a group followed longer had more time both to contact us and to leave. When
    the exposed group left *less* often, it says that this looks as if the contacts kept
    customers; otherwise it says what the table shows. Either way it is a raw
    comparison, to be set against the models that count contacts as they happen.

    Parameters
    ----------
    rates : :func:`cxkit.survival.churn_rates` (``group``, ``customers``, ``left``,
        ``churn_rate``, ``mean_tenure``), with the rows ``exposed`` and ``unexposed``
        in ``group`` (or in the first column, when it was renamed).
    exposed, unexposed : the two groups' labels, e.g. "at least one" and "none".
    what : the exposure in words, plural (plain text, escaped here), e.g. "bad contacts".
    alpha : the test's level.

    Returns
    -------
    One or two sentences (Markdown).

    Example
    -------
    >>> r = pd.DataFrame({"group": ["at least one", "none"], "customers": [2186, 2814], "left": [515, 813],
    ...                   "churn_rate": [515 / 2186, 813 / 2814], "mean_tenure": [647.1, 425.8]})
    >>> print(raw_churn_sentence(r, exposed="at least one", unexposed="none", what="bad contacts"))
    ... # doctest: +NORMALIZE_WHITESPACE
    Taken at face value, customers with bad contacts over their membership left **less often** than those
    without (23.6% against 28.9%, p < 0.001): as if bad contacts kept customers. But they had been members longer
    (647 against 426 days on average), and a longer membership leaves more time to contact us.
    """
    key = "group" if "group" in rates.columns else rates.columns[0]
    by = rates.set_index(key)
    a, b = by.loc[exposed], by.loc[unexposed]
    what_t = _escape(what)
    n1, n2, k1, k2 = (float(v) for v in (a["customers"], b["customers"], a["left"], b["left"]))
    p1, p2 = k1 / n1, k2 / n2
    pooled = (k1 + k2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2)) if 0 < pooled < 1 else 0.0
    p = float(2 * stats.norm.sf(abs(p1 - p2) / se)) if se > 0 else 1.0
    shares = f"{p1:.1%} against {p2:.1%}, {_p(p)}"
    ta, tb = float(a["mean_tenure"]), float(b["mean_tenure"])
    longer = "longer" if ta > tb else "for less time"
    tenure = (f"they had been members {longer} ({ta:,.0f} against {tb:,.0f} days on average), and a longer "
              "membership leaves more time to contact us")
    who = f"customers with {what_t} over their membership"
    if p < alpha and p1 < p2:
        ignores = "This raw comparison ignores how long each customer was followed"
        but = f"But {tenure}" if ta > tb else f"{ignores}: {tenure}"
        return (f"Taken at face value, {who} left **less often** than those without ({shares}): as if {what_t} "
                f"kept customers. {but}.")
    if p < alpha:
        return (f"{_capital(who)} left **more often** than those without ({shares}). This raw comparison ignores "
                f"how long each customer was followed: {tenure}.")
    return (f"{_capital(who)} and those without left about as often ({shares}: no clear difference). This raw "
            f"comparison ignores how long each customer was followed: {tenure}.")


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
