"""Does a hazard ratio hold over a membership? The proportional-hazards test, for time-varying models too.

A Cox model reports one hazard ratio per covariate and assumes it holds at every
tenure: an unresolved contact weighs as much in year three as in month two. The test
here (Grambsch and Therneau's, as lifelines' ``proportional_hazard_test`` computes it)
asks whether each coefficient drifts with tenure, on the model whose hazard ratios are
reported, including a time-varying one fitted on :func:`cxkit.survival.episode_table`.

**How.** At each churn time the customer who left is compared with everyone at risk
then (episodes with ``start < t <= stop``): the Schoenfeld residual is their covariates
minus the risk-weighted mean of those at risk (Efron's mean for tied churn days, as
lifelines computes it). Scaled by ``D x variance matrix`` (``D`` churns), a residual
plus the coefficient estimates the coefficient at that tenure. The test statistic for
covariate j is ``(sum_k g~_k r*_kj)^2 / (D se_j^2 sum_k g~_k^2)``, with ``g~`` the
centred transform of the churn times, against chi-squared with 1 degree of freedom.
The risk-set sums are reverse cumulative sums over the sorted times (as in
:mod:`cxkit.survival.fastcox`), so the test costs about one Newton step of the fit: no
per-row loop, seconds at millions of episodes.

**Time transform.** ``"rank"`` (the default, as lifelines') ranks the churn times;
churns on the same day share the average of their ranks. lifelines gives tied churns
distinct consecutive ranks in its sorted row order instead, so on data with tied
times the two differ slightly; given that average rank as its ``time_transform`` (see
``tests/test_survival_assumptions.py``), lifelines gives the same statistics to 1e-6,
and on untied times its default does. ``"identity"`` (days) and ``"log"`` are there too.

**A sample.** ``sample=n`` tests on the churns of ``n`` customers drawn at random
(with ``random_state``), all their episodes: their residuals are still taken against
everyone at risk, and the scaling uses the model's own ``D`` and variance, so the
statistic stays chi-squared under the null. On a very large table every small drift
becomes "significant"; a stated sample tests at the power of a study of that size,
and ``hr_early``/``hr_late`` show how large the drift is either way.
"""
from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd
from lifelines import CoxPHFitter
from scipy import stats

from cxkit.errors import argument_error, data_error, require_columns
from cxkit.survival._arrays import unique_sorted
from cxkit.survival.fastcox import TimeVaryingCox
from cxkit.survival.models import CoxModel, _check_cox

__all__ = ["proportional_hazards_test", "schoenfeld_residuals"]

_COLUMNS = ["covariate", "hazard_ratio", "test_statistic", "p_value", "direction", "hr_early", "hr_late",
            "split_tenure", "customers", "events", "time_transform"]


def _frame_spec(model: CoxModel, data: pd.DataFrame, id_col: str | None) -> dict[str, Any]:
    """Covariates, times, events, weights and ids of the rows the model was fitted on."""
    if getattr(model, "strata", None):
        raise argument_error("model", "the proportional-hazards test here does not take a stratified "
                             "model; fit it without strata (or test each stratum's model)")
    names = list(map(str, model.params_.index))
    if isinstance(model, CoxPHFitter):
        stop_col, event_col = model.duration_col, model.event_col
        start_col, weights_col = model.entry_col, model.weights_col
    else:
        stop_col, event_col = model.stop_col, model.event_col
        start_col, weights_col = model.start_col, model.weights_col
        id_col = id_col or model.id_col
    id_col = id_col or ("customer_id" if "customer_id" in data else None)
    needed = [c for c in (start_col, stop_col, event_col, weights_col, id_col) if c is not None]
    require_columns(data, needed, "model data")
    if isinstance(model, TimeVaryingCox):
        x = model._numeric(data, names)
    else:
        design = model.regressors.transform_df(data)["beta_"][model.params_.index]
        x = design.to_numpy(float)
        bad = ~np.isfinite(x).all(axis=1)
        if bad.any():
            raise data_error("model data", names, "model columns must be finite numbers without gaps", data[bad])
    stop = pd.to_numeric(data[stop_col], errors="coerce").to_numpy(float)
    if start_col is None:  # one row per customer: at risk from before the first time
        start = np.full(len(data), min(np.nanmin(stop, initial=0.0), 0.0) - 1.0)
    else:
        start = pd.to_numeric(data[start_col], errors="coerce").to_numpy(float)
    bad = np.isnan(start) | np.isnan(stop) | ~(start < stop)
    if bad.any():
        raise data_error("model data", stop_col, "times must be numbers with start < stop", data[bad])
    events = (data[event_col].astype(bool).to_numpy() if event_col is not None
              else np.ones(len(data), dtype=bool))
    weights = (pd.to_numeric(data[weights_col], errors="coerce").to_numpy(float) if weights_col is not None
               else np.ones(len(data)))
    fitted = int(np.asarray(model.event_observed, dtype=bool).sum())
    if int(events.sum()) != fitted:
        raise data_error("model data", event_col, f"the data holds {int(events.sum()):,} churns but the model was "
                         f"fitted on {fitted:,}: pass the table the model was fitted on")
    ids = data[id_col].to_numpy() if id_col is not None else np.arange(len(data))
    return {"x": x, "start": start, "stop": stop, "events": events, "weights": weights, "ids": ids,
            "names": names, "deaths": fitted}


