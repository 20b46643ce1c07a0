"""One Exclusion record for every row left out, shown in the tables the reports already show."""
from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from cxkit import ArgumentError, DataError, load_folder
from cxkit import exclusions as ex
from cxkit.clv import exclusions_table, rfm_summary
from cxkit.clv import summary as clv_summary
from cxkit.data import load_transactions
from cxkit.engines import sql as engine_sql
from cxkit.engines import sql_split
from cxkit.exclusions import Exclusion, exclusion_table

TX = pd.DataFrame({"customer_id": ["a", "a", "b", "c"],
                   "date": ["2024-01-01", "2024-03-01", "2024-01-03", "2024-01-04"],
                   "amount": [20.0, 30.0, 15.0, -4.0]})


def test_an_exclusion_is_a_frozen_record():
    e = Exclusion("transactions", ex.DUPLICATE_RULE, 3, examples="4, 7")
    assert (e.table, e.rows, e.examples, e.customers, e.what) == ("transactions", 3, "4, 7", None, "rows left out")
    with pytest.raises(dataclasses.FrozenInstanceError):
        e.rows = 4
    assert Exclusion("t", "r", 2.0, customers=1.0) == Exclusion("t", "r", 2, customers=1)  # counts are whole numbers


@pytest.mark.parametrize("record", [
    {"table": "surveys", "rule": "row is entirely empty", "n_rows": 2, "example_rows": "5, 9"},
    {"table": "surveys", "what happened": "rows left out", "rule": "row is entirely empty", "rows": 2,
     "example lines": "5, 9"},
])
def test_the_record_shapes_in_use_read_back_as_one(record):
    assert Exclusion.from_record(record) == Exclusion("surveys", "row is entirely empty", 2, examples="5, 9")


def test_a_summary_record_and_a_spend_record_keep_their_customers():
    summary = Exclusion.from_record({"rule": ex.EXCLUDED_AFTER_AS_OF, "n_rows": 4, "n_customers": 2})
    assert (summary.table, summary.rows, summary.customers) == ("", 4, 2)
    spend = Exclusion.from_record({"table": "value", "rule": "segment missing", "n_rows": 3, "n_customers": 3})
    assert spend.record("summary") == {"rule": "segment missing", "n_rows": 3, "n_customers": 3}
    assert Exclusion.from_record(spend) is spend


def test_the_summary_table_is_the_clv_summarys_table():
    summary = rfm_summary(TX, as_of="2024-01-31", after_as_of="exclude")
    want = exclusions_table(summary)
    pd.testing.assert_frame_equal(exclusion_table(summary.attrs["exclusions"], "summary"), want)
    assert want["rule"].tolist() == [ex.EXCLUDED_AFTER_AS_OF, ex.EXCLUDED_NO_PURCHASE_DAY]


def test_the_load_table_and_the_report_table_keep_their_columns_and_words():
    left: list = []
    load_transactions(pd.concat([TX, TX.iloc[:1]], ignore_index=True), as_of="2024-02-01", exclusions=left)
    assert all(isinstance(e, Exclusion) for e in left)
    load = exclusion_table(left, "load")
    assert list(load.columns) == ["table", "rule", "n_rows", "example_rows"] and load["n_rows"].dtype == "int64"
    assert load["rule"].tolist() == [ex.DUPLICATE_RULE, ex.AFTER_AS_OF_RULE.format(as_of="2024-02-01")]
    report = exclusion_table(left)
    assert list(report.columns) == ["table", "what happened", "rule", "rows", "example lines"]
    assert report["what happened"].unique().tolist() == ["rows left out"] and report["rows"].tolist() == [1, 1]
    empty = exclusion_table([], "report")
    assert empty.empty and list(empty.columns) == list(report.columns) and empty["rows"].dtype == "int64"


def test_the_load_report_shows_a_folders_exclusions_as_before(tmp_path):
    (tmp_path / "transactions.csv").write_text("customer_id,date,amount\na,2024-01-01,5\na,2024-01-01,5\n"
                                               "b,2024-01-02,6\n")
    report = load_folder(tmp_path).load_report(settings=False)
    left = report[report["what happened"] == "rows left out"]
    assert left[["table", "rule", "rows", "example lines"]].values.tolist() == [
        ["transactions", ex.DUPLICATE_RULE, 1, "3"]]


def test_the_rules_have_one_wording_for_every_path():
    for name in ("EXCLUDED_AFTER_AS_OF", "EXCLUDED_NOT_PURCHASE_DAYS", "REFUSED_REFUNDS", "NO_PURCHASE_DAY",
                 "EXCLUDED_AFTER_OBSERVATION_END", "EXCLUDED_HOLDOUT_NEW_CUSTOMERS"):
        assert getattr(clv_summary, name) is getattr(ex, name)
    assert engine_sql.EXCLUDED_AFTER_AS_OF is ex.EXCLUDED_AFTER_AS_OF
    assert sql_split.EXCLUDED_HOLDOUT_NOT_PURCHASE_DAYS is ex.EXCLUDED_HOLDOUT_NOT_PURCHASE_DAYS


def test_an_unknown_table_shape_is_refused():
    with pytest.raises(ArgumentError, match="shape must be one of"):
        exclusion_table([], "wide")
    with pytest.raises(DataError):
        exclusion_table([], "wide")
