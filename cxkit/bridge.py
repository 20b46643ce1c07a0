"""From experience to money: what a bad contact, a point of satisfaction or a better process is worth.

Three models of the kit meet here. The churn model says how much a bad contact, or a
point of CSAT, multiplies a customer's day-to-day risk of leaving
(:func:`cxkit.survival.fit_churn_model`); the CLV model says what each customer is
expected to spend over the horizon (:func:`cxkit.clv.clv_table`); the driver model says
how many points of CSAT a point of a driver is worth (:func:`cxkit.drivers.driver_effects`).
The bridge chains them::

    a change in experience -> the risk of leaving x m -> days as a member -> value

For each active customer, ``H(t)`` is the cumulative risk of leaving from today to ``t``
days ahead (:func:`cxkit.survival.hazard_ahead`), so ``exp(-H(t))`` is the chance of
still being a member then; a change that multiplies the day-to-day risk by ``m``
makes it ``exp(-m H(t))``. The days a customer is expected to stay within the horizon
``T`` are ``D(m) = integral of exp(-m H(t)) dt from 0 to T`` (the restricted mean
survival time). Each customer's forecast value over the horizon is earned evenly over the
days they are expected to stay as things are, ``D(1)``: a change that moves their days to
``D(m)`` moves their value by ``value * (D(m) / D(1) - 1)``.

The assumptions, in the words a report prints (:data:`ASSUMPTIONS`), and the intervals:
effects are drawn from their estimated sampling distributions (the churn model's
coefficients from a normal with its covariance matrix, a driver's effect from a normal
with its standard error, the value forecast as a common scale factor with the spread of
the total CLV's interval), holding the baseline risk at its estimate; the figure is
recomputed for each draw and the interval is the central 95% of the draws. The
customers are today's active customers, not a sample, so they are not resampled.
The draws are computed on a seeded subsample of at most ``subsample`` customers: each
draw's change from the subsample's own point figure, scaled up to all customers, is added
to the figure of all customers.

Example
-------
>>> bridge = build_bridge(model, active, values=clv_values, currency="£")   # doctest: +SKIP
>>> value_per_bad_contact(bridge)[["value_lost", "ci_low", "ci_high"]]      # doctest: +SKIP
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from cxkit.errors import argument_error, require_columns
from cxkit.experience import bad_contacts
from cxkit.survival import ChurnModel, hazard_ahead
from cxkit.units import MONTH_DAYS

__all__ = ["ASSUMPTIONS", "ServiceRates", "Bridge", "build_bridge", "service_rates", "value_per_bad_contact",
           "driver_value_at_stake", "what_if", "retention_curves"]

#: The assumptions of every figure the bridge gives, in plain words (a report's methods appendix prints them).
ASSUMPTIONS = {
    "hazard": "A bad contact, or a point of CSAT, changes a customer's day-to-day risk of leaving by the same factor "
              "at every tenure and for every customer: the churn model's hazard ratio.",
    "days": "Lost or gained time is counted within the forecast horizon only: the change in the days a customer "
            "is expected to stay as a member over the horizon (restricted mean survival).",
    "value": "Each customer's forecast value over the horizon is earned evenly over the days they are expected to "
             "stay as things are now; days lost are lost at that rate.",
    "csat": "Satisfaction and leaving are linked by association (customers who rate us well differ in other ways "
            "too); pricing a point of satisfaction treats the association as the effect.",
    "drivers": "A one-point rise in a driver's mean score raises each customer's CSAT by the driver's effect in the "
               "full linear model of CSAT on all drivers (the other drivers held equal).",
    "service": "Future contacts arrive at today's rate per member-day, at random times; the share of them that go "
               "badly follows the scenario, and each bad contact raises the risk of leaving from the day it happens, "
               "as the churn model counts it.",
    "interval": "Intervals carry the uncertainty of the fitted effects and of the value forecast, not of which "
                "customers happen to leave.",
}

_GRID_POINTS = 25   # interval draws of one coefficient: figures computed at this many values, interpolated
_Z = 1.959963984540054


@dataclass(frozen=True)
class ServiceRates:
    """Today's contacts, as the what-if scenarios start from them.

    Attributes
    ----------
    contacts_per_day : contacts per member-day (contacts in memberships over days as a member).
    resolution : share of contacts resolved at first contact.
    long_wait_resolved : share of resolved contacts with a long wait (they stay bad when resolved).
    long_waits : share of all contacts with a long wait.
    bad_share : share of contacts that went badly (unresolved or a long wait).
    contacts : contacts counted.
    """

    contacts_per_day: float
    resolution: float
    long_wait_resolved: float
    long_waits: float
    bad_share: float
    contacts: int

    def bad_share_with(self, *, resolution: float | None = None, long_waits: float | None = None) -> float:
        """The share of contacts that go badly when resolution or the long-wait share move to the values given."""
        p = self.resolution if resolution is None else resolution
        w = self.long_wait_resolved
        if long_waits is not None:
            w = w * long_waits / self.long_waits if self.long_waits > 0 else 0.0
        return float((1 - p) + p * min(max(w, 0.0), 1.0))


@dataclass(frozen=True, eq=False)
class Bridge:
    """Today's active customers with what the churn and value models expect of them over the horizon.

    Built by :func:`build_bridge`; read by :func:`value_per_bad_contact`,
    :func:`driver_value_at_stake`, :func:`what_if` and :func:`retention_curves`.

    Attributes
    ----------
    customers : one row per active customer: ``customer_id``, ``tenure``, ``value`` (forecast
        value over the horizon; NaN without one), ``days_expected`` (days as a member within
        the horizon, as things are), ``leave_probability`` (within the horizon).
    hazard : cumulative risk of leaving from today at each of ``days`` (customers x days).
    days : the days ahead, 0 to the horizon.
    horizon_months : the horizon.
    effects : the churn model's coefficients: ``covariate``, ``coef``, ``se``, ``hazard_ratio``,
        ``ci_low``, ``ci_high``, ``p_value``.
    covariance : the coefficients' covariance matrix.
    bad_contacts, csat : the model columns of the count of bad contacts and of the latest CSAT
        answer (None when the model has none).
    value_source : ``"forecast"`` (a value per customer), ``"revenue per customer-month"`` or None.
    value_sd : the value forecast's uncertainty as a log-scale standard deviation (0 when unknown).
    currency : the currency of values.
    service : :class:`ServiceRates`, or None without contacts.
    notes : what the bridge cannot compute on this data, and why.
    """

    customers: pd.DataFrame
    hazard: np.ndarray
    days: np.ndarray
    horizon_months: float
    effects: pd.DataFrame
    covariance: pd.DataFrame
    bad_contacts: str | None
    csat: str | None
    value_source: str | None
    value_sd: float = 0.0
    currency: str | None = None
    service: ServiceRates | None = None
    notes: tuple[str, ...] = ()
    n_draws: int = 1000
    random_state: int = 0
    subsample: int = 1000
    revenue_per_month: float | None = None
    assumptions: Mapping[str, str] = field(default_factory=lambda: dict(ASSUMPTIONS))

    @property
    def horizon_days(self) -> float:
        return float(self.days[-1])

    @property
    def has_value(self) -> bool:
        return self.value_source is not None

    def effect(self, covariate: str | None) -> pd.Series | None:
        """The churn model's row for ``covariate`` (None when the model has no such column)."""
        if covariate is None:
            return None
        rows = self.effects[self.effects["covariate"] == covariate]
        return rows.iloc[0] if len(rows) else None


