"""The churn report's headline results as findings: each sentence with the estimate, interval, base and test behind it.

A churn summary says what moves the day-to-day risk of leaving, whether counting
contacts the naive way would have misled, whether the effects hold over tenure, and
what they mean for today's customers. Each line is a :class:`cxkit.findings.Finding`
(theme ``"survival"``) written from the results by :mod:`cxkit.survival.sentences`, so
the notebook's summary, the board report and the deck show the same sentences, and
nothing edits a sentence after it is written.

* :func:`hazard_findings`: one finding per hazard ratio of the churn model (survey
  measures worded as associations).
* :func:`kind_findings`: the hazard ratios of the kinds of bad contact.
* :func:`headline_covariates`: the effects a summary leads with.
* :func:`churn_findings`: the summary, in its order: the headline effects, the kinds,
  the naive count beside the right one, the effects that drift with tenure; then the
  churn owed to bad contacts, the risk score's check, the risk list, the days of
  membership by group and the coverage of the period.

Imported on its own: ``from cxkit.survival import findings as survival_findings``.

Example
-------
>>> from cxkit.data import load_folder
>>> from cxkit.narrative import as_bullets
>>> from cxkit.survival import episode_table, static_covariates, survival_table
>>> from cxkit.survival.churn_model import fit_churn_model
>>> cx = load_folder("data/sample")
>>> static = static_covariates(cx.customers)
>>> model = fit_churn_model(survival_table(cx.customers, as_of=cx.as_of, static=static),
...                         episode_table(cx.customers, cx.contacts, cx.surveys, as_of=cx.as_of, static=static),
...                         static=static)
>>> summary = churn_findings(model, group="plan")
>>> print(as_bullets(summary.effects[:1]))
- Each bad contact &#40;unresolved or a long wait&#41; raises the day-to-day risk of leaving by **29%** (95% interval 23% to 37%).
>>> summary.effects[0].direction, summary.effects[0].base
('higher', {'customers': 5000, 'departures': 1328})
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from cxkit.findings import Finding, held_interval
from cxkit.narrative import interval_of, sign_from_test
from cxkit.survival.churn_model import ANSWERS, BAD_CONTACTS, ChurnModel
from cxkit.survival.sentences import (
    attributable_sentence,
    by_kind_sentence,
    hazard_sentence,
    immortal_time_sentence,
    ph_sentence,
    risk_check_sentence,
    risk_list_sentence,
    rmst_sentence,
)

__all__ = ["THEME", "COX_TEST", "ChurnFindings", "hazard_findings", "kind_findings", "headline_covariates",
           "churn_findings"]

THEME = "survival"
#: The test behind every hazard ratio.
COX_TEST = "Cox model, Wald test"
_PH_TEST = "proportional-hazards test (scaled Schoenfeld residuals)"
#: Survey measures are worded as associations; the customers each one describes.
_SURVEY_WHO = {"latest_csat": "customers who rate us a point higher", "has_csat": None}
_HR_UNIT = "times the day-to-day risk of leaving"


@dataclass(frozen=True)
class ChurnFindings:
    """The churn summary's findings in two parts, as a report shows them (a page may break between).

    ``effects``: what moves the risk of leaving (the headline hazard ratios, the kinds of
    bad contact, the naive count beside the right one, the effects that drift with
    tenure). ``outlook``: what that means for today's customers (the churn owed to bad
    contacts, the risk score's check, the risk list), then the days of membership by
    group and the coverage of the period. Iterating gives both parts in order.
    """

    effects: tuple[Finding, ...]
    outlook: tuple[Finding, ...]

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.effects + self.outlook)

    def __len__(self) -> int:
        return len(self.effects) + len(self.outlook)


def _direction_of_ratio(low: float, high: float) -> str:
    return "higher" if low > 1 else "lower" if high < 1 else "no clear difference"


def _base(model: ChurnModel) -> dict[str, int]:
    return {"customers": model.customers, "departures": model.departures}


def _hazard_finding(row: Mapping[str, Any], *, key: str, what: str, sentence: str, model: ChurnModel,
                    period: str | None) -> Finding:
    low, high = float(row["ci_low"]), float(row["ci_high"])
    return Finding(theme=THEME, key=key, what=what, sentence=sentence, estimate=row["hazard_ratio"], low=low,
                   high=high, unit=_HR_UNIT, period=period, base=_base(model), test=COX_TEST,
                   p_value=row["p_value"], direction=_direction_of_ratio(low, high))


def hazard_findings(model: ChurnModel, *, period: str | None = None) -> dict[str, Finding]:
    """One finding per hazard ratio of the churn model, keyed by model column, in the model's order.

    Each says how much the thing named multiplies the day-to-day risk of leaving, from
    its interval ("no clear evidence either way" when it includes 1); survey measures
    (the latest CSAT answer, having answered) are worded as associations, not causes:
    customers who rate us well differ in other ways too.

    Parameters
    ----------
    model : :func:`cxkit.survival.churn_model.fit_churn_model`.
    period : the period the memberships cover, in words.

    Returns
    -------
    dict from model column to :class:`~cxkit.findings.Finding` (key ``"hazard:<column>"``,
    unit "times the day-to-day risk of leaving", base the model's customers and
    departures); empty without a model.

    Example
    -------
    >>> from cxkit.survival import static_covariates, survival_table
    >>> from cxkit.survival.churn_model import fit_churn_model
    >>> c = pd.DataFrame({"customer_id": list("abcdefgh"), "tenure_days": [30, 60, 90, 400, 500, 80, 600, 700],
    ...                   "churned": [True, True, False, True, False, True, False, True],
    ...                   "plan": ["basic"] * 4 + ["premium"] * 4})
    >>> static = static_covariates(c, min_level_size=1)
    >>> found = hazard_findings(fit_churn_model(survival_table(c, as_of=None, static=static), static=static))
    >>> found["plan_premium"].direction, found["plan_premium"].test
    ('no clear difference', 'Cox model, Wald test')
    """
    if model.hazard_ratios is None:
        return {}
    out = {}
    for _, row in model.hazard_ratios.iterrows():
        c = row["covariate"]
        sentence = hazard_sentence(row, what=model.subjects[c], association=c in _SURVEY_WHO, who=_SURVEY_WHO.get(c))
        out[c] = _hazard_finding(row, key=f"hazard:{c}", what=model.words[c], sentence=sentence, model=model,
                                 period=period)
    return out


def kind_findings(model: ChurnModel, *, period: str | None = None) -> list[Finding]:
    """The hazard ratio of each kind of bad contact (unresolved, a long wait), from the second model.

    One count of bad contacts says whether bad service drives churn; which kind does is
    what a service team acts on. Empty when the model has no contacts.

    Parameters
    ----------
    model : :func:`cxkit.survival.churn_model.fit_churn_model`.
    period : the period the memberships cover, in words.

    Returns
    -------
    list of :class:`~cxkit.findings.Finding`, key ``"hazard_by_kind:<column>"``.

    Example
    -------
    >>> kind_findings(fit_churn_model(members, episodes, static=static))[0].what  # doctest: +SKIP
    'Each contact not resolved at first contact'
    """
    if model.by_kind is None:
        return []
    return [_hazard_finding(row, key=f"hazard_by_kind:{row['covariate']}", what=model.words[row["covariate"]],
                            sentence=hazard_sentence(row, what=model.subjects[row["covariate"]]), model=model,
                            period=period)
            for _, row in model.by_kind.iterrows()]


def headline_covariates(model: ChurnModel, *, group: str | None = None) -> list[str]:
    """The effects a churn summary leads with, in order: bad contacts, the compared group, satisfaction.

    With contacts or answers, the summary names the count of bad contacts, the terms of
    the group whose retention curves are compared (e.g. the plan) and the latest CSAT
    answer; the other traits are held equal and named once. On a customers table alone
    every trait whose interval excludes 1 joins them.

    Parameters
    ----------
    model : :func:`cxkit.survival.churn_model.fit_churn_model`.
    group : the customers column whose retention curves are compared (``None``: none).

    Returns
    -------
    list of model columns with a hazard ratio, in the summary's order.

    Example
    -------
    >>> headline_covariates(fit_churn_model(members, episodes, static=static), group="plan")  # doctest: +SKIP
    ['cum_bad_contacts', 'plan_Club_Plus', 'latest_csat']
    """
    if model.hazard_ratios is None:
        return []
    terms = model.static.terms if model.static is not None else None
    group_terms = terms.loc[terms["column"] == group, "covariate"].tolist() if group and terms is not None else []
    ratios = model.hazard_ratios.set_index("covariate")
    clear = [c for c, r in ratios.iterrows() if r["ci_low"] > 1 or r["ci_high"] < 1]
    headline = [BAD_CONTACTS, *group_terms, ANSWERS[0]]
    customers_only = not (model.counts or model.answers)
    headline += [c for c in clear if c not in headline and customers_only]
    return [c for c in headline if c in ratios.index]


def _trap_finding(trap: pd.DataFrame, model: ChurnModel, period: str | None) -> Finding:
    naive, right = trap.iloc[0], trap.iloc[1]
    return _hazard_finding(right, key=f"immortal_time:{right['covariate']}",
                           what="each bad contact, counted over a whole membership and as it happens",
                           sentence=immortal_time_sentence(naive, right, what="bad contacts"), model=model,
                           period=period)


def _drift_findings(ph_test: pd.DataFrame, model: ChurnModel, headline: list[str], alpha: float,
                    period: str | None) -> list[Finding]:
    rows = ph_test.set_index("covariate")
    drifting = set(ph_test.loc[ph_test["p_value"] < alpha, "covariate"])
    return [Finding(theme=THEME, key=f"ph:{c}", what=f"whether the effect of {model.words[c]} holds over tenure",
                    sentence=ph_sentence(rows.loc[c], what=model.subjects[c], alpha=alpha, plain=True),
                    period=period, base={"customers": int(rows.loc[c, "customers"]),
                                       "departures": int(rows.loc[c, "events"])},
                    test=_PH_TEST, p_value=rows.loc[c, "p_value"])
            for c in headline if c in drifting]


def _effects(model: ChurnModel, *, group: str | None, period: str | None, ph_test: pd.DataFrame | None,
             trap: pd.DataFrame | None, alpha: float) -> list[Finding]:
    hazards = hazard_findings(model, period=period)
    headline = headline_covariates(model, group=group)
    lines: list[Finding] = [hazards[c] for c in headline]
    kinds = kind_findings(model, period=period)
    if model.by_kind is not None:
        lines.insert(1, Finding(theme=THEME, key="hazard_by_kind", what="each kind of bad contact, counted apart "
                                "in a second model", sentence=by_kind_sentence(kinds), period=period,
                                base=_base(model), test=COX_TEST))
    if trap is not None:
        lines.insert(2, _trap_finding(trap, model, period))
    if ph_test is not None:
        lines += _drift_findings(ph_test, model, headline, alpha, period)
    return lines


def _attributable_finding(row: Mapping[str, Any], horizon_days: int) -> Finding:
    share, low, high = (float(row[k]) for k in ("attributable_share", "ci_low", "ci_high"))
    direction = "higher" if low > 0 else "lower" if high < 0 else "no clear difference"
    low, high = held_interval("the share of churn owed to bad contacts", share, low, high)
    return Finding(theme=THEME, key="attributable_churn", what=f"share of the departures expected in the next "
                   f"{horizon_days} days owed to bad contacts", sentence=attributable_sentence(row, horizon_days),
                   estimate=share, low=low, high=high, unit="share of expected departures",
                   base={"customers": int(row["customers"])}, test="g-computation on the model, bootstrap interval",
                   direction=direction)


def _risk_findings(holdout: pd.DataFrame | None, risk: pd.DataFrame | None, most_at_risk: pd.DataFrame | None,
                   horizon_days: int, where: str | None) -> list[Finding]:
    out = []
    if holdout is not None:
        concordance, predicted, left = holdout.attrs["concordance"], holdout["churn_probability"].sum(), \
            holdout["left"].sum()
        out.append(Finding(theme=THEME, key="risk_check", what=f"the risk score on the last {horizon_days} days",
                           sentence=risk_check_sentence(concordance, predicted, left, horizon_days=horizon_days),
                           estimate=concordance, unit="concordance (0.5 is chance)",
                           base={"customers": len(holdout), "departures": int(left)}, test="time holdout"))
    if risk is not None and most_at_risk is not None:
        everyone = risk["churn_probability"]
        out.append(Finding(theme=THEME, key="risk_list", what=f"chance of leaving in the next {horizon_days} days",
                           sentence=risk_list_sentence(most_at_risk["churn_probability"], everyone,
                                                       horizon_days=horizon_days, where=where),
                           estimate=everyone.mean(), unit="chance (average active customer)",
                           base={"customers": len(risk)}))
    return out


def _days_finding(row: Mapping[str, Any], alpha: float) -> Finding:
    d, p = float(row["difference"]), float(row["p_value"])
    low, high = interval_of(row)
    sign = sign_from_test(d, low, high, p, alpha)
    return Finding(theme=THEME, key="days_as_member", what=f"days as a member within {float(row['horizon']):g} "
                   f"days, {row['group_a']} against {row['group_b']}", sentence=rmst_sentence(row, alpha=alpha),
                   estimate=d, low=low, high=high, unit="days", test="difference of restricted means, z-test",
                   p_value=p, direction={1: "higher", -1: "lower"}.get(sign, "no clear difference"))


def churn_findings(
    model: ChurnModel,
    *,
    group: str | None = None,
    period: str | None = None,
    ph_test: pd.DataFrame | None = None,
    trap: pd.DataFrame | None = None,
    attributable: pd.DataFrame | None = None,
    holdout: pd.DataFrame | None = None,
    risk: pd.DataFrame | None = None,
    most_at_risk: pd.DataFrame | None = None,
    days_difference: pd.DataFrame | None = None,
    coverage_note: str | None = None,
    horizon_days: int = 90,
    risk_list_where: str | None = None,
    alpha: float = 0.05,
) -> ChurnFindings:
    """The churn summary's headline results as findings, in the order a board reads them.

    First the effects: the headline hazard ratios (:func:`headline_covariates`), the
    kinds of bad contact second, the naive lifetime count beside the right one third,
    then each headline effect that drifts with tenure. Then what they mean for today's
    customers: the churn owed to bad contacts, how the risk score did on a time holdout,
    the customers most at risk; then the days of membership of the two largest groups
    and the coverage of the period. Each part is left out when its result is ``None``.

    Parameters
    ----------
    model : :func:`cxkit.survival.churn_model.fit_churn_model`.
    group : the customers column whose retention is compared (its terms lead the traits).
    period : the period the memberships cover, in words.
    ph_test : :func:`cxkit.survival.proportional_hazards_test` of the model.
    trap : :func:`cxkit.survival.churn_model.same_effect_three_ways`.
    attributable : :func:`cxkit.survival.attributable_churn` (its first row).
    holdout : :func:`cxkit.survival.risk_holdout`.
    risk, most_at_risk : :func:`cxkit.survival.churn_risk` of every active customer and
        of those listed (``churn_probability``).
    days_difference : :func:`cxkit.survival.rmst_difference` (its last row, the longest horizon).
    coverage_note : :func:`cxkit.narrative.coverage_sentence` of the tables used.
    horizon_days : the horizon of the risk and of the churn owed to bad contacts.
    risk_list_where : where the report lists the customers most at risk (e.g. "section 5").
    alpha : the tests' level.

    Returns
    -------
    :class:`ChurnFindings` (``effects``, then ``outlook``).

    Example
    -------
    >>> summary = churn_findings(model, group="plan", ph_test=ph_test, trap=trap)  # doctest: +SKIP
    >>> print(narrative.as_bullets(summary.effects))                               # doctest: +SKIP
    """
    effects = _effects(model, group=group, period=period, ph_test=ph_test, trap=trap, alpha=alpha)
    outlook = [_attributable_finding(attributable.iloc[0], horizon_days)] if attributable is not None else []
    outlook += _risk_findings(holdout, risk, most_at_risk, horizon_days, risk_list_where)
    if days_difference is not None and len(days_difference):
        outlook.append(_days_finding(days_difference.iloc[-1], alpha))
    if coverage_note:
        outlook.append(Finding(theme=THEME, key="coverage", what="the period each table covers",
                               sentence=coverage_note, period=period))
    return ChurnFindings(tuple(effects), tuple(outlook))
