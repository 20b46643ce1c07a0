"""Driver importance compared: per segment, between two segments, and against performance.

What matters to satisfaction often differs by segment (the K-mart pattern).
:func:`segment_importance` fits :class:`~cxkit.drivers.importance.KeyDrivers` within each
segment, :func:`importance_difference` tests the difference in each driver's share
between two segments (the tested form of "the top spenders care about different
things"), and :func:`importance_performance` puts importance beside performance in the
quadrants that say where to act first.

Example
-------
>>> from cxkit.synth import generate
>>> surveys = generate(seed=1, n_customers=2000)["surveys"]
>>> importance_performance(surveys).set_index("driver").loc["quickness", "quadrant"]
'Keep up'
"""
from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from cxkit.drivers.importance import _COLUMNS, _TABLE, KeyDrivers, _resolve_drivers, _spawn
from cxkit.errors import DataError, FitError, require_columns

__all__ = ["importance_by_group", "importance_difference", "importance_performance", "segment_importance"]


def _segments(data: pd.DataFrame, segment: str) -> list[tuple[Hashable, pd.DataFrame]]:
    require_columns(data, [segment], _TABLE)
    return list(data.groupby(segment, sort=True, dropna=False))


def _fit_named(model: KeyDrivers, part: pd.DataFrame, segment: str, label: Hashable, *args: Any) -> KeyDrivers:
    """Fit one segment; an error names the segment it came from."""
    try:
        return model.fit(part, *args)
    except DataError as err:
        raise DataError(f"segment {segment}={label!r}: {err}", table=err.table, column=err.column, rule=err.rule,
                        n_rows=err.n_rows, rows=err.rows) from err
    except FitError as err:
        raise FitError(f"segment {segment}={label!r}: {err}") from err


def _by_segment(data: pd.DataFrame, segment: str, random_state: Any, outcome: str,
                drivers: Sequence[str] | None, weights: str | None, options: dict[str, Any]
                ) -> list[tuple[Hashable, pd.DataFrame, KeyDrivers | None]]:
    """Fit every segment with its own random stream; a small base that cannot be fitted gives None."""
    groups = _segments(data, segment)
    require_columns(data, [outcome], _TABLE)
    drivers = _resolve_drivers(data, outcome, drivers)  # the same drivers in every segment
    require_columns(data, [*drivers, *([weights] if weights else [])], _TABLE)
    out = []
    for (label, part), rng in zip(groups, _spawn(random_state, len(groups)), strict=True):
        model = KeyDrivers(random_state=rng, **options)
        try:
            out.append((label, part, _fit_named(model, part, segment, label, outcome, drivers, weights)))
        except (DataError, FitError):
            if len(part) >= model.min_base:
                raise
            out.append((label, part, None))
    return out


def segment_importance(data: pd.DataFrame, segment: str, outcome: str = "csat",
                       drivers: Sequence[str] | None = None, *, random_state: Any = 0,
                       weights: str | None = None, **options: Any) -> pd.DataFrame:
    """Driver importance within each segment (value decile, tier, plan...), one row per segment and driver.

    What matters to satisfaction often differs by segment (the K-mart pattern), so read
    importance within each. Segments with fewer than ``min_base`` respondents are kept and
    flagged in ``small_base``; one too small to fit at all has missing shares. Each segment
    gets an independent random stream from ``random_state``.

    Parameters
    ----------
    segment : column of ``data`` whose labels define the segments (missing labels form one).
    options : other :class:`KeyDrivers` parameters (``method``, ``n_boot``, ``ci``,
        ``missing``, ``min_base``).

    Returns
    -------
    DataFrame: ``segment``, the columns of ``KeyDrivers.importance_``, ``n``, ``small_base``.

    Example
    -------
    >>> from cxkit.synth import generate
    >>> surveys = generate(seed=1, n_customers=2000)["surveys"].assign(half=lambda d: d.index % 2)
    >>> segment_importance(surveys, "half", n_boot=50)["segment"].unique().tolist()
    [0, 1]
    """
    min_base = options.get("min_base", 30)
    out = []
    for label, part, model in _by_segment(data, segment, random_state, outcome, drivers, weights, options):
        if model is None:
            names = _resolve_drivers(part, outcome, drivers)
            table = pd.DataFrame({"driver": names}).reindex(columns=_COLUMNS)
            n = int(part[[outcome, *names]].notna().all(axis=1).sum())
        else:
            table, n = model.importance_.copy(), model.n_
        table.insert(0, "segment", [label] * len(table))
        out.append(table.assign(n=n, small_base=n < min_base))
    return pd.concat(out, ignore_index=True)


