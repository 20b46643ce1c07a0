"""cxkit: customer-experience analytics on tidy pandas tables.

Modules, in the order data flows through them:

- :mod:`cxkit.files`, :mod:`cxkit.parsing`: finding table files; reading dates and numbers by stated rules
- :mod:`cxkit.data`: the data contract (load, validate, report exclusions and notes)
- :mod:`cxkit.synth`: the sample company with planted truths
- :mod:`cxkit.periods`: the reporting period every headline names
- :mod:`cxkit.metrics`: NPS, CSAT, CES with intervals; gaps; service metrics
- :mod:`cxkit.drivers`: satisfaction against customer value
- :mod:`cxkit.survival`: churn survival tables and models over lifelines
- :mod:`cxkit.clv`: RFM, BG/NBD and Gamma-Gamma customer lifetime value, segments
- :mod:`cxkit.comparisons`: means and medians of skewed values, tested together
- :mod:`cxkit.narrative`: board sentences written from results and their tests
- :mod:`cxkit.display`: result tables in words for readers
- :mod:`cxkit.plots`: the house style and shared charts
- :mod:`cxkit.report`: run notebooks with parameters; code-free HTML/PDF reports
"""
from cxkit.errors import DataError, FitError

__version__ = "0.1.0"
__all__ = ["DataError", "FitError", "__version__"]
