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
documented rule are listed in ``CXData.exclusions`` (:class:`cxkit.exclusions.Exclusion`
records, as a table); decisions taken by a stated rule (dates read day-first, a decimal
comma, missing markers, time zones) are listed in ``CXData.notes``. Nothing is dropped
or guessed silently. How the files are read is one :class:`ReadOptions`.

The analysis date ``as_of`` defaults to the last date of activity (transactions,
surveys, contacts), never to a customers-table date, and ``CXData.as_of_rule`` says
which rule chose it.

This floor knows no theme and no engine: :func:`load_folder` here loads in memory;
:func:`cxkit.load_folder` also leaves a log too large for memory in its files
(:mod:`cxkit.engines`) and adds the conveniences that join a folder to the themes.

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
from cxkit.data.folder import (
    CXData,
    FolderLoad,
    FolderPlan,
    TransactionsInPlace,
    find_folder,
    load_folder,
    load_in_memory,
)
from cxkit.data.loaders import (
    load_contacts,
    load_customers,
    load_surveys,
    load_transactions,
)
from cxkit.data.options import ReadOptions

__all__ = [
    "ACTIVITY_TABLES",
    "DEFAULT_DRIVERS",
    "DRIVER_SCALE",
    "RATING_SCALES",
    "TABLES",
    "CXData",
    "ReadOptions",
    "FolderPlan",
    "FolderLoad",
    "TransactionsInPlace",
    "find_folder",
    "load_in_memory",
    "load_folder",
    "load_customers",
    "load_transactions",
    "load_surveys",
    "load_contacts",
    "exclusion_report",
    "notes_report",
]
