"""The exercises of training session T3, the K-mart lesson: satisfaction against spend, and what to fix for whom.

K-mart measured overall happiness and all looked fine, yet its happy customers did not
spend more and its biggest spenders were the disappointed ones. The session finds the
lesson in the data: overall CSAT, CSAT of the top value decile (spend per year of
tenure), whether the top spenders differ from everyone else by the data's own test, the
share of revenue they hold and the revenue held by the unhappy ones among them, what
drives their satisfaction and what to fix first for them.

Every right answer is computed from the tables passed to :func:`cxkit.training.check`,
named as the notebook names them:

* ``answers``: survey answers of the reporting period (``csat``, ``customer_id``);
* ``customer_values``: one row per customer, :meth:`cxkit.folder.CXFolder.customer_value`
  (``annual_spend``, ``net_spend``, ``period_spend``);
* ``spenders``: the same with the value segments (:func:`cxkit.spend.segment_customers`:
  ``active`` when the customers table has churn dates);
* ``satisfaction``: one row per customer with ``csat_mean``
  (:func:`cxkit.experience.customer_experience` of the period's answers);
* ``driver_answers``: every survey answer with the driver ratings.

The top spenders are always the top decile of spend per year of tenure
(:func:`top_spenders`), recomputed from the table given, so an answer follows the data.

Example
-------
>>> import pandas as pd
>>> from cxkit.training import check
>>> answers = pd.DataFrame({"customer_id": ["a", "b", "c", "d"], "csat": [5, 4, 2, 3]})
>>> check("T3.overall_csat", 50, answers=answers).status
'right'
>>> check("T3.overall_csat", 3.5, answers=answers).mistake
'the mean instead of top-2-box'
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from cxkit import drivers, metrics
from cxkit.errors import require_columns
from cxkit.experience import satisfaction_level
from cxkit.narrative import escape
from cxkit.training.core import Mistake, exercise
from cxkit.value import value_segments

__all__ = ["SESSION", "VALUE_Q", "top_spenders"]

#: The session's name: every exercise here is ``"T3.<name>"``.
SESSION = "T3"
#: Value segments of the session: deciles; the top spenders are the highest one.
VALUE_Q = 10

_GROUP = "_t3_group"        # the top spenders against everyone else, on a copy of the answers
_TOP, _REST = "top spenders", "everyone else"
_DISSATISFIED = "dissatisfied (1-2)"
_CHOICES = ("more satisfied", "less satisfied", "no clear difference")
_BY_TOTAL_SPEND = ("Those deciles rank customers by total spend (all time, or the period's), so long-standing "
                   "customers fill the top and recent ones rank low for lack of time. Rank on spend per year of "
                   "tenure: `value.value_segments(customer_values[\"annual_spend\"])`.")


def top_spenders(values: pd.DataFrame, *, rank_by: str = "annual_spend", segment: int = VALUE_Q,
                 q: int = VALUE_Q) -> pd.Series:
    """Whether each customer is in value segment ``segment`` of ``q`` (by default the top decile).

    The K-mart lesson starts with who brings the money: customers ranked by spend per
    year of tenure (``annual_spend``), so a customer who joined recently is not ranked low
    for lack of time, and cut into deciles by :func:`cxkit.value.value_segments`.

    Parameters
    ----------
    values : one row per customer with ``rank_by`` (e.g. ``cx.customer_value(...)``).
    rank_by : the column customers are ranked on.
    segment : the segment wanted (``q``: the top; 1: the bottom).
    q : how many segments.

    Returns
    -------
    Boolean Series indexed like ``values``.

    Example
    -------
    >>> v = pd.DataFrame({"customer_id": list("abcdefghij"), "annual_spend": [5, 1, 9, 2, 3, 4, 6, 7, 8, 100]})
    >>> v.loc[top_spenders(v), "customer_id"].tolist()
    ['j']
    """
    require_columns(values, [rank_by], "customer values")
    return value_segments(values[rank_by], q=q) == segment


def _in_top(table: pd.DataFrame, values: pd.DataFrame, *, rank_by: str = "annual_spend",
            segment: int = VALUE_Q) -> pd.Series:
    """Whether each row of ``table`` (answers) belongs to a customer of ``segment``."""
    require_columns(table, ["customer_id"], "answers")
    require_columns(values, ["customer_id"], "customer values")
    ids = values.loc[top_spenders(values, rank_by=rank_by, segment=segment), "customer_id"]
    return table["customer_id"].isin(set(ids))


def _csat(answers: pd.DataFrame, column: str = "value") -> float:
    """CSAT top-2-box (%, ``"value"``) or the mean rating (``"mean"``) of these answers."""
    return float(metrics.csat(answers)[column].iloc[0])


# --------------------------------------------------------------------------- 1. the overall picture

@exercise(
    "T3.overall_csat",
    "Overall CSAT of the period's answers: the % of answers of 4 or 5 on the 1-5 scale (from `answers`).",
    tolerance=0.5,
    mistakes=[
        Mistake("the mean instead of top-2-box", lambda answers: _csat(answers, "mean"),
                "That is the mean rating. CSAT is reported as top-2-box: the % of answers of 4 or 5."),
        Mistake("the mean instead of top-2-box", lambda answers: 100 * _csat(answers, "mean") / 5,
                "That is the mean rating as a % of the top of the scale. CSAT is the % of answers of 4 or 5."),
        Mistake("only the 5s counted", lambda answers: 100 * float((answers["csat"].dropna() == 5).mean()),
                "That counts only the 5s (top-box). Top-2-box counts the 4s too."),
        Mistake("a share, not a percent", lambda answers: _csat(answers) / 100,
                "Right idea, wrong unit: give it in % (0-100), not as a share (0-1)."),
    ],
    explain=lambda v: f"Overall CSAT is {v:.0f}%: the share of answers of 4 or 5. On its own it says nothing "
                      "about *who* is satisfied.",
    hint="Count the answers of 4 or 5 and divide by the answers that have a CSAT (not by every row), times 100.",
    teaches="the headline CSAT as most companies report it, and why it is only a start",
)
def _overall_csat(answers: pd.DataFrame) -> float:
    require_columns(answers, ["csat"], "answers")
    return _csat(answers)


# --------------------------------------------------------------------------- 2. satisfaction by value

@exercise(
    "T3.top_decile_csat",
    "CSAT (top-2-box, %) of the answers of the top value decile: customers ranked by spend per year of tenure "
    "(`annual_spend` of `customer_values`), decile 10 the highest.",
    tolerance=0.5,
    mistakes=[
        Mistake("ranking customers by total spend without tenure",
                lambda answers, customer_values: _csat(answers[_in_top(answers, customer_values,
                                                                       rank_by="net_spend")]),
                _BY_TOTAL_SPEND),
        Mistake("ranking customers by total spend without tenure",
                lambda answers, customer_values: _csat(answers[_in_top(answers, customer_values,
                                                                       rank_by="period_spend")]),
                _BY_TOTAL_SPEND),
        Mistake("decile 1 taken as the top",
                lambda answers, customer_values: _csat(answers[_in_top(answers, customer_values, segment=1)]),
                "That is decile 1, the lowest spenders. `value_segments` gives 1 to the lowest and 10 to the "
                "highest: keep decile 10."),
        Mistake("the mean instead of top-2-box",
                lambda answers, customer_values: _csat(answers[_in_top(answers, customer_values)], "mean"),
                "That is the mean rating of the top decile. Give its CSAT as top-2-box: the % of answers of 4 or 5."),
    ],
    explain=lambda v: f"The top decile's CSAT is {v:.0f}%: compare it with the overall figure.",
    hint="Cut `customer_values[\"annual_spend\"]` into deciles with `value.value_segments`, keep the customer ids of "
         "decile 10, and take the % of 4s and 5s among their answers in `answers`.",
    teaches="value deciles by spend per year of tenure, and satisfaction where the money is",
)
def _top_decile_csat(answers: pd.DataFrame, customer_values: pd.DataFrame) -> float:
    require_columns(answers, ["csat"], "answers")
    return _csat(answers[_in_top(answers, customer_values)])


def _test_direction(answers: pd.DataFrame, spenders: pd.DataFrame, *, tested: bool = True,
                    reverse: bool = False) -> str:
    """The top spenders' CSAT against everyone else's in words: from the test, or from the difference alone."""
    require_columns(answers, ["csat"], "answers")
    row = metrics.compare(answers.assign(**{_GROUP: _in_top(answers, spenders)}), "csat", by=_GROUP,
                          a=True).iloc[0]
    diff = -row["diff"] if reverse else row["diff"]
    clear = row["p_value"] < 0.05 and (row["ci_low"] > 0 or row["ci_high"] < 0)
    if tested and not clear:
        return "no clear difference"
    return "less satisfied" if diff < 0 else "more satisfied"


@exercise(
    "T3.top_vs_rest",
    "Are the top spenders (top value decile) more satisfied than everyone else, less satisfied, or is there no "
    "clear difference? Answer from the test of `metrics.compare` on the period's `answers`.",
    kind="choice",
    choices=_CHOICES,
    mistakes=[
        Mistake("two means compared without a test",
                lambda answers, spenders: _test_direction(answers, spenders, tested=False),
                "You compared the two figures without a test. A gap that size on these bases can be chance: "
                "say more or less only when the interval of the difference excludes 0 (p < 0.05)."),
        Mistake("the difference read the wrong way round",
                lambda answers, spenders: _test_direction(answers, spenders, reverse=True),
                "The difference is the first group minus the second: with the top spenders as group A, a "
                "negative `diff` means they are *less* satisfied."),
    ],
    explain=lambda v: ("The test finds no clear difference: the gap could be chance." if v == "no clear difference"
                       else f"The top spenders are {v} than everyone else: the interval of the difference "
                            "excludes 0."),
    hint="Mark the answers of the top decile, then `metrics.compare(answers, \"csat\", by=<that column>, a=True)`: "
         "read `diff`, its interval (`ci_low`, `ci_high`) and `p_value`.",
    teaches="a comparison is a claim only when its test says so",
)
def _top_vs_rest(answers: pd.DataFrame, spenders: pd.DataFrame) -> str:
    return _test_direction(answers, spenders)


# --------------------------------------------------------------------------- 3. the money

def _revenue_share(spenders: pd.DataFrame, *, rank_by: str = "annual_spend", revenue: str = "period_spend") -> float:
    require_columns(spenders, [revenue], "spenders")
    money = spenders[revenue].astype(float)
    return float(100 * money[top_spenders(spenders, rank_by=rank_by)].sum() / money.sum())


@exercise(
    "T3.top_revenue_share",
    "What % of the period's revenue (`period_spend` of `spenders`) do the top value decile's customers hold?",
    tolerance=0.5,
    mistakes=[
        Mistake("the share of customers, not of revenue",
                lambda spenders: float(100 * top_spenders(spenders).mean()),
                "That is the share of *customers* in the top decile (a tenth, by construction). The question is "
                "their share of the *revenue*: their `period_spend` over everyone's."),
        Mistake("ranking customers by total spend without tenure",
                lambda spenders: _revenue_share(spenders, rank_by="net_spend"),
                "Those are the top customers by total spend, which favours long-standing customers. Use the value "
                "deciles by spend per year of tenure (`value_segment` 10)."),
        Mistake("all-time spend instead of the period's revenue",
                lambda spenders: _revenue_share(spenders, revenue="net_spend"),
                "That share is of all-time spend (`net_spend`). The question is about the period's revenue: "
                "use `period_spend`."),
        Mistake("a share, not a percent", lambda spenders: _revenue_share(spenders) / 100,
                "Right idea, wrong unit: give it in % (0-100), not as a share (0-1)."),
    ],
    explain=lambda v: f"The top tenth of customers holds {v:.0f}% of the period's revenue.",
    hint="Sum `period_spend` of the customers with `value_segment == 10`, divide by the sum over every customer, "
         "times 100.",
    teaches="why the top decile matters: its share of the revenue",
)
def _top_revenue_share(spenders: pd.DataFrame) -> float:
    return _revenue_share(spenders)


def _unhappy_top(spenders: pd.DataFrame, satisfaction: pd.DataFrame, *, active_only: bool = True,
                 levels: tuple[str, ...] | None = (_DISSATISFIED,)) -> pd.DataFrame:
    """The top decile's customers whose satisfaction level is in ``levels`` (all: ``None``), active by default."""
    require_columns(satisfaction, ["customer_id", "csat_mean"], "satisfaction")
    require_columns(spenders, ["customer_id", "period_spend"], "spenders")
    level = satisfaction_level(satisfaction.drop_duplicates("customer_id").set_index("customer_id")["csat_mean"])
    top = spenders[top_spenders(spenders)]
    if active_only and "active" in top:
        top = top[top["active"].fillna(True).astype(bool)]
    return top if levels is None else top[top["customer_id"].map(level).isin(levels)]


