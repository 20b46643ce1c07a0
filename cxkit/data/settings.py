"""What a data folder is: the settings file ``cxkit.toml`` beside the tables.

A report on a company's data must name that company's currency and goals, never the
sample's. They belong to the data, so they live beside it in ``cxkit.toml``, together
with how the folder is read (file and column names, date rules) and, when wanted, a
fixed analysis date. :func:`cxkit.data.load_folder` reads the file; an argument given
to it (a notebook parameter, a command-line option) overrides the file; and
``CXData.settings`` records which value came from where, for the load report.

A folder without the file is fine: money is then shown as plain numbers in the data's
own unit, no goals are set, and no company is named.

The file (every entry optional)::

    company = "Harbour Lane"        # named in report titles and summaries
    currency = "£"                  # symbol or code put before money: "£", "$", "EUR"
    as_of = "2025-12-31"            # the analysis date (default: last date of activity)

    [goals]                         # the board's goals; a metric without one is not judged
    NPS = 35
    CSAT = 80                       # top-2-box %
    CES = 5.5                       # mean on 1-7

    [files]                         # file names by table, when they differ
    transactions = "orders.csv"

    [columns]                       # your column names -> cxkit's, flat or per table
    cust_no = "customer_id"

    [read]                          # how to read the files (ReadOptions: load_folder's options)
    dayfirst = true
    timezone = "Europe/London"

    [sample]                        # only in the bundled sample: its files' fingerprint
    sha256 = "..."

Example
-------
>>> s = read_settings("data/sample")
>>> s.company, s.currency, s.goals["NPS"]
('Harbour Lane', '£', 35.0)
>>> read_settings("notebooks").currency is None      # no settings file: no currency
True
"""
from __future__ import annotations

import difflib
import hashlib
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from cxkit.data.options import READ_OPTIONS
from cxkit.errors import DataError

__all__ = ["SETTINGS_FILE", "READ_OPTIONS", "GOAL_METRICS", "Settings", "read_settings", "read_settings_with_problems",
           "fingerprint"]

#: The settings file's name, beside the tables.
SETTINGS_FILE = "cxkit.toml"

#: Metrics a goal can be set for, and the scale each goal is on.
GOAL_METRICS: dict[str, tuple[float, float]] = {"NPS": (-100, 100), "CSAT": (0, 100), "CES": (1, 7)}

_TOP_KEYS = ("company", "currency", "as_of", "goals", "files", "columns", "read", "sample")

#: Where a setting came from, in the words of the load report.
FROM_FILE, GIVEN, DEFAULT = "settings file", "given to the run", "not set"


