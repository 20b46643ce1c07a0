"""Key drivers: which CX elements move satisfaction, and for whom.

A regression of CSAT on six correlated ratings gives coefficients that swing with
every sample; a CX analyst needs a stable split of "what explains satisfaction".
:class:`KeyDrivers` splits the model R² between drivers by exact Shapley values
(general dominance, LMG) or Johnson's relative weights, with bootstrap intervals, and
with respondent weights (e.g. spend) when given. The functions below return tidy
tables: per driver, per segment, the difference between two segments (the tested form
of "the top spenders care about different things") and importance-performance quadrants.
:func:`driver_groups` labels each answer with the group a driver analysis compares (the
top value tier, or a segment of the customers table) and :func:`driver_sentences`
writes what drives satisfaction in each group, where they differ, and what to fix first.

Example
-------
>>> from cxkit.synth import generate
>>> surveys = generate(seed=1, n_customers=2000)["surveys"]
>>> KeyDrivers(n_boot=200).fit(surveys, outcome="csat").importance_["driver"].iloc[0]
'availability'
"""
# Why numpy and not a package: R's relaimpo is GPL-2; the Python packages that offer
# LMG/Shapley or relative weights (dominance-analysis, last release 2023; relativeImp
# 0.0.2, 2019) are unmaintained and refit one regression per subset, which makes a
# 1,000-resample bootstrap slow, and we need respondent weights (spend) in every step.
# Everything here works from one weighted covariance matrix per (re)sample instead.
from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from math import factorial
from typing import Any

import numpy as np
import pandas as pd

from cxkit import narrative
from cxkit.data import DEFAULT_DRIVERS
from cxkit.errors import DataError, FitError, data_error, require_columns
from cxkit.value import REST, attach, focus_vs_rest, top_tier_label

__all__ = [
    "DriverGroups",
    "KeyDrivers",
    "driver_groups",
    "driver_importance",
    "importance_difference",
    "importance_performance",
    "segment_importance",
    "driver_sentences",
]

MAX_SHAPLEY_DRIVERS = 15  # 2**15 subset R² values per resample; beyond that use relative weights
_TABLE = "surveys"
_COLUMNS = ["driver", "share", "share_low", "share_high", "importance", "coefficient", "sign", "rank"]


# --- the maths: everything from covariance matrices (last row/column = outcome) ---------

