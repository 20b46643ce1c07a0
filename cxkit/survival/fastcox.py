"""A time-varying Cox model for a million customers: lifelines' estimates, computed by cumulative sums.

lifelines' :class:`~lifelines.CoxTimeVaryingFitter` recomputes the risk set at every
churn time by scanning all episodes (``start < t <= stop``): its cost grows with
episodes x churn times, about 34 s for 100,000 customers and far beyond a minute at a
million. :class:`TimeVaryingCox` fits the same model (Efron's partial likelihood for tied
churn days, as lifelines does) with the risk-set sums written as differences of two
reverse cumulative sums: a row is at risk at ``t`` when ``stop >= t`` and not
``start >= t``. One Newton step is a handful of ``np.bincount`` passes over the episodes,
so a fit is O(n log n) (one sort of the times) and takes seconds at millions of episodes.

It is written here because lifelines has no such path and the maths is short; it is
checked against ``CoxTimeVaryingFitter`` on the sample to 1e-6 in coefficients and
standard errors (``tests/test_fastcox.py``), and :func:`fit_time_varying` keeps
lifelines for tables small enough for it.

Example
-------
>>> from lifelines.datasets import load_stanford_heart_transplants
>>> d = load_stanford_heart_transplants().drop(columns="id").assign(id=lambda d: range(len(d)))
>>> m = TimeVaryingCox().fit(d, event_col="event", start_col="start", stop_col="stop",
...                          columns=["age", "year", "surgery", "transplant"])
>>> m.params_.round(2).tolist()
[0.03, -0.15, -0.64, -0.01]
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from cxkit.errors import FitError, argument_error, data_error, require_columns
from cxkit.survival._arrays import unique_sorted

__all__ = ["TimeVaryingCox", "fit_time_varying", "LIFELINES_MAX_EPISODES"]

#: :func:`fit_time_varying` hands tables up to this many episodes to lifelines.
LIFELINES_MAX_EPISODES = 100_000


class TimeVaryingCox:
    """Cox proportional hazards with covariates that change over time, on counting-process episodes.

    The same model and estimates as :class:`lifelines.CoxTimeVaryingFitter` (Efron ties,
    Breslow baseline), fitted in seconds on millions of episodes. Fitted attributes end in
    ``_`` as in lifelines: ``params_``, ``standard_errors_``, ``variance_matrix_``,
    ``log_likelihood_``, ``baseline_cumulative_hazard_``; ``summary`` has lifelines' columns.
    The column names it was fitted with are kept as lifelines keeps them (``event_col``,
    ``start_col``, ``stop_col``, ``id_col``, ``weights_col``), so
    :func:`cxkit.survival.proportional_hazards_test` finds them.

    Parameters
    ----------
    alpha : 1 - the confidence level of the intervals in ``summary``.
    tol : Newton iterations stop when no coefficient moves more than this.
    max_iter : at most this many Newton steps.

    Example
    -------
    >>> from lifelines import CoxTimeVaryingFitter
    >>> ep = pd.DataFrame({"id": [1, 2, 3, 3, 4, 5], "start": [0, 0, 0, 5, 0, 0], "stop": [4, 5, 5, 9, 7, 8],
    ...                    "event": [1, 0, 0, 1, 0, 1], "x": [1.0, 0.0, 1.0, 2.0, 0.0, 0.5]})
    >>> ours = TimeVaryingCox().fit(ep, "event", id_col="id").params_
    >>> theirs = CoxTimeVaryingFitter().fit(ep, "event", id_col="id").params_
    >>> bool(abs(ours - theirs).max() < 1e-6)
    True
    """

    def __init__(self, alpha: float = 0.05, tol: float = 1e-10, max_iter: int = 50) -> None:
        self.alpha = alpha
        self.tol = tol
        self.max_iter = max_iter

    # ------------------------------------------------------------------ fitting
    def fit(
        self,
        df: pd.DataFrame,
        event_col: str = "event",
        start_col: str = "start",
        stop_col: str = "stop",
        weights_col: str | None = None,
        id_col: str | None = None,
        *,
        columns: Sequence[str] | None = None,
    ) -> TimeVaryingCox:
        """Fit on one row per episode: ``start < t <= stop`` at risk, ``event`` at ``stop``.

        The arguments are lifelines' ``CoxTimeVaryingFitter.fit`` arguments, in its order.

        ``columns`` names the covariates (default: every column other than the id, event,
        start, stop and weights columns). Returns ``self``.
        """
        special = [c for c in (id_col, event_col, start_col, stop_col, weights_col) if c is not None]
        require_columns(df, special, "episodes")
        columns = [c for c in df.columns if c not in special] if columns is None else list(columns)
        require_columns(df, columns, "episodes")
        if not columns:
            raise data_error("episodes", "columns", "no covariate to fit")
        x = self._numeric(df, columns)
        start, stop = self._numeric(df, [start_col])[:, 0], self._numeric(df, [stop_col])[:, 0]
        bad = ~(start < stop)
        if bad.any():
            raise data_error("episodes", stop_col, "every episode must end after it starts (start < stop)", df[bad])
        events = df[event_col].astype(bool).to_numpy()
        if not events.any():
            raise data_error("episodes", event_col, "no episode ends in a churn: nothing to learn from")
        w = np.ones(len(df)) if weights_col is None else self._numeric(df, [weights_col])[:, 0]
        if (w <= 0).any():
            raise data_error("episodes", weights_col, "weights must be > 0", df[w <= 0])

        self._norm_mean = pd.Series(x.mean(0), index=columns)
        xc = x - self._norm_mean.to_numpy()
        self._prepare(xc, start, stop, events, w)
        beta, ll, hessian = self._newton(np.zeros(len(columns)))
        # a hazard ratio beyond e^10 per standard deviation is a column that splits leavers from stayers
        spread = np.abs(beta) * x.std(0)
        if (spread > 10).any():
            col = columns[int(np.argmax(spread))]
            raise FitError(f"column {col!r} separates leavers from stayers (its hazard ratio runs off to "
                           "infinity); leave it out, or group its values more coarsely")
        try:
            cov = np.linalg.inv(-hessian)
        except np.linalg.LinAlgError as exc:
            raise FitError("the information matrix is singular: two covariates carry the same information; "
                           "drop one and refit") from exc
        index = pd.Index(columns, name="covariate")
        self.params_ = pd.Series(beta, index=index, name="coef")
        self.variance_matrix_ = pd.DataFrame(cov, index=index, columns=index)
        self.standard_errors_ = pd.Series(np.sqrt(np.diag(cov)), index=index, name="se(coef)")
        self.log_likelihood_ = float(ll)
        self.event_col, self.start_col, self.stop_col = event_col, start_col, stop_col
        self.id_col, self.weights_col = id_col, weights_col
        self.event_observed = events
        self.weights = w
        phi = w * np.exp(xc @ beta)
        s0 = self._risk_sum(phi)[self._death_idx]
        times = pd.Index(self._times[self._death_idx], name=None)
        self.baseline_cumulative_hazard_ = pd.DataFrame(
            {"baseline hazard": np.cumsum(self._death_weight / s0)}, index=times)
        del self._si, self._ei, self._x, self._death_x  # keep the fitted model small
        return self

    @staticmethod
    def _numeric(df: pd.DataFrame, columns: Sequence[str]) -> np.ndarray:
        out = np.empty((len(df), len(columns)))
        for j, col in enumerate(columns):
            values = pd.to_numeric(df[col], errors="coerce") if df[col].dtype != bool else df[col].astype(float)
            bad = values.isna().to_numpy() | ~np.isfinite(values.to_numpy(float, na_value=np.nan))
            if bad.any():
                raise data_error("episodes", col, "model columns must be finite numbers without gaps", df[bad])
            out[:, j] = values.to_numpy(float)
        return out

    def _prepare(self, xc: np.ndarray, start: np.ndarray, stop: np.ndarray, events: np.ndarray,
                 w: np.ndarray) -> None:
        """Integer positions of the times, and the churn-time sums that do not depend on the coefficients."""
        self._times = unique_sorted(np.concatenate([start, stop]))
        self._si = np.searchsorted(self._times, start)
        self._ei = np.searchsorted(self._times, stop)
        self._x = xc
        m = len(self._times)
        death_rows = np.flatnonzero(events)
        counts = np.bincount(self._ei[death_rows], minlength=m)
        self._death_idx = np.flatnonzero(counts)
        d = counts[self._death_idx]
        self._death_pos = self._ei[death_rows]
        self._death_x = xc[death_rows]
        self._death_w = w[death_rows]
        self._death_weight = np.bincount(self._ei[death_rows], weights=w[death_rows], minlength=m)[self._death_idx]
        # Efron: the k-th of d tied churns removes k/d of the tied customers' hazard from the risk set
        self._rep = np.repeat(np.arange(len(d)), d)
        self._frac = np.arange(len(self._rep)) - np.repeat(np.cumsum(d) - d, d)
        self._frac = self._frac / np.repeat(d, d)
        self._avg_weight = np.repeat(self._death_weight / d, d)
        self._x_death = (w[death_rows, None] * xc[death_rows]).sum(0)
        self._w = w

    def _risk_sum(self, values: np.ndarray) -> np.ndarray:
        """Sum of ``values`` over the rows at risk at each time (start < t <= stop)."""
        m = len(self._times)
        by_stop = np.bincount(self._ei, weights=values, minlength=m)[::-1].cumsum()[::-1]
        by_start = np.bincount(self._si, weights=values, minlength=m)[::-1].cumsum()[::-1]
        return by_stop - by_start

    def _tie_sum(self, values: np.ndarray) -> np.ndarray:
        """Sum of ``values`` (one per churn row) over the churns tied at each churn time."""
        return np.bincount(self._death_pos, weights=values, minlength=len(self._times))[self._death_idx]

    def _gradients(self, beta: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        x, xd, p = self._x, self._death_x, len(beta)
        phi, phi_d = self._w * np.exp(x @ beta), self._death_w * np.exp(xd @ beta)
        at = self._death_idx
        s0, t0 = self._risk_sum(phi)[at], self._tie_sum(phi_d)
        s1, t1 = np.empty((len(at), p)), np.empty((len(at), p))
        s2, t2 = np.empty((len(at), p, p)), np.empty((len(at), p, p))
        for j in range(p):
            phi_x, phi_xd = phi * x[:, j], phi_d * xd[:, j]
            s1[:, j], t1[:, j] = self._risk_sum(phi_x)[at], self._tie_sum(phi_xd)
            for k in range(j, p):
                s2[:, j, k] = s2[:, k, j] = self._risk_sum(phi_x * x[:, k])[at]
                t2[:, j, k] = t2[:, k, j] = self._tie_sum(phi_xd * xd[:, k])
        r, f, a = self._rep, self._frac, self._avg_weight
        denom = s0[r] - f * t0[r]
        if (denom <= 0).any():
            raise FitError("the risk set is empty at a churn time; check the episode table (start < stop)")
        mean = (s1[r] - f[:, None] * t1[r]) / denom[:, None]
        second = (s2[r] - f[:, None, None] * t2[r]) / denom[:, None, None]
        ll = float(self._x_death @ beta - (a * np.log(denom)).sum())
        gradient = self._x_death - (a[:, None] * mean).sum(0)
        hessian = np.einsum("i,ij,ik->jk", a, mean, mean) - np.einsum("i,ijk->jk", a, second)
        return ll, gradient, hessian

    def _newton(self, beta: np.ndarray) -> tuple[np.ndarray, float, np.ndarray]:
        ll, g, h = self._gradients(beta)
        for _ in range(self.max_iter):
            try:
                step = np.linalg.solve(-h, g)
            except np.linalg.LinAlgError as exc:
                raise FitError("the model cannot be fitted: two covariates carry the same information, or one "
                               "is constant; drop it and refit") from exc
            size = 1.0
            while True:  # halve the step until the likelihood does not fall
                new = beta + size * step
                new_ll, new_g, new_h = self._gradients(new)
                if np.isfinite(new_ll) and new_ll >= ll - 1e-12 * abs(ll):
                    break
                size /= 2
                if size < 1e-8:
                    raise FitError("the partial likelihood stopped improving before converging; a covariate "
                                   "may separate leavers from stayers (see cxkit.survival.check_covariates)")
            moved = np.abs(new - beta).max()
            beta, ll, g, h = new, new_ll, new_g, new_h
            if moved < self.tol:
                return beta, ll, h
        raise FitError(f"no convergence in {self.max_iter} Newton steps; a covariate may separate leavers "
                       "from stayers, or have almost no variation")

    # ------------------------------------------------------------------ results
    @property
    def summary(self) -> pd.DataFrame:
        """Coefficients, hazard ratios, intervals and tests, in lifelines' column names."""
        z_crit = stats.norm.ppf(1 - self.alpha / 2)
        level = round(100 * (1 - self.alpha))
        b, se = self.params_, self.standard_errors_
        z = b / se
        p = 2 * stats.norm.sf(np.abs(z))
        with np.errstate(divide="ignore"):  # p of exactly 0 reads as infinitely many bits, as in lifelines
            bits = -np.log2(p)
        return pd.DataFrame({
            "coef": b, "exp(coef)": np.exp(b), "se(coef)": se,
            f"coef lower {level}%": b - z_crit * se, f"coef upper {level}%": b + z_crit * se,
            f"exp(coef) lower {level}%": np.exp(b - z_crit * se), f"exp(coef) upper {level}%": np.exp(b + z_crit * se),
            "cmp to": 0.0, "z": z, "p": p, "-log2(p)": bits,
        })

    def _design(self, df: pd.DataFrame) -> np.ndarray:
        require_columns(df, list(self.params_.index), "customers to score")
        return self._numeric(df, list(self.params_.index)) - self._norm_mean.to_numpy()

    def predict_log_partial_hazard(self, df: pd.DataFrame) -> pd.Series:
        """``(x - training mean)'b`` per row, as lifelines defines it."""
        return pd.Series(self._design(df) @ self.params_.to_numpy(), index=df.index)

    def predict_partial_hazard(self, df: pd.DataFrame) -> pd.Series:
        """``exp((x - training mean)'b)`` per row: relative risk against the average episode."""
        return np.exp(self.predict_log_partial_hazard(df))

    def __repr__(self) -> str:
        fitted = f", {len(self.params_)} covariates" if hasattr(self, "params_") else ", not fitted"
        return f"<cxkit.survival.TimeVaryingCox{fitted}>"