# --------------------------------------------------------------------------- the days a customer stays


def _cumulative(hazard: np.ndarray, multiplier: Any) -> np.ndarray:
    """Cumulative risk with the day-to-day risk multiplied by ``multiplier`` (a number, or one per day, or per cell)."""
    m = np.asarray(multiplier, dtype=float)
    if m.ndim == 0 or (m.ndim == 2 and m.shape[1] == 1):
        return hazard * m
    step = np.diff(hazard, axis=1)
    m_mid = (m[..., 1:] + m[..., :-1]) / 2
    return np.concatenate([np.zeros((hazard.shape[0], 1)), np.cumsum(step * m_mid, axis=1)], axis=1)


def _days_expected(hazard: np.ndarray, days: np.ndarray, multiplier: Any = 1.0) -> np.ndarray:
    """Days as a member within the horizon (trapezoid rule over ``days``)."""
    staying = np.exp(-_cumulative(hazard, multiplier))
    return ((staying[:, 1:] + staying[:, :-1]) / 2 * np.diff(days)).sum(axis=1)


def _leaving(hazard: np.ndarray, multiplier: Any = 1.0) -> np.ndarray:
    """Each customer's chance of leaving within the horizon."""
    return -np.expm1(-_cumulative(hazard, multiplier)[:, -1])


# --------------------------------------------------------------------------- building


