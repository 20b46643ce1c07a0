"""BG/NBD: how often each customer buys and whether they are still active.

:class:`BetaGeoFitter` (Fader, Hardie & Lee 2005) fitted by maximum likelihood, with the
log-likelihood, its gradient and the expected-purchases formula (2F1, Euler's
transformation, and Gauss-Jacobi quadrature where both fail).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import betaln, digamma, expit, gammaln, hyp2f1, roots_jacobi

from cxkit.clv.fitting import ArrayLike, _as_float_array, _dot, _Fitter, _rows_frame, _weights, _wrap
from cxkit.errors import data_error


def _validate_rfm(
    frequency: ArrayLike, recency: ArrayLike, T: ArrayLike, table: str = "summary"
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = _as_float_array(frequency, "frequency")
    tx = _as_float_array(recency, "recency")
    TT = _as_float_array(T, "T")
    if not (x.size == tx.size == TT.size):
        raise data_error(
            table, ["frequency", "recency", "T"], f"lengths differ ({x.size}, {tx.size}, {TT.size})"
        )
    checks = [
        (
            ~(np.isfinite(x) & np.isfinite(tx) & np.isfinite(TT)),
            ["frequency", "recency", "T"],
            "values must be finite",
        ),
        (
            (x < 0) | (x != np.round(x)),
            "frequency",
            "frequency must be a non-negative whole number",
        ),
        (tx < 0, "recency", "recency must be >= 0"),
        (tx > TT * (1 + 1e-9) + 1e-12, ["recency", "T"], "recency must be <= T"),
        ((x == 0) & (tx != 0), ["frequency", "recency"], "recency must be 0 when frequency is 0"),
    ]
    for mask, col, rule in checks:
        if mask.any():
            raise data_error(table, col, rule, _rows_frame(mask, frequency=x, recency=tx, T=TT))
    return x, tx, TT


def _group_rows(cols: Sequence[np.ndarray], w: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """Collapse identical rows; returns the unique rows and their summed weights."""
    key = np.zeros(cols[0].size, dtype=np.int64)
    for c in cols:
        codes, uniq = pd.factorize(c, sort=False)
        key = key * len(uniq) + codes
    codes, uniq = pd.factorize(key, sort=False)
    rep = np.empty(len(uniq), dtype=np.int64)
    rep[codes] = np.arange(codes.size)
    wsum = np.bincount(codes, weights=w, minlength=len(uniq))
    keep = wsum > 0
    return [c[rep][keep] for c in cols], wsum[keep]


_BG_DRIFT = {
    "r": (
        "purchase rates differ extremely between customers",
        "purchase rates hardly differ between customers",
    ),
    "a": ("almost nobody seems to drop out", ""),
    "b": ("", "almost nobody seems to drop out"),
}


class _BGData:
    """Grouped BG/NBD data with per-unique-value indices (x, t_x and T repeat a lot)."""

    def __init__(self, x: np.ndarray, tx: np.ndarray, T: np.ndarray, w: np.ndarray) -> None:
        self.w = w
        self.W = w.sum()
        self.ux, self.ix = np.unique(x, return_inverse=True)
        self.utx, self.itx = np.unique(tx, return_inverse=True)
        self.uT, self.iT = np.unique(T, return_inverse=True)
        self.wx = np.bincount(self.ix, weights=w, minlength=self.ux.size)
        self.pos_x = self.ux > 0

    def loglik_grad(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        """Total log-likelihood and its gradient in (r, alpha, a, b)."""
        r, alpha, a, b = theta
        ux, ix, w = self.ux, self.ix, self.w
        rx_u = r + ux
        cx = gammaln(rx_u) - gammaln(r) + r * np.log(alpha) + betaln(a, b + ux) - betaln(a, b)
        lT_u = np.log(alpha + self.uT)
        ltx_u = np.log(alpha + self.utx)
        d4_u = np.full(ux.size, -np.inf)
        inv_bx1 = np.zeros(ux.size)
        p = self.pos_x
        d4_u[p] = np.log(a) - np.log(b + ux[p] - 1)
        inv_bx1[p] = 1.0 / (b + ux[p] - 1)
        rx = rx_u[ix]
        lT = lT_u[self.iT]
        ltx = ltx_u[self.itx]
        # L = logaddexp(A3, A4) with A3 = -(r+x) log(alpha+T), A4 = d4 - (r+x) log(alpha+t_x);
        # written as A3 + softplus(A4 - A3) to share exp() with the weight of the A4 term.
        d = d4_u[ix] - rx * (ltx - lT)
        e = np.exp(
            -np.minimum(np.abs(d), 300.0)
        )  # clipped: denormals are very slow, error < 1e-130
        softplus = np.maximum(d, 0) + np.log1p(e)
        q = 1.0 / (1.0 + e)
        w4 = np.where(d >= 0, q, e * q)  # exp(A4 - L), 0 for x = 0
        ll = float(self.wx @ cx - (w * rx) @ lT + w @ softplus)
        s4 = w * w4
        s3 = w - s4
        dr = self.wx @ (digamma(rx_u) - digamma(r) + np.log(alpha)) - s3 @ lT - s4 @ ltx
        g3 = np.bincount(self.iT, weights=s3 * rx, minlength=self.uT.size)
        g4 = np.bincount(self.itx, weights=s4 * rx, minlength=self.utx.size)
        dalpha = (
            self.W * r / alpha - g3 @ (1.0 / (alpha + self.uT)) - g4 @ (1.0 / (alpha + self.utx))
        )
        psab = digamma(a + b)
        psabx = digamma(a + b + ux)
        s4x = np.bincount(ix, weights=s4, minlength=ux.size)
        da = self.wx @ (psab - psabx) + s4x.sum() / a
        db = self.wx @ (psab + digamma(b + ux) - digamma(b) - psabx) - s4x @ inv_bx1
        return ll, np.array([dr, dalpha, da, db])


def _bg_expected_if_alive(
    r: float,
    alpha: float,
    a: float,
    b: float,
    x: np.ndarray,
    T: np.ndarray,
    t: np.ndarray,
    n_nodes: int = 64,
) -> np.ndarray:
    """E[purchases in (T, T+t] | alive at T] by Gauss-Jacobi quadrature over p.

    Given alive, lambda ~ Gamma(r + x, alpha + T) and p ~ Beta(a, b + x), so the expectation
    is E_p[(1 - ((alpha+T) / (alpha+T+p t))^(r+x)) / p]. Used where 2F1 fails (e.g. a + b < 1).
    """
    x, T, t = np.broadcast_arrays(np.asarray(x, float), np.asarray(T, float), np.asarray(t, float))
    out = np.empty(x.shape)
    for xv in np.unique(x):
        m = x == xv
        u, w = roots_jacobi(n_nodes, b + xv - 1, a - 1)
        pn = (1 + u) / 2
        base = (alpha + T[m])[:, None]
        g = -np.expm1((r + xv) * np.log(base / (base + pn * t[m][:, None]))) / pn
        out[m] = g @ w / w.sum()
    return out


def _bg_purchases_if_alive(
    r: float, alpha: float, a: float, b: float, x: ArrayLike, T: ArrayLike, t: ArrayLike
) -> np.ndarray:
    """E[purchases in (T, T+t] | alive at T]: the numerator of eq. (10) of Fader, Hardie & Lee.

    Depends on (x, T, t) only, not on recency, so callers can compute it once per distinct
    (x, T). 2F1 first; Euler's transformation 2F1(a, b; c; z) = (1 - z)^(c-a-b)
    2F1(c-a, c-b; c; z) where 2F1 overflows (as in ``lifetimes``); the exact 1-D quadrature
    of :func:`_bg_expected_if_alive` where both fail (e.g. a + b + x - 1 < 0).
    """
    t_, x, T = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (t, x, T)))
    shape = t_.shape
    t_, x, T = t_.ravel(), x.ravel(), T.ravel()  # 1-D so that failed entries can be replaced
    _a, _b, _c = r + x, b + x, a + b + x - 1
    z = t_ / (alpha + T + t_)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        # log[2F1(r+x, b+x; a+b+x-1; z) * ((alpha+T)/(alpha+T+t))^(r+x)], log(1-z) = that ratio
        log1mz = np.log((alpha + T) / (alpha + T + t_))
        h = hyp2f1(_a, _b, _c, z)
        ln_term = np.log(h) + _a * log1mz
        alt = ~(np.isfinite(ln_term) & (h > 0))
        if alt.any():
            ln_term[alt] = (
                np.log(hyp2f1(_c[alt] - _a[alt], _c[alt] - _b[alt], _c[alt], z[alt]))
                + (_c[alt] - _a[alt] - _b[alt] + _a[alt]) * log1mz[alt]
            )
        numer = (a + b + x - 1) / (a - 1) * -np.expm1(ln_term)
        bad = ~np.isfinite(numer) | (numer < 0)
        if bad.any():
            numer[bad] = _bg_expected_if_alive(r, alpha, a, b, x[bad], T[bad], t_[bad])
    return numer.reshape(shape)


def _bgnbd_loglik_rows(
    params: Sequence[float], x: np.ndarray, tx: np.ndarray, T: np.ndarray
) -> np.ndarray:
    r, alpha, a, b = params
    A1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    A2 = betaln(a, b + x) - betaln(a, b)
    A3 = -(r + x) * np.log(alpha + T)
    with np.errstate(invalid="ignore", divide="ignore"):
        A4 = np.where(x > 0, np.log(a) - np.log(b + x - 1) - (r + x) * np.log(alpha + tx), -np.inf)
    return A1 + A2 + np.logaddexp(A3, A4)


def _fit_rfm(fitter: Any, data_class: type, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike,
             weights: ArrayLike | None, initial_params: Sequence[float] | None, *, model: str,
             start: Callable[[float, float], Sequence[float]], drift: Any, advice: str,
             check: Callable[[np.ndarray, np.ndarray], None] | None = None) -> Any:
    """Fit a purchase model (BG/NBD, Pareto/NBD, MBG/NBD) by maximum likelihood: what the three share.

    The (frequency, recency, T) rows are validated and grouped with their weights; the
    optimiser works on log-parameters with the model's analytic gradient (``data_class``
    gives ``loglik_grad``) and the ridge penalty; ``start`` gives the starting values from
    the mean frequency and age.
    """
    x, tx, TT = _validate_rfm(frequency, recency, T)
    w = _weights(weights, x.size)
    n_total = w.sum()
    if n_total < 2:
        raise data_error("summary", "frequency", f"{model} needs many customers; got {n_total:g}")
    if check is not None:
        check(x, w)
    (gx, gtx, gT), gw = _group_rows([x, tx, TT], w)
    data = data_class(gx, gtx, gT, gw)
    pen = fitter.penalizer_coef

    def fun_grad(phi: np.ndarray) -> tuple[float, np.ndarray]:
        theta = np.exp(phi)
        ll, g = data.loglik_grad(theta)
        f = -ll / n_total + pen * np.sum(theta**2)
        gphi = -theta * g / n_total + 2 * pen * theta**2
        return f, gphi

    first = np.array(start(_dot(w, x) / n_total, _dot(w, TT) / n_total), dtype=float)
    opt = fitter._optimise(fun_grad, first, initial_params, model=model, drift=drift, advice=advice)
    fitter._set_fit(opt, n_total, data.loglik_grad(np.exp(opt.phi))[0])
    fitter.n_unique_rows_ = int(gw.size)
    return fitter


class BetaGeoFitter(_Fitter):
    """BG/NBD model (Fader, Hardie & Lee 2005) fitted by maximum likelihood.

    Predicts how many purchases each customer will make and whether they are still
    "alive", the basis of a forward-looking CLV instead of a backward-looking RFM score.

    Each customer buys at a Poisson rate lambda ~ Gamma(r, alpha) while active and, after
    each purchase, becomes inactive with probability p ~ Beta(a, b).

    Parameters
    ----------
    penalizer_coef : float, default 0
        Ridge penalty ``penalizer_coef * sum(params**2)`` added to the mean negative
        log-likelihood (same scale as ``lifetimes``); a small value (0.001-0.1) steadies
        fits on small or degenerate data.

    Attributes
    ----------
    params_ : Series
        ``r``, ``alpha``, ``a``, ``b``.
    log_likelihood_ : float
        Total (not mean) log-likelihood at ``params_``, without the penalty.
    n_customers_ : int
        Number of customers (sum of weights) used.
    standard_errors_, variance_matrix_ : Series, DataFrame
        From the numerical Hessian of the (penalised) log-likelihood.
    covariance_ : DataFrame
        Covariance of the log-parameters (``log(r)``, ``log(alpha)``, ...): the inverse of
        that Hessian on the scale the fit works on. :func:`total_clv_interval` draws from it.

    Examples
    --------
    >>> bgf = BetaGeoFitter.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
    >>> round(bgf.conditional_probability_alive(2, 30.43, 38.86), 3)
    0.727
    >>> round(bgf.conditional_expected_number_of_purchases_up_to_time(39, 2, 30.43, 38.86), 3)
    1.226
    """

    _param_names = ("r", "alpha", "a", "b")

    def fit(
        self,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,
        weights: ArrayLike | None = None,
        initial_params: Sequence[float] | None = None,
    ) -> "BetaGeoFitter":
        """Estimate r, alpha, a, b by maximum likelihood.

        The fitted parameters drive every purchase and churn forecast, so a fit that did
        not converge raises instead of returning silently wrong numbers.

        Customers with identical (frequency, recency, T) are grouped and weighted, which
        makes a million-customer fit take well under a second. Optimisation runs on
        log-parameters (L-BFGS-B with an analytic gradient, then Newton steps).

        Parameters
        ----------
        frequency, recency, T : array-like
            Repeat purchases, time of last purchase and age of each customer (same unit).
        weights : array-like, optional
            Number of customers each row stands for (for pre-grouped data).
        initial_params : sequence of 4 floats, optional
            Starting r, alpha, a, b.

        Returns
        -------
        BetaGeoFitter
            ``self``, fitted.

        Raises
        ------
        DataError
            Invalid inputs, fewer than two customers or no repeat buyer.
        FitError
            The optimiser did not converge.

        Examples
        --------
        >>> bgf = BetaGeoFitter().fit([0, 1, 2, 5], [0, 10, 20, 30], [40, 40, 40, 40],
        ...                           weights=[50, 20, 10, 5])
        >>> bgf.params_.round(2).to_dict()
        {'r': 0.42, 'alpha': 14.79, 'a': 0.95, 'b': 1.53}
        >>> bgf.n_customers_, bgf.converged_
        (85, True)
        """
        def repeat_buyers(x: np.ndarray, w: np.ndarray) -> None:
            if not (w[x > 0].sum() > 0):
                raise data_error(
                    "summary",
                    "frequency",
                    "no repeat buyer (frequency > 0): the drop-out parameters a and b cannot be estimated",
                    hint="use a longer observation period, or check that purchase days are not merged away",
                )

        return _fit_rfm(self, _BGData, frequency, recency, T, weights, initial_params, model="BG/NBD",
                        start=lambda mean_x, mean_T: [1.0, max(mean_T, 1e-3) / max(mean_x, 1e-2), 1.0, 1.0],
                        drift=_BG_DRIFT, check=repeat_buyers,
                        advice="Try penalizer_coef=0.001 (or larger; it keeps parameters from running to "
                        "infinity), a time unit that keeps T between about 1 and 1000, other initial_params, "
                        "or more customers / a longer period with repeat purchases.")

    def individual_log_likelihood(
        self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> np.ndarray:
        """Log-likelihood of each customer's (x, t_x, T) at the fitted parameters.

        Low values flag customers the model explains poorly (e.g. bulk or B2B buyers).

        Parameters
        ----------
        frequency, recency, T : array-like

        Returns
        -------
        ndarray or Series

        Examples
        --------
        >>> bgf = BetaGeoFitter.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> bgf.individual_log_likelihood([0, 2], [0.0, 30.43], [38.86, 38.86]).round(3)
        array([-0.555, -9.459])
        """
        self._check_fitted()
        x, tx, TT = _validate_rfm(frequency, recency, T)
        return _wrap(
            _bgnbd_loglik_rows(self.params_.to_numpy(), x, tx, TT), frequency, "log_likelihood"
        )

    def conditional_probability_alive(
        self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> Any:
        """Probability that a customer with history (x, t_x, T) is still active.

        Separates customers who are merely quiet from those who have probably left, the
        key input for win-back targeting.

        Parameters
        ----------
        frequency, recency, T : array-like or scalar

        Returns
        -------
        float, ndarray or Series
            Values in [0, 1]; exactly 1 for customers without repeat purchases (the
            BG/NBD assumes drop-out can only happen right after a purchase).

        Examples
        --------
        >>> bgf = BetaGeoFitter.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> round(bgf.conditional_probability_alive(2, 30.43, 38.86), 3)
        0.727
        >>> bgf.conditional_probability_alive([0, 2, 2], [0, 30.43, 5.0], [38.86] * 3).round(3)
        array([1.   , 0.727, 0.124])
        """
        self._check_fitted()
        r, alpha, a, b = self.params_.to_numpy()
        x, tx, TT = (np.asarray(v, dtype=float) for v in (frequency, recency, T))
        with np.errstate(divide="ignore", invalid="ignore"):
            log_div = (r + x) * np.log((alpha + TT) / (alpha + tx)) + np.log(
                a / (b + np.maximum(x, 1) - 1)
            )
            p = np.where(x == 0, 1.0, expit(-log_div))
        return _wrap(np.atleast_1d(p), frequency, "p_alive")

    def conditional_expected_number_of_purchases_up_to_time(
        self, t: ArrayLike, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> Any:
        """Expected purchases in the next ``t`` periods for a customer with history (x, t_x, T).

        This is the per-customer purchase forecast that multiplies spend into CLV.

        Uses equation (10) of Fader, Hardie & Lee (2005) with the Gauss hypergeometric
        function 2F1; when 2F1 overflows, Euler's transformation
        2F1(a, b; c; z) = (1 - z)^(c-a-b) 2F1(c-a, c-b; c; z) is used (as in ``lifetimes``).

        Parameters
        ----------
        t : float or array-like
            Forecast horizon, in the unit of ``T``.
        frequency, recency, T : array-like or scalar

        Returns
        -------
        float, ndarray or Series

        Examples
        --------
        >>> bgf = BetaGeoFitter.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> round(bgf.conditional_expected_number_of_purchases_up_to_time(39, 2, 30.43, 38.86), 3)
        1.226
        >>> expected = bgf.conditional_expected_number_of_purchases_up_to_time
        >>> expected(39, [0, 2], [0.0, 30.43], [38.86, 38.86]).round(3)
        array([0.195, 1.226])
        """
        self._check_fitted()
        r, alpha, a, b = self.params_.to_numpy()
        t_, x, tx, TT = (np.asarray(v, dtype=float) for v in (t, frequency, recency, T))
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            numer = _bg_purchases_if_alive(r, alpha, a, b, x, TT, t_)
            denom = 1 + (x > 0) * (a / (b + np.maximum(x, 1) - 1)) * np.exp(
                (r + x) * np.log((alpha + TT) / (alpha + tx))
            )
            out = numer / denom
        out = np.where(t_ == 0, 0.0, out)
        return _wrap(
            np.atleast_1d(out), frequency if np.ndim(frequency) else t, "expected_purchases"
        )

    def expected_number_of_purchases_up_to_time(self, t: ArrayLike) -> Any:
        """Expected purchases of a randomly chosen new customer within ``t`` periods of the first.

        Gives the cohort-level repeat-purchase curve a CX analyst compares with actuals.

        Parameters
        ----------
        t : float or array-like

        Returns
        -------
        float, ndarray or Series

        Examples
        --------
        >>> bgf = BetaGeoFitter.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> bgf.expected_number_of_purchases_up_to_time([13, 26, 39]).round(3)
        array([0.534, 0.903, 1.197])
        """
        self._check_fitted()
        r, alpha, a, b = self.params_.to_numpy()
        t_ = np.asarray(t, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            hyp = hyp2f1(r, b, a + b - 1, t_ / (alpha + t_))
            out = np.atleast_1d(
                (a + b - 1) / (a - 1) * (1 - np.exp(r * np.log(alpha / (alpha + t_))) * hyp)
            )
            bad = ~np.isfinite(out) | (out < 0)
            if bad.any():
                out = out.copy()
                tb = np.broadcast_to(t_, out.shape)[bad]
                out[bad] = _bg_expected_if_alive(
                    r, alpha, a, b, np.zeros_like(tb), np.zeros_like(tb), tb
                )
        out = np.where(t_ == 0, 0.0, out)
        return _wrap(np.atleast_1d(out), t, "expected_purchases")
