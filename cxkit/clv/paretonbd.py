"""Pareto/NBD: how often each customer buys and whether they are still active, with drop-out at any time.

:class:`ParetoNBDFitter` (Schmittlein, Morrison & Colombo 1987) fitted by maximum
likelihood, with the log-likelihood in the numerically stable form of Fader, Hardie &
Lee's note "A Note on Implementing the Pareto/NBD Model in MATLAB" (2005).

The likelihood of a customer with history (x, t_x, T) is

    L = Γ(r+x) α^r β^s / Γ(r) · [ (α+T)^-(r+x) (β+T)^-s + s (I(x, t_x) - I(x, T)) ],

where I(x, t) = ∫_t^∞ (α+τ)^-(r+x) (β+τ)^-(s+1) dτ. With m = r + s + x and
H = 2F1(1, ·; m+1; z) (Euler's transformation of the note's 2F1, which keeps every
term finite), for α >= β: I = (α+t)^-(r+x) (β+t)^-s 2F1(1, r+x; m+1; (α-β)/(α+t)) / m,
and for α < β: I = (α+t)^-(r+x-1) (β+t)^-(s+1) 2F1(1, s+1; m+1; (β-α)/(β+t)) / m.
Both forms agree at α = β (z = 0, 2F1 = 1), so nothing is divided by α - β.
I depends on (x, t) only: it is computed once per distinct (x, t_x) and (x, T) pair, with
its derivatives in alpha and beta in closed form and those in r and s by central
differences there; the rest of the gradient is analytic.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import digamma, expit, gammaln, hyp2f1

from cxkit.clv.bgnbd import _fit_rfm, _validate_rfm
from cxkit.clv.fitting import ArrayLike, _dot, _Fitter, _wrap

__all__ = ["ParetoNBDFitter"]

_PNBD_DRIFT = {
    "r": (
        "purchase rates differ extremely between customers",
        "purchase rates hardly differ between customers",
    ),
    "s": ("", "drop-out rates hardly differ between customers"),
    "beta": ("", "almost nobody seems to drop out"),
}

_FD_STEP = 1e-5  # central-difference step on log-parameters for the pair integrals


def _log_tail_integral(theta: Sequence[float], x: np.ndarray, t: np.ndarray) -> np.ndarray:
    """log I(x, t) = log ∫_t^∞ (α+τ)^-(r+x) (β+τ)^-(s+1) dτ, vectorised over (x, t)."""
    r, alpha, s, beta = theta
    m = r + s + x
    la, lb = np.log(alpha + t), np.log(beta + t)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if alpha >= beta:
            h = hyp2f1(1.0, r + x, m + 1.0, (alpha - beta) / (alpha + t))
            return -(r + x) * la - s * lb - np.log(m) + np.log(h)
        h = hyp2f1(1.0, s + 1.0, m + 1.0, (beta - alpha) / (beta + t))
        return -(r + x - 1.0) * la - (s + 1.0) * lb - np.log(m) + np.log(h)


def _log_h_rs(theta: Sequence[float], x: np.ndarray, t: np.ndarray) -> np.ndarray:
    """log of the 2F1 factor H of log I alone (what r and s change beyond closed-form terms)."""
    r, alpha, s, beta = theta
    m = r + s + x
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if alpha >= beta:
            return np.log(hyp2f1(1.0, r + x, m + 1.0, (alpha - beta) / (alpha + t)))
        return np.log(hyp2f1(1.0, s + 1.0, m + 1.0, (beta - alpha) / (beta + t)))


def _tail_and_gradient(theta: np.ndarray, x: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """log I at ``theta`` and its gradient in (r, alpha, s, beta).

    alpha and beta enter H = 2F1(1, b; c; z) through z only, so their derivatives use
    dH/dz = (b/c) 2F1(2, b+1; c+1; z); r and s enter b and c, whose derivatives have no
    closed form: central differences on log-parameters there.
    """
    r, alpha, s, beta = theta
    m = r + s + x
    la, lb = np.log(alpha + t), np.log(beta + t)
    grad = np.empty((x.size, 4))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if alpha >= beta:
            b, z = r + x, (alpha - beta) / (alpha + t)
            h = hyp2f1(1.0, b, m + 1.0, z)
            dlogh = b / (m + 1.0) * hyp2f1(2.0, b + 1.0, m + 2.0, z) / h
            li = -(r + x) * la - s * lb - np.log(m) + np.log(h)
            grad[:, 1] = -(r + x) / (alpha + t) + dlogh * (beta + t) / (alpha + t) ** 2
            grad[:, 3] = -s / (beta + t) - dlogh / (alpha + t)
            grad[:, 0] = -la - 1.0 / m
            grad[:, 2] = -lb - 1.0 / m
        else:
            b, z = s + 1.0, (beta - alpha) / (beta + t)
            h = hyp2f1(1.0, b, m + 1.0, z)
            dlogh = b / (m + 1.0) * hyp2f1(2.0, b + 1.0, m + 2.0, z) / h
            li = -(r + x - 1.0) * la - (s + 1.0) * lb - np.log(m) + np.log(h)
            grad[:, 1] = -(r + x - 1.0) / (alpha + t) - dlogh / (beta + t)
            grad[:, 3] = -(s + 1.0) / (beta + t) + dlogh * (alpha + t) / (beta + t) ** 2
            grad[:, 0] = -la - 1.0 / m
            grad[:, 2] = -lb - 1.0 / m
    for k in (0, 2):
        up, down = theta.copy(), theta.copy()
        up[k] *= np.exp(_FD_STEP)
        down[k] *= np.exp(-_FD_STEP)
        grad[:, k] += (_log_h_rs(up, x, t) - _log_h_rs(down, x, t)) / (2 * _FD_STEP * theta[k])
    return li, grad


class _PNBDData:
    """Grouped Pareto/NBD data: unique (x, t_x, T) rows and the distinct (x, t) pairs they need.

    Everything that depends on (x, T) or (x, t_x) alone (I, and the no-drop-out term A) is
    computed per pair; rows only combine two pair values.
    """

    def __init__(self, x: np.ndarray, tx: np.ndarray, T: np.ndarray, w: np.ndarray) -> None:
        n = x.size
        self.w = w
        self.W = float(w.sum())
        self.ux, self.ix = np.unique(x, return_inverse=True)
        self.wx = np.bincount(self.ix, weights=w, minlength=self.ux.size)
        # distinct (x, t) pairs over t in {t_x} and {T}: p1 indexes (x, t_x), p2 (x, T)
        cx, _ = pd.factorize(np.concatenate([x, x]), sort=False)
        ct, ut = pd.factorize(np.concatenate([tx, T]), sort=False)
        codes, keys = pd.factorize(cx.astype(np.int64) * len(ut) + ct, sort=False)
        first = np.empty(len(keys), dtype=np.int64)
        first[codes[::-1]] = np.arange(2 * n)[::-1]
        self.px = np.concatenate([x, x])[first]
        self.pt = np.concatenate([tx, T])[first]
        self.p1, self.p2 = codes[:n], codes[n:]
        closed = self.p1 == self.p2  # t_x = T: no drop-out term
        self.w_open = np.where(closed, 0.0, w)
        self.closed = closed.astype(float)
        self.wT = np.bincount(self.p2, weights=w, minlength=len(keys))  # customers per (x, T) pair

    def loglik_grad(self, theta: np.ndarray, *, grad: bool = True) -> tuple[float, np.ndarray]:
        """Total log-likelihood and (when ``grad``) its gradient in (r, alpha, s, beta)."""
        r, alpha, s, beta = theta
        px, pt, p1, p2 = self.px, self.pt, self.p1, self.p2
        if grad:
            li, dli = _tail_and_gradient(theta, px, pt)
        else:
            li, dli = _log_tail_integral(theta, px, pt), np.empty((0, 4))
        cx = gammaln(r + self.ux) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
        la, lb = np.log(alpha + pt), np.log(beta + pt)
        A = -(r + px) * la - s * lb  # log of the no-drop-out term, per (x, T) pair
        # d = log[s (I(t_x) - I(T))] - A = log(expm1(log I(t_x) - log I(T))) + log s + log I(T) - A
        v = np.maximum(li[p1] - li[p2], 0.0)
        em = np.expm1(v)
        with np.errstate(divide="ignore"):
            d = np.log(em) + (np.log(s) + li - A)[p2]  # -inf where t_x = T
        e = np.exp(-np.minimum(np.abs(d), 300.0))  # clipped: denormals are very slow
        softplus = np.maximum(d, 0) + np.log1p(e)
        ll = _dot(self.wx, cx) + _dot(self.wT, A) + _dot(self.w, softplus)
        if not grad:
            return ll, np.empty(0)
        q = 1.0 / (1.0 + e)
        sw = self.w_open * np.where(d >= 0, q, e * q)  # weight of the drop-out term
        c2 = sw / (em + self.closed)  # d log(I(t_x) - I(T)) = (1 + 1/em) dlog I(t_x) - (1/em) dlog I(T)
        n_pairs = px.size
        g_li = np.bincount(p1, weights=sw + c2, minlength=n_pairs) - np.bincount(p2, weights=c2, minlength=n_pairs)
        wa_pair = self.wT - np.bincount(p2, weights=sw, minlength=n_pairs)  # weight on the no-drop-out term
        g = np.sum(g_li[:, None] * dli, axis=0)
        g += np.array(
            [
                _dot(self.wx, digamma(r + self.ux) - digamma(r) + np.log(alpha)) - _dot(wa_pair, la),
                self.W * r / alpha - _dot(wa_pair, (r + px) / (alpha + pt)),
                self.W * np.log(beta) - _dot(wa_pair, lb) + sw.sum() / s,
                self.W * s / beta - s * _dot(wa_pair, 1.0 / (beta + pt)),
            ]
        )
        return ll, g


def _alive_and_left_terms(
    theta: Sequence[float], x: np.ndarray, tx: np.ndarray, T: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per row, log of the bracket's two terms: still active at T, and left in (t_x, T]."""
    r, alpha, s, beta = theta
    alive = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
    l1, l2 = _log_tail_integral(theta, x, tx), _log_tail_integral(theta, x, T)
    with np.errstate(divide="ignore"):
        left = np.log(s) + l1 + np.log(-np.expm1(np.minimum(l2 - l1, 0.0)))  # -inf when t_x = T
    return alive, left