def service_rates(contacts: pd.DataFrame, member_days: float, *, long_wait: Any = None,
                  long_wait_quantile: float = 0.9) -> ServiceRates:
    """Today's contact rate and shares of good and bad contacts: where a what-if scenario starts.

    A contact is bad when not resolved at first contact or with a long wait, as the churn
    model counts it (:func:`cxkit.experience.bad_contacts`, the channel's 90th percentile).

    Example
    -------
    >>> k = pd.DataFrame({"customer_id": list("abcd"), "channel": ["chat"] * 4, "wait_minutes": [1.0, 2, 3, 40],
    ...                   "resolved_first_contact": [True, True, False, True]})
    >>> r = service_rates(k, member_days=400, long_wait=10)
    >>> r.contacts_per_day, r.resolution, r.bad_share
    (0.01, 0.75, 0.5)
    """
    if not member_days > 0:
        raise argument_error("member_days", f"member_days must be > 0, got {member_days!r}")
    flagged = bad_contacts(contacts, long_wait=long_wait, long_wait_quantile=long_wait_quantile)
    resolved = ~flagged["unresolved"].to_numpy(bool)
    long = flagged["long_wait"].to_numpy(bool)
    return ServiceRates(
        contacts_per_day=len(flagged) / float(member_days),
        resolution=float(resolved.mean()) if len(flagged) else float("nan"),
        long_wait_resolved=float(long[resolved].mean()) if resolved.any() else 0.0,
        long_waits=float(long.mean()) if len(flagged) else 0.0,
        bad_share=float(flagged["bad"].mean()) if len(flagged) else float("nan"),
        contacts=len(flagged),
    )


def _member_days(model: ChurnModel) -> float:
    table = model.table
    if {"start", "stop"} <= set(table.columns):
        return float((table["stop"] - table["start"]).sum())
    return float(table["tenure"].sum()) if "tenure" in table else float("nan")


def _effects(model: ChurnModel) -> tuple[pd.DataFrame, pd.DataFrame]:
    fitter = model.fitter
    coef = fitter.params_.astype(float)
    cov = pd.DataFrame(np.asarray(fitter.variance_matrix_, dtype=float), index=coef.index, columns=coef.index)
    ratios = model.hazard_ratios.set_index("covariate")
    effects = pd.DataFrame({"covariate": coef.index, "coef": coef.to_numpy(), "se": np.sqrt(np.diag(cov))})
    for column in ("hazard_ratio", "ci_low", "ci_high", "p_value"):
        effects[column] = effects["covariate"].map(ratios[column]).to_numpy(float)
    return effects, cov


def _customer_values(active: pd.DataFrame, values: pd.DataFrame | None, value_col: str,
                     revenue_per_month: float | None, days_expected: np.ndarray) -> tuple[np.ndarray, str | None]:
    if values is not None:
        require_columns(values, ["customer_id", value_col], "values")
        per_customer = values.drop_duplicates("customer_id").set_index("customer_id")[value_col].astype(float)
        # an active customer without a purchase has no forecast value: nothing to lose
        return active["customer_id"].map(per_customer).fillna(0.0).to_numpy(float), "forecast"
    if revenue_per_month is not None:
        return revenue_per_month * days_expected / MONTH_DAYS, "revenue per customer-month"
    return np.full(len(active), np.nan), None


def _value_sd(value_interval: tuple[float, float] | None, total: float) -> float:
    """The value forecast's spread on the log scale, from its total's 95% interval."""
    if value_interval is None or not total > 0:
        return 0.0
    low, high = (float(v) for v in value_interval)
    if not (0 < low <= high):
        raise argument_error("value_interval", f"value_interval must be two positive numbers, low first, got "
                             f"{value_interval!r}")
    return float((np.log(high) - np.log(low)) / (2 * _Z))


