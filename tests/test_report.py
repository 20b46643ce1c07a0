"""Reports: notebooks run with parameters and export without code."""
from __future__ import annotations

import json

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from cxkit import plots
from cxkit.report import export_html, find_notebooks, run_reports

from conftest import ROOT


def test_numbered_notebooks_in_reading_order():
    names = [p.name for p in find_notebooks()]
    assert names == sorted(names) and names[0].startswith("00_")


def test_export_hides_code(tmp_path):
    nb = ROOT / "notebooks" / "00_cx_metrics_and_gap.ipynb"
    html = export_html(nb, tmp_path / "r.html").read_text()
    assert "load_folder(" not in html and "import matplotlib" not in html
    assert "What to tell the board" in html and "data:image/png;base64" in html


def test_run_reports_on_other_data_with_renamed_partial_tables(tmp_path, sample):
    """The start-here notebook runs on a folder it was never tuned to: a subset of
    customers, no contacts table, different survey column names mapped back."""
    data = tmp_path / "data"
    data.mkdir()
    keep = sample["customers"]["customer_id"].iloc[::3]
    for name in ["customers", "transactions", "surveys"]:
        df = sample[name][sample[name]["customer_id"].isin(keep)]
        df.to_csv(data / f"{name}.csv", index=False)
    out = run_reports(data, tmp_path / "reports",
                      notebooks=[ROOT / "notebooks" / "00_cx_metrics_and_gap.ipynb"],
                      parameters={"goals": {"NPS": 10, "CSAT": 70, "CES": 5}})
    html = out[0].read_text()
    assert "What to tell the board" in html and "Traceback" not in html
    executed = json.loads((tmp_path / "reports" / "executed" / "00_cx_metrics_and_gap.ipynb").read_text())
    errors = [o for c in executed["cells"] for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors


def test_plot_helpers_return_axes():
    df = pd.DataFrame({"g": ["a", "b"], "value": [1.0, 2.0], "ci_low": [0.5, 1.5],
                       "ci_high": [1.5, 2.5], "small_base": [False, True]})
    ax = plots.interval_plot(df, y="g", reference=1.5, highlight=["b"])
    top = max(ax.get_yticklabels(), key=lambda t: t.get_position()[1])
    assert top.get_text() == "a"  # first row drawn on top, as in a table
    ax2 = plots.trend_plot(df.rename(columns={"g": "period"}), goal=2)
    assert ax2.get_legend() is not None
    plt.close("all")


@pytest.mark.parametrize("p,text", [(0.0004, "<0.001"), (0.0312, "0.031"), (0.5, "0.500")])
def test_format_p(p, text):
    assert plots.format_p(p) == text


def _errors(executed_path):
    nb = json.loads(executed_path.read_text())
    return [o for c in nb["cells"] for o in c.get("outputs", []) if o.get("output_type") == "error"]


def test_clv_notebook_runs_on_a_transactions_only_folder(tmp_path, sample):
    """Issue contract: the CLV notebook needs nothing but transactions, in any unit."""
    data = tmp_path / "tx_only"
    data.mkdir()
    keep = sample["customers"]["customer_id"].iloc[::4]
    tx = sample["transactions"][sample["transactions"]["customer_id"].isin(keep)]
    tx.to_csv(data / "transactions.csv", index=False)
    out = run_reports(data, tmp_path / "reports", notebooks=[ROOT / "notebooks" / "03_clv_segmentation.ipynb"],
                      parameters={"time_unit": "D", "n_segments": 4})
    assert not _errors(tmp_path / "reports" / "executed" / "03_clv_segmentation.ipynb")
    html = out[0].read_text()
    assert "No surveys or contacts in this folder" in html and "What to tell the board" in html


def test_start_here_notebook_on_surveys_only_with_own_column_names(tmp_path, sample):
    """No customers, transactions or contacts; CSAT only; ids under another name."""
    data = tmp_path / "surveys_only"
    data.mkdir()
    s = sample["surveys"][["customer_id", "date", "csat", "quickness"]].rename(columns={"customer_id": "member"})
    s.iloc[:800].to_csv(data / "surveys.csv", index=False)
    out = run_reports(data, tmp_path / "reports", notebooks=[ROOT / "notebooks" / "00_cx_metrics_and_gap.ipynb"],
                      parameters={"columns": {"member": "customer_id"}, "goals": {"CSAT": 70}})
    assert not _errors(tmp_path / "reports" / "executed" / "00_cx_metrics_and_gap.ipynb")
    html = out[0].read_text()
    assert "of customers are satisfied" in html and "no segment breakdown" in html


def test_re_executing_an_unchanged_notebook_is_byte_identical(tmp_path):
    """`make execute` leaves an unchanged notebook exactly as it was (no timings, no ids)."""
    from cxkit.report import execute_in_place

    (tmp_path / "notebooks").mkdir()
    (tmp_path / "data").symlink_to(ROOT / "data")
    original = ROOT / "notebooks" / "00_cx_metrics_and_gap.ipynb"
    copy = tmp_path / "notebooks" / original.name
    copy.write_bytes(original.read_bytes())
    execute_in_place(copy)
    assert copy.read_bytes() == original.read_bytes()
