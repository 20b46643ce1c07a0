"""sBG: how long subscribers stay, from a cohort's survivor counts (the shifted-beta-geometric model).

Subscription businesses (telecoms, software, insurance, clubs) see every cancellation, so
nobody needs guessing who has quietly left, as the BG/NBD does for shops. What needs
forecasting is how many of today's subscribers renew next period, and the one after.
Retention rates of a cohort rise with age (the customers likely to leave leave first);
the shifted-beta-geometric model of Fader & Hardie (2007, "How to project customer
retention", *Journal of Interactive Marketing* 21(1)) explains that rise with two numbers:

* each customer has a constant probability ``theta`` of cancelling at each renewal, and
  ``theta`` varies across customers as a Beta(alpha, beta) distribution;
* so the share of a cohort alive at the start of period ``t`` (period 0 is the sign-up
  period, S(0) = 1) is S(t) = B(alpha, beta + t) / B(alpha, beta), and the share of those
  alive at the start of period ``t`` who cancel during it is alpha / (alpha + beta + t).

:class:`ShiftedBetaGeometricFitter` fits alpha and beta by maximum likelihood to one
cohort's survivor counts (:meth:`~ShiftedBetaGeometricFitter.fit`) or to several cohorts
of different ages (:meth:`~ShiftedBetaGeometricFitter.fit_cohorts`), projects retention,
and values a subscriber by the discounted expected residual lifetime (DERL) of Fader &
Hardie (2010, "Customer-base valuation in a contractual setting: the perils of ignoring
heterogeneity", *Marketing Science* 29(1), equation 6). :func:`sbg_holdout` checks a fit
against periods it did not see.

Periods and payments
--------------------
A customer pays at the start of each period they are alive in: at sign-up (period 0) and
at each renewal. A customer who has *renewed n times* is alive in period n and has paid
n + 1 times. Their DERL counts the payments still to come, at the starts of periods
n + 1, n + 2, ..., each weighted by the probability of being alive then and discounted
from the start of period n + 1 (the next payment is not discounted; the payment of the
current period n, already made, is not counted)::

    DERL(n) = sum_{k >= 0} S(n + 1 + k) / S(n) / (1 + d)^k
            = (beta + n) / (alpha + beta + n) * 2F1(1, beta + n + 1; alpha + beta + n + 1; 1 / (1 + d))

which is equation (6) of Fader & Hardie (2010), whose "n - 1 renewals" is this n.

Example
-------
>>> sbg = ShiftedBetaGeometricFitter().fit([1000, 869, 743, 653, 593, 551, 517, 491])  # "High End"
>>> sbg.params_.round(3).to_dict()
{'alpha': 0.668, 'beta': 3.806}
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import betaln, digamma, hyp2f1

from cxkit.clv.fitting import ArrayLike, _as_float_array, _Fitter, _minimise, _rows_frame, _wrap
from cxkit.errors import FitError, argument_error, data_error
from cxkit.exclusions import Exclusion

__all__ = ["ShiftedBetaGeometricFitter", "sbg_holdout", "MIN_PERIODS", "SHORT_COHORT_RULE"]

#: Fewest period starts (0, 1, 2) a cohort must be observed at: two renewal decisions.
MIN_PERIODS = 3
#: The rule under which cohorts observed at fewer than :data:`MIN_PERIODS` period starts are left out.
SHORT_COHORT_RULE = f"cohort observed at fewer than {MIN_PERIODS} period starts (too young to show a renewal pattern)"

_SBG_DRIFT = {
    "alpha": ("churn probabilities pile up near 0: some customers look as if they never leave",
              "the customers hardly differ in how likely they are to cancel: one constant churn rate fits"),
    "beta": ("churn probabilities pile up near 1: some customers look certain to leave at the first renewal",
             "the customers hardly differ in how likely they are to cancel: one constant churn rate fits"),
}
_LOG_LIMIT = np.log(1e6)  # alpha or beta beyond 1e-6 .. 1e6: at the edge of the parameter space
_SBG_ADVICE = (
    "Try penalizer_coef=0.001 (it keeps parameters from running to 0 or infinity), other initial_params, "
    "more or older cohorts, or a shorter period (a month rather than a year) so that more renewals are observed."
)


# --------------------------------------------------------------------------- the likelihood


@dataclass
class _Counts:
    """What the likelihood needs: who cancelled in which period, who was last seen alive at which."""

    churn_period: np.ndarray  # k: cancelled during period k (alive at its start, not at the next)
    churn_n: np.ndarray  # how many
    alive_period: np.ndarray  # m: last seen alive at the start of period m (right-censored)
    alive_n: np.ndarray  # how many

    @property
    def n_customers(self) -> float:
        return float(self.churn_n.sum() + self.alive_n.sum())

    def loglik_grad(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        """Log-likelihood and its gradient in (alpha, beta)."""
        a, b = theta
        k, m = self.churn_period, self.alive_period
        base = betaln(a, b)
        # P(cancel in period k) = B(a + 1, b + k) / B(a, b);  S(m) = B(a, b + m) / B(a, b)
        lp = betaln(a + 1, b + k) - base
        ls = betaln(a, b + m) - base
        ll = float(self.churn_n @ lp + self.alive_n @ ls)
        da_base, db_base = digamma(a) - digamma(a + b), digamma(b) - digamma(a + b)
        dlp_a = digamma(a + 1) - digamma(a + b + k + 1) - da_base
        dlp_b = digamma(b + k) - digamma(a + b + k + 1) - db_base
        dls_a = digamma(a) - digamma(a + b + m) - da_base
        dls_b = digamma(b + m) - digamma(a + b + m) - db_base
        grad = np.array([self.churn_n @ dlp_a + self.alive_n @ dls_a, self.churn_n @ dlp_b + self.alive_n @ dls_b])
        return ll, grad


def _whole_counts(values: ArrayLike, table: str, column: str) -> np.ndarray:
    arr = _as_float_array(values, column)
    bad = ~np.isfinite(arr) | (arr < 0) | (arr != np.round(arr))
    if bad.any():
        raise data_error(table, column, f"{column} must be whole numbers >= 0 (counts of customers)",
                         _rows_frame(bad, period=np.arange(arr.size), **{column: arr}),
                         hint="pass counts, not shares: multiply the shares by the cohort size")
    return arr


def _cohort_counts(alive: np.ndarray, censored: np.ndarray, table: str, label: str = "") -> _Counts:
    """One cohort's alive counts at the starts of periods 0..n (and those censored there) as :class:`_Counts`."""
    where = f" (cohort {label})" if label else ""
    if alive[0] <= 0:
        raise data_error(table, "alive", f"the cohort size (alive at period 0) must be above 0{where}")
    churned = alive[:-1] - censored[:-1] - alive[1:]
    bad = churned < 0
    if bad.any():
        rows = _rows_frame(np.r_[bad, False], period=np.arange(alive.size), alive=alive, censored=censored)
        raise data_error(table, "alive", f"alive counts may not rise from one period to the next{where}", rows,
                         hint="alive at period k + 1 is at most alive at period k minus those censored at k")
    periods = np.arange(alive.size, dtype=float)
    alive_n = np.r_[censored[:-1], alive[-1]]
    keep_c, keep_a = churned > 0, alive_n > 0
    return _Counts(periods[:-1][keep_c], churned[keep_c], periods[keep_a], alive_n[keep_a])


