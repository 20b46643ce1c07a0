"""Survival results in plain words: sentences written from the numbers, for reports and notebooks.

Each function takes a row of a survival result and writes what it shows, with the
numbers that back it; the wording follows the test (nothing alarming when a test finds
no evidence). Text from the data (a plan or column name) is escaped with
:func:`cxkit.narrative.escape`, so it shows as written in Markdown and HTML; pass plain
text, not escaped text.

* :func:`hazard_sentence`: one hazard ratio as a change in the day-to-day risk of
  leaving (a link, not a cause, for survey measures).
* :func:`by_kind_sentence`: the hazard ratios of the kinds of bad contact, as one
  nested list for a summary.
* :func:`immortal_time_sentence`: lifetime counts beside counts as they happen, and why
  they differ.
* :func:`ph_sentence`: whether a hazard ratio holds over tenure.
* :func:`raw_churn_sentence`: which way a raw churn-rate comparison points, before the
  models correct it.
* :func:`attributable_sentence`, :func:`risk_check_sentence`, :func:`risk_list_sentence`:
  the churn owed to bad contacts, how the risk score did on a time holdout, and the
  customers most at risk.
* :func:`rmst_sentence`: days of membership kept by one group against another.
* :func:`no_analysis_date_sentence`: why dated memberships need an analysis date, and
  how a report is given one.

Imported on its own: ``from cxkit.survival import sentences``.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from scipy import stats

from cxkit.narrative import capital, escape, lower_first, p_text, pct_range, sign_from_test

__all__ = ["hazard_sentence", "by_kind_sentence", "immortal_time_sentence", "ph_sentence", "raw_churn_sentence",
           "attributable_sentence", "risk_check_sentence", "risk_list_sentence", "rmst_sentence",
           "no_analysis_date_sentence"]


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
    what_t = escape(what if what is not None else row["covariate"])
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
    what_t = escape(what)
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
        return (f"{capital(who)} left **more often** than those without ({shares}). This raw comparison ignores "
                f"how long each customer was followed: {tenure}.")
    return (f"{capital(who)} and those without left about as often ({shares}: no clear difference). This raw "
            f"comparison ignores how long each customer was followed: {tenure}.")



def hazard_sentence(hr_row: Mapping, *, what: str, ci: float = 0.95, association: bool = False,
                    who: str | None = None) -> str:
    """One hazard ratio in words a board reads: how much it raises or lowers the day-to-day risk of leaving.

    The wording follows the interval: "raises" or "lowers" only when the interval
    excludes 1; otherwise "no clear evidence either way", never "no effect" (the data may
    simply be too few to tell), with the interval as a range from lower to higher risk.

    A measure from survey answers (a CSAT score, having answered at all) is not something
    the company sets: customers who rate us well differ in other ways too. With
    ``association=True`` the sentence reports a link, not a cause: "goes with a 33% lower
    day-to-day risk of leaving ... an association, not proof of cause"; with ``who`` (e.g.
    "customers who rate us a point higher") it starts "Customers who rate us a point
    higher leave less often: ...".

    Parameters
    ----------
    hr_row : a row of :func:`cxkit.survival.hazard_ratios` (``hazard_ratio``, ``ci_low``, ``ci_high``).
    what : the covariate in words, starting the sentence (escaped here: pass plain text),
        e.g. "Each contact not resolved at first contact".
    ci : the interval's level, for the wording.
    association : word the result as an association (for survey-based measures), not a cause.
    who : with ``association``, the customers it describes, e.g. "customers who rate us a
        point higher" (escaped here).

    Example
    -------
    >>> print(hazard_sentence({"hazard_ratio": 1.55, "ci_low": 1.30, "ci_high": 1.84}, what="Each bad contact"))
    Each bad contact raises the day-to-day risk of leaving by **55%** (95% interval 30% to 84%).
    >>> print(hazard_sentence({"hazard_ratio": 1.11, "ci_low": 0.98, "ci_high": 1.27}, what="A long wait"))
    A long wait: **no clear evidence either way** on the day-to-day risk of leaving (95% interval from 2% lower to 27% higher).
    >>> print(hazard_sentence({"hazard_ratio": 0.67, "ci_low": 0.60, "ci_high": 0.74}, what="Each CSAT point",
    ...                       association=True, who="customers who rate us a point higher"))
    Customers who rate us a point higher leave **less often**: each CSAT point goes with a **33% lower** day-to-day risk of leaving (95% interval 26% to 40%). This is an association seen in survey answers, not proof that one causes the other.
    """
    hr, lo, hi = (float(hr_row[k]) for k in ("hazard_ratio", "ci_low", "ci_high"))
    what_t, level = escape(what), f"{ci * 100:g}% interval"
    risk = "the day-to-day risk of leaving"
    if lo > 1:
        size, low, high, word = (hr - 1) * 100, (lo - 1) * 100, (hi - 1) * 100, "higher"
    elif hi < 1:
        size, low, high, word = (1 - hr) * 100, (1 - hi) * 100, (1 - lo) * 100, "lower"
    else:
        both = f"{level} from {(1 - lo) * 100:.0f}% lower to {(hi - 1) * 100:.0f}% higher"
        if association and who:
            return (f"{capital(escape(who))}: **no clear evidence either way** that they leave more or less often "
                    f"({both} day-to-day risk of leaving).")
        if association:
            return f"{what_t}: **no clear evidence either way** of a link with {risk} ({both})."
        return f"{what_t}: **no clear evidence either way** on {risk} ({both})."
    interval = f"{level} {low:.0f}% to {high:.0f}%"
    if not association:
        verb = "raises" if word == "higher" else "lowers"
        return f"{what_t} {verb} {risk} by **{size:.0f}%** ({interval})."
    link = f"goes with a **{size:.0f}% {word}** day-to-day risk of leaving ({interval})"
    if who:
        often = "more often" if word == "higher" else "less often"
        return (f"{capital(escape(who))} leave **{often}**: {lower_first(what_t)} {link}. This is an association "
                "seen in survey answers, not proof that one causes the other.")
    return f"{what_t} {link}: an association seen in survey answers, not proof that one causes the other."


def immortal_time_sentence(naive: Mapping, right: Mapping, *, what: str) -> str:
    """The naive (lifetime-count) answer beside the right (time-varying) one, in plain words, and why they differ.

    Customers who stayed longer had more time to contact us, so counting contacts over a
    whole membership credits long stayers with contacts: that makes contacts look
    protective (immortal-time bias). The sentence says so only when the two answers
    point different ways. Both are told as changes in the risk of leaving, the right one
    with its interval ("no clear evidence either way" when it includes no change).

    Parameters
    ----------
    naive, right : rows of :func:`cxkit.survival.naive_vs_time_varying` (or
        :func:`cxkit.survival.hazard_ratios`) for the same covariate.
    what : the covariate in words, plural (escaped here), e.g. "unresolved contacts".

    Example
    -------
    >>> print(immortal_time_sentence({"hazard_ratio": 0.83}, {"hazard_ratio": 1.32, "ci_low": 1.24, "ci_high": 1.41},
    ...                              what="unresolved contacts"))
    Counted over a whole membership, unresolved contacts look *protective* (as if each lowered the risk of leaving by 17%), only because customers who stayed longer had more time to contact us; counted as they happen, each raises the day-to-day risk of leaving by **32%** (95% interval 24% to 41%).
    """
    n, r = float(naive["hazard_ratio"]), float(right["hazard_ratio"])
    lo, hi = float(right["ci_low"]), float(right["ci_high"])
    what_t = escape(what)
    if lo > 1:
        right_text = f"each raises the day-to-day risk of leaving by **{(r - 1) * 100:.0f}%** (95% interval " \
                     f"{(lo - 1) * 100:.0f}% to {(hi - 1) * 100:.0f}%)"
    elif hi < 1:
        right_text = f"each lowers the day-to-day risk of leaving by **{(1 - r) * 100:.0f}%** (95% interval " \
                     f"{(1 - hi) * 100:.0f}% to {(1 - lo) * 100:.0f}%)"
    else:
        right_text = (f"there is **no clear evidence either way** on the day-to-day risk of leaving (95% interval "
                      f"from {(1 - lo) * 100:.0f}% lower to {(hi - 1) * 100:.0f}% higher)")
    naive_text = (f"each lowered the risk of leaving by {(1 - n) * 100:.0f}%" if n < 1
                  else f"each raised the risk of leaving by {(n - 1) * 100:.0f}%")
    if (n < 1) != (r < 1):
        look = "protective" if n < 1 else "harmful"
        return (f"Counted over a whole membership, {what_t} look *{look}* (as if {naive_text}), only because "
                f"customers who stayed longer had more time to contact us; counted as they happen, {right_text}.")
    return (f"Counted over a whole membership, {what_t} look as if {naive_text}; counted as they happen, "
            f"{right_text}. Only the second is free of the bias of longer stayers having had more time to "
            "contact us.")


def attributable_sentence(row: Mapping, horizon_days: int, *, what: str = "bad contacts") -> str:
    """The churn over the horizon owed to bad contacts, with its interval, in words.

    The kit's answer to claims such as "67% of churn is preventable": the share of the
    churners a model expects among today's active customers who would be expected to
    stay had their bad contacts gone well, with its interval ("no evidence" when the
    interval includes 0).

    Parameters
    ----------
    row : the row of :func:`cxkit.survival.attributable_churn`.
    horizon_days : the horizon, in days.
    what : the exposure in words (escaped here).

    Example
    -------
    >>> print(attributable_sentence({"expected_churners": 158.9, "attributable_churners": 29.4,
    ...     "attributable_share": 0.186, "ci_low": 0.138, "ci_high": 0.230, "customers": 3672}, 90))
    Of the **159** customers the model expects to leave in the next 90 days (of 3,672 active), about **29** (**19%**, 95% interval 14-23%) would be expected to stay had their bad contacts gone well.
    """
    share, lo, hi = (float(row[k]) for k in ("attributable_share", "ci_low", "ci_high"))
    expected, owed = float(row["expected_churners"]), float(row["attributable_churners"])
    what_t = escape(what)
    base = f" (of {int(row['customers']):,} active)" if "customers" in row else ""
    interval = f"95% interval {pct_range(lo * 100, hi * 100)}"
    if lo <= 0 <= hi:
        return (f"**No evidence** that {what_t} add to the {expected:,.0f} departures the model expects in the "
                f"next {horizon_days} days{base}: the share owed to them is {share:.0%} ({interval}).")
    if share < 0:
        return (f"Of the **{expected:,.0f}** customers the model expects to leave in the next {horizon_days} days"
                f"{base}, more would leave had their {what_t} gone well ({share:.0%}, {interval}).")
    return (f"Of the **{expected:,.0f}** customers the model expects to leave in the next {horizon_days} days{base}, "
            f"about **{owed:,.0f}** (**{share:.0%}**, {interval}) would be expected to stay had their {what_t} "
            "gone well.")


def rmst_sentence(diff_row: Mapping, *, a: str | None = None, b: str | None = None, alpha: float = 0.05,
                  within: str | None = None) -> str:
    """Days of membership kept by one group against another within a horizon, worded by its test, with its interval.

    The restricted mean (RMST) is told as what it is: how many days, on average, members
    stay within the horizon. "Longer" or "less" is written only when the p-value is
    below ``alpha`` and the interval excludes 0; otherwise "no clear difference" with
    the interval both ways.

    Parameters
    ----------
    diff_row : a row of :func:`cxkit.survival.rmst_difference` (``horizon``, ``rmst_a``,
        ``rmst_b``, ``difference``, ``ci_low``, ``ci_high``, ``p_value``, ``group_a``, ``group_b``).
    a, b : the groups in words (default: ``group_a`` and ``group_b`` followed by "members");
        escaped here.
    alpha : the test's level.
    within : the window in words (escaped here), default "within their first {horizon} days";
        e.g. "in the 365 days after day 180" for a landmark comparison.

    Example
    -------
    >>> row = {"group_a": "Club Plus", "group_b": "Club", "horizon": 365.0, "rmst_a": 343.0, "rmst_b": 330.6,
    ...        "difference": 12.4, "ci_low": 8.3, "ci_high": 16.5, "p_value": 0.0001}
    >>> print(rmst_sentence(row))
    Club Plus members stay on average **12.4 days longer** than Club members within their first 365 days (95% interval 8.3 to 16.5 days; 343.0 against 330.6 days, p < 0.001).
    >>> print(rmst_sentence({**row, "rmst_a": 328.7, "difference": -1.9, "ci_low": -7.8, "ci_high": 4.0,
    ...                      "p_value": 0.526}))
    Club Plus members and Club members stay about as long on average within their first 365 days: 328.7 against 330.6 days, no clear difference (-7.8 to +4.0 days, p = 0.526).
    """
    a_t = escape(a if a is not None else f"{diff_row['group_a']} members")
    b_t = escape(b if b is not None else f"{diff_row['group_b']} members")
    h, ra, rb = float(diff_row["horizon"]), float(diff_row["rmst_a"]), float(diff_row["rmst_b"])
    d, lo, hi, p = (float(diff_row[k]) for k in ("difference", "ci_low", "ci_high", "p_value"))
    window = escape(within) if within is not None else f"within their first {h:g} days"
    sign = sign_from_test(d, lo, hi, p, alpha)
    if sign == 0:
        return (f"{capital(a_t)} and {b_t} stay about as long on average {window}: {ra:.1f} against {rb:.1f} days, "
                f"no clear difference ({lo:+.1f} to {hi:+.1f} days, {p_text(p)}).")
    word = "longer" if sign > 0 else "less"
    low, high = sorted((abs(lo), abs(hi)))
    return (f"{capital(a_t)} stay on average **{abs(d):.1f} days {word}** than {b_t} {window} (95% interval "
            f"{low:.1f} to {high:.1f} days; {ra:.1f} against {rb:.1f} days, {p_text(p)}).")


def risk_check_sentence(concordance: float, predicted: float, observed: int, *, horizon_days: int) -> str:
    """How a churn-risk score did on a time holdout: its ranking and its total, in words.

    Example
    -------
    >>> risk_check_sentence(0.59, 170.2, 156, horizon_days=90)
    'Checked on the last 90 days, the risk score ranked leavers above stayers 59% of the time (50% is chance); it predicted 170 departures and 156 happened.'
    """
    return (f"Checked on the last {horizon_days} days, the risk score ranked leavers above stayers "
            f"{concordance:.0%} of the time (50% is chance); it predicted {predicted:,.0f} departures and "
            f"{int(observed):,} happened.")


def risk_list_sentence(top: pd.Series, everyone: pd.Series, *, horizon_days: int, where: str | None = None) -> str:
    """The customers most at risk against the average active customer.

    ``where`` names the place of the list in the report (escaped here), e.g. "section 5":
    the sentence then ends "The list is in section 5."

    Example
    -------
    >>> risk_list_sentence(pd.Series([0.15, 0.28]), pd.Series([0.02, 0.05, 0.15, 0.28]), horizon_days=90)
    'The 2 members most at risk have a 15%-28% chance of leaving in the next 90 days (average member 12.5%).'
    >>> risk_list_sentence(pd.Series([0.15]), pd.Series([0.05, 0.15]), horizon_days=30, where="section 5")
    'The 1 members most at risk have a 15%-15% chance of leaving in the next 30 days (average member 10.0%). The list is in section 5.'
    """
    text = (f"The {len(top)} members most at risk have a {top.min():.0%}-{top.max():.0%} chance of leaving in the "
            f"next {horizon_days} days (average member {everyone.mean():.1%}).")
    return text + (f" The list is in {escape(where)}." if where else "")


def by_kind_sentence(kinds: Sequence[Any], *, lead: str = "By kind, in a second model:") -> str:
    """The sentences of each kind of bad contact, as one item of a summary with a nested list.

    A summary names the count of bad contacts first; a second model with the kinds
    counted apart (unresolved, a long wait) tells which kind drives it. Its sentences
    (from :func:`hazard_sentence`, or findings that carry them) are listed under one lead,
    so :func:`cxkit.narrative.as_bullets` shows them nested under the summary's item.

    Parameters
    ----------
    kinds : one sentence per kind, in order (strings, or findings: their sentences).
    lead : the item's first line (Markdown, written as given).

    Example
    -------
    >>> print(by_kind_sentence(["Unresolved contacts raise it.", "Long waits: no clear evidence."]))
    By kind, in a second model:
      - Unresolved contacts raise it.
      - Long waits: no clear evidence.
    """
    return lead + "\n" + "\n".join(f"  - {k}" for k in kinds)


def no_analysis_date_sentence(*, parameter: str = "as_of", example: str = "2025-12-31") -> str:
    """Why memberships with dates need an analysis date here, and how a report is given one.

    Sign-ups and cancellations are not activity: they never set the analysis date, so a
    folder with a customers table alone has none, and an active customer's membership
    cannot be measured. The sentence says so and names the report's parameter (the
    message of the :class:`cxkit.DataError` a notebook raises).

    Parameters
    ----------
    parameter : the notebook parameter that sets the date.
    example : a date to show in the command.

    Example
    -------
    >>> print(no_analysis_date_sentence())
    No analysis date: the folder has no transactions, surveys or contacts, and dates in the customers table (sign-ups, cancellations) never set it. Set the as_of parameter (-p as_of "2025-12-31").
    """
    return ("No analysis date: the folder has no transactions, surveys or contacts, and dates in the customers table "
            f"(sign-ups, cancellations) never set it. Set the {parameter} parameter (-p {parameter} \"{example}\").")