def importance_difference(data: pd.DataFrame, segment: str, a: Hashable, b: Hashable, outcome: str = "csat",
                          drivers: Sequence[str] | None = None, *, random_state: Any = 0,
                          weights: str | None = None, **options: Any) -> pd.DataFrame:
    """Difference in each driver's share between segments ``a`` and ``b``, with a bootstrap interval.

    Turns "the top spenders care about different things" into a tested statement: a
    difference whose interval excludes 0 is unlikely to be resampling noise. Resamples
    are drawn independently within each segment.

    Parameters
    ----------
    segment : column of ``data``; ``a`` and ``b`` are two of its labels.
    options : other :class:`KeyDrivers` parameters (``method``, ``n_boot``, ``ci``, ``missing``).

    Returns
    -------
    DataFrame, one row per driver sorted by ``share_a``: ``driver``, ``share_a``,
    ``share_b``, ``difference`` (a - b), ``difference_low``, ``difference_high``,
    ``excludes_zero``, ``n_a``, ``n_b``.

    Example
    -------
    >>> from cxkit.synth import generate
    >>> surveys = generate(seed=1, n_customers=2000)["surveys"].assign(half=lambda d: d.index % 2)
    >>> importance_difference(surveys, "half", 0, 1, n_boot=50)["excludes_zero"].dtype
    dtype('bool')
    """
    groups = dict(_segments(data, segment))
    for label in (a, b):
        if label not in groups:
            raise DataError(f"table '{_TABLE}', column '{segment}': no rows with segment {label!r} "
                            f"(found: {list(groups)})", table=_TABLE, column=segment, rule="segment present")
    options.setdefault("n_boot", 1000)
    if not options["n_boot"]:
        raise ValueError("importance_difference needs n_boot > 0 for its intervals")
    fits = [_fit_named(KeyDrivers(random_state=rng, **options), groups[label], segment, label, outcome, drivers,
                       weights) for label, rng in zip((a, b), _spawn(random_state, 2), strict=True)]
    share_a, share_b = (m.importance_.set_index("driver")["share"].reindex(fits[0].drivers_).to_numpy()
                        for m in fits)
    alpha = (1 - fits[0].ci) / 2
    low, high = np.nanquantile(fits[0].boot_shares_ - fits[1].boot_shares_, [alpha, 1 - alpha], axis=0)
    out = pd.DataFrame({"driver": fits[0].drivers_, "share_a": share_a, "share_b": share_b,
                        "difference": share_a - share_b, "difference_low": low, "difference_high": high,
                        "excludes_zero": (low > 0) | (high < 0), "n_a": fits[0].n_, "n_b": fits[1].n_})
    return out.sort_values(["share_a", "driver"], ascending=[False, True], kind="mergesort").reset_index(drop=True)


