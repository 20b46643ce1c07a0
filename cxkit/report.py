"""Run the notebooks with parameters and export them as code-free reports.

A board report is a notebook run on a data folder, exported with its code hidden.
``run_reports`` does that for every numbered notebook whose tables the folder has:
papermill injects the parameters each notebook declares (``data_dir``, ``files``,
``columns`` and any others), nbconvert writes HTML without code, and, where Debian's
``chromium`` is installed, Chromium prints the HTML to PDF.

A notebook states the tables it needs in its metadata (``{"cxkit": {"requires":
["transactions"]}}``); a notebook whose tables are absent is skipped with that reason.
A notebook that fails is reported by its cell and error message, and the others still run.

Example
-------
>>> from cxkit.report import run_reports
>>> for result in run_reports("data/sample", "reports"):  # doctest: +SKIP
...     print(result)

From the shell: ``python -m cxkit.report run --data-dir my_data --out reports``.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

from cxkit import check as folder_check
from cxkit.data.settings import read_settings
from cxkit.errors import DataError
from cxkit.files import find_table_files
from cxkit.notebooks import (
    NOTEBOOK_DIR,
    find_notebooks,
    missing_tables_reason,
    notebook_requirements,
    resolve_notebook,
)

__all__ = ["NOTEBOOK_DIR", "ReportResult", "find_notebooks", "resolve_notebook", "notebook_requirements",
           "notebook_parameters", "execute_in_place", "run_notebook", "report_title", "report_cells",
           "export_html", "export_pdf", "PAPER_SIZES",
           "describe_failure", "tables_present", "run_reports", "main"]

KERNEL = "python3"

PAPER_SIZES = {"a4": "A4", "letter": "letter"}

# Reports are read on paper too: A4 (or Letter) pages numbered in the footer, headings
# kept with the chart or table under them, tables wrapped at the page edge, and no
# type under 8 pt. Chromium draws the @page margin boxes (header and footer of its own
# are turned off in export_pdf).
_REPORT_CSS = """<style>
@page {
  size: %(size)s;
  margin: 14mm 12mm 16mm;
  @bottom-left { content: "%(footer)s"; font-family: sans-serif; font-size: 8pt; color: #55606b; }
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font-family: sans-serif;
                  font-size: 8pt; color: #55606b; }
}
.jp-RenderedHTMLCommon table { font-size: 12px; table-layout: auto; max-width: 100%%; }
.jp-RenderedHTMLCommon td { white-space: normal; overflow-wrap: break-word; word-wrap: break-word; }
/* A header breaks between words only, never inside one ("respon-dents"). */
.jp-RenderedHTMLCommon th { white-space: normal; overflow-wrap: normal; word-wrap: normal; word-break: keep-all;
  hyphens: manual; }
.jp-OutputArea-output { overflow-x: auto; }
@media print {
  body, .jp-Notebook { margin: 0; padding: 0; }
  /* JupyterLab draws text cells as clipped table cells, which a printer cannot split:
     plain blocks let a long text break between paragraphs instead of moving whole. */
  .jp-InputArea, .jp-MarkdownOutput { display: block; overflow: visible !important; }
  .jp-RenderedHTMLCommon table { font-size: 9pt; }
  .jp-RenderedHTMLCommon table.dataframe th, .jp-RenderedHTMLCommon table.dataframe td { padding: 0.2em 0.4em; }
  .jp-OutputArea-output { overflow: visible !important; max-width: 100%%; }
  .jp-OutputArea-output img { max-width: 100%%; height: auto; break-inside: avoid; page-break-inside: avoid; }
  .jp-RenderedHTMLCommon h1, .jp-RenderedHTMLCommon h2, .jp-RenderedHTMLCommon h3,
  .jp-RenderedHTMLCommon h4 { break-after: avoid; page-break-after: avoid; }
  .jp-MarkdownCell:has(.celltag_cx-keep-with-next) { break-after: avoid; page-break-after: avoid; }
  .celltag_cx-keep-together { break-inside: avoid; page-break-inside: avoid; }
  .jp-OutputArea-child { break-inside: avoid; page-break-inside: avoid; }
  .jp-RenderedHTMLCommon tr, .jp-RenderedHTMLCommon li { break-inside: avoid; page-break-inside: avoid; }
}
</style>
"""

# A text cell up to this many lines (a heading and its lead) moves whole with the chart
# or table under it; a longer one may break between paragraphs.
_SHORT_TEXT_LINES = 12
_KEEP_TOGETHER = "cx-keep-together"
_KEEP_WITH_NEXT = "cx-keep-with-next"

_TH_TEXT = re.compile(r"(<th\b[^>]*>)([^<]*_[^<]*)(</th>)")
_START_HERE = re.compile(r"\s*(?:[—–-]+\s*start here|\(start here\))\s*$", re.IGNORECASE)
_NUMBER_PREFIX = re.compile(r"^\d+\s*[·.:\-—–]\s*")


def notebook_parameters(notebook: str | Path) -> list[str]:
    """The parameter names a notebook declares in its cell tagged ``parameters``.

    Only these are injected into it: a parameter meant for another notebook
    (``goals`` for the start-here notebook) never reaches this one.

    Example
    -------
    >>> "goals" in notebook_parameters(resolve_notebook("03"))
    False
    """
    import papermill as pm

    return list(pm.inspect_notebook(str(notebook)))


#: The kernel logs errors only: its start-up notice that a local kernel talks over TCP
#: (Jupyter's default, signed messages on this machine) would otherwise be printed once per notebook.
QUIET_KERNEL = ["--IPKernelApp.log_level=ERROR"]


def execute_in_place(path: str | Path, *, timeout: int = 900) -> Path:
    """Re-execute a notebook from a fresh kernel and save it with its outputs.

    No timing metadata is recorded, so a notebook whose results did not change is
    written back byte for byte as it was: diffs show only real changes.
    """
    import nbformat
    from nbconvert.preprocessors import ExecutePreprocessor

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    ep = ExecutePreprocessor(timeout=timeout, kernel_name=KERNEL, record_timing=False, extra_arguments=QUIET_KERNEL)
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
        extra_arguments=QUIET_KERNEL,
    )
    return output


def _paper(paper: str) -> str:
    size = PAPER_SIZES.get(str(paper).strip().lower())
    if size is None:
        raise ValueError(f"paper must be A4 or Letter, got {paper!r}")
    return size


def _tags(cell: Any) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def report_title(notebook: Any) -> str:
    """The title of a notebook's report: its first ``#`` heading, in plain words.

    A suffix such as " — start here" and a leading notebook number ("00 · ") are
    notebook navigation, not part of a report's title; Markdown emphasis is removed.

    Example
    -------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 00 · CX metrics — start here")])
    >>> report_title(nb)
    'CX metrics'
    """
    headings = []
    for cell in notebook.cells:
        if cell.get("cell_type") != "markdown":
            continue
        for line in str(cell.get("source", "")).splitlines():
            match = re.match(r"^(#{1,6})\s+(.+?)\s*#*\s*$", line)
            if match:
                headings.append((len(match.group(1)), match.group(2)))
    if not headings:
        return ""
    top = min(level for level, _ in headings)
    text = next(t for level, t in headings if level == top)
    text = re.sub(r"[*_`]+", "", text)
    text = _START_HERE.sub("", text)
    return _NUMBER_PREFIX.sub("", text).strip()


def report_cells(cells: Sequence[Any]) -> list[Any]:
    """The cells of a notebook in the order a report shows them.

    Cells tagged ``remove`` (internal checks) are left out, as are code cells that
    show nothing once the code is hidden. Cells tagged ``summary`` move to just after
    the first cell (the title): the report opens with its headline although the
    notebook computes it last. Otherwise the order is kept.

    Example
    -------
    >>> import nbformat
    >>> md = nbformat.v4.new_markdown_cell
    >>> cells = [md("# Title"), md("## Details"), md("## Summary", metadata={"tags": ["summary"]})]
    >>> [c.source for c in report_cells(cells)]
    ['# Title', '## Summary', '## Details']
    """
    kept = [c for c in cells if "remove" not in _tags(c)
            and not (c.get("cell_type") == "code" and not c.get("outputs"))]
    if not kept:
        return []
    first, rest = kept[0], kept[1:]
    return [first] + [c for c in rest if "summary" in _tags(c)] + [c for c in rest if "summary" not in _tags(c)]


def _short_text(source: str) -> bool:
    """Whether a Markdown cell is short enough to move to the next page whole (no table, few lines)."""
    lines = [line for line in str(source).splitlines() if line.strip()]
    if any(line.lstrip().startswith("|") for line in lines):
        return False
    return sum(1 + len(line) // 100 for line in lines) <= _SHORT_TEXT_LINES


def _css_string(text: str) -> str:
    """``text`` as the inside of a double-quoted CSS string that cannot end the <style> block."""
    out = " ".join(str(text).split()).replace("\\", "\\\\").replace('"', '\\"')
    return out.replace("<", "\\3c ").replace(">", "\\3e ")


def export_html(
    notebook: str | Path,
    output: str | Path,
    *,
    paper: str = "A4",
    date: _dt.date | None = None,
) -> Path:
    """Write a notebook as a code-free HTML report, ready to print.

    Code cells and prompts are hidden; cells tagged ``remove`` are left out and cells
    tagged ``summary`` come first, after the title (see :func:`report_cells`). The page
    title is the notebook's first heading (:func:`report_title`). Printed (or through
    :func:`export_pdf`), pages are ``paper`` size ("A4" or "Letter") with the title, the
    report date and "Page n of N" in the footer; headings stay with the chart or table
    under them.

    Parameters
    ----------
    notebook : an executed notebook.
    output : the HTML file to write.
    paper : "A4" (default) or "Letter".
    date : the report date in the footer (default: today).
    """
    import nbformat
    from nbconvert import HTMLExporter

    size = _paper(paper)
    nb = nbformat.read(Path(notebook), as_version=4)
    title = report_title(nb) or Path(notebook).stem.replace("_", " ")
    nb.cells = report_cells(nb.cells)
    # Text that leads into a chart or table stays on its page: kept with the output
    # that follows and, when short (a heading and its lead), not split itself.
    for cell, after in pairwise(nb.cells):
        if cell.cell_type == "markdown" and after.cell_type == "code":
            extra = [_KEEP_WITH_NEXT] + ([_KEEP_TOGETHER] if _short_text(cell.source) else [])
            cell.metadata["tags"] = _tags(cell) + extra
    nb.metadata["title"] = title
    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nb)
    day = date or _dt.date.today()
    footer = f"{title} · {day.day} {day:%B %Y}"
    css = _REPORT_CSS % {"size": size, "footer": _css_string(footer)}
    body = body.replace("</head>", css + "</head>", 1)
    # Reports hold no formulas and no widgets: leave out the maths typesetter (it would fetch
    # a script from the network and read money such as "$120 ... $80" as a formula) and the
    # widget loader, so a report opens offline as it prints.
    body = _MATHJAX.sub("", body)
    # Raw frames have one-word headers (mean_time_since_last): let them wrap at their
    # underscores, so a wide table fits the page instead of running off its edge.
    body = _TH_TEXT.sub(lambda m: m.group(1) + m.group(2).replace("_", "_<wbr>") + m.group(3), body)
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(body, encoding="utf-8")
    return output


_MATHJAX = re.compile(r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->"
                      r"|<script src=\"https://[^\"]*require(?:\.min)?\.js\">\s*</script>", re.S)


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


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _first_lines(text: str, n: int) -> str:
    """At most ``n`` lines of ``text``, without terminal colour codes."""
    lines = _ANSI.sub("", str(text)).strip().splitlines()
    if len(lines) <= n:
        return "\n".join(lines)
    # The hint at the end of a DataError says what to do: keep it when the rows are cut.
    hint = [line for line in lines[n:] if line.startswith("Hint:")]
    return "\n".join(lines[:n] + [f"... ({len(lines) - n - len(hint)} more lines)"] + hint)


def describe_failure(error: BaseException, notebook: str | Path) -> str:
    """A few lines on why a notebook failed: its cell (number and first line) and the error's message.

    For a :class:`papermill.exceptions.PapermillExecutionError` the cell is numbered as
    the code cells of ``notebook`` are (``In [4]`` after a run from the top); other
    errors give their type and message.
    """
    from papermill.exceptions import PapermillExecutionError

    if not isinstance(error, PapermillExecutionError):
        return _first_lines(f"{type(error).__name__}: {error}", 8)
    message = _first_lines(f"{error.ename}: {error.evalue}" if error.evalue else error.ename, 8)
    source = error.source if isinstance(error.source, str) else "".join(error.source or [])
    first = next((line.strip() for line in source.splitlines() if line.strip()), "")
    if len(first) > 100:
        first = first[:97] + "..."
    code_cells = [c for c in json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]
                  if c["cell_type"] == "code"]
    sources = ["".join(c["source"]) if isinstance(c["source"], list) else c["source"] for c in code_cells]
    where = f"code cell {sources.index(source) + 1}" if source in sources else f"cell In [{error.exec_count}]"
    return f"{where}, `{first}`:\n{message}"


@dataclass
class ReportResult:
    """What became of one notebook in :func:`run_reports`.

    Attributes
    ----------
    notebook : the notebook run (source path).
    status : ``"ran"``, ``"skipped"`` (a table it needs is absent) or ``"failed"``.
    reason : why it was skipped, or where and why it failed (a few lines).
    files : the reports written (HTML, then PDF when asked for).
    executed : the executed copy of the notebook (on failure it holds the full traceback).
    ignored_parameters : parameters given that this notebook does not declare (not injected).
    """

    notebook: Path
    status: str
    reason: str = ""
    files: list[Path] = field(default_factory=list)
    executed: Path | None = None
    ignored_parameters: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return Path(self.notebook).stem

    def __str__(self) -> str:
        if self.status == "ran":
            return f"ran      {self.name} -> {', '.join(str(f) for f in self.files)}"
        text = f"{self.status:<8} {self.name}: {self.reason}"
        if self.status == "failed" and self.executed is not None:
            text += f"\n(full traceback in {self.executed})"
        return text.replace("\n", "\n" + " " * 9)


def tables_present(data_dir: str | Path, parameters: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The tables a run on ``data_dir`` has, by name: as the notebooks will find them.

    File names come from the run's ``files`` parameter, else from the folder's settings
    file; a Spark table named in ``load_options`` (or the settings' ``[read]``) counts as
    the transactions table.

    Example
    -------
    >>> sorted(tables_present("data/sample"))
    ['contacts', 'customers', 'surveys', 'transactions']
    """
    params = dict(parameters or {})
    settings = read_settings(data_dir) if Path(data_dir).is_dir() else None
    present: dict[str, Any] = dict(find_table_files(data_dir, files=params.get("files") or (
        settings.files if settings is not None else None)))
    load = params.get("load_options")
    spark_table = load.get("spark_table") if isinstance(load, Mapping) else None
    spark_table = spark_table or (settings.read.get("spark_table") if settings is not None else None)
    if spark_table:  # transactions in a Spark table, not a file
        present.setdefault("transactions", spark_table)
    return present


