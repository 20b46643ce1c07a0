"""`cxkit check DIR`: every problem of a data folder at once, what loads, and which notebooks can run."""
from __future__ import annotations

import re
import shutil

import pytest

from cxkit.check import check_folder, check_text
from cxkit.data.settings import read_settings, read_settings_with_problems
from cxkit.errors import DataError
from cxkit.report import find_notebooks, main

NOTEBOOKS = [p.stem for p in find_notebooks()]


def _replace_line(path, number, change):
    """Rewrite line ``number`` (0 = header) of a CSV with ``change(fields) -> fields``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[number] = ",".join(change(lines[number].split(",")))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture
def broken(tmp_path, sample_dir):
    """A copy of the sample with four problems, one in each of three tables and one in the settings file."""
    folder = tmp_path / "broken"
    shutil.copytree(sample_dir, folder)
    # (a) transactions: an amount that is no number (a negative amount is a refund, which the contract keeps)
    _replace_line(folder / "transactions.csv", 5, lambda f: [*f[:2], "twelve"])
    # (b) surveys: a date that cannot be read
    _replace_line(folder / "surveys.csv", 7, lambda f: [f[0], "2025-13-45", *f[2:]])
    # (c) customers: one id twice, with different plans
    lines = (folder / "customers.csv").read_text(encoding="utf-8").splitlines()
    twin = lines[2].split(",")
    twin[3] = "Basic" if twin[3] != "Basic" else "Club"
    (folder / "customers.csv").write_text("\n".join([*lines, ",".join(twin)]) + "\n", encoding="utf-8")
    # (d) cxkit.toml: a key the file may not hold
    toml = folder / "cxkit.toml"
    toml.write_text('colour = "blue"\n' + toml.read_text(encoding="utf-8"), encoding="utf-8")
    return folder


def test_the_sample_loads_with_no_problem_and_every_notebook_runs(sample_dir, capsys):
    code = main(["check", str(sample_dir)])
    out = capsys.readouterr().out
    assert code == 0 and "no problems" in out and "Traceback" not in out
    for name in NOTEBOOKS:
        assert re.search(rf"^\s+runs\s+{name}$", out, re.M), name
    assert NOTEBOOKS[:4] == ["00_cx_metrics_and_gap", "01_churn_survival", "02_kmart_driver_analysis",
                             "03_clv_segmentation"]
    # what was loaded, left out and set, and where each setting came from
    assert re.search(r"transactions\s+transactions\.csv\s+29357", out)
    assert "Left out" in out and "nothing" in out
    assert re.search(r"currency\s+£\s+settings file", out)
    result = check_folder(sample_dir)
    assert result.ok and result.problems == [] and result.data is not None
    assert result.notebooks["runs"].all() and list(result.notebooks["notebook"]) == NOTEBOOKS


def test_every_problem_is_listed_in_one_run(broken, capsys):
    code = main(["check", str(broken)])
    out = capsys.readouterr().out
    assert code == 1 and "Traceback" not in out and "4 problems" in out
    headings = re.findall(r"^(\d+)\. (.+)$", out, re.M)
    assert [n for n, _ in headings] == ["1", "2", "3", "4"]
    assert [h for _, h in headings] == ["settings file · key colour · rule: settings file",
                                        "customers · column customer_id", "transactions · column amount",
                                        "surveys · column date"]
    assert "unknown setting 'colour'" in out and "customer_id must be unique (2 rows)" in out
    assert "twelve" in out and "2025-13-45" in out          # the offending rows, as the error gives them
    assert "none can run until the problems are fixed" in out

    result = check_folder(broken)
    assert not result.ok and result.data is None
    found = {(p.table, p.column, p.rule) for p in result.problems}
    assert found == {("settings file", "colour", "settings file"),
                     ("customers", "customer_id", "customer_id must be unique"),
                     ("transactions", "amount", "must be numeric"),
                     ("surveys", "date", next(p.rule for p in result.problems if p.table == "surveys"))}
    assert next(p for p in result.problems if p.table == "surveys").rule.startswith("date could not be parsed")
    assert {p.n_rows for p in result.problems if p.table != "settings file"} == {1, 2}
    assert not result.notebooks["runs"].any()


def test_a_table_whose_own_rules_pass_is_checked_against_the_customers(tmp_path, sample_dir):
    folder = tmp_path / "unknown_id"
    shutil.copytree(sample_dir, folder)
    _replace_line(folder / "contacts.csv", 2, lambda f: ["C999999", *f[1:]])
    result = check_folder(folder)
    assert [(p.table, p.column, p.n_rows) for p in result.problems] == [("contacts", "customer_id", 1)]
    assert "C999999" in result.problems[0].message
    # the run's reading options reach the check: excluded with a report, the folder then loads
    fixed = check_folder(folder, unknown_customers="exclude")
    assert fixed.ok and int(fixed.data.exclusions["n_rows"].sum()) == 1
    assert "contacts" in check_text(fixed).split("Left out")[1]


def test_the_check_takes_the_runs_reading_flags(tmp_path, sample_dir, capsys):
    folder = tmp_path / "renamed"
    folder.mkdir()
    (folder / "orders.csv").write_text((sample_dir / "transactions.csv").read_text(encoding="utf-8")
                                       .replace("customer_id,date,amount", "cust_no,date,amount", 1))
    code = main(["check", str(folder), "--files", '{"transactions": "orders.csv"}',
                 "--columns", '{"cust_no": "customer_id"}', "--as-of", "2025-06-30",
                 "-p", "load_options", '{"duplicates": "keep"}', "-p", "period", '"12M"'])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "note: 'period' does not change how the folder is read" in out
    assert "Analysis date 30 Jun 2025: set by the run" in out and re.search(r"duplicates\s+keep\s+given to the run",
                                                                             out)
    assert re.search(r"^\s+runs\s+03_clv_segmentation$", out, re.M)
    assert main(["check", str(folder)]) == 1                  # without the flags: no tables found
    assert "no tables found" in capsys.readouterr().out


def test_a_folder_with_only_surveys_loads_and_says_which_notebooks_are_skipped(tmp_path, sample_dir, capsys):
    folder = tmp_path / "surveys_only"
    folder.mkdir()
    shutil.copy(sample_dir / "surveys.csv", folder)
    code = main(["check", str(folder)])
    out = capsys.readouterr().out
    assert code == 0 and "no problems" in out
    assert re.search(r"^\s+runs\s+00_cx_metrics_and_gap$", out, re.M)
    assert re.search(r"^\s+runs\s+02_kmart_driver_analysis$", out, re.M)
    assert re.search(r"skipped\s+01_churn_survival: needs the table customers, which the folder does not have", out)
    assert re.search(r"skipped\s+03_clv_segmentation: needs the table transactions", out)
    runs = check_folder(folder).notebooks.set_index("notebook")["runs"]
    assert {k: v for k, v in runs.to_dict().items() if k[:2] < "04"} == {
        "00_cx_metrics_and_gap": True, "01_churn_survival": False, "02_kmart_driver_analysis": True,
        "03_clv_segmentation": False}


def test_a_folder_that_does_not_exist_is_one_clear_problem(tmp_path, capsys):
    missing = tmp_path / "nowhere"
    code = main(["check", str(missing)])
    captured = capsys.readouterr()
    assert code == 1 and "Traceback" not in captured.out + captured.err
    assert f"data folder not found: {missing}" in captured.out and "1 problem." in captured.out
    result = check_folder(missing)
    assert [(p.table, p.rule) for p in result.problems] == [("folder", "folder exists")] and result.data is None


def test_bad_arguments_exit_2(sample_dir, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["check"])
    assert exit_.value.code == 2
    assert main(["check", str(sample_dir), "-p", "load_options", "[1]"]) == 2
    assert "load_options must be a JSON object" in capsys.readouterr().err


def test_every_bad_entry_of_a_settings_file_is_a_problem_and_the_good_ones_still_count(tmp_path):
    (tmp_path / "cxkit.toml").write_text('colour = "blue"\ncurrency = ""\ncompany = "Acme"\n\n[goals]\nNPS = 300\n'
                                         '\n[read]\ndayfrist = true\n', encoding="utf-8")
    settings, problems = read_settings_with_problems(tmp_path)
    assert [p.column for p in problems] == ["colour", "currency", "goals.NPS", "read.dayfrist"]
    assert all(isinstance(p, DataError) and p.rule == "settings file" for p in problems)
    assert settings.company == "Acme" and settings.currency is None and settings.read == {}
    with pytest.raises(DataError, match="unknown setting 'colour'"):   # read_settings still stops at the first
        read_settings(tmp_path)
