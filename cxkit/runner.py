"""Run the notebooks on a data folder with papermill, each with the parameters it declares.

A report is a notebook run on a data folder, exported with its code hidden
(:mod:`cxkit.export`). :func:`run_reports` does that for every numbered notebook whose
tables the folder has: papermill injects the parameters each notebook declares
(``data_dir``, ``files``, ``columns`` and any others), and the executed notebook is written
as code-free HTML (and PDF where Chromium is installed).

A notebook states the tables it needs in its metadata (``{"cxkit": {"requires":
["transactions"]}}``); a notebook whose tables are absent is skipped with that reason.
A notebook that fails is reported by its cell and error message, and the others still run.

Example
-------
>>> from cxkit.runner import run_reports
>>> for result in run_reports("data/sample", "reports"):  # doctest: +SKIP
...     print(result)
"""
from __future__ import annotations

import datetime as _dt
import json
import re
import time
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cxkit.data.settings import read_settings
from cxkit.export import export_html, export_pdf, find_chromium, paper_size
from cxkit.files import find_table_files
from cxkit.notebooks import (
    find_notebooks,
    missing_tables,
    missing_tables_reason,
    notebook_report_name,
    resolve_notebook,
)

__all__ = ["KERNEL", "QUIET_KERNEL", "ReportResult", "notebook_parameters", "execute_in_place", "run_notebook",
           "describe_failure", "tables_present", "run_reports"]

KERNEL = "python3"


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
    progress_bar: bool = False,
) -> Path:
    """Execute ``notebook`` with papermill, injecting ``parameters``, into ``output``.

    The notebook runs in its own folder, so its relative paths keep working.
    ``progress_bar`` shows papermill's bar of cells run (on standard error).
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
        progress_bar=progress_bar,
        execution_timeout=timeout,
        extra_arguments=QUIET_KERNEL,
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
    files : the reports written (HTML, then PDF when asked for, then the deck when the notebook wrote one).
    executed : the executed copy of the notebook (on failure it holds the full traceback).
    ignored_parameters : parameters given that this notebook does not declare (not injected).
    seconds : how long the notebook ran and was exported (None when skipped).
    """

    notebook: Path
    status: str
    reason: str = ""
    files: list[Path] = field(default_factory=list)
    executed: Path | None = None
    ignored_parameters: list[str] = field(default_factory=list)
    seconds: float | None = None

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
    prepared: str | Path | None = None,
    deck: bool = False,
    tables: Collection[str] | None = None,
    starting: Callable[[int, int, Path], Any] | None = None,
    progress_bar: bool = False,
) -> list[ReportResult]:
    """Run notebooks on ``data_dir`` and write code-free HTML (and PDF) reports to ``out``.

    Every notebook whose tables the folder has is run; one that needs an absent table
    is skipped with the reason, and one that fails is reported (cell and error message)
    without stopping the others. Each notebook receives only the parameters it declares.
    A skipped or failed notebook leaves no report in ``out``: an older report of the same
    name is removed, so that no report from other data passes for this run's. A notebook
    names its report files in its metadata (``report_name``), else they take its name.

    The folder's settings file (``cxkit.toml``: company, currency, goals, file and column
    names, reading options) is read by each notebook through
    :func:`cxkit.load_folder`; a parameter given here overrides it.

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
    prepared : a snapshot of the folder loaded once for the run (:mod:`cxkit.prepared`),
        given as the parameter ``prepared`` to every notebook that declares it.
    deck : give every notebook that declares ``deck_path`` the slide deck to write,
        ``out/<report name>.pptx``.
    tables : the tables the folder has (default: :func:`tables_present`, from its files).
    starting : called with (position, number of notebooks, notebook) as each one starts.
    progress_bar : show papermill's bar of cells run for each notebook (on standard error).

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
    paper_size(paper)
    paths = [resolve_notebook(n) for n in notebooks] if notebooks else find_notebooks()
    if pdf and find_chromium() is None:
        raise RuntimeError("PDF export needs Chromium: install it (e.g. `apt-get install chromium`) or leave out --pdf")
    present = set(tables) if tables is not None else set(tables_present(data_dir, params))
    plan = [(nb, missing_tables(nb, present), notebook_parameters(nb), notebook_report_name(nb)) for nb in paths]
    run = _Run(Path(out), params, prepared=prepared, deck=deck, pdf=pdf, paper=paper, progress_bar=progress_bar)
    results = []
    for i, (nb, missing, declared, report_name) in enumerate(plan, 1):
        if starting is not None:
            starting(i, len(plan), nb)
        result = run.notebook(nb, declared, report_name, missing)
        results.append(result)
        if progress is not None:
            progress(result)
    return results


@dataclass
class _Run:
    """One run of :func:`run_reports`: where its files go and what every notebook is given."""

    out: Path
    params: dict[str, Any]
    prepared: str | Path | None = None
    deck: bool = False
    pdf: bool = False
    paper: str = "A4"
    progress_bar: bool = False
    today: _dt.date = field(default_factory=_dt.date.today)

    def given(self, declared: Collection[str], report_name: str) -> dict[str, Any]:
        """The parameters one notebook is given: those it declares, the snapshot and the deck's path."""
        given = {k: v for k, v in self.params.items() if k in declared}
        if self.prepared is not None and "prepared" in declared:
            given["prepared"] = str(Path(self.prepared).resolve())
        if self.deck and "deck_path" in declared:
            given["deck_path"] = str((self.out / f"{report_name}.pptx").resolve())
        return given

    def notebook(self, nb: Path, declared: Collection[str], report_name: str, missing: list[str]) -> ReportResult:
        """Run one notebook and export its report; skipped when it needs a table the folder lacks."""
        ignored = sorted(k for k in self.params if k not in declared)
        html, pdf_path = self.out / f"{report_name}.html", self.out / f"{report_name}.pdf"
        deck, executed = self.out / f"{report_name}.pptx", self.out / "executed" / nb.name
        for path in (html, pdf_path, deck, executed):  # no report from an earlier run passes for this one's
            path.unlink(missing_ok=True)
        if missing:
            return ReportResult(nb, "skipped", missing_tables_reason(missing), ignored_parameters=ignored)
        start = time.perf_counter()
        try:
            run_notebook(nb, executed, self.given(declared, report_name), progress_bar=self.progress_bar)
            written = [export_html(executed, html, paper=self.paper, date=self.today)]
            if self.pdf:
                export_pdf(html, pdf_path)
                written.append(pdf_path)                      # as given, like the HTML (export_pdf resolves it)
        except Exception as exc:  # one notebook's failure must not stop the others
            html.unlink(missing_ok=True)
            return ReportResult(nb, "failed", describe_failure(exc, nb), executed=executed if executed.exists()
                                else None, ignored_parameters=ignored, seconds=time.perf_counter() - start)
        written += [deck] if deck.is_file() else []
        return ReportResult(nb, "ran", files=written, executed=executed, ignored_parameters=ignored,
                            seconds=time.perf_counter() - start)
