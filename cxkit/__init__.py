"""cxkit: customer-experience analytics on tidy pandas tables."""
from cxkit.errors import DataError, FitError

__version__ = "0.1.0"
__all__ = ["DataError", "FitError", "__version__"]
