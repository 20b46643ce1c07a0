"""Driver effects in points: how much the outcome moves per point of each driver, the others held equal.

Shapley shares (:mod:`cxkit.drivers.importance`) say which elements matter most; to put
money on experience ("one more point of availability for the top spenders is worth X
CSAT points, so ...") a CX analyst needs each driver's effect **in points**: the
unstandardised coefficients of the same full linear model the shares decompose, per
segment, with standard errors (heteroscedasticity-consistent HC3 by default: rating data
are not homoscedastic), t intervals and p-values. :func:`driver_effects` returns them as
a tidy table.

Example
-------
>>> from cxkit.synth import generate
>>> surveys = generate(seed=1, n_customers=2000)["surveys"]
>>> effects = driver_effects(surveys)
>>> effects["segment"].unique().tolist(), len(effects)
(['everyone'], 6)
"""
# Why numpy and not statsmodels: it is not a dependency, and one least-squares fit per
# segment with HC3 errors is a QR factorisation and a few matrix products.
from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from cxkit.drivers.importance import _TABLE, _collinear, _numeric, _resolve_drivers
from cxkit.errors import argument_error, require_columns
from cxkit.exclusions import Exclusion

__all__ = ["EFFECT_COLUMNS", "driver_effects"]

#: The columns of :func:`driver_effects`, in order.
EFFECT_COLUMNS = ["segment", "driver", "effect", "se", "ci_low", "ci_high", "p_value", "mean_score", "n",
                  "n_excluded", "r2", "small_base", "note"]
#: The label of the one segment when no segment column is given.
EVERYONE = "everyone"


# --- one least-squares fit ----------------------------------------------------------------

def _why_not(x: np.ndarray, y: np.ndarray, drivers: list[str], outcome: str) -> str | None:
    """Why the model cannot be fitted on these answers (a note for the table), or None when it can."""
    n, p = x.shape
    if n < p + 2:
        return (f"{n} answers with {outcome} and every driver rating for {p} drivers; need at least {p + 2} "
                "(drivers + 2)")
    for j, name in enumerate(drivers):
        if np.ptp(x[:, j]) == 0:
            return f"driver '{name}' is constant here (every answer is {x[0, j]:g}), so its effect is not identified"
    if np.ptp(y) == 0:
        return f"the outcome '{outcome}' is constant here (every answer is {y[0]:g}): nothing to explain"
    together = _collinear(np.corrcoef(x, rowvar=False).reshape(p, p), drivers)
    if together:
        return (f"drivers {together} are perfectly collinear (a singular design): their effects are not "
                f"identified; drop '{together[-1]}' or combine them")
    return None


def _least_squares(x: np.ndarray, y: np.ndarray, robust: bool) -> tuple[np.ndarray, np.ndarray, float, str | None]:
    """OLS of ``y`` on an intercept and ``x``: (intercept then coefficients, their covariance, R², note).

    The design is centred and its columns scaled to unit length before a QR factorisation,
    which keeps the digits on ill-conditioned data (NIST's Longley set); the covariance is
    mapped back to the original units. ``robust``: HC3 (MacKinnon and White 1985),
    ``(ZᵀZ)⁻¹ Zᵀ diag(e²/(1-h)²) Z (ZᵀZ)⁻¹``; else the classical ``s² (ZᵀZ)⁻¹``.
    """
    n, p = x.shape
    mean = x.mean(axis=0)
    centred = x - mean
    scale = np.sqrt((centred**2).sum(axis=0))
    z = np.column_stack([np.full(n, 1 / np.sqrt(n)), centred / scale])
    q, r = np.linalg.qr(z)
    theta = np.linalg.solve(r, q.T @ y)
    resid = y - z @ theta
    r_inv = np.linalg.inv(r)
    note = None
    if robust:
        leverage = (q**2).sum(axis=1)
        if (1 - leverage < 1e-10).any():
            note = ("an answer has leverage 1 (it alone fixes a coefficient): robust (HC3) standard errors "
                    "are undefined; use robust=False or more answers")
            middle = np.full((p + 1, p + 1), np.nan)
        else:
            middle = (q * (resid / (1 - leverage))[:, None] ** 2).T @ q
    else:
        middle = np.eye(p + 1) * (resid @ resid) / (n - p - 1)
    cov_theta = r_inv @ middle @ r_inv.T
    # back to the original units: b_j = theta_j / scale_j, b_0 = theta_0 / sqrt(n) - sum(mean_j b_j)
    to_beta = np.diag(np.r_[1 / np.sqrt(n), 1 / scale])
    to_beta[0, 1:] = -mean / scale
    centred_y = y - y.mean()
    r2 = 1.0 - float(resid @ resid) / float(centred_y @ centred_y)
    return to_beta @ theta, to_beta @ cov_theta @ to_beta.T, r2, note