def _pnbd_loglik_rows(theta: Sequence[float], x: np.ndarray, tx: np.ndarray, T: np.ndarray) -> np.ndarray:
    """Per-row log-likelihood, straight from the formula (no grouping)."""
    r, alpha, s, beta = theta
    alive, left = _alive_and_left_terms(theta, x, tx, T)
    return gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta) + np.logaddexp(alive, left)


def _log_alive_odds(theta: Sequence[float], x: np.ndarray, tx: np.ndarray, T: np.ndarray) -> np.ndarray:
    """log[P(alive) / P(not alive)] for each row."""
    alive, left = _alive_and_left_terms(theta, x, tx, T)
    return alive - left


def _purchases_if_alive(s: float, beta: float, lam_mean: np.ndarray, T: np.ndarray, t: np.ndarray) -> np.ndarray:
    """E[purchases in (T, T+t] | alive at T] = E[λ] (β+T) [1 - ((β+T)/(β+T+t))^(s-1)] / (s-1).

    ``lam_mean`` is the posterior mean purchase rate (r+x)/(α+T); the limit s -> 1 is
    (β+T) log(1 + t/(β+T)).
    """
    L = np.log1p(t / (beta + T))
    g = L if abs(s - 1.0) < 1e-10 else -np.expm1(-(s - 1.0) * L) / (s - 1.0)
    return lam_mean * (beta + T) * g


