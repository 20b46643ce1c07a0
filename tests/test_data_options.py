"""ReadOptions: load_folder's reading options as one record, validated before a file is opened."""
from __future__ import annotations

import dataclasses
import shutil

import pytest

from cxkit import ArgumentError, DataError, load_folder
from cxkit.data import ReadOptions, find_folder
from cxkit.data.options import ENGINES, READ_OPTIONS
from cxkit.data.settings import READ_OPTIONS as SETTINGS_READ_OPTIONS

SAMPLE = "data/sample"


def test_the_defaults_are_load_folders_defaults():
    options = ReadOptions()
    assert (options.duplicates, options.unknown_customers, options.engine, options.large_file_mb) == \
        ("exclude", "raise", "auto", 500.0)
    assert options.dayfirst is options.date_format is options.timezone is options.drivers is None
    assert READ_OPTIONS == SETTINGS_READ_OPTIONS == (
        "dayfirst", "date_format", "timezone", "duplicates", "unknown_customers", "tenure_unit", "engine",
        "large_file_mb", "memory_limit", "spark_table", "drivers")
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.engine = "duckdb"


def test_the_settings_file_then_the_run_decide():
    options = ReadOptions.resolve({"duplicates": "keep", "dayfirst": True}, {"dayfirst": False, "timezone": None})
    assert (options.duplicates, options.dayfirst, options.timezone) == ("keep", False, None)
    assert ReadOptions.resolve() == ReadOptions()


def test_a_name_that_is_no_reading_option_is_a_type_error_with_the_closest_one():
    with pytest.raises(TypeError, match="unknown reading option 'dayfrist'; did you mean 'dayfirst'"):
        ReadOptions.resolve(given={"dayfrist": True})
    with pytest.raises(TypeError, match="'enigne'; did you mean 'engine'"):
        load_folder(SAMPLE, enigne="duckdb")
    with pytest.raises(TypeError, match="unknown reading option 'colour'"):
        ReadOptions.resolve(given={"colour": None})  # a misspelt name is refused even when None


@pytest.mark.parametrize("values, match", [
    ({"duplicates": "drop"}, "duplicates must be 'exclude' or 'keep', got 'drop'"),
    ({"unknown_customers": "keep"}, "unknown_customers must be 'raise' or 'exclude', got 'keep'"),
    ({"tenure_unit": "years"}, r"tenure_unit must be one of \['days', 'weeks', 'months'\], got 'years'"),
    ({"engine": "polars"}, "engine must be one of"),
    ({"large_file_mb": 0}, "large_file_mb must be a number of megabytes above 0"),
    ({"large_file_mb": True}, "large_file_mb must be a number"),
    ({"memory_limit": 2}, "memory_limit must be a size such as '2GB'"),
    ({"spark_table": "sales.tx"}, r"spark_table='sales.tx' is read by engine='spark', got engine='auto'"),
    ({"spark_table": " ", "engine": "spark"}, "spark_table must name a Spark table"),
    ({"drivers": "clarity"}, "drivers must be a list of column names"),
    ({"dayfirst": "yes"}, "dayfirst must be True or False or a mapping"),
    ({"timezone": 2}, "timezone must be text or a mapping"),
])
def test_each_option_is_checked_with_what_was_expected_and_what_was_got(values, match):
    with pytest.raises(ArgumentError, match=match) as err:
        ReadOptions(**values)
    assert isinstance(err.value, ValueError) and isinstance(err.value, DataError)


def test_values_are_kept_in_a_stable_form():
    options = ReadOptions(drivers=["clarity", "quickness"], large_file_mb=1, dayfirst={"surveys": True})
    assert options.drivers == ("clarity", "quickness") and options.large_file_mb == 1.0
    assert ENGINES == ("auto", "pandas", "duckdb", "spark")


def test_the_rule_that_leaves_transactions_in_their_files():
    tx = f"{SAMPLE}/transactions.csv"
    assert not ReadOptions().in_place(tx) and ReadOptions(large_file_mb=0.01).in_place(tx)
    assert ReadOptions(engine="duckdb").in_place(tx)
    assert not ReadOptions(engine="pandas", large_file_mb=0.01).in_place(tx)


def test_a_folder_is_read_by_the_options_it_was_given_and_says_so(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(SAMPLE, folder)
    with open(folder / "cxkit.toml", "a", encoding="utf-8") as fh:
        fh.write('\n[read]\nduplicates = "keep"\n')
    plan = find_folder(folder, dayfirst=False)
    assert (plan.options.duplicates, plan.options.dayfirst) == ("keep", False)
    assert plan.settings.read == {"dayfirst": False, "duplicates": "keep"}
    cx = load_folder(folder, dayfirst=False)
    assert cx.read_options == plan.options
    used = cx.settings.report().set_index("setting")["from"]
    assert (used["dayfirst"], used["duplicates"]) == ("given to the run", "settings file")
    (folder / "cxkit.toml").write_text('[read]\nengine = "polars"\n')
    with pytest.raises(ArgumentError, match="engine must be one of"):
        load_folder(folder)