def _residuals(x: np.ndarray, start: np.ndarray, stop: np.ndarray, events: np.ndarray, weights: np.ndarray,
               beta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Schoenfeld residuals (Efron mean for ties) of each churn row, and the rows' positions."""
    xc = x - x.mean(axis=0)  # a shift changes neither the residuals nor the weights' ratios
    phi = weights * np.exp(xc @ beta)
    times = unique_sorted(np.concatenate([start, stop]))
    si, ei, m = np.searchsorted(times, start), np.searchsorted(times, stop), len(times)

    def risk_sum(v: np.ndarray) -> np.ndarray:  # over rows with start < t <= stop, at each time
        return (np.bincount(ei, weights=v, minlength=m)[::-1].cumsum()[::-1]
                - np.bincount(si, weights=v, minlength=m)[::-1].cumsum()[::-1])

    rows = np.flatnonzero(events)
    rows = rows[np.argsort(ei[rows], kind="stable")]
    at = ei[rows]
    d = np.bincount(at, minlength=m)[at].astype(float)
    first = np.searchsorted(at, at, side="left")
    frac = (np.arange(len(rows)) - first) / d  # Efron: the l-th of d tied churns removes l/d of them
    s0 = risk_sum(phi)[at] - frac * np.bincount(at, weights=phi[rows], minlength=m)[at]
    mean = np.empty((len(rows), x.shape[1]))
    for j in range(x.shape[1]):
        v = phi * xc[:, j]
        s1 = risk_sum(v)[at] - frac * np.bincount(at, weights=v[rows], minlength=m)[at]
        term = np.bincount(at, weights=s1 / s0 / d, minlength=m)  # the mean over the tie's d terms
        mean[:, j] = term[at]
    return xc[rows] - mean, rows


def schoenfeld_residuals(model: CoxModel, data: pd.DataFrame, *, id_col: str | None = None,
                         scaled: bool = True) -> pd.DataFrame:
    """The (scaled) Schoenfeld residual of each churn: what the proportional-hazards test is built on.

    Plot ``residual + coefficient`` against tenure to see a hazard ratio drift.

    Parameters
    ----------
    model : a fitted ``CoxPHFitter``, ``CoxTimeVaryingFitter`` or
        :class:`~cxkit.survival.TimeVaryingCox` (not stratified).
    data : the table it was fitted on (one row per customer, or episodes).
    id_col : the customer id column (default the model's, or ``customer_id``).
    scaled : scaled residuals (``D x residual x variance matrix``, as lifelines'
        ``kind="scaled_schoenfeld"``) or raw ones.

    Returns
    -------
    DataFrame, one row per churn in time order: ``customer_id`` (or the row position),
    ``tenure`` (the churn time), then one column per covariate.

    Example
    -------
    >>> from lifelines import CoxPHFitter
    >>> from lifelines.datasets import load_rossi
    >>> m = CoxPHFitter().fit(load_rossi(), "week", "arrest")
    >>> schoenfeld_residuals(m, load_rossi()).shape
    (114, 9)
    """
    _check_cox(model)
    spec = _frame_spec(model, data, id_col)
    r, rows = _residuals(spec["x"], spec["start"], spec["stop"], spec["events"], spec["weights"],
                         model.params_.to_numpy(float))
    if scaled:
        r = spec["deaths"] * r @ np.asarray(model.variance_matrix_, dtype=float)
    out = pd.DataFrame(r, columns=spec["names"])
    out.insert(0, "tenure", spec["stop"][rows])
    out.insert(0, "customer_id", spec["ids"][rows])
    return out


def _transform(times: np.ndarray, how: str) -> np.ndarray:
    if how == "rank":
        return stats.rankdata(times, method="average")
    if how == "identity":
        return times.astype(float)
    if how == "log":
        if (times <= 0).any():
            raise argument_error("time_transform", "time_transform='log' needs churn times above 0")
        return np.log(times)
    raise argument_error("time_transform", f"time_transform must be 'rank', 'identity' or 'log', "
                         f"got {how!r}")


def proportional_hazards_test(
    model: CoxModel,
    data: pd.DataFrame,
    *,
    time_transform: Literal["rank", "identity", "log"] = "rank",
    sample: int | None = None,
    random_state: int | np.random.Generator | None = 0,
    id_col: str | None = None,
) -> pd.DataFrame:
    """Does each hazard ratio hold over tenure? A test per covariate, with the direction of any drift.

    The check a statistician asks for before believing a hazard ratio: a Cox model
    reports one number per covariate, and this says whether the data show it growing
    or fading with tenure. It runs on the model whose hazard ratios are reported, a
    time-varying one included (see the module docstring for the method).

    Parameters
    ----------
    model : a fitted ``CoxPHFitter``, ``CoxTimeVaryingFitter`` or
        :class:`~cxkit.survival.TimeVaryingCox` (not stratified).
    data : the table it was fitted on: episodes (:func:`cxkit.survival.episode_table`)
        or one row per customer (:func:`cxkit.survival.survival_table`,
        :func:`cxkit.survival.landmark_table`).
    time_transform : ``"rank"`` of the churn times (tied days share their average
        rank), ``"identity"`` (days) or ``"log"``.
    sample : test on this many customers drawn at random (all their episodes; their
        residuals still against everyone at risk); default every customer.
    random_state : seed of the sample.
    id_col : the customer id column (default the model's, or ``customer_id`` when
        present; without one each row is a customer).

    Returns
    -------
    DataFrame, one row per covariate: ``covariate``, ``hazard_ratio`` (the model's),
    ``test_statistic`` (chi-squared, 1 df), ``p_value``, ``direction`` (``"rises"`` or
    ``"falls"``: whether the log hazard ratio rises or falls with tenure, the sign of
    the correlation of the scaled residuals with the transformed time),
    ``hr_early`` and ``hr_late`` (the hazard ratio over the churns up to and after
    ``split_tenure``, the median churn time: coefficient plus the mean scaled residual
    in each half), ``customers`` and ``events`` (the churns the test used), and
    ``time_transform``. ``attrs`` holds ``sampled`` and ``random_state``.

    Example
    -------
    >>> from lifelines import CoxPHFitter
    >>> from lifelines.datasets import load_rossi
    >>> m = CoxPHFitter().fit(load_rossi(), "week", "arrest")
    >>> t = proportional_hazards_test(m, load_rossi())
    >>> t.loc[t["p_value"] < 0.05, ["covariate", "direction"]]
      covariate direction
    1       age     falls
    3      wexp     rises
    """
    _check_cox(model)
    spec = _frame_spec(model, data, id_col)
    beta = model.params_.to_numpy(float)
    r, rows = _residuals(spec["x"], spec["start"], spec["stop"], spec["events"], spec["weights"], beta)
    deaths, variance = spec["deaths"], np.asarray(model.variance_matrix_, dtype=float)
    scaled = deaths * r @ variance
    ids, times = spec["ids"][rows], spec["stop"][rows]
    customers = pd.unique(spec["ids"])
    used = np.ones(len(rows), dtype=bool)
    sampled = sample is not None and int(sample) < len(customers)
    if sample is not None and int(sample) < 1:
        raise argument_error("sample", f"sample must be a number of customers >= 1, got {sample!r}")
    if sampled:
        chosen = np.random.default_rng(random_state).choice(customers, size=int(sample), replace=False)
        used = pd.Index(chosen).get_indexer(ids) >= 0
        customers = chosen
    if used.sum() < 3:
        raise data_error("model data", None, f"{int(used.sum())} churns to test on: the test needs at least 3",
                         hint="use a larger sample")
    g = _transform(times[used], time_transform)
    gc = g - g.mean()
    res = scaled[used]
    score = gc @ res
    se2 = np.diag(variance)
    statistic = score**2 / (deaths * se2 * (gc**2).sum())
    early = g <= np.median(g)
    if early.all():  # every churn at the median: no late half to compare with
        early = g < np.median(g)
    out = pd.DataFrame({
        "covariate": spec["names"],
        "hazard_ratio": np.exp(beta),
        "test_statistic": statistic,
        "p_value": stats.chi2.sf(statistic, 1),
        "direction": np.where(score > 0, "rises", "falls"),
        "hr_early": np.exp(beta + res[early].mean(axis=0)) if early.any() else np.nan,
        "hr_late": np.exp(beta + res[~early].mean(axis=0)) if (~early).any() else np.nan,
        "split_tenure": float(times[used][early].max()) if early.any() else np.nan,
        "customers": len(customers),
        "events": int(used.sum()),
        "time_transform": time_transform,
    }, columns=_COLUMNS)
    out.attrs = {"sampled": bool(sampled), "random_state": random_state if sampled else None}
    return out
