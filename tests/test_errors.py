"""Errors and warnings live in one place: a bad argument is an ArgumentError, a doubtful result a CXWarning."""
from __future__ import annotations

import warnings

import pandas as pd
import pytest

from cxkit import ArgumentError, DataError, load_folder, survival
from cxkit import errors as cx_errors
from cxkit.clv import calibration_holdout_split, rfm_summary
from cxkit.engines import summarise_transactions
from cxkit.errors import (
    CXWarning,
    StatisticalWarning,
    argument_error,
    check_choice,
    data_error,
)

SAMPLE = "data/sample"


def test_an_argument_error_is_a_data_error_and_a_value_error():
    err = ArgumentError("engine must be one of ['duckdb'], got 'x'", column="engine")
    assert isinstance(err, DataError) and isinstance(err, ValueError)
    assert (err.table, err.column, err.rule) == ("arguments", "engine", "arguments")
    with pytest.raises(ValueError):
        raise err
    with pytest.raises(DataError):
        raise err


def test_an_argument_error_reads_as_the_summaries_always_worded_it():
    rule = "observation_end must be after calibration_end"
    got, want = argument_error("observation_end", rule), data_error("arguments", "observation_end", rule)
    assert (str(got), got.table, got.column, got.rule) == (str(want), want.table, want.column, want.rule)
    with pytest.raises(ArgumentError, match=r"refunds must be one of \['net', 'drop'\], got 'keep'"):
        check_choice("keep", ("net", "drop"), "refunds")
    check_choice("net", ("net", "drop"), "refunds")


@pytest.mark.parametrize("call, match", [
    (lambda: load_folder(SAMPLE, engine="polars"), "engine must be one of"),
    (lambda: load_folder(SAMPLE, unknown_customers="drop"), "unknown_customers must be 'raise' or 'exclude'"),
    (lambda: load_folder(SAMPLE, duplicates="drop"), "duplicates must be 'exclude' or 'keep'"),
    (lambda: summarise_transactions(f"{SAMPLE}/transactions.csv", time_unit="Y"), "time_unit must be one of"),
    (lambda: summarise_transactions(f"{SAMPLE}/transactions.csv", engine="polars"), "engine must be one of"),
    (lambda: summarise_transactions(f"{SAMPLE}/transactions.csv", timezone="Mars/Olympus"), "neither a zone name"),
    (lambda: summarise_transactions(f"{SAMPLE}/transactions.csv", as_of="2025-01-01",
                                    observation_start="2025-02-01"), "observation_start is after as_of"),
])
def test_the_data_floor_and_the_engines_refuse_bad_arguments_as_argument_errors(call, match):
    with pytest.raises(ArgumentError, match=match):
        call()


_CUSTOMERS = pd.DataFrame({"customer_id": ["a", "b"], "signup_date": pd.to_datetime(["2025-01-01", "2025-02-01"]),
                           "minutes": [1.0, 2.0]})
_TX = pd.DataFrame({"customer_id": ["a"], "date": ["2024-01-01"], "amount": [5.0]})


@pytest.mark.parametrize("call, match", [
    (lambda: survival.survival_table(_CUSTOMERS, as_of="2025-12-31", signed_up_after="keep"),
     r"table 'arguments', column 'signed_up_after': signed_up_after must be one of \['exclude', 'raise'\]"),
    (lambda: survival.survival_table(_CUSTOMERS, as_of=None), "as_of is required"),
    (lambda: survival.static_covariates(_CUSTOMERS, columns=["minutes"], scale="z"),
     "column 'scale': scale must be 'unit' or 'sd', got 'z'"),
    (lambda: rfm_summary(_TX, as_of="2024-01-31", observation_start="2024-02-01"), "observation_start is after as_of"),
    (lambda: calibration_holdout_split(_TX, calibration_end="2024-02-01", observation_end="2024-01-01"),
     "observation_end must be after calibration_end"),
])
def test_the_themes_refuse_bad_arguments_as_argument_errors_in_the_same_words(call, match):
    with pytest.raises(ArgumentError, match=match) as info:
        call()
    assert info.value.table == "arguments" and isinstance(info.value, DataError)


def test_the_warnings_are_one_family_of_user_warnings():
    assert issubclass(CXWarning, UserWarning)
    assert issubclass(StatisticalWarning, CXWarning) and StatisticalWarning.__doc__
    with pytest.warns(CXWarning, match="few answers"):
        warnings.warn("few answers in this segment", StatisticalWarning, stacklevel=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error", CXWarning)  # a notebook that wants doubtful results to stop
        with pytest.raises(StatisticalWarning):
            warnings.warn("the fit barely converged", StatisticalWarning, stacklevel=1)
    assert {"CXWarning", "StatisticalWarning", "ArgumentError"} <= set(cx_errors.__all__)
