"""The settings file beside the data (cxkit.toml): what a folder says about itself."""
from __future__ import annotations

import shutil

import pandas as pd
import pytest

from cxkit import DataError
from cxkit.data import load_folder
from cxkit.data.settings import SETTINGS_FILE, fingerprint, read_settings
from cxkit.report import tables_present


def _copy_sample(sample_dir, tmp_path, *, settings: bool = True):
    for name in ("customers.csv", "transactions.csv", "surveys.csv", "contacts.csv"):
        shutil.copy(sample_dir / name, tmp_path / name)
    if settings:
        shutil.copy(sample_dir / SETTINGS_FILE, tmp_path / SETTINGS_FILE)
    return tmp_path


def test_the_bundled_sample_says_what_it_is(sample_dir):
    cx = load_folder(sample_dir)
    s = cx.settings
    assert (s.company, s.currency, s.goals) == ("Harbour Lane", "£", {"NPS": 35.0, "CSAT": 80.0, "CES": 5.5})
    assert s.sample is True
    rules = cx.load_report().query("`what happened` == 'setting'")["rule"].tolist()
    assert "currency: £ (settings file)" in rules and "goals: NPS 35, CSAT 80, CES 5.5 (settings file)" in rules


def test_the_sample_fingerprint_is_that_of_its_files(sample_dir):
    names = ["customers.csv", "transactions.csv", "surveys.csv", "contacts.csv"]
    assert read_settings(sample_dir).sample_sha256 == fingerprint([sample_dir / n for n in names])


def test_a_folder_without_settings_has_no_currency_goals_or_name(sample_dir, tmp_path):
    cx = load_folder(_copy_sample(sample_dir, tmp_path, settings=False))
    s = cx.settings
    assert (s.company, s.currency, s.goals, s.sample) == (None, None, {}, False)
    report = s.report().set_index("setting")
    assert report.loc["currency", "value"] == "none: money in the data's own unit"
    assert report.loc["goals", "value"] == "none set" and report.loc["goals", "from"] == "not set"


def test_a_copied_settings_file_does_not_make_other_data_the_sample(sample_dir, tmp_path):
    folder = _copy_sample(sample_dir, tmp_path)
    text = (folder / "customers.csv").read_text()
    (folder / "customers.csv").write_text(text.replace(",Club,South,Store", ",Club,North,Store", 1))  # a region changed
    cx = load_folder(folder)
    assert cx.settings.sample is False and cx.settings.currency == "£"
    assert cx.notes["note"].str.contains("names the bundled sample, but the tables differ").any()


def test_a_subset_of_the_sample_is_not_the_sample(sample_dir, tmp_path):
    folder = _copy_sample(sample_dir, tmp_path)
    (folder / "contacts.csv").unlink()
    assert load_folder(folder).settings.sample is False


def test_arguments_override_the_file_and_say_so(sample_dir):
    cx = load_folder(sample_dir, currency="$", goals={"csat": 90}, company="Acme")
    s = cx.settings
    assert (s.company, s.currency, s.goals) == ("Acme", "$", {"CSAT": 90.0})
    assert s.origin == {"company": "given to the run", "currency": "given to the run", "goals": "given to the run"}


def test_reading_options_files_and_columns_come_from_the_file(tmp_path):
    (tmp_path / "members.csv").write_text("ref,joined,left\nA,05/01/2024,\nB,06/02/2024,07/03/2024\n")
    (tmp_path / SETTINGS_FILE).write_text(
        'currency = "EUR"\nas_of = "2024-06-30"\n[files]\ncustomers = "members.csv"\n'
        '[columns]\nref = "customer_id"\njoined = "signup_date"\nleft = "churn_date"\n[read]\ndayfirst = true\n')
    cx = load_folder(tmp_path)
    assert cx.customers["signup_date"].tolist() == [pd.Timestamp("2024-01-05"), pd.Timestamp("2024-02-06")]
    assert cx.as_of == pd.Timestamp("2024-06-30") and cx.settings.currency == "EUR"
    report = cx.settings.report().set_index("setting")
    assert report.loc["dayfirst", "from"] == "settings file" and "ref = customer_id" in report.loc["columns", "value"]
    # the run's own reading option wins over the file's
    cx = load_folder(tmp_path, dayfirst=False, as_of="2024-12-31")
    assert cx.customers["signup_date"].iloc[0] == pd.Timestamp("2024-05-01")
    assert cx.settings.origin["dayfirst"] == "given to the run" and cx.as_of == pd.Timestamp("2024-12-31")


@pytest.mark.parametrize("text, message", [
    ('curency = "$"\n', "unknown setting 'curency'; did you mean 'currency'"),
    ('[goals]\nNSP = 30\n', "a goal for 'NSP', which is not a metric"),
    ('[goals]\nCSAT = 180\n', "the goal for CSAT is 180, outside its scale 0 to 100"),
    ('[goals]\nNPS = "thirty"\n', "the goal for NPS must be a number"),
    ('currency = ""\n', "'currency' must be a non-empty text"),
    ('[read]\ndayfrist = true\n', "unknown reading option 'dayfrist'; did you mean 'dayfirst'"),
    ('currency = $\n', "is not valid TOML"),
    ('goals = 30\n', "'goals' must be a table of metric = goal"),
])
def test_a_bad_settings_file_is_named_with_its_key(tmp_path, text, message):
    (tmp_path / "customers.csv").write_text("customer_id,signup_date,churn_date\nA,2024-01-05,\n")
    (tmp_path / SETTINGS_FILE).write_text(text)
    with pytest.raises(DataError, match=message) as info:
        load_folder(tmp_path)
    assert SETTINGS_FILE in str(info.value)


def test_a_goal_given_to_the_run_is_checked_too(sample_dir):
    with pytest.raises(DataError, match="the run's parameters: a goal for 'XPS'"):
        load_folder(sample_dir, goals={"XPS": 3})


def test_the_report_runner_finds_tables_named_in_the_settings_file(tmp_path, sample_dir):
    shutil.copy(sample_dir / "transactions.csv", tmp_path / "orders.csv")
    assert "transactions" not in tables_present(tmp_path)
    (tmp_path / SETTINGS_FILE).write_text('[files]\ntransactions = "orders.csv"\n')
    assert sorted(tables_present(tmp_path)) == ["transactions"]
    # the run's own files= wins over the settings file
    shutil.copy(sample_dir / "transactions.csv", tmp_path / "sales.csv")
    assert tables_present(tmp_path, {"files": {"transactions": "sales.csv"}})["transactions"].name == "sales.csv"
