"""Data you can trust: one regression test per class of silent misreading.

Each class once let bad input through without a word (dates read two ways, rows moved
a day by a time zone, a typo becoming the analysis date, "NA" read as missing...).
Each test states the input and the outcome: the right data, or a DataError naming
table, column (or file) and what to do.
"""
from __future__ import annotations

import pandas as pd
import pytest

from cxkit import DataError, load_folder
from cxkit.data import load_customers, load_surveys, load_transactions


def write(folder, name, text, encoding="utf-8"):
    (folder / name).write_bytes(text.encode(encoding))
    return folder / name


TX_HEADER = "customer_id,date,amount\n"


# --- 1. dates in two conventions ---------------------------------------------------


def test_mixed_iso_and_slashed_dates_stop(tmp_path):
    write(tmp_path, "transactions.csv", TX_HEADER + "a,2025-01-05,10\nb,05/01/2025,12\n")
    with pytest.raises(DataError) as err:
        load_folder(tmp_path)
    assert err.value.table == "transactions" and err.value.column == "date"
    assert "mixes date conventions" in str(err.value) and "05/01/2025" in str(err.value)


def test_day_first_column_is_read_day_first_throughout(tmp_path):
    # 13/01 settles the convention: 05/02/2025 is the 5th of February, not May 2nd.
    write(tmp_path, "transactions.csv", TX_HEADER + "a,13/01/2025,10\na,05/02/2025,12\n")
    cx = load_folder(tmp_path)
    assert cx.transactions["date"].tolist() == [pd.Timestamp("2025-01-13"), pd.Timestamp("2025-02-05")]
    assert cx.notes["note"].str.contains("day/month/year").any()


def test_ambiguous_slashed_dates_need_a_setting(tmp_path):
    write(tmp_path, "transactions.csv", TX_HEADER + "a,05/01/2025,10\na,06/02/2025,12\n")
    with pytest.raises(DataError, match="dayfirst"):
        load_folder(tmp_path)
    day = load_folder(tmp_path, dayfirst={"transactions.date": True}).transactions["date"]
    month = load_folder(tmp_path, date_format="%m/%d/%Y").transactions["date"]
    assert day.dt.month.tolist() == [1, 2] and month.dt.month.tolist() == [5, 6]


def test_dayfirst_contradicted_by_the_data_stops():
    with pytest.raises(DataError, match="cannot be read that way"):
        load_transactions(pd.DataFrame({"customer_id": ["a"], "date": ["01/13/2025"], "amount": [1]}),
                          dayfirst=True)


def test_day_and_month_conventions_in_one_column_stop():
    with pytest.raises(DataError, match="mixes day/month and month/day"):
        load_transactions(pd.DataFrame({"customer_id": ["a", "b"], "date": ["13/01/2025", "01/13/2025"],
                                        "amount": [1, 2]}))


@pytest.mark.parametrize("value,why", [("2023", "year alone"), ("05/01/25", "two-digit"),
                                       ("0205-01-03", "outside 1900-2100"), ("2025-02-30", "could not be parsed"),
                                       ("45678", "bare number")])
def test_values_that_are_not_dates(value, why):
    with pytest.raises(DataError, match=why):
        load_transactions(pd.DataFrame({"customer_id": ["a"], "date": [value], "amount": [1]}))


# --- 2. time zones -----------------------------------------------------------------


def test_zoned_csv_keeps_the_local_day_or_converts_to_a_stated_zone(tmp_path):
    write(tmp_path, "transactions.csv", TX_HEADER + "a,2025-03-01T23:30:00-05:00,10\nb,2025-03-02T00:30:00+01:00,5\n")
    local = load_folder(tmp_path).transactions.set_index("customer_id")["date"]
    assert local["a"] == pd.Timestamp("2025-03-01 23:30") and local["b"] == pd.Timestamp("2025-03-02 00:30")
    utc = load_folder(tmp_path, timezone="UTC").transactions.set_index("customer_id")["date"]
    assert utc["a"] == pd.Timestamp("2025-03-02 04:30") and utc["b"] == pd.Timestamp("2025-03-01 23:30")