@exercise(
    "T3.unhappy_top_revenue",
    "How much of the period's revenue (`period_spend`, money) sits with top-decile customers who are dissatisfied "
    "(mean CSAT in the period of 1-2) and still active? From `spenders` and `satisfaction`.",
    tolerance=1.0,
    rel_tolerance=0.005,
    mistakes=[
        Mistake("counting the customers, not their revenue",
                lambda spenders, satisfaction: float(len(_unhappy_top(spenders, satisfaction))),
                "That is how many dissatisfied top spenders there are. The question asks for their revenue: "
                "sum their `period_spend`."),
        Mistake("all top spenders instead of the dissatisfied",
                lambda spenders, satisfaction: float(_unhappy_top(spenders, satisfaction,
                                                                  levels=None)["period_spend"].sum()),
                "That is the revenue of every active top spender. Keep only those whose satisfaction level is "
                "dissatisfied (1-2)."),
        Mistake("the neutral counted as dissatisfied",
                lambda spenders, satisfaction: float(_unhappy_top(
                    spenders, satisfaction, levels=(_DISSATISFIED, "neutral (3)"))["period_spend"].sum()),
                "That adds the neutral customers (mean CSAT 3). The question asks for the dissatisfied only (1-2)."),
        Mistake("customers who had left counted",
                lambda spenders, satisfaction: float(_unhappy_top(
                    spenders, satisfaction, active_only=False)["period_spend"].sum()),
                "That includes customers who had already left: their revenue is lost, not at risk. Keep the "
                "customers with `active` True."),
        Mistake("all-time spend instead of the period's revenue",
                lambda spenders, satisfaction: float(_unhappy_top(spenders, satisfaction)["net_spend"].sum()),
                "That sums all-time spend (`net_spend`). The question is about the period's revenue: use "
                "`period_spend`."),
    ],
    explain=lambda v: f"{v:,.0f} of the period's revenue sits with dissatisfied top spenders who are still "
                      "customers: money at risk.",
    hint="Join `spenders` to `satisfaction` on `customer_id`, keep `value_segment == 10`, `active` and "
         "`satisfaction_level == \"dissatisfied (1-2)\"`, then sum `period_spend`.",
    teaches="putting money on dissatisfaction: revenue at risk among the best customers",
)
def _unhappy_top_revenue(spenders: pd.DataFrame, satisfaction: pd.DataFrame) -> float:
    return float(_unhappy_top(spenders, satisfaction)["period_spend"].sum())


