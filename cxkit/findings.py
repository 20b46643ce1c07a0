"""One record for every headline result: the :class:`Finding`.

A board sentence ("Each bad contact multiplies the risk of leaving by 1.4 (95% interval
1.3 to 1.5)") is only as good as the numbers and the test behind it. A ``Finding``
keeps them together: what was measured, the estimate and its interval, the unit or
currency, the period and the base it covers, the test and the direction it supports,
and the sentence written from those. Each theme returns its headline results as
findings; a notebook's summary renders them, and the board report reads the same
findings from every theme, so nothing edits a sentence after it is written.

Example
-------
>>> f = Finding(theme="metrics", key="nps", what="NPS", estimate=31.0, low=27.5, high=34.4,
...             unit="points", period="the 12 months to 31 Dec 2025", base={"answers": 2890},
...             sentence="NPS is 31.0 (95% interval 27.5 to 34.4).")
>>> str(f)
'NPS is 31.0 (95% interval 27.5 to 34.4).'
>>> findings_frame([f])[["theme", "what", "estimate", "low", "high"]]
     theme what  estimate   low  high
0  metrics  NPS      31.0  27.5  34.4
"""
from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from cxkit.errors import StatisticalWarning

__all__ = ["Finding", "DIRECTIONS", "findings_frame", "sentences", "held_interval"]

#: What a finding's test supports. "higher"/"lower": the estimate is clearly above or below
#: its reference (a goal, another group, no effect); "no clear difference": the test does
#: not tell them apart; "met"/"short"/"too close to call": a goal's status; "none": no test.
DIRECTIONS = ("higher", "lower", "no clear difference", "met", "short", "too close to call", "none")


def _number(value: Any, name: str) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"Finding.{name} must be a number or None, got {value!r}") from None
    return None if math.isnan(number) else number


@dataclass(frozen=True)
class Finding:
    """A headline result with everything a reader needs to trust its sentence.

    Parameters
    ----------
    theme : the theme that found it (``"metrics"``, ``"survival"``, ``"clv"``, ``"drivers"``...).
    key : a short stable name within the theme, for reports that pick findings
        (``"hazard:cum_bad_contacts"``, ``"clv_total"``).
    what : what was measured, in words (``"NPS"``, ``"each bad contact, on the risk of leaving"``).
    sentence : the board sentence written from the fields below (Markdown, data escaped).
    estimate, low, high : the figure and its interval (None when there is none).
    ci : the interval's coverage (0.95).
    unit : what the figure counts (``"points"``, ``"%"``, ``"times the risk"``, ``"days"``).
    currency : the currency of a money figure (None: not money, or the data's own unit).
    period : the period the figure covers, in words.
    base : what it rests on, e.g. ``{"answers": 2890}`` or ``{"customers": 5000, "departures": 700}``.
    test : the test behind a comparison (``"Welch t-test"``, ``"Cox model, Wald test"``).
    p_value : that test's p-value.
    direction : what the test supports (one of :data:`DIRECTIONS`).

    Example
    -------
    >>> Finding(theme="survival", key="hr", what="a bad contact", estimate=1.4, low=1.5, high=1.6,
    ...         sentence="...")
    Traceback (most recent call last):
    ...
    ValueError: Finding 'hr' (survival): the estimate 1.4 lies outside its interval 1.5 to 1.6
    """

    theme: str
    key: str
    what: str
    sentence: str
    estimate: float | None = None
    low: float | None = None
    high: float | None = None
    ci: float = 0.95
    unit: str | None = None
    currency: str | None = None
    period: str | None = None
    base: Mapping[str, int] = field(default_factory=dict)
    test: str | None = None
    p_value: float | None = None
    direction: str = "none"

    def __post_init__(self) -> None:
        for name in ("estimate", "low", "high", "p_value"):
            object.__setattr__(self, name, _number(getattr(self, name), name))
        if not isinstance(self.sentence, str) or not self.sentence.strip():
            raise ValueError(f"Finding {self.key!r} ({self.theme}): the sentence is empty")
        if self.direction not in DIRECTIONS:
            raise ValueError(f"Finding {self.key!r} ({self.theme}): direction {self.direction!r} is not one of "
                             f"{', '.join(DIRECTIONS)}")
        if self.p_value is not None and not 0 <= self.p_value <= 1:
            raise ValueError(f"Finding {self.key!r} ({self.theme}): p-value {self.p_value} is not between 0 and 1")
        lo, est, hi = self.low, self.estimate, self.high
        if lo is not None and hi is not None and lo > hi:
            raise ValueError(f"Finding {self.key!r} ({self.theme}): the interval {lo:g} to {hi:g} is reversed")
        tol = 1e-9 * max(1.0, abs(est or 0.0))
        if est is not None and ((lo is not None and est < lo - tol) or (hi is not None and est > hi + tol)):
            raise ValueError(f"Finding {self.key!r} ({self.theme}): the estimate {est:g} lies outside its interval "
                             f"{lo:g} to {hi:g}")
        object.__setattr__(self, "base", dict(self.base))

    def __str__(self) -> str:
        return self.sentence


def held_interval(what: str, estimate: Any, low: Any, high: Any) -> tuple[float | None, float | None]:
    """The interval when it holds its estimate; else ``(None, None)`` and a :class:`~cxkit.errors.StatisticalWarning`.

    A percentile interval of a skewed bootstrap can, rarely, miss its own point estimate. A
    finding then carries the estimate without an interval (the report does not stop), and
    the warning says so, so that no reader is shown an interval that does not hold.

    Example
    -------
    >>> held_interval("total CLV", 10.0, 8.0, 12.0)
    (8.0, 12.0)
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     held_interval("total CLV", 10.0, 11.0, 12.0), caught[0].category.__name__
    ((None, None), 'StatisticalWarning')
    """
    est, lo, hi = (_number(v, name) for v, name in ((estimate, "estimate"), (low, "low"), (high, "high")))
    if est is None or lo is None or hi is None:
        return None, None
    if lo <= est <= hi:
        return lo, hi
    warnings.warn(f"{what}: the interval {lo:g} to {hi:g} does not hold the estimate {est:g}; the finding is "
                  "reported without an interval", StatisticalWarning, stacklevel=2)
    return None, None


def sentences(findings: Iterable[Finding | str | None]) -> list[str]:
    """The sentences of findings, in order; plain strings pass through and ``None`` is skipped.

    Example
    -------
    >>> sentences([Finding(theme="t", key="k", what="w", sentence="One."), None, "Two."])
    ['One.', 'Two.']
    """
    return [str(f) for f in findings if f is not None]


def findings_frame(findings: Iterable[Finding]) -> pd.DataFrame:
    """Findings as a tidy table, one row each: what a board report or a check reads.

    ``base`` is spread into ``base_<name>`` columns.

    Example
    -------
    >>> f = Finding(theme="clv", key="total", what="CLV, next 12 months", estimate=1.2e6, low=1.1e6, high=1.3e6,
    ...             currency="£", base={"customers": 5000}, sentence="...")
    >>> row = findings_frame([f]).iloc[0]
    >>> row["currency"], int(row["base_customers"])
    ('£', 5000)
    """
    rows = []
    for f in findings:
        row = asdict(f)
        base = row.pop("base")
        row.update({f"base_{name}": n for name, n in base.items()})
        rows.append(row)
    columns = [name for name in Finding.__dataclass_fields__ if name != "base"]
    return pd.DataFrame(rows, columns=None if rows else columns)
