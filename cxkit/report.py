"""The command line: ``cxkit report DIR`` (every report from one data folder), ``cxkit check DIR``, ``execute``.

``cxkit report DIR`` loads and validates the folder once, before any notebook runs: a
folder that does not load gets the full :func:`cxkit.check.check_folder` listing of its
problems and exit code 2, with no notebook run. A folder that loads gets a short account
(what was loaded per table, rows left out and why, the settings used, which notebooks run
and which are skipped and why); the loaded folder is written once to a snapshot under
``OUT/.cxkit/`` (:mod:`cxkit.prepared`) and handed to every notebook as the parameter
``prepared``, so no notebook reads the files again. Then each notebook runs
(:func:`cxkit.runner.run_reports`), one line as it starts and ends, and is written as
code-free HTML (:mod:`cxkit.export`), PDF with ``--pdf`` where Chromium is installed.

The running and exporting functions are importable from here as well
(``from cxkit.report import run_reports, export_html``).

Example
-------
>>> main(["check", "data/does-not-exist"])  # doctest: +ELLIPSIS
Checked data/does-not-exist: 1 problem.
...
1

From the shell: ``cxkit report my_data --out reports --pdf`` (or
``python -m cxkit.report report my_data``); ``cxkit check my_data``.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from cxkit import check as folder_check
from cxkit.data import TABLES
from cxkit.errors import DataError
from cxkit.export import (
    PAPER_SIZES,
    PDF_HOW_TO,
    export_html,
    export_pdf,
    find_chromium,
    paper_size,
    report_cells,
    report_title,
)
from cxkit.folder import CXFolder, load_folder
from cxkit.notebooks import (
    NOTEBOOK_DIR,
    find_notebooks,
    missing_tables,
    missing_tables_reason,
    notebook_report_name,
    notebook_requirements,
    resolve_notebook,
)
from cxkit.prepared import SNAPSHOT_FILE, snapshot_key, write_snapshot
from cxkit.runner import (
    QUIET_KERNEL,
    ReportResult,
    describe_failure,
    execute_in_place,
    notebook_parameters,
    run_notebook,
    run_reports,
    tables_present,
)
from cxkit.training.student import TRAINING_DIR, student_copies

__all__ = ["NOTEBOOK_DIR", "ReportResult", "find_notebooks", "resolve_notebook", "notebook_requirements",
           "notebook_report_name", "notebook_parameters", "execute_in_place", "run_notebook", "report_title",
           "report_cells", "export_html", "export_pdf", "PAPER_SIZES", "QUIET_KERNEL", "describe_failure",
           "tables_present", "run_reports", "prepare_folder", "main"]

#: Kept for code that looked the browser up here: :func:`cxkit.export.find_chromium`.
_chromium = find_chromium

#: The run parameters that say how a folder is read (the snapshot's key holds these).
_READING = ("columns", "files", "as_of")
#: The run parameters that say what the reports say about the data (applied on top of a load).
_SETTINGS = ("company", "currency", "goals")
#: The run parameters that say how a folder is read, and so what ``check`` passes on to the load.
_READING_PARAMETERS = (*_READING, *_SETTINGS, "load_options")
#: Errors that mean the folder does not load (a DataError is a ValueError; a misspelt reading
#: option is a TypeError; an unreadable file an OSError): ``cxkit check`` lists them all.
_LOAD_PROBLEMS = (ValueError, TypeError, OSError)


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


def _parameters(args: argparse.Namespace, flags: Sequence[str]) -> dict[str, Any]:
    """The run's parameters: ``-p NAME VALUE`` then the named flags; a ``ValueError`` when one is given twice."""
    params = {k: _parse_value(v) for k, v in args.param}
    for name in flags:
        value = getattr(args, name, None)
        if value is not None:
            if params.get(name) not in (None, value):
                raise ValueError(f"{name} is given twice, as --{name.replace('_', '-')} and -p {name}, with "
                                 "different values")
            params[name] = value
    load_options = params.get("load_options")
    if load_options is not None and not isinstance(load_options, dict):
        raise ValueError(f"load_options must be a JSON object such as '{{\"dayfirst\": true}}', got {load_options!r}")
    return params


