"""The board report's findings: the themes' headlines, and the money the bridge puts on experience.

Every number of the board report comes from a :class:`~cxkit.findings.Finding`: the
themes' own (satisfaction against the goals, the top spenders against everyone else,
their share of revenue) and those written here from :mod:`cxkit.bridge` (what a bad
contact costs, what a driver's point is worth, a service scenario) and from the CLV
forecast. Each sentence carries its interval and period; a comparison or a cost is said
only where its interval supports it. :func:`board_actions` writes the three recommended
actions from the same findings, so an action's number is always one the summary states.

Example
-------
>>> row = {"hazard_ratio": 1.29, "hr_low": 1.23, "hr_high": 1.37, "p_value": 1e-9, "days_lost": 8.2,
...        "leavers_per_1000": 41.0, "leavers_low": 32.0, "leavers_high": 50.0, "value_lost": 2.34,
...        "ci_low": 1.79, "ci_high": 2.88, "customers": 3672, "horizon_months": 12, "status": "clear"}
>>> print(bad_contact_finding(row, currency="£"))
Each bad service contact costs about **£2.34** in customer value over the next 12 months (95% interval £1.79 to £2.88): it multiplies the customer's risk of leaving by 1.29 (1.23 to 1.37), and every 1,000 bad contacts lose about 41 customers (32 to 50) within the 12 months.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from cxkit.findings import Finding, held_interval
from cxkit.metrics.findings import metrics_findings
from cxkit.narrative import capital, escape, money_text, p_text

__all__ = ["satisfaction_findings", "bad_contact_finding", "forecast_finding", "driver_value_finding",
           "scenario_finding", "board_actions", "MEANINGS"]

THEME = "board"

#: What each board finding means, in a sentence a board member can repeat.
MEANINGS = {
    "nps": "The share of promoters minus the share of detractors, from -100 to +100.",
    "csat": "The share of answers of 4 or 5 on the 1-5 satisfaction question.",
    "ces": "How easy customers found it to deal with us, 1 (hard) to 7 (easy).",
    "top_vs_rest": "Whether the customers who spend most are as satisfied as everyone else.",
    "top_revenue_share": "How much of the revenue depends on the top spenders.",
    "bad_contact": "What one contact that goes badly (not resolved first time, or a long wait) costs in the value "
                   "of the customers it falls on, because they leave sooner.",
    "forecast": "What today's customers are expected to spend over the horizon, and how concentrated it is.",
    "driver_value": "Where a better experience for the top spenders is worth most, through their satisfaction and "
                    "how long they stay.",
    "scenario": "What a realistic service improvement would keep, in customers and value.",
}


def _money(value: float, currency: str | None) -> str:
    decimals = 2 if abs(value) < 100 else 0
    return money_text(value, currency, decimals)


def _months(horizon_months: float) -> str:
    return f"the next {int(horizon_months)} months"


def satisfaction_findings(scorecard: pd.DataFrame, gaps: pd.DataFrame | None, *, period: str,
                          goals: Mapping[str, float] | None, headline: str, top: str,
                          top_vs_rest: pd.DataFrame | None, top_share: float | None) -> list[Finding]:
    """The CX metrics report's findings a board reads: the headline metric, CSAT against its goal, the top spenders.

    Example
    -------
    >>> card = pd.DataFrame({"metric": ["NPS"], "value": [31.0], "ci_low": [27.5], "ci_high": [34.4], "n": [2890]})
    >>> [f.key for f in satisfaction_findings(card, None, period="2025", goals={}, headline="NPS", top="top 10%",
    ...                                       top_vs_rest=None, top_share=None)]
    ['nps', 'no_goals']
    """
    found = metrics_findings(scorecard, gaps, period=period, goals=goals, top=top,
                             top_vs_rest=top_vs_rest, top_share=top_share)
    with_goals = set(gaps["metric"]) if gaps is not None and len(gaps) else set()
    keep = {headline.lower(), "no_goals", "top_vs_rest", "top_revenue_share"}
    keep |= {"csat"} if "CSAT" in with_goals else set()      # NPS and CSAT against goal; CES stays in report 00
    return [f for f in found if f.key in keep]


def bad_contact_finding(row: Mapping[str, Any] | pd.DataFrame, *, currency: str | None = None,
                        period: str | None = None) -> Finding | None:
    """What a bad contact costs (:func:`cxkit.bridge.value_per_bad_contact`) as a board finding.

    Money only where the churn model's effect is clear and there is a value to lose; a
    not-clear effect says so and gives no figure. ``None`` when it cannot be computed.
    """
    row = row.iloc[0] if isinstance(row, pd.DataFrame) else row
    if row["status"] == "cannot compute":
        return None
    months = _months(row["horizon_months"])
    base = {"active customers": int(row["customers"])}
    if row["status"] != "clear":
        sentence = (f"There is **no clear evidence** that a bad service contact shortens how long customers stay "
                    f"(hazard ratio {row['hazard_ratio']:.2f}, 95% interval {row['hr_low']:.2f} to "
                    f"{row['hr_high']:.2f}, {p_text(row['p_value'])}): no cost is put on it.")
        return Finding(theme=THEME, key="bad_contact", what="what a bad contact costs", sentence=sentence,
                       estimate=row["hazard_ratio"], low=row["hr_low"], high=row["hr_high"], unit="times the risk",
                       period=period, base=base, test="Cox model, Wald test", p_value=row["p_value"],
                       direction="no clear difference")
    effect = (f"it multiplies the customer's risk of leaving by {row['hazard_ratio']:.2f} ({row['hr_low']:.2f} to "
              f"{row['hr_high']:.2f}), and every 1,000 bad contacts lose about {row['leavers_per_1000']:,.0f} "
              f"customers ({row['leavers_low']:,.0f} to {row['leavers_high']:,.0f}) within the {int(row['horizon_months'])} "
              "months")
    if pd.isna(row.get("value_lost")):
        sentence = f"Each bad service contact shortens customers' stay: {effect}."
        return Finding(theme=THEME, key="bad_contact", what="customers lost per 1,000 bad contacts", sentence=sentence,
                       estimate=row["leavers_per_1000"], low=row["leavers_low"], high=row["leavers_high"],
                       unit="customers per 1,000 bad contacts", period=months, base=base,
                       test="Cox model, Wald test", p_value=row["p_value"], direction="lower")
    low, high = held_interval("value per bad contact", row["value_lost"], row["ci_low"], row["ci_high"])
    interval = f" (95% interval {_money(low, currency)} to {_money(high, currency)})" if low is not None else ""
    sentence = (f"Each bad service contact costs about **{_money(row['value_lost'], currency)}** in customer value "
                f"over {months}{interval}: {effect}.")
    return Finding(theme=THEME, key="bad_contact", what="customer value lost per bad contact", sentence=sentence,
                   estimate=row["value_lost"], low=low, high=high, currency=currency, period=months, base=base,
                   test="Cox model, Wald test", p_value=row["p_value"], direction="lower")


def forecast_finding(total: pd.DataFrame | Mapping[str, Any], concentration: pd.DataFrame | None, *, customers: int,
                     horizon_months: int, currency: str | None = None, top: float = 0.1) -> Finding:
    """Today's customers' forecast value over the horizon and the share the most valuable hold.

    Example
    -------
    >>> conc = pd.DataFrame({"top_share_of_customers": [0.1], "share_of_value": [0.38]})
    >>> print(forecast_finding({"total": 337000.0, "ci_low": 330000.0, "ci_high": 346000.0}, conc, customers=5000,
    ...                        horizon_months=12, currency="£"))
    Today's 5,000 customers are expected to bring **£337,000** over the next 12 months (95% interval £330,000 to £346,000, discounted); the most valuable 10% of them hold 38% of it.
    """
    row = total.iloc[0] if isinstance(total, pd.DataFrame) else total
    low, high = held_interval("the total CLV", row["total"], row["ci_low"], row["ci_high"])
    interval = f" (95% interval {_money(low, currency)} to {_money(high, currency)}, discounted)" if low else ""
    sentence = (f"Today's {customers:,} customers are expected to bring **{_money(row['total'], currency)}** over "
                f"{_months(horizon_months)}{interval}")
    if concentration is not None:
        shares = concentration.set_index("top_share_of_customers")["share_of_value"]
        if top in shares.index:
            sentence += f"; the most valuable {top:.0%} of them hold {shares.loc[top]:.0%} of it"
    return Finding(theme=THEME, key="forecast", what="forecast customer value (CLV)", sentence=sentence + ".",
                   estimate=row["total"], low=low, high=high, currency=currency, period=_months(horizon_months),
                   base={"customers": int(customers)}, test="BG/NBD and Gamma-Gamma, parameter draws")


def driver_value_finding(stake: pd.DataFrame, importance: pd.DataFrame | None, *, segment: str, who: str,
                         currency: str | None = None, period: str | None = None) -> Finding | None:
    """The driver whose one-point rise is worth most for ``segment`` (:func:`cxkit.bridge.driver_value_at_stake`).

    Where no driver's chain is clear, the finding says so and names the link that is not,
    with no money figure. ``None`` when nothing could be computed for the segment.
    """
    rows = stake[stake["segment"] == segment]
    if not len(rows) or (rows["status"] == "cannot compute").all():
        return None
    clear = rows[rows["status"] == "clear"]
    lead = ""
    if importance is not None and len(importance):
        top = importance.sort_values("share", ascending=False).iloc[0]
        lead = (f"For {escape(who)}, **{escape(top['driver'])}** explains most of CSAT ({top['share']:.0%} of what "
                "the drivers explain). ")
    if not len(clear) or clear["value_at_stake"].isna().all():
        reasons = sorted(set(rows["reason"].dropna()) - {""})
        sentence = lead + ("No driver's rise shows a clear link to value: " + "; ".join(escape(r) for r in reasons[:2])
                           + ". No money is put on it.")
        return Finding(theme=THEME, key="driver_value", what=f"value at stake by driver, {who}", sentence=sentence,
                       period=period, base={"active customers": int(rows["customers"].max())},
                       direction="no clear difference")
    best = clear.sort_values("value_at_stake", ascending=False).iloc[0]
    low, high = held_interval("value at stake", best["value_at_stake"], best["ci_low"], best["ci_high"])
    interval = f" (95% interval {_money(low, currency)} to {_money(high, currency)})" if low is not None else ""
    sentence = (lead + f"Raising their mean **{escape(best['driver'])}** score by one point is worth about "
                f"**{_money(best['value_at_stake'], currency)}** over {period}{interval}, about "
                f"{best['customers_kept']:,.0f} customers kept: each point adds {best['effect']:.2f} CSAT points, and "
                f"each CSAT point multiplies the risk of leaving by {best['csat_hazard_ratio']:.2f}.")
    return Finding(theme=THEME, key="driver_value", what=f"value at stake: {best['driver']}, {who}",
                   sentence=sentence, estimate=best["value_at_stake"], low=low, high=high, currency=currency,
                   period=period, base={"active customers": int(best["customers"])},
                   test="driver model and Cox model, effects drawn from their intervals", direction="higher")


def scenario_finding(row: Mapping[str, Any] | pd.DataFrame, *, currency: str | None = None) -> Finding | None:
    """A what-if scenario (:func:`cxkit.bridge.what_if`) as a board finding; ``None`` when it cannot be computed."""
    row = row.iloc[0] if isinstance(row, pd.DataFrame) else row
    if row["status"] == "cannot compute":
        return None
    months = _months(row["horizon_months"])
    base = {"active customers": int(row["customers"])}
    if row["status"] != "clear":
        sentence = (f"If {escape(row['scenario'])}, the data show no clear change in who stays ({escape(row['reason'])}).")
        return Finding(theme=THEME, key="scenario", what=row["scenario"], sentence=sentence, period=months, base=base,
                       direction="no clear difference")
    kept = (f"about **{row['customers_kept']:,.0f} more customers** would stay over {months} "
            f"({row['kept_low']:,.0f} to {row['kept_high']:,.0f})")
    if pd.isna(row.get("value_kept")):
        return Finding(theme=THEME, key="scenario", what=row["scenario"], sentence=f"If {escape(row['scenario'])}, "
                       f"{kept}.", estimate=row["customers_kept"], low=row["kept_low"], high=row["kept_high"],
                       unit="customers", period=months, base=base, direction="higher")
    low, high = held_interval("value kept", row["value_kept"], row["ci_low"], row["ci_high"])
    worth = f", worth about **{_money(row['value_kept'], currency)}**"
    worth += f" ({_money(low, currency)} to {_money(high, currency)})" if low is not None else ""
    return Finding(theme=THEME, key="scenario", what=row["scenario"],
                   sentence=f"If {escape(row['scenario'])}, {kept}{worth}.", estimate=row["value_kept"], low=low,
                   high=high, currency=currency, period=months, base=base, direction="higher")


def _find(findings: Iterable[Finding], key: str) -> Finding | None:
    return next((f for f in findings if f is not None and f.key == key), None)


def board_actions(findings: Sequence[Finding | None], *, top: str = "top 10%",
                  scenario: Finding | None = None) -> list[str]:
    """Three recommended actions, each tied to a number the summary states; fewer when the data support fewer.

    Example
    -------
    >>> f = Finding(theme="board", key="bad_contact", what="w", sentence="s", estimate=2.34, currency="£",
    ...             direction="lower")
    >>> board_actions([f])[0]
    'Fix the contacts that go badly first: each costs about £2.34 in customer value.'
    """
    actions = []
    bad = _find(findings, "bad_contact")
    if bad is not None and bad.direction == "lower":
        cost = (f"each costs about {_money(bad.estimate, bad.currency)} in customer value" if bad.currency or
                bad.unit is None else f"every 1,000 lose about {bad.estimate:,.0f} customers")
        action = f"Fix the contacts that go badly first: {cost}"
        if scenario is not None and scenario.direction == "higher" and scenario.estimate is not None:
            gain = (_money(scenario.estimate, scenario.currency) if scenario.currency or scenario.unit is None
                    else f"{scenario.estimate:,.0f} customers")
            action += f"; if {scenario.what}, about {gain} would be kept"
        actions.append(action + ".")
    driver = _find(findings, "driver_value")
    if driver is not None and driver.direction == "higher":
        name = driver.what.split(": ", 1)[-1].rsplit(", ", 1)[0]
        actions.append(f"Raise {escape(name)} for the {top} of spenders: one point is worth about "
                       f"{_money(driver.estimate, driver.currency)}.")
    gap = _find(findings, "top_vs_rest")
    share = _find(findings, "top_revenue_share")
    if gap is not None and gap.direction == "lower":
        held = f" ({share.estimate:.0%} of revenue)" if share is not None and share.estimate else ""
        actions.append(f"Put the {top} of spenders{held} on the board's scorecard: their satisfaction is "
                       f"{abs(gap.estimate):.1f} points below everyone else's, which the overall score hides.")
    elif gap is not None and gap.direction == "higher":
        actions.append(f"Keep the {top} of spenders' experience as it is: they are more satisfied than everyone else.")
    return [capital(a) for a in actions[:3]]