_STATS = ["effect", "se", "ci_low", "ci_high", "p_value"]


def _fit_segment(x: np.ndarray, y: np.ndarray, drivers: list[str], outcome: str, ci: float,
                 robust: bool) -> tuple[dict[str, np.ndarray], float, str | None]:
    """Effects of one segment, intercept first: ``effect``, ``se``, ``ci_low``, ``ci_high``, ``p_value``; R²; note."""
    note = _why_not(x, y, drivers, outcome)
    if note:
        return {name: np.full(len(drivers) + 1, np.nan) for name in _STATS}, np.nan, note
    beta, cov, r2, note = _least_squares(x, y, robust)
    df = len(y) - x.shape[1] - 1
    se = np.sqrt(np.diag(cov))
    half = stats.t.ppf((1 + ci) / 2, df) * se
    with np.errstate(divide="ignore", invalid="ignore"):
        p_value = 2 * stats.t.sf(np.abs(beta / se), df)
    return dict(zip(_STATS, [beta, se, beta - half, beta + half, p_value], strict=True)), r2, note


# --- over segments --------------------------------------------------------------------------

def _check_arguments(ci: float, min_base: int) -> None:
    if not (isinstance(ci, (int, float)) and 0 < ci < 1):
        raise argument_error("ci", f"ci must be a coverage between 0 and 1 (e.g. 0.95), got {ci!r}")
    if not (isinstance(min_base, (int, np.integer)) and min_base >= 0):
        raise argument_error("min_base", f"min_base must be a whole number of answers >= 0, got {min_base!r}")


def _segment_rows(answers: pd.DataFrame, segment: str | None) -> list[tuple[Hashable, np.ndarray]]:
    """(label, row positions) of each segment in sorted order (missing labels form one, last)."""
    if segment is None:
        return [(EVERYONE, np.arange(len(answers)))]
    labels = answers[segment].reset_index(drop=True)
    return [(label, part.index.to_numpy()) for label, part in labels.groupby(labels, sort=True, dropna=False,
                                                                              observed=True)]


def _left_out(columns: list[str], missing: np.ndarray, label: Hashable, segment: str | None) -> list[Exclusion]:
    """The answers of one segment left out for a missing rating, in one record naming the columns."""
    dropped = int(missing.any(axis=1).sum())
    if not dropped:
        return []
    counts = ", ".join(f"{c} {int(k)}" for c, k in zip(columns, missing.sum(axis=0), strict=True) if k)
    where = f" in segment {segment}={label!r}" if segment is not None else ""
    return [Exclusion(_TABLE, f"answers{where} missing the outcome or a driver rating ({counts})",
                      dropped, what="rows not used")]


