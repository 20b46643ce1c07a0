"""Training session T2, how long customers stay: the exercises of ``notebooks/training/T2_survival.ipynb``.

The session reads a Kaplan-Meier curve and its at-risk numbers, shows why a churn rate
misleads while customers are still members (censoring), lets the learner find the trap of
counting bad contacts over a whole membership (immortal-time bias) before it is explained,
and reads the hazard ratio of the time-varying model. Each exercise computes its right
answer from the tables the notebook passes to :func:`cxkit.training.check`:

* ``members``: :func:`cxkit.survival.survival_table` (``tenure`` in days, ``churned``);
* ``lifetime``: :func:`cxkit.survival.lifetime_counts` (``cum_bad_contacts`` over the
  whole membership, ``churned``);
* ``hazard_ratios``: the time-varying model's hazard ratios
  (:func:`cxkit.survival.fit_churn_model`'s ``hazard_ratios``: ``covariate``,
  ``hazard_ratio``), and ``ways``: :func:`cxkit.survival.same_effect_three_ways` (the
  lifetime-count answer first), for the mistake of reading the naive ratio.

Example
-------
>>> import pandas as pd
>>> from cxkit.training import check
>>> members = pd.DataFrame({"tenure": [100, 200, 400, 500], "churned": [True, False, False, True]})
>>> check("T2.still_members_365", 75.0, members=members).status
'right'
>>> check("T2.still_members_365", 0.75, members=members).mistake
'a share, not a percentage'
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from cxkit.errors import require_columns
from cxkit.survival import km_table, rmst
from cxkit.survival.churn_model import BAD_CONTACTS
from cxkit.training.core import Mistake, exercise

__all__ = ["YEAR", "EXPOSED", "UNEXPOSED", "WHY_CHOICES", "still_members", "at_risk", "raw_churn_by_bad_contact",
           "why_bad_contacts_seem_to_keep", "hazard_ratio_percent", "three_bad_contacts", "days_as_member"]

#: The horizon of the session's questions, in days.
YEAR = 365
#: The labels of the raw comparison's two groups.
EXPOSED, UNEXPOSED = "at least one", "none"
#: The answers offered to "why do customers with bad contacts seem to leave less?".
WHY_CHOICES = ("bad contacts keep customers", "long stayers had more time to have contacts", "chance")


# --------------------------------------------------------------------------- the data the exercises read


def _tenure(members: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Tenure (days) and whether each customer left, from a survival table."""
    require_columns(members, ["tenure", "churned"], "members")
    return members["tenure"].to_numpy(float), members["churned"].to_numpy(bool)


def _left_and_stayed(members: pd.DataFrame, horizon: float = YEAR) -> tuple[int, int]:
    """Customers who left within ``horizon`` days, and customers followed beyond it without leaving by it."""
    tenure, churned = _tenure(members)
    left = churned & (tenure <= horizon)
    return int(left.sum()), int(((tenure >= horizon) & ~left).sum())


def _ratio(hazard_ratios: pd.DataFrame | None, covariate: str = BAD_CONTACTS) -> float:
    """The hazard ratio of ``covariate`` in a hazard-ratio table (missing without a model, or without it)."""
    if hazard_ratios is None:
        return float("nan")
    require_columns(hazard_ratios, ["covariate", "hazard_ratio"], "hazard_ratios")
    row = hazard_ratios.loc[hazard_ratios["covariate"] == covariate, "hazard_ratio"]
    return float(row.iloc[0]) if len(row) else float("nan")


def _naive_ratio(ways: pd.DataFrame | None) -> float:
    """The lifetime-count (naive) hazard ratio: the first row of ``same_effect_three_ways``."""
    return float(ways["hazard_ratio"].iloc[0]) if ways is not None and len(ways) else float("nan")


