"""Key drivers: which CX elements move satisfaction, and for whom.

A regression of CSAT on six correlated ratings gives coefficients that swing with
every sample; a CX analyst needs a stable split of "what explains satisfaction".

* :class:`KeyDrivers` (:mod:`cxkit.drivers.importance`) splits the model R² between
  drivers by exact Shapley values (general dominance, LMG) or Johnson's relative weights,
  with bootstrap intervals, and with respondent weights (e.g. spend) when given;
  :func:`driver_importance` is its one-call form.
* :func:`segment_importance`, :func:`importance_difference` and
  :func:`importance_performance` (:mod:`cxkit.drivers.segments`) return tidy tables per
  segment, the tested difference between two segments ("the top spenders care about
  different things") and the importance-performance quadrants; :func:`importance_by_group`
  fits everyone and each group in one call.
* :func:`driver_effects` (:mod:`cxkit.drivers.effects`) gives each driver's effect in
  points (outcome points per driver point, the others held equal) per segment, with HC3
  standard errors and intervals: what a business case puts money on.
* :func:`driver_groups` (:mod:`cxkit.drivers.groups`) labels each answer with the group a
  driver analysis compares (the top value tier, or a segment of the customers table) and
  names the groups for the report (:class:`DriverGroups`).

Beside them, and imported on their own: :mod:`cxkit.drivers.sentences` (what drives
satisfaction for whom, where groups differ, what to fix first, in words),
:mod:`cxkit.drivers.plots` (the driver and quadrant charts) and
:mod:`cxkit.drivers.findings` (the headline results as :class:`cxkit.findings.Finding` records).

Example
-------
>>> from cxkit.synth import generate
>>> surveys = generate(seed=1, n_customers=2000)["surveys"]
>>> KeyDrivers(n_boot=200).fit(surveys, outcome="csat").importance_["driver"].iloc[0]
'availability'
"""
from cxkit.drivers.effects import driver_effects
from cxkit.drivers.groups import DriverGroups, driver_groups
from cxkit.drivers.importance import (
    MAX_SHAPLEY_DRIVERS,
    KeyDrivers,
    driver_importance,
    relative_weights,
    shapley_matrix,
    subset_r2,
)
from cxkit.drivers.segments import (
    importance_by_group,
    importance_difference,
    importance_performance,
    segment_importance,
)

__all__ = [
    "MAX_SHAPLEY_DRIVERS",
    "DriverGroups",
    "KeyDrivers",
    "driver_effects",
    "driver_groups",
    "driver_importance",
    "importance_by_group",
    "importance_difference",
    "importance_performance",
    "relative_weights",
    "segment_importance",
    "shapley_matrix",
    "subset_r2",
]