def run_reports(
    data_dir: str | Path,
    out: str | Path = "reports",
    *,
    notebooks: Iterable[str | Path] | None = None,
    parameters: Mapping[str, Any] | None = None,
    files: Mapping[str, str] | None = None,
    columns: Mapping[str, Any] | None = None,
    pdf: bool = False,
    paper: str = "A4",
    progress: Callable[[ReportResult], Any] | None = None,
) -> list[ReportResult]:
    """Run notebooks on ``data_dir`` and write code-free HTML (and PDF) reports to ``out``.

    Every notebook whose tables the folder has is run; one that needs an absent table
    is skipped with the reason, and one that fails is reported (cell and error message)
    without stopping the others. Each notebook receives only the parameters it declares.
    A skipped or failed notebook leaves no report in ``out``: an older report of the same
    name is removed, so that no report from other data passes for this run's.

    The folder's settings file (``cxkit.toml``: company, currency, goals, file and column
    names, reading options) is read by each notebook through
    :func:`cxkit.data.load_folder`; a parameter given here overrides it.

    Parameters
    ----------
    data_dir : folder with the cxkit tables.
    out : output folder; executed notebooks go to ``out/executed/``.
    notebooks : which notebooks, by number (``"03"``), name or path (default: every numbered notebook).
    parameters : further papermill parameters, e.g. ``{"as_of": "2025-06-30"}``.
    files : file names by table when they differ, e.g. ``{"transactions": "orders.csv"}``.
    columns : your column names mapped to cxkit's, e.g. ``{"cust_no": "customer_id"}``.
    pdf : also print each report to PDF (needs Chromium).
    paper : page size of the printed report, "A4" (default) or "Letter".
    progress : called with each :class:`ReportResult` as soon as it is known.

    Returns
    -------
    list of :class:`ReportResult`, one per notebook, in the order run.

    Raises
    ------
    cxkit.DataError : the folder cannot be read as a cxkit data folder (not found, a
        file, two files for one table, ...); nothing is run.
    ValueError : an unknown notebook name, ``files``/``columns`` given twice, or an unknown paper size.
    RuntimeError : ``pdf=True`` without Chromium.
    """
    params = dict(parameters or {})
    for name, value in (("files", files), ("columns", columns)):
        if value is not None:
            if params.get(name) not in (None, value):
                raise ValueError(f"{name} is given twice, as {name}= and in parameters, with different values")
            params[name] = dict(value)
    params["data_dir"] = str(Path(data_dir).resolve())
    _paper(paper)
    today = _dt.date.today()
    paths = [resolve_notebook(n) for n in notebooks] if notebooks else find_notebooks()
    if pdf and _chromium() is None:
        raise RuntimeError("PDF export needs Chromium: install it (e.g. `apt-get install chromium`) or leave out --pdf")
    present = tables_present(data_dir, params)

    plan = [(nb, notebook_requirements(nb), notebook_parameters(nb)) for nb in paths]

    out = Path(out)
    results = []
    for nb, requires, declared in plan:
        ignored = sorted(k for k in params if k not in declared)
        html, pdf_path, executed = out / f"{nb.stem}.html", out / f"{nb.stem}.pdf", out / "executed" / nb.name
        for path in (html, pdf_path, executed):  # no report from an earlier run passes for this one's
            path.unlink(missing_ok=True)
        missing = [t for t in requires if t not in present]
        if missing:
            result = ReportResult(nb, "skipped", missing_tables_reason(missing), ignored_parameters=ignored)
        else:
            try:
                run_notebook(nb, executed, {k: v for k, v in params.items() if k in declared})
                written = [export_html(executed, html, paper=paper, date=today)]
                if pdf:
                    written.append(export_pdf(html, pdf_path))
                result = ReportResult(nb, "ran", files=written, executed=executed, ignored_parameters=ignored)
            except Exception as exc:  # one notebook's failure must not stop the others
                html.unlink(missing_ok=True)
                result = ReportResult(nb, "failed", describe_failure(exc, nb),
                                      executed=executed if executed.exists() else None, ignored_parameters=ignored)
        results.append(result)
        if progress is not None:
            progress(result)
    return results


