"""Headline CX metrics (NPS, CSAT, CES) and service metrics with honest uncertainty.

Every public function takes a tidy ``data=`` frame plus column names as keyword
arguments and returns a tidy :class:`pandas.DataFrame` (one row per group, group
columns first, sorted by group).  Numbers are never rounded here: round in the
notebook, for display only.

All survey metrics are built from one internal estimator per metric that returns
an estimate, its standard error, the base size and the effective base size.  The
public tables (:func:`nps`, :func:`csat`, :func:`ces`, :func:`cx_scorecard`,
:func:`trend`) and the comparisons (:func:`compare`, :func:`period_over_period`)
are compositions of that estimator, so they always agree with each other.

Conventions
-----------
* ``n`` is the unweighted count of non-missing answers (the "base size");
  ``n_missing`` counts rows of the group with no answer (NaN), which are excluded.
* ``n_effective`` is Kish's effective base size ``(sum w)^2 / sum w^2``; it equals
  ``n`` when no weights are given and is the ``n`` used in every variance.
* ``se`` is the large-sample standard error of ``value`` (same units as ``value``);
  it is what :func:`compare`, :func:`period_over_period` and :func:`gap_analysis`
  build on.  ``ci_low``/``ci_high`` use the better small-sample interval of each
  metric (adjusted Wald for NPS, Wilson for proportions, t for means).
* ``small_base`` flags groups with ``n < min_base`` (30 by default): read them as
  indicative only.

Modules
-------
* :mod:`cxkit.metrics.scores`: NPS, CSAT, CES and the scorecard, with intervals,
  weights and groups; :func:`weighted_scorecard` per answer and weighted by spend.
* :mod:`cxkit.metrics.comparisons`: :func:`compare`, :func:`compare_segments`,
  :func:`trend` and :func:`period_over_period`.
* :mod:`cxkit.metrics.targets`: :func:`gap_analysis` and its rule, :func:`goal_status`.
* :mod:`cxkit.metrics.service`: :func:`service_metrics` on the contacts table.

Beside them, the theme's presentation, which ``import cxkit.metrics`` does not load:
:mod:`cxkit.metrics.sentences` (the scorecard and service sentences) and
:mod:`cxkit.metrics.findings` (the report's headline results as findings).
"""
from __future__ import annotations

from cxkit.metrics._common import CONTACTS as CONTACTS
from cxkit.metrics._common import SURVEYS as SURVEYS
from cxkit.metrics._common import wilson_interval
from cxkit.metrics.comparisons import compare, compare_segments, period_over_period, trend
from cxkit.metrics.scores import ces, csat, cx_scorecard, nps, weighted_scorecard
from cxkit.metrics.service import service_metrics
from cxkit.metrics.targets import gap_analysis, goal_status

__all__ = [
    "nps",
    "csat",
    "ces",
    "cx_scorecard",
    "weighted_scorecard",
    "compare",
    "compare_segments",
    "trend",
    "period_over_period",
    "gap_analysis",
    "goal_status",
    "service_metrics",
    "wilson_interval",
]
