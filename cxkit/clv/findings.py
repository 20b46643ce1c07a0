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
from cxkit.findings import Finding, held_interval
from cxkit.narrative import coverage_sentence, interval_of, sign_from_test

__all__ = ["SUMMARY_PARTS", "clv_findings", "summary_parts"]

#: The parts of a CLV summary, in order: a finding's key starts with its part and a colon.
SUMMARY_PARTS = ("forecast", "segment", "closing")

_THEME = "clv"


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