def _print_check(args: argparse.Namespace) -> int:
    """``cxkit check``: check the folder with the run's reading parameters, print the result, return the exit code."""
    try:
        params = _parameters(args, ("files", "columns", "as_of"))
    except ValueError as exc:
        print(f"cxkit: {exc}", file=sys.stderr)
        return 2
    load_options = params.pop("load_options", None) or {}
    for name in sorted(set(params) - set(_READING_PARAMETERS)):
        print(f"note: '{name}' does not change how the folder is read: not checked")
    reading = {k: v for k, v in params.items() if k in _READING_PARAMETERS}
    result = folder_check.check_folder(args.data_dir, **reading, **load_options)
    print(folder_check.check_text(result))
    return 0 if result.ok else 1


def prepare_folder(data_dir: str | Path, parameters: dict[str, Any] | None = None) -> tuple[CXFolder, CXFolder]:
    """Load a folder once for a whole run: as every notebook reads it, and with the run's settings on top.

    Why it matters: the notebooks of a run take the folder from this one load instead of
    reading the files again each. The first folder returned is read with the run's reading
    parameters only (``columns``, ``files``, ``as_of``, ``load_options``): what the snapshot
    holds, since a notebook that does not declare ``currency`` must not get the run's. The
    second has the run's ``company``, ``currency`` and ``goals`` applied, as
    :func:`cxkit.load_folder` applies them: what the run's account shows.

    Parameters
    ----------
    data_dir : the data folder.
    parameters : the run's parameters (others than the reading ones and the settings are ignored here).

    Returns
    -------
    (as read, with the run's settings): two :class:`cxkit.folder.CXFolder` sharing their tables.

    Raises
    ------
    cxkit.DataError (or ``TypeError``, ``OSError``) : the folder does not load.

    Example
    -------
    >>> read, shown = prepare_folder("data/sample", {"currency": "$", "n_boot": 50})
    >>> read.settings.currency, shown.settings.currency
    ('£', '$')
    """
    params = dict(parameters or {})
    reading = {k: params.get(k) for k in _READING}
    read = load_folder(data_dir, **reading, **(params.get("load_options") or {}))
    settings = read.settings.given(**{k: params.get(k) for k in _SETTINGS})
    return read, replace(read, settings=settings)


def _present(data: CXFolder) -> set[str]:
    return {t for t in TABLES if getattr(data, t) is not None} | ({"transactions"} if data.has_transactions else set())


def _plan_text(paths: Sequence[Path], present: set[str], only: bool) -> list[str]:
    """Which notebooks will run and which are skipped, and why."""
    lines = ["", "Notebooks"]
    for nb in paths:
        missing = missing_tables(nb, present)
        lines.append(f"   skipped  {nb.stem}: {missing_tables_reason(missing)}" if missing
                     else f"   runs     {nb.stem}")
    if only:
        asked = {p.resolve() for p in paths}
        left = [p.stem for p in find_notebooks() if p.resolve() not in asked]
        if left:
            lines.append(f"   not asked for (--only): {', '.join(left)}")
    return lines


def _snapshot(read: CXFolder, data_dir: str, params: dict[str, Any], out: Path) -> Path | None:
    """Write the folder as read to ``out/.cxkit/``; None, with a note, when it cannot be written."""
    key = snapshot_key(data_dir, **{k: params.get(k) for k in _READING}, load_options=params.get("load_options"))
    try:
        return write_snapshot(read, key, out / SNAPSHOT_FILE)
    except Exception as exc:  # e.g. a transaction log read by a Spark session, which cannot be written
        print(f"note: the loaded folder cannot be handed to the notebooks ({type(exc).__name__}: "
              f"{' '.join(str(exc).split())[:200]}): each notebook loads the folder itself")
        return None


def _only(text: list[str] | None) -> list[Path] | None:
    """The notebooks ``--only`` names (numbers or names, separated by commas), in reading order."""
    if not text:
        return None
    names = [n.strip() for part in text for n in part.split(",") if n.strip()]
    chosen = {resolve_notebook(n) for n in names}
    return sorted(chosen, key=lambda p: p.name)


def _deck_note(paths: Sequence[Path], present: set[str]) -> str | None:
    """Why ``--pptx`` writes no deck on this run, or None when a notebook of the run writes one."""
    declaring = [p for p in paths if "deck_path" in notebook_parameters(p)]
    runs = [p for p in declaring if not missing_tables(p, present)]
    if runs:
        return None
    if declaring:
        return (f"note: --pptx: no deck was written: {', '.join(p.stem for p in declaring)} (which writes it) "
                "cannot run on this folder")
    return "note: --pptx: no deck was written: no notebook of this run writes one (none declares deck_path)"