def test_zoned_parquet_keeps_the_local_calendar_day(tmp_path):
    stamps = pd.to_datetime(["2025-03-01 23:30", "2025-03-02 08:00"]).tz_localize("America/New_York")
    pd.DataFrame({"customer_id": ["a", "b"], "date": stamps, "amount": [10.0, 5.0]}).to_parquet(
        tmp_path / "transactions.parquet")
    cx = load_folder(tmp_path)
    assert cx.transactions["date"].dt.day.tolist() == [1, 2]   # as written, not moved to UTC
    assert cx.notes["note"].str.contains("zoned times").any()
    london = load_folder(tmp_path, timezone="Europe/London").transactions["date"]
    assert london.iloc[0] == pd.Timestamp("2025-03-02 04:30")


# --- 3. the analysis date ------------------------------------------------------------


def test_as_of_ignores_customer_dates_and_says_why(tmp_path, sample_dir):
    customers = pd.read_csv(sample_dir / "customers.csv")
    customers.loc[0, "churn_date"] = "2031-06-30"   # a scheduled cancellation far ahead
    customers.loc[1, "signup_date"] = "2030-01-01"  # a typo in a sign-up date
    customers.to_csv(tmp_path / "customers.csv", index=False)
    tx = pd.read_csv(sample_dir / "transactions.csv")
    tx[tx["customer_id"] != customers.loc[1, "customer_id"]].to_csv(tmp_path / "transactions.csv", index=False)
    cx = load_folder(tmp_path)
    assert cx.as_of == pd.Timestamp("2025-12-31")
    assert "last date with activity in transactions" in cx.as_of_rule
    first = cx.customers.set_index("customer_id").loc[customers.loc[0, "customer_id"]]
    assert pd.isna(first["churn_date"])                          # not yet churned at as_of
    assert customers.loc[1, "customer_id"] not in set(cx.customers["customer_id"])
    assert cx.exclusions["rule"].str.contains("signed up after as_of").any()
    assert cx.notes["note"].str.contains("cancellation that had not happened").any()


def test_activity_in_the_future_stops_instead_of_becoming_as_of(tmp_path):
    ahead = (pd.Timestamp.today() + pd.Timedelta(days=40)).date().isoformat()
    write(tmp_path, "transactions.csv", TX_HEADER + f"a,2025-01-05,10\nb,{ahead},12\n")
    with pytest.raises(DataError, match="after today") as err:
        load_folder(tmp_path)
    assert err.value.n_rows == 1
    assert load_folder(tmp_path, as_of="2025-06-30").transactions["customer_id"].tolist() == ["a"]


@pytest.mark.parametrize("bad", ["soon", "31/31/2025", "2025"])
def test_as_of_that_does_not_parse(tmp_path, bad):
    write(tmp_path, "transactions.csv", TX_HEADER + "a,2025-01-05,10\n")
    with pytest.raises(DataError, match="as_of could not be read"):
        load_folder(tmp_path, as_of=bad)


# --- 4. text that is not missing -------------------------------------------------------


def test_na_none_null_are_text_in_descriptive_columns(tmp_path):
    write(tmp_path, "customers.csv", "customer_id,signup_date,churn_date,region\n"
          "a,2024-01-01,,NA\nb,2024-01-01,,None\nc,2024-01-01,NA,null\nd,2024-01-01,,\n")
    write(tmp_path, "transactions.csv", TX_HEADER + "a,2024-02-01,5\n")
    cx = load_folder(tmp_path)
    assert cx.customers["region"].tolist()[:3] == ["NA", "None", "null"]
    assert pd.isna(cx.customers["region"].iloc[3])                # only the empty cell is missing
    assert cx.customers["churn_date"].isna().all()                 # NA in a date column is missing...
    assert cx.notes["note"].str.contains("missing markers").any()  # ...and said so


def test_missing_markers_in_ratings_are_missing_and_reported():
    notes: list = []
    s = load_surveys(pd.DataFrame({"customer_id": ["a", "b"], "date": ["2024-01-01"] * 2,
                                   "nps": ["9", "NA"], "csat": ["4", "5"]}), notes=notes)
    assert s["nps"].isna().tolist() == [False, True]
    assert any(n["column"] == "nps" and "missing markers" in n["note"] for n in notes)


# --- 5. files ignored or preferred --------------------------------------------------


def test_file_names_match_whatever_their_case(tmp_path):
    write(tmp_path, "Transactions.CSV", TX_HEADER + "a,2024-02-01,5\n")
    assert len(load_folder(tmp_path).transactions) == 1