def _joined(parts: Sequence[_Counts]) -> _Counts:
    return _Counts(*(np.concatenate([getattr(p, f) for p in parts])
                     for f in ("churn_period", "churn_n", "alive_period", "alive_n")))


def _sbg_derl(a: float, b: float, n: np.ndarray, d: float) -> np.ndarray:
    """DERL of customers who renewed ``n`` times: 2F1 where it is finite, else the series summed."""
    z = 1.0 / (1.0 + d)
    with np.errstate(all="ignore"):
        out = (b + n) / (a + b + n) * hyp2f1(1.0, b + n + 1, a + b + n + 1, z)
    bad = ~np.isfinite(out) | (out < 0)
    if bad.any():
        out = np.array(out, dtype=float, copy=True)
        out[bad] = [_derl_series(a, b, float(x), z) for x in np.broadcast_to(n, out.shape)[bad]]
    return out


def _derl_series(a: float, b: float, n: float, z: float) -> float:
    """DERL as the discounted sum of conditional survival, term by term (ratio <= z < 1)."""
    total, term, j = 0.0, (b + n) / (a + b + n), 0
    while term > 1e-16 * max(total, 1.0) and j < 10_000_000:
        total += term
        term *= z * (b + n + 1 + j) / (a + b + n + 1 + j)
        j += 1
    return total