def importance_performance(data: pd.DataFrame, outcome: str = "csat", drivers: Sequence[str] | None = None, *,
                           segment: str | None = None, performance: str = "mean", scale_max: int = 5,
                           weights: str | None = None, random_state: Any = 0, **options: Any) -> pd.DataFrame:
    """Importance against performance per driver, with the quadrant that says what to do.

    A driver that matters a lot and is rated poorly is where improvement pays first.
    Cut points: importance is high when a driver's share is at least the mean share
    across the drivers (1/p), performance high when at least the mean performance across
    the drivers, both within the segment. Quadrants: high importance and low performance
    "Fix first", high and high "Keep up", low importance and high performance
    "Maintain", low and low "Lower priority".

    Parameters
    ----------
    segment : optional column; quadrants are then read within each segment.
    performance : ``"mean"`` rating or ``"top2box"`` (share of answers of
        ``scale_max - 1`` or more), on the rows the importance was fitted on, weighted
        like it.
    options : other :class:`KeyDrivers` parameters; ``n_boot`` defaults to 0 here.

    Returns
    -------
    DataFrame: (``segment``,) ``driver``, ``importance`` (share), ``performance``,
    ``quadrant``, ``n``, ``small_base``. A segment too small to fit has no quadrants.

    Example
    -------
    >>> from cxkit.synth import generate
    >>> surveys = generate(seed=1, n_customers=2000)["surveys"]
    >>> importance_performance(surveys).set_index("driver").loc["quickness", "quadrant"]
    'Keep up'
    """
    if performance not in ("mean", "top2box"):
        raise ValueError(f"performance must be 'mean' or 'top2box', got {performance!r}")
    options.setdefault("n_boot", 0)
    if segment is None:
        fits = [(None, data, KeyDrivers(random_state=random_state, **options).fit(data, outcome, drivers, weights))]
    else:
        fits = _by_segment(data, segment, random_state, outcome, drivers, weights, options)
    out = []
    for label, part, model in fits:
        names = model.drivers_ if model else _resolve_drivers(part, outcome, drivers)
        rows = part[[*names, outcome]].astype(float).dropna()
        w = part.loc[rows.index, weights].astype(float) if weights else pd.Series(1.0, index=rows.index)
        values = rows[names] if performance == "mean" else (rows[names] >= scale_max - 1).astype(float)
        table = pd.DataFrame({"driver": names, "importance": np.nan,
                              "performance": (values.mul(w, axis=0).sum() / w.sum()).to_numpy()})
        table["quadrant"] = None
        if model:
            table["importance"] = model.importance_.set_index("driver")["share"].reindex(names).to_numpy()
            high_imp = table["importance"] >= table["importance"].mean()
            high_perf = table["performance"] >= table["performance"].mean()
            table["quadrant"] = np.select([high_imp & ~high_perf, high_imp & high_perf, ~high_imp & high_perf],
                                          ["Fix first", "Keep up", "Maintain"], "Lower priority")
            table = table.sort_values(["importance", "driver"], ascending=[False, True], kind="mergesort")
        n = model.n_ if model else len(rows)
        table = table.assign(n=n, small_base=n < options.get("min_base", 30))
        if segment is not None:
            table.insert(0, "segment", [label] * len(table))
        out.append(table)
    return pd.concat(out, ignore_index=True)


def importance_by_group(answers: pd.DataFrame, outcome: str = "csat", drivers: Sequence[str] | None = None, *,
                        segment: str = "segment", random_state: Any = 0,
                        **options: Any) -> tuple[KeyDrivers, pd.DataFrame | None]:
    """Driver importance for everyone, and within each group when the answers are split into groups.

    The K-mart question in one call: what drives satisfaction overall, and separately for
    the focus group and everyone else (the ``segment`` column of
    :func:`cxkit.drivers.driver_groups`), with the same drivers in every fit.

    Parameters
    ----------
    answers : survey answers, with ``segment`` when they are split into groups (answers
        with no group are left out of the per-group fits, not of the overall one).
    outcome, drivers : as in :class:`KeyDrivers`; the groups use the drivers the overall fit used.
    segment : the group column.
    random_state : seed; the overall fit and the groups use it as :func:`segment_importance` does.
    options : other :class:`KeyDrivers` parameters (``n_boot``, ``min_base``, ``method``...).

    Returns
    -------
    ``(model, by_segment)``: the fitted :class:`KeyDrivers` on every answer, and
    :func:`segment_importance` by ``segment`` (``None`` when the answers have no such column).

    Example
    -------
    >>> from cxkit.synth import generate
    >>> surveys = generate(seed=1, n_customers=2000)["surveys"].assign(segment=lambda d: d.index % 2)
    >>> model, by_segment = importance_by_group(surveys, n_boot=50)
    >>> len(model.importance_), by_segment["segment"].unique().tolist()
    (6, [0, 1])
    """
    model = KeyDrivers(random_state=random_state, **options).fit(answers, outcome, drivers)
    if segment not in answers:
        return model, None
    by_segment = segment_importance(answers.dropna(subset=[segment]), segment, outcome, model.drivers_,
                                    random_state=random_state, **options)
    return model, by_segment
