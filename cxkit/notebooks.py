"""The kit's notebooks: where they are, in reading order, and the tables each needs.

A notebook states the tables it needs in its metadata (``{"cxkit": {"requires":
["transactions"]}}``); the report runner and ``cxkit check`` read it from here to say
which notebooks can run on a folder, and why the others cannot. A notebook that can work
from one of several tables lists them under ``requires_any`` (notebook 03: a transaction
log, or a customers table for subscription CLV). It may also name its
report file (``{"cxkit": {"report_name": "board_report"}}``: ``board_report.html``).

Example
-------
>>> [p.name for p in find_notebooks()][:1]
['00_cx_metrics_and_gap.ipynb']
"""
from __future__ import annotations

import json
import re
from collections.abc import Collection, Sequence
from pathlib import Path

from cxkit.files import TABLE_NAMES

__all__ = ["NOTEBOOK_DIR", "find_notebooks", "resolve_notebook", "notebook_requirements", "notebook_report_name",
           "missing_tables_reason", "missing_tables"]

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"


def find_notebooks(folder: str | Path = NOTEBOOK_DIR) -> list[Path]:
    """The numbered notebooks of ``folder`` in reading order (``00_...``, ``01_...``)."""
    return sorted(p for p in Path(folder).glob("[0-9][0-9]_*.ipynb"))


def resolve_notebook(name: str | Path, folder: str | Path = NOTEBOOK_DIR) -> Path:
    """The notebook meant by ``name``: ``03``, ``03_clv_segmentation``, ``03_clv_segmentation.ipynb`` or a path.

    Example
    -------
    >>> resolve_notebook("03").name
    '03_clv_segmentation.ipynb'
    """
    path = Path(name)
    if path.suffix == ".ipynb" and path.is_file():
        return path.resolve()
    key = path.name[: -len(".ipynb")] if path.name.endswith(".ipynb") else path.name
    known = find_notebooks(folder)
    matches = [p for p in known if p.stem == key] or [p for p in known if p.stem.split("_", 1)[0] == key]
    if len(matches) == 1 and (len(path.parts) == 1 or path.parent.resolve() == Path(folder).resolve()):
        return matches[0]
    names = ", ".join(p.stem for p in known)
    if len(matches) > 1:
        raise ValueError(f"notebook '{name}' is ambiguous: it could be {', '.join(p.stem for p in matches)}")
    raise ValueError(f"no notebook '{name}': give a number, a name or a path (notebooks: {names})")


def notebook_requirements(notebook: str | Path) -> list[str]:
    """The tables a notebook needs, from its metadata ``{"cxkit": {"requires": [...]}}``.

    Example
    -------
    >>> notebook_requirements(resolve_notebook("01"))
    ['customers']
    """
    return _tables(notebook, "requires")


def _tables(notebook: str | Path, key: str) -> list[str]:
    meta = json.loads(Path(notebook).read_text(encoding="utf-8")).get("metadata", {})
    requires = list(meta.get("cxkit", {}).get(key, []))
    unknown = [t for t in requires if t not in TABLE_NAMES]
    if unknown:
        raise ValueError(f"{Path(notebook).name} requires unknown table(s) {unknown}; tables are {list(TABLE_NAMES)}")
    return requires


_REPORT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def notebook_report_name(notebook: str | Path) -> str:
    """The name of a notebook's report files: its metadata's ``report_name``, else the notebook's own name.

    Why it matters: the board report is handed round as ``board_report.pdf``, not as the
    notebook's file name. A name that is not a plain file name (a path, a space) is a ``ValueError``.

    Example
    -------
    >>> notebook_report_name(resolve_notebook("03"))
    '03_clv_segmentation'
    """
    meta = json.loads(Path(notebook).read_text(encoding="utf-8")).get("metadata", {})
    name = meta.get("cxkit", {}).get("report_name")
    if name is None:
        return Path(notebook).stem
    if not isinstance(name, str) or not _REPORT_NAME.match(name) or name.endswith((".html", ".pdf", ".pptx")):
        raise ValueError(f"{Path(notebook).name}: report_name must be a plain file name without extension, such as "
                         f"'board_report'; got {name!r}")
    return name


def missing_tables(notebook: str | Path, present: Collection[str]) -> list[str]:
    """What a notebook needs that a folder with the tables ``present`` lacks: [] when it can run.

    Every table of ``requires`` must be present, and at least one of ``requires_any`` when
    the notebook lists them (missing, they are named together: ``"transactions or customers"``).

    Example
    -------
    >>> missing_tables(resolve_notebook("03"), {"surveys"})
    ['transactions or customers']
    >>> missing_tables(resolve_notebook("03"), {"customers"})
    []
    """
    missing = [t for t in notebook_requirements(notebook) if t not in present]
    any_of = _tables(notebook, "requires_any")
    if any_of and not any(t in present for t in any_of):
        missing.append(" or ".join(any_of))
    return missing


def missing_tables_reason(missing: Sequence[str]) -> str:
    """Why a notebook cannot run: the tables it needs that the folder does not have, in words.

    Example
    -------
    >>> missing_tables_reason(["surveys", "contacts"])
    'needs the tables surveys and contacts, which the folder does not have'
    """
    if len(missing) == 1:
        return f"needs the table {missing[0]}, which the folder does not have"
    return (f"needs the tables {', '.join(missing[:-1])} and {missing[-1]}, "
            "which the folder does not have")