# --------------------------------------------------------------------------- the fitter


class ShiftedBetaGeometricFitter(_Fitter):
    """The shifted-beta-geometric (sBG) model of subscription retention (Fader & Hardie 2007).

    Subscribers decide at each renewal whether to stay; each has their own constant
    probability of cancelling, spread across customers as a Beta(alpha, beta). The fit
    turns a cohort's survivor counts into a retention forecast and a value per
    subscriber (:meth:`derl`). Parameters are estimated on the log scale; ``summary``
    gives them with standard errors from the numerical Hessian and 95 % intervals.

    Parameters
    ----------
    penalizer_coef : float
        L2 penalty on the parameters (0: plain maximum likelihood).

    Examples
    --------
    >>> sbg = ShiftedBetaGeometricFitter().fit([1000, 869, 743, 653, 593, 551, 517, 491])
    >>> round(sbg.log_likelihood_, 2), sbg.n_customers_
    (-1611.16, 1000)
    >>> sbg.retention([8, 12]).round(3)  # share of the cohort still subscribed at the start of years 8 and 12
    array([0.46 , 0.378])
    """

    _param_names = ("alpha", "beta")

    def fit(self, alive: ArrayLike, initial_params: Sequence[float] | None = None) -> ShiftedBetaGeometricFitter:
        """Estimate alpha and beta from one cohort's counts alive at the starts of periods 0..n.

        The fitted parameters drive every retention forecast and subscriber value, so a fit
        that did not converge raises instead of returning silently wrong numbers.

        Each period's cancellations (alive at its start, not at the next) and the
        survivors at the last period (still subscribed, right-censored) make the
        likelihood.

        Parameters
        ----------
        alive : array-like of whole numbers
            Customers alive at the start of periods 0, 1, ..., n (period 0: the cohort
            size); at least three periods, never rising.
        initial_params : sequence of 2 floats, optional
            Starting alpha, beta.

        Returns
        -------
        ShiftedBetaGeometricFitter
            ``self``, fitted: ``params_``, ``log_likelihood_``, ``standard_errors_``,
            ``variance_matrix_``, ``covariance_`` (of the log-parameters), ``summary``.

        Raises
        ------
        DataError
            Counts that are not whole numbers, that rise, fewer than three periods, or
            no cancellation at all.
        FitError
            The optimiser did not converge.

        Examples
        --------
        >>> sbg = ShiftedBetaGeometricFitter().fit([1000, 631, 468, 382, 326, 289, 262, 241])  # "Regular"
        >>> sbg.params_.round(3).to_dict(), round(sbg.log_likelihood_, 2)
        ({'alpha': 0.704, 'beta': 1.182}, -1680.27)
        """
        counts = _whole_counts(alive, "alive", "alive")
        if counts.size < MIN_PERIODS:
            raise data_error("alive", "alive", f"a cohort needs its alive counts at the start of at least "
                             f"{MIN_PERIODS} periods (0, 1, 2), got {counts.size}: one renewal cannot separate "
                             "how likely customers are to cancel from how much that differs between them",
                             hint="wait for more renewals, or use a shorter period")
        self.exclusions_: list[Exclusion] = []
        self.n_cohorts_ = 1
        return self._fit_counts(_cohort_counts(counts, np.zeros_like(counts), "alive"), initial_params)

    def fit_cohorts(
        self,
        cohorts: pd.DataFrame,
        *,
        cohort_col: str = "cohort",
        period_col: str = "period",
        alive_col: str = "alive",
        censored_col: str = "censored",
        initial_params: Sequence[float] | None = None,
    ) -> ShiftedBetaGeometricFitter:
        """Estimate alpha and beta from several cohorts of different ages at once (joint likelihood).

        Young cohorts say little alone; fitted together with older ones, every renewal
        observed anywhere counts once, and each cohort's survivors are right-censored at
        its last observed period.

        Cohorts observed at fewer than :data:`MIN_PERIODS` period starts are left out and
        reported in ``exclusions_`` (a list of :class:`cxkit.exclusions.Exclusion`).

        Parameters
        ----------
        cohorts : DataFrame
            Tidy: one row per cohort and period, e.g. :func:`cxkit.clv.subscription_cohorts`.
            Periods of a cohort run 0, 1, ..., n without gaps.
        cohort_col, period_col, alive_col : str
            Columns: cohort label, period number, customers alive at the start of the period.
        censored_col : str
            Optional column: customers alive at the start of the period whose follow-up ends
            there (still subscribed on the analysis date); used when present. Without it
            each cohort is followed to its last period.
        initial_params : sequence of 2 floats, optional

        Returns
        -------
        ShiftedBetaGeometricFitter
            ``self``, fitted; also ``n_cohorts_`` and ``exclusions_``.

        Raises
        ------
        DataError
            Missing columns or values, gaps in the periods, rising counts, no cohort long
            enough, or no cancellation at all.
        FitError
            The optimiser did not converge.

        Examples
        --------
        >>> cohorts = pd.DataFrame({"cohort": ["2023"] * 4 + ["2024"] * 3 + ["2025"] * 2,
        ...                         "period": [0, 1, 2, 3, 0, 1, 2, 0, 1],
        ...                         "alive": [500, 330, 260, 220, 400, 270, 215, 300, 205]})
        >>> sbg = ShiftedBetaGeometricFitter().fit_cohorts(cohorts)
        >>> sbg.n_cohorts_, sbg.n_customers_, [e.rows for e in sbg.exclusions_]
        (2, 900, [2])
        """
        table = "cohorts"
        if not isinstance(cohorts, pd.DataFrame):
            raise data_error(table, None, f"expected a pandas DataFrame, got {type(cohorts).__name__}")
        cols = [cohort_col, period_col, alive_col]
        missing = [c for c in cols if c not in cohorts.columns]
        if missing:
            raise data_error(table, missing[0], f"required column missing (found: {list(map(str, cohorts.columns))})")
        has_censored = censored_col in cohorts.columns
        frame = cohorts[cols + ([censored_col] if has_censored else [])]
        gaps = frame.isna().any(axis=1).to_numpy()
        if gaps.any():
            raise data_error(table, cols, "values must not be missing", cohorts[gaps])
        parts, short = [], []
        for label, group in frame.groupby(cohort_col, sort=True):
            group = group.sort_values(period_col)
            period = _as_float_array(group[period_col], period_col)
            if not np.array_equal(period, np.arange(period.size)):
                raise data_error(table, period_col, f"the periods of a cohort must run 0, 1, 2, ... without gaps "
                                 f"or repeats (cohort {label})", cohorts.loc[group.index])
            alive = _whole_counts(group[alive_col], table, alive_col)
            censored = (_whole_counts(group[censored_col], table, censored_col) if has_censored
                        else np.zeros_like(alive))
            if alive.size < MIN_PERIODS:
                short.append((label, alive[0], len(group)))
                continue
            parts.append(_cohort_counts(alive, censored, table, str(label)))
        if not parts:
            raise data_error(table, period_col, f"no cohort is observed at {MIN_PERIODS} period starts or more "
                             "(0, 1, 2): the renewal pattern cannot be estimated yet",
                             hint="wait for more renewals, or use a shorter period")
        self.exclusions_ = [] if not short else [Exclusion(
            table, SHORT_COHORT_RULE, sum(rows for *_, rows in short),
            examples=", ".join(str(lab) for lab, *_ in short[:5]), customers=sum(n for _, n, _ in short))]
        self.n_cohorts_ = len(parts)
        return self._fit_counts(_joined(parts), initial_params)

    def _fit_counts(self, counts: _Counts, initial_params: Sequence[float] | None) -> ShiftedBetaGeometricFitter:
        if counts.churn_n.sum() == 0:
            raise data_error(
                "alive", "alive",
                "no customer cancelled in the periods observed: the sBG model cannot be fitted (it learns how "
                "likely customers are to cancel, and how much that differs between them, from the cancellations; "
                "without any, the estimate runs to 'nobody ever leaves')",
                hint="check that cancellations (churn_date, or churned) are in the data, or wait for more renewals",
            )
        n_total = counts.n_customers
        pen = self.penalizer_coef

        def fun_grad(phi: np.ndarray) -> tuple[float, np.ndarray]:
            theta = np.exp(phi)
            ll, g = counts.loglik_grad(theta)
            return -ll / n_total + pen * np.sum(theta**2), -theta * g / n_total + 2 * pen * theta**2

        theta0 = np.array([1.0, 1.0])
        if initial_params is not None:
            theta0 = np.asarray(initial_params, dtype=float)
            if theta0.shape != (2,) or not np.all(np.isfinite(theta0) & (theta0 > 0)):
                raise argument_error("initial_params", "initial_params must be 2 positive numbers (alpha, beta)")
        opt = _minimise(fun_grad, np.log(theta0))
        _check_range(opt.phi)
        if not opt.converged:
            raise FitError(f"sBG fit did not converge: {opt.reason} (last alpha, beta = "
                           f"{np.array2string(np.exp(opt.phi), precision=4)}). {_SBG_ADVICE}")
        self._set_fit(opt, n_total, counts.loglik_grad(np.exp(opt.phi))[0])
        return self

    # ----------------------------------------------------------------------- projections

    def retention(self, periods: ArrayLike) -> Any:
        """Projected share of a cohort alive at the start of each period (period 0: 1).

        The survival curve a CX analyst compares with actual cohort counts and extends
        beyond them: S(t) = B(alpha, beta + t) / B(alpha, beta).

        Parameters
        ----------
        periods : int or array-like of periods >= 0

        Returns
        -------
        float, ndarray or Series (like ``periods``)

        Examples
        --------
        >>> sbg = ShiftedBetaGeometricFitter.from_params(alpha=0.668, beta=3.806)
        >>> sbg.retention([0, 1, 7]).round(3)
        array([1.   , 0.851, 0.489])
        """
        self._check_fitted()
        a, b = self.params_.to_numpy()
        t = _periods(periods, "periods")
        return _wrap(np.exp(betaln(a, b + t) - betaln(a, b)), periods, "retention")

    def churn_probability(self, period: ArrayLike, *, given_alive: bool = True) -> Any:
        """Probability of cancelling during a period: of those alive at its start, or of the whole cohort.

        The first says how risky the next renewal is for a subscriber of that age; it falls
        with age because the customers likely to leave have already left.

        Parameters
        ----------
        period : int or array-like of periods >= 0 (0: the sign-up period)
        given_alive : bool
            True (default): the share of customers alive at the start of ``period`` who
            cancel during it, alpha / (alpha + beta + period). False: the share of the
            whole cohort that cancels during it, S(period) - S(period + 1).

        Returns
        -------
        float, ndarray or Series (like ``period``)

        Examples
        --------
        >>> sbg = ShiftedBetaGeometricFitter.from_params(alpha=0.668, beta=3.806)
        >>> sbg.churn_probability([0, 1, 7]).round(3)
        array([0.149, 0.122, 0.058])
        >>> round(sbg.churn_probability(0, given_alive=False), 3)
        0.149
        """
        self._check_fitted()
        a, b = self.params_.to_numpy()
        t = _periods(period, "period")
        out = a / (a + b + t)
        if not given_alive:
            out = out * np.exp(betaln(a, b + t) - betaln(a, b))
        return _wrap(out, period, "churn_probability")

    def derl(self, periods_renewed: ArrayLike, discount: float = 0.01) -> Any:
        """Discounted expected residual lifetime of a subscriber who has renewed ``n`` times, in periods.

        Multiplied by the margin per period it is what an active subscriber is still
        worth (the residual CLV); it grows with tenure because long-standing subscribers
        are the loyal kind.

        Counts the payments still to come at the starts of periods n + 1, n + 2, ... (the
        next one undiscounted; the current period's payment, already made, not counted),
        each weighted by the probability of being alive then: Fader & Hardie (2010),
        equation (6), with the Gauss hypergeometric function 2F1 (see the module notes).

        Parameters
        ----------
        periods_renewed : int or array-like of whole numbers >= 0
            Renewals so far (0: still in the sign-up period).
        discount : float
            Discount rate per period (> 0), e.g. 0.01 a month or 0.10 a year.

        Returns
        -------
        float, ndarray or Series (like ``periods_renewed``)

        Examples
        --------
        >>> sbg = ShiftedBetaGeometricFitter.from_params(alpha=0.668, beta=3.806)
        >>> sbg.derl([0, 7], discount=0.10).round(2)  # years still to pay, at 10 % a year
        array([5.41, 7.53])
        """
        self._check_fitted()
        if not np.isfinite(discount) or discount <= 0:
            raise argument_error("discount", f"discount must be a rate per period above 0 (0.01: 1 %), got "
                                 f"{discount!r}", hint="undiscounted residual lifetimes can be infinite")
        n = _periods(periods_renewed, "periods_renewed")
        if np.any(n != np.round(n)):
            raise argument_error("periods_renewed", "periods_renewed must be whole numbers >= 0")
        a, b = self.params_.to_numpy()
        return _wrap(_sbg_derl(a, b, n, float(discount)), periods_renewed, "derl")