@dataclass(frozen=True)
class Settings:
    """What a data folder says about itself, after the arguments given to the run.

    Attributes
    ----------
    company : the company's name, or None (reports then name no company).
    currency : the symbol or code money is shown with, or None (plain numbers in the
        data's own unit).
    goals : goal by metric (``"NPS"``, ``"CSAT"``, ``"CES"``); empty when none is set.
    as_of : the analysis date from the file or the run, or None.
    files, columns, read : how the folder is read (see :func:`cxkit.data.load_folder`).
    path : the settings file read, or None.
    sample : True only for the bundled sample company, confirmed by its files'
        fingerprint (so a copied settings file never makes other data "the sample").
    sample_sha256 : the fingerprint the file claims for the bundled sample's tables.
    origin : for each setting, where its value came from (settings file, given to the
        run, not set).
    """

    company: str | None = None
    currency: str | None = None
    goals: dict[str, float] = field(default_factory=dict)
    as_of: Any = None
    files: dict[str, str] | None = None
    columns: dict[str, Any] | None = None
    read: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None
    sample: bool = False
    origin: dict[str, str] = field(default_factory=dict)
    sample_sha256: str | None = field(default=None, repr=False)

    def given(self, **values: Any) -> Settings:
        """These settings with the values given to the run (``None`` means not given).

        Example
        -------
        >>> s = read_settings("data/sample").given(currency="$", goals=None)
        >>> s.currency, s.origin["currency"], s.origin["goals"]
        ('$', 'given to the run', 'settings file')
        """
        unknown = sorted(set(values) - {"company", "currency", "goals", "files", "columns"})
        if unknown:
            raise TypeError(f"unknown setting(s) {unknown}")
        changes: dict[str, Any] = {}
        origin = dict(self.origin)
        for name, value in values.items():
            if value is None:
                continue
            changes[name] = _check(name, value, "the run's parameters")
            origin[name] = GIVEN
        return replace(self, **changes, origin=origin)

    def report(self) -> pd.DataFrame:
        """One row per setting: its value in words and where it came from.

        Example
        -------
        >>> read_settings("data/sample").report().query("setting == 'currency'")["value"].item()
        '£'
        """
        shown = {
            "company": self.company or "none named",
            "currency": self.currency or "none: money in the data's own unit",
            "goals": ", ".join(f"{m} {_number(g)}" for m, g in self.goals.items()) or "none set",
            "as_of": "" if self.as_of is None else str(pd.Timestamp(self.as_of).date()),
        }
        rows = [{"setting": k, "value": v, "from": self.origin.get(k, DEFAULT)} for k, v in shown.items()
                if k != "as_of" or self.as_of is not None]
        for name in ("files", "columns"):
            if getattr(self, name):
                rows.append({"setting": name, "value": _inline(getattr(self, name)), "from": self.origin.get(name)})
        for name, value in self.read.items():
            rows.append({"setting": name, "value": _inline(value), "from": self.origin.get(name, FROM_FILE)})
        return pd.DataFrame(rows, columns=["setting", "value", "from"])

    def money_unit(self) -> str:
        """The unit money is shown in, as words for a report ("£", or "the data's own unit")."""
        return self.currency or "the data's own unit"


def _number(value: float) -> str:
    return f"{value:g}"


def _inline(value: Any) -> str:
    if isinstance(value, Mapping):
        return ", ".join(f"{k} = {_inline(v)}" for k, v in value.items())
    return str(value)


def _error(message: str, where: str, key: str, hint: str | None = None) -> DataError:
    text = f"{where}: {message}" + (f"\nHint: {hint}" if hint else "")
    return DataError(text, column=key, rule="settings file")


def _check(name: str, value: Any, where: str) -> Any:
    """A setting's value checked and normalised (goals by upper-case metric, floats)."""
    if name in ("company", "currency"):
        if not isinstance(value, str) or not value.strip():
            raise _error(f"'{name}' must be a non-empty text, got {value!r}", where, name)
        return value.strip()
    if name == "as_of":
        try:
            return pd.Timestamp(value)
        except (ValueError, TypeError):
            raise _error(f"'as_of' must be a date such as 2025-12-31, got {value!r}", where, name) from None
    if name == "goals":
        if not isinstance(value, Mapping):
            raise _error(f"'goals' must be a table of metric = goal, got {value!r}", where, name,
                         hint="[goals]\nNPS = 30\nCSAT = 85")
        goals: dict[str, float] = {}
        for metric, goal in value.items():
            key = str(metric).strip().upper()
            if key not in GOAL_METRICS:
                raise _error(f"a goal for {metric!r}, which is not a metric; goals are set for "
                             f"{', '.join(GOAL_METRICS)}", where, f"goals.{metric}")
            if isinstance(goal, bool) or not isinstance(goal, int | float):
                raise _error(f"the goal for {key} must be a number, got {goal!r}", where, f"goals.{metric}")
            lo, hi = GOAL_METRICS[key]
            if not lo <= goal <= hi:
                raise _error(f"the goal for {key} is {goal}, outside its scale {lo:g} to {hi:g}", where,
                             f"goals.{metric}")
            goals[key] = float(goal)
        return goals
    if name in ("files", "columns"):
        if not isinstance(value, Mapping):
            example = "{'cust_no': 'customer_id'}" if name == "columns" else "{'transactions': 'orders.csv'}"
            raise _error(f"{name} must be a mapping such as {example}, got {type(value).__name__} {value!r}",
                         where, name)
        return {str(k): (dict(v) if isinstance(v, Mapping) else v) for k, v in value.items()}
    return value