def driver_effects(answers: pd.DataFrame, outcome: str = "csat", drivers: Sequence[str] | None = None, *,
                   segment: str | None = None, ci: float = 0.95, robust: bool = True,
                   min_base: int = 30) -> pd.DataFrame:
    """Each driver's effect in outcome points per driver point, the other drivers held equal, per segment.

    Shares of R² say which elements matter most; a business case needs the effect in
    points ("one more point of availability lifts CSAT by 0.4 points"), from the same full
    linear model the shares decompose. Read an effect with its interval: drivers are
    correlated, so a single effect is less stable than a share, and it describes how
    ratings move together in these answers, not a promise of what a change would cause.

    Parameters
    ----------
    answers : survey answers, one row per answer (e.g. ``cx.surveys``).
    outcome : numeric outcome column (CSAT by default).
    drivers : driver columns; default the six CX elements of
        :data:`cxkit.data.DEFAULT_DRIVERS` present in ``answers`` (as :class:`KeyDrivers` picks them).
    segment : column whose labels define segments (e.g. the ``segment`` column of
        :func:`cxkit.drivers.driver_groups`), fitted one by one in sorted order; missing
        labels form one segment, last. None: one segment, ``"everyone"``.
    ci : coverage of the t intervals (n - p - 1 degrees of freedom).
    robust : True: heteroscedasticity-consistent standard errors (HC3); False: classical.
    min_base : segments with fewer answers used are flagged in ``small_base``.

    Returns
    -------
    DataFrame, one row per segment and driver (drivers in the order given): ``segment``,
    ``driver``, ``effect`` (outcome points per driver point), ``se``, ``ci_low``,
    ``ci_high``, ``p_value`` (two-sided t test of no effect), ``mean_score`` (the segment's
    mean driver score: where it stands now), ``n`` (answers used: outcome and every driver
    present), ``n_excluded`` (the segment's answers left out for a missing rating),
    ``r2``, ``small_base`` (``n < min_base``), ``note`` (why a segment has no effects:
    too few answers, a constant or collinear driver; or why its robust errors are
    undefined; None when fitted). ``attrs``: ``intercept`` (one record per segment:
    ``segment``, ``effect``, ``se``, ``ci_low``, ``ci_high``, ``p_value``;
    ``pd.DataFrame(...)`` shows them), ``exclusions`` (the answers left out, as
    ``Exclusion.record("result")``), ``outcome``, ``standard_errors`` (``"HC3"`` or
    ``"classical"``), ``ci``.

    Raises :class:`cxkit.DataError` for a missing column or a non-numeric outcome or
    driver; a segment that cannot be fitted gets missing effects and a ``note`` instead.

    Example
    -------
    >>> from cxkit.synth import generate
    >>> surveys = generate(seed=1, n_customers=2000)["surveys"].assign(half=lambda d: d.index % 2)
    >>> effects = driver_effects(surveys, segment="half")
    >>> effects.groupby("segment")["driver"].size().to_dict(), bool(effects["note"].isna().all())
    ({0: 6, 1: 6}, True)
    """
    _check_arguments(ci, min_base)
    require_columns(answers, [outcome], _TABLE)
    names = _resolve_drivers(answers, outcome, drivers)
    require_columns(answers, [*names, *([segment] if segment is not None else [])], _TABLE)
    columns = [*names, outcome]
    data = np.column_stack([_numeric(answers, c, "outcome" if c == outcome else "driver rating") for c in columns])
    p = len(names)
    rows, intercepts, exclusions = [], [], []
    for label, positions in _segment_rows(answers, segment):
        part = data[positions]
        missing = np.isnan(part)
        used = part[~missing.any(axis=1)]
        exclusions += _left_out(columns, missing, label, segment)
        fitted, r2, note = _fit_segment(used[:, :p], used[:, p], names, outcome, ci, bool(robust))
        n = len(used)
        intercepts.append({"segment": label, **{k: float(v[0]) for k, v in fitted.items()}})
        rows.append(pd.DataFrame({
            "segment": [label] * p, "driver": names, **{k: v[1:] for k, v in fitted.items()},
            "mean_score": used[:, :p].mean(axis=0) if n else np.full(p, np.nan), "n": np.full(p, n, dtype="int64"),
            "n_excluded": np.full(p, len(part) - n, dtype="int64"), "r2": np.full(p, r2),
            "small_base": np.full(p, n < min_base), "note": pd.Series([note] * p, dtype=object)}))
    out = pd.concat(rows, ignore_index=True)
    out.attrs = {"intercept": intercepts, "exclusions": [e.record("result") for e in exclusions],
                 "outcome": outcome, "standard_errors": "HC3" if robust else "classical", "ci": ci}
    return out