def _rates(lifetime: pd.DataFrame, exposed: pd.Series) -> pd.DataFrame:
    """The share who left in each group of ``exposed`` (True: at least one), labelled as the exercise asks."""
    require_columns(lifetime, ["churned"], "lifetime")
    label = np.where(exposed.to_numpy(bool), EXPOSED, UNEXPOSED)
    churned = lifetime["churned"].astype(bool).to_numpy()
    rates = pd.DataFrame({"bad contacts": label, "churned": churned}).groupby("bad contacts")["churned"].mean()
    return rates.rename("churn_rate").reset_index()


def _share_of_leavers(lifetime: pd.DataFrame) -> pd.DataFrame:
    """Each group's leavers as a share of all leavers (the mistake of dividing by the wrong base)."""
    label = np.where(_bad(lifetime).to_numpy(bool), EXPOSED, UNEXPOSED)
    churned = lifetime["churned"].astype(bool).to_numpy()
    left = pd.Series(churned, name="churn_rate").groupby(label).sum() / max(int(churned.sum()), 1)
    return left.rename_axis("bad contacts").reset_index()


def _bad(lifetime: pd.DataFrame) -> pd.Series:
    require_columns(lifetime, [BAD_CONTACTS], "lifetime")
    return lifetime[BAD_CONTACTS] > 0


# --------------------------------------------------------------------------- 1. reading the curve


@exercise(
    "T2.still_members_365",
    "What percentage of customers are still members 365 days after signing up, read from the Kaplan-Meier table?",
    tolerance=0.5,
    mistakes=[
        Mistake("dropping active customers from a churn rate",
                lambda members: 100 * _left_and_stayed(members)[1] / max(sum(_left_and_stayed(members)), 1),
                "That is the share who stayed among customers who either left within a year or were followed for a "
                "full year: the members who joined less than a year ago are dropped, though each was watched for "
                "a while without leaving. Read the Kaplan-Meier curve at day 365 instead: it keeps them for as "
                "long as they were watched."),
        Mistake("counting active customers as stayers for ever",
                lambda members: 100 * (1 - _left_and_stayed(members)[0] / len(members)),
                "That is 1 minus the share who left within a year among *all* customers: members who joined less "
                "than a year ago are counted as if they will surely stay the year. Read the Kaplan-Meier curve at "
                "day 365 instead."),
        Mistake("the share still members today, whatever their tenure",
                lambda members: 100 * (1 - _tenure(members)[1].mean()),
                "That is the share of all customers who have not left yet, over memberships of every length. The "
                "question is about day 365 of a membership: read the Kaplan-Meier curve there."),
        Mistake("the share who left, not the share who stayed",
                lambda members: 100 * (1 - still_members(members) / 100),
                "That is the share who had left by day 365. The question asks for the share still members: "
                "100 minus your answer."),
        Mistake("a share, not a percentage", lambda members: still_members(members) / 100,
                "Right figure, wrong unit: the question asks for a percentage (83.0, not 0.830)."),
    ],
    explain=lambda v: f"{v:.1f}% of customers are still members 365 days after signing up: the Kaplan-Meier "
                      "curve at day 365, with customers still active counted for as long as they were watched.",
    hint="Take the last row of the Kaplan-Meier table at or before day 365 and read its `survival` (a share: "
         "multiply by 100).",
    teaches="Reading a retention curve; why a churn rate misleads while customers are still members (censoring).",
)
def still_members(members: pd.DataFrame, horizon: float = YEAR) -> float:
    """The percentage of customers still members ``horizon`` days after sign-up (Kaplan-Meier).

    Example
    -------
    >>> round(still_members(pd.DataFrame({"tenure": [100, 200, 400, 500], "churned": [True, False, False, True]})), 2)
    75.0
    """
    _tenure(members)
    curve = km_table(members)
    return float(100 * curve.loc[curve["time"] <= horizon, "survival"].iloc[-1])


