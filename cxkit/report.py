"""Run the notebooks with parameters and export them as code-free reports.

A board report is a notebook run on a data folder, exported with its code hidden.
``run_reports`` does that for every numbered notebook: papermill injects the
parameters (``data_dir`` and any others), nbconvert writes HTML without code, and, where
Debian's ``chromium`` is installed, Chromium prints the HTML to PDF.

Example
-------
>>> from cxkit.report import run_reports
>>> run_reports("data/sample", "reports")                  # doctest: +SKIP

From the shell: ``python -m cxkit.report run --data-dir my_data --out reports``.
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = ["NOTEBOOK_DIR", "find_notebooks", "execute_in_place", "run_notebook", "export_html",
           "export_pdf", "run_reports", "main"]

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
KERNEL = "python3"

# Reports are read on paper too: keep wide tables on the page and charts whole.
_REPORT_CSS = """<style>
.jp-RenderedHTMLCommon table { font-size: 11px; }
@media print {
  body { margin: 0; }
  .jp-RenderedHTMLCommon table { font-size: 8px; }
  .jp-OutputArea-output { overflow: visible !important; }
  .jp-OutputArea-output img { max-width: 100%; page-break-inside: avoid; }
  .jp-Cell { page-break-inside: avoid; }
}
</style>
"""


def find_notebooks(folder: str | Path = NOTEBOOK_DIR) -> list[Path]:
    """The numbered notebooks of ``folder`` in reading order (``00_...``, ``01_...``)."""
    return sorted(p for p in Path(folder).glob("[0-9][0-9]_*.ipynb"))


def execute_in_place(path: str | Path, *, timeout: int = 900) -> Path:
    """Re-execute a notebook from a fresh kernel and save it with its outputs.

    No timing metadata is recorded, so a notebook whose results did not change is
    written back byte for byte as it was: diffs show only real changes.
    """
    import nbformat
    from nbconvert.preprocessors import ExecutePreprocessor

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    ep = ExecutePreprocessor(timeout=timeout, kernel_name=KERNEL, record_timing=False)
    ep.preprocess(nb, {"metadata": {"path": str(path.parent)}})
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, path)
    return path


def run_notebook(
    notebook: str | Path,
    output: str | Path,
    parameters: Mapping[str, Any] | None = None,
    *,
    timeout: int = 900,
) -> Path:
    """Execute ``notebook`` with papermill, injecting ``parameters``, into ``output``.

    The notebook runs in its own folder, so its relative paths keep working.
    """
    import papermill as pm

    notebook, output = Path(notebook).resolve(), Path(output).resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    pm.execute_notebook(
        str(notebook),
        str(output),
        parameters=dict(parameters or {}),
        cwd=str(notebook.parent),
        kernel_name=KERNEL,
        progress_bar=False,
        execution_timeout=timeout,
    )
    return output


def export_html(notebook: str | Path, output: str | Path) -> Path:
    """Write a notebook as HTML with every code cell and prompt hidden."""
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(Path(notebook), as_version=4)
    # Cells tagged "remove" (e.g. internal checks) leave no trace in the report.
    nb.cells = [c for c in nb.cells if "remove" not in c.get("metadata", {}).get("tags", [])]
    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nb)
    body = body.replace("</head>", _REPORT_CSS + "</head>", 1)
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(body, encoding="utf-8")
    return output


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def export_pdf(html: str | Path, output: str | Path) -> Path:
    """Print an HTML report to PDF with headless Chromium (Debian package ``chromium``).

    nbconvert's own PDF routes need LaTeX or a browser download; a system Chromium is
    the light way. Raises ``RuntimeError`` when no Chromium is installed.
    """
    browser = _chromium()
    if browser is None:
        raise RuntimeError("PDF export needs Chromium: install it (e.g. `apt-get install chromium`) or use the HTML")
    output = Path(output).resolve()
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--no-first-run", f"--user-data-dir={profile}", f"--print-to-pdf={output}",
             Path(html).resolve().as_uri()],
            check=True, capture_output=True, timeout=120,
        )
    return output


def run_reports(
    data_dir: str | Path,
    out: str | Path = "reports",
    *,
    notebooks: Iterable[str | Path] | None = None,
    parameters: Mapping[str, Any] | None = None,
    pdf: bool = False,
) -> list[Path]:
    """Run notebooks on ``data_dir`` and write code-free HTML (and PDF) reports to ``out``.

    Parameters
    ----------
    data_dir : folder with the cxkit tables.
    out : output folder; executed notebooks go to ``out/executed/``.
    notebooks : which notebooks (default: every numbered notebook).
    parameters : further papermill parameters, e.g. ``{"as_of": "2025-06-30"}``.
    pdf : also print each report to PDF (needs Chromium).

    Returns
    -------
    The report files written.
    """
    out = Path(out)
    params = {"data_dir": str(Path(data_dir).resolve()), **dict(parameters or {})}
    written = []
    for nb in [Path(n) for n in notebooks] if notebooks else find_notebooks():
        executed = run_notebook(nb, out / "executed" / nb.name, params)
        html = export_html(executed, out / f"{nb.stem}.html")
        written.append(html)
        if pdf:
            written.append(export_pdf(html, out / f"{nb.stem}.pdf"))
    return written


def _parse_value(text: str) -> Any:
    import json

    try:
        return json.loads(text)
    except ValueError:
        return text


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cxkit", description="Run cxkit notebooks and export reports.")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="execute notebooks on a data folder and write HTML reports")
    run.add_argument("--data-dir", default="data/sample")
    run.add_argument("--out", default="reports")
    run.add_argument("--pdf", action="store_true", help="also write PDF (needs Chromium)")
    run.add_argument("-p", "--param", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                     help="extra notebook parameter (JSON values are parsed)")
    run.add_argument("notebooks", nargs="*")
    ex = sub.add_parser("execute", help="re-execute notebooks in place (refresh stored outputs)")
    ex.add_argument("notebooks", nargs="*")
    args = parser.parse_args(argv)
    if args.command == "run":
        params = {k: _parse_value(v) for k, v in args.param}
        for path in run_reports(args.data_dir, args.out, notebooks=args.notebooks or None,
                                parameters=params, pdf=args.pdf):
            print(path)
    else:
        for nb in args.notebooks or find_notebooks():
            print(execute_in_place(nb))
    return 0


if __name__ == "__main__":
    sys.exit(main())
