"""The value of dissatisfaction: whose revenue is at risk, and does satisfaction predict spend?

K-mart measured overall happiness and all looked fine, yet happy customers did not
spend more and the biggest spenders were the disappointed ones. This module puts money
on satisfaction, per value segment, one module for each idea:

* :func:`customer_spend` (:mod:`cxkit.spend.customers`): one row per customer with their
  value segment (deciles of spend per year of tenure, as in :mod:`cxkit.drivers`) and
  their spend in the reporting period (:mod:`cxkit.periods`, default the 12 months to
  ``as_of``). Attach the segment to survey answers with :func:`cxkit.value.attach`.
* :func:`top_tier_comparison` and :func:`spend_weighted_scorecard` (:mod:`cxkit.spend.by_value`):
  the top spenders' satisfaction against everyone else's, tested, and the metrics
  weighted by spend.
* :func:`revenue_at_risk` (:mod:`cxkit.spend.satisfaction`): the period's revenue held by
  dissatisfied, neutral and satisfied customers (and those with no survey answer) per
  value segment.
* :func:`spend_by_satisfaction`: mean spend per customer by satisfaction level, with a
  bootstrap interval that respects how skewed spend is; :func:`compare_spend_by_satisfaction`
  tests the dissatisfied against the satisfied.
* :func:`spend_around_answers`, :func:`future_spend_regression` and
  :func:`future_spend_models` (:mod:`cxkit.spend.future`): for each answer
  with a full follow-up window, the spend before and after it, and the slope of future
  spend on the rating adjusted for spend *before* the answer: the spend of the months
  before it, and value deciles as they stood at the answer date (the honest version of
  "happy customers spend more"). Nothing the adjustment uses is measured after the
  answer: a value decile ranked on spend up to ``as_of`` contains the very spend being
  predicted.

Rules shared by every function here (:mod:`cxkit.spend.rules`):

* **Spend in a window** is purchases minus refunds dated in it, never below 0 (the
  :func:`cxkit.value.customer_value` rule); windows are whole days, both ends included.
* **Nothing is dropped silently.** Rows left out are listed in ``result.attrs["exclusions"]``
  (a list of ``{"table", "rule", "n_rows", "n_customers"}``, the survival-table
  convention); :func:`left_out` shows them as a table. Each row is counted under the
  first rule it breaks. Customers without a survey answer are kept as the level
  ``"no survey"``, never left out.
* Bad input (a missing column, a rating that is not a number, negative spend, an
  unparseable date, a window of 0 months) raises :class:`cxkit.DataError` naming the
  table, the column, the rule and the first offending rows.
* **Money is compared between satisfaction levels among active customers** (by default,
  when the value table's ``active`` column says who had left): a customer who left during
  the period spent only part of it, so a level holding more of them (often the
  dissatisfied) would look poorer for that reason alone, and their revenue is lost, not
  at risk. Those left out are one exclusion record (the rule of
  :func:`cxkit.comparisons.population_of`); ``attrs["population"]`` says who was compared
  and ``attrs["left_out_revenue"]`` what they spent.

Beside them, and imported on their own: :mod:`cxkit.spend.sentences` (revenue at risk,
spend after an answer and who was left out, in words: :func:`~cxkit.spend.sentences.cancelled_sentence`)
and :mod:`cxkit.spend.findings` (the headline results as :class:`cxkit.findings.Finding` records).

Example
-------
>>> seg = customer_spend(cx.transactions, cx.customers, as_of=cx.as_of)            # doctest: +SKIP
>>> exp = customer_experience(cx.surveys, customers=cx.customers, as_of=cx.as_of)  # doctest: +SKIP
>>> revenue_at_risk(seg, exp, level="csat_mean")                                    # doctest: +SKIP
"""
from cxkit.spend.by_value import spend_weighted_scorecard, top_tier_comparison
from cxkit.spend.customers import customer_spend, segment_customers
from cxkit.spend.future import future_spend_models, future_spend_regression, spend_around_answers
from cxkit.spend.rules import LEVELS, NO_SURVEY, left_out
from cxkit.spend.satisfaction import compare_spend_by_satisfaction, revenue_at_risk, spend_by_satisfaction

__all__ = ["LEVELS", "NO_SURVEY", "compare_spend_by_satisfaction", "customer_spend", "future_spend_models",
           "future_spend_regression", "left_out", "revenue_at_risk", "segment_customers", "spend_around_answers",
           "spend_by_satisfaction", "spend_weighted_scorecard", "top_tier_comparison"]