def subset_r2(cov: np.ndarray) -> np.ndarray:
    """R² of every driver subset, from covariance matrices with the outcome last.

    Entry ``mask`` of the result is R² of the drivers whose bits are set in ``mask``
    (bit j = driver j). Subsets are built by a doubling sweep: conditioning the matrices
    of all subsets of drivers ``0..h-1`` on driver ``h`` gives those that contain ``h``;
    each step drops one row/column, so all 2^p values cost about 2^p * 6 operations per
    matrix, vectorised over the leading (resample) axis.

    Example
    -------
    >>> subset_r2(np.array([[1.0, 0.0, 0.6], [0.0, 1.0, 0.3], [0.6, 0.3, 1.0]])).round(2).tolist()
    [0.0, 0.36, 0.09, 0.45]
    """
    cov = np.asarray(cov, dtype=float)
    batch = cov.shape[:-2]
    q = cov.shape[-1]
    a = cov.reshape(-1, 1, q, q)
    for h in range(q - 1):
        pivot = a[:, :, 0, 0]
        col = a[:, :, 1:, 0]
        # a driver with no variance left given the subset adds nothing (exact collinearity)
        ok = pivot > 1e-12 * cov.reshape(-1, q, q)[:, h, h][:, None]
        inv = np.where(ok, 1.0 / np.where(ok, pivot, 1.0), 0.0)
        rest = a[:, :, 1:, 1:]
        a = np.concatenate([rest, rest - col[..., :, None] * col[..., None, :] * inv[..., None, None]], axis=1)
    var_y = cov[..., -1, -1].reshape(-1, 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        r2 = 1.0 - a[:, :, 0, 0] / var_y
    return r2.reshape(*batch, 2 ** (q - 1))


def shapley_matrix(p: int) -> np.ndarray:
    """(2^p, p) matrix M with ``subset_r2 @ M`` = the Shapley value of each driver.

    Driver j gains ``R²(S + j) - R²(S)`` for every subset S without j, weighted by
    ``|S|! (p - |S| - 1)! / p!`` (the share of orderings in which S comes just before j).
    """
    masks = np.arange(2**p)
    bits = (masks[:, None] >> np.arange(p)) & 1
    size = bits.sum(axis=1)
    w = np.array([factorial(k) * factorial(p - k - 1) / factorial(p) for k in range(p)] + [0.0])
    return np.where(bits == 1, w[np.maximum(size - 1, 0)][:, None], -w[size][:, None])


def relative_weights(cov: np.ndarray) -> np.ndarray:
    """Johnson's (2000) raw relative weights from covariance matrices (outcome last); they sum to R².

    The driver correlation matrix R = V diag(λ) Vᵀ has the symmetric square root
    Λ = V diag(√λ) Vᵀ (the loadings of drivers on their closest orthogonal copies);
    β = Λ⁻¹ r_xy regresses the outcome on those copies, and ``weight_j = Σ_k Λ_jk² β_k²``.

    Example
    -------
    >>> relative_weights(np.array([[1.0, 0.0, 0.6], [0.0, 1.0, 0.3], [0.6, 0.3, 1.0]])).round(2).tolist()
    [0.36, 0.09]
    """
    cov = np.asarray(cov, dtype=float)
    sd = np.sqrt(np.diagonal(cov, axis1=-2, axis2=-1))
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = cov / (sd[..., :, None] * sd[..., None, :])
    rxx, rxy = corr[..., :-1, :-1], corr[..., :-1, -1]
    lam, vec = np.linalg.eigh(np.nan_to_num(rxx))
    ok = lam > 1e-12
    root = np.sqrt(np.where(ok, lam, 0.0))
    inv_root = np.where(ok, 1.0 / np.where(ok, root, 1.0), 0.0)
    big_lambda = (vec * root[..., None, :]) @ np.swapaxes(vec, -1, -2)
    beta = ((vec * inv_root[..., None, :]) @ np.swapaxes(vec, -1, -2) @ rxy[..., None])[..., 0]
    return ((big_lambda**2) @ (beta**2)[..., None])[..., 0]


def _importances(cov: np.ndarray, method: str) -> np.ndarray:
    """Shapley values or raw relative weights for a stack of covariance matrices."""
    if method == "relative_weights":
        return relative_weights(cov)
    p = cov.shape[-1] - 1
    step = max(1, 2**21 // 2**p)  # the sweep holds ~2.25 * 2^p numbers per matrix: bound its memory
    weights = shapley_matrix(p)
    return np.concatenate([subset_r2(cov[i:i + step]) @ weights for i in range(0, len(cov), step)])


def _weighted_cov(z: np.ndarray, w: np.ndarray) -> np.ndarray:
    centred = z - (w @ z) / w.sum()
    return (centred * w[:, None]).T @ centred / w.sum()


def _boot_covs(z: np.ndarray, w: np.ndarray, n_boot: int, rng: np.random.Generator,
               chunk_bytes: int = 48 * 2**20) -> Any:
    """Yield covariance matrices of bootstrap resamples, a chunk of resamples at a time.

    Respondents are resampled with equal chance (multinomial counts); each resample's
    weighted moments are ``counts * w`` times the products of the columns, so one matrix
    product per chunk gives all covariances, with no refitting.
    """
    n, q = z.shape
    scaled = (z - (w @ z) / w.sum()) / z.std(axis=0)  # centred and scaled: stable moments
    ones = np.column_stack([np.ones(n), scaled])
    iu = np.triu_indices(q + 1)
    products = ones[:, iu[0]] * ones[:, iu[1]]
    per_chunk = max(1, min(n_boot, chunk_bytes // (8 * n)))
    counts = np.empty((per_chunk, n))
    for start in range(0, n_boot, per_chunk):
        m = min(per_chunk, n_boot - start)
        idx = rng.integers(0, n, size=(m, n), dtype=np.uint32 if n < 2**32 else np.int64)
        for r in range(m):
            counts[r] = np.bincount(idx[r], minlength=n)
        moments = np.empty((m, q + 1, q + 1))
        moments[:, iu[0], iu[1]] = (counts[:m] * w) @ products
        moments[:, iu[1], iu[0]] = moments[:, iu[0], iu[1]]
        total = moments[:, 0, 0][:, None, None]
        mean = moments[:, 0, 1:][:, :, None] / total
        yield moments[:, 1:, 1:] / total - mean * np.swapaxes(mean, 1, 2)


# --- checking the input -----------------------------------------------------------------

def _resolve_drivers(data: pd.DataFrame, outcome: str, drivers: Sequence[str] | str | None) -> list[str]:
    if drivers is None:
        drivers = [d for d in DEFAULT_DRIVERS if d in data.columns and d != outcome]
        if not drivers:
            raise DataError(f"table '{_TABLE}': none of the default driver columns {list(DEFAULT_DRIVERS)} "
                            f"is in the data (found: {list(map(str, data.columns))}); pass drivers=[...]",
                            table=_TABLE, rule="driver columns present")
    drivers = [drivers] if isinstance(drivers, str) else list(drivers)
    if not drivers or len(set(drivers)) != len(drivers) or outcome in drivers:
        raise DataError(f"drivers must be distinct column names other than the outcome '{outcome}' (got {drivers})",
                        table=_TABLE, rule="distinct drivers")
    return drivers


def _numeric(data: pd.DataFrame, col: str, what: str) -> np.ndarray:
    s = data[col]
    if not (pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)):
        bad = data.loc[s.notna() & pd.to_numeric(s, errors="coerce").isna(), [col]]
        raise data_error(_TABLE, col, f"{what} must be numeric (dtype is {s.dtype})", bad,
                         hint=f"convert it with pd.to_numeric(data['{col}']) or load the table with "
                              "cxkit.data.load_folder, which reads ratings as numbers")
    values = s.to_numpy(dtype=float, na_value=np.nan)
    if np.isinf(values).any():
        raise data_error(_TABLE, col, f"{what} must be finite", data.loc[np.isinf(values), [col]],
                         hint="replace infinite values by missing values or drop those rows")
    return values


def _collinear(corr: np.ndarray, drivers: list[str]) -> list[str] | None:
    p = len(drivers)
    for i in range(p):
        for j in range(i + 1, p):
            if abs(corr[i, j]) > 1 - 1e-10:
                return [drivers[i], drivers[j]]
    lam, vec = np.linalg.eigh(corr)
    if lam[0] < 1e-10:
        return [drivers[k] for k in np.flatnonzero(np.abs(vec[:, 0]) > 1e-6)]
    return None


def _spawn(random_state: Any, k: int) -> list[np.random.Generator]:
    """Independent random streams (one per segment) from one ``random_state``."""
    if isinstance(random_state, np.random.Generator):
        return random_state.spawn(k)
    return [np.random.default_rng(s) for s in np.random.SeedSequence(random_state).spawn(k)]


# --- the estimator ----------------------------------------------------------------------

class KeyDrivers:
    """Key-driver importance: each driver's share of the explained variance of an outcome.

    Shares answer "of what the ratings explain about CSAT, how much is owed to each
    element?" without the sign flips and instability of raw regression coefficients when
    drivers are correlated, as CX ratings always are.

    Parameters
    ----------
    method : ``"shapley"`` (exact Shapley values of R², also called general dominance or
        LMG; at most 15 drivers) or ``"relative_weights"`` (Johnson 2000; any number).
    n_boot : bootstrap resamples of respondents for the intervals (0: no intervals).
    ci : coverage of the percentile intervals.
    random_state : seed or ``numpy.random.Generator``; the same seed gives the same intervals.
    missing : ``"listwise"`` drops rows with a missing rating and counts them per column
        in ``excluded_``; ``"raise"`` stops naming the column and first rows.
    min_base : fits on fewer respondents are flagged as small bases by the segment functions.

    Attributes
    ----------
    importance_ : one row per driver, sorted by share (descending) then name: ``driver``,
        ``share`` (of R², sums to 1), ``share_low``, ``share_high``, ``importance`` (R²
        contribution, sums to ``r2_``), ``coefficient`` (standardized, full model),
        ``sign``, ``rank``.
    r2_, n_ : R² of the full model; respondents used.
    excluded_ : ``reason``, ``rows``: rows dropped for a missing rating, per column (a
        row missing two ratings counts under both), rows of weight 0, then the total.
    boot_shares_ : (n_boot, p) shares per resample, columns in ``drivers_`` order.
    drivers_, outcome_ : the columns used.

    Example
    -------
    >>> from cxkit.synth import generate
    >>> surveys = generate(seed=1, n_customers=2000)["surveys"]
    >>> kd = KeyDrivers(method="relative_weights", n_boot=100).fit(surveys)
    >>> round(float(kd.importance_["importance"].sum() - kd.r2_), 12)
    0.0
    """

    def __init__(self, method: str = "shapley", n_boot: int = 1000, ci: float = 0.95, random_state: Any = 0,
                 missing: str = "listwise", min_base: int = 30) -> None:
        self.method = method
        self.n_boot = n_boot
        self.ci = ci
        self.random_state = random_state
        self.missing = missing
        self.min_base = min_base

    def fit(self, data: pd.DataFrame, outcome: str = "csat", drivers: Sequence[str] | None = None,
            weights: str | None = None) -> KeyDrivers:
        """Fit on a response-level table (one row per survey answer); returns ``self``.

        Parameters
        ----------
        data : tidy table with the outcome and driver ratings (e.g. ``cx.surveys``).
        outcome : numeric outcome column (CSAT by default).
        drivers : driver columns; default the six CX elements of
            :data:`cxkit.data.DEFAULT_DRIVERS` present in ``data``.
        weights : column of non-negative respondent weights (e.g. annual spend).

        Example
        -------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"a": [1, 2, 3, 4, 5, 1], "b": [2, 1, 4, 3, 5, 5], "csat": [1, 2, 4, 4, 5, 3]})
        >>> KeyDrivers(n_boot=0).fit(df, drivers=["a", "b"]).n_
        6
        """
        if self.method not in ("shapley", "relative_weights"):
            raise ValueError(f"method must be 'shapley' or 'relative_weights', got {self.method!r}")
        if self.missing not in ("listwise", "raise"):
            raise ValueError(f"missing must be 'listwise' or 'raise', got {self.missing!r}")
        if not 0 < self.ci < 1 or int(self.n_boot) < 0:
            raise ValueError(f"need 0 < ci < 1 and n_boot >= 0 (got ci={self.ci}, n_boot={self.n_boot})")
        require_columns(data, [outcome], _TABLE)
        drivers = _resolve_drivers(data, outcome, drivers)
        require_columns(data, [*drivers, *([weights] if weights else [])], _TABLE)
        p = len(drivers)
        if self.method == "shapley" and p > MAX_SHAPLEY_DRIVERS:
            raise FitError(f"exact Shapley importance needs 2^p subset models; {p} drivers is more than "
                           f"{MAX_SHAPLEY_DRIVERS}. Use method=\"relative_weights\" (close to Shapley, any "
                           "number of drivers) or fewer drivers.")
        columns = [*drivers, outcome]
        z = np.column_stack([_numeric(data, c, "outcome" if c == outcome else "driver rating") for c in columns])
        w = np.ones(len(data))
        if weights:
            w = _numeric(data, weights, "weight")
            bad = np.isnan(w) | (w < 0)
            if bad.any():
                raise data_error(_TABLE, weights, "weights must be present and non-negative", data.loc[bad, [weights]],
                                 hint="fill or drop those rows, or fit without weights")
        missing = np.isnan(z)
        if missing.any() and self.missing == "raise":
            col = columns[int(np.flatnonzero(missing.any(axis=0))[0])]
            raise data_error(_TABLE, col, "missing rating", data.loc[np.isnan(z[:, columns.index(col)]), columns],
                             hint="pass missing='listwise' to drop these rows (counted in excluded_), or fill them")
        # listwise: drop rows with a missing rating; rows of weight 0 add nothing either
        keep = ~missing.any(axis=1)
        rows = [(f"missing rating in {c}", int(k)) for c, k in zip(columns, missing.sum(axis=0)) if k]
        if weights and (keep & (w == 0)).any():
            rows.append((f"weight 0 in {weights}", int((keep & (w == 0)).sum())))
        keep &= w > 0
        if rows:
            rows.append(("total rows dropped", int((~keep).sum())))
        self.excluded_ = pd.DataFrame(rows, columns=["reason", "rows"]).astype({"rows": "int64"})
        z, w = z[keep], w[keep]
        if len(z) < p + 2:
            raise DataError(f"table '{_TABLE}': {len(z)} respondents with complete ratings (and positive "
                            f"weight) for {p} drivers; need at least {p + 2} (drivers + 2). Use fewer drivers "
                            "or more answers.", table=_TABLE, rule="enough respondents", n_rows=len(z))
        for j, col in enumerate(columns):
            if np.ptp(z[:, j]) == 0:
                what = "outcome" if col == outcome else "driver"
                raise data_error(_TABLE, col, f"{what} is constant (every answer is {z[0, j]:g})",
                                 hint=f"drop '{col}' from the drivers: a constant explains nothing" if col != outcome
                                 else "importance needs an outcome that varies")
        cov = _weighted_cov(z, w)
        sd = np.sqrt(np.diag(cov))
        corr = cov / np.outer(sd, sd)
        pair = _collinear(corr[:p, :p], drivers)
        if pair:
            raise DataError(f"table '{_TABLE}', columns {pair}: drivers are perfectly collinear (one is an exact "
                            "copy or linear combination of the others), so their shares are not identified. "
                            f"Drop '{pair[-1]}' or combine them into one driver.",
                            table=_TABLE, column=pair, rule="no perfectly collinear drivers")
        raw = _importances(cov[None], self.method)[0]
        r2 = float(corr[:p, p] @ np.linalg.solve(corr[:p, :p], corr[:p, p]))
        if not r2 > 1e-12:
            raise FitError(f"the drivers explain none of '{outcome}' (R² = {r2:.2g}); shares are undefined. "
                           "Check that the outcome and drivers are the right columns.")
        boot = np.empty((0, p))
        if self.n_boot:
            rng = np.random.default_rng(self.random_state)
            parts = [_importances(c, self.method) for c in _boot_covs(z, w, int(self.n_boot), rng)]
            boot = np.concatenate(parts)
            with np.errstate(invalid="ignore", divide="ignore"):
                boot = boot / boot.sum(axis=1, keepdims=True)
        coef = np.linalg.solve(corr[:p, :p], corr[:p, p])
        alpha = (1 - self.ci) / 2
        if len(boot) and not np.isnan(boot).all():
            low, high = np.nanquantile(boot, [alpha, 1 - alpha], axis=0)
        else:
            low = high = np.full(p, np.nan)
        table = pd.DataFrame({"driver": drivers, "share": raw / raw.sum(), "share_low": low, "share_high": high,
                              "importance": raw * r2 / raw.sum(), "coefficient": coef,
                              "sign": np.where(coef < 0, "-", "+")})
        table = table.sort_values(["share", "driver"], ascending=[False, True], kind="mergesort")
        table["rank"] = np.arange(1, p + 1)
        self.importance_ = table.reset_index(drop=True)
        self.r2_, self.n_, self.boot_shares_ = r2, len(z), boot
        self.drivers_, self.outcome_ = drivers, outcome
        return self

    @property
    def summary(self) -> pd.DataFrame:
        """The fitted ``importance_`` table (one row per driver)."""
        return self.importance_


# --- functions over tidy frames ---------------------------------------------------------

def driver_importance(data: pd.DataFrame, outcome: str = "csat", drivers: Sequence[str] | None = None, *,
                      method: str = "shapley", weights: str | None = None, n_boot: int = 1000,
                      random_state: Any = 0, **options: Any) -> pd.DataFrame:
    """Each driver's share of the outcome's explained variance, with bootstrap intervals.

    The one-call form of :class:`KeyDrivers` for a notebook table; ``options`` are its
    other parameters (``ci``, ``missing``).

    Example
    -------
    >>> from cxkit.synth import generate
    >>> surveys = generate(seed=1, n_customers=2000)["surveys"]
    >>> driver_importance(surveys, n_boot=100)[["driver", "rank"]].head(2).to_dict("list")
    {'driver': ['availability', 'clarity'], 'rank': [1, 2]}
    """
    model = KeyDrivers(method=method, n_boot=n_boot, random_state=random_state, **options)
    return model.fit(data, outcome, drivers, weights).importance_


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
    for (label, part), rng in zip(groups, _spawn(random_state, len(groups))):
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
                       weights) for label, rng in zip((a, b), _spawn(random_state, 2))]
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


# --------------------------------------------------------------------------- who a driver analysis compares


@dataclass(frozen=True)
class DriverGroups:
    """The two groups a driver analysis compares, and the words a report names them with.

    Attributes
    ----------
    focus : the focus group's label in the answers' ``segment`` column (``"Top 10%"``,
        ``"Club Plus"``); ``None`` when the answers have no segments.
    rest : the label of everyone else (:data:`REST`).
    focus_words : the focus group as a sentence names it (``"the top 10% of spenders"``,
        ``"Club Plus"``; ``"all customers"`` without segments).
    top_tier : the label of the top value tier (:func:`value_tiers`), e.g. ``"Top 10%"``.
    spenders : the top value tier in a sentence, e.g. ``"the top 10% of spenders"``.
    group_word : one value segment in words: ``"decile"`` for ten segments, else ``"group"``.
    by_value : True when the groups are the top value tier against the rest.
    """

    focus: str | None
    rest: str
    focus_words: str
    top_tier: str
    spenders: str
    group_word: str
    by_value: bool

    @property
    def segmented(self) -> bool:
        """Whether the answers are split into a focus group and everyone else."""
        return self.focus is not None

    @property
    def in_words(self) -> dict[str, str]:
        """Each group's label and how a sentence names it, the focus group first (empty without groups)."""
        return {self.focus: self.focus_words, self.rest: self.rest} if self.focus is not None else {}


def driver_groups(
    answers: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    *,
    segment_by: str | None = "value",
    focus_segment: Any = None,
    q: int = 10,
    top: int = 1,
    rest: str = REST,
    customer_col: str = "customer_id",
) -> tuple[pd.DataFrame, DriverGroups]:
    """Split survey answers into a focus group and everyone else, and name both for the report.

    The K-mart question is whether the customers who matter are driven by other things
    than everyone else: this picks who "the customers who matter" are (the top value
    tier by default, or one segment of a customers column such as a plan) and gives the
    words every chart, table and sentence of the analysis uses for them.

    Parameters
    ----------
    answers : survey answers, one row per answer with ``customer_col``; with
        ``value_tier`` attached (:func:`attach` of :func:`cxkit.spend.customer_spend`)
        when the groups are value tiers.
    customers : the customers table, for ``segment_by`` naming one of its columns.
    segment_by : ``"value"``: the top ``top`` of ``q`` value segments against the rest
        (needs ``value_tier`` in ``answers``); or a column of ``customers``. ``None``,
        or a column the data do not hold: no groups (the analysis covers everyone).
    focus_segment : with a customers column, the segment compared with everyone else
        (default: the first label in sorted order).
    q, top : the value segments (``q``: 10 for deciles) and how many of the top ones form
        the focus group, as in :func:`value_tiers`.
    rest : the label of everyone else.
    customer_col : the customer id column of ``answers`` and ``customers``.

    Returns
    -------
    ``(answers, groups)``: the answers, with a ``segment`` column (the focus label,
    ``rest``, or missing where a customer has no segment) when there are groups, and the
    :class:`DriverGroups` naming them. A focus segment that is not among the labels, or
    labels with only one segment, raise :class:`cxkit.DataError` (:func:`focus_vs_rest`).

    Example
    -------
    >>> answers = pd.DataFrame({"customer_id": ["a", "b", "c"], "value_tier": ["Top 10%", "Rest (90%)", "Rest (90%)"]})
    >>> rated, groups = driver_groups(answers)
    >>> rated["segment"].tolist(), groups.focus, groups.focus_words
    (['Top 10%', 'everyone else', 'everyone else'], 'Top 10%', 'the top 10% of spenders')
    """
    top_tier = top_tier_label(q, top)
    spenders = f"the {top_tier.lower()} of spenders"
    by_value = segment_by == "value" and "value_tier" in answers
    labels = answers["value_tier"] if by_value else None
    if segment_by and not by_value and customers is not None and segment_by in customers:
        labels = attach(answers[[customer_col]], customers, segment_by, on=customer_col)[segment_by]
    focus = None
    if labels is not None:
        answers = answers.assign(segment=focus_vs_rest(labels, top_tier if by_value else focus_segment, rest=rest))
        focus = next(s for s in sorted(answers["segment"].dropna().unique()) if s != rest)
    words = "all customers" if focus is None else spenders if by_value else str(focus)
    return answers, DriverGroups(focus=focus, rest=rest, focus_words=words, top_tier=top_tier, spenders=spenders,
                                 group_word="decile" if q == 10 else "group", by_value=by_value)


def driver_sentences(
    groups: DriverGroups,
    importance: pd.DataFrame,
    by_segment: pd.DataFrame | None = None,
    difference: pd.DataFrame | None = None,
    quadrants: pd.DataFrame | None = None,
    *,
    outcome: str = "CSAT",
    period: str | None = None,
) -> list[str]:
    """The summary's sentences on what drives satisfaction, for whom, and what to fix first.

    A board reads the driver analysis as a few claims: what matters most to the focus
    group and to everyone else, which drivers weigh clearly more or less for the focus
    group (only differences whose interval excludes zero), and each group's "Fix first"
    drivers. Each sentence is written from its table by :mod:`cxkit.narrative`.

    Parameters
    ----------
    groups : the groups compared (:func:`driver_groups`).
    importance : the drivers' shares for all answers (``KeyDrivers.importance_``); its
        sentence is the only one when there are no groups (``by_segment`` is None).
    by_segment : :func:`cxkit.drivers.segment_importance` by ``segment``.
    difference : :func:`cxkit.drivers.importance_difference` of the focus group against the rest.
    quadrants : :func:`cxkit.drivers.importance_performance` by ``segment``.
    outcome : the rating explained, as the sentences name it (``"CSAT"``).
    period : the answers' period (the driver sentences name it; the actions share it).

    Returns
    -------
    list of Markdown sentences: without groups, one; with them, the drivers of the focus
    group and of the rest, their difference, and where to act for each.

    Example
    -------
    >>> imp = pd.DataFrame({"driver": ["availability", "clarity"], "share": [0.7, 0.3],
    ...                     "share_low": [0.6, 0.2], "share_high": [0.8, 0.4]})
    >>> groups = driver_groups(pd.DataFrame({"customer_id": ["a"]}), segment_by=None)[1]
    >>> driver_sentences(groups, imp, period="all answers")[0][:60]
    'For all customers (all answers), **availability** (70% of wh'
    """
    if by_segment is None:
        return [narrative.driver_sentence(importance, who="For all customers", outcome=outcome, period=period)]
    if not groups.segmented:
        raise ValueError("driver_sentences got segment results but groups without a focus group; "
                         "pass the groups of driver_groups() that labelled the answers")
    if difference is None or quadrants is None:
        raise ValueError("driver_sentences needs difference and quadrants beside by_segment")
    lines = [narrative.driver_sentence(by_segment[by_segment["segment"] == label], who=f"For {words}",
                                       outcome=outcome, period=period) for label, words in groups.in_words.items()]
    lines.append(narrative.driver_difference_sentence(difference, a=groups.focus_words, b=groups.rest,
                                                      outcome=outcome, period=period))
    lines += [narrative.quadrant_sentence(quadrants[quadrants["segment"] == label], who=words)
              for label, words in groups.in_words.items()]
    return lines
