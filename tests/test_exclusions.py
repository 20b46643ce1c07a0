"""One Exclusion record for every row left out, shown in the tables the reports already show."""
from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from cxkit import ArgumentError, DataError, load_folder, spend, survival
from cxkit import exclusions as ex
from cxkit.clv import exclusions_table, rfm_summary
from cxkit.clv import summary as clv_summary
from cxkit.comparisons import population_of
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


# --------------------------------------------------------------------------- the themes' exclusions

RESULT_COLUMNS = ["table", "rule", "n_rows", "n_customers"]
REPORT_COLUMNS = ["table", "what happened", "rule", "rows", "example lines"]


def _as_records(result: pd.DataFrame) -> list[Exclusion]:
    records = [Exclusion.from_record(e) for e in result.attrs["exclusions"]]
    assert all(set(e) == set(RESULT_COLUMNS) for e in result.attrs["exclusions"])
    assert [e.record("result") for e in records] == result.attrs["exclusions"]  # nothing lost either way
    return records


def test_a_spend_left_out_is_an_exclusion_shown_by_exclusion_table():
    value = pd.DataFrame({"customer_id": ["a", "b", "c"], "period_spend": [10.0, 30.0, 5.0],
                          "value_segment": [1, 2, None]})
    answers = pd.DataFrame({"customer_id": ["a", "b", "x"], "satisfaction_level": ["neutral (3)"] * 3})
    out = spend.revenue_at_risk(value, answers)
    records = _as_records(out)
    assert records == [Exclusion("satisfaction", "customer not in the value table (no spend or segment)", 1,
                                 customers=1),
                       Exclusion("value", "value_segment missing", 1, customers=1)]
    table = spend.left_out(out)
    assert list(table.columns) == RESULT_COLUMNS
    pd.testing.assert_frame_equal(table, exclusion_table(records, "result"))
    assert list(spend.left_out(pd.DataFrame()).columns) == RESULT_COLUMNS


def test_a_survival_follow_up_exclusion_is_an_exclusion_and_a_load_report_row():
    customers = pd.DataFrame({"customer_id": ["a", "b", "c"],
                              "signup_date": pd.to_datetime(["2025-01-01", "2025-03-01", "2026-02-01"])})
    table = survival.survival_table(customers, as_of="2025-12-31")
    assert _as_records(table) == [Exclusion("customers", "signed up after as_of", 1, customers=1)]
    report = survival.exclusions(table)
    assert list(report.columns) == REPORT_COLUMNS and report["rows"].dtype == "int64"
    assert report.values.tolist() == [["customers", "rows left out", "signed up after as_of", 1, "c (2026-02-01)"]]
    assert list(survival.exclusions(survival.survival_table(customers.iloc[:2], as_of="2025-12-31")).columns) == (
        REPORT_COLUMNS)


def test_a_covariate_exclusion_is_an_exclusion_and_a_load_report_row():
    customers = pd.DataFrame({"customer_id": [f"c{i}" for i in range(6)],
                              "minutes": [1.0, 2.0, None, 4.0, 5.0, 6.0]})
    static = survival.static_covariates(customers, columns=["minutes"])
    rule = "minutes missing (a numeric covariate needs a value)"
    assert _as_records(static.design) == [Exclusion("customers", rule, 1, customers=1)]
    report = survival.exclusions(static)
    assert list(report.columns) == REPORT_COLUMNS
    assert report[["table", "what happened", "rule", "rows"]].values.tolist() == [
        ["customers", "rows left out", rule, 1]]


def test_a_value_comparison_reports_its_cancelled_customers_as_an_exclusion():
    values = pd.DataFrame({"clv": [5.0, 0.0, 9.0], "known_churned": [False, True, False]})
    kept, info = population_of(values, table="values")
    rule = "cancelled (known to have left): compared among active customers"
    assert len(kept) == 2
    assert [Exclusion.from_record(e) for e in info["exclusions"]] == [Exclusion("values", rule, 1, customers=1)]
    assert exclusion_table(info["exclusions"], "result").values.tolist() == [["values", rule, 1, 1]]
