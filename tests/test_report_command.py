"""`cxkit report DIR`: the folder loaded and checked once, handed to every notebook as a snapshot."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from conftest import ROOT
from cxkit import load_folder, runner
from cxkit.errors import CXWarning
from cxkit.prepared import read_snapshot, snapshot_key, write_snapshot
from cxkit.report import main, resolve_notebook
from cxkit.synth import write_sample


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    """A small synthetic company (600 customers) in the contract's own names."""
    folder = tmp_path_factory.mktemp("small") / "data"
    write_sample(folder, n_customers=600, seed=11)
    (folder / "cxkit.toml").write_text('company = "Small Co"\ncurrency = "€"\n', encoding="utf-8")
    return folder


def _listing(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``folder`` with its size and modification time."""
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


# --------------------------------------------------------------------------- a folder unlike the sample


@pytest.fixture(scope="module")
def partial_run(sample_dir, tmp_path_factory):
    """``cxkit report`` on customers and surveys only, under other file and column names, with unrelated files."""
    base = tmp_path_factory.mktemp("partial")
    folder = base / "export"
    folder.mkdir()
    pd.read_csv(sample_dir / "customers.csv").rename(columns={"customer_id": "member_no", "plan": "tier"}).to_csv(
        folder / "members.csv", index=False)
    pd.read_csv(sample_dir / "surveys.csv").rename(columns={"customer_id": "member_no"}).to_csv(
        folder / "feedback.csv", index=False)
    pd.DataFrame({"month": ["2025-01", "2025-02"], "budget": [1000, 1200]}).to_csv(folder / "budget.csv", index=False)
    (folder / "notes.txt").write_text("exported by hand, see the wiki\n", encoding="utf-8")
    (folder / "cxkit.toml").write_text('company = "Partial Ltd"\n[files]\ncustomers = "members.csv"\n'
                                       'surveys = "feedback.csv"\n', encoding="utf-8")
    out = base / "reports"
    result = subprocess.run(
        [sys.executable, "-m", "cxkit.report", "report", str(folder), "--out", str(out), "--only", "00,03",
         "--columns", '{"member_no": "customer_id", "tier": "plan"}', "-p", "segment_columns", '["plan"]'],
        capture_output=True, text=True, cwd=base, timeout=600)
    return result, out


def test_a_partial_folder_under_other_names_runs_what_it_can_and_says_what_it_skipped(partial_run):
    result, out = partial_run
    printed = result.stdout
    assert result.returncode == 0, printed + result.stderr
    # the account: what was loaded, the unrelated file noted, the settings used, the plan
    assert re.search(r"customers\s+members\.csv\s+5000\b", printed)
    assert re.search(r"surveys\s+feedback\.csv", printed)
    assert "not in the folder: transactions, contacts" in printed
    assert "file not read: budget.csv" in printed and "file not read: notes.txt" in printed   # listed, not hidden
    assert re.search(r"company\s+Partial Ltd\s+settings file", printed)
    assert re.search(r"^\s+runs\s+03_clv_segmentation$", printed, re.M)    # customers only: subscription CLV
    assert "not asked for (--only): 01_churn_survival, 02_kmart_driver_analysis" in printed
    # one line per notebook, as it starts and ends
    assert re.search(r"^\[1/2\] 00_cx_metrics_and_gap \.\.\. ran in \d+ s -> .*00_cx_metrics_and_gap\.html$",
                     printed, re.M)
    assert re.search(r"^\[2/2\] 03_clv_segmentation \.\.\. ran in \d+ s", printed, re.M)
    assert "2 notebooks: 2 ran, 0 skipped, 0 failed" in printed
    html = (out / "00_cx_metrics_and_gap.html").read_text(encoding="utf-8")
    assert "Partial Ltd" in html and "Traceback" not in html
    assert "The forecast uses the shifted-beta-geometric (sBG) retention model" in (
        out / "03_clv_segmentation.html").read_text(encoding="utf-8")
    executed = nbformat.read(out / "executed" / "00_cx_metrics_and_gap.ipynb", as_version=4)
    outputs = [o for c in executed.cells for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error" or o.get("name") == "stderr"]
    injected = next(c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert f'prepared = "{out.resolve() / ".cxkit" / "folder.pickle"}"' in injected.source


# --------------------------------------------------------------------------- a broken folder: nothing runs


@pytest.fixture(scope="module")
def broken(small, tmp_path_factory) -> Path:
    """Three problems in three tables: a missing column, an unreadable date, an id twice."""
    folder = tmp_path_factory.mktemp("broken") / "data"
    shutil.copytree(small, folder)
    pd.read_csv(folder / "transactions.csv").drop(columns=["date"]).to_csv(folder / "transactions.csv", index=False)
    surveys = pd.read_csv(folder / "surveys.csv", dtype=str)
    surveys.loc[3, "date"] = "2025-13-45"
    surveys.to_csv(folder / "surveys.csv", index=False)
    customers = pd.read_csv(folder / "customers.csv", dtype=str)
    twin = customers.iloc[[5]].assign(plan=lambda d: d["plan"] + " Plus")     # one id, two plans
    pd.concat([customers, twin]).to_csv(folder / "customers.csv", index=False)
    return folder


def test_check_lists_every_problem_of_a_broken_folder(broken, capsys):
    code = main(["check", str(broken)])
    printed = capsys.readouterr().out
    assert code == 1
    assert "3 problems" in printed
    for table in ("customers", "transactions", "surveys"):
        assert re.search(rf"^\d\. {table}\b", printed, re.M), table
    assert "2025-13-45" in printed


def test_report_on_a_broken_folder_lists_the_problems_and_runs_no_notebook(broken, tmp_path, monkeypatch, capsys):
    ran = []
    monkeypatch.setattr(runner, "run_notebook", lambda *args, **kwargs: ran.append(args))
    code = main(["report", str(broken), "--out", str(tmp_path / "reports")])
    printed = capsys.readouterr().out
    assert code == 2 and ran == []
    assert "3 problems" in printed and "2025-13-45" in printed
    assert "No notebook was run: the folder does not load." in printed
    assert not list(tmp_path.rglob("*.html")) and not list(tmp_path.rglob("*.pickle"))


# --------------------------------------------------------------------------- the snapshot


@pytest.fixture(scope="module")
def snapshot(small, tmp_path_factory) -> Path:
    """The small company as loaded with no reading parameters, written as a snapshot."""
    path = tmp_path_factory.mktemp("snapshot") / "folder.pickle"
    return write_snapshot(load_folder(small), snapshot_key(small), path)


def _same_folder(got, fresh) -> None:
    for name in ("customers", "transactions", "surveys", "contacts", "exclusions", "notes"):
        pd.testing.assert_frame_equal(getattr(got, name), getattr(fresh, name), obj=name)
    assert got.as_of == fresh.as_of and got.as_of_rule == fresh.as_of_rule and got.drivers == fresh.drivers
    assert got.surveys.attrs == fresh.surveys.attrs
    pd.testing.assert_frame_equal(got.load_report(), fresh.load_report())


def test_a_snapshot_gives_what_a_fresh_load_gives(small, snapshot):
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # no warning: the snapshot is this load's
        got = load_folder(small, prepared=snapshot)
    _same_folder(got, load_folder(small))
    assert type(got).__name__ == "CXFolder" and len(got.customer_value()) == len(got.customers)


def test_settings_given_to_a_load_are_applied_on_top_of_the_snapshot(small, snapshot):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = load_folder(small, prepared=snapshot, currency="$", company="Other plc", goals={"NPS": 20})
    fresh = load_folder(small, currency="$", company="Other plc", goals={"NPS": 20})
    assert got.settings == fresh.settings
    pd.testing.assert_frame_equal(got.settings.report(), fresh.settings.report())
    # the snapshot itself is untouched: a notebook that sets no currency gets the folder's own
    assert load_folder(small, prepared=snapshot).settings.currency == "€"


def test_a_snapshot_of_other_reading_parameters_is_not_used(small, snapshot):
    with pytest.warns(CXWarning, match=r"other reading parameters \(as_of"):
        got = load_folder(small, prepared=snapshot, as_of="2025-06-30")
    _same_folder(got, load_folder(small, as_of="2025-06-30"))
    with pytest.warns(CXWarning, match=r"other reading parameters \(load_options"):
        load_folder(small, prepared=snapshot, duplicates="keep")


def test_a_snapshot_of_changed_or_other_files_is_not_used(small, snapshot, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(small, copy)
    with pytest.warns(CXWarning, match="another folder"):
        load_folder(copy, prepared=snapshot)
    own = write_snapshot(load_folder(copy), snapshot_key(copy), tmp_path / "own.pickle")
    assert read_snapshot(own, snapshot_key(copy))[1] == ""
    surveys = pd.read_csv(copy / "surveys.csv")
    surveys.iloc[:-1].to_csv(copy / "surveys.csv", index=False)             # the export was redone
    with pytest.warns(CXWarning, match=r"changed since it was made \(surveys\.csv\)"):
        got = load_folder(copy, prepared=own)
    assert len(got.surveys) == len(load_folder(copy).surveys)
    with pytest.warns(CXWarning, match="no snapshot at"):
        load_folder(copy, prepared=tmp_path / "missing.pickle")


# --------------------------------------------------------------------------- outputs, without running a notebook


def _stored_copy(notebook, output, parameters=None, **_):
    """Stand-in for running a notebook: its stored outputs, written where the run would write them."""
    Path(output).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(notebook, output)
    _stored_copy.calls.append((Path(notebook).stem, dict(parameters or {})))
    return Path(output)


def test_pdf_without_chromium_says_how_and_still_writes_the_html(small, tmp_path, monkeypatch, capsys):
    _stored_copy.calls = []
    monkeypatch.setattr(runner, "run_notebook", _stored_copy)
    monkeypatch.setattr(runner, "find_chromium", lambda: None)
    monkeypatch.setattr("cxkit.report.find_chromium", lambda: None)
    out = tmp_path / "reports"
    code = main(["report", str(small), "--out", str(out), "--only", "00", "--pdf", "--pptx"])
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert "apt-get install chromium" in printed and "HTML only" in printed
    assert "--pptx: no deck was written" in printed
    assert (out / "00_cx_metrics_and_gap.html").is_file() and not (out / "00_cx_metrics_and_gap.pdf").exists()
    [(name, given)] = _stored_copy.calls
    assert name == "00_cx_metrics_and_gap" and given["prepared"] == str((out / ".cxkit" / "folder.pickle").resolve())
    assert "deck_path" not in given


def test_a_notebook_names_its_report_and_gets_the_decks_path(tmp_path, small, monkeypatch):
    nb = nbformat.read(resolve_notebook("00"), as_version=4)
    params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    params.source += "\ndeck_path = None"
    nb.metadata["cxkit"] = {"requires": ["surveys"], "report_name": "board_report"}
    path = tmp_path / "nb" / "04_board.ipynb"
    path.parent.mkdir()
    nbformat.write(nb, path)
    _stored_copy.calls = []
    monkeypatch.setattr(runner, "run_notebook", _stored_copy)
    out = tmp_path / "reports"
    [result] = runner.run_reports(small, out, notebooks=[path], deck=True)
    assert result.status == "ran" and result.files == [out / "board_report.html"]
    assert _stored_copy.calls[0][1]["deck_path"] == str((out / "board_report.pptx").resolve())
    assert (out / "executed" / "04_board.ipynb").is_file()
    nb.metadata["cxkit"]["report_name"] = "../elsewhere"
    nbformat.write(nb, path)
    with pytest.raises(ValueError, match="report_name"):
        runner.run_reports(small, out, notebooks=[path])


# --------------------------------------------------------------------------- offline and tidy

_OFFLINE = '''
import ipaddress
import socket

def _local(address):
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False

_connect, _create = socket.socket.connect, socket.create_connection

def connect(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _local(address):
        raise OSError(f"offline test: no connection to {address}")
    return _connect(self, address)

def create_connection(address, *args, **kwargs):
    if not _local(address):
        raise OSError(f"offline test: no connection to {address}")
    return _create(address, *args, **kwargs)

socket.socket.connect = connect
socket.create_connection = create_connection
'''


def test_a_run_needs_no_network_and_writes_only_under_out(sample_dir, tmp_path):
    folder, out, site, cwd = tmp_path / "data", tmp_path / "reports", tmp_path / "site", tmp_path / "cwd"
    shutil.copytree(sample_dir, folder)
    site.mkdir()
    cwd.mkdir()
    (site / "sitecustomize.py").write_text(_OFFLINE, encoding="utf-8")
    check = subprocess.run([sys.executable, "-c", "import socket; socket.create_connection(('192.0.2.1', 80), 1)"],
                           env={**os.environ, "PYTHONPATH": str(site)}, capture_output=True, text=True)
    assert "offline test: no connection" in check.stderr          # the guard is in force
    before = (_listing(folder), _listing(ROOT / "notebooks"))
    paths = [str(site), *filter(None, [os.environ.get("PYTHONPATH")])]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
    result = subprocess.run([sys.executable, "-m", "cxkit.report", "report", str(folder), "--out", str(out),
                             "--only", "00"], env=env, cwd=cwd, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "offline test" not in result.stdout + result.stderr
    assert (_listing(folder), _listing(ROOT / "notebooks")) == before
    assert _listing(cwd) == {}
    assert {p.split(os.sep)[0] for p in _listing(out)} == {"00_cx_metrics_and_gap.html", "executed", ".cxkit"}
    assert json.loads((out / "executed" / "00_cx_metrics_and_gap.ipynb").read_text())["cells"]


def test_a_folder_that_cannot_be_written_is_loaded_by_each_notebook_with_a_note(small, tmp_path, monkeypatch,
                                                                                 capsys):
    def cannot_pickle(*args, **kwargs):
        raise TypeError("cannot pickle 'SparkSession' object")

    _stored_copy.calls = []
    monkeypatch.setattr(runner, "run_notebook", _stored_copy)
    monkeypatch.setattr("cxkit.report.write_snapshot", cannot_pickle)
    code = main(["report", str(small), "--out", str(tmp_path / "reports"), "--only", "00"])
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert "cannot be handed to the notebooks (TypeError: cannot pickle 'SparkSession' object)" in printed
    assert "each notebook loads the folder itself" in printed
    [(_, given)] = _stored_copy.calls
    assert "prepared" not in given and not (tmp_path / "reports" / ".cxkit" / "folder.pickle").exists()