def fingerprint(paths: Sequence[str | Path]) -> str:
    """A SHA-256 over the bytes of the given files, in the order given (names not included).

    Example
    -------
    >>> len(fingerprint(["data/sample/customers.csv"]))
    64
    """
    total = hashlib.sha256()
    for path in paths:
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        total.update(digest.digest())
    return total.hexdigest()


def read_settings(folder: str | Path | None) -> Settings:
    """The settings of a data folder, from its ``cxkit.toml`` (empty settings without one).

    A key the file may not hold, a value of the wrong kind or a file that is not TOML
    stops with a :class:`cxkit.DataError` naming the key (and the closest known one).
    ``sample`` is left False here; :func:`cxkit.data.load_folder` confirms it from the
    files it reads.
    """
    settings, problems = read_settings_with_problems(folder)
    if problems:
        raise problems[0]
    return settings


def read_settings_with_problems(folder: str | Path | None) -> tuple[Settings, list[DataError]]:
    """The settings of a data folder from every valid entry of its ``cxkit.toml``, and every invalid entry.

    An analyst fixing a settings file sees all its problems at once (``cxkit check``),
    not one per run; the valid entries still say how to read the tables. The problems are
    those :func:`read_settings` raises, in the same order (it raises the first).

    Returns
    -------
    (Settings, list of :class:`cxkit.DataError`, one per invalid entry; empty when the file is fine)

    Example
    -------
    >>> settings, problems = read_settings_with_problems("data/sample")
    >>> settings.currency, problems
    ('£', [])
    """
    if folder is None:
        return Settings(), []
    path = Path(folder) / SETTINGS_FILE
    if not path.is_file():
        return Settings(), []
    where = str(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        return Settings(), [DataError(f"{where} is not valid TOML: {exc}\nHint: entries look like: currency = "
                                      "\"$\" and, under [goals], NPS = 30", rule="settings file")]
    except UnicodeDecodeError:
        return Settings(), [DataError(f"{where} is not UTF-8 text", rule="settings file")]
    problems = []
    for key in raw:
        if key not in _TOP_KEYS:
            close = difflib.get_close_matches(key, _TOP_KEYS, n=1)
            problems.append(_error(f"unknown setting {key!r}" + (f"; did you mean {close[0]!r}?" if close else "")
                                   + f" (settings: {', '.join(_TOP_KEYS)})", where, key))
    values = {}
    for key in ("company", "currency", "as_of", "goals", "files", "columns"):
        if key in raw:
            try:
                values[key] = _check(key, raw[key], where)
            except DataError as err:
                problems.append(err)
    read = raw.get("read", {})
    if not isinstance(read, Mapping):
        problems.append(_error(f"'read' must be a table of reading options, got {read!r}", where, "read"))
        read = {}
    for key in read:
        if key not in READ_OPTIONS:
            close = difflib.get_close_matches(key, READ_OPTIONS, n=1)
            problems.append(_error(f"unknown reading option {key!r}" + (f"; did you mean {close[0]!r}?" if close
                                                                        else "")
                                   + f" (options: {', '.join(READ_OPTIONS)})", where, f"read.{key}"))
    read = {k: v for k, v in read.items() if k in READ_OPTIONS}
    sample = raw.get("sample", {})
    if not isinstance(sample, Mapping) or set(sample) - {"sha256"}:
        problems.append(_error("'sample' holds only the bundled sample's fingerprint (sha256)", where, "sample"))
        sample = {}
    origin = {k: FROM_FILE for k in values} | {k: FROM_FILE for k in read}
    settings = Settings(**values, read=dict(read), path=path, origin=origin, sample_sha256=sample.get("sha256"))
    return settings, problems