# --------------------------------------------------------------------------- 4. drivers by segment

def _driver_fits(driver_answers: pd.DataFrame, spenders: pd.DataFrame) -> tuple[pd.DataFrame, Any, pd.DataFrame]:
    """The answers marked top spenders / everyone else, the overall driver fit and the fit per group."""
    marked = driver_answers.assign(**{_GROUP: np.where(_in_top(driver_answers, spenders), _TOP, _REST)})
    model, by_group = drivers.importance_by_group(marked, "csat", segment=_GROUP, n_boot=0)
    return marked, model, by_group


def _leading_driver(driver_answers: pd.DataFrame, spenders: pd.DataFrame, group: str = _TOP) -> str:
    """The driver with the largest share of the explained variance of CSAT for ``group``."""
    _, _, by_group = _driver_fits(driver_answers, spenders)
    shares = by_group[by_group["segment"] == group].dropna(subset=["share"])
    return str(shares.sort_values(["share", "driver"], ascending=[False, True])["driver"].iloc[0])


def _lowest_rated(driver_answers: pd.DataFrame, spenders: pd.DataFrame) -> str:
    """The driver the top spenders rate lowest on average."""
    marked, model, _ = _driver_fits(driver_answers, spenders)
    return str(marked.loc[marked[_GROUP] == _TOP, model.drivers_].mean().idxmin())