def build_bridge(
    model: ChurnModel,
    active: pd.DataFrame,
    *,
    values: pd.DataFrame | None = None,
    value_col: str = "clv",
    value_interval: tuple[float, float] | None = None,
    revenue_per_month: float | None = None,
    contacts: pd.DataFrame | None = None,
    horizon_months: float = 12,
    currency: str | None = None,
    n_draws: int = 1000,
    subsample: int = 1000,
    random_state: int = 0,
    grid_days: int = 7,
) -> Bridge:
    """Join the churn model and the value forecast for today's active customers: the base of every money figure.

    Parameters
    ----------
    model : the churn model (:func:`cxkit.survival.fit_churn_model`).
    active : today's active customers with the model's columns (:func:`cxkit.survival.active_customers`).
    values : each customer's forecast value over the horizon (``customer_id`` and ``value_col``, e.g.
        :func:`cxkit.clv.clv_table` with ``customer_id``); an active customer not in it counts 0.
    value_interval : the 95% interval of the forecast's total (:func:`cxkit.clv.total_clv_interval`),
        carried into every money interval as a common scale factor.
    revenue_per_month : without ``values``: a stated revenue per customer-month, at which lost days are valued.
    contacts : the contacts table, for the what-if scenarios of service (:func:`service_rates`).
    horizon_months : the horizon of the value forecast, and of every figure.
    currency : the currency of the values (words for the report only).
    n_draws, subsample, random_state : the intervals' draws, on at most ``subsample`` customers, seeded.
    grid_days : the step of the day grid over the horizon.

    Returns
    -------
    :class:`Bridge`. What cannot be computed on this data (no model, no count of bad contacts, no
    CSAT in the model, no value) is listed in ``notes``; the functions that need it say so.

    Example
    -------
    >>> bridge = build_bridge(model, active, values=values.reset_index(), currency="£")   # doctest: +SKIP
    >>> bridge.customers[["customer_id", "value", "days_expected"]].head(2)              # doctest: +SKIP
    """
    if model.fitter is None:
        raise argument_error("model", "the churn model has no fitted model (no contacts, answers or traits to model, "
                             "or no departures): there is nothing to bridge")
    if not horizon_months > 0:
        raise argument_error("horizon_months", f"horizon_months must be > 0, got {horizon_months!r}")
    if revenue_per_month is not None and not revenue_per_month >= 0:
        raise argument_error("revenue_per_month", f"revenue_per_month must be a number >= 0, got "
                             f"{revenue_per_month!r}")
    if int(n_draws) < 2:
        raise argument_error("n_draws", f"n_draws must be >= 2, got {n_draws!r}")
    require_columns(active, ["customer_id", "tenure", *model.columns], "active")
    horizon = float(horizon_months) * MONTH_DAYS
    days = np.unique(np.r_[np.arange(0.0, horizon, float(grid_days)), horizon])
    hazard = hazard_ahead(model.fitter, active, days)
    days_now = _days_expected(hazard, days)
    value, source = _customer_values(active, values, value_col, revenue_per_month, days_now)
    customers = pd.DataFrame({"customer_id": active["customer_id"].to_numpy(), "tenure": active["tenure"].to_numpy(),
                              "value": value, "days_expected": days_now, "leave_probability": _leaving(hazard)})
    effects, cov = _effects(model)
    bad = next((c for c in model.counts if c in model.columns), None)
    csat = "latest_csat" if "latest_csat" in model.columns else None
    notes = []
    if bad is None:
        notes.append("the cost of a bad contact and the service scenarios: the churn model has no count of bad "
                     "contacts (no contacts table)")
    if csat is None:
        notes.append("the value of satisfaction and of the drivers: the churn model has no CSAT answers (no surveys "
                     "table, or no CSAT column)")
    if source is None:
        notes.append("money: no value forecast (no transactions table) and no revenue per customer-month given; "
                     "the figures are in customers and days")
    service = None
    if contacts is not None and bad is not None and len(contacts):
        service = service_rates(contacts, _member_days(model))
    return Bridge(customers=customers, hazard=hazard, days=days, horizon_months=float(horizon_months),
                  effects=effects, covariance=cov, bad_contacts=bad, csat=csat, value_source=source,
                  value_sd=_value_sd(value_interval, float(np.nansum(value))), currency=currency, service=service,
                  notes=tuple(notes), n_draws=int(n_draws), random_state=int(random_state),
                  subsample=int(subsample), revenue_per_month=revenue_per_month)


# --------------------------------------------------------------------------- draws


