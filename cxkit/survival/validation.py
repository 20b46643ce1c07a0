"""Can the churn risk be trusted? A time holdout: score members as they stood on an earlier date, then look.

A risk list is only useful if the customers it ranks highest really leave more, and if
"10% chance" means about one in ten. :func:`risk_holdout` refits the time-varying model
on what was known ``horizon`` days before the analysis date, scores the customers active
then (:func:`cxkit.survival.churn_risk`) and records who actually left within the
horizon; :func:`risk_deciles` compares predicted and observed churn by risk decile.
Nothing after the holdout start enters the model: contacts, answers and cancellations
dated later are unknown to it, as they would have been.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from lifelines.utils import concordance_index

from cxkit.errors import argument_error, data_error, require_columns
from cxkit.survival._followup import _as_of
from cxkit.survival.fastcox import fit_time_varying
from cxkit.survival.models import churn_risk
from cxkit.survival.tables import active_customers, episode_table

__all__ = ["risk_holdout", "risk_deciles"]


def risk_holdout(
    customers: pd.DataFrame,
    contacts: pd.DataFrame | None = None,
    surveys: pd.DataFrame | None = None,
    *,
    as_of: Any,
    horizon: int = 90,
    columns: Sequence[str] | None = None,
    static: Any = None,
) -> pd.DataFrame:
    """Churn risk predicted ``horizon`` days before ``as_of``, beside what happened in those days.

    The check a retention team needs before working from a risk list: pretend it is
    ``as_of - horizon``, fit the time-varying Cox model on the data known then, score
    the customers active then, and see who left.

    Parameters
    ----------
    customers, contacts, surveys : validated tables (contacts and surveys optional, but
        one of them is needed for a model).
    as_of : the analysis date; the holdout is the ``horizon`` days up to it.
    horizon : days.
    columns : model covariates; default ``cum_unresolved``, ``cum_long_wait`` (with
        contacts), ``latest_csat``, ``has_csat`` (with surveys) and the static columns.
    static : static covariates keyed by ``customer_id`` (e.g.
        :func:`cxkit.survival.static_covariates`), merged into the episodes and the
        customers scored (see :func:`cxkit.survival.episode_table`). They are taken as
        they are now: a trait that changed over the horizon would tell the model a little
        of the future.

    Returns
    -------
    DataFrame, one row per customer active at the holdout start: ``customer_id``,
    ``tenure`` (then), ``churn_probability`` (predicted), ``left`` (churned within the
    horizon), ``days_observed`` (to leaving, or ``horizon``). ``attrs`` holds
    ``holdout_start``, ``horizon``, ``concordance`` (the chance that of two customers the
    one who left sooner had the higher risk; 0.5 is a coin toss) and ``columns``.

    Example
    -------
    >>> h = risk_holdout(cx.customers, cx.contacts, cx.surveys, as_of=cx.as_of)  # doctest: +SKIP
    >>> h.attrs["concordance"], risk_deciles(h)                                   # doctest: +SKIP
    """
    horizon = int(horizon)
    if horizon <= 0:
        raise argument_error("horizon", f"horizon must be > 0, got {horizon!r}")
    if columns is None:
        static_columns = [c for c in getattr(static, "design", static).columns if c != "customer_id"] \
            if static is not None else []
        columns = (["cum_unresolved", "cum_long_wait"] if contacts is not None else []) + (
            ["latest_csat", "has_csat"] if surveys is not None else []) + static_columns
    columns = list(columns)
    if not columns:
        raise argument_error("columns", "a risk model needs contacts or surveys, or static covariates "
                             "(no covariate to use)")
    start = pd.Timestamp(_as_of(as_of)) - pd.Timedelta(days=horizon)
    episodes = episode_table(customers, contacts, surveys, as_of=start, static=static)
    model = fit_time_varying(episodes, columns)
    active = active_customers(customers, contacts, surveys, as_of=start, static=static)
    out = churn_risk(model, active, horizon=horizon)[["customer_id", "tenure", "churn_probability"]]
    churn = customers.set_index("customer_id")["churn_date"].reindex(out["customer_id"]).to_numpy()
    days = ((pd.to_datetime(churn) - start) / pd.Timedelta(days=1)).to_numpy(float)
    out["left"] = (days > 0) & (days <= horizon)
    out["days_observed"] = np.where(out["left"], days, float(horizon))
    cindex = concordance_index(out["days_observed"], -out["churn_probability"], out["left"]) if out["left"].any() \
        else float("nan")
    out.attrs = {"holdout_start": start, "horizon": horizon, "concordance": float(cindex), "columns": columns}
    return out


def risk_deciles(holdout: pd.DataFrame, *, q: int = 10) -> pd.DataFrame:
    """Predicted against observed churn by risk decile: is "10% risk" one in ten?

    Parameters
    ----------
    holdout : output of :func:`risk_holdout` (``churn_probability``, ``left``).
    q : number of groups (deciles by default), by rank so that ties cannot empty a group.

    Returns
    -------
    DataFrame, one row per group from lowest to highest risk: ``decile``, ``customers``,
    ``predicted`` (mean churn probability), ``observed`` (share who left), ``ci_low``,
    ``ci_high`` (Wilson 95% interval of the observed share), ``left``.

    Example
    -------
    >>> h = pd.DataFrame({"churn_probability": np.linspace(0.01, 0.5, 20), "left": [False] * 15 + [True] * 5})
    >>> risk_deciles(h, q=4)[["decile", "customers", "left"]]
       decile  customers  left
    0       1          5     0
    1       2          5     0
    2       3          5     0
    3       4          5     5
    """
    require_columns(holdout, ["churn_probability", "left"], "holdout")
    if len(holdout) < q:
        raise data_error("holdout", "churn_probability", f"{len(holdout)} customers cannot fill {q} groups")
    rank = holdout["churn_probability"].rank(method="first")
    decile = pd.qcut(rank, q, labels=False) + 1
    g = holdout.assign(decile=decile).groupby("decile", sort=True)
    out = g.agg(customers=("left", "size"), predicted=("churn_probability", "mean"), left=("left", "sum"))
    n, k = out["customers"].to_numpy(float), out["left"].to_numpy(float)
    p, z = k / n, 1.959963984540054
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    out["observed"], out["ci_low"], out["ci_high"] = p, centre - half, centre + half
    out["left"] = out["left"].astype("int64")
    return out.reset_index()[["decile", "customers", "predicted", "observed", "ci_low", "ci_high", "left"]]
