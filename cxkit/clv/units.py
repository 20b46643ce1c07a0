"""Time units and calendar days of the CLV modules: those of :mod:`cxkit.units`.

Recency, T and forecast horizons are counted in days, weeks or months; every CLV module
converts with the same lengths (:data:`UNIT_DAYS`, :data:`MONTH_DAYS`) and reads date
arguments such as ``as_of`` the same way (as whole calendar days). The lengths and the
conversions live on the ground floor (:mod:`cxkit.units`), where the data contract and
the engines count with them too; ``clv.UNIT_DAYS`` and ``clv.MONTH_DAYS`` stay here for
notebooks.
"""

from __future__ import annotations

from cxkit.units import MONTH_DAYS, UNIT_DAYS, TimeUnit, day_number, day_timestamp, days_per_unit

__all__ = ["UNIT_DAYS", "MONTH_DAYS", "TimeUnit"]

# The names the CLV modules import (cxkit.units has the public ones).
_check_time_unit = days_per_unit
_to_day = day_number
_day_to_timestamp = day_timestamp