def _rate(bridge: Bridge) -> np.ndarray:
    """Each customer's value per day as a member (0 with no days or no value)."""
    days = bridge.customers["days_expected"].to_numpy(float)
    value = bridge.customers["value"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(days > 0, value / days, 0.0)


def _chain_staying(hazard: np.ndarray, days: np.ndarray, *, rate: float, hazard_ratio: float,
                   multiplier: float = 1.0) -> np.ndarray:
    """The chance of staying at each day when bad contacts keep arriving at ``rate`` a day, each multiplying the risk.

    Future bad contacts are a Poisson process; each multiplies the day-to-day risk by
    ``hazard_ratio`` from the step after it arrives, as the churn model counts them. The
    chance of staying is the sum over how many have arrived (0 up to a count whose chance
    is negligible), carried step by step over the day grid with arrivals in the middle of
    each step: exact up to the grid.
    """
    dh = np.diff(hazard, axis=1) * multiplier
    mean = rate * np.diff(days)                              # bad contacts expected within each step
    one, two = mean * np.exp(-mean), mean ** 2 / 2 * np.exp(-mean)   # the chance of one, of two (Poisson)
    most = int(max(3, np.ceil(rate * days[-1] + 8 * np.sqrt(rate * days[-1] + 1e-12) + 2)))
    counts = np.arange(most + 1)
    alive = np.zeros((hazard.shape[0], most + 1))
    alive[:, 0] = 1.0
    staying = np.ones_like(hazard)
    for j in range(dh.shape[1]):
        half = np.exp(-dh[:, [j]] / 2 * hazard_ratio ** counts)   # half a step, arrivals in its middle, half a step
        survived = alive * half
        alive = survived * (1 - one[j] - two[j])
        for step, chance in ((1, one[j]), (2, two[j])):
            alive[:, step:] += survived[:, :-step] * chance
            alive[:, -1] += survived[:, -step:].sum(axis=1) * chance   # the last count keeps what goes beyond it
        alive *= half
        staying[:, j + 1] = alive.sum(axis=1)
    return staying


def _staying(hazard: np.ndarray, days: np.ndarray, spec: Any) -> np.ndarray:
    """The chance of staying at each day: ``spec`` is a risk multiplier, or a function of (hazard, days)."""
    return spec(hazard, days) if callable(spec) else np.exp(-_cumulative(hazard, spec))


def _change(bridge: Bridge, rows: np.ndarray, multiplier: Any, reference: Any = 1.0) -> tuple[float, float]:
    """(customers kept, value gained) among ``rows`` as the scenario moves from ``reference`` to ``multiplier``.

    Each is a risk multiplier (a number, or one per day) or a function giving the chances of staying.
    """
    hazard, days = bridge.hazard[rows], bridge.days
    then, now = _staying(hazard, days, multiplier), _staying(hazard, days, reference)
    kept = float((then[:, -1] - now[:, -1]).sum())
    gained = (((then[:, 1:] + then[:, :-1]) - (now[:, 1:] + now[:, :-1])) / 2 * np.diff(days)).sum(axis=1)
    return kept, float((gained * _rate(bridge)[rows]).sum())


@dataclass(frozen=True)
class _Drawn:
    kept: float
    kept_low: float
    kept_high: float
    value: float
    value_low: float
    value_high: float


def _with_draws(bridge: Bridge, rows: np.ndarray, scenario: Callable[[np.ndarray], tuple[Any, Any]],
                point: np.ndarray, draws: np.ndarray) -> _Drawn:
    """A scenario's figures for ``rows`` at the point estimate, with intervals from ``draws`` on a subsample.

    ``scenario(coefs)`` gives (multiplier, reference) for coefficients ``coefs``; ``point`` are the estimates
    and ``draws`` one set of coefficients per row.
    """
    kept, value = _change(bridge, rows, *scenario(point))
    rng = np.random.default_rng(bridge.random_state)
    sub = rows if len(rows) <= bridge.subsample else np.sort(rng.choice(rows, bridge.subsample, replace=False))
    sub_kept, sub_value = _change(bridge, sub, *scenario(point))
    scale = np.exp(rng.normal(0.0, bridge.value_sd, len(draws))) if bridge.value_sd > 0 else np.ones(len(draws))
    grow = len(rows) / max(len(sub), 1)
    if draws.shape[1] == 1 and len(draws) > _GRID_POINTS:
        # one coefficient: the figures are smooth in it, so compute them on a grid over the draws and interpolate
        grid = np.linspace(draws[:, 0].min(), draws[:, 0].max(), _GRID_POINTS)
        on_grid = np.array([_change(bridge, sub, *scenario(np.array([c]))) for c in grid])
        k = np.interp(draws[:, 0], grid, on_grid[:, 0])
        v = np.interp(draws[:, 0], grid, on_grid[:, 1])
    else:
        k, v = np.array([_change(bridge, sub, *scenario(coefs)) for coefs in draws]).T
    # the subsample's change from its own point figure, scaled up to all customers
    kept_draws = kept + (k - sub_kept) * grow
    value_draws = (value + (v - sub_value) * grow) * scale
    lo, hi = 0.025, 0.975
    k_low, k_high = np.quantile(kept_draws, [lo, hi])
    v_low, v_high = np.quantile(value_draws, [lo, hi])
    return _Drawn(kept, min(k_low, kept), max(k_high, kept), value, min(v_low, value), max(v_high, value))


def _coefficient_draws(bridge: Bridge, names: Sequence[str], n: int, seed_offset: int = 0) -> np.ndarray:
    """Draws of the churn model's coefficients ``names`` from their joint normal (columns in ``names`` order)."""
    mean = bridge.effects.set_index("covariate").loc[list(names), "coef"].to_numpy(float)
    cov = bridge.covariance.loc[list(names), list(names)].to_numpy(float)
    rng = np.random.default_rng(bridge.random_state + 1 + seed_offset)
    return rng.multivariate_normal(mean, (cov + cov.T) / 2, size=n, method="cholesky")


def _clear_ratio(row: pd.Series) -> bool:
    return bool(row["ci_low"] > 1 or row["ci_high"] < 1)


def _money(bridge: Bridge, value: float) -> float:
    return value if bridge.has_value else float("nan")


# --------------------------------------------------------------------------- the three questions


def value_per_bad_contact(bridge: Bridge) -> pd.DataFrame:
    """What one more bad contact costs today's customers: days, customers and value lost over the horizon.

    The board's question "what does a bad service contact cost us?", answered per contact:
    each active customer is given one more bad contact today, their day-to-day risk of
    leaving rises by the model's hazard ratio, and the days they are expected to stay
    within the horizon fall; those days are valued at the customer's spend rate. The
    figures are averages over today's active customers: the expected cost of a bad
    contact that falls on a customer like them.

    Returns
    -------
    One row: ``hazard_ratio`` with ``hr_low``, ``hr_high`` and ``p_value``; ``customers``;
    ``horizon_months``; ``days_lost`` (per bad contact) with ``days_low``/``days_high`` (the days at the
    ends of the hazard ratio's interval); ``leavers_per_1000`` (extra departures
    within the horizon per 1,000 bad contacts) with ``leavers_low``/``leavers_high``;
    ``value_lost`` (per bad contact, in the values' currency) with ``ci_low``/``ci_high``
    (NaN without values, or when the effect is not clear); ``status`` (``"clear"``, ``"not clear"``
    or ``"cannot compute"``) and ``reason``.

    Example
    -------
    >>> value_per_bad_contact(bridge)[["value_lost", "ci_low", "ci_high", "status"]]   # doctest: +SKIP
    """
    row = {"customers": len(bridge.customers), "horizon_months": bridge.horizon_months}
    effect = bridge.effect(bridge.bad_contacts)
    if effect is None:
        return pd.DataFrame([{**row, "status": "cannot compute", "reason": "the churn model has no count of bad "
                              "contacts (no contacts table)"}])
    name = bridge.bad_contacts
    rows = np.arange(len(bridge.customers))
    draws = _coefficient_draws(bridge, [name], bridge.n_draws)
    drawn = _with_draws(bridge, rows, lambda b: (1.0, np.exp(b[0])), np.array([effect["coef"]]), draws)
    n = max(len(rows), 1)
    hazard, days = bridge.hazard, bridge.days
    now = _days_expected(hazard, days)
    days_lost, days_low, days_high = (float((now - _days_expected(hazard, days, effect[c])).mean())
                                      for c in ("hazard_ratio", "ci_low", "ci_high"))   # days fall as the HR rises
    clear = _clear_ratio(effect)
    reason = "" if clear else (f"the churn model finds no clear effect of a bad contact (hazard ratio "
                               f"{effect['hazard_ratio']:.2f}, 95% interval {effect['ci_low']:.2f} to "
                               f"{effect['ci_high']:.2f})")
    if clear and not bridge.has_value:
        reason = "no value forecast and no revenue per customer-month: customers and days only"
    money = clear and bridge.has_value
    return pd.DataFrame([{
        **row, "hazard_ratio": effect["hazard_ratio"], "hr_low": effect["ci_low"], "hr_high": effect["ci_high"],
        "p_value": effect["p_value"], "days_lost": days_lost, "days_low": days_low, "days_high": days_high,
        "leavers_per_1000": 1000 * drawn.kept / n, "leavers_low": 1000 * drawn.kept_low / n,
        "leavers_high": 1000 * drawn.kept_high / n,
        "value_lost": drawn.value / n if money else np.nan, "ci_low": drawn.value_low / n if money else np.nan,
        "ci_high": drawn.value_high / n if money else np.nan,
        "status": "clear" if clear else "not clear", "reason": reason}])


def _segment_rows(bridge: Bridge, segments: pd.DataFrame | None, segment: Any) -> np.ndarray:
    if segment is None or segment == "everyone":
        return np.arange(len(bridge.customers))
    if segments is None:
        raise argument_error("segments", f"segment {segment!r} needs segments= (customer_id, segment)")
    require_columns(segments, ["customer_id", "segment"], "segments")
    members = set(segments.loc[segments["segment"] == segment, "customer_id"])
    return np.flatnonzero(bridge.customers["customer_id"].isin(members).to_numpy())


def _driver_row(bridge: Bridge, effect: Mapping[str, Any], rows: np.ndarray, points: float) -> dict[str, Any]:
    """The chain driver -> CSAT -> risk -> days -> value for one driver in one segment."""
    csat = bridge.effect(bridge.csat)
    base = {"segment": effect["segment"], "driver": effect["driver"], "points": points, "effect": effect["effect"],
            "effect_low": effect["ci_low"], "effect_high": effect["ci_high"], "customers": len(rows)}
    if csat is None:
        return {**base, "status": "cannot compute", "reason": "the churn model has no CSAT answers"}
    base |= {"csat_hazard_ratio": csat["hazard_ratio"], "csat_hr_low": csat["ci_low"], "csat_hr_high": csat["ci_high"]}
    broken = []
    if not np.isfinite(effect["effect"]) or not (effect["ci_low"] > 0 or effect["ci_high"] < 0):
        broken.append(f"no clear effect of {effect['driver']} on CSAT in {effect['segment']}")
    if not _clear_ratio(csat):
        broken.append("no clear link between CSAT and leaving")
    if not len(rows):
        broken.append("no active customers in the segment")
    if broken:
        return {**base, "status": "not clear", "reason": "; ".join(broken)}
    # the risk moves by exp(CSAT coefficient x driver effect x points): draw both, keep their product
    product = (_coefficient_draws(bridge, [bridge.csat], bridge.n_draws)[:, 0]
               * np.random.default_rng(bridge.random_state + 7).normal(effect["effect"], effect["se"], bridge.n_draws))
    drawn = _with_draws(bridge, rows, lambda b: (np.exp(b[0] * points), 1.0),
                        np.array([csat["coef"] * effect["effect"]]), product[:, None])
    return {**base, "customers_kept": drawn.kept, "kept_low": drawn.kept_low, "kept_high": drawn.kept_high,
            "value_at_stake": _money(bridge, drawn.value), "ci_low": _money(bridge, drawn.value_low),
            "ci_high": _money(bridge, drawn.value_high), "status": "clear",
            "reason": "" if bridge.has_value else "no value forecast: customers only"}


def driver_value_at_stake(bridge: Bridge, effects: pd.DataFrame, segments: pd.DataFrame | None = None, *,
                          points: float = 1.0) -> pd.DataFrame:
    """For each driver and segment, the customers and value kept over the horizon if its mean score rose by a point.

    The chain: a driver's effect on CSAT (:func:`cxkit.drivers.driver_effects`), CSAT's
    hazard ratio in the churn model, the days customers stay, their value. Where a link is
    not clear (its interval crosses no effect) the row says which and gives no money figure:
    a precise-looking zero would claim what the data does not show.

    Parameters
    ----------
    bridge : :func:`build_bridge`.
    effects : :func:`cxkit.drivers.driver_effects`: ``segment``, ``driver``, ``effect``, ``se``,
        ``ci_low``, ``ci_high``.
    segments : each customer's segment (``customer_id``, ``segment``), with the labels of
        ``effects``; the segment ``"everyone"`` needs none.
    points : the rise in the driver's mean score.

    Returns
    -------
    One row per segment and driver, largest value first: ``segment``, ``driver``, ``points``,
    ``effect`` (CSAT points per driver point) with ``effect_low``/``effect_high``, the CSAT hazard
    ratio, ``customers``, ``customers_kept`` (``kept_low``, ``kept_high``), ``value_at_stake``
    (``ci_low``, ``ci_high``), ``status`` and ``reason``.

    Example
    -------
    >>> driver_value_at_stake(bridge, driver_effects(answers, segment="segment"), segments)   # doctest: +SKIP
    """
    require_columns(effects, ["segment", "driver", "effect", "se", "ci_low", "ci_high"], "effects")
    out = [_driver_row(bridge, row, _segment_rows(bridge, segments, row["segment"]), float(points))
           for row in effects.to_dict("records")]
    columns = ["segment", "driver", "points", "effect", "effect_low", "effect_high", "csat_hazard_ratio",
               "csat_hr_low", "csat_hr_high", "customers", "customers_kept", "kept_low", "kept_high",
               "value_at_stake", "ci_low", "ci_high", "status", "reason"]
    table = pd.DataFrame(out).reindex(columns=columns)
    order = table["value_at_stake"].fillna(-np.inf).rank(ascending=False, method="first")
    return table.assign(_order=order).sort_values(["_order", "segment", "driver"]).drop(columns="_order") \
        .reset_index(drop=True)


def _scenario_words(bridge: Bridge, resolution: Any, long_waits: Any, csat_points: Any, segment: Any) -> str:
    """The scenario as a clause: "first-contact resolution rose from 74% to 80%"."""
    parts = []
    service = bridge.service
    if resolution is not None:
        start = f" from {service.resolution:.0%}" if service is not None else ""
        parts.append(f"first-contact resolution rose{start} to {resolution:.0%}")
    if long_waits is not None:
        start = f" from {service.long_waits:.0%}" if service is not None else ""
        parts.append(f"the share of contacts with a long wait went{start} to {long_waits:.0%}")
    if csat_points is not None:
        who = f" of {segment}" if segment not in (None, "everyone") else ""
        parts.append(f"the CSAT{who} {'rose' if csat_points >= 0 else 'fell'} by {abs(csat_points):.1f} points")
    return " and ".join(parts)


def _check_share(name: str, value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= float(value) <= 1:
        raise argument_error(name, f"{name} must be a share between 0 and 1 (0.8 for 80%), got {value!r}")
    return float(value)


def what_if(
    bridge: Bridge,
    *,
    resolution: float | None = None,
    long_waits: float | None = None,
    csat_points: float | None = None,
    segment: Any = None,
    segments: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """If service or satisfaction changed, how many customers and how much value would be kept over the horizon?

    The one function behind every scenario a board asks for: "if first-contact resolution
    rose from 74% to 80%" (``resolution=0.80``), "if long waits fell to 5% of contacts"
    (``long_waits=0.05``), "if the top spenders' CSAT rose by half a point"
    (``csat_points=0.5, segment=..., segments=...``). Service scenarios change the share of
    future contacts that go badly (contacts arrive at today's rate, :class:`ServiceRates`);
    a CSAT scenario changes the risk by the CSAT hazard ratio to the power of the points.

    Returns
    -------
    One row: ``scenario`` (in words), ``customers``, ``leavers`` (expected within the horizon
    as things are; in a service scenario with future contacts), ``customers_kept`` with
    ``kept_low``/``kept_high``, ``value_kept`` with ``ci_low``/``ci_high`` (NaN without values),
    ``status`` and ``reason``.

    Example
    -------
    >>> what_if(bridge, resolution=0.80)[["scenario", "customers_kept", "value_kept"]]   # doctest: +SKIP
    """
    resolution, long_waits = _check_share("resolution", resolution), _check_share("long_waits", long_waits)
    if csat_points is not None and not np.isfinite(float(csat_points)):
        raise argument_error("csat_points", f"csat_points must be a number, got {csat_points!r}")
    if resolution is None and long_waits is None and csat_points is None:
        raise argument_error("what_if", "name a scenario: resolution=, long_waits= or csat_points=")
    rows = _segment_rows(bridge, segments, segment)
    row: dict[str, Any] = {"scenario": _scenario_words(bridge, resolution, long_waits, csat_points, segment),
                           "customers": len(rows), "horizon_months": bridge.horizon_months,
                           "leavers": float(bridge.customers["leave_probability"].to_numpy()[rows].sum())}
    service_change = resolution is not None or long_waits is not None
    missing = []
    if service_change and (bridge.service is None or bridge.bad_contacts is None):
        missing.append("no contacts table, or no count of bad contacts in the churn model")
    if csat_points is not None and bridge.csat is None:
        missing.append("the churn model has no CSAT answers")
    if missing:
        return pd.DataFrame([{**row, "status": "cannot compute", "reason": "; ".join(missing)}])
    names = ([bridge.bad_contacts] if service_change else []) + ([bridge.csat] if csat_points is not None else [])
    point = bridge.effects.set_index("covariate").loc[names, "coef"].to_numpy(float)

    def scenario(coefs: np.ndarray) -> tuple[Any, Any]:
        csat = float(np.exp(coefs[-1] * float(csat_points))) if csat_points is not None else 1.0
        if not service_change:
            return csat, 1.0
        rates, hazard_ratio = bridge.service, float(np.exp(coefs[0]))
        now = rates.contacts_per_day * rates.bad_share
        then = rates.contacts_per_day * rates.bad_share_with(resolution=resolution, long_waits=long_waits)
        return (partial(_chain_staying, rate=then, hazard_ratio=hazard_ratio, multiplier=csat),
                partial(_chain_staying, rate=now, hazard_ratio=hazard_ratio))

    reference = _staying(bridge.hazard[rows], bridge.days, scenario(point)[1])
    row["leavers"] = float((1 - reference[:, -1]).sum())      # as things are, future contacts included
    drawn = _with_draws(bridge, rows, scenario, point, _coefficient_draws(bridge, names, bridge.n_draws, 3))
    clear = all(_clear_ratio(bridge.effect(n)) for n in names)
    reason = "" if clear else "no clear effect in the churn model of " + " or ".join(
        "bad contacts" if n == bridge.bad_contacts else "CSAT" for n in names if not _clear_ratio(bridge.effect(n)))
    money = clear and bridge.has_value
    return pd.DataFrame([{**row, "customers_kept": drawn.kept, "kept_low": drawn.kept_low, "kept_high": drawn.kept_high,
                          "value_kept": drawn.value if money else np.nan,
                          "ci_low": drawn.value_low if money else np.nan,
                          "ci_high": drawn.value_high if money else np.nan,
                          "status": "clear" if clear else "not clear", "reason": reason}])


def retention_curves(bridge: Bridge, extra_bad_contacts: Sequence[int] = (0, 1, 2)) -> pd.DataFrame:
    """The share of today's active customers expected to stay, day by day over the horizon, with more bad contacts.

    The tenure curves a board reads: as things are, and with one or two more bad contacts
    today (each multiplying the risk by the model's hazard ratio).

    Returns
    -------
    Tidy: ``extra_bad_contacts``, ``day``, ``staying`` (0-1), one row per curve and day.

    Example
    -------
    >>> retention_curves(bridge).query("day == day.max()")   # doctest: +SKIP
    """
    effect = bridge.effect(bridge.bad_contacts)
    if effect is None:
        extra_bad_contacts = [0]
    frames = []
    for extra in extra_bad_contacts:
        m = effect["hazard_ratio"] ** extra if effect is not None else 1.0
        staying = np.exp(-_cumulative(bridge.hazard, m)).mean(axis=0)
        frames.append(pd.DataFrame({"extra_bad_contacts": extra, "day": bridge.days, "staying": staying}))
    return pd.concat(frames, ignore_index=True)
