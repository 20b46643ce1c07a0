"""Reports: notebooks run with parameters and export without code."""
from __future__ import annotations

import json
import re

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from conftest import ROOT
from cxkit import plots
from cxkit.report import (
    describe_failure,
    export_html,
    find_notebooks,
    main,
    missing_tables,
    notebook_parameters,
    notebook_requirements,
    resolve_notebook,
    run_reports,
)


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
    assert [r.status for r in out] == ["ran"]
    html = out[0].files[0].read_text()
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


def test_transactions_only_folder_runs_clv_skips_start_here_and_warns_on_a_poor_forecast(tmp_path, sample, capsys):
    """Issue #6: a transactions-only folder (its file named orders.csv) gets the CLV report
    and a stated skip for the start-here notebook; a forecast that misses its holdout by
    far more than 25% is reported with a visible warning instead of stopping the report;
    ``goals`` (a parameter of 00 only) is not injected into 03."""
    data = tmp_path / "tx_only"
    data.mkdir()
    keep = sample["customers"]["customer_id"].iloc[::4]
    tx = sample["transactions"][sample["transactions"]["customer_id"].isin(keep)].reset_index(drop=True)
    end = tx["date"].max()
    # Two purchases in three vanish from the last six months: the forecast overshoots the holdout.
    thinned = (tx["date"] > end - pd.DateOffset(months=6)) & (tx["date"] < end) & (tx.index % 3 != 0)
    tx[~thinned].to_csv(data / "orders.csv", index=False)
    out = tmp_path / "reports"
    out.mkdir()
    (out / "00_cx_metrics_and_gap.html").write_text("a report from an earlier run on other data")

    code = main(["run", "--data-dir", str(data), "--out", str(out), "--files", '{"transactions": "orders.csv"}',
                 "-p", "goals", '{"NPS": 10}', "-p", "time_unit", "D", "-p", "n_segments", "4",
                 "-p", "holdout_month", "5"])
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert ("skipped  00_cx_metrics_and_gap: needs the table surveys, which the folder does not have"
            in printed.splitlines())
    assert ("skipped  01_churn_survival: needs the table customers, which the folder does not have"
            in printed.splitlines())
    assert "ran      03_clv_segmentation" in printed and re.search(r"notebooks: \d+ ran, 3 skipped, 0 failed", printed)
    assert "skipped  02_kmart_driver_analysis: needs the table surveys" in printed
    assert (f"note: 'holdout_month' is not a parameter of {' or '.join(p.stem for p in find_notebooks())}: ignored"
            in printed)
    assert not (out / "00_cx_metrics_and_gap.html").exists()       # no stale report passes for this run's
    executed = out / "executed" / "03_clv_segmentation.ipynb"
    assert not _errors(executed)
    injected = [c for c in json.loads(executed.read_text())["cells"]
                if "injected-parameters" in c["metadata"].get("tags", [])]
    assert "files = {" in "".join(injected[0]["source"]) and "goals" not in "".join(injected[0]["source"])
    html = (out / "03_clv_segmentation.html").read_text()
    assert "No surveys or contacts in this folder" in html and "What to tell the board" in html
    error = re.search(r"purchases were (over|under)-forecast by ([0-9.]+)%", html)
    assert error and float(error.group(2)) > 25
    assert (f"Check: purchases in the holdout were {error.group(1)}-forecast by {float(error.group(2)):.0f}%, "
            "more than the 25% allowed" in html)


def test_start_here_notebook_on_surveys_only_with_own_column_names(tmp_path, sample):
    """No customers, transactions or contacts; CSAT only; ids under another name."""
    data = tmp_path / "surveys_only"
    data.mkdir()
    s = sample["surveys"][["customer_id", "date", "csat", "quickness"]].rename(columns={"customer_id": "member"})
    s.iloc[:800].to_csv(data / "surveys.csv", index=False)
    out = run_reports(data, tmp_path / "reports", notebooks=[ROOT / "notebooks" / "00_cx_metrics_and_gap.ipynb"],
                      parameters={"columns": {"member": "customer_id"}, "goals": {"CSAT": 70}})
    assert not _errors(tmp_path / "reports" / "executed" / "00_cx_metrics_and_gap.ipynb")
    html = out[0].files[0].read_text()
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


