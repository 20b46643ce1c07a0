"""Days, time units and minor units of money: one definition on the ground floor, shared by every floor."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxkit import ArgumentError, clv
from cxkit.clv import summary as clv_summary
from cxkit.clv import units as clv_units
from cxkit.data.contract import TENURE_UNITS as CONTRACT_TENURE_UNITS
from cxkit.units import (
    MINOR_UNIT_DIGITS,
    MONTH_DAYS,
    TENURE_UNITS,
    UNIT_DAYS,
    day_number,
    day_timestamp,
    days_per_unit,
    minor_unit_scale,
    spend_per_day,
    to_minor_units,
)


def test_the_clv_names_are_the_foundations():
    assert clv.UNIT_DAYS is UNIT_DAYS and clv.MONTH_DAYS == MONTH_DAYS == UNIT_DAYS["M"] == TENURE_UNITS["months"]
    assert clv_units._to_day is day_number and clv_units._check_time_unit is days_per_unit
    assert clv_summary.to_minor_units is to_minor_units and clv_summary.MINOR_UNIT_DIGITS == MINOR_UNIT_DIGITS == 2
    assert CONTRACT_TENURE_UNITS is TENURE_UNITS


def test_days_and_units():
    assert [days_per_unit(u) for u in ("D", "W", "M")] == [1.0, 7.0, 30.4375]
    assert day_number("1970-01-02 18:00") == 1 and day_timestamp(day_number("2025-12-31")) == pd.Timestamp("2025-12-31")
    assert day_number(pd.Timestamp("2024-03-01 23:30", tz="America/New_York")) == day_number("2024-03-01")


@pytest.mark.parametrize("call, match", [
    (lambda: days_per_unit("Y"), r"time_unit must be one of \['D', 'M', 'W'\], got 'Y'"),
    (lambda: days_per_unit("Y", "freq"), "freq must be one of"),
    (lambda: day_number("soon", "as_of"), "as_of is not a date: 'soon'"),
    (lambda: day_number(None, "as_of"), "as_of must not be missing"),
    (lambda: minor_unit_scale(7), "minor_unit_digits must be a whole number from 0 to 6"),
    (lambda: minor_unit_scale(True), "minor_unit_digits must be a whole number"),
])
def test_a_bad_unit_or_date_is_an_argument_error(call, match):
    with pytest.raises(ArgumentError, match=match) as err:
        call()
    assert err.value.table == "arguments" and str(err.value).startswith("table 'arguments', column '")


def test_money_in_minor_units():
    assert minor_unit_scale(0) == 1.0 and minor_unit_scale(np.int64(3)) == 1000.0
    assert to_minor_units([1.005, -0.125], 2).tolist() == [100, -13]
    assert spend_per_day(np.array([300, 5]), np.array([3, 0]), 100.0).tolist() == [1.0, 0.0]
