"""A transaction log checked against the customers table, where the log is.

The pandas loader checks every transaction against the customers table: an id the
table does not know is refused (or, with ``unknown_customers="exclude"``, left out and
reported), a row dated before the customer's ``signup_date`` is refused, and so is a
purchase after the ``churn_date`` (a refund after churn is allowed). A log left in its
files gets the same rules here, in SQL both engines run: the customers' ids and dates
are handed to the engine as a small table ``cx_customers`` and joined to the log.

Ids are compared as the loaded tables hold them: text, stripped (``7``, ``7.0`` and
``" 7"`` are the customer "7"), see :func:`cxkit.engines.sql.id_text`.

Example
-------
>>> import pandas as pd
>>> from cxkit.engines.customers import customer_frame
>>> customer_frame(pd.DataFrame({"customer_id": ["C1"], "signup_date": [pd.Timestamp("2024-01-02")],
...                              "churn_date": [pd.NaT]})).to_dict("records")
[{'known_id': 'C1', 'signup_day': '2024-01-02', 'churn_day': None}]
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from cxkit.engines import sql
from cxkit.exclusions import UNKNOWN_CUSTOMERS_RULE as UNKNOWN_RULE

__all__ = ["CustomerCheck", "customer_frame", "check_customers", "keep_known", "UNKNOWN_RULE"]

#: One pass over the log joined to the customers: rows of unknown customers (and how many
#: customers), rows dated before signup, purchases dated after churn.
CHECK_SQL = """
SELECT SUM(CASE WHEN known_id IS NULL THEN 1 ELSE 0 END) AS unknown_rows,
       COUNT(DISTINCT CASE WHEN known_id IS NULL THEN {id_text} END) AS unknown_customers,
       SUM(CASE WHEN known_id IS NOT NULL AND {day} < signup_day THEN 1 ELSE 0 END) AS before_signup,
       SUM(CASE WHEN known_id IS NOT NULL AND {amount} > 0 AND {day} > churn_day THEN 1 ELSE 0 END) AS after_churn
FROM cx_checked
WHERE {day} <= {as_of}
"""

CHECKED_VIEW = """
CREATE OR REPLACE TEMP VIEW cx_checked AS
SELECT s.*, k.known_id, CAST(k.signup_day AS DATE) AS signup_day, CAST(k.churn_day AS DATE) AS churn_day
FROM cx_source s LEFT JOIN cx_customers k ON {id_text} = k.known_id
"""


@dataclass(frozen=True)
class CustomerCheck:
    """What :func:`check_customers` found: rows and customers the customers table does not know."""

    unknown_rows: int = 0
    unknown_customers: int = 0
    examples: str = ""


def customer_frame(customers: pd.DataFrame) -> pd.DataFrame:
    """The customers' ids and days as text (``known_id``, ``signup_day``, ``churn_day``) for an engine."""
    def days(column: str) -> pd.Series:
        if column not in customers:
            return pd.Series([None] * len(customers), dtype=object)
        values = pd.to_datetime(customers[column])
        return values.dt.strftime("%Y-%m-%d").astype(object).where(values.notna(), None)

    return pd.DataFrame({"known_id": customers["customer_id"].astype(str).to_numpy(),
                         "signup_day": days("signup_date").to_numpy(),
                         "churn_day": days("churn_date").to_numpy()})


def _register(eng: Any, customers: pd.DataFrame) -> dict[str, str]:
    """Hand the customers to the engine as ``cx_customers``; the log's SQL expressions."""
    eng.register("cx_customers", customer_frame(customers))
    return sql.expressions(eng.source)


def check_customers(eng: Any, customers: pd.DataFrame, *, as_of_day: int | None = None,
                    unknown_customers: str = "raise") -> CustomerCheck:
    """Check a log against the customers table as the pandas loader does; rows after ``as_of`` are not checked.

    Raises :class:`cxkit.DataError` (rule, count, files, first rows) for a customer the
    table does not know (unless ``unknown_customers="exclude"``), a row dated before the
    customer's signup and a purchase after churn. Returns the unknown rows and customers,
    to be left out by :func:`keep_known` and reported.
    """
    ex = _register(eng, customers)
    eng.execute(CHECKED_VIEW.format(id_text=ex["id_text"]))
    as_of = sql.sql_date(as_of_day) if as_of_day is not None else "DATE '9999-12-31'"
    found = eng.query(CHECK_SQL.format(**{**ex, "as_of": as_of})).fillna(0).astype("int64").iloc[0]
    cut = f"{ex['day']} <= {as_of}"
    if found["unknown_rows"] and unknown_customers != "exclude":
        rows, files = sql.offending(eng.query, eng.source, f"known_id IS NULL AND {cut}", table="cx_checked")
        raise sql.sql_error("customer_id", "customer_id not found in the customers table", int(found["unknown_rows"]),
                            rows, files, hint="fix the ids, or pass unknown_customers='exclude' to drop these rows "
                                              "with a report")
    if found["before_signup"]:
        rows, files = sql.offending(eng.query, eng.source, f"known_id IS NOT NULL AND {ex['day']} < signup_day "
                                    f"AND {cut}", table="cx_checked")
        raise sql.sql_error("date", "dated before the customer's signup_date", int(found["before_signup"]), rows,
                            files, hint="fix signup_date or the dates; activity cannot come before a customer signs up")
    if found["after_churn"]:
        rows, files = sql.offending(eng.query, eng.source, f"known_id IS NOT NULL AND {ex['amount']} > 0 AND "
                                    f"{ex['day']} > churn_day AND {cut}", table="cx_checked")
        raise sql.sql_error("date", "purchase dated after the customer's churn_date", int(found["after_churn"]), rows,
                            files, hint="fix churn_date or the purchases (refunds after churn are allowed)")
    examples = ""
    if found["unknown_rows"]:
        rows, _ = sql.offending(eng.query, eng.source, f"known_id IS NULL AND {cut}", table="cx_checked")
        examples = ", ".join(f"{f} row {r}" for f, r in rows.index)
    return CustomerCheck(int(found["unknown_rows"]), int(found["unknown_customers"]), examples)


def keep_known(eng: Any, customers: pd.DataFrame) -> None:
    """Leave out the rows of customers the customers table does not know (``unknown_customers="exclude"``)."""
    ex = _register(eng, customers)
    eng.restrict(f"{ex['id_text']} IN (SELECT known_id FROM cx_customers)")
