"""Reporting periods: which days a headline covers, and money as a reader reads it."""
from __future__ import annotations

import pandas as pd
import pytest

from cxkit import DataError
from cxkit.display import format_money as money
from cxkit.periods import reporting_period


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
