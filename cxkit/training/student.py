"""The learner's copies of the training notebooks: the answers and the hidden tests taken out.

A trainer hands each learner a copy of ``T1_metrics.ipynb`` ... ``T4_clv.ipynb`` in which
every exercise still asks its question and still calls ``check``, but holds no answer: the
lines between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` are gone (the answer cell keeps
its ``x = None   # your answer here`` line, so ``check`` says "not answered yet" and the copy
runs from top to bottom), the hidden tests between ``### BEGIN HIDDEN TESTS`` and ``### END
HIDDEN TESTS`` are gone (a cell left empty is dropped), outputs are cleared and the cells'
grading metadata is kept, so a trainer who grades with nbgrader can still collect and grade
the copies. Markdown cells are left as they are.

The copy reads its data from where the original does: the ``data_dir`` of its parameters
cell is rewritten to the absolute path of that folder (or of the folder given), so a copy
runs from whichever folder it is written to.

Example
-------
>>> nb = {"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": 3,
...                  "source": "x = None   # your answer here\\n### BEGIN SOLUTION\\nx = 42\\n### END SOLUTION\\n"
...                            "check('X.answer', x)"}],
...       "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
>>> print("".join(student_notebook(nb, name="X.ipynb")["cells"][0]["source"]))
x = None   # your answer here
check('X.answer', x)
"""
from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cxkit.errors import DataError, argument_error
from cxkit.notebooks import NOTEBOOK_DIR

__all__ = ["TRAINING_DIR", "MARKERS", "find_training_notebooks", "student_notebook", "student_copy",
           "student_copies"]

#: Where the four training notebooks live.
TRAINING_DIR = NOTEBOOK_DIR / "training"
#: The regions a learner's copy leaves out, as nbgrader marks them in code cells.
MARKERS = ("SOLUTION", "HIDDEN TESTS")

_MARKER = re.compile(r"^\s*#{2,}\s*(BEGIN|END)\s+(SOLUTION|HIDDEN TESTS)\b")
_DATA_DIR = re.compile(r"^(?P<head>\s*data_dir\s*=\s*)(?P<quote>[\"'])(?P<path>.*?)(?P=quote)", re.M)


def find_training_notebooks(folder: str | Path = TRAINING_DIR) -> list[Path]:
    """The training notebooks of ``folder`` (``T1_metrics.ipynb`` ... ``T4_clv.ipynb``), in session order.

    Example
    -------
    >>> find_training_notebooks("does-not-exist")
    []
    """
    return sorted(Path(folder).glob("T*.ipynb"))


def _where(name: str, index: int, cell: Mapping[str, Any]) -> str:
    grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
    return f"{name}, cell {index}" + (f" (id {cell['id']})" if cell.get("id") else "") + (
        f" (grade_id {grade_id})" if grade_id else "")


def _marker_error(where: str, problem: str) -> DataError:
    return DataError(f"{where}: {problem}; every '### BEGIN SOLUTION' needs its '### END SOLUTION' and every "
                     "'### BEGIN HIDDEN TESTS' its '### END HIDDEN TESTS', in the same cell, one region at a time",
                     table=where.split(",", 1)[0], column=where, rule="nbgrader markers")


def _strip_regions(text: str, where: str) -> tuple[str, set[str]]:
    """``text`` without its marked regions, and which kinds of region it held."""
    kept: list[str] = []
    found: set[str] = set()
    open_region: tuple[str, int] | None = None
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        match = _MARKER.match(line)
        if match is None:
            if open_region is None:
                kept.append(line)
            continue
        edge, kind = match.groups()
        if edge == "BEGIN" and open_region is not None:
            raise _marker_error(where, f"'### BEGIN {kind}' on line {number} opens inside the "
                                       f"'### BEGIN {open_region[0]}' of line {open_region[1]}")
        if edge == "END" and (open_region is None or open_region[0] != kind):
            raise _marker_error(where, f"'### END {kind}' on line {number} has no '### BEGIN {kind}' before it")
        open_region = (kind, number) if edge == "BEGIN" else None
        found.add(kind)
    if open_region is not None:
        raise _marker_error(where, f"'### BEGIN {open_region[0]}' on line {open_region[1]} has no "
                                   f"'### END {open_region[0]}'")
    result = "".join(kept)
    return (result if text.endswith("\n") else result.rstrip("\n")), found


def _with_data_dir(text: str, data_dir: Path) -> str:
    return _DATA_DIR.sub(lambda m: m.group("head") + json.dumps(str(data_dir)), text, count=1)