def fit_time_varying(
    episodes: pd.DataFrame,
    columns: Sequence[str],
    *,
    engine: str = "auto",
    id_col: str = "customer_id",
    event_col: str = "event",
    start_col: str = "start",
    stop_col: str = "stop",
):
    """Fit the time-varying Cox model on an episode table, with lifelines where it is quick enough.

    Parameters
    ----------
    episodes : from :func:`cxkit.survival.episode_table`.
    columns : the covariates.
    engine : ``"lifelines"`` (:class:`lifelines.CoxTimeVaryingFitter`), ``"cxkit"``
        (:class:`TimeVaryingCox`, the same estimates in seconds at millions of episodes) or
        ``"auto"``: lifelines up to :data:`LIFELINES_MAX_EPISODES` episodes, cxkit above.

    Returns
    -------
    The fitted model; :func:`cxkit.survival.hazard_ratios`, :func:`cxkit.survival.churn_risk`
    and :func:`cxkit.survival.attributable_churn` accept either kind.

    Example
    -------
    >>> ep = episode_table(cx.customers, cx.contacts, as_of=cx.as_of)                 # doctest: +SKIP
    >>> hazard_ratios(fit_time_varying(ep, ["cum_unresolved", "cum_long_wait"]))      # doctest: +SKIP
    """
    from lifelines import CoxTimeVaryingFitter
    from lifelines.exceptions import ConvergenceError

    if engine not in ("auto", "lifelines", "cxkit"):
        raise argument_error("engine", f"engine must be 'auto', 'lifelines' or 'cxkit', got {engine!r}")
    columns = list(columns)
    if engine == "cxkit" or (engine == "auto" and len(episodes) > LIFELINES_MAX_EPISODES):
        return TimeVaryingCox().fit(episodes, event_col, start_col, stop_col, id_col=id_col, columns=columns)
    try:
        return CoxTimeVaryingFitter().fit(episodes[[id_col, start_col, stop_col, event_col, *columns]],
                                          id_col=id_col, event_col=event_col, start_col=start_col, stop_col=stop_col)
    except ConvergenceError as exc:
        raise FitError(f"the time-varying Cox model did not converge ({exc}); try fewer columns, or drop a "
                       "column with (almost) no variation") from exc
