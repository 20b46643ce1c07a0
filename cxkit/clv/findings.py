"""The CLV theme's headline results as :class:`cxkit.findings.Finding` records, in the order a summary says them.

A notebook's summary, the board report and the deck must say the same thing about the
forecast: :func:`clv_findings` writes each headline result once, with the numbers behind
its sentence (estimate, interval, currency, period, base, test), and every report
renders those findings as they are (``narrative.as_bullets``). Nothing edits a sentence
after it is written.

The findings come in three parts, each a part of the summary a page may break between;
a finding's ``key`` starts with its part (``"forecast:clv_total"``, ``"segment:At Risk"``,
``"closing:coverage"``), and :func:`summary_parts` groups them:

* ``forecast``: the total CLV over the horizon with its interval and currency, set against
  last year's spend of the same customers and the share the top 10% of customers hold
  (one sentence, :func:`cxkit.clv.sentences.clv_total_sentence`); then the holdout check,
  purchases and revenue (:func:`cxkit.clv.sentences.holdout_sentence`).
* ``segment``: the segment worth most per customer, then those to watch, each with the
  action of its table (:func:`cxkit.clv.sentences.headline_segments`,
  :func:`cxkit.clv.sentences.segment_action_sentence`).
* ``closing``: satisfaction against value with its tests, tables that end before the
  period does, the holdout checks the forecast failed (total, then ranking by decile),
  and notes on parameters the data cannot pin down; each only when it has something to say.

A subscription CLV report (no transaction log, a customers table with cancellations) says
its own headline results: :func:`subscription_findings` (what an active subscriber is
worth with its interval, by plan, what one more renewal and one point less churn are
worth, the holdout check on the oldest cohorts, then notes), with the sentences beside it
(:func:`family_sentence`, :func:`cohorts_sentence`, :func:`holdout_check_sentence`) and
:func:`model_finding`, the model a CLV rests on and why, for either family. Without a fee
column the value is in periods still to be paid, and the sentences say so.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from cxkit.clv.sentences import (
    WATCH_SEGMENTS,
    clv_total_sentence,
    forecast_warnings,
    headline_segments,
    holdout_sentence,
    satisfaction_value_sentence,
    segment_action_sentence,
)
from cxkit.clv.subscription_value import FAMILY_RULE, FamilyChoice
from cxkit.findings import Finding, held_interval
from cxkit.narrative import coverage_sentence, escape, interval_of, money_text, sign_from_test

__all__ = ["SUMMARY_PARTS", "clv_findings", "summary_parts", "PERIOD_WORDS", "period_words", "family_sentence", "model_finding", "cohorts_sentence", "amount_text", "holdout_check_sentence", "subscription_findings"]

#: The parts of a CLV summary, in order: a finding's key starts with its part and a colon.
SUMMARY_PARTS = ("forecast", "segment", "closing")

_THEME = "clv"
#: A period code in words (singular, plural).
PERIOD_WORDS = {"W": ("week", "weeks"), "M": ("month", "months"), "Q": ("quarter", "quarters"), "Y": ("year", "years")}


def _row(result: pd.DataFrame | Mapping) -> Mapping:
    """The row of a one-row result table (a row or a mapping is returned as it is)."""
    return result.iloc[0] if isinstance(result, pd.DataFrame) else result


def _count(value: Any) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def _base(**counts: Any) -> dict[str, int]:
    """The counts a finding rests on, leaving out those not known."""
    return {name: n for name, n in ((name, _count(v)) for name, v in counts.items()) if n is not None}


def _top_share(concentration: pd.DataFrame | None, top: float = 0.1) -> float | None:
    if concentration is None:
        return None
    shares = concentration.set_index("top_share_of_customers")["share_of_value"]
    return float(shares.loc[top]) if top in shares.index else None


def _forecast(total: Mapping, last_year: Mapping, holdout: Mapping, holdout_revenue: Mapping | None, *,
              horizon_months: int, holdout_months: int, n_customers: int, currency: str | None,
              top10_share: float | None, discount_rate: float | None, ci: float) -> list[Finding]:
    n_left = int(last_year["n_cancelled"])
    sentence = clv_total_sentence(total, horizon_months=horizon_months, n_customers=n_customers, currency=currency,
                                  last_year_revenue=last_year["spend"], n_left=n_left, top10_share=top10_share,
                                  last_year_from_left=last_year["from_cancelled"],
                                  last_year_first_purchases=last_year["first_purchases"], discount_rate=discount_rate)
    low, high = held_interval("the total CLV", total["total"], total["ci_low"], total["ci_high"])
    clv_total = Finding(theme=_THEME, key="forecast:clv_total", sentence=sentence,
                        what=f"CLV of today's customers over the next {int(horizon_months)} months, discounted, "
                             "against last year's spend of the same customers",
                        estimate=total["total"], low=low, high=high, ci=ci, currency=currency,
                        period=f"the next {int(horizon_months)} months",
                        base=_base(customers=n_customers, cancelled=n_left))
    checked = Finding(theme=_THEME, key="forecast:holdout",
                      sentence=holdout_sentence(holdout, months=holdout_months, revenue=holdout_revenue),
                      what="error of the purchase forecast on months held back (forecast against actual)",
                      estimate=holdout["error_pct"], unit="%", period=f"{int(holdout_months)} months held back",
                      base=_base(customers=holdout.get("n_customers")))
    return [clv_total, checked]


def _segments(profile: pd.DataFrame | None, watch: Iterable[str]) -> list[Finding]:
    if profile is None:
        return []
    out = []
    for name, row in headline_segments(profile, watch=watch).iterrows():
        out.append(Finding(theme=_THEME, key=f"segment:{name}",
                           sentence=segment_action_sentence(row, action=row["action"]),
                           what=f"the segment {name}: its share of forecast value, and its action",
                           estimate=row.get("clv_share"), unit="share of forecast value",
                           base=_base(customers=row.get("customers"))))
    return out


def _value_direction(row: Mapping, alpha: float) -> str:
    """What the two tests of a value comparison support together, as the sentence words it."""
    d_mean = float(row["diff"]) if "diff" in row else float(row["mean_a"]) - float(row["mean_b"])
    lo, hi = interval_of(row)
    mean_sign = sign_from_test(d_mean, lo, hi, float(row["p_value"]), alpha)
    d_med = float(row["median_a"]) - float(row["median_b"])
    med_sign = 0 if not float(row["p_median"]) < alpha or d_med == 0 else (1 if d_med > 0 else -1)
    if mean_sign != 0 and mean_sign == med_sign:
        return "higher" if mean_sign > 0 else "lower"
    return "no clear difference"


def _satisfaction(satisfaction: pd.DataFrame | Mapping | None, currency: str | None) -> list[Finding]:
    if satisfaction is None:
        return []
    row = _row(satisfaction)
    d_mean = float(row["diff"]) if "diff" in row else float(row["mean_a"]) - float(row["mean_b"])
    low, high = held_interval("the difference in mean CLV", d_mean, *interval_of(row))
    return [Finding(theme=_THEME, key="closing:satisfaction_value",
                    sentence=satisfaction_value_sentence(row, currency=currency),
                    what="CLV of dissatisfied (1-2) against satisfied (4-5) customers: the difference of the means",
                    estimate=d_mean, low=low, high=high, currency=currency,
                    base=_base(dissatisfied=row.get("n_a"), satisfied=row.get("n_b")),
                    test="Welch t-test (means) and Mann-Whitney U test (medians)", p_value=row["p_value"],
                    direction=_value_direction(row, 0.05))]


def _checks(holdout: pd.DataFrame, deciles: pd.DataFrame | None, max_error_pct: float) -> list[Finding]:
    on_total = forecast_warnings(holdout, None, max_error_pct=max_error_pct)
    on_ranking = forecast_warnings(holdout, deciles, max_error_pct=max_error_pct)[len(on_total):]
    error = holdout["error_pct"].iloc[0]
    return ([Finding(theme=_THEME, key="closing:holdout_check", sentence=line, estimate=error, unit="%",
                     what="the holdout check of the purchase forecast, failed") for line in on_total]
            + [Finding(theme=_THEME, key="closing:decile_check", sentence=line,
                       what="the holdout check of the forecast's ranking of customers by decile, failed")
               for line in on_ranking])


def clv_findings(total: pd.DataFrame | Mapping, last_year: pd.DataFrame | Mapping, holdout: pd.DataFrame,
                 holdout_revenue: pd.DataFrame | Mapping | None = None, *, horizon_months: int, holdout_months: int,
                 n_customers: int, currency: str | None = None, discount_rate: float | None = None,
                 concentration: pd.DataFrame | None = None, profile: pd.DataFrame | None = None,
                 watch: Iterable[str] = WATCH_SEGMENTS, satisfaction: pd.DataFrame | Mapping | None = None,
                 coverage: pd.DataFrame | None = None, deciles: pd.DataFrame | None = None,
                 notes: Iterable[str] = (), max_error_pct: float = 25.0) -> list[Finding]:
    """The headline results of a CLV report as findings, in the order its summary says them.

    A board reads the forecast once, with what makes it believable (last year's spend of
    the same customers, the holdout check), then where the value sits and what to do about
    it, then what qualifies the figures. Each finding keeps its sentence with the numbers
    behind it, so the notebook's summary and the board report say the same thing.

    Parameters
    ----------
    total : :func:`cxkit.clv.total_clv_interval` (its ``attrs["ci"]`` gives the coverage).
    last_year : :func:`cxkit.clv.last_year_spend`.
    holdout, holdout_revenue : :func:`cxkit.clv.diagnostics.holdout_error` and
        :func:`cxkit.clv.diagnostics.holdout_revenue`; revenue may be ``None``.
    horizon_months, holdout_months : the forecast horizon and the holdout's length.
    n_customers : customers in the forecast.
    currency : for the money figures; ``None`` shows plain numbers in the data's own unit.
    discount_rate : the monthly discount rate of the forecast, e.g. ``0.01``.
    concentration : :func:`cxkit.clv.value_concentration`; the top 10%'s share of the
        forecast is said with the total when given.
    profile : :func:`cxkit.clv.segment_profile` (highest mean value first) with an
        ``action`` column: the segments named are chosen by
        :func:`cxkit.clv.sentences.headline_segments` with ``watch``.
    satisfaction : :func:`cxkit.experience.compare_value_by_experience` (dissatisfied against
        satisfied), or ``None`` when no comparison was made.
    coverage : :func:`cxkit.periods.coverage` of the tables the figures rest on.
    deciles : :func:`cxkit.clv.diagnostics.holdout_by_decile`, for the ranking check.
    notes : further closing lines, e.g. :func:`cxkit.clv.identification_notes`.
    max_error_pct : largest total holdout error (in %, either way) that passes the check.

    Returns
    -------
    list of :class:`cxkit.findings.Finding` (theme ``"clv"``): the ``forecast`` findings,
    then the ``segment`` findings, then the ``closing`` ones (see :func:`summary_parts`).
    Their sentences are those of :func:`cxkit.clv.sentences.forecast_sentences`,
    :func:`cxkit.clv.sentences.segment_action_sentences` and
    :func:`cxkit.clv.sentences.closing_sentences`, in that order.

    Example
    -------
    >>> found = clv_findings(pd.DataFrame({"total": [9_000.0], "ci_low": [8_000.0], "ci_high": [9_900.0]}),
    ...     {"spend": 9_500.0, "n_cancelled": 0, "from_cancelled": 0.0, "first_purchases": 1_000.0},
    ...     pd.DataFrame({"actual": [410.0], "error_pct": [31.2]}), horizon_months=12, holdout_months=6,
    ...     n_customers=100, currency="£")
    >>> [(f.key, f.estimate, f.low, f.high) for f in found]
    [('forecast:clv_total', 9000.0, 8000.0, 9900.0), ('forecast:holdout', 31.2, None, None), ('closing:holdout_check', 31.2, None, None)]
    >>> print(found[2])
    Check: purchases in the holdout were over-forecast by 31%, more than the 25% allowed; treat the forecast with caution.
    """
    ci = float(getattr(total, "attrs", {}).get("ci", 0.95))
    forecast = _forecast(_row(total), _row(last_year), _row(holdout),
                         None if holdout_revenue is None else _row(holdout_revenue), horizon_months=horizon_months,
                         holdout_months=holdout_months, n_customers=n_customers, currency=currency,
                         top10_share=_top_share(concentration), discount_rate=discount_rate, ci=ci)
    covered = None if coverage is None else coverage_sentence(coverage)
    closing = (_satisfaction(satisfaction, currency)
               + ([Finding(theme=_THEME, key="closing:coverage", sentence=covered,
                           what="tables that end before the reporting period does")] if covered else [])
               + _checks(holdout if isinstance(holdout, pd.DataFrame) else pd.DataFrame([holdout]), deciles,
                         max_error_pct)
               + [Finding(theme=_THEME, key=f"closing:note:{i}", sentence=note,
                          what="a model parameter the data cannot pin down") for i, note in enumerate(notes, 1)])
    return forecast + _segments(profile, watch) + closing


def summary_parts(findings: Iterable[Finding]) -> dict[str, list[Finding]]:
    """A CLV summary's findings by part (``forecast``, ``segment``, ``closing``), each in its order.

    A report renders each part as its own list, so that a page may break between them.

    Example
    -------
    >>> parts = summary_parts([Finding(theme="clv", key="segment:Champions", what="w", sentence="One."),
    ...                        Finding(theme="clv", key="forecast:holdout", what="w", sentence="Two.")])
    >>> {part: [str(f) for f in found] for part, found in parts.items()}
    {'forecast': ['Two.'], 'segment': ['One.'], 'closing': []}
    """
    parts: dict[str, list[Finding]] = {part: [] for part in SUMMARY_PARTS}
    for finding in findings:
        part = finding.key.split(":", 1)[0]
        if part not in parts:
            raise ValueError(f"finding {finding.key!r}: its key does not start with one of "
                             f"{', '.join(SUMMARY_PARTS)} and a colon")
        parts[part].append(finding)
    return parts


# --------------------------------------------------------------------------- subscription CLV


def _period(period: Any) -> tuple[str, str]:
    return PERIOD_WORDS.get(period, ("period", "periods")) if isinstance(period, str) else ("period", "periods")


def period_words(period: Any) -> str:
    """A renewal period in words, plural (``"M"``: ``"months"``; a number of days: ``"periods"``).

    Example
    -------
    >>> period_words("M"), period_words(14)
    ('months', 'periods')
    """
    return _period(period)[1]


def model_finding(model: str, reason: str, *, key: str = "forecast:model") -> Finding:
    """The model a CLV rests on and why it was chosen, as a finding for the summary.

    Example
    -------
    >>> print(model_finding("BG/NBD", "BG/NBD has the lowest error."))
    The forecast uses BG/NBD: BG/NBD has the lowest error.
    """
    return Finding(theme=_THEME, key=key, what="the CLV model used, and why", sentence=(
        f"The forecast uses {escape(model)}: {reason}"))


def cohorts_sentence(cohorts: pd.DataFrame, values: pd.DataFrame | None = None, *, period: Any = "M") -> str:
    """How many subscribers were followed, in how many sign-up cohorts, and how many are still active.

    Example
    -------
    >>> cohorts = pd.DataFrame({"cohort": ["all"] * 3, "period": [0, 1, 2], "alive": [100, 80, 70]})
    >>> cohorts_sentence(cohorts)
    '100 subscribers, aligned at sign-up (a tenure export: one group), followed for up to 2 months.'
    """
    starts = cohorts[cohorts["period"] == 0]
    n, k, longest = int(starts["alive"].sum()), len(starts), int(cohorts["period"].max())
    labels = list(starts["cohort"])
    groups = ("aligned at sign-up (a tenure export: one group)" if labels == ["all"] else
              f"in {k:,} sign-up cohorts")
    active = "" if values is None else f"; {len(values):,} are active and valued"
    return f"{n:,} subscribers, {groups}, followed for up to {longest} {_period(period)[1]}{active}."


def family_sentence(choice: FamilyChoice, *, model: str) -> str:
    """The CLV family and model used, why, and the rule, in one sentence for a report.

    Example
    -------
    >>> print(family_sentence(FamilyChoice("subscription", "there is no transaction log"), model="sBG")[:79])
    CLV family: **subscription** (model: sBG), because there is no transaction log.
    """
    return (f"CLV family: **{choice.family}** (model: {escape(model)}), because {choice.reason}. "
            f"The rule: {FAMILY_RULE}.")


def amount_text(value: float, *, unit: str, currency: str | None, period: Any = "M") -> str:
    """A value per subscriber in words: money, or periods still to pay when there is no fee.

    Example
    -------
    >>> amount_text(2850.4, unit="money", currency="£"), amount_text(31.26, unit="periods", currency=None)
    ('£2,850', '31.3 months of fees')
    """
    if unit == "money":
        return money_text(value, currency)
    return f"{value:,.1f} {_period(period)[1]} of fees"


def _with_interval(row: Mapping, *, unit: str, currency: str | None, period: Any, ci: float,
                   low: str = "ci_low", high: str = "ci_high", value: str = "value") -> str:
    lo, hi = held_interval("the value per subscriber", row[value], row[low], row[high])
    text = amount_text(row[value], unit=unit, currency=currency, period=period)
    if lo is None:
        return text
    if unit != "money":  # the unit once: "49.1 months of fees (95% interval 45.4 to 52.7)"
        return f"{text} ({ci:.0%} interval {lo:,.1f} to {hi:,.1f})"
    return f"{text} ({ci:.0%} interval {money_text(lo, currency)} to {money_text(hi, currency)})"


def holdout_check_sentence(check: pd.DataFrame | None, *, period: Any = "M", max_error_pct: float = 10.0) -> str:
    """The holdout check of the retention model on the oldest cohorts, in one sentence.

    Example
    -------
    >>> check = pd.DataFrame({"period": [0, 1, 2, 3, 4], "sample": ["calibration"] * 3 + ["holdout"] * 2,
    ...                       "error_pct": [0, 1.0, -1.0, 2.0, -4.0]})
    >>> check.attrs = {"mean_abs_error_pct": 3.0, "cohorts": ["Jan 2023"], "customers": 400,
    ...                "calibration_periods": 2}
    >>> import textwrap
    >>> print(textwrap.fill(holdout_check_sentence(check), 100))
    Checked on the oldest cohort (Jan 2023, 400 customers): fitted on its first 2 renewals, the model
    forecast the 2 months after them within 3.0% on average (largest miss 4.0%), inside the 10% allowed.
    """
    if check is None:
        return ("No holdout check: the oldest cohorts are too young to spare periods the model does not see; "
                "read the projection with care.")
    words = _period(period)[1]
    held = check[check["sample"] == "holdout"]
    labels = list(check.attrs.get("cohorts", []))
    which = ("all subscribers, aligned at sign-up (a tenure export" if labels == ["all"] else
             f"the oldest cohort ({escape(labels[0])}" if len(labels) == 1 else
             f"the {len(labels)} oldest cohorts ({escape(labels[0])} to {escape(labels[-1])}")
    mean_err, worst = float(check.attrs["mean_abs_error_pct"]), float(held["error_pct"].abs().max())
    verdict = (f"inside the {max_error_pct:.0f}% allowed" if mean_err <= max_error_pct else
               f"more than the {max_error_pct:.0f}% allowed: treat the projection with caution")
    return (f"Checked on {which}, {int(check.attrs['customers']):,} customers): fitted on "
            f"{'its' if len(labels) == 1 and labels != ['all'] else 'their'} first "
            f"{int(check.attrs['calibration_periods'])} renewals, the "
            f"model forecast the {len(held)} {words} after them within {mean_err:.1f}% on average (largest miss "
            f"{worst:.1f}%), {verdict}" + (f" (the check's fit also used {check.attrs['note']})." if check.attrs.get("note")
                                           else "."))


def _plans(by_plan: pd.DataFrame | None, segment_by: str | None, *, currency: str | None, period: Any,
           ci: float) -> list[Finding]:
    if by_plan is None or segment_by is None or by_plan.empty:
        return []
    ranked = by_plan.sort_values("value", ascending=False)
    unit = str(ranked["unit"].iloc[0])
    parts = [f"{escape(row[segment_by])} {_with_interval(row, unit=unit, currency=currency, period=period, ci=ci)}"
             for _, row in ranked.head(6).iterrows()]
    top = ranked.iloc[0]
    low, high = held_interval("the value per subscriber", top["value"], top["ci_low"], top["ci_high"])
    more = f" (and {len(ranked) - 6} more in the table)" if len(ranked) > 6 else ""
    sentence = (f"By {escape(segment_by)}, each fitted on its own, an active subscriber is worth: "
                f"{'; '.join(parts)}{more}.")
    return [Finding(theme=_THEME, key=f"value:by_{segment_by}", sentence=sentence,
                    what=f"residual value per active subscriber of the most valuable {segment_by}",
                    estimate=top["value"], low=low, high=high, ci=ci, currency=currency if unit == "money" else None,
                    unit=None if unit == "money" else _period(period)[1],
                    base={"subscribers": int(ranked["subscribers"].sum())})]


def _levers(levers: pd.DataFrame, *, currency: str | None, period: Any, ci: float) -> list[Finding]:
    out = []
    rows = levers.set_index("lever")
    unit = str(levers["unit"].iloc[0])
    one, many = _period(period)
    if "next_renewal" in rows.index:
        row = rows.loc["next_renewal"]
        low, high = held_interval("the value of a renewal", row["value"], row["ci_low"], row["ci_high"])
        out.append(Finding(
            theme=_THEME, key="lever:next_renewal", estimate=row["value"], low=low, high=high, ci=ci,
            currency=currency if unit == "money" else None, unit=None if unit == "money" else many,
            base={"subscribers": int(row["subscribers"])}, what="value of keeping a subscriber through their next "
                                                                "renewal, against losing them at it",
            sentence=(f"Keeping a subscriber through their next renewal is worth "
                      f"{_with_interval(row, unit=unit, currency=currency, period=period, ci=ci)} on average: the "
                      f"{one}'s fee and the longer stay that follows; a save offer is worth making below that.")))
    if "churn_one_point" in rows.index:
        row = rows.loc["churn_one_point"]
        low, high = held_interval("the value of one point less churn", row["value"], row["ci_low"], row["ci_high"])
        total = amount_text(row["total"], unit=unit, currency=currency, period=period)
        out.append(Finding(
            theme=_THEME, key="lever:churn_one_point", estimate=row["value"], low=low, high=high, ci=ci,
            currency=currency if unit == "money" else None, unit=None if unit == "money" else many,
            base={"subscribers": int(row["subscribers"])},
            what="added residual value per subscriber of a churn probability one point lower at every renewal",
            sentence=(f"One percentage point less churn at every renewal would add "
                      f"{_with_interval(row, unit=unit, currency=currency, period=period, ci=ci)} per subscriber, "
                      f"{total} across the {int(row['subscribers']):,} active subscribers.")))
    return out


def subscription_findings(value: pd.DataFrame, levers: pd.DataFrame, check: pd.DataFrame | None, *,
                          period: Any = "M", currency: str | None = None, discount_rate: float = 0.01,
                          by_plan: pd.DataFrame | None = None, segment_by: str | None = None,
                          notes: Iterable[str | None] = (), max_error_pct: float = 10.0) -> list[Finding]:
    """The headline results of a subscription CLV report as findings, in the order its summary says them.

    A board reads what a subscriber is worth and how sure that is, where the value sits,
    what retention is worth, and whether the model forecast periods it did not see.

    Parameters
    ----------
    value : :func:`cxkit.clv.subscription_value.value_per_subscriber` (one row).
    levers : :func:`cxkit.clv.subscription_value.retention_levers`.
    check : :func:`cxkit.clv.subscription_value.cohort_holdout` (None: no check possible).
    period, currency, discount_rate : as valued.
    by_plan, segment_by : ``value_per_subscriber(..., by=segment_by)``, or None.
    notes : closing lines (the margin rule, a penalised fit); None entries are skipped.
    max_error_pct : the mean holdout error that passes the check.

    Returns
    -------
    list of :class:`cxkit.findings.Finding` (theme ``"clv"``); keys start ``value:``,
    ``lever:``, ``check:`` or ``note:``.

    Example
    -------
    >>> value = pd.DataFrame({"subscribers": [200], "value": [500.0], "ci_low": [450.0], "ci_high": [560.0],
    ...                       "total": [100_000.0], "total_ci_low": [90_000.0], "total_ci_high": [112_000.0],
    ...                       "unit": ["money"]})
    >>> levers = pd.DataFrame({"lever": ["next_renewal"], "value": [530.0], "ci_low": [500.0], "ci_high": [560.0],
    ...                        "total": [106_000.0], "subscribers": [200], "unit": ["money"]})
    >>> found = subscription_findings(value, levers, None, currency="£")
    >>> import textwrap
    >>> print(textwrap.fill(str(found[0]), 100))
    Each of the 200 active subscribers is worth, on average, £500 (95% interval £450 to £560) in future
    fees, £100,000 in all (£90,000 to £112,000), discounted at 1.0% a month.
    >>> [f.key for f in found]
    ['value:per_subscriber', 'lever:next_renewal', 'check:holdout']
    """
    ci = float(value.attrs.get("ci", 0.95))
    row = value.iloc[0]
    unit = str(row["unit"])
    one, many = _period(period)
    lo, hi = held_interval("the total subscriber value", row["total"], row["total_ci_low"], row["total_ci_high"])
    total = amount_text(row["total"], unit=unit, currency=currency, period=period)
    span = ("" if lo is None else f" ({money_text(lo, currency)} to {money_text(hi, currency)})" if unit == "money"
            else f" ({lo:,.0f} to {hi:,.0f})")
    worth = "worth" if unit == "money" else "expected to pay for"
    what = " in future fees" if unit == "money" else ""
    headline = Finding(
        theme=_THEME, key="value:per_subscriber", estimate=row["value"], ci=ci,
        low=held_interval("the value per subscriber", row["value"], row["ci_low"], row["ci_high"])[0],
        high=held_interval("the value per subscriber", row["value"], row["ci_low"], row["ci_high"])[1],
        currency=currency if unit == "money" else None, unit=None if unit == "money" else many,
        base={"subscribers": int(row["subscribers"])}, period="the rest of each subscriber's stay",
        what="residual value per active subscriber (discounted expected fees still to come)",
        sentence=(f"Each of the {int(row['subscribers']):,} active subscribers is {worth}, on average, "
                  f"{_with_interval(row, unit=unit, currency=currency, period=period, ci=ci)}{what}, "
                  f"{total} in all{span}, discounted at {discount_rate:.1%} a {one}."))
    checked = Finding(theme=_THEME, key="check:holdout", what="retention forecast error on periods held back",
                      sentence=holdout_check_sentence(check, period=period, max_error_pct=max_error_pct),
                      estimate=None if check is None else check.attrs["mean_abs_error_pct"], unit="%",
                      base={} if check is None else {"customers": int(check.attrs["customers"])})
    closing = [Finding(theme=_THEME, key=f"note:{i}", what="how the figures were made", sentence=n)
               for i, n in enumerate((n for n in notes if n), 1)]
    return ([headline, *_plans(by_plan, segment_by, currency=currency, period=period, ci=ci),
             *_levers(levers, currency=currency, period=period, ci=ci), checked, *closing])
