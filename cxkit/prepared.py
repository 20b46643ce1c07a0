"""A data folder loaded once for a whole report run: the snapshot file and the key it was made under.

On a company with a million customers, loading the folder is most of a report run; five
notebooks loading it five times is most of the afternoon. ``cxkit report`` loads the folder
once, writes it here as a snapshot (:func:`write_snapshot`) and passes its path to each
notebook as the parameter ``prepared``; :func:`cxkit.load_folder` takes the folder from the
snapshot only when it was made from the same folder, read the same way, with every data file
unchanged (:func:`snapshot_key`), and otherwise says why and loads afresh
(:func:`read_snapshot` gives the reason).

The snapshot is a pickle, written and read by the same run on the same machine: it is not an
exchange format, and one from elsewhere must not be given.

Example
-------
>>> key = snapshot_key("data/sample")
>>> sorted(key), "customers.csv" in key["files"]
(['files', 'folder', 'reading'], True)
"""
from __future__ import annotations

import json
import pickle
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cxkit.data.settings import read_settings
from cxkit.errors import DataError
from cxkit.files import find_table_files

__all__ = ["SNAPSHOT_FILE", "snapshot_key", "write_snapshot", "read_snapshot"]

#: Where ``cxkit report`` keeps the snapshot, under its output folder.
SNAPSHOT_FILE = Path(".cxkit") / "folder.pickle"

_FORMAT = 1


def _canonical(value: Any) -> Any:
    """``value`` as plain JSON data, keys sorted: equal reading parameters give equal keys however they were written."""
    return json.loads(json.dumps(value, sort_keys=True, default=str))


def _stat(path: Path) -> list[int]:
    info = path.stat()
    return [info.st_size, info.st_mtime_ns]


def _file_stats(folder: Path, files: Mapping[str, str] | None) -> dict[str, list[int]]:
    """Size and modification time of every file a load of ``folder`` may read, by path relative to it.

    The folder's own files (tables, the settings file, files a load notes as not read) and
    every file inside a table given as a folder of parts (``transactions/``).
    """
    if not folder.is_dir():
        return {}
    stats = {p.name: _stat(p) for p in sorted(folder.iterdir()) if p.is_file()}
    try:
        named = files if files is not None else read_settings(folder).files
        sources = find_table_files(folder, named)
    except (DataError, OSError, TypeError):  # the load itself will say what is wrong
        sources = {}
    for source in sources.values():
        if Path(source).is_dir():
            stats.update({str(p.relative_to(folder)): _stat(p) for p in sorted(Path(source).rglob("*"))
                          if p.is_file()})
    return stats


def snapshot_key(
    path: str | Path,
    *,
    columns: Mapping[str, Any] | None = None,
    files: Mapping[str, str] | None = None,
    as_of: Any = None,
    load_options: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """What a load of a folder depends on: the folder, the reading parameters, each data file's size and time.

    Why it matters: a folder taken from a snapshot must be the one the notebook would have
    loaded itself; a key that differs in anything (a column mapping, an edited file) means
    the snapshot is not used. ``company``, ``currency`` and ``goals`` are not part of it: they
    change what a report says about the data, not how it is read, and
    :func:`cxkit.load_folder` applies them after taking the folder from a snapshot.

    Parameters
    ----------
    path : the data folder (resolved: a relative and an absolute path to one folder give one key).
    columns, files, as_of : as for :func:`cxkit.load_folder` (an empty mapping is the same as None).
    load_options : the reading options, as ``**load_options`` of :func:`cxkit.load_folder`.

    Returns
    -------
    dict with ``folder``, ``reading`` and ``files`` (name -> [size in bytes, modification time in ns]).

    Example
    -------
    >>> snapshot_key("data/sample", columns={}) == snapshot_key("data/sample")
    True
    >>> snapshot_key("data/sample", as_of="2025-06-30") == snapshot_key("data/sample")
    False
    """
    folder = Path(path).resolve()
    reading = {"columns": columns or None, "files": files or None, "as_of": as_of,
               "load_options": dict(load_options or {})}
    return {"folder": str(folder), "reading": _canonical(reading), "files": _file_stats(folder, files or None)}


def write_snapshot(folder: Any, key: Mapping[str, Any], path: str | Path) -> Path:
    """Write a loaded folder to ``path`` with the key it was loaded under (:func:`snapshot_key`).

    Raises what pickling raises (``TypeError``, ``pickle.PicklingError``, ``AttributeError``)
    when the folder holds something that cannot be written, such as a Spark session; no
    file is left behind then.

    Example
    -------
    >>> import cxkit, tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     snapshot = write_snapshot(cxkit.load_folder("data/sample"), snapshot_key("data/sample"),
    ...                               Path(tmp) / "folder.pickle")
    ...     folder, why = read_snapshot(snapshot, snapshot_key("data/sample"))
    >>> len(folder.customers), why
    (5000, '')
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("wb") as f:
            pickle.dump({"format": _FORMAT, "key": dict(key), "folder": folder}, f, protocol=pickle.HIGHEST_PROTOCOL)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def _difference(made: Mapping[str, Any], wanted: Mapping[str, Any]) -> str:
    """In words, why a snapshot made under key ``made`` is not the load asked for (``wanted``)."""
    if made.get("folder") != wanted.get("folder"):
        return f"it was made from another folder ({made.get('folder')}, not {wanted.get('folder')})"
    made_reading, wanted_reading = made.get("reading", {}), wanted.get("reading", {})
    changed = [k for k in sorted(set(made_reading) | set(wanted_reading))
               if made_reading.get(k) != wanted_reading.get(k)]
    if changed:
        return ("it was made with other reading parameters ("
                + "; ".join(f"{k}: {made_reading.get(k)!r} there, {wanted_reading.get(k)!r} here" for k in changed)
                + ")")
    made_files, wanted_files = made.get("files", {}), wanted.get("files", {})
    changed = sorted(n for n in set(made_files) | set(wanted_files) if made_files.get(n) != wanted_files.get(n))
    if changed:
        shown = ", ".join(changed[:5]) + (f" and {len(changed) - 5} more" if len(changed) > 5 else "")
        return f"files of the folder were added, removed or changed since it was made ({shown})"
    return ""


def read_snapshot(path: str | Path, key: Mapping[str, Any]) -> tuple[Any | None, str]:
    """The folder in the snapshot at ``path`` when it was made under ``key``; else None and the reason, in words.

    Parameters
    ----------
    path : the snapshot file (written by :func:`write_snapshot`).
    key : :func:`snapshot_key` of the load asked for.

    Returns
    -------
    (folder, "") when the snapshot matches; (None, why) when it is missing, unreadable or
    made from another folder, other reading parameters or files that changed since.

    Example
    -------
    >>> read_snapshot("no/such/folder.pickle", snapshot_key("data/sample"))
    (None, 'no snapshot at no/such/folder.pickle')
    """
    path = Path(path)
    if not path.is_file():
        return None, f"no snapshot at {path}"
    try:
        with path.open("rb") as f:
            stored = pickle.load(f)
    except Exception as exc:  # a snapshot cut short or from another version of the kit
        return None, f"the snapshot {path} cannot be read ({type(exc).__name__}: {exc})"
    if not isinstance(stored, dict) or stored.get("format") != _FORMAT:
        return None, f"{path} is not a snapshot of this version of cxkit"
    why = _difference(stored.get("key", {}), _canonical(dict(key)))
    return (None, why) if why else (stored["folder"], "")
