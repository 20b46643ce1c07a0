"""MBG/NBD: BG/NBD in which a customer may also leave right after the first purchase.

:class:`ModifiedBetaGeoFitter` (Batislam, Denizel & Filiztekin 2007, as ``lifetimes``
implements it) fitted by maximum likelihood. In BG/NBD a customer who never bought again
is certainly still active; here they may have left at time 0 too, so one-time buyers
who have been quiet for long get a p(alive) below 1.

Likelihood of a customer with history (x, t_x, T):

    L = B(a, b+x+1) / B(a, b) · Γ(r+x) α^r / Γ(r) · [(α+T)^-(r+x) + a/(b+x) (α+t_x)^-(r+x)].

Given alive at T, lambda ~ Gamma(r+x, alpha+T) and p ~ Beta(a, b+x+1): the BG/NBD
forecast with b + 1 in place of b, so the expected purchases reuse the BG/NBD code.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy.special import betaln, digamma, expit, gammaln

from cxkit.clv.bgnbd import _BG_DRIFT, _bg_purchases_if_alive, _fit_rfm, _validate_rfm
from cxkit.clv.fitting import ArrayLike, _dot, _Fitter, _wrap

__all__ = ["ModifiedBetaGeoFitter"]


class _MBGData:
    """Grouped MBG/NBD data with per-unique-value indices (x, t_x and T repeat a lot)."""

    def __init__(self, x: np.ndarray, tx: np.ndarray, T: np.ndarray, w: np.ndarray) -> None:
        self.w = w
        self.W = float(w.sum())
        self.ux, self.ix = np.unique(x, return_inverse=True)
        self.utx, self.itx = np.unique(tx, return_inverse=True)
        self.uT, self.iT = np.unique(T, return_inverse=True)
        self.wx = np.bincount(self.ix, weights=w, minlength=self.ux.size)

    def loglik_grad(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        """Total log-likelihood and its gradient in (r, alpha, a, b)."""
        r, alpha, a, b = theta
        ux, ix, w = self.ux, self.ix, self.w
        rx_u = r + ux
        cx = gammaln(rx_u) - gammaln(r) + r * np.log(alpha) + betaln(a, b + ux + 1) - betaln(a, b)
        lT_u = np.log(alpha + self.uT)
        ltx_u = np.log(alpha + self.utx)
        d4_u = np.log(a) - np.log(b + ux)
        rx = rx_u[ix]
        lT = lT_u[self.iT]
        ltx = ltx_u[self.itx]
        # log L - C = logaddexp(A3, A4), A3 = -(r+x) log(alpha+T), A4 = d4 - (r+x) log(alpha+t_x)
        d = d4_u[ix] - rx * (ltx - lT)
        e = np.exp(-np.minimum(np.abs(d), 300.0))  # clipped: denormals are very slow
        softplus = np.maximum(d, 0) + np.log1p(e)
        q = 1.0 / (1.0 + e)
        w4 = np.where(d >= 0, q, e * q)  # exp(A4 - L)
        ll = _dot(self.wx, cx) - _dot(w * rx, lT) + _dot(w, softplus)
        s4 = w * w4
        s3 = w - s4
        dr = _dot(self.wx, digamma(rx_u) - digamma(r) + np.log(alpha)) - _dot(s3, lT) - _dot(s4, ltx)
        g3 = np.bincount(self.iT, weights=s3 * rx, minlength=self.uT.size)
        g4 = np.bincount(self.itx, weights=s4 * rx, minlength=self.utx.size)
        dalpha = self.W * r / alpha - _dot(g3, 1.0 / (alpha + self.uT)) - _dot(g4, 1.0 / (alpha + self.utx))
        psab = digamma(a + b)
        psabx = digamma(a + b + ux + 1)
        s4x = np.bincount(ix, weights=s4, minlength=ux.size)
        da = _dot(self.wx, psab - psabx) + s4x.sum() / a
        db = _dot(self.wx, psab + digamma(b + ux + 1) - digamma(b) - psabx) - _dot(s4x, 1.0 / (b + ux))
        return ll, np.array([dr, dalpha, da, db])


def _mbg_loglik_rows(theta: Sequence[float], x: np.ndarray, tx: np.ndarray, T: np.ndarray) -> np.ndarray:
    r, alpha, a, b = theta
    C = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + betaln(a, b + x + 1) - betaln(a, b)
    A3 = -(r + x) * np.log(alpha + T)
    A4 = np.log(a) - np.log(b + x) - (r + x) * np.log(alpha + tx)
    return C + np.logaddexp(A3, A4)


class ModifiedBetaGeoFitter(_Fitter):
    """MBG/NBD model (Batislam, Denizel & Filiztekin 2007) fitted by maximum likelihood.

    BG/NBD says a customer who bought once and never again is surely still active; the
    MBG/NBD lets them have left straight away, which often fits one-off buyers better.

    Each customer buys at a Poisson rate lambda ~ Gamma(r, alpha) while active and becomes
    inactive with probability p ~ Beta(a, b) right after the first purchase and after each
    repeat purchase (as in ``lifetimes.ModifiedBetaGeoFitter``).

    Parameters
    ----------
    penalizer_coef : float, default 0
        Ridge penalty ``penalizer_coef * sum(params**2)`` added to the mean negative
        log-likelihood (as for :class:`~cxkit.clv.BetaGeoFitter`).

    Attributes
    ----------
    params_ : Series
        ``r``, ``alpha``, ``a``, ``b``.
    log_likelihood_ : float
        Total log-likelihood at ``params_``, without the penalty.
    n_customers_ : int
        Number of customers (sum of weights) used.
    standard_errors_, variance_matrix_, covariance_ : Series, DataFrame, DataFrame
        As for :class:`~cxkit.clv.BetaGeoFitter` (``covariance_`` is on the log-parameters).

    Examples
    --------
    >>> mbg = ModifiedBetaGeoFitter.from_params(r=0.525, alpha=6.183, a=0.891, b=1.614)
    >>> round(mbg.conditional_probability_alive(2, 30.43, 38.86), 3)
    0.706
    """

    _param_names = ("r", "alpha", "a", "b")

    def fit(
        self,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,
        weights: ArrayLike | None = None,
        initial_params: Sequence[float] | None = None,
    ) -> "ModifiedBetaGeoFitter":
        """Estimate r, alpha, a, b by maximum likelihood.

        The fitted parameters drive every purchase and churn forecast, so a fit that did
        not converge raises instead of returning silently wrong numbers.

        Customers with identical (frequency, recency, T) are grouped and weighted; the
        optimiser works on log-parameters with an analytic gradient, as for BG/NBD.

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
        ModifiedBetaGeoFitter
            ``self``, fitted.

        Raises
        ------
        DataError
            Invalid inputs or fewer than two customers.
        FitError
            The optimiser did not converge.

        Examples
        --------
        Customers simulated from r, alpha, a, b = 0.5, 6, 0.9, 1.6 (weeks), all 40 weeks old:

        >>> rng = np.random.default_rng(0)
        >>> n, T = 4000, np.full(4000, 40.0)
        >>> lam, p = rng.gamma(0.5, 1 / 6, n), rng.beta(0.9, 1.6, n)
        >>> made = rng.poisson(lam * T)  # purchases a customer who never left would make
        >>> x = np.minimum(rng.geometric(p) - 1, made)  # stops at the purchase after which they leave
        >>> recency = np.where(x > 0, T * rng.beta(np.maximum(x, 1), made - x + 1), 0.0)
        >>> mbg = ModifiedBetaGeoFitter().fit(x, recency, T)
        >>> mbg.params_.round(2).to_dict()
        {'r': 0.46, 'alpha': 5.95, 'a': 0.99, 'b': 2.2}
        >>> mbg.n_customers_, mbg.converged_
        (4000, True)
        """
        return _fit_rfm(self, _MBGData, frequency, recency, T, weights, initial_params, model="MBG/NBD",
                        start=lambda mean_x, mean_T: [1.0, max(mean_T, 1e-3) / max(mean_x, 1e-2), 1.0, 1.0],
                        drift=_BG_DRIFT,
                        advice="Try penalizer_coef=0.001 (or larger; it keeps parameters from running to "
                        "infinity), a time unit that keeps T between about 1 and 1000, other initial_params, "
                        "or more customers / a longer period with repeat purchases.")

    def individual_log_likelihood(self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> Any:
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
        >>> mbg = ModifiedBetaGeoFitter.from_params(r=0.525, alpha=6.183, a=0.891, b=1.614)
        >>> mbg.individual_log_likelihood([0, 2], [0.0, 30.43], [38.86, 38.86]).round(3)
        array([-0.54 , -9.486])
        """
        self._check_fitted()
        x, tx, TT = _validate_rfm(frequency, recency, T)
        return _wrap(_mbg_loglik_rows(self.params_.to_numpy(), x, tx, TT), frequency, "log_likelihood")

    def conditional_probability_alive(self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> Any:
        """Probability that a customer with history (x, t_x, T) is still active.

        Separates customers who are merely quiet from those who have probably left, the
        key input for win-back targeting. Unlike BG/NBD, a one-time buyer can have left.

        1 / (1 + a/(b+x) ((alpha+T)/(alpha+t_x))^(r+x)).

        Parameters
        ----------
        frequency, recency, T : array-like or scalar

        Returns
        -------
        float, ndarray or Series
            Values in [0, 1].

        Examples
        --------
        >>> mbg = ModifiedBetaGeoFitter.from_params(r=0.525, alpha=6.183, a=0.891, b=1.614)
        >>> mbg.conditional_probability_alive([0, 2, 2], [0, 30.43, 5.0], [38.86] * 3).round(3)
        array([0.39 , 0.706, 0.107])
        """
        self._check_fitted()
        r, alpha, a, b = self.params_.to_numpy()
        x, tx, TT = (np.asarray(v, dtype=float) for v in (frequency, recency, T))
        with np.errstate(divide="ignore", invalid="ignore"):
            log_div = (r + x) * np.log((alpha + TT) / (alpha + tx)) + np.log(a / (b + x))
        return _wrap(np.atleast_1d(expit(-log_div)), frequency, "p_alive")

    def conditional_expected_number_of_purchases_up_to_time(
        self, t: ArrayLike, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> Any:
        """Expected purchases in the next ``t`` periods for a customer with history (x, t_x, T).

        This is the per-customer purchase forecast that multiplies spend into CLV.

        p(alive) times (a+b+x)/(a-1) [1 - 2F1(r+x, b+x+1; a+b+x; t/(alpha+T+t))
        ((alpha+T)/(alpha+T+t))^(r+x)], as in ``lifetimes`` (computed as BG/NBD's forecast
        with b + 1, with the same fallbacks where 2F1 fails).

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
        >>> mbg = ModifiedBetaGeoFitter.from_params(r=0.525, alpha=6.183, a=0.891, b=1.614)
        >>> expected = mbg.conditional_expected_number_of_purchases_up_to_time
        >>> expected(39, [0, 2], [0.0, 30.43], [38.86, 38.86]).round(3)
        array([0.154, 1.263])
        """
        self._check_fitted()
        r, alpha, a, b = self.params_.to_numpy()
        t_, x, tx, TT = (np.asarray(v, dtype=float) for v in (t, frequency, recency, T))
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            numer = _bg_purchases_if_alive(r, alpha, a, b + 1.0, x, TT, t_)
            denom = 1 + (a / (b + x)) * np.exp((r + x) * np.log((alpha + TT) / (alpha + tx)))
            out = numer / denom
        out = np.where(t_ == 0, 0.0, out)
        return _wrap(np.atleast_1d(out), frequency if np.ndim(frequency) else t, "expected_purchases")

    def expected_number_of_purchases_up_to_time(self, t: ArrayLike) -> Any:
        """Expected purchases of a randomly chosen new customer within ``t`` periods of the first.

        Gives the cohort-level repeat-purchase curve a CX analyst compares with actuals.

        b/(a-1) [1 - 2F1(r, b+1; a+b; t/(alpha+t)) (alpha/(alpha+t))^r]: the chance of
        staying past the first purchase, b/(a+b), times BG/NBD's curve with b + 1.

        Parameters
        ----------
        t : float or array-like

        Returns
        -------
        float, ndarray or Series

        Examples
        --------
        >>> mbg = ModifiedBetaGeoFitter.from_params(r=0.525, alpha=6.183, a=0.891, b=1.614)
        >>> mbg.expected_number_of_purchases_up_to_time([13, 26, 39]).round(3)
        array([0.535, 0.899, 1.183])
        """
        self._check_fitted()
        r, alpha, a, b = self.params_.to_numpy()
        t_ = np.asarray(t, dtype=float)
        zero = np.zeros_like(t_)
        out = b / (a + b) * _bg_purchases_if_alive(r, alpha, a, b + 1.0, zero, zero, t_)
        out = np.where(t_ == 0, 0.0, out)
        return _wrap(np.atleast_1d(out), t, "expected_purchases")
