"""Customer lifetime value: RFM summaries, BG/NBD, Gamma-Gamma, RFM scores and value segments.

BG/NBD and Gamma-Gamma are written here by hand with scipy because the ``lifetimes``
package is unmaintained (its dataset loaders and two plots fail on current
numpy/matplotlib/setuptools) and PyMC-Marketing adds ~800 MB of dependencies and a
long first compile.

Where things are
----------------
Import everything from ``cxkit.clv``; the modules below say where each family lives.

* :mod:`cxkit.clv.summary`: transactions -> one row per customer (:func:`rfm_summary`,
  :func:`exclusions_table`) and the calibration/holdout split
  (:func:`calibration_holdout_split`).
* :mod:`cxkit.clv.bgnbd`: the BG/NBD purchase model (:class:`BetaGeoFitter`).
* :mod:`cxkit.clv.paretonbd`, :mod:`cxkit.clv.mbgnbd`: the Pareto/NBD and MBG/NBD purchase
  models (:class:`ParetoNBDFitter`, :class:`ModifiedBetaGeoFitter`), used as BG/NBD is.
* :mod:`cxkit.clv.choice`: which purchase model forecasts a holdout best
  (:func:`compare_models`, :func:`choose_model`).
* :mod:`cxkit.clv.gammagamma`: the Gamma-Gamma spend model (:class:`GammaGammaFitter`).
* :mod:`cxkit.clv.sbg`: the shifted-beta-geometric subscription retention model
  (:class:`ShiftedBetaGeometricFitter`, with DERL) and its holdout check (:func:`sbg_holdout`).
* :mod:`cxkit.clv.subscription`: subscribers -> cohorts -> fits -> value per active subscriber
  (:func:`subscription_cohorts`, :func:`fit_sbg`, :func:`subscription_clv`).
* :mod:`cxkit.clv.fitting`: what both fitters share: the optimiser, standard errors and
  log-scale 95 % intervals, ``from_params``.
* :mod:`cxkit.clv.identification`: plain-words notes on parameters the data cannot pin
  down (:func:`identification_notes`).
* :mod:`cxkit.clv.forecast`: CLV per customer and in total (:func:`known_cancellations`,
  :func:`clv_table`, :func:`total_clv_interval`), and last year's spend of the same
  customers split the way the forecast treats it (:func:`last_year_spend`).
* :mod:`cxkit.clv.rfm`: RFM scores and named segments with an action each
  (:func:`rfm_scores`, :func:`rfm_segments`, :data:`SEGMENT_ACTIONS`, :data:`RFM_GRID`).
* :mod:`cxkit.clv.kmeans`: K-means value segments with plain-words labels
  (:func:`kmeans_segments`, :class:`KMeansSegments`).
* :mod:`cxkit.clv.profiles`: size, value and share of value per segment, and the action a
  K-means segment borrows from its dominant RFM segment (:func:`segment_profile`,
  :func:`segment_actions`).
* :mod:`cxkit.clv.cancelled`: customers known to have left form the segment
  :data:`CANCELLED` (number :data:`CANCELLED_NUMBER` among K-means segments) in every
  segmentation.
* :mod:`cxkit.clv.concentration`: how unequally value is spread
  (:func:`value_concentration`, :func:`lorenz_curve`).
* :mod:`cxkit.clv.diagnostics`: holdout checks of a fitted forecast and frequency x
  recency maps of p(alive) (imported on its own: ``from cxkit.clv import diagnostics``).
* :mod:`cxkit.clv.units`: the time units (:data:`UNIT_DAYS`, :data:`MONTH_DAYS`).

Presentation, beside the theme (each imported on its own, e.g. ``from cxkit.clv import
sentences``; ``import cxkit.clv`` itself loads no chart or report code):

* :mod:`cxkit.clv.sentences`: CLV results in plain words for reports (the forecast against
  last year, its holdout checks, the segments), and a report's summary gathered from them.
* :mod:`cxkit.clv.findings`: a report's headline results as :class:`cxkit.findings.Finding`
  records, in the order its summary says them (:func:`~cxkit.clv.findings.clv_findings`).
* :mod:`cxkit.clv.tables`: CLV results as a report's tables show them, with their
  headers, and what the fitted parameters mean (:func:`~cxkit.clv.tables.parameter_meanings`).
* :mod:`cxkit.clv.plots`: the theme's charts (holdout, frequency x recency map, CLV
  histogram, Lorenz curve, segment shares), in the house look of :mod:`cxkit.plots`.

Conventions used throughout
---------------------------
* A *purchase day* is a (customer, calendar day) whose net spend is > 0 (optionally also
  a day of zero-amount orders only): several rows on the same day are merged into one
  purchase, refunds (negative amounts) are netted into that day's spend and never count as
  purchases on their own. See :func:`rfm_summary`.
* ``frequency`` is the number of *repeat* purchase days (purchase days minus one),
  ``recency`` (t_x) is the time from the first to the last purchase day, ``T`` the time
  from the first purchase day to the end of the observation period (``as_of``) and
  ``monetary_value`` the mean spend over the repeat purchase days (the first purchase is
  left out; 0 when ``frequency`` is 0). This is the Fader-Hardie / ``lifetimes``
  convention; on the CDNOW sample it reproduces the published BG/NBD and Gamma-Gamma
  estimates exactly (see ``tests/test_clv.py``).
* Time units: ``"D"`` = 1 day, ``"W"`` = 7 days, ``"M"`` = 30.4375 days (365.25 / 12, the
  mean Gregorian month). CLV horizons are in months of 30.4375 days, so a month is
  4.348 weeks (``lifetimes`` uses 4.345 weeks and 30 days; the difference is < 0.1 %).
"""