def _parse_value(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def _json_mapping(text: str) -> dict:
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not JSON ({exc}): {text}") from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError(f"expected a JSON object such as '{{\"transactions\": \"orders.csv\"}}', "
                                         f"got {text}")
    return value


#: The run parameters that say how a folder is read, and so what ``check`` passes on to the load.
_READING_PARAMETERS = ("columns", "files", "as_of", "company", "currency", "goals", "load_options")


def _print_check(args: argparse.Namespace) -> int:
    """``cxkit check``: check the folder with the run's reading parameters, print the result, return the exit code."""
    params = {k: _parse_value(v) for k, v in args.param}
    for name in ("files", "columns", "as_of"):
        value = getattr(args, name)
        if value is not None:
            if params.get(name) not in (None, value):
                print(f"cxkit: {name} is given twice, as --{name.replace('_', '-')} and -p {name}, with different "
                      "values", file=sys.stderr)
                return 2
            params[name] = value
    load_options = params.pop("load_options", None) or {}
    if not isinstance(load_options, dict):
        print(f"cxkit: load_options must be a JSON object such as '{{\"dayfirst\": true}}', got {load_options!r}",
              file=sys.stderr)
        return 2
    for name in sorted(set(params) - set(_READING_PARAMETERS)):
        print(f"note: '{name}' does not change how the folder is read: not checked")
    reading = {k: v for k, v in params.items() if k in _READING_PARAMETERS}
    result = folder_check.check_folder(args.data_dir, **reading, **load_options)
    print(folder_check.check_text(result))
    return 0 if result.ok else 1