def _check_range(phi: np.ndarray) -> None:
    """FitError when alpha or beta ran outside [1e-6, 1e6]: the optimum is at the edge, not a usable estimate."""
    far = np.abs(phi) > _LOG_LIMIT
    if far.any():
        notes = [f"{name} -> {'infinity' if ph > 0 else '0'} ({_SBG_DRIFT[name][int(ph > 0)]})"
                 for name, ph, f in zip(("alpha", "beta"), phi, far, strict=True) if f]
        raise FitError(f"sBG fit did not converge to usable values (alpha, beta = "
                       f"{np.array2string(np.exp(phi), precision=4)}): {'; '.join(notes)}, so the model is not "
                       f"identified on these data. {_SBG_ADVICE}")


def _periods(values: ArrayLike, name: str) -> np.ndarray:
    arr = np.asarray(values.to_numpy() if isinstance(values, pd.Series) else values, dtype=float)
    if np.any(~np.isfinite(arr)) or np.any(arr < 0):
        raise argument_error(name, f"{name} must be periods >= 0 (0: the sign-up period)")
    return arr


# --------------------------------------------------------------------------- holdout


def sbg_holdout(alive: ArrayLike, calibration_periods: int = 7) -> pd.DataFrame:
    """Fit the sBG on a cohort's first periods and compare its forecast of the later ones with what happened.

    Before quoting a retention forecast, check that the model would have forecast the
    periods it did not see: the error per period shows whether it drifts.

    Parameters
    ----------
    alive : array-like of whole numbers
        Customers alive at the start of periods 0..N (period 0: the cohort size).
    calibration_periods : int
        k: the fit sees the counts at periods 0..k (k renewal decisions, k >= 2); periods
        k + 1..N are the holdout.

    Returns
    -------
    DataFrame, one row per period 0..N: ``period``, ``sample`` ("calibration" or
    "holdout"), ``actual`` (alive), ``forecast`` (cohort size x projected retention),
    ``error_pct`` (100 x (forecast - actual) / actual). ``attrs`` holds the fitted
    ``params`` and the holdout's ``mean_abs_error_pct``.

    Examples
    --------
    >>> alive = [1000, 869, 743, 653, 593, 551, 517, 491]
    >>> check = sbg_holdout(alive, calibration_periods=4)
    >>> check[check["sample"] == "holdout"].round(1)
       period   sample  actual  forecast  error_pct
    5       5  holdout     551     534.4       -3.0
    6       6  holdout     517     485.8       -6.0
    7       7  holdout     491     444.5       -9.5
    """
    counts = _whole_counts(alive, "alive", "alive")
    if isinstance(calibration_periods, bool) or not isinstance(calibration_periods, (int, np.integer)) or not (
            MIN_PERIODS - 1 <= calibration_periods < counts.size - 1):
        raise argument_error("calibration_periods", f"calibration_periods must be a whole number from "
                             f"{MIN_PERIODS - 1} to {counts.size - 2} (periods 0..N = 0..{counts.size - 1} given, at "
                             f"least one left for the holdout), got {calibration_periods!r}")
    k = int(calibration_periods)
    sbg = ShiftedBetaGeometricFitter().fit(counts[: k + 1])
    period = np.arange(counts.size)
    forecast = counts[0] * sbg.retention(period)
    with np.errstate(divide="ignore", invalid="ignore"):
        error = 100 * (forecast - counts) / counts
    out = pd.DataFrame({"period": period, "sample": np.where(period <= k, "calibration", "holdout"),
                        "actual": counts.astype("int64"), "forecast": forecast, "error_pct": error})
    out.attrs = {"params": sbg.params_.to_dict(),
                 "mean_abs_error_pct": float(np.nanmean(np.abs(error[period > k])))}
    return out
