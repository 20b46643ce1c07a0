"""Rows left out, by rule: the one :class:`Exclusion` record, the tables reports show, and the rules' words.

Nothing is dropped silently: every rule that leaves rows out of a table or a result says
so in one record (which table, which rule, how many rows, and which customers or lines),
and a report shows those records as a tidy table (:func:`exclusion_table`). The loaded
tables, a transaction log left in its files, the CLV summaries and the engines that
compute them where the data is all name the rules in the words below, so the same rows
are reported under the same rule whichever path computed them.

Example
-------
>>> left = [Exclusion("transactions", DUPLICATE_RULE, 3, examples="12, 40, 41")]
>>> exclusion_table(left)[["table", "what happened", "rows"]]
          table  what happened  rows
0  transactions  rows left out     3
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from cxkit.errors import check_choice

__all__ = ["Exclusion", "exclusion_table", "TABLE_COLUMNS",
           "DUPLICATE_RULE", "UNKNOWN_CUSTOMERS_RULE", "AFTER_AS_OF_RULE",
           "EXCLUDED_AFTER_AS_OF", "EXCLUDED_BEFORE_START", "EXCLUDED_NOT_PURCHASE_DAYS", "EXCLUDED_NO_PURCHASE_DAY",
           "EXCLUDED_REFUNDS_DROPPED", "EXCLUDED_AFTER_OBSERVATION_END", "EXCLUDED_BEFORE_CALIBRATION_START",
           "EXCLUDED_HOLDOUT_NEW_CUSTOMERS", "EXCLUDED_HOLDOUT_NOT_PURCHASE_DAYS", "REFUSED_REFUNDS",
           "REFUSED_REFUNDS_HINT", "NO_ROWS_LEFT", "NO_PURCHASE_DAY", "NO_CALIBRATION_ROWS",
           "NO_CALIBRATION_PURCHASE_DAY"]

# --------------------------------------------------------------------------- the load's rules

#: Rows that repeat an earlier row in every column (loaded tables and logs alike).
DUPLICATE_RULE = "exact duplicate of an earlier row (pass duplicates='keep' to keep them)"
#: Rows whose customer the customers table does not hold (``unknown_customers="exclude"``).
UNKNOWN_CUSTOMERS_RULE = "customer_id not in customers table"
#: Rows dated after the analysis date; ``{as_of}`` is the date (2025-12-31).
AFTER_AS_OF_RULE = "dated after as_of ({as_of}), the analysis date"

# --------------------------------------------------------------------------- the CLV summary's rules
# Shared by cxkit.clv.summary and the engines (cxkit.engines.sql), so that DuckDB, Spark
# and pandas report left-out rows under the same names.

#: Rows later than ``as_of`` (``after_as_of="exclude"``).
EXCLUDED_AFTER_AS_OF = "rows dated after as_of"
#: Rows earlier than ``observation_start``.
EXCLUDED_BEFORE_START = "rows dated before observation_start"
#: Rows on non-purchase days; ``{or_zero}`` is ", or zero" with ``zero_spend_days="exclude"``, else "".
EXCLUDED_NOT_PURCHASE_DAYS = (
    "rows on days that are not purchase days (net spend < 0, fully refunded{or_zero}): not counted in any column"
)
#: All rows of customers without a purchase day.
EXCLUDED_NO_PURCHASE_DAY = "customers without any purchase day (all their rows left out of the summary)"
#: Negative rows with ``refunds="drop"``.
EXCLUDED_REFUNDS_DROPPED = "refund rows dropped (refunds='drop')"
#: Rows later than ``observation_end`` (calibration/holdout split).
EXCLUDED_AFTER_OBSERVATION_END = "rows dated after observation_end"
#: Rows earlier than ``calibration_start``.
EXCLUDED_BEFORE_CALIBRATION_START = "rows dated before calibration_start"
#: Holdout rows of customers without a calibration purchase day.
EXCLUDED_HOLDOUT_NEW_CUSTOMERS = "holdout rows of customers first seen after calibration_end"
#: Holdout rows on non-purchase days.
EXCLUDED_HOLDOUT_NOT_PURCHASE_DAYS = "holdout rows on days that are not purchase days"
#: The refusal of ``refunds="raise"`` and its hint.
REFUSED_REFUNDS = "negative amount (refund) found while refunds='raise'"
REFUSED_REFUNDS_HINT = "use refunds='net' to net refunds into the same day's spend, or refunds='drop'"
#: Errors when nothing is left to summarise.
NO_ROWS_LEFT = "no transactions left inside the observation period"
NO_PURCHASE_DAY = "no customer has a purchase day (net daily spend > 0)"
NO_CALIBRATION_ROWS = "no transactions in the calibration period"
NO_CALIBRATION_PURCHASE_DAY = "no customer has a purchase day in the calibration period"

# --------------------------------------------------------------------------- the record

Shape = Literal["report", "load", "summary", "result"]

#: The columns of each table exclusions are shown in:
#: ``"report"``, the load report's rows (:meth:`cxkit.data.CXData.load_report`, and the
#: survival tables' exclusions appended to it); ``"load"``, ``CXData.exclusions``;
#: ``"summary"``, a per-customer summary's (``cxkit.clv.exclusions_table``); ``"result"``,
#: a theme result's ``attrs["exclusions"]`` (the spend tables, the survival tables, the
#: static covariates, the value comparisons; ``cxkit.spend.left_out``).
TABLE_COLUMNS: dict[str, list[str]] = {
    "report": ["table", "what happened", "rule", "rows", "example lines"],
    "load": ["table", "rule", "n_rows", "example_rows"],
    "summary": ["rule", "n_rows", "n_customers"],
    "result": ["table", "rule", "n_rows", "n_customers"],
}


@dataclass(frozen=True)
class Exclusion:
    """Rows a rule left out of a table or a result: the one record every floor reports them in.

    Attributes
    ----------
    table : the table the rows were in ("transactions"); "" when the result has one table.
    rule : the rule, in words a reader understands ("exact duplicate of an earlier row ...").
    rows : how many rows the rule left out (each row is counted under one rule only).
    examples : where the first of them are: lines of the file ("12, 40"), a log's file and
        row ("part-0.csv row 7"), or customers with a date ("C12 (2025-03-01)").
    customers : how many customers those rows belong to, when counted (per-customer
        summaries), else None.
    what : what happened to the rows, as the load report says it: "rows left out", or
        "rows not used" (kept in the table, not used by the result).

    Example
    -------
    >>> e = Exclusion("surveys", "response answers no score or driver question", 2, examples="4, 9")
    >>> e.record("load")
    {'table': 'surveys', 'rule': 'response answers no score or driver question', 'n_rows': 2, 'example_rows': '4, 9'}
    """

    table: str
    rule: str
    rows: int
    examples: str = ""
    customers: int | None = None
    what: str = "rows left out"

    def __post_init__(self) -> None:
        object.__setattr__(self, "rows", int(self.rows))
        if self.customers is not None:
            object.__setattr__(self, "customers", int(self.customers))

    @classmethod
    def from_record(cls, record: Mapping[str, Any] | Exclusion) -> Exclusion:
        """An :class:`Exclusion` from a record in any of the shapes in use (dicts with ``n_rows``, ...).

        Reads ``{"table", "rule", "n_rows", "example_rows"}`` (the loaded tables'),
        ``{"rule", "n_rows", "n_customers"}`` (a CLV summary's ``attrs["exclusions"]``) and
        ``{"table", "rule", "n_rows", "n_customers"}`` (a theme result's: spend, survival, value
        comparisons), and a row of
        the load report (``rows``, ``example lines``, ``what happened``).

        Example
        -------
        >>> Exclusion.from_record({"rule": "rows dated after as_of", "n_rows": 4, "n_customers": 2}).customers
        2
        """
        if isinstance(record, Exclusion):
            return record
        customers = record.get("n_customers", record.get("customers"))
        return cls(table=str(record.get("table", "")), rule=str(record["rule"]),
                   rows=record["n_rows"] if "n_rows" in record else record["rows"],
                   examples=str(record.get("example_rows", record.get("example lines", record.get("examples", "")))),
                   customers=None if customers is None or pd.isna(customers) else customers,
                   what=str(record.get("what happened", record.get("what", "rows left out"))))

    def record(self, shape: Shape = "report") -> dict[str, Any]:
        """This exclusion as one row of the table ``shape`` (see :data:`TABLE_COLUMNS`)."""
        if shape == "summary":
            return {"rule": self.rule, "n_rows": self.rows, "n_customers": self.customers}
        if shape == "result":
            return {"table": self.table, "rule": self.rule, "n_rows": self.rows, "n_customers": self.customers}
        if shape == "load":
            return {"table": self.table, "rule": self.rule, "n_rows": self.rows, "example_rows": self.examples}
        return {"table": self.table, "what happened": self.what, "rule": self.rule, "rows": self.rows,
                "example lines": self.examples}


def exclusion_table(exclusions: Iterable[Exclusion | Mapping[str, Any]], shape: Shape = "report") -> pd.DataFrame:
    """The rows left out as the tidy table a report shows: one row per (table, rule), in the order given.

    A CX analyst quotes a rate or a CLV together with what it does not cover; this is the
    table that says it, with the same columns and words wherever the rows were left out.

    Parameters
    ----------
    exclusions : :class:`Exclusion` records (or records in one of the dict shapes
        :meth:`Exclusion.from_record` reads).
    shape : ``"report"`` (default: ``table``, ``what happened``, ``rule``, ``rows``,
        ``example lines``, as the load report), ``"load"`` (``table``, ``rule``,
        ``n_rows``, ``example_rows``, as ``CXData.exclusions``), ``"summary"``
        (``rule``, ``n_rows``, ``n_customers``, as a CLV summary's table) or ``"result"``
        (``table``, ``rule``, ``n_rows``, ``n_customers``, as a theme result's
        ``attrs["exclusions"]``, e.g. :func:`cxkit.spend.left_out`).

    Returns
    -------
    DataFrame with the columns of ``shape`` (empty, with them, when nothing was left out).

    Example
    -------
    >>> exclusion_table([{"rule": "rows dated after as_of", "n_rows": 1, "n_customers": 1}], "summary")
                         rule  n_rows  n_customers
    0  rows dated after as_of       1            1
    """
    check_choice(shape, tuple(TABLE_COLUMNS), "shape")
    rows = [Exclusion.from_record(e).record(shape) for e in exclusions]
    table = pd.DataFrame(rows, columns=TABLE_COLUMNS[shape])
    counted = {"report": "rows", "load": "n_rows"}.get(shape)
    return table.astype({counted: "int64"}) if counted else table
