"""The machinery the BG/NBD and Gamma-Gamma fitters share.

* :class:`_Fitter`: the base class: ``penalizer_coef``, ``from_params``, the optimiser
  wrapper that raises :class:`cxkit.FitError` with advice when a fit does not converge,
  the standard errors and covariances, and ``summary`` (log-scale 95 % intervals and the
  ``identified`` flag read by :func:`cxkit.clv.identification_notes`).
* :func:`_minimise`: L-BFGS-B on log-parameters, then Newton steps with a numerical
  Hessian; says why when it fails.
* Checks of the numeric columns and weights every fitter takes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize

from cxkit.errors import FitError, argument_error, data_error

ArrayLike = Any


def _as_float_array(values: ArrayLike, name: str) -> np.ndarray:
    if isinstance(values, (pd.Series, pd.Index)):
        values = values.to_numpy()
    arr = np.asarray(values)
    if arr.dtype == bool or not np.issubdtype(arr.dtype, np.number):
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise data_error("summary", name, f"{name} must be numeric") from exc
    return np.atleast_1d(arr.astype(np.float64)).ravel()


def _rows_frame(mask: np.ndarray, **cols: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(cols)[mask]


def _dot(a: np.ndarray, b: np.ndarray) -> float:
    """Sum of a * b. Not ``a @ b``: BLAS starts its threads for long vectors, which costs
    milliseconds a call on a busy machine, more than the whole sum."""
    return float(np.sum(a * b))


def _num_hessian(grad: Callable[[np.ndarray], np.ndarray], phi: np.ndarray) -> np.ndarray:
    k = phi.size
    h = 1e-5 * np.maximum(1.0, np.abs(phi))
    H = np.empty((k, k))
    for i in range(k):
        e = np.zeros(k)
        e[i] = h[i]
        H[:, i] = (grad(phi + e) - grad(phi - e)) / (2 * h[i])
    return (H + H.T) / 2


@dataclass
class _OptResult:
    phi: np.ndarray
    fun: float
    grad: np.ndarray
    hess: np.ndarray
    n_eval: int
    converged: bool
    reason: str


def _minimise(
    fun_grad: Callable[[np.ndarray], tuple[float, np.ndarray]], phi0: np.ndarray, gtol: float = 1e-6
) -> _OptResult:
    """Minimise a smooth objective over log-parameters: L-BFGS-B, then Newton polish."""
    n_eval = 0

    def fg(phi: np.ndarray) -> tuple[float, np.ndarray]:
        nonlocal n_eval
        n_eval += 1
        with np.errstate(all="ignore"):
            f, g = fun_grad(phi)
        if not np.isfinite(f) or not np.all(np.isfinite(g)):
            return 1e300, np.zeros_like(phi)
        return f, g

    def grad(phi: np.ndarray) -> np.ndarray:
        return fg(phi)[1]

    res = optimize.minimize(
        fg,
        phi0,
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": 5000, "ftol": 1e-13, "gtol": 1e-9, "maxcor": 20},
    )
    phi = res.x
    f, g = fg(phi)
    if f >= 1e300:
        nm = optimize.minimize(
            lambda p: fg(p)[0],
            phi0,
            method="Nelder-Mead",
            options={"maxiter": 20000, "xatol": 1e-10, "fatol": 1e-14},
        )
        phi = nm.x
        f, g = fg(phi)
    phi, f, g, H = _newton_polish(fg, grad, phi, f, g)
    reason = _not_converged_reason(phi, f, g, H, gtol)
    return _OptResult(phi, f, g, H, n_eval, reason == "", reason)


def _newton_polish(
    fg: Callable[[np.ndarray], tuple[float, np.ndarray]],
    grad: Callable[[np.ndarray], np.ndarray],
    phi: np.ndarray,
    f: float,
    g: np.ndarray,
) -> tuple[np.ndarray, float, np.ndarray, np.ndarray]:
    """Up to six Newton steps (halved until the objective does not rise) from ``phi``.

    Uses a finite-difference Hessian of the analytic gradient; returns the point, its
    objective and gradient, and the last Hessian (kept for the standard errors).
    """
    H = _num_hessian(grad, phi)
    for _ in range(6):
        if np.max(np.abs(g)) < 1e-10:
            break
        try:
            step = -np.linalg.solve(H, g)
        except np.linalg.LinAlgError:
            break
        if not np.all(np.isfinite(step)) or -g @ step >= 0:
            break
        t = 1.0
        while t > 1e-6:
            f_new, g_new = fg(phi + t * step)
            if f_new <= f:
                break
            t /= 2
        else:
            break
        phi, f, g = phi + t * step, f_new, g_new
        H = _num_hessian(grad, phi)
    return phi, f, g, H


def _not_converged_reason(phi: np.ndarray, f: float, g: np.ndarray, H: np.ndarray, gtol: float) -> str:
    """Why the optimum found is not a usable maximum of the likelihood, in words ("" when it is)."""
    if not np.isfinite(f) or f >= 1e300:
        return "the log-likelihood is not finite at any tried parameter value"
    if np.max(np.abs(g)) > gtol:
        return f"the largest gradient is {np.max(np.abs(g)):.2g} (tolerance {gtol:g})"
    if np.any(np.abs(phi) > 25):
        return "a parameter drifted to 0 or infinity"
    try:
        ev = np.linalg.eigvalsh(H)
    except np.linalg.LinAlgError:
        ev = np.array([np.nan])
    if not np.all(ev > 0):
        return "the Hessian is not positive definite (the optimum is flat or a saddle)"
    return ""


def _wrap(values: np.ndarray, like: Any, name: str) -> Any:
    if isinstance(like, pd.Series):
        return pd.Series(values, index=like.index, name=name)
    if np.ndim(like) == 0 and values.size == 1:
        return float(values.reshape(-1)[0])
    return values


class _Fitter:
    _param_names: tuple[str, ...] = ()
    params_: pd.Series

    def __init__(self, penalizer_coef: float = 0.0) -> None:
        if not np.isfinite(penalizer_coef) or penalizer_coef < 0:
            raise argument_error("penalizer_coef", "penalizer_coef must be >= 0")
        self.penalizer_coef = float(penalizer_coef)

    def _optimise(
        self,
        fun_grad: Callable[[np.ndarray], tuple[float, np.ndarray]],
        theta0: np.ndarray,
        initial_params: ArrayLike | None,
        *,
        model: str,
        drift: dict[str, tuple[str, str]],
        advice: str,
    ) -> _OptResult:
        """Minimise on log-parameters from ``theta0`` (or ``initial_params``); FitError if it fails."""
        names = self._param_names
        if initial_params is not None:
            theta0 = np.asarray(initial_params, dtype=float)
            if theta0.shape != (len(names),) or not np.all(theta0 > 0):
                raise argument_error(
                    "initial_params",
                    f"initial_params must be {len(names)} positive numbers ({', '.join(names)})",
                )
        opt = _minimise(fun_grad, np.log(theta0))
        if not opt.converged:
            raise FitError(
                f"{model} fit did not converge: {opt.reason} (last {', '.join(names)} = "
                f"{np.array2string(np.exp(opt.phi), precision=4)})."
                f"{_drift_note(opt.phi, names, drift)} {advice}"
            )
        return opt

    def _check_fitted(self) -> None:
        if not hasattr(self, "params_"):
            raise FitError(
                f"{type(self).__name__} is not fitted yet: call fit(...) or from_params(...) first"
            )

    @classmethod
    def from_params(cls, **params: float) -> Any:
        """Build a fitter with given parameter values instead of fitting.

        Lets an analyst run what-if scenarios or reuse published or earlier estimates.

        Parameters
        ----------
        **params : float
            One value per model parameter.

        Returns
        -------
        fitter
            An instance whose ``params_`` are set; fit statistics are absent.

        Examples
        --------
        >>> from cxkit.clv import BetaGeoFitter
        >>> BetaGeoFitter.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
        <BetaGeoFitter: r: 0.243, alpha: 4.414, a: 0.793, b: 2.426>
        """
        missing = [p for p in cls._param_names if p not in params]
        extra = [p for p in params if p not in cls._param_names]
        if missing or extra:
            raise argument_error(
                None,
                f"{cls.__name__}.from_params needs exactly {list(cls._param_names)}",
            )
        obj = cls()
        obj.params_ = pd.Series({p: float(params[p]) for p in cls._param_names}, name="coef")
        return obj

    def _set_fit(self, opt: _OptResult, n_total: float, loglik: float) -> None:
        theta = np.exp(opt.phi)
        self.params_ = pd.Series(theta, index=list(self._param_names), name="coef")
        self.log_likelihood_ = float(loglik)
        self.n_customers_ = int(round(n_total))
        self.converged_ = opt.converged
        self.n_evaluations_ = opt.n_eval
        # Observed information of the total objective in log-parameters, then delta method.
        try:
            cov_phi = np.linalg.inv(opt.hess * n_total)
        except np.linalg.LinAlgError:
            cov_phi = np.full((theta.size, theta.size), np.nan)
        log_names = [f"log({p})" for p in self._param_names]
        self.covariance_ = pd.DataFrame(cov_phi, index=log_names, columns=log_names)
        cov = cov_phi * np.outer(theta, theta)
        self.variance_matrix_ = pd.DataFrame(
            cov, index=self.params_.index, columns=self.params_.index
        )
        self.standard_errors_ = pd.Series(
            np.sqrt(np.clip(np.diag(cov), 0, None)), index=self.params_.index, name="se(coef)"
        )

    @property
    def summary(self) -> pd.DataFrame:
        """Parameters with standard errors, 95 % intervals and whether the data pin each one down.

        A reader quotes a parameter only when its interval is narrow enough to mean
        something; ``identified`` flags the ones that are not.

        Every parameter is positive, so the interval is computed on the log scale,
        exp(log(coef) ± 1.959964 · se / coef): it never goes below 0 and stretches further
        above the estimate than below (a symmetric interval coef ± 1.96 se can go negative
        when the standard error is large). Standard errors come from the numerical Hessian
        at the optimum. ``identified`` is False when the standard error is larger than the
        estimate (or could not be computed): the data cannot pin that parameter down, and
        :func:`identification_notes` says in plain words what that means for the forecast.

        Returns
        -------
        DataFrame
            Indexed by parameter: ``coef``, ``se(coef)``, ``lower 95% bound``,
            ``upper 95% bound``, ``identified``.

        Examples
        --------
        >>> from cxkit.clv import BetaGeoFitter
        >>> bgf = BetaGeoFitter().fit([0, 1, 2, 5], [0, 10, 20, 30], [40, 40, 40, 40],
        ...                           weights=[50, 20, 10, 5])
        >>> bgf.summary.round(2)  # 85 customers: too few to pin down the lapse parameters
                coef  se(coef)  lower 95% bound  upper 95% bound  identified
        r       0.42      0.14             0.22             0.82        True
        alpha  14.79      7.07             5.79            37.76        True
        a       0.95      1.56             0.04            23.72       False
        b       1.53      2.78             0.04            53.47       False
        """
        self._check_fitted()
        if not hasattr(self, "standard_errors_"):
            raise FitError("summary needs a fitted model (from_params sets no standard errors)")
        coef, se = self.params_, self.standard_errors_
        half = 1.959964 * se / coef
        return pd.DataFrame(
            {
                "coef": coef,
                "se(coef)": se,
                "lower 95% bound": np.exp(np.log(coef) - half),
                "upper 95% bound": np.exp(np.log(coef) + half),
                "identified": (se <= coef).astype(bool),
            }
        )

    def __repr__(self) -> str:
        if not hasattr(self, "params_"):
            return f"<{type(self).__name__}: not fitted>"
        ps = ", ".join(f"{k}: {v:.3f}" for k, v in self.params_.items())
        n = getattr(self, "n_customers_", None)
        return f"<{type(self).__name__}: {ps}" + (f", fitted on {n} customers>" if n else ">")


def _weights(weights: ArrayLike | None, n: int, table: str = "summary") -> np.ndarray:
    if weights is None:
        return np.ones(n)
    w = _as_float_array(weights, "weights")
    if w.size != n:
        raise data_error(table, "weights", f"weights length {w.size} differs from data length {n}")
    bad = ~np.isfinite(w) | (w < 0)
    if bad.any():
        raise data_error(
            table, "weights", "weights must be finite and >= 0", _rows_frame(bad, weights=w)
        )
    return w


def _drift_note(phi: np.ndarray, names: Sequence[str], notes: dict[str, tuple[str, str]]) -> str:
    out = []
    for name, ph in zip(names, phi, strict=True):
        if abs(ph) > 25:
            lo, hi = notes.get(name, ("", ""))
            why = hi if ph > 0 else lo
            out.append(f"{name} -> {'infinity' if ph > 0 else '0'}" + (f" ({why})" if why else ""))
    return (
        (" Drifting: " + "; ".join(out) + ", so the model is not identified on these data.")
        if out
        else ""
    )