@exercise(
    "T2.at_risk_365",
    "How many customers were still at risk (followed and not yet gone) on day 365 of their membership?",
    tolerance=0.5,
    mistakes=[
        Mistake("the customers followed past day 365, not on it",
                lambda members: int((_tenure(members)[0] > YEAR).sum()),
                "That counts only those followed *beyond* day 365: customers who left or were last seen on day 365 "
                "itself were still at risk that day. Take the first row of the table at or after day 365."),
        Mistake("counting newer active customers as at risk",
                lambda members: len(members) - _left_and_stayed(members)[0],
                "That counts every customer who had not left by day 365, including members who joined less than a "
                "year ago: they have not reached day 365 yet, so nobody knows whether they will. Only customers "
                "followed to day 365 are at risk on it."),
        Mistake("the customers active today",
                lambda members: int((~_tenure(members)[1]).sum()),
                "That is how many customers are members today, whatever their tenure. The at-risk number counts the "
                "customers followed up to day 365 of their membership, whether they left later or not."),
    ],
    explain=lambda v: f"{v:,.0f} customers were still at risk on day 365: followed that long and not gone before "
                      "it. The curve beyond that day rests on them alone.",
    hint="In the Kaplan-Meier table, take the first row at or after day 365 and read `at_risk` (or count the "
         "customers whose tenure is at least 365 days).",
    teaches="Reading the at-risk numbers under a curve: how many customers the tail rests on.",
)
def at_risk(members: pd.DataFrame, day: float = YEAR) -> int:
    """How many customers were at risk on ``day`` of their membership: followed at least that long.

    Example
    -------
    >>> at_risk(pd.DataFrame({"tenure": [100, 365, 400, 500], "churned": [True, True, False, True]}))
    3
    """
    tenure, _ = _tenure(members)
    return int((tenure >= day).sum())


@exercise(
    "T2.days_as_member_365",
    "On average, how many days of their first 365 did customers stay members (the restricted mean)?",
    tolerance=1.0,
    mistakes=[
        Mistake("the mean tenure of those who left",
                lambda members: float(_tenure(members)[0][_tenure(members)[1]].mean()),
                "That is the mean tenure of the customers who left: it ignores everyone still a member (the "
                "customers who stay longest) and is not limited to the first year. The restricted mean is the area "
                "under the Kaplan-Meier curve up to day 365."),
        Mistake("the mean tenure, active customers counted as they stand",
                lambda members: float(_tenure(members)[0].mean()),
                "That is the mean tenure of every customer, over every length of membership and with members "
                "still active counted as if their tenure had ended today. Ask for the first 365 days: the area "
                "under the Kaplan-Meier curve up to day 365."),
        Mistake("capping tenure at 365 days, newer members counted as if they had left",
                lambda members: float(np.minimum(_tenure(members)[0], YEAR).mean()),
                "Capping tenure at 365 is the right idea, but members who joined less than a year ago are still "
                "there: counting their tenure so far treats them as if they had left. The Kaplan-Meier curve "
                "counts them only for as long as they were watched."),
    ],
    explain=lambda v: f"Within their first 365 days, customers stayed members {v:.0f} days on average: the area "
                      "under the Kaplan-Meier curve up to day 365.",
    hint="`survival.rmst(members, horizons=365)` gives the restricted mean in its `rmst` column.",
    teaches="The restricted mean: a curve in one number a board can use, valid while customers are still members.",
)
def days_as_member(members: pd.DataFrame, horizon: float = YEAR) -> float:
    """The average days as a member within the first ``horizon`` days (restricted mean survival time).

    Example
    -------
    >>> days_as_member(pd.DataFrame({"tenure": [100, 200, 400, 500], "churned": [True, False, False, True]}))
    298.75
    """
    _tenure(members)
    return float(rmst(members, horizons=horizon)["rmst"].iloc[0])


# --------------------------------------------------------------------------- 2. the trap