def student_notebook(notebook: Mapping[str, Any], *, name: str = "notebook",
                     data_dir: str | Path | None = None) -> dict[str, Any]:
    """The learner's copy of a notebook (as read from its JSON): answers and hidden tests out, outputs cleared.

    Why it matters: a learner who opens the trainer's notebook sees every answer; the copy
    asks the same questions and checks the same way, without them.

    Parameters
    ----------
    notebook : the notebook as a dict (``json.load`` of the ``.ipynb``); left unchanged.
    name : the notebook's name, for the error messages.
    data_dir : written as the value of ``data_dir`` in the cell tagged ``parameters``
        (``None``: that cell's value is kept).

    Returns
    -------
    A new notebook dict: in code cells, the lines from ``### BEGIN SOLUTION`` to ``### END
    SOLUTION`` and from ``### BEGIN HIDDEN TESTS`` to ``### END HIDDEN TESTS`` (markers
    included) removed, a cell left empty by its hidden tests dropped, outputs cleared and
    execution counts ``None``; metadata (nbgrader's included) and Markdown cells as they were.
    A marker without its end (or an end without its marker) is a :class:`cxkit.errors.DataError`
    naming the notebook and the cell.

    Example
    -------
    >>> cell = {"cell_type": "code", "metadata": {"tags": ["parameters"]}, "outputs": [], "execution_count": 1,
    ...         "source": ['data_dir = "../../data/sample"\\n', 'as_of = None']}
    >>> copy = student_notebook({"cells": [cell], "metadata": {}}, data_dir="/srv/data/sample")
    >>> copy["cells"][0]["source"]
    ['data_dir = "/srv/data/sample"\\n', 'as_of = None']
    """
    if not isinstance(notebook, Mapping) or not isinstance(notebook.get("cells"), list):
        raise DataError(f"{name} is not a Jupyter notebook (no list of cells)", table=name, rule="notebook format")
    out = copy.deepcopy(dict(notebook))
    cells = []
    for index, cell in enumerate(out["cells"], start=1):
        if cell.get("cell_type") != "code":
            cells.append(cell)
            continue
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else str(source)
        text, found = _strip_regions(text, _where(name, index, cell))
        if "HIDDEN TESTS" in found and not text.strip():
            continue
        if data_dir is not None and "parameters" in cell.get("metadata", {}).get("tags", []):
            text = _with_data_dir(text, Path(data_dir))
        cell["source"] = text.splitlines(keepends=True) if isinstance(source, list) else text
        cell["outputs"] = []
        cell["execution_count"] = None
        cell.get("metadata", {}).pop("execution", None)
        cells.append(cell)
    out["cells"] = cells
    return out


def _notebook_data_dir(notebook: Mapping[str, Any], folder: Path) -> Path | None:
    """The folder the ``data_dir`` of a notebook's parameters cell points to, resolved from the notebook's folder."""
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            source = cell.get("source", "")
            match = _DATA_DIR.search("".join(source) if isinstance(source, list) else str(source))
            if match is not None:
                return (folder / match.group("path")).resolve()
    return None


def _read(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise argument_error("notebook", f"no notebook at {path}")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise DataError(f"{path.name} is not a Jupyter notebook (not JSON: {exc})", table=path.name,
                        rule="notebook format") from None


def student_copy(notebook: str | Path, out: str | Path, *, data_dir: str | Path | None = None) -> Path:
    """Write the learner's copy of one training notebook (see :func:`student_notebook`).

    Why it matters: the copy a learner opens asks the questions and checks the answers,
    and runs from where it is written, reading the same data as the original.

    Parameters
    ----------
    notebook : the trainer's notebook, e.g. ``notebooks/training/T1_metrics.ipynb``.
    out : the copy's path, or a folder to write it into under the notebook's own name.
    data_dir : the data folder the copy reads (default: the folder the original's
        ``data_dir`` points to); written into the copy as an absolute path.

    Returns
    -------
    The path of the copy. Writing over the notebook itself is an
    :class:`cxkit.errors.ArgumentError`.

    Example
    -------
    >>> import tempfile
    >>> source = Path(tempfile.mkdtemp()) / "T9_demo.ipynb"
    >>> _ = source.write_text(json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    >>> student_copy(source, source.parent / "student").name
    'T9_demo.ipynb'
    """
    notebook, out = Path(notebook), Path(out)
    target = out / notebook.name if out.is_dir() or out.suffix != ".ipynb" else out
    if target.resolve() == notebook.resolve():
        raise argument_error("out", f"the learner's copy would overwrite {notebook}: write it to another folder")
    original = _read(notebook)
    folder = Path(data_dir).resolve() if data_dir is not None else _notebook_data_dir(original, notebook.parent)
    learner = student_notebook(original, name=notebook.name, data_dir=folder)
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", encoding="utf-8") as f:
        json.dump(learner, f, indent=1, ensure_ascii=False)
        f.write("\n")
    return target


def student_copies(source_dir: str | Path = TRAINING_DIR, *, out_dir: str | Path,
                   data_dir: str | Path | None = None) -> list[Path]:
    """Write the learner's copy of every training notebook (``T*.ipynb``) of ``source_dir`` into ``out_dir``.

    Why it matters: one call prepares the hand-outs of the whole training path.

    Parameters
    ----------
    source_dir : the folder of the trainer's notebooks (default ``notebooks/training``).
    out_dir : the folder the copies are written to (made if missing); not ``source_dir`` itself.
    data_dir : the data folder every copy reads (default: the one each original reads).

    Returns
    -------
    The paths of the copies, in session order. A folder with no ``T*.ipynb`` is an
    :class:`cxkit.errors.ArgumentError`.

    Example
    -------
    >>> student_copies("does-not-exist", out_dir="handouts")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    cxkit.errors.ArgumentError: table 'arguments', column 'source_dir': no training notebooks (T*.ipynb) in ...
    """
    notebooks = find_training_notebooks(source_dir)
    if not notebooks:
        raise argument_error("source_dir", f"no training notebooks (T*.ipynb) in {source_dir}: give the folder of "
                                           "T1_metrics.ipynb ... T4_clv.ipynb")
    return [student_copy(nb, Path(out_dir), data_dir=data_dir) for nb in notebooks]
