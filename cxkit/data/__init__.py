"""The data contract: load, validate and tidy the four cxkit tables.

Every notebook starts here. A folder holds up to four tables, each a CSV, Parquet or
Excel file (or the caller passes DataFrames):

==============  ==================================================================
table           columns
==============  ==================================================================
customers       customer_id (unique), signup_date, churn_date (empty while active),
                optional descriptive columns (plan, region, channel, ...)
transactions    customer_id, date, amount (refunds negative)
surveys         customer_id, date, any of nps (0-10), csat (1-5), ces (1-7) and
                driver ratings (1-5; default the six CX elements, configurable)
contacts        customer_id, date, channel, wait_minutes, resolved_first_contact
==============  ==================================================================

Bad input raises :class:`cxkit.DataError` naming the table, column, rule, count and up
to five offending rows (labelled by their line in the file). Rows removed by a
documented rule are listed in ``CXData.exclusions``; decisions taken by a stated rule
(dates read day-first, a decimal comma, missing markers, time zones) are listed in
``CXData.notes``. Nothing is dropped or guessed silently.

The analysis date ``as_of`` defaults to the last date of activity (transactions,
surveys, contacts), never to a customers-table date, and ``CXData.as_of_rule`` says
which rule chose it.

Example
-------
>>> from cxkit.data import load_folder
>>> cx = load_folder("data/sample")
>>> cx.as_of_rule
'Analysis date 31 Dec 2025: the last date with activity in transactions, surveys and contacts.'
"""
from cxkit.data.contract import (
    ACTIVITY_TABLES,
    DEFAULT_DRIVERS,
    DRIVER_SCALE,
    RATING_SCALES,
    TABLES,
    exclusion_report,
    notes_report,
)
from cxkit.data.folder import CXData, load_folder
from cxkit.data.loaders import (
    load_contacts,
    load_customers,
    load_surveys,
    load_transactions,
)

__all__ = [
    "ACTIVITY_TABLES",
    "DEFAULT_DRIVERS",
    "DRIVER_SCALE",
    "RATING_SCALES",
    "TABLES",
    "CXData",
    "load_folder",
    "load_customers",
    "load_transactions",
    "load_surveys",
    "load_contacts",
    "exclusion_report",
    "notes_report",
]