from cxkit.clv.bgnbd import BetaGeoFitter
from cxkit.clv.cancelled import CANCELLED, CANCELLED_NUMBER
from cxkit.clv.choice import choose_model, compare_models
from cxkit.clv.concentration import lorenz_curve, value_concentration
from cxkit.clv.forecast import clv_table, known_cancellations, last_year_spend, total_clv_interval
from cxkit.clv.gammagamma import GammaGammaFitter
from cxkit.clv.identification import identification_notes
from cxkit.clv.kmeans import KMeansSegments, kmeans_segments
from cxkit.clv.mbgnbd import ModifiedBetaGeoFitter
from cxkit.clv.paretonbd import ParetoNBDFitter
from cxkit.clv.profiles import segment_actions, segment_profile
from cxkit.clv.rfm import RFM_GRID, SEGMENT_ACTIONS, rfm_scores, rfm_segments
from cxkit.clv.sbg import ShiftedBetaGeometricFitter, sbg_holdout
from cxkit.clv.subscription import fit_sbg, subscription_clv, subscription_cohorts
from cxkit.clv.summary import calibration_holdout_split, exclusions_table, rfm_summary
from cxkit.clv.units import MONTH_DAYS, UNIT_DAYS

__all__ = [
    "UNIT_DAYS",
    "MONTH_DAYS",
    "SEGMENT_ACTIONS",
    "RFM_GRID",
    "CANCELLED",
    "CANCELLED_NUMBER",
    "rfm_summary",
    "exclusions_table",
    "calibration_holdout_split",
    "BetaGeoFitter",
    "ParetoNBDFitter",
    "ModifiedBetaGeoFitter",
    "compare_models",
    "choose_model",
    "GammaGammaFitter",
    "identification_notes",
    "known_cancellations",
    "clv_table",
    "total_clv_interval",
    "last_year_spend",
    "rfm_scores",
    "rfm_segments",
    "segment_actions",
    "segment_profile",
    "KMeansSegments",
    "kmeans_segments",
    "value_concentration",
    "lorenz_curve",
    "ShiftedBetaGeometricFitter",
    "sbg_holdout",
    "subscription_cohorts",
    "fit_sbg",
    "subscription_clv",
]