def test_one_failing_notebook_is_named_with_its_cell_and_error_and_the_others_still_run(tmp_path, sample, capsys):
    """Issue #6: a few lines per failure (notebook, cell, the error's own message), not the
    papermill traceback, and the next notebook is still run; the exit code says it failed."""
    data = tmp_path / "bad"
    data.mkdir()
    keep = sample["customers"]["customer_id"].iloc[::10]
    for name in ["customers", "transactions", "surveys"]:
        df = sample[name][sample[name]["customer_id"].isin(keep)].copy()
        if name == "surveys":
            df.loc[df.index[:3], "nps"] = 11
        df.to_csv(data / f"{name}.csv", index=False)
    code = main(["run", "--data-dir", str(data), "--out", str(tmp_path / "reports"), "00", "03_clv_segmentation"])
    printed = capsys.readouterr().out
    assert code == 1
    blocks = re.split(r"\n(?=failed |ran |skipped |\d+ notebooks)", printed.strip())
    assert [b.split()[:2] for b in blocks[:2]] == [["failed", "00_cx_metrics_and_gap:"],
                                                   ["failed", "03_clv_segmentation:"]]
    for block in blocks[:2]:
        assert "code cell 3, `cx = load_folder(data_dir, columns=columns, files=files, as_of=as_of" in block
        assert "DataError: table 'surveys', column 'nps'" in block
        assert "Traceback" not in block and "-----" not in block and "\x1b[" not in block
        assert len(block.splitlines()) <= 12
    assert "0 ran, 0 skipped, 2 failed" in blocks[-1]
    assert not (tmp_path / "reports" / "00_cx_metrics_and_gap.html").exists()


def test_describe_failure_numbers_the_cell_as_the_notebook_does():
    from papermill.exceptions import PapermillExecutionError

    nb = resolve_notebook("03")
    source = "".join(json.loads(nb.read_text())["cells"][3]["source"])
    error = PapermillExecutionError(cell_index=4, exec_count=4, source=source, ename="ValueError",
                                    evalue="\x1b[0;31mbad\x1b[0m value\n" + "more\n" * 20, traceback=["x"] * 40)
    text = describe_failure(error, nb)
    assert text.startswith("code cell 3, `cx = load_folder(")
    assert "ValueError: bad value" in text and "\x1b" not in text and len(text.splitlines()) <= 12


