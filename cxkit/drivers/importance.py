"""Key-driver importance: each driver's share of what the ratings explain of satisfaction.

A regression of CSAT on six correlated ratings gives coefficients that swing with
every sample; a CX analyst needs a stable split of "what explains satisfaction".
:class:`KeyDrivers` splits the model R² between drivers by exact Shapley values
(general dominance, LMG) or Johnson's relative weights, with bootstrap intervals, and
with respondent weights (e.g. spend) when given; :func:`driver_importance` is its
one-call form. The maths works from covariance matrices (:func:`subset_r2`,
:func:`shapley_matrix`, :func:`relative_weights`).

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

from collections.abc import Sequence
from math import factorial
from typing import Any

import numpy as np
import pandas as pd

from cxkit.data import DEFAULT_DRIVERS
from cxkit.errors import DataError, FitError, data_error, require_columns

__all__ = ["MAX_SHAPLEY_DRIVERS", "KeyDrivers", "driver_importance", "relative_weights", "shapley_matrix",
           "subset_r2"]

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


def _weights(data: pd.DataFrame, weights: str | None) -> np.ndarray:
    """Respondent weights (all 1 without a column); present and non-negative, or a DataError."""
    if not weights:
        return np.ones(len(data))
    w = _numeric(data, weights, "weight")
    bad = np.isnan(w) | (w < 0)
    if bad.any():
        raise data_error(_TABLE, weights, "weights must be present and non-negative", data.loc[bad, [weights]],
                         hint="fill or drop those rows, or fit without weights")
    return w


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

    def _check_parameters(self) -> None:
        if self.method not in ("shapley", "relative_weights"):
            raise ValueError(f"method must be 'shapley' or 'relative_weights', got {self.method!r}")
        if self.missing not in ("listwise", "raise"):
            raise ValueError(f"missing must be 'listwise' or 'raise', got {self.missing!r}")
        if not 0 < self.ci < 1 or int(self.n_boot) < 0:
            raise ValueError(f"need 0 < ci < 1 and n_boot >= 0 (got ci={self.ci}, n_boot={self.n_boot})")

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
        self._check_parameters()
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
        w = _weights(data, weights)
        missing = np.isnan(z)
        if missing.any() and self.missing == "raise":
            col = columns[int(np.flatnonzero(missing.any(axis=0))[0])]
            raise data_error(_TABLE, col, "missing rating", data.loc[np.isnan(z[:, columns.index(col)]), columns],
                             hint="pass missing='listwise' to drop these rows (counted in excluded_), or fill them")
        # listwise: drop rows with a missing rating; rows of weight 0 add nothing either
        keep = ~missing.any(axis=1)
        rows = [(f"missing rating in {c}", int(k)) for c, k in zip(columns, missing.sum(axis=0), strict=True) if k]
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