def main(argv: Sequence[str] | None = None) -> int:
    """The command line: ``run`` (reports), ``check`` (a folder's problems, all at once), ``execute`` (refresh).

    ``run`` exits with 0 when every requested notebook ran or was skipped for an absent
    table, 1 when any failed, and 2 when the folder or the arguments are unusable.
    ``check`` exits with 0 when the folder loads with no problem, 1 when it lists problems,
    and 2 when the arguments are unusable.
    """
    parser = argparse.ArgumentParser(prog="cxkit", description="Run cxkit notebooks and export reports.")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="execute notebooks on a data folder and write HTML reports")
    run.add_argument("--data-dir", default="data/sample")
    run.add_argument("--out", default="reports")
    run.add_argument("--pdf", action="store_true", help="also write PDF (needs Chromium)")
    run.add_argument("--paper", default="a4", type=str.lower, choices=sorted(PAPER_SIZES),
                     help="page size of the reports: A4 (default) or Letter")
    run.add_argument("--files", type=_json_mapping, default=None, metavar="JSON",
                     help="file names by table, e.g. '{\"transactions\": \"orders.csv\"}'")
    run.add_argument("--columns", type=_json_mapping, default=None, metavar="JSON",
                     help="your column names mapped to cxkit's, e.g. '{\"cust_no\": \"customer_id\"}'")
    run.add_argument("-p", "--param", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                     help="extra notebook parameter (JSON values are parsed)")
    run.add_argument("notebooks", nargs="*", help="notebooks to run: 03, 03_clv_segmentation or a path "
                                                  "(default: all)")
    check = sub.add_parser("check", help="check a data folder and list every problem at once, before a run")
    check.add_argument("data_dir", metavar="DIR", help="the data folder")
    check.add_argument("--files", type=_json_mapping, default=None, metavar="JSON",
                       help="file names by table, as for run")
    check.add_argument("--columns", type=_json_mapping, default=None, metavar="JSON",
                       help="your column names mapped to cxkit's, as for run")
    check.add_argument("--as-of", default=None, metavar="DATE", help="analysis date (default: last date of activity)")
    check.add_argument("-p", "--param", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                       help="a run parameter that says how the folder is read: load_options, as_of, company, "
                            "currency, goals (JSON values are parsed)")
    ex = sub.add_parser("execute", help="re-execute notebooks in place (refresh stored outputs)")
    ex.add_argument("notebooks", nargs="*")
    args = parser.parse_args(argv)
    if args.command == "check":
        return _print_check(args)
    if args.command == "execute":
        try:
            chosen = [resolve_notebook(n) for n in args.notebooks] or find_notebooks()
        except ValueError as exc:
            print(f"cxkit: {exc}", file=sys.stderr)
            return 2
        for nb in chosen:
            print(execute_in_place(nb))
        return 0

    params = {k: _parse_value(v) for k, v in args.param}
    try:
        results = run_reports(args.data_dir, args.out, notebooks=args.notebooks or None, parameters=params,
                              files=args.files, columns=args.columns, pdf=args.pdf, paper=args.paper,
                              progress=lambda r: print(r, flush=True))
    except (DataError, ValueError, RuntimeError) as exc:
        print(f"cxkit: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    unused = set(params).intersection(*(r.ignored_parameters for r in results)) if results else set()
    for name in sorted(unused):
        print(f"note: '{name}' is not a parameter of {' or '.join(r.name for r in results)}: ignored")
    counts = {s: sum(r.status == s for r in results) for s in ("ran", "skipped", "failed")}
    print(f"{len(results)} notebook{'s' if len(results) != 1 else ''}: "
          + ", ".join(f"{n} {s}" for s, n in counts.items()))
    return 1 if counts["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