@exercise(
    "T2.raw_churn_by_bad_contact",
    "Make a table of the share of customers who left (churn_rate, 0-1), for those with at least one bad contact "
    "over their whole membership and those with none (column 'bad contacts': 'at least one' or 'none').",
    kind="table",
    tolerance=0.005,
    mistakes=[
        Mistake("the share of all leavers, not of the group",
                lambda lifetime: _share_of_leavers(lifetime),
                "Those shares split the customers who left between the two groups. The churn rate of a group is "
                "its leavers divided by *its* customers: `churned.mean()` within each group."),
        Mistake("any contact, not a bad one",
                lambda lifetime: _rates(lifetime, lifetime["cum_contacts"] > 0) if "cum_contacts" in lifetime
                else None,
                "That splits customers by any contact. The question is about *bad* contacts: use "
                "`cum_bad_contacts > 0`."),
        Mistake("percentages, not shares",
                lambda lifetime: _rates(lifetime, _bad(lifetime)).assign(churn_rate=lambda d: 100 * d["churn_rate"]),
                "Right rates, wrong unit: give `churn_rate` as a share from 0 to 1 (0.25, not 25)."),
    ],
    explain=lambda t: "Customers with at least one bad contact: {:.1%} left; with none: {:.1%}.".format(
        *t.set_index("bad contacts")["churn_rate"].reindex([EXPOSED, UNEXPOSED])),
    hint="Label each customer with `np.where(lifetime['cum_bad_contacts'] > 0, 'at least one', 'none')`, then take "
         "the mean of `churned` by that label (`groupby(...).mean()`), named `churn_rate`.",
    teaches="The raw comparison a first look makes, and the paradox it can show.",
)
def raw_churn_by_bad_contact(lifetime: pd.DataFrame) -> pd.DataFrame:
    """The share who left with and without a bad contact over the whole membership (the raw comparison).

    Example
    -------
    >>> life = pd.DataFrame({"cum_bad_contacts": [0, 0, 1, 2], "churned": [True, False, False, False]})
    >>> raw_churn_by_bad_contact(life)
       bad contacts  churn_rate
    0  at least one         0.0
    1          none         0.5
    """
    return _rates(lifetime, _bad(lifetime))


@exercise(
    "T2.why_bad_contacts_seem_to_keep",
    "Why do customers with bad contacts over their whole membership seem to leave less?",
    kind="choice",
    choices=WHY_CHOICES,
    mistakes=[
        Mistake("reading the raw comparison as an effect", lambda: WHY_CHOICES[0],
                "That reads the raw comparison as an effect. Look at how long each group was watched: a customer "
                "must stay to have contacts, so the customers with contacts are the ones who stayed."),
        Mistake("putting it down to chance", lambda: WHY_CHOICES[2],
                "Chance moves small groups, but it does not explain why the customers with bad contacts are also "
                "those who stayed longest. Compare the two groups' mean tenure."),
    ],
    explain=lambda v: "A customer who stayed three years had three years in which to have a bad contact; one who "
                      "left after two months had two months. Counting over a whole membership credits contacts "
                      "with the loyalty that made them possible: *immortal-time bias*.",
    hint="Compare how long each group had been a member.",
    teaches="Immortal-time bias: a count that grows with tenure cannot be read as if known on the first day.",
)
def why_bad_contacts_seem_to_keep() -> str:
    """The reason a lifetime count of bad contacts looks protective: long stayers had more time to have them.

    Example
    -------
    >>> why_bad_contacts_seem_to_keep()
    'long stayers had more time to have contacts'
    """
    return WHY_CHOICES[1]


# --------------------------------------------------------------------------- 3. reading a hazard ratio


_WRONG_WAY = "turning the ratio the wrong way round"
_WRONG_WAY_MESSAGE = ("That uses 1/ratio: the change from *with* the contact to *without* it. The question asks how "
                      "much a contact raises the risk, from without to with: (ratio - 1) x 100.")


def _inverse(hazard_ratios: pd.DataFrame, sign: float) -> float:
    return sign * 100 * (1 - 1 / _ratio(hazard_ratios))


