"""Which CLV family the data calls for, and what a subscription base is worth, with intervals.

A customers-only folder of a subscription business (sign-up and cancellation dates, or a
tenure + churned export, often a fee) gets subscription CLV; a transaction log gets the
purchase models (:mod:`cxkit.clv.choice`). :func:`choose_family` applies the rule and says
it in words. For the subscription family this module gathers what a report needs on top
of :mod:`cxkit.clv.subscription`:

* :func:`fit_retention`: the sBG fit, refitted with a small penalty (and a note saying
  so) when the plain fit runs to the edge of the parameter space;
* :func:`margin_column`: the fee column a report values subscribers with, by a stated rule;
* :func:`value_per_subscriber`: the mean residual value per active subscriber and the
  total, with intervals from draws of the fitted parameters (their ``covariance_``);
* :func:`retention_levers`: what keeping a subscriber through their next renewal is
  worth, and what one point less churn at each renewal is worth;
* :func:`retention_curves`: each cohort's retention against the model's projection;
* :func:`cohort_holdout`: :func:`cxkit.clv.sbg_holdout` on the oldest cohorts.

Example
-------
>>> choose_family(has_transactions=False, customers=pd.DataFrame({"customer_id": ["a"], "tenure_days": [40],
...                                                               "churned": [True]})).family
'subscription'
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from cxkit.clv.sbg import MIN_PERIODS, ShiftedBetaGeometricFitter, _sbg_derl, sbg_holdout
from cxkit.clv.subscription import PERIOD_DAYS, fit_sbg, subscription_clv, subscription_cohorts
from cxkit.errors import DataError, FitError, argument_error, data_error, require_columns
from cxkit.units import MONTH_DAYS

__all__ = ["CLV_FAMILIES", "FAMILY_RULE", "FEE_COLUMNS", "FamilyChoice", "choose_family", "fit_retention",
           "margin_column", "subscription_as_of", "period_discount_rate", "value_per_subscriber", "values_by_segment",
           "retention_levers",
           "retention_curves", "cohort_holdout"]

#: The CLV families, and what the ``model`` argument of :func:`choose_family` accepts.
CLV_FAMILIES = ("auto", "purchases", "subscription")
#: The rule :func:`choose_family` applies, in words (reports print it).
FAMILY_RULE = ("a transaction log -> the purchase models (BG/NBD, Pareto/NBD, MBG/NBD); no transaction log but a "
               "customers table with cancellations (churn_date with signup_date, or tenure_days with churned) -> "
               "subscription CLV (the shifted-beta-geometric model)")
#: Columns of the customers table taken as the fee per period when ``margin`` is None (exactly one must be numeric).
FEE_COLUMNS = ("monthly_fee", "fee", "revenue")
#: Penalties tried in turn, smallest first, when the plain sBG fit runs to the edge of the parameter space.
_PENALTIES = (1e-6, 1e-5, 1e-4, 1e-3)


class FamilyChoice(NamedTuple):
    """The CLV family :func:`choose_family` picked (``"purchases"`` or ``"subscription"``) and why, in words."""

    family: str
    reason: str


def _has_cancellations(customers: pd.DataFrame | None) -> bool:
    if customers is None:
        return False
    dated = {"signup_date", "churn_date"} <= set(customers.columns)
    tenure = {"tenure_days", "churned"} <= set(customers.columns)
    return dated or tenure


def choose_family(*, has_transactions: bool, customers: pd.DataFrame | None, model: str = "auto") -> FamilyChoice:
    """The CLV family the data calls for, by :data:`FAMILY_RULE`, with the reason in words.

    A shop's customers leave silently and must be inferred from purchases; a subscriber's
    cancellation is seen. Each calls for its own model, and the report says which it used.

    Parameters
    ----------
    has_transactions : whether the folder has a transaction log.
    customers : the customers table, or None.
    model : ``"auto"`` (the rule), ``"purchases"`` or ``"subscription"`` (forced; the data
        must still allow it).

    Returns
    -------
    FamilyChoice

    Raises
    ------
    DataError
        Neither a transaction log nor a customers table with cancellations (or the forced
        family's data missing): the message names what is needed.

    Example
    -------
    >>> choose_family(has_transactions=True, customers=None).reason
    "a transaction log is present, so the purchase models forecast each customer's repeat purchases"
    """
    if model not in CLV_FAMILIES:
        raise argument_error("model", f"model must be one of {list(CLV_FAMILIES)}, got {model!r}")
    subscriptions = _has_cancellations(customers)
    if has_transactions and model != "subscription":
        asked = " (as asked)" if model == "purchases" else ""
        return FamilyChoice("purchases", "a transaction log is present, so the purchase models forecast each "
                                         f"customer's repeat purchases{asked}")
    if subscriptions and model != "purchases":
        why = ("as asked" if model == "subscription" else "there is no transaction log")
        return FamilyChoice("subscription", f"{why}, and the customers table records cancellations, so subscription "
                                            "CLV values each active subscriber from how long subscribers stay")
    need = ("a transaction log (customer_id, date, amount)" if model == "purchases" else
            "a customers table with cancellations (signup_date and churn_date, or tenure_days and churned)"
            if model == "subscription" else
            "a transaction log (customer_id, date, amount), or a customers table with cancellations (signup_date "
            "and churn_date, or tenure_days and churned)")
    found = [] if customers is None else list(map(str, customers.columns))
    raise DataError(f"CLV needs {need}; the folder has " + ("a customers table with the columns " + ", ".join(found)
                    if customers is not None else "neither") + ". Rule: " + FAMILY_RULE,
                    table="customers" if customers is not None else "transactions", rule=f"CLV needs {need}")


def fit_retention(cohorts: pd.DataFrame, *, by: str | None = None) -> tuple[Any, str | None]:
    """The sBG fit of a cohorts table (per segment with ``by``), penalised only when the plain fit cannot be used.

    Customers who hardly differ in how likely they are to cancel drive the plain fit to the
    edge of the parameter space; the smallest penalty that gives usable parameters (1e-6,
    then 1e-5, 1e-4, 1e-3: a smaller one biases the fit less) is then used, and the note
    says so, so a report never hides it.

    Parameters
    ----------
    cohorts : :func:`cxkit.clv.subscription_cohorts`.
    by : segment column, as :func:`cxkit.clv.fit_sbg` takes it.

    Returns
    -------
    (fitter or dict segment -> fitter, note or None)

    Example
    -------
    >>> cohorts = pd.DataFrame({"cohort": ["2024"] * 8, "period": range(8),
    ...                         "alive": [1000, 869, 743, 653, 593, 551, 517, 491]})
    >>> fit_retention(cohorts)
    (<ShiftedBetaGeometricFitter: alpha: 0.668, beta: 3.806, fitted on 1000 customers>, None)
    """
    try:
        return fit_sbg(cohorts, by=by), None
    except FitError as exc:
        first = exc
    why = ("the subscribers hardly differ in how likely they are to cancel, so one constant churn rate fits about as "
           "well" if "hardly differ" in str(first) else "the optimiser did not converge")
    for penalty in _PENALTIES:
        try:
            fitted = fit_sbg(cohorts, by=by, penalizer_coef=penalty)
        except FitError:
            continue
        return fitted, (f"The plain retention fit ran to the edge of its parameters ({why}); it was refitted with a "
                        f"small penalty (penalizer_coef={penalty:g}) that keeps them finite: read the projection "
                        "far beyond the periods observed with care.")
    raise first


def margin_column(customers: pd.DataFrame, margin: str | float | None = None) -> tuple[str | float | None, str]:
    """The margin a report values subscribers with, and a sentence saying where it came from.

    Parameters
    ----------
    customers : the customers table.
    margin : a column name or a number per period (used as given), or None: the one numeric
        column among :data:`FEE_COLUMNS` when there is exactly one, else no money (value in periods).

    Returns
    -------
    (margin for :func:`cxkit.clv.subscription_clv`, sentence)

    Example
    -------
    >>> margin_column(pd.DataFrame({"customer_id": ["a"], "monthly_fee": [30.0]}))
    ('monthly_fee', 'Each subscriber is valued at their monthly_fee per renewal period (the one fee column found).')
    """
    if isinstance(margin, str):
        require_columns(customers, [margin], "customers", hint="margin names the fee or margin column")
        return margin, f"Each subscriber is valued at their {margin} per period (as set for the run)."
    if margin is not None:
        return margin, f"Each subscriber is valued at {margin:g} per period (as set for the run)."
    found = [c for c in FEE_COLUMNS if c in customers and _numeric(customers[c])]
    if len(found) == 1:
        return found[0], (f"Each subscriber is valued at their {found[0]} per renewal period (the one fee column "
                          "found).")
    why = "no fee column" if not found else f"several fee columns ({', '.join(found)})"
    return None, (f"The customers table has {why}, so value is in periods still to be paid (discounted), not "
                  "money; name the fee column, or an amount per period, for the run to value it in money.")


def period_discount_rate(monthly_rate: float, period: Any = "M") -> float:
    """A monthly discount rate as the rate per renewal period (a month is 30.4375 days).

    The report takes one discount rate a month for both CLV families; a yearly or weekly
    subscription compounds it over its own period.

    Example
    -------
    >>> round(period_discount_rate(0.01, "Y"), 4), period_discount_rate(0.01, "M")
    (0.1268, 0.01)
    """
    days = PERIOD_DAYS.get(period) if isinstance(period, str) else float(period)
    if days is None or not np.isfinite(days) or days <= 0:
        raise argument_error("period", f"period must be one of {list(PERIOD_DAYS)} or a number of days, got {period!r}")
    if not np.isfinite(monthly_rate) or monthly_rate <= 0:
        raise argument_error("discount_rate", f"discount_rate must be above 0, got {monthly_rate!r}")
    return float(monthly_rate) if days == MONTH_DAYS else float((1 + monthly_rate) ** (days / MONTH_DAYS) - 1)


def values_by_segment(customers: pd.DataFrame, *, by: str | None, as_of: Any, period: Any = "M",
                      margin: str | float | None = None, discount_rate: float = 0.01,
                      random_state: int | None = 0) -> tuple[pd.DataFrame | None, str | None]:
    """Value per active subscriber by segment (each fitted on its own), or None and why not.

    A plan that keeps customers longer is worth more per subscriber even at the same fee;
    one fit per plan shows it. A missing column, or a segment too young or too small to
    fit, gives no table and a sentence saying so (the report carries on).

    Returns
    -------
    (:func:`value_per_subscriber` with ``by``, or None; a note or None)

    Example
    -------
    >>> values_by_segment(pd.DataFrame({"customer_id": ["a"], "tenure_days": [40], "churned": [True]}),
    ...                   by="plan", as_of=None)
    (None, 'The customers table has no plan column: value is not broken down by plan.')
    """
    if not by or by not in customers:
        return None, None if not by else f"The customers table has no {by} column: value is not broken down by {by}."
    try:
        cohorts = subscription_cohorts(customers, as_of=as_of, period=period, by=by)
        fits, note = fit_retention(cohorts, by=by)
        values = subscription_clv(customers, fits, as_of=as_of, margin=margin, discount_rate=discount_rate,
                                  period=period, by=by)
    except (DataError, FitError) as exc:
        return None, f"Value is not broken down by {by}: {str(exc).splitlines()[0]}"
    note = None if note is None else note.replace("The plain retention fit", f"For at least one {by}, the plain fit")
    return value_per_subscriber(values, fits, by=by, random_state=random_state), note


def _numeric(values: pd.Series) -> bool:
    """Whether a column holds numbers (read as numbers, or as text that reads as numbers), at least one."""
    given = values.dropna()
    return len(given) > 0 and bool(pd.to_numeric(given, errors="coerce").notna().all())


def subscription_as_of(customers: pd.DataFrame, as_of: Any = None) -> tuple[pd.Timestamp | None, str | None]:
    """The analysis date of a subscription report, and a sentence when it was chosen here.

    Activity tables (transactions, surveys, contacts) set a folder's analysis date; a
    customers-only folder has none, so subscription CLV takes the last sign-up or
    cancellation up to today. A tenure export needs none (None).

    Example
    -------
    >>> customers = pd.DataFrame({"customer_id": ["a", "b"],
    ...                           "signup_date": pd.to_datetime(["2024-01-05", "2024-03-01"]),
    ...                           "churn_date": pd.to_datetime(["2024-06-30", None])})
    >>> day, rule = subscription_as_of(customers)
    >>> day, rule[:76]
    (Timestamp('2024-06-30 00:00:00'), 'Analysis date 30 Jun 2024: the last sign-up or cancellation in the customers')
    """
    if as_of is not None:
        return pd.Timestamp(as_of), None
    if {"tenure_days", "churned"} <= set(customers.columns) and not (
            "signup_date" in customers and customers["signup_date"].notna().any()):
        return None, None
    dates = [pd.to_datetime(customers[c], errors="coerce") for c in ("signup_date", "churn_date") if c in customers]
    if not dates:
        return None, None
    today = pd.Timestamp.today().normalize()
    stacked = pd.concat(dates)
    naive = stacked.dt.tz_localize(None) if stacked.dt.tz is not None else stacked
    stacked = naive[naive.dt.normalize() <= today]
    if stacked.dropna().empty:
        raise data_error("customers", "signup_date", "no sign-up or cancellation date up to today: the analysis "
                         "date cannot be set", hint="pass as_of")
    last = stacked.max().normalize()
    return last, (f"Analysis date {last:%-d %b %Y}: the last sign-up or cancellation in the customers table (no "
                  "activity table sets it); set the analysis date for the run to choose another.")


def _draws(fitter: ShiftedBetaGeometricFitter, n_draws: int, random_state: int | None) -> np.ndarray:
    """(alpha, beta) pairs: the estimate first, then draws of the log-parameters from their covariance."""
    phi = np.log(fitter.params_.to_numpy(dtype=float))
    cov = getattr(fitter, "covariance_", None)
    if cov is None or not np.all(np.isfinite(cov.to_numpy())):
        return np.exp(phi)[None, :]
    rng = np.random.default_rng(random_state)
    return np.exp(np.vstack([phi, rng.multivariate_normal(phi, cov.to_numpy(), size=n_draws)]))


def _weighted_derl(draws: np.ndarray, renewed: np.ndarray, weights: np.ndarray, d: float) -> np.ndarray:
    """Sum over subscribers of weight x DERL, for each (alpha, beta) draw."""
    n, at = np.unique(renewed, return_inverse=True)
    w = np.bincount(at, weights=weights, minlength=n.size)
    return np.array([_sbg_derl(a, b, n.astype(float), d) @ w for a, b in draws])


def _interval(values: np.ndarray, ci: float) -> tuple[float, float, float]:
    est = float(values[0])
    if values.size == 1:
        return est, np.nan, np.nan
    lo, hi = np.quantile(values[1:], [(1 - ci) / 2, (1 + ci) / 2])
    return est, float(min(lo, est)), float(max(hi, est))


def _valued(values: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, str]:
    require_columns(values, ["periods_renewed", "derl"], "values", hint="pass subscription_clv()'s table")
    weights = values["margin"].to_numpy(dtype=float) if "margin" in values else np.ones(len(values))
    return values["periods_renewed"].to_numpy(dtype="int64"), weights, "money" if "margin" in values else "periods"


def value_per_subscriber(values: pd.DataFrame, fitter: ShiftedBetaGeometricFitter | Mapping[Any, Any], *,
                         by: str | None = None, n_draws: int = 300, ci: float = 0.95,
                         random_state: int | None = 0) -> pd.DataFrame:
    """Mean residual value per active subscriber and the total, with intervals from the fit's parameter uncertainty.

    The figure a board asks for ("what is a subscriber worth?") is only as sure as alpha
    and beta; drawing them from their estimated covariance carries that uncertainty into
    the value, per segment when each has its own fit.

    Parameters
    ----------
    values : :func:`cxkit.clv.subscription_clv` (with ``margin``: money; without: periods).
    fitter : the fit it was valued with, or a dict segment -> fit with ``by``.
    by : the segment column of ``values`` (one row per segment).
    n_draws, ci, random_state : the parameter draws and the interval's coverage.

    Returns
    -------
    DataFrame with (``by``), ``subscribers``, ``value`` (mean per subscriber), ``ci_low``,
    ``ci_high``, ``total``, ``total_ci_low``, ``total_ci_high``, ``unit`` (``"money"`` or
    ``"periods"``); ``attrs["ci"]``.

    Example
    -------
    >>> sbg = ShiftedBetaGeometricFitter().fit([1000, 869, 743, 653, 593, 551, 517, 491])
    >>> values = pd.DataFrame({"periods_renewed": [1, 7], "derl": sbg.derl([1, 7], discount=0.1),
    ...                        "margin": [100.0, 100.0]})
    >>> values.attrs["discount_rate"] = 0.1
    >>> out = value_per_subscriber(values, sbg, random_state=1)
    >>> out[["subscribers", "value", "unit"]].round(1).to_dict("records")
    [{'subscribers': 2, 'value': 671.6, 'unit': 'money'}]
    """
    groups = [(None, values, fitter)] if by is None else [
        (key, part, fitter[key]) for key, part in values.groupby(by, sort=True)]
    discount = float(values.attrs.get("discount_rate", 0.01))
    rows = []
    for key, part, fit in groups:
        renewed, weights, unit = _valued(part)
        totals = _weighted_derl(_draws(fit, n_draws, random_state), renewed, weights, discount)
        total, t_lo, t_hi = _interval(totals, ci)
        n = len(part)
        row = {} if by is None else {by: key}
        row.update(subscribers=n, value=total / n, ci_low=t_lo / n, ci_high=t_hi / n, total=total, total_ci_low=t_lo,
                   total_ci_high=t_hi, unit=unit)
        rows.append(row)
    out = pd.DataFrame(rows)
    out.attrs = {"ci": ci, "discount_rate": discount}
    return out


def retention_levers(values: pd.DataFrame, fitter: ShiftedBetaGeometricFitter, *, n_draws: int = 300,
                     ci: float = 0.95, random_state: int | None = 0) -> pd.DataFrame:
    """What keeping a subscriber through their next renewal is worth, and what one point less churn is worth.

    Retention budgets need a price: a save offer is worth making when it costs less than
    the renewal it secures, and a programme that lowers churn is worth what the lower churn adds.

    * ``next_renewal``: a subscriber kept through their next renewal pays then and is still
      worth DERL(n + 1) one period later: margin x (1 + DERL(n + 1) / (1 + d)), against
      nothing when they cancel. Averaged over the active subscribers.
    * ``churn_one_point``: each active subscriber's churn probability at every renewal one
      percentage point lower (their Beta(alpha, beta + n) shifted by 0.01 at the same
      spread; no lower than 0.1 point): the added residual value, per subscriber and in total.

    Parameters
    ----------
    values : :func:`cxkit.clv.subscription_clv` valued with ``fitter``.
    fitter : the fitted :class:`ShiftedBetaGeometricFitter`.
    n_draws, ci, random_state : parameter draws from ``fitter.covariance_`` for the intervals.

    Returns
    -------
    DataFrame, one row per lever: ``lever``, ``what`` (in words), ``value`` (per subscriber),
    ``ci_low``, ``ci_high``, ``total``, ``subscribers``, ``unit``.

    Example
    -------
    >>> sbg = ShiftedBetaGeometricFitter().fit([1000, 869, 743, 653, 593, 551, 517, 491])
    >>> values = pd.DataFrame({"periods_renewed": [1, 7], "derl": sbg.derl([1, 7], discount=0.1),
    ...                        "margin": [100.0, 100.0]})
    >>> values.attrs["discount_rate"] = 0.1
    >>> retention_levers(values, sbg)[["lever", "value"]].round(1).to_dict("records")
    [{'lever': 'next_renewal', 'value': 735.8}, {'lever': 'churn_one_point', 'value': 38.4}]
    """
    renewed, weights, unit = _valued(values)
    d = float(values.attrs.get("discount_rate", 0.01))
    draws = _draws(fitter, n_draws, random_state)
    n_sub = max(len(values), 1)
    n, at = np.unique(renewed, return_inverse=True)  # every value depends on the renewals only: once per count
    w = np.bincount(at, weights=weights, minlength=n.size)
    kept = np.array([w @ (1 + _sbg_derl(a, b, n + 1.0, d) / (1 + d)) for a, b in draws])
    lower = np.array([_churn_shift(a, b, n, w, d) for a, b in draws])
    rows = []
    for lever, totals in (("next_renewal", kept), ("churn_one_point", lower)):
        total, lo, hi = _interval(totals, ci)
        rows.append({"lever": lever, "what": _LEVERS[lever], "value": total / n_sub, "ci_low": lo / n_sub,
                     "ci_high": hi / n_sub, "total": total, "subscribers": len(values), "unit": unit})
    out = pd.DataFrame(rows)
    out.attrs = {"ci": ci, "discount_rate": d}
    return out


_LEVERS = {"next_renewal": "keeping a subscriber through their next renewal",
           "churn_one_point": "one percentage point less churn at every renewal"}


def _churn_shift(a: float, b: float, renewed: np.ndarray, weights: np.ndarray, d: float) -> float:
    """Added residual value when each subscriber's churn probability is one point lower (same a + b + n)."""
    size = a + b + renewed
    mean = a / size
    a_new = np.maximum(mean - 0.01, 0.001) * size
    now = _sbg_derl(a, b, renewed.astype(float), d)
    then = _sbg_derl(a_new, size - a_new, np.zeros(renewed.size), d)
    return float(weights @ (then - now))


def _km(alive: np.ndarray, censored: np.ndarray) -> np.ndarray:
    """Share of a cohort alive at the start of each period, with customers censored along the way."""
    at_risk = alive[:-1] - censored[:-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        step = np.where(at_risk > 0, alive[1:] / at_risk, np.nan)
    return np.r_[1.0, np.cumprod(step)]


def retention_curves(cohorts: pd.DataFrame, fitter: ShiftedBetaGeometricFitter, *,
                     horizon: int | None = None) -> pd.DataFrame:
    """Each cohort's share still subscribed at the start of each period, and the model's projection beyond.

    Laid side by side, they show whether one curve describes every cohort (the model can
    be trusted) and how far retention is projected to fall after the data end.

    Parameters
    ----------
    cohorts : :func:`cxkit.clv.subscription_cohorts` (without a segment column).
    fitter : the fit to project with.
    horizon : last period of the projection (default: twice the longest cohort, at least 24).

    Returns
    -------
    Tidy DataFrame: ``cohort`` (a label; ``"projection"`` for the model), ``period``,
    ``retention`` (0 to 1), ``customers`` (cohort size), ``kind`` (``"actual"`` or ``"projected"``).

    Example
    -------
    >>> sbg = ShiftedBetaGeometricFitter.from_params(alpha=0.668, beta=3.806)
    >>> cohorts = pd.DataFrame({"cohort": ["2024"] * 3, "period": [0, 1, 2], "alive": [100, 85, 74]})
    >>> curves = retention_curves(cohorts, sbg, horizon=3)
    >>> curves.round(3).to_dict("list")["retention"]
    [1.0, 0.85, 0.74, 1.0, 0.851, 0.747, 0.67]
    """
    require_columns(cohorts, ["cohort", "period", "alive"], "cohorts", hint="pass subscription_cohorts()'s table")
    parts = []
    for label, part in cohorts.sort_values(["cohort", "period"]).groupby("cohort", sort=True):
        alive = part["alive"].to_numpy(dtype=float)
        censored = part["censored"].to_numpy(dtype=float) if "censored" in part else np.zeros_like(alive)
        label_text = label.strftime("%b %Y") if isinstance(label, pd.Timestamp) else str(label)
        parts.append(pd.DataFrame({"cohort": label_text, "period": part["period"].to_numpy(),
                                   "retention": _km(alive, censored), "customers": int(alive[0]), "kind": "actual"}))
    longest = int(cohorts["period"].max()) if len(cohorts) else 0
    last = int(horizon if horizon is not None else max(2 * longest, 24))
    periods = np.arange(last + 1)
    projection = pd.DataFrame({"cohort": "projection", "period": periods, "retention": fitter.retention(periods),
                               "customers": int(cohorts.loc[cohorts["period"] == 0, "alive"].sum()),
                               "kind": "projected"})
    return pd.concat([*parts, projection], ignore_index=True)


def _oldest(cohorts: pd.DataFrame, min_customers: int) -> tuple[np.ndarray, list[str]]:
    """Alive counts of the oldest cohorts pooled (at least ``min_customers``), over the periods all of them reached."""
    lengths = cohorts.groupby("cohort", sort=True)["period"].max()
    pooled, labels, size, reach = None, [], 0, None
    for label in lengths.sort_values(ascending=False, kind="stable").index:
        part = cohorts[cohorts["cohort"] == label].sort_values("period")
        alive = part["alive"].to_numpy(dtype=float)
        censored = part["censored"].to_numpy(dtype=float) if "censored" in part else np.zeros_like(alive)
        if censored[:-1].any():  # censored along the way (a tenure export): its retention as a cohort of that size
            alive = np.round(alive[0] * _km(alive, censored))
        reach = alive.size if reach is None else min(reach, alive.size)
        pooled = alive if pooled is None else pooled[:reach] + alive[:reach]
        labels.append(label.strftime("%b %Y") if isinstance(label, pd.Timestamp) else str(label))
        size += int(alive[0])
        if size >= min_customers or reach <= MIN_PERIODS + 1:
            break
    return (np.array([]) if pooled is None else pooled[:reach]), labels


def cohort_holdout(cohorts: pd.DataFrame, *, min_customers: int = 300,
                   calibration_share: float = 0.5) -> pd.DataFrame | None:
    """:func:`cxkit.clv.sbg_holdout` on the oldest cohorts: fitted on their first periods, checked on the rest.

    The oldest cohorts have the longest record, so they can spare periods for a check the
    fit never saw: how far off would the forecast have been?

    Rule: cohorts are pooled from the oldest until they hold ``min_customers`` customers,
    over the periods all of them reached; the fit sees the first ``calibration_share`` of
    the renewals (at least two), the rest are the holdout. A tenure export's single cohort
    is used as its retention (Kaplan-Meier) times its size.

    Parameters
    ----------
    cohorts : :func:`cxkit.clv.subscription_cohorts` (without a segment column).
    min_customers : customers to pool before stopping.
    calibration_share : share of the periods the fit sees.

    Returns
    -------
    :func:`cxkit.clv.sbg_holdout`'s table, its ``attrs`` also holding ``cohorts`` (labels),
    ``customers`` and ``calibration_periods``; None when the oldest cohorts are observed at
    fewer than four period starts (too short to spare a holdout).

    Example
    -------
    >>> cohorts = pd.DataFrame({"cohort": ["2018"] * 8, "period": range(8),
    ...                         "alive": [1000, 869, 743, 653, 593, 551, 517, 491]})
    >>> check = cohort_holdout(cohorts)
    >>> check.attrs["calibration_periods"], round(check.attrs["mean_abs_error_pct"], 1)
    (4, 6.2)
    """
    require_columns(cohorts, ["cohort", "period", "alive"], "cohorts", hint="pass subscription_cohorts()'s table")
    if not 0 < calibration_share < 1:
        raise argument_error("calibration_share", f"calibration_share must be between 0 and 1, got {calibration_share}")
    alive, labels = _oldest(cohorts, min_customers)
    if alive.size < MIN_PERIODS + 1:
        return None
    k = int(min(max(MIN_PERIODS - 1, round((alive.size - 1) * calibration_share)), alive.size - 2))
    try:
        check, note = sbg_holdout(alive.astype("int64"), calibration_periods=k), None
    except FitError as exc:  # the plain fit ran to the edge: the same check with the smallest penalty that fits
        check, note = _penalised_holdout(alive, k, exc)
    except DataError as exc:
        raise data_error("cohorts", "alive", f"the holdout fit on the oldest cohorts ({', '.join(labels)}) failed: "
                         f"{exc}") from exc
    check.attrs.update(cohorts=labels, customers=int(alive[0]), calibration_periods=k, note=note)
    return check


def _penalised_holdout(alive: np.ndarray, k: int, first: FitError) -> tuple[pd.DataFrame, str]:
    """:func:`cxkit.clv.sbg_holdout`'s table from a fit with the smallest of :data:`_PENALTIES` that fits."""
    for penalty in _PENALTIES:
        try:
            sbg = ShiftedBetaGeometricFitter(penalty).fit(alive[: k + 1])
            break
        except FitError:
            continue
    else:
        raise first
    period = np.arange(alive.size)
    forecast = alive[0] * sbg.retention(period)
    error = 100 * (forecast - alive) / np.where(alive > 0, alive, np.nan)
    out = pd.DataFrame({"period": period, "sample": np.where(period <= k, "calibration", "holdout"),
                        "actual": alive.astype("int64"), "forecast": forecast, "error_pct": error})
    out.attrs = {"params": sbg.params_.to_dict(), "mean_abs_error_pct": float(np.nanmean(np.abs(error[period > k])))}
    return out, f"a small penalty, penalizer_coef={penalty:g}"
