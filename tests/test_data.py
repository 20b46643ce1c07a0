"""The data contract: each bad input gets a named error; exclusions are reported."""
from __future__ import annotations

import pandas as pd
import pytest

from cxkit import DataError
from cxkit.data import (
    DEFAULT_DRIVERS,
    load_contacts,
    load_customers,
    load_folder,
    load_surveys,
    load_transactions,
)


def customers(**over):
    df = pd.DataFrame({
        "customer_id": ["a", "b", "c"],
        "signup_date": ["2024-01-01", "2024-02-01", "2024-03-01"],
        "churn_date": [None, "2024-06-01", None],
        "plan": ["Club", "Club", "Club Plus"],
    })
    return df.assign(**over)


def transactions(**over):
    df = pd.DataFrame({
        "customer_id": ["a", "a", "b", "c"],
        "date": ["2024-01-01", "2024-01-20", "2024-02-03", "2024-03-02"],
        "amount": [10.0, -4.0, 25.5, 8.0],
    })
    return df.assign(**over)


def surveys(**over):
    df = pd.DataFrame({
        "customer_id": ["a", "b", "c"],
        "date": ["2024-04-01", "2024-04-02", "2024-04-03"],
        "nps": [9, 6, None],
        "csat": [5, 2, 4],
        "ces": [6, None, 7],
        "quickness": [5, 1, 4],
    })
    return df.assign(**over)


def contacts(**over):
    df = pd.DataFrame({
        "customer_id": ["a", "b"],
        "date": ["2024-02-01", "2024-03-01"],
        "channel": ["phone", "chat"],
        "wait_minutes": [3.5, 0.0],
        "resolved_first_contact": ["yes", "N"],
    })
    return df.assign(**over)


def assert_names(err: DataError, table: str, column: str, rule_word: str, n: int | None = None):
    msg = str(err)
    assert f"table '{table}'" in msg
    assert f"column '{column}'" in msg
    assert rule_word in msg
    assert err.table == table and err.column == column
    if n is not None:
        assert err.n_rows == n
        assert f"({n} row" in msg


# --- happy path ------------------------------------------------------------------


def test_sample_folder_loads_with_types(cx):
    assert set(cx.tables()) == {"customers", "transactions", "surveys", "contacts"}
    assert pd.api.types.is_datetime64_any_dtype(cx.transactions["date"])
    assert cx.customers["customer_id"].is_unique
    assert cx.drivers == list(DEFAULT_DRIVERS)
    assert cx.exclusions.empty
    summary = cx.summary().set_index("table")
    assert summary.loc["customers", "rows"] == 5000
    assert cx.as_of == pd.Timestamp("2025-12-31")


def test_refunds_are_kept_and_flagged():
    tx = load_transactions(transactions())
    assert tx["is_refund"].tolist() == [False, True, False, False]
    assert tx["amount"].sum() == pytest.approx(39.5)


def test_column_mapping_per_table_and_flat(tmp_path):
    renamed = customers().rename(columns={"customer_id": "cust", "signup_date": "joined"})
    renamed.to_csv(tmp_path / "customers.csv", index=False)
    transactions().rename(columns={"customer_id": "cust", "amount": "value"}).to_csv(
        tmp_path / "orders.csv", index=False
    )
    cx = load_folder(
        tmp_path,
        files={"transactions": "orders.csv"},
        columns={"customers": {"cust": "customer_id", "joined": "signup_date"},
                 "transactions": {"cust": "customer_id", "value": "amount"}},
    )
    assert cx.transactions["amount"].tolist() == [10.0, -4.0, 25.5, 8.0]
    assert cx.surveys is None and cx.contacts is None
    flat = load_transactions(transactions().rename(columns={"customer_id": "cust"}), columns={"cust": "customer_id"})
    assert "customer_id" in flat


def test_partial_folder_and_parquet(tmp_path):
    transactions().assign(date=lambda d: pd.to_datetime(d["date"])).to_parquet(tmp_path / "transactions.parquet")
    cx = load_folder(tmp_path)
    assert cx.customers is None and len(cx.transactions) == 4
    with pytest.raises(DataError, match="needs the table"):
        cx.require("surveys")


def test_customers_without_churn_column_are_all_active():
    df = customers().drop(columns="churn_date")
    assert load_customers(df)["churn_date"].isna().all()


def test_ids_stay_strings_with_leading_zeros(tmp_path):
    (tmp_path / "transactions.csv").write_text("customer_id,date,amount\n007,2024-01-01,5\n")
    assert load_folder(tmp_path).transactions["customer_id"].iloc[0] == "007"


# --- each bad input gets its named error -----------------------------------------


def test_missing_column_names_it():
    with pytest.raises(DataError) as err:
        load_transactions(transactions().drop(columns="amount"))
    assert "column 'amount'" in str(err.value) and "required column" in str(err.value)
    assert "columns=" in str(err.value)


def test_wrong_type_amount():
    with pytest.raises(DataError) as err:
        load_transactions(transactions(amount=["10", "x", "3", "4"]))
    assert_names(err.value, "transactions", "amount", "numeric", 1)
    assert "x" in str(err.value)