@exercise(
    "T2.hazard_ratio_percent",
    "By what percentage does one more bad contact raise a customer's day-to-day risk of leaving, in the "
    "time-varying model (e.g. 20 for a hazard ratio of 1.20)?",
    tolerance=1.0,
    mistakes=[
        Mistake("reading a hazard ratio as a probability",
                lambda hazard_ratios, ways=None: 100 * _ratio(hazard_ratios),
                "A hazard ratio is not a probability, nor a percentage: it *multiplies* the day-to-day risk. A "
                "ratio of 1.20 means 20% more risk than without, not 120% and not a 20% chance of leaving."),
        Mistake("the ratio itself, not a percentage", lambda hazard_ratios, ways=None: _ratio(hazard_ratios),
                "That is the hazard ratio itself. Turn it into a percentage change: (ratio - 1) x 100."),
        Mistake(_WRONG_WAY, lambda hazard_ratios, ways=None: _inverse(hazard_ratios, 1), _WRONG_WAY_MESSAGE),
        Mistake(_WRONG_WAY, lambda hazard_ratios, ways=None: _inverse(hazard_ratios, -1), _WRONG_WAY_MESSAGE),
        Mistake("the ratio from lifetime counts",
                lambda hazard_ratios, ways=None: 100 * (_naive_ratio(ways) - 1),
                "That is the ratio of the lifetime counts, the trap the section explained. Read the time-varying "
                "model's ratio, which counts each contact from the day after it happened."),
    ],
    explain=lambda v: f"Each bad contact raises the day-to-day risk of leaving by about {v:.0f}% ({1 + v / 100:.2f} "
                      f"times the risk): a change in risk, not a {v:.0f}% chance of leaving.",
    hint="Take the `hazard_ratio` of `cum_bad_contacts` in the model's table: (ratio - 1) x 100.",
    teaches="Reading a hazard ratio as a change in the day-to-day risk, not a probability.",
)
def hazard_ratio_percent(hazard_ratios: pd.DataFrame | None, ways: Any = None) -> float:
    """How much one more bad contact raises the day-to-day risk of leaving, in percent: (ratio - 1) x 100.

    Example
    -------
    >>> hazard_ratio_percent(pd.DataFrame({"covariate": ["cum_bad_contacts"], "hazard_ratio": [1.25]}))
    25.0
    """
    return 100 * (_ratio(hazard_ratios) - 1)


@exercise(
    "T2.three_bad_contacts",
    "How many times the day-to-day risk of leaving does a customer have after three bad contacts, against a "
    "customer with none, other things equal?",
    tolerance=0.05,
    mistakes=[
        Mistake("adding the percentages, not multiplying the ratios",
                lambda hazard_ratios, ways=None: 1 + 3 * (_ratio(hazard_ratios) - 1),
                "Hazard ratios multiply: each contact multiplies the risk again, so three give ratio x ratio x "
                "ratio (ratio ** 3), not 1 + 3 x (ratio - 1)."),
        Mistake("three times the ratio", lambda hazard_ratios, ways=None: 3 * _ratio(hazard_ratios),
                "Three times the ratio would triple the risk even when the ratio is 1 (no effect). Each contact "
                "multiplies the risk by the ratio: ratio ** 3."),
        Mistake("the ratio of one contact", lambda hazard_ratios, ways=None: _ratio(hazard_ratios),
                "That is the ratio of one bad contact. Three multiply the risk three times over: ratio ** 3."),
    ],
    explain=lambda v: f"Three bad contacts multiply the day-to-day risk of leaving by {v:.2f}: the ratio of one, "
                      "three times over.",
    hint="The model counts bad contacts; each one multiplies the risk by the hazard ratio.",
    teaches="A hazard ratio per count compounds: n contacts multiply the risk by ratio ** n.",
)
def three_bad_contacts(hazard_ratios: pd.DataFrame | None, ways: Any = None, n: int = 3) -> float:
    """How many times the day-to-day risk of leaving after ``n`` bad contacts: the ratio to the power ``n``.

    Example
    -------
    >>> round(three_bad_contacts(pd.DataFrame({"covariate": ["cum_bad_contacts"], "hazard_ratio": [1.25]})), 4)
    1.9531
    """
    return _ratio(hazard_ratios) ** n