def _starting(position: int, total: int, notebook: Path, *, newline: bool) -> None:
    print(f"[{position}/{total}] {notebook.stem} ...", end="\n" if newline else "", flush=True)


def _ended(result: ReportResult, *, newline: bool) -> None:
    lead = f"   {result.name}" if newline else ""
    if result.status == "ran":
        where = ", ".join(str(f) for f in result.files)
        print(f"{lead} ran in {result.seconds:.0f} s -> {where}", flush=True)
    elif result.status == "skipped":
        print(f"{lead} skipped: {result.reason}", flush=True)
    else:
        text = f"{lead} failed after {result.seconds or 0:.0f} s: {result.reason}"
        if result.executed is not None:
            text += f"\n(full traceback in {result.executed})"
        print(text.replace("\n", "\n      "), flush=True)


def _print_report(args: argparse.Namespace) -> int:
    """``cxkit report``: load and check once, say what was loaded, run every notebook on the snapshot."""
    try:
        params = _parameters(args, ("files", "columns"))
        paths = _only(args.only) or find_notebooks()
        paper_size(args.paper)
    except ValueError as exc:
        print(f"cxkit: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    out, data_dir = Path(args.out), str(args.data_dir)
    start = time.perf_counter()
    try:
        read, shown = prepare_folder(data_dir, params)
    except _LOAD_PROBLEMS as exc:
        check = folder_check.check_folder(data_dir, **{k: params.get(k) for k in _READING_PARAMETERS
                                                      if k != "load_options"}, **(params.get("load_options") or {}))
        print(folder_check.check_text(check))
        if check.ok:  # the check loads what the run could not: say what the run met
            print(f"\ncxkit: {type(exc).__name__}: {' '.join(str(exc).split())}")
        print("\nNo notebook was run: the folder does not load.")
        return 2
    present = _present(shown)
    print(f"Read {data_dir} in {time.perf_counter() - start:.1f} s, once for every notebook\n")
    print("\n".join([*folder_check.loaded_text(shown), *_plan_text(paths, present, bool(args.only))]))
    snapshot = _snapshot(read, data_dir, params, out)
    pdf = args.pdf
    if pdf and find_chromium() is None:
        print(f"note: {PDF_HOW_TO}; this run writes HTML only")
        pdf = False
    note = _deck_note(paths, present) if args.pptx else None
    if note:
        print(note)
    print()
    bar = sys.stderr.isatty()
    results = run_reports(data_dir, out, notebooks=paths, parameters=params, pdf=pdf, paper=args.paper,
                          prepared=snapshot, deck=args.pptx, tables=present, progress_bar=bar,
                          starting=lambda i, n, nb: _starting(i, n, nb, newline=bar),
                          progress=lambda r: _ended(r, newline=bar))
    return _summary(results, params)


def _summary(results: Sequence[ReportResult], params: dict[str, Any]) -> int:
    """Print the parameters no notebook took and the counts; the exit code (1 when any notebook failed)."""
    unused = set(params).intersection(*(r.ignored_parameters for r in results)) if results else set()
    for name in sorted(unused):
        print(f"note: '{name}' is not a parameter of {' or '.join(r.name for r in results)}: ignored")
    counts = {s: sum(r.status == s for r in results) for s in ("ran", "skipped", "failed")}
    print(f"{len(results)} notebook{'s' if len(results) != 1 else ''}: "
          + ", ".join(f"{n} {s}" for s, n in counts.items()))
    return 1 if counts["failed"] else 0


def _print_run(args: argparse.Namespace) -> int:
    """``run``: every notebook loads the folder itself (``report`` loads it once); one line per notebook."""
    params = {k: _parse_value(v) for k, v in args.param}
    try:
        results = run_reports(args.data_dir, args.out, notebooks=args.notebooks or None, parameters=params,
                              files=args.files, columns=args.columns, pdf=args.pdf, paper=args.paper,
                              progress=lambda r: print(r, flush=True))
    except (DataError, ValueError, RuntimeError) as exc:
        print(f"cxkit: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    return _summary(results, params)


def _reading_flags(parser: argparse.ArgumentParser, *, run: bool = True) -> None:
    """The flags that say how a folder is read, shared by ``report``, ``run`` and ``check``."""
    parser.add_argument("--files", type=_json_mapping, default=None, metavar="JSON",
                        help="file names by table, e.g. '{\"transactions\": \"orders.csv\"}'")
    parser.add_argument("--columns", type=_json_mapping, default=None, metavar="JSON",
                        help="your column names mapped to cxkit's, e.g. '{\"cust_no\": \"customer_id\"}'")
    parser.add_argument("-p", "--param", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                        help="a notebook parameter, e.g. -p as_of 2025-06-30 (JSON values are parsed)" if run else
                        "a run parameter that says how the folder is read: load_options, as_of, company, "
                        "currency, goals (JSON values are parsed)")


def _report_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", default="reports", help="the folder the reports are written to (default: reports)")
    parser.add_argument("--pdf", action="store_true", help="also write PDF (needs Chromium)")
    parser.add_argument("--paper", default="a4", type=str.lower, choices=sorted(PAPER_SIZES),
                        help="page size of the reports: A4 (default) or Letter")
    _reading_flags(parser)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cxkit", description="Run cxkit notebooks and export reports.")
    sub = parser.add_subparsers(dest="command", required=True)
    report = sub.add_parser("report", help="load and check a data folder once, then write every report from it")
    report.add_argument("data_dir", metavar="DIR", help="the data folder")
    report.add_argument("--pptx", action="store_true", help="also write the slide deck, where a notebook makes one")
    report.add_argument("--only", action="append", metavar="NN,...",
                        help="run only these notebooks: numbers or names separated by commas, e.g. 01,03")
    _report_flags(report)
    run = sub.add_parser("run", help="execute notebooks on a data folder (each loads it) and write HTML reports")
    run.add_argument("--data-dir", default="data/sample")
    _report_flags(run)
    run.add_argument("notebooks", nargs="*", help="notebooks to run: 03, 03_clv_segmentation or a path "
                                                  "(default: all)")
    check = sub.add_parser("check", help="check a data folder and list every problem at once, before a run")
    check.add_argument("data_dir", metavar="DIR", help="the data folder")
    check.add_argument("--as-of", default=None, metavar="DATE", help="analysis date (default: last date of activity)")
    _reading_flags(check, run=False)
    ex = sub.add_parser("execute", help="re-execute notebooks in place (refresh stored outputs)")
    ex.add_argument("notebooks", nargs="*")
    training = sub.add_parser("training", help="the training path: write the learner's copies of its notebooks")
    student = training.add_subparsers(dest="action", required=True).add_parser(
        "student", help="write the learner's copies (no answers, no hidden tests, no outputs) into DIR")
    student.add_argument("out_dir", metavar="DIR", help="the folder the copies are written to")
    student.add_argument("--source", default=str(TRAINING_DIR), metavar="DIR",
                         help="the trainer's notebooks (default: notebooks/training)")
    student.add_argument("--data-dir", default=None, metavar="DIR",
                         help="the data folder the copies read (default: the one the notebooks read)")
    return parser


def _print_training(args: argparse.Namespace) -> int:
    """``training student DIR``: write the learner's copies, one line each; 2 when they cannot be written."""
    try:
        copies = student_copies(args.source, out_dir=args.out_dir, data_dir=args.data_dir)
    except (DataError, OSError) as exc:
        print(f"cxkit: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    for path in copies:
        print(f"{path}: the learner's copy of {Path(args.source) / path.name}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """The command line: ``report`` (every report, the folder loaded once), ``check``, ``run``, ``execute``,
    ``training student DIR`` (the learner's copies of the training notebooks, one line each).

    ``report`` exits with 0 when every requested notebook ran or was skipped for an absent
    table, 1 when any failed, and 2 when the folder does not load (its problems listed, no
    notebook run) or the arguments are unusable. ``run`` (each notebook loads the folder
    itself) exits the same way, with one line for an unusable folder. ``check`` exits with 0
    when the folder loads with no problem, 1 when it lists problems, and 2 when the arguments
    are unusable. ``training student`` exits with 0 when every copy is written, 2 when none can be.
    """
    args = _parser().parse_args(argv)
    if args.command == "check":
        return _print_check(args)
    if args.command == "report":
        return _print_report(args)
    if args.command == "training":
        return _print_training(args)
    if args.command == "execute":
        try:
            chosen = [resolve_notebook(n) for n in args.notebooks] or find_notebooks()
        except ValueError as exc:
            print(f"cxkit: {exc}", file=sys.stderr)
            return 2
        for nb in chosen:
            print(execute_in_place(nb))
        return 0
    return _print_run(args)


if __name__ == "__main__":
    sys.exit(main())
