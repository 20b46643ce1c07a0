"""cxkit: customer-experience analytics on tidy pandas tables.

Modules, in the order data flows through them:

- :mod:`cxkit.errors`, :mod:`cxkit.units`, :mod:`cxkit.exclusions`: errors and warnings; days, time
  units and minor units of money; the one record of rows left out, and the rules' words
- :mod:`cxkit.files`, :mod:`cxkit.parsing`: finding table files; reading dates and numbers by stated rules
- :mod:`cxkit.data`: the data contract (load, validate, report exclusions and notes) and the
  folder's settings file (company, currency, goals)
- :mod:`cxkit.engines`: a transaction log too large for memory, summarised where it is (DuckDB, Spark)
- :mod:`cxkit.folder`: :func:`load_folder`, which joins the two above, and a loaded folder's
  conveniences (``rfm_summary``, ``customer_value``)
- :mod:`cxkit.synth`: the sample company with planted truths
- :mod:`cxkit.periods`: the reporting period every headline names
- :mod:`cxkit.metrics`: NPS, CSAT, CES with intervals; gaps; service metrics
- :mod:`cxkit.value`: customer value and value segments
- :mod:`cxkit.survival`: churn survival tables and models over lifelines
- :mod:`cxkit.clv`: RFM, BG/NBD and Gamma-Gamma customer lifetime value, segments
- :mod:`cxkit.comparisons`: means and medians of skewed values, tested together
- :mod:`cxkit.narrative`: board sentences written from results and their tests
- :mod:`cxkit.display`: result tables in words for readers
- :mod:`cxkit.plots`: the house style and shared charts
- :mod:`cxkit.report`: run notebooks with parameters; code-free HTML/PDF reports
"""
from importlib.metadata import PackageNotFoundError, version

from cxkit.errors import ArgumentError, DataError, EngineError, FitError
from cxkit.folder import load_folder

try:  # the version is written once, in pyproject.toml
    __version__ = version("cxkit")
except PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0.0.0+unknown"
__all__ = ["DataError", "ArgumentError", "EngineError", "FitError", "load_folder", "__version__"]
