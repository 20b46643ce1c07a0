"""Who leaves, when, and what bad service has to do with it: churn survival over lifelines.

Customers -> tidy tables (:mod:`cxkit.survival.tables`) -> lifelines models -> tidy
results (:mod:`cxkit.survival.curves`, :mod:`cxkit.survival.models`).

* :func:`survival_table`: one row per customer (tenure, churned, right-censored while
  active), for Kaplan-Meier curves (:func:`km_table`, :func:`logrank_tests`), restricted
  mean tenure (:func:`rmst`, :func:`rmst_difference`) and Cox models of static traits.
* :func:`episode_table`: counting-process episodes with contact counts and the latest
  CSAT as they stood, for :class:`lifelines.CoxTimeVaryingFitter`: the right way to ask
  whether bad contacts drive churn.
* :func:`lifetime_counts` and :func:`naive_vs_time_varying`: the tempting wrong way
  (lifetime counts as if known from day one) beside the right one. Customers who stayed
  longer had more time to contact us, so lifetime counts make contacts look protective
  (immortal-time bias).
* :func:`landmark_table`: the cross-check a board can follow (experience in the first
  months, churn afterwards).
* :func:`active_customers`, :func:`churn_risk`, :func:`attributable_churn`: who is at
  risk over the next days, and how much churn bad contacts cost.
* :func:`fit_time_varying`: the time-varying Cox model, with lifelines on tables it fits
  quickly and :class:`TimeVaryingCox` (the same estimates by cumulative sums,
  :mod:`cxkit.survival.fastcox`) on millions of episodes.
* :func:`static_covariates`: the customers table's traits (plan, region, ...) as model
  columns by stated rules, with a report of every column used or left out; pass it as
  ``static=`` to any table above so one model takes contacts, answers and traits
  together (:mod:`cxkit.survival.covariates`). :func:`fit_cox` fits a customers-only
  table; :func:`fittable_columns` says which columns a model can take and why not the
  others. :func:`covariate_words` names every model column in a reader's words (for
  tables), :func:`covariate_subjects` as the subject of a sentence ("Plan premium rather
  than basic").
* :func:`hazard_ratios`: any fitted Cox model as a tidy table;
  :func:`proportional_hazards_test`: does each hazard ratio hold over tenure, on the
  model reported, a time-varying one included (:mod:`cxkit.survival.assumptions`).
* :func:`fit_churn_model`: the model a churn report rests on, in one call: the columns
  the data supports (and why not the others), fitted on episodes or on the customers
  table, its hazard ratios in words, its base, and the kinds of bad contact counted
  apart; :func:`same_effect_three_ways`: one effect from lifetime counts, as it
  happens and from a landmark (:mod:`cxkit.survival.churn_model`).
* :func:`exclusions`: what the tables left out, as rows of the load report.
* :func:`risk_holdout`, :func:`risk_deciles`: a time holdout of the risk score
  (concordance, and predicted against observed churn by risk decile).

Time is in whole days since sign-up; a contact or answer dated day t counts for churn
from day t + 1 (the rules are in :mod:`cxkit.survival.tables`).

Beside the theme, each imported on its own (they write words and draw, over
:mod:`cxkit.narrative` and :mod:`cxkit.plots`):

* :mod:`cxkit.survival.sentences`: the results in plain words (hazard ratios, the trap,
  drifts over tenure, the churn owed to bad contacts, the risk list, days of membership).
* :mod:`cxkit.survival.plots`: retention curves, hazard ratios and the spread of risk.
* :mod:`cxkit.survival.findings`: a churn report's headline results as
  :class:`cxkit.findings.Finding` records, in the summary's order.

Example
-------
>>> from cxkit.data import load_folder
>>> cx = load_folder("data/sample")
>>> st = survival_table(cx.customers, as_of=cx.as_of, covariates=["plan"])
>>> rmst(st, horizons=365, group="plan")[["group", "horizon", "customers"]]
       group  horizon  customers
0       Club    365.0       3794
1  Club Plus    365.0       1206
"""
from cxkit.survival.assumptions import proportional_hazards_test, schoenfeld_residuals
from cxkit.survival.churn_model import ChurnModel, fit_churn_model, same_effect_three_ways
from cxkit.survival.covariates import (
    COVARIATE_WORDS,
    StaticCovariates,
    covariate_subjects,
    covariate_words,
    static_covariates,
)
from cxkit.survival.curves import churn_rates, km_table, logrank_tests, rmst, rmst_difference
from cxkit.survival.fastcox import TimeVaryingCox, fit_time_varying
from cxkit.survival.models import (
                                   attributable_churn,
                                   check_covariates,
                                   churn_risk,
                                   fit_cox,
                                   fittable_columns,
                                   hazard_ahead,
                                   hazard_ratios,
                                   naive_vs_time_varying,
                                   risk_reasons,
)
from cxkit.survival.tables import (
                                   CONTACT_COUNTS,
                                   active_customers,
                                   episode_table,
                                   exclusions,
                                   landmark_table,
                                   lifetime_counts,
                                   survival_table,
)
from cxkit.survival.validation import risk_deciles, risk_holdout

__all__ = [
    "CONTACT_COUNTS",
    "survival_table",
    "episode_table",
    "lifetime_counts",
    "landmark_table",
    "active_customers",
    "exclusions",
    "static_covariates",
    "StaticCovariates",
    "covariate_words",
    "covariate_subjects",
    "COVARIATE_WORDS",
    "churn_rates",
    "km_table",
    "logrank_tests",
    "rmst",
    "rmst_difference",
    "TimeVaryingCox",
    "fit_time_varying",
    "hazard_ratios",
    "check_covariates",
    "fittable_columns",
    "fit_cox",
    "proportional_hazards_test",
    "schoenfeld_residuals",
    "naive_vs_time_varying",
    "ChurnModel",
    "fit_churn_model",
    "same_effect_three_ways",
    "churn_risk",
    "hazard_ahead",
    "risk_reasons",
    "attributable_churn",
    "risk_holdout",
    "risk_deciles",
]