@exercise(
    "T3.top_driver",
    "Which driver matters most for the top spenders' CSAT: the largest share of the explained variance in their "
    "segment (`drivers.importance_by_group` of `driver_answers`)? Answer with the driver's name.",
    kind="choice",
    mistakes=[
        Mistake("taking a driver's mean rating for its importance",
                lambda driver_answers, spenders: _lowest_rated(driver_answers, spenders),
                "That is the driver the top spenders rate lowest: a rating says how well we do, not how much it "
                "matters. Importance is its share of what the drivers explain (`share`)."),
        Mistake("what matters for everyone else",
                lambda driver_answers, spenders: _leading_driver(driver_answers, spenders, _REST),
                "That driver leads for everyone else. Read the rows of the top spenders' segment: they may care "
                "about something else."),
    ],
    explain=lambda v: f"For the top spenders, **{escape(v)}** takes the largest share of what the drivers explain.",
    hint="In `by_segment`, keep the rows of the top spenders' segment and take the driver with the largest `share`.",
    teaches="importance is not the rating, and what matters differs by segment",
)
def _top_driver(driver_answers: pd.DataFrame, spenders: pd.DataFrame) -> str:
    return _leading_driver(driver_answers, spenders)


def _fix_first(driver_answers: pd.DataFrame, spenders: pd.DataFrame, group: str = _TOP) -> list[str]:
    """The drivers in the "Fix first" quadrant for ``group``: high importance, low performance."""
    marked, model, _ = _driver_fits(driver_answers, spenders)
    quadrants = drivers.importance_performance(marked, "csat", model.drivers_, segment=_GROUP)
    part = quadrants[(quadrants["segment"] == group) & (quadrants["quadrant"] == "Fix first")]
    return sorted(part["driver"])


@exercise(
    "T3.fix_first_top",
    "Which drivers should be fixed first for the top spenders: every driver in their \"Fix first\" quadrant (high "
    "importance, low performance, `drivers.importance_performance`)? Answer with a list of driver names.",
    kind="set",
    mistakes=[
        Mistake("fixing what matters for everyone else",
                lambda driver_answers, spenders: _fix_first(driver_answers, spenders, _REST),
                "That is the Fix-first list of everyone else. Keep the rows of the top spenders' segment and list "
                "every driver in their Fix first quadrant."),
    ],
    explain=lambda v: ("Fix first for the top spenders: " + ", ".join(f"**{escape(d)}**" for d in v) + "."
                       if len(v) else "No driver is in the top spenders' Fix first quadrant."),
    hint="Filter the quadrant table to the top spenders' segment and `quadrant == \"Fix first\"`, and give the "
         "`driver` names as a list.",
    teaches="where to act first, for whom: importance against performance",
)
def _fix_first_top(driver_answers: pd.DataFrame, spenders: pd.DataFrame) -> list[str]:
    return _fix_first(driver_answers, spenders)