class ParetoNBDFitter(_Fitter):
    """Pareto/NBD model (Schmittlein, Morrison & Colombo 1987) fitted by maximum likelihood.

    The original "buy till you die" model: like BG/NBD it forecasts purchases and
    p(alive), but a customer may leave at any moment, not only right after a purchase,
    which suits businesses where customers drift away between orders.

    Each customer buys at a Poisson rate lambda ~ Gamma(r, alpha) while active, and stays
    active for an exponential lifetime with rate mu ~ Gamma(s, beta).

    Parameters
    ----------
    penalizer_coef : float, default 0
        Ridge penalty ``penalizer_coef * sum(params**2)`` added to the mean negative
        log-likelihood (as for :class:`~cxkit.clv.BetaGeoFitter`).

    Attributes
    ----------
    params_ : Series
        ``r``, ``alpha``, ``s``, ``beta``.
    log_likelihood_ : float
        Total log-likelihood at ``params_``, without the penalty.
    n_customers_ : int
        Number of customers (sum of weights) used.
    standard_errors_, variance_matrix_, covariance_ : Series, DataFrame, DataFrame
        As for :class:`~cxkit.clv.BetaGeoFitter` (``covariance_`` is on the log-parameters).

    Examples
    --------
    >>> pnbd = ParetoNBDFitter.from_params(r=0.553, alpha=10.578, s=0.606, beta=11.669)
    >>> round(pnbd.conditional_probability_alive(2, 30.43, 38.86), 3)
    0.869
    >>> round(pnbd.conditional_expected_number_of_purchases_up_to_time(39, 2, 30.43, 38.86), 3)
    1.455
    """

    _param_names = ("r", "alpha", "s", "beta")

    def fit(
        self,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,
        weights: ArrayLike | None = None,
        initial_params: Sequence[float] | None = None,
    ) -> "ParetoNBDFitter":
        """Estimate r, alpha, s, beta by maximum likelihood.

        The fitted parameters drive every purchase and churn forecast, so a fit that did
        not converge raises instead of returning silently wrong numbers.

        Customers with identical (frequency, recency, T) are grouped and weighted; the
        2F1 terms are computed once per distinct (frequency, time) pair.

        Parameters
        ----------
        frequency, recency, T : array-like
            Repeat purchases, time of last purchase and age of each customer (same unit).
        weights : array-like, optional
            Number of customers each row stands for (for pre-grouped data).
        initial_params : sequence of 4 floats, optional
            Starting r, alpha, s, beta.

        Returns
        -------
        ParetoNBDFitter
            ``self``, fitted.

        Raises
        ------
        DataError
            Invalid inputs or fewer than two customers.
        FitError
            The optimiser did not converge.

        Examples
        --------
        Customers simulated from r, alpha, s, beta = 0.5, 10, 0.6, 12 (weeks), all 40
        weeks old:

        >>> rng = np.random.default_rng(0)
        >>> n, T = 4000, np.full(4000, 40.0)
        >>> lam, life = rng.gamma(0.5, 1 / 10, n), rng.exponential(1 / rng.gamma(0.6, 1 / 12, n))
        >>> x = rng.poisson(lam * np.minimum(life, T))
        >>> recency = np.minimum(life, T) * rng.random(n) ** (1 / np.maximum(x, 1)) * (x > 0)
        >>> pnbd = ParetoNBDFitter().fit(x, recency, T)
        >>> pnbd.params_.round(2).to_dict()
        {'r': 0.46, 'alpha': 9.32, 's': 0.71, 'beta': 17.23}
        >>> pnbd.n_customers_, pnbd.converged_
        (4000, True)
        """
        return _fit_rfm(self, _PNBDData, frequency, recency, T, weights, initial_params, model="Pareto/NBD",
                        start=lambda mean_x, mean_T: [1.0, max(mean_T, 1e-3) / max(mean_x, 1e-2), 1.0,
                                                      max(mean_T, 1e-3)],
                        drift=_PNBD_DRIFT,
                        advice="Try penalizer_coef=0.001 (or larger; it keeps parameters from running to "
                        "infinity), a time unit that keeps T between about 1 and 1000, other initial_params, "
                        "or more customers / a longer period.")

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
        >>> pnbd = ParetoNBDFitter.from_params(r=0.553, alpha=10.578, s=0.606, beta=11.669)
        >>> pnbd.individual_log_likelihood([0, 2], [0.0, 30.43], [38.86, 38.86]).round(3)
        array([-0.521, -9.554])
        """
        self._check_fitted()
        x, tx, TT = _validate_rfm(frequency, recency, T)
        return _wrap(_pnbd_loglik_rows(self.params_.to_numpy(), x, tx, TT), frequency, "log_likelihood")

    def conditional_probability_alive(self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> Any:
        """Probability that a customer with history (x, t_x, T) is still active.

        Separates customers who are merely quiet from those who have probably left, the
        key input for win-back targeting. Unlike BG/NBD, a customer who never bought
        again can have left too.

        Parameters
        ----------
        frequency, recency, T : array-like or scalar

        Returns
        -------
        float, ndarray or Series
            Values in [0, 1].

        Examples
        --------
        >>> pnbd = ParetoNBDFitter.from_params(r=0.553, alpha=10.578, s=0.606, beta=11.669)
        >>> pnbd.conditional_probability_alive([0, 2, 2], [0, 30.43, 5.0], [38.86] * 3).round(3)
        array([0.295, 0.869, 0.13 ])
        """
        self._check_fitted()
        theta = self.params_.to_numpy()
        x, tx, TT = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (frequency, recency, T)))
        p = expit(_log_alive_odds(theta, x, tx, TT))
        return _wrap(np.atleast_1d(p), frequency, "p_alive")

    def conditional_expected_number_of_purchases_up_to_time(
        self, t: ArrayLike, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> Any:
        """Expected purchases in the next ``t`` periods for a customer with history (x, t_x, T).

        This is the per-customer purchase forecast that multiplies spend into CLV.

        p(alive) times (r+x)/(alpha+T) · (beta+T)/(s-1) · [1 - ((beta+T)/(beta+T+t))^(s-1)]
        (Schmittlein, Morrison & Colombo 1987; as in ``lifetimes``), with its limit at s = 1.

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
        >>> pnbd = ParetoNBDFitter.from_params(r=0.553, alpha=10.578, s=0.606, beta=11.669)
        >>> expected = pnbd.conditional_expected_number_of_purchases_up_to_time
        >>> expected(39, [0, 2], [0.0, 30.43], [38.86, 38.86]).round(3)
        array([0.107, 1.455])
        """
        self._check_fitted()
        r, alpha, s, beta = theta = self.params_.to_numpy()
        t_, x, tx, TT = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (t, frequency, recency, T)))
        alive = expit(_log_alive_odds(theta, x, tx, TT))
        out = alive * _purchases_if_alive(s, beta, (r + x) / (alpha + TT), TT, t_)
        out = np.where(t_ == 0, 0.0, out)
        return _wrap(np.atleast_1d(out), frequency if np.ndim(frequency) else t, "expected_purchases")

    def expected_number_of_purchases_up_to_time(self, t: ArrayLike) -> Any:
        """Expected purchases of a randomly chosen new customer within ``t`` periods of the first.

        Gives the cohort-level repeat-purchase curve a CX analyst compares with actuals.

        r beta / (alpha (s-1)) · [1 - (beta/(beta+t))^(s-1)].

        Parameters
        ----------
        t : float or array-like

        Returns
        -------
        float, ndarray or Series

        Examples
        --------
        >>> pnbd = ParetoNBDFitter.from_params(r=0.553, alpha=10.578, s=0.606, beta=11.669)
        >>> pnbd.expected_number_of_purchases_up_to_time([13, 26, 39]).round(3)
        array([0.531, 0.909, 1.213])
        """
        self._check_fitted()
        r, alpha, s, beta = self.params_.to_numpy()
        t_ = np.asarray(t, dtype=float)
        out = _purchases_if_alive(s, beta, np.asarray(r / alpha), np.zeros_like(t_), t_)
        return _wrap(np.atleast_1d(out), t, "expected_purchases")