def test_unparseable_date_shows_rows():
    with pytest.raises(DataError) as err:
        load_transactions(transactions(date=["2024-01-01", "31/31/2024", "soon", "2024-01-05"]))
    assert_names(err.value, "transactions", "date", "could not be parsed", 2)
    assert "soon" in str(err.value)


@pytest.mark.parametrize(
    "column,value,lo,hi",
    [("nps", 11, 0, 10), ("csat", 0, 1, 5), ("ces", 8, 1, 7), ("quickness", 6, 1, 5), ("nps", 7.5, 0, 10)],
)
def test_out_of_range_rating(column, value, lo, hi):
    df = surveys()
    df.loc[1, column] = value
    with pytest.raises(DataError) as err:
        load_surveys(df)
    assert_names(err.value, "surveys", column, f"from {lo} to {hi}", 1)


def test_negative_tenure():
    with pytest.raises(DataError) as err:
        load_customers(customers(churn_date=[None, "2023-12-01", None]))
    assert_names(err.value, "customers", "churn_date", "before signup_date", 1)
    assert "b" in str(err.value)


def test_duplicate_customer_id_lists_both_rows():
    with pytest.raises(DataError) as err:
        load_customers(customers(customer_id=["a", "b", "a"]))
    assert_names(err.value, "customers", "customer_id", "unique", 2)


def test_unknown_customers_raise_or_are_excluded_with_report():
    cust = load_customers(customers())
    bad = transactions(customer_id=["a", "zz", "b", "c"])
    with pytest.raises(DataError) as err:
        load_transactions(bad, customers=cust)
    assert_names(err.value, "transactions", "customer_id", "not found", 1)
    ex: list = []
    tx = load_transactions(bad, customers=cust, unknown_customers="exclude", exclusions=ex)
    assert len(tx) == 3
    assert ex[0].rows == 1 and "customers table" in ex[0].rule


def test_unknown_customers_in_surveys():
    with pytest.raises(DataError) as err:
        load_surveys(surveys(customer_id=["a", "b", "q"]), customers=load_customers(customers()))
    assert_names(err.value, "surveys", "customer_id", "not found", 1)


def test_transaction_before_signup():
    with pytest.raises(DataError) as err:
        load_transactions(transactions(date=["2023-01-01", "2024-01-20", "2024-02-03", "2024-03-02"]),
                          customers=load_customers(customers()))
    assert_names(err.value, "transactions", "date", "before the customer's signup_date", 1)


def test_dates_after_as_of_are_excluded_with_a_report():
    ex: list = []
    tx = load_transactions(transactions(), as_of="2024-02-01", exclusions=ex)
    assert tx["date"].max() <= pd.Timestamp("2024-02-01") and len(tx) == 2
    assert ex[0].rows == 2 and "after as_of (2024-02-01)" in ex[0].rule


def test_empty_file(tmp_path):
    (tmp_path / "customers.csv").write_text("")
    with pytest.raises(DataError, match="empty"):
        load_folder(tmp_path)
    (tmp_path / "customers.csv").write_text("customer_id,signup_date,churn_date\n")
    with pytest.raises(DataError, match="no rows"):
        load_folder(tmp_path)


def test_negative_wait_and_bad_boolean():
    with pytest.raises(DataError) as err:
        load_contacts(contacts(wait_minutes=[-1, 2]))
    assert_names(err.value, "contacts", "wait_minutes", ">= 0", 1)
    with pytest.raises(DataError) as err:
        load_contacts(contacts(resolved_first_contact=["yes", "maybe"]))
    assert_names(err.value, "contacts", "resolved_first_contact", "true/false", 1)


def test_explicit_driver_list_must_exist():
    with pytest.raises(DataError, match="column 'clarity'"):
        load_surveys(surveys(), drivers=["quickness", "clarity"])


def test_errors_name_file_lines(tmp_path):
    (tmp_path / "transactions.csv").write_text("customer_id,date,amount\na,2024-01-01,5\nb,2024-01-02,five\n")
    with pytest.raises(DataError) as err:
        load_folder(tmp_path)
    assert err.value.rows.index.tolist() == [3]  # line 3 of the file


# --- nothing dropped silently ----------------------------------------------------


def test_exclusions_are_reported(tmp_path):
    transactions(amount=[10.0, 0.0, 25.5, 8.0]).to_csv(tmp_path / "transactions.csv", index=False)
    s = surveys()
    s.loc[2, ["nps", "csat", "ces", "quickness"]] = None
    s.to_csv(tmp_path / "surveys.csv", index=False)
    with open(tmp_path / "transactions.csv", "a") as fh:
        fh.write(",,\n")
    cx = load_folder(tmp_path)
    # A zero amount is kept and noted (the CLV summary decides); the empty row is excluded.
    assert len(cx.transactions) == 4 and len(cx.surveys) == 2
    report = cx.exclusions.set_index("rule")["n_rows"]
    assert report["row is entirely empty"] == 1
    assert report["response answers no score or driver question"] == 1
    assert cx.summary().set_index("table").loc["transactions", "excluded_rows"] == 1
    zero = cx.notes[cx.notes["note"].str.startswith("amount is zero")]
    assert zero["n_rows"].tolist() == [1] and zero["table"].tolist() == ["transactions"]