@pytest.mark.parametrize("args", [["--data-dir", "{data}/customers.csv"], ["--data-dir", "{data}"]])
def test_an_unreadable_data_folder_is_one_line_and_a_non_zero_exit(tmp_path, sample_dir, capsys, args):
    """A file given as the folder, or two files for one table: one line naming the problem, nothing run."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "customers.csv").write_bytes((sample_dir / "customers.csv").read_bytes())
    (data / "customers.xlsx").write_bytes(b"stale copy")
    code = main(["run", *[a.format(data=data) for a in args], "--out", str(tmp_path / "reports")])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    assert len(captured.err.strip().splitlines()) == 1 and "Traceback" not in captured.err
    assert captured.err.startswith("cxkit: ") and "customers" in captured.err
    assert not (tmp_path / "reports").exists()


@pytest.mark.parametrize("name", ["03", "03_clv_segmentation", "03_clv_segmentation.ipynb",
                                  "notebooks/03_clv_segmentation.ipynb",
                                  str(ROOT / "notebooks" / "03_clv_segmentation.ipynb")])
def test_notebooks_are_named_by_number_name_file_or_path(name, monkeypatch):
    monkeypatch.chdir(ROOT)
    assert resolve_notebook(name) == ROOT / "notebooks" / "03_clv_segmentation.ipynb"


@pytest.mark.parametrize("name", ["99", "clv", "notebooks/99_nothing.ipynb", "0"])
def test_an_unknown_notebook_name_says_which_exist(name):
    every = "00_cx_metrics_and_gap, 01_churn_survival, 02_kmart_driver_analysis, 03_clv_segmentation"
    with pytest.raises(ValueError, match=every):
        resolve_notebook(name)


def test_notebooks_declare_their_tables_and_parameters():
    start, clv = resolve_notebook("00"), resolve_notebook("03")
    assert notebook_requirements(start) == ["surveys"] and notebook_requirements(clv) == []   # 03: one of two
    assert missing_tables(clv, {"customers"}) == []
    assert missing_tables(clv, {"surveys"}) == ["transactions or customers"]
    for nb in (start, clv):
        assert {"data_dir", "columns", "files", "as_of"} <= set(notebook_parameters(nb))
    assert "goals" in notebook_parameters(start) and "goals" not in notebook_parameters(clv)


def test_reading_rules_reach_the_notebooks_and_their_reports(tmp_path, sample, capsys):
    """Issue #6: day/month dates that no value settles stop with an error that says what to
    pass; passing it through the command runs the notebook, whose report shows how the data
    was read and which rule chose the analysis date."""
    data = tmp_path / "dmy"
    data.mkdir()
    keep = sample["customers"]["customer_id"].iloc[::8]
    tx = sample["transactions"][sample["transactions"]["customer_id"].isin(keep)].copy()
    tx = tx[pd.to_datetime(tx["date"]).dt.day <= 12]          # every date could be read both ways
    tx["date"] = pd.to_datetime(tx["date"]).dt.strftime("%d/%m/%Y")
    tx.to_csv(data / "transactions.csv", index=False)
    out = tmp_path / "reports"
    assert main(["run", "--data-dir", str(data), "--out", str(out), "03"]) == 1
    assert "dayfirst" in capsys.readouterr().out
    assert main(["run", "--data-dir", str(data), "--out", str(out), "03",
                 "-p", "load_options", '{"dayfirst": true}', "-p", "time_unit", '"D"']) == 0
    html = (out / "03_clv_segmentation.html").read_text()
    assert "dates read as day/month/year (as set by dayfirst)" in html
    assert "the last date with activity in transactions" in html


# --------------------------------------------------------------------------- #
# Reports a board can read (issue #7): headline first, A4 pages with numbers
# --------------------------------------------------------------------------- #
def _tiny_notebook(path, *, paragraphs: int = 0):
    """A hand-made executed notebook: title, a section, checks (remove) and a summary computed last."""
    import nbformat

    v4 = nbformat.v4
    text = "Details paragraph. " * 40
    cells = [
        v4.new_markdown_cell("# 07 · Loyalty <club> report — start here\n\nWhat this report answers."),
        v4.new_code_cell("import pandas", outputs=[]),
        v4.new_markdown_cell("## 1. Details\n\nThe lead of the details section."),
        v4.new_code_cell("print('detail')", outputs=[v4.new_output("stream", name="stdout", text="DETAIL-OUTPUT\n")]),
        *[v4.new_markdown_cell(f"Paragraph {i}. {text}") for i in range(paragraphs)],
        v4.new_markdown_cell("## Checks", metadata={"tags": ["remove"]}),
        v4.new_code_cell("assert True", metadata={"tags": ["remove"]},
                         outputs=[v4.new_output("stream", name="stdout", text="CHECK-OUTPUT\n")]),
        v4.new_markdown_cell("## What to tell the board", metadata={"tags": ["summary"]}),
        v4.new_code_cell("print('headline')", metadata={"tags": ["summary"]},
                         outputs=[v4.new_output("stream", name="stdout", text="HEADLINE-OUTPUT\n")]),
    ]
    nbformat.write(v4.new_notebook(cells=cells), path)
    return path


def test_summary_cells_open_the_report_after_the_title(tmp_path):
    html = export_html(_tiny_notebook(tmp_path / "nb.ipynb"), tmp_path / "r.html").read_text()
    order = [html.index(s) for s in ["What this report answers", "What to tell the board", "HEADLINE-OUTPUT",
                                     "1. Details", "DETAIL-OUTPUT"]]
    assert order == sorted(order)
    assert "CHECK-OUTPUT" not in html and "Checks" not in html
    assert "print(" not in html and "In&nbsp;[" not in html and "In [" not in html


def test_report_title_is_the_first_heading_without_navigation_words(tmp_path):
    html = export_html(_tiny_notebook(tmp_path / "nb.ipynb"), tmp_path / "r.html").read_text()
    assert re.search(r"<title>(.*)</title>", html).group(1) == "Loyalty &lt;club&gt; report"
    start = export_html(ROOT / "notebooks" / "00_cx_metrics_and_gap.ipynb", tmp_path / "s.html").read_text()
    title = re.search(r"<title>(.*)</title>", start).group(1)
    assert "start here" not in title and title.startswith("CX metrics")


def test_report_pages_are_a4_with_numbers_date_and_headings_kept_with_what_follows(tmp_path):
    import datetime

    nb = _tiny_notebook(tmp_path / "nb.ipynb")
    html = export_html(nb, tmp_path / "r.html", date=datetime.date(2026, 3, 5)).read_text()
    page = re.search(r"@page \{\s*size:.*?\n\}", html, re.DOTALL).group(0)
    assert "size: A4;" in page and 'counter(page) " of " counter(pages)' in page
    assert "@bottom-left" in page and "Loyalty \\3c club\\3e  report · 5 March 2026" in page
    assert re.search(r"h2[^{]*\{ break-after: avoid", html)
    assert ".jp-OutputArea-child { break-inside: avoid" in html          # each chart or table whole
    # The lead of "1. Details" is kept with its output; the closing text before the summary moved is not.
    lead = html[:html.index("The lead of the details section")]
    assert lead[lead.rindex("<div"):].count("celltag_cx-keep-with-next celltag_cx-keep-together") == 1
    css = html[html.index(page):]
    css = css[:css.index("</style>")]
    assert all(float(s) >= 8 for s in re.findall(r"font-size:\s*([0-9.]+)pt", css))
    letter = export_html(nb, tmp_path / "l.html", paper="Letter").read_text()
    assert "size: letter;" in letter
    with pytest.raises(ValueError, match="paper must be A4 or Letter"):
        export_html(nb, tmp_path / "x.html", paper="A3")


def test_paper_size_is_checked_before_any_notebook_runs(tmp_path, sample_dir, capsys):
    with pytest.raises(ValueError, match="paper must be A4 or Letter"):
        run_reports(sample_dir, tmp_path / "reports", paper="A5")
    with pytest.raises(SystemExit):
        main(["run", "--data-dir", str(sample_dir), "--paper", "A5"])
    assert "invalid choice: 'a5'" in capsys.readouterr().err
    assert not (tmp_path / "reports").exists()


def test_pdf_pages_are_numbered_in_the_footer(tmp_path):
    import shutil
    import subprocess

    from cxkit.report import _chromium, export_pdf

    if _chromium() is None or shutil.which("pdftotext") is None or shutil.which("pdfinfo") is None:
        pytest.skip("needs Chromium and poppler-utils (pdftotext, pdfinfo) to print and read a PDF")
    html = export_html(_tiny_notebook(tmp_path / "nb.ipynb", paragraphs=8), tmp_path / "r.html")
    pdf = export_pdf(html, tmp_path / "r.pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages >= 2 and "(A4)" in info
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for n in range(1, pages + 1):
        assert f"Page {n} of {pages}" in text
    assert "Loyalty <club> report" in text


def test_reports_fetch_no_maths_typesetter(tmp_path):
    """No formula in a report: the HTML must not load MathJax from the network, which would also
    read money such as "$120 ... $80" as a formula."""
    html = export_html(ROOT / "notebooks" / "00_cx_metrics_and_gap.ipynb", tmp_path / "r.html").read_text()
    assert "mathjax" not in html.lower()
    assert not re.search(r"<script[^>]+src=\"https?://", html)     # nothing fetched when the report opens


def test_churn_notebook_runs_on_a_tenure_and_churned_export(tmp_path, cx, capsys):
    """Issue #8: customers exported with tenure (in months) and a yes/no churn flag, no dates:
    the retention sections run, the others are skipped with the reason."""
    from cxkit import survival

    st = survival.survival_table(cx.customers, as_of=cx.as_of, covariates=["plan"])
    data = tmp_path / "telco"
    data.mkdir()
    pd.DataFrame({"customerID": st["customer_id"], "tenure": (st["tenure"] / 30.4375).round(1),
                  "Churn": st["churned"].map({True: "Yes", False: "No"}), "plan": st["plan"]}).to_csv(
        data / "customers.csv", index=False)
    out = tmp_path / "reports"
    code = main(["run", "--data-dir", str(data), "--out", str(out), "--columns",
                 '{"customerID": "customer_id", "Churn": "churned"}', "-p", "load_options",
                 '{"tenure_unit": "months"}', "01"])
    assert code == 0, capsys.readouterr().out
    html = (out / "01_churn_survival.html").read_text()
    assert "No analysis date" in html and "Log-rank" in html and "no contacts table" in html
