"""The exercises of training session T4, what a customer is worth (``notebooks/training/T4_clv.ipynb``).

A newcomer computes a customer's frequency, recency and age (T) by hand from the
transactions, reads the chance of still buying that BG/NBD gives a one-time buyer and
why, checks a forecast against a holdout period, ranks customers for a campaign by
forecast value, and turns a segment table into an action. Each right answer is computed
from the data passed to :func:`cxkit.training.check`, so a trainer may run the session on
their own company's folder; each exercise names the mistakes newcomers make.

Example
-------
>>> import pandas as pd
>>> from cxkit.training.core import check
>>> tx = pd.DataFrame({"customer_id": ["a"] * 4,
...                    "date": pd.to_datetime(["2025-01-06", "2025-01-06", "2025-02-03", "2025-03-03"]),
...                    "amount": [20.0, 5.0, 30.0, 10.0]})
>>> check("T4.frequency_by_hand", 2, transactions=tx, as_of="2025-03-31", customer="a").status
'right'
>>> check("T4.frequency_by_hand", 3, transactions=tx, as_of="2025-03-31", customer="a").mistake
'counting the first purchase'
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from cxkit.clv import SEGMENT_ACTIONS, rfm_summary
from cxkit.clv.diagnostics import holdout_error, holdout_predictions
from cxkit.errors import argument_error, require_columns
from cxkit.training.core import Mistake, exercise

__all__ = ["WHY_P_ALIVE_CHOICES", "customer_rfm"]

#: The answers offered for "why is a one-time buyer's chance of still buying 1?"; the first is right.
WHY_P_ALIVE_CHOICES = ("a model assumption", "the data proves it", "they bought recently", "they spend a lot")
_ACTIONS = dict(zip(SEGMENT_ACTIONS["segment"], SEGMENT_ACTIONS["action"], strict=True))


def customer_rfm(transactions: pd.DataFrame, as_of: Any, customer: Any, *, time_unit: str = "W") -> pd.Series:
    """One customer's row of :func:`cxkit.clv.rfm_summary`: frequency, recency, T and spend.

    The by-hand exercises of the session are checked against it, so a learner's count of
    purchase days follows the same rules (same-day rows merged, refunds netted) as every
    CLV figure.

    Parameters
    ----------
    transactions : the transactions table (``customer_id``, ``date``, ``amount``).
    as_of : the end of the observation period.
    customer : the customer's id.
    time_unit : ``"D"``, ``"W"`` or ``"M"``, the unit of recency and T.

    Returns
    -------
    Series: that customer's ``frequency``, ``recency``, ``T``, ``monetary_value``,
    ``n_purchase_days``, ``total_spend``...

    Example
    -------
    >>> tx = pd.DataFrame({"customer_id": ["a", "a", "b"], "amount": [20.0, 5.0, 8.0],
    ...                    "date": pd.to_datetime(["2025-01-06", "2025-01-20", "2025-01-06"])})
    >>> customer_rfm(tx, "2025-02-03", "a")[["frequency", "recency", "T"]].astype(float).tolist()
    [1.0, 2.0, 4.0]
    """
    require_columns(transactions, ["customer_id", "date", "amount"], "transactions")
    rows = transactions[transactions["customer_id"] == customer]
    if rows.empty:
        raise argument_error("customer", f"no transaction of customer {customer!r} in the transactions")
    return rfm_summary(rows, as_of, time_unit=time_unit).iloc[0]


def _rows(transactions: pd.DataFrame, customer: Any) -> pd.DataFrame:
    return transactions[transactions["customer_id"] == customer]


# --- frequency, recency and T by hand ---------------------------------------------------------------------------

@exercise(
    "T4.frequency_by_hand",
    "How many repeat purchases (frequency) has the chosen customer made? A whole number, from the transactions.",
    tolerance=0,
    mistakes=[
        Mistake("counting the first purchase",
                lambda transactions, as_of, customer: customer_rfm(transactions, as_of, customer)["n_purchase_days"],
                "That counts every purchase day, the first one too. Frequency counts the **repeat** purchase days: "
                "take one off for the first purchase."),
        Mistake("counting rows, not purchase days",
                lambda transactions, as_of, customer: len(_rows(transactions, customer)) - 1,
                "That counts rows: two purchases on the same day are one purchase day, and a refund is never a "
                "purchase. Count the calendar days whose net spend is above 0, then take one off for the first."),
    ],
    explain=lambda f: f"Frequency is {f:.0f}: the purchase days after the first one (several rows on one day "
                      "count once).",
    hint="Group the customer's rows by calendar day, keep the days whose net spend is above 0, count them and "
         "take one off for the first purchase.",
    teaches="frequency counts repeat purchase days, not rows and not the first purchase",
)
def _frequency_by_hand(transactions: pd.DataFrame, as_of: Any, customer: Any) -> float:
    return float(customer_rfm(transactions, as_of, customer)["frequency"])


@exercise(
    "T4.recency_weeks",
    "What is the chosen customer's recency, in weeks?",
    tolerance=0.1,
    mistakes=[
        Mistake("recency as time since the last purchase",
                lambda transactions, as_of, customer: _weeks(transactions, as_of, customer, "T")
                - _weeks(transactions, as_of, customer, "recency"),
                "That is the time **since** the last purchase (T minus recency). In BG/NBD, recency is the time "
                "from the first purchase to the last one: the longer, the longer the customer has kept buying."),
        Mistake("recency in days, not weeks",
                lambda transactions, as_of, customer: 7 * _weeks(transactions, as_of, customer, "recency"),
                "That is in days. Divide by 7: the summary of this session counts time in weeks."),
    ],
    explain=lambda r: f"Recency is {r:.1f} weeks: from the first purchase day to the last one.",
    hint="Recency runs from the first purchase day to the last purchase day; divide the days by 7.",
    teaches="recency in BG/NBD is the time from the first to the last purchase, not the time since the last one",
)
def _recency_weeks(transactions: pd.DataFrame, as_of: Any, customer: Any) -> float:
    return _weeks(transactions, as_of, customer, "recency")


def _weeks(transactions: pd.DataFrame, as_of: Any, customer: Any, column: str) -> float:
    return float(customer_rfm(transactions, as_of, customer, time_unit="W")[column])


@exercise(
    "T4.age_weeks",
    "What is the chosen customer's age T, in weeks?",
    tolerance=0.1,
    mistakes=[
        Mistake("T stopping at the last purchase",
                lambda transactions, as_of, customer: _weeks(transactions, as_of, customer, "recency"),
                "That stops at the last purchase: it is the recency. T runs from the first purchase to the end of "
                "the observation period (the analysis date), whether the customer bought lately or not."),
        Mistake("T in days, not weeks",
                lambda transactions, as_of, customer: 7 * _weeks(transactions, as_of, customer, "T"),
                "That is in days. Divide by 7: the summary of this session counts time in weeks."),
    ],
    explain=lambda t: f"T is {t:.1f} weeks: from the first purchase day to the analysis date.",
    hint="T runs from the first purchase day to the analysis date (`cx.as_of`); divide the days by 7.",
    teaches="T, the customer's age, runs from the first purchase to the analysis date",
)
def _age_weeks(transactions: pd.DataFrame, as_of: Any, customer: Any) -> float:
    return _weeks(transactions, as_of, customer, "T")


# --- a one-time buyer's chance of still buying --------------------------------------------------------------------

def _p_alive(bgf: Any, summary: pd.DataFrame, customer: Any) -> float:
    if customer not in summary.index:
        raise argument_error("customer", f"customer {customer!r} is not in the summary")
    row = summary.loc[customer]
    if row["frequency"] != 0:
        raise argument_error("customer", f"customer {customer!r} has {row['frequency']} repeat purchases; "
                                          "this exercise is about a one-time buyer (frequency 0)")
    return float(bgf.conditional_probability_alive(row["frequency"], row["recency"], row["T"]))


@exercise(
    "T4.p_alive_one_time",
    "What chance of still buying (p_alive, from 0 to 1) does the fitted BG/NBD give the chosen one-time buyer?",
    tolerance=0.01,
    mistakes=[
        Mistake("the average of all customers",
                lambda bgf, summary, customer: float(bgf.conditional_probability_alive(
                    summary["frequency"], summary["recency"], summary["T"]).mean()),
                "That is the average over all customers. Ask the model about this one customer: "
                "`bgf.conditional_probability_alive(frequency, recency, T)` with their own three numbers."),
        Mistake("a percentage, not a probability",
                lambda bgf, summary, customer: 100 * _p_alive(bgf, summary, customer),
                "That is a percentage: give the chance as a number from 0 to 1."),
    ],
    explain=lambda p: f"The model gives {p:.2f}: with no repeat purchase, BG/NBD sees no moment at which the "
                      "customer could have dropped out.",
    hint="Take the customer's frequency, recency and T from the summary and pass them to "
         "`bgf.conditional_probability_alive`.",
    teaches="BG/NBD gives every customer without a repeat purchase a chance of still buying of 1",
)
def _p_alive_one_time(bgf: Any, summary: pd.DataFrame, customer: Any) -> float:
    return _p_alive(bgf, summary, customer)


@exercise(
    "T4.why_p_alive_one",
    "Why is that chance 1? Answer with one of: " + ", ".join(f'"{c}"' for c in WHY_P_ALIVE_CHOICES) + ".",
    kind="choice",
    choices=WHY_P_ALIVE_CHOICES,
    mistakes=[
        Mistake("taking the assumption for a fact", lambda **_: WHY_P_ALIVE_CHOICES[1],
                "The data cannot prove it: a one-time buyer has given no sign either way. BG/NBD *assumes* a "
                "customer can drop out only just after a repeat purchase, so with none there was no moment to go."),
        Mistake("reading it from recency", lambda **_: WHY_P_ALIVE_CHOICES[2],
                "Recency is 0 for every one-time buyer, however long ago they bought; the chance is 1 even for "
                "one who bought years ago. It comes from the model's assumption about when customers drop out."),
        Mistake("mixing value with being alive", lambda **_: WHY_P_ALIVE_CHOICES[3],
                "BG/NBD never looks at spend: the chance of still buying comes from frequency, recency and T only. "
                "The 1 comes from the model's assumption about when customers drop out."),
    ],
    explain=lambda c: "It is a model assumption: BG/NBD lets a customer drop out only just after a repeat "
                      "purchase, so a customer with none is taken to be still buying, only slowly. Their CLV "
                      "stays low because the model expects them to buy rarely.",
    hint="Think about when BG/NBD lets a customer drop out.",
    teaches="p_alive of 1 for a one-time buyer is the model's assumption, not a fact about the customer",
)
def _why_p_alive_one(bgf: Any, summary: pd.DataFrame, customer: Any) -> str:
    _p_alive(bgf, summary, customer)   # checks that the customer is a one-time buyer
    return WHY_P_ALIVE_CHOICES[0]


# --- the holdout check -------------------------------------------------------------------------------------------

def _holdout_forecast(split: pd.DataFrame, bgf: Any, churned: Any) -> float:
    return float(holdout_predictions(split, bgf, churned=churned)["predicted_holdout"].sum())


def _percent_off(forecast: float, actual: float) -> float:
    return 100 * (forecast - actual) / max(actual, 1e-12)


@exercise(
    "T4.holdout_error",
    "By how many percent was the forecast of holdout purchases above (+) or below (-) the purchases customers "
    "really made in the holdout?",
    tolerance=0.5,
    mistakes=[
        Mistake("the forecast compared with the calibration period",
                lambda split, bgf, churned=None: _percent_off(_holdout_forecast(split, bgf, churned),
                                                              float(split["frequency_cal"].sum())),
                "That compares the forecast with the **calibration** period, which the model was fitted on (and "
                "is of another length). Compare it with what customers bought in the holdout: `frequency_holdout`."),
        Mistake("the sign turned round",
                lambda split, bgf, churned=None: -float(holdout_error(split, bgf, churned=churned)["error_pct"]
                                                        .iloc[0]),
                "The size is right but the sign is turned round: take forecast minus actual, so that a forecast "
                "that was too high reads as a positive error."),
        Mistake("forgetting the customers who had cancelled",
                lambda split, bgf, churned=None: float(holdout_error(split, bgf)["error_pct"].iloc[0]),
                "That forecasts purchases for customers who had already cancelled by the calibration end. "
                "Pass `churned=cancelled_before_holdout`: their forecast is 0, as in the CLV."),
    ],
    explain=lambda e: f"The forecast was {abs(e):.1f}% {'above' if e >= 0 else 'below'} the purchases made in "
                      "the holdout: 100 x (forecast - actual) / actual.",
    hint="Sum `predicted_holdout` and `frequency_holdout` over customers, then 100 x (forecast - actual) / actual.",
    teaches="a holdout check compares a forecast with a period the model never saw",
)
def _holdout_error(split: pd.DataFrame, bgf: Any, churned: Any = None) -> float:
    return float(holdout_error(split, bgf, churned=churned)["error_pct"].iloc[0])


# --- ranking customers for a campaign ----------------------------------------------------------------------------

def _top(scores: pd.Series, n: int = 10) -> list[str]:
    order = scores.sort_values(ascending=False, kind="mergesort")
    return [str(i) for i in order.index[:n]]


@exercise(
    "T4.top10_clv",
    "Which 10 customers should a campaign for the most valuable customers go to? Their ids, as a list.",
    kind="set",
    mistakes=[
        Mistake("ranking customers by total spend without tenure",
                lambda values, summary: _top(summary["total_spend"]),
                "That ranks by total spend to date: customers who joined long ago have simply had longer to spend, "
                "and some of them have stopped. Rank by the forecast value, `clv`."),
        Mistake("ranking by past spend instead of forecast value",
                lambda values, summary: _top(summary["total_spend"] / summary["T"]),
                "That ranks by past spend per week: it looks backwards and favours customers who just made one "
                "large purchase. Rank by the forecast value, `clv`, which weighs how likely each one is to buy again."),
    ],
    explain=lambda ids: f"These are the {len(ids)} customers with the highest forecast CLV.",
    hint="Sort the CLV table by `clv`, highest first, and take the first 10 ids.",
    teaches="a campaign ranks customers by forecast value, not by what they spent in the past",
)
def _top10_clv(values: pd.DataFrame, summary: pd.DataFrame) -> list[str]:
    return _top(values["clv"])


# --- from a segment table to an action ---------------------------------------------------------------------------

def _action_of_largest(profile: pd.DataFrame, by: str, among: Sequence[str] | None = None) -> str:
    rows = profile if among is None else profile[profile["segment"].astype(str).isin(list(among))]
    if rows.empty:
        raise argument_error("at_risk", f"none of the segments {list(among or [])} is in the profile")
    segment = str(rows.sort_values(by, ascending=False, kind="mergesort")["segment"].iloc[0])
    return _ACTIONS[segment]


@exercise(
    "T4.segment_action",
    "Among the segments slipping away, take the one holding the largest share of CLV: what is its action? "
    "Answer with its action text from `clv.SEGMENT_ACTIONS`.",
    kind="choice",
    choices=tuple(SEGMENT_ACTIONS["action"]),
    mistakes=[
        Mistake("acting on the largest segment by customers, not by value",
                lambda profile, at_risk: _action_of_largest(profile, "customers", at_risk),
                "That is the action of the slipping segment with the most **customers**. A retention budget goes "
                "where the value is: take the slipping segment with the largest share of CLV (`clv_share`)."),
        Mistake("acting on the most valuable segment, which is not slipping",
                lambda profile, at_risk: _action_of_largest(profile, "clv_share"),
                "That segment holds the most value, but it is not slipping away. Look only at the segments at "
                "risk, then at their share of CLV."),
    ],
    explain=lambda a: f"The action: {a}",
    hint="Keep the rows of the segments at risk, sort by `clv_share`, and look up the top segment's action.",
    teaches="a segment table becomes an action by value at stake, not by headcount",
)
def _segment_action(profile: pd.DataFrame, at_risk: Sequence[str]) -> str:
    require_columns(profile, ["segment", "customers", "clv_share"], "profile", hint="build it with segment_profile()")
    return _action_of_largest(profile, "clv_share", at_risk)
