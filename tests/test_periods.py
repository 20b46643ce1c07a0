"""Reporting periods: which days a headline covers, and money as a reader reads it."""
from __future__ import annotations

import pandas as pd
import pytest

from cxkit import DataError
from cxkit.display import format_money as money
from cxkit.periods import period_names, reporting_period


def test_trailing_twelve_months_is_365_days_ending_at_as_of():
    p = reporting_period("12M", as_of="2025-12-31")
    assert (p.start, p.end) == (pd.Timestamp("2025-01-01"), pd.Timestamp("2025-12-31"))
    df = pd.DataFrame({"date": pd.to_datetime(["2024-12-31", "2025-01-01", "2025-12-31 18:00", "2026-01-01"],
                                              format="ISO8601")})
    assert p.select(df)["date"].dt.year.tolist() == [2025, 2025]


@pytest.mark.parametrize("period,label", [
    ("12M", "the 12 months to 31 Dec 2025"), ("6m", "the 6 months to 31 Dec 2025"),
    ("2Y", "the 2 years to 31 Dec 2025"), (("2025-03-01", "2025-03-31"), "1 Mar 2025 to 31 Mar 2025")])
def test_labels_name_the_period(period, label):
    assert reporting_period(period, as_of="2025-12-31").label == label


def test_a_period_reaching_before_the_data_says_so():
    assert "(data start 1 Jun 2025)" in reporting_period("12M", as_of="2025-12-31", first_date="2025-06-01").label


@pytest.mark.parametrize("bad", ["last year", "0M", ("2025-06-01", "2025-01-01"), ("2025-01-01", "2026-06-01")])
def test_periods_that_cannot_be_read_stop(bad):
    with pytest.raises(DataError, match="period"):
        reporting_period(bad, as_of="2025-12-31")


def test_a_period_without_rows_stops_when_a_table_is_named():
    df = pd.DataFrame({"date": pd.to_datetime(["2020-01-01"])})
    with pytest.raises(DataError, match="no rows in the 12 months to 31 Dec 2025"):
        reporting_period("12M", as_of="2025-12-31").select(df, table="surveys")


def test_money_puts_symbols_before_and_codes_after():
    assert money(1234.4, "£") == "£1,234" and money(-1234.4, "€") == "-€1,234"
    assert money(99.5, "CHF", decimals=2) == "99.50 CHF" and money(float("nan")) == "–"


# ---------------------------------------------------------------- coverage of the reporting period

def test_coverage_gives_each_tables_dates_inside_the_period_and_flags_an_early_end():
    from cxkit.periods import EARLY_END_DAYS, coverage

    p = reporting_period("12M", as_of="2025-06-29")
    surveys = pd.DataFrame({"date": pd.to_datetime(["2024-06-01", "2024-08-01", "2024-12-28 17:30"],
                                                   format="ISO8601")})
    sales = pd.DataFrame({"order_day": pd.to_datetime(["2024-07-01", "2025-05-29", "2025-07-04"])})
    cov = coverage({"surveys": surveys, "transactions": sales, "contacts": None}, p,
                   date_col={"transactions": "order_day"})
    assert cov["table"].tolist() == ["surveys", "transactions"]            # a table not loaded is left out
    s, t = cov.iloc[0], cov.iloc[1]
    assert (s["rows"], s["first_date"], s["last_date"]) == (2, pd.Timestamp("2024-08-01"), pd.Timestamp("2024-12-28"))
    assert s["days_before_end"] == 183 and bool(s["ends_early"])
    assert (t["rows"], t["first_date"], t["last_date"]) == (2, pd.Timestamp("2024-07-01"),
                                                             pd.Timestamp("2025-05-29"))   # 4 Jul is after it
    assert t["days_before_end"] == EARLY_END_DAYS == 31 and not t["ends_early"]   # 31 days short: not flagged
    assert bool(coverage({"t": sales.iloc[:2]}, p, date_col="order_day", early_days=30)["ends_early"].iloc[0])
    assert cov["period_end"].eq(pd.Timestamp("2025-06-29")).all()
    assert cov["period_start"].eq(pd.Timestamp("2024-06-30")).all()


def test_coverage_flags_a_table_with_no_rows_in_the_period_and_checks_its_input():
    from cxkit.periods import coverage

    p = reporting_period("all", as_of="2025-06-29")
    old = pd.DataFrame({"date": pd.to_datetime(["2026-01-01"])})
    cov = coverage({"contacts": old}, p)
    assert cov["rows"].iloc[0] == 0 and pd.isna(cov["last_date"].iloc[0]) and bool(cov["ends_early"].iloc[0])
    assert pd.isna(cov["period_start"].iloc[0])
    assert coverage({}, p).empty
    with pytest.raises(DataError, match="table 'surveys': no date column 'date'"):
        coverage({"surveys": pd.DataFrame({"day": pd.to_datetime(["2025-01-01"])})}, p)
    with pytest.raises(DataError, match="not dates"):
        coverage({"surveys": pd.DataFrame({"date": ["2025-01-01"]})}, p)
    with pytest.raises(TypeError, match="Period"):
        coverage({"surveys": old}, "12M")


def test_period_names_name_the_trend_periods_as_readers_do():
    ends = pd.Series(pd.to_datetime(["2024-12-31", "2025-03-31"]), index=[5, 7])
    quarters = period_names(ends, "QE")
    assert quarters.tolist() == ["2024Q4", "2025Q1"] and quarters.index.tolist() == [5, 7]
    assert period_names(ends, "ME").tolist() == ["2024-12", "2025-03"]
    assert period_names(ends, "YE").tolist() == ["2024", "2025"]