def test_two_files_for_one_table_stop(tmp_path):
    write(tmp_path, "customers.csv", "customer_id,signup_date\na,2024-01-01\n")
    pd.DataFrame({"customer_id": ["a"], "signup_date": ["2023-01-01"]}).to_parquet(tmp_path / "customers.parquet")
    with pytest.raises(DataError, match="2 files claim this table") as err:
        load_folder(tmp_path)
    assert "customers.csv" in str(err.value) and "customers.parquet" in str(err.value)
    chosen = load_folder(tmp_path, files={"customers": "customers.csv"})
    assert chosen.customers["signup_date"].iloc[0] == pd.Timestamp("2024-01-01")


def test_excel_is_read_and_xls_is_named(tmp_path):
    pd.DataFrame({"customer_id": ["007", "b"], "date": ["2024-02-01", "2024-02-03"], "amount": [5, 7.5]}).to_excel(
        tmp_path / "transactions.xlsx", index=False)
    tx = load_folder(tmp_path).transactions
    assert tx["customer_id"].tolist() == ["007", "b"] and tx["amount"].sum() == 12.5
    (tmp_path / "transactions.xlsx").unlink()
    (tmp_path / "transactions.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(DataError, match=r"old Excel \(.xls\)"):
        load_folder(tmp_path)


def test_data_files_no_table_uses_are_noted(tmp_path):
    write(tmp_path, "transactions.csv", TX_HEADER + "a,2024-02-01,5\n")
    write(tmp_path, "orders.csv", TX_HEADER + "a,2024-02-01,5\n")
    assert load_folder(tmp_path).notes["note"].str.contains("file not read: orders.csv").any()


# --- 6. columns the contract would check but cannot see -----------------------------


def test_upper_case_contract_columns_are_validated():
    with pytest.raises(DataError) as err:
        load_surveys(pd.DataFrame({"customer_id": ["a"], "date": ["2024-01-01"], "NPS": [11]}))
    assert err.value.column == "nps" and "from 0 to 10" in str(err.value)


def test_rating_like_unmapped_columns_are_listed_with_a_hint(tmp_path):
    write(tmp_path, "surveys.csv", "customer_id,date,csat,q_clarity,q_speed\na,2024-01-01,4,5,3\n")
    cx = load_folder(tmp_path)
    assert cx.unused_ratings == ["q_clarity", "q_speed"]
    hint = cx.summary().set_index("table").loc["surveys", "hint"]
    assert "q_clarity" in hint and "columns=" in hint


# --- 7. rules the contract states ---------------------------------------------------


def _customers():
    return load_customers(pd.DataFrame({"customer_id": ["a", "b"], "signup_date": ["2024-01-01", "2024-01-01"],
                                        "churn_date": ["2024-06-30", None]}))


@pytest.mark.parametrize("table", ["surveys", "contacts"])
def test_surveys_and_contacts_before_signup_stop(tmp_path, table):
    from cxkit.data import load_contacts

    extra = {"surveys": {"csat": [4]}, "contacts": {"channel": ["phone"], "wait_minutes": [1],
                                                     "resolved_first_contact": ["yes"]}}[table]
    df = pd.DataFrame({"customer_id": ["a"], "date": ["2023-12-01"], **extra})
    loader = {"surveys": load_surveys, "contacts": load_contacts}[table]
    with pytest.raises(DataError, match="before the customer's signup_date") as err:
        loader(df, customers=_customers())
    assert err.value.table == table


def test_purchase_after_churn_stops_but_a_refund_may_follow():
    df = pd.DataFrame({"customer_id": ["a", "a"], "date": ["2024-07-05", "2024-07-06"], "amount": [-5.0, 20.0]})
    with pytest.raises(DataError, match="purchase dated after the customer's churn_date") as err:
        load_transactions(df, customers=_customers())
    assert err.value.n_rows == 1
    assert len(load_transactions(df.iloc[:1], customers=_customers())) == 1


def test_exact_duplicate_rows_are_excluded_or_kept_on_request():
    df = pd.DataFrame({"customer_id": ["a"] * 4 + ["b"], "date": ["2024-01-01"] * 5, "csat": [2, 2, 2, 2, 5]})
    ex: list = []
    assert len(load_surveys(df, exclusions=ex)) == 2
    assert ex[0].rows == 3 and "exact duplicate" in ex[0].rule
    assert len(load_surveys(df, duplicates="keep")) == 5


# --- 8. exclusions and zero amounts ---------------------------------------------------


def test_zero_amounts_are_kept_for_the_clv_rule_to_decide():
    from cxkit import clv

    df = pd.DataFrame({"customer_id": ["a", "a", "a"], "date": ["2024-01-01", "2024-02-01", "2024-03-01"],
                       "amount": [10.0, 0.0, 12.0]})
    notes: list = []
    tx = load_transactions(df, notes=notes)
    assert len(tx) == 3 and any("amount is zero" in n["note"] for n in notes)
    as_of = pd.Timestamp("2024-04-01")
    assert clv.rfm_summary(tx, as_of, zero_spend_days="purchase")["frequency"].iloc[0] == 2
    assert clv.rfm_summary(tx, as_of)["frequency"].iloc[0] == 1


# --- 9. errors that explain -----------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-16", "latin-1", "utf-8-sig"])
def test_other_encodings_are_read(tmp_path, encoding):
    write(tmp_path, "customers.csv", "customer_id,signup_date,region\na,2024-01-01,Zürich\n", encoding)
    cx = load_folder(tmp_path)
    assert cx.customers["region"].iloc[0] == "Zürich"


def test_semicolon_csv_with_decimal_comma(tmp_path):
    write(tmp_path, "transactions.csv", "customer_id;date;amount\na;2024-02-01;12,50\nb;2024-02-02;1.234,00\n")
    cx = load_folder(tmp_path)
    assert cx.transactions["amount"].tolist() == [12.5, 1234.0]
    assert cx.notes["note"].str.contains("decimal comma").any()


def test_corrupted_parquet_names_the_file(tmp_path):
    (tmp_path / "transactions.parquet").write_bytes(b"PAR1 this is not really parquet")
    with pytest.raises(DataError, match="transactions.parquet could not be read as Parquet"):
        load_folder(tmp_path)


def test_duplicated_header_stops(tmp_path):
    write(tmp_path, "transactions.csv", "customer_id,date,amount,amount\na,2024-02-01,5,6\n")
    with pytest.raises(DataError, match=r"\['amount'\] more than once") as err:
        load_folder(tmp_path)
    assert err.value.column == "amount"


def test_mapping_two_columns_to_one_name_stops():
    df = pd.DataFrame({"cust": ["a"], "date": ["2024-01-01"], "net": [1.0], "gross": [1.2]})
    with pytest.raises(DataError, match="all to 'amount'"):
        load_transactions(df, columns={"cust": "customer_id", "net": "amount", "gross": "amount"})


def test_line_numbers_survive_blank_lines_and_quoted_newlines(tmp_path):
    write(tmp_path, "contacts.csv", "customer_id,date,channel,wait_minutes,resolved_first_contact\n"
          'a,2024-02-01,"phone\nline 2",1,yes\n\nb,2024-02-02,chat,-3,no\n')
    with pytest.raises(DataError) as err:
        load_folder(tmp_path)
    assert err.value.rows.index.tolist() == [5]


def test_a_file_path_instead_of_a_folder_says_so(tmp_path):
    path = write(tmp_path, "transactions.csv", TX_HEADER + "a,2024-02-01,5\n")
    with pytest.raises(DataError, match="is a file, not a folder"):
        load_folder(path)


# --- 10. mapping keys that match nothing ------------------------------------------------


def test_mapping_key_matching_no_column_is_reported(tmp_path):
    write(tmp_path, "customers.csv", "customer_id,signup_date,tariff\na,2024-01-01,basic\n")
    with pytest.raises(DataError, match="did you mean 'tariff'"):
        load_folder(tmp_path, columns={"tarif": "plan"})
    with pytest.raises(DataError, match="did you mean 'tariff'"):
        load_folder(tmp_path, columns={"customers": {"tarif": "plan"}})
    assert load_folder(tmp_path, columns={"TARIFF": "plan"}).customers["plan"].tolist() == ["basic"]


# --- raw tracebacks found by trying awkward files ------------------------------------------


def test_rows_with_more_fields_than_the_header_stop(tmp_path):
    write(tmp_path, "transactions.csv", TX_HEADER + "a,2024-01-01,5\nb,2024-01-02,1,234.50\n")
    with pytest.raises(DataError, match=r"more fields than its header's 3 \(1 rows: line 3"):
        load_folder(tmp_path)


def test_infinite_amounts_stop():
    with pytest.raises(DataError, match="finite"):
        load_transactions(pd.DataFrame({"customer_id": ["a"], "date": ["2024-01-01"], "amount": ["inf"]}))


def test_a_table_emptied_by_exclusions_says_which_rules():
    with pytest.raises(DataError, match="no rows left after the exclusions \\(response answers no score"):
        load_surveys(pd.DataFrame({"customer_id": ["a"], "date": ["2024-01-01"], "nps": [None]}))


def test_nested_parquet_values_and_float_ids(tmp_path):
    pd.DataFrame({"customer_id": ["a"], "date": ["2024-01-01"], "amount": [5.0], "tags": [[1, 2]]}).to_parquet(
        tmp_path / "transactions.parquet")
    with pytest.raises(DataError, match="'tags' holds lists"):
        load_folder(tmp_path)
    pd.DataFrame({"customer_id": [7.0], "signup_date": ["2024-01-01"]}).to_parquet(tmp_path / "customers.parquet")
    pd.DataFrame({"customer_id": ["7"], "date": ["2024-01-02"], "amount": [5.0]}).to_parquet(
        tmp_path / "transactions.parquet")
    assert load_folder(tmp_path).transactions["customer_id"].tolist() == ["7"]   # 7.0 is the label 7


def test_wrong_argument_types_are_named():
    with pytest.raises(DataError, match="columns must be a mapping"):
        load_folder(tables={"transactions": pd.DataFrame()}, columns=["customer_id"])
    with pytest.raises(DataError, match="takes pandas DataFrames"):
        load_folder(tables={"transactions": "transactions.csv"})


def test_a_trailing_delimiter_column_is_dropped_and_noted(tmp_path):
    write(tmp_path, "transactions.csv", "customer_id,date,amount,\na,2024-01-01,5,\n")
    cx = load_folder(tmp_path)
    assert list(cx.transactions.columns) == ["customer_id", "date", "amount", "is_refund"]
    assert cx.notes["note"].str.contains("no name and no values dropped").any()


# --- customers exported as tenure + churned (no dates) --------------------------------------


def test_tenure_and_churned_need_a_unit_and_give_the_same_survival_table(sample_dir):
    from cxkit import survival

    cx = load_folder(sample_dir)
    dated = survival.survival_table(cx.customers, as_of=cx.as_of, covariates=["plan"])
    export = pd.DataFrame({"Customer ID": dated["customer_id"], "Tenure": dated["tenure"],
                           "Churn": dated["churned"].map({True: "Yes", False: "No"}), "plan": dated["plan"]})
    export = export[export["Tenure"] > 0]
    mapping = {"Customer ID": "customer_id", "Churn": "churned"}
    with pytest.raises(DataError, match="tenure has no unit") as err:
        load_customers(export, columns=mapping)
    assert err.value.column == "tenure"
    customers = load_customers(export, columns=mapping, tenure_unit="days")
    assert customers["signup_date"].isna().all() and customers["churn_date"].isna().all()
    from_tenure = survival.survival_table(customers, as_of=None, covariates=["plan"])
    expected = dated[dated["tenure"] > 0].reset_index(drop=True)
    pd.testing.assert_frame_equal(from_tenure, expected, check_dtype=False)


def test_tenure_rules():
    base = pd.DataFrame({"customer_id": ["a", "b", "c"], "tenure": [2, 0, 5], "churned": ["1", "0", "true"]})
    ex: list = []
    months = load_customers(base, tenure_unit="months", exclusions=ex)
    assert months["tenure_days"].tolist() == [61, 152] and months["churned"].tolist() == [True, True]
    assert ex[0].rule == "tenure is 0: no time observed" and ex[0].rows == 1
    with pytest.raises(DataError, match="tenure must be a number >= 0"):
        load_customers(base.assign(tenure=[2, -1, 5]), tenure_unit="weeks")
    with pytest.raises(DataError, match="true/false"):
        load_customers(base.assign(churned=["yes", "maybe", "no"]), tenure_unit="days")
    with pytest.raises(DataError, match="tenure_unit must be one of"):
        load_customers(base, tenure_unit="years")
