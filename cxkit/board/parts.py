"""The board report's four parts, each computed from a loaded folder as its theme's report computes it.

A board report reads the headline results of every theme: satisfaction against the goals
and by value (the CX metrics report), the churn model (the churn report), the CLV forecast
(the CLV report) and the drivers of the top spenders (the driver report), then joins them
into money through :mod:`cxkit.bridge`. Each function here runs one theme's main line on a
:class:`cxkit.folder.CXFolder` with the same functions and defaults as that theme's
notebook, and returns what the board report shows of it; a part whose tables are absent
returns ``None`` and the reason in :func:`missing_parts`.

Example
-------
>>> from cxkit.folder import load_folder
>>> cx = load_folder("data/sample")
>>> part = satisfaction_part(cx)
>>> part.headline, part.top
('NPS', 'top 10%')
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from cxkit import clv, drivers, metrics, periods, spend, survival, value
from cxkit.bridge import Bridge, build_bridge
from cxkit.drivers.effects import driver_effects
from cxkit.folder import CXFolder
from cxkit.units import TimeUnit

__all__ = ["Satisfaction", "Churn", "Forecast", "Drivers", "satisfaction_part", "churn_part", "forecast_part",
           "drivers_part", "bridge_part", "missing_parts"]


@dataclass(frozen=True, eq=False)
class Satisfaction:
    """Satisfaction over the reporting period, against the goals and by value.

    Attributes
    ----------
    reporting : the reporting period (:func:`cxkit.periods.reporting_period`).
    answers : the period's answers, with ``value_decile`` and ``annual_spend`` when there is spend.
    scorecard, gaps : :func:`cxkit.metrics.cx_scorecard` and :func:`cxkit.metrics.gap_analysis`.
    headline : the headline metric (NPS where asked, else CSAT, else CES).
    coverage : :func:`cxkit.periods.coverage` of the period.
    by_decile : CSAT by value decile (None without spend or CSAT).
    top_vs_rest : the top spenders' CSAT against everyone else's (:func:`cxkit.metrics.compare`).
    top_share : the top spenders' share of the period's revenue.
    top : the top group in words (``"top 10%"``).
    value_q : the number of value segments.
    """

    reporting: periods.Period
    answers: pd.DataFrame
    scorecard: pd.DataFrame
    gaps: pd.DataFrame
    headline: str
    coverage: pd.DataFrame
    by_decile: pd.DataFrame | None
    top_vs_rest: pd.DataFrame | None
    top_share: float | None
    top: str
    value_q: int


def satisfaction_part(cx: CXFolder, *, period: Any = "12M", value_q: int = 10, min_base: int = 30) -> Satisfaction:
    """Satisfaction against the goals, and the top spenders against everyone else, as the CX metrics report has them.

    Example
    -------
    >>> from cxkit.folder import load_folder
    >>> satisfaction_part(load_folder("data/sample")).scorecard["metric"].tolist()
    ['NPS', 'CSAT', 'CES']
    """
    cx.require("surveys")
    reporting = periods.reporting_period(period, as_of=cx.as_of, first_date=cx.surveys["date"].min())
    answers = reporting.select(cx.surveys, table="surveys")
    scorecard = metrics.cx_scorecard(answers, min_base=min_base)
    goals = {m: g for m, g in cx.settings.goals.items() if m in set(scorecard["metric"])}
    gaps = metrics.gap_analysis(scorecard, goals)
    coverage = periods.coverage({"surveys": cx.surveys, "transactions": cx.transactions, "contacts": cx.contacts},
                                reporting)
    top = f"top {100 // value_q}%"
    by_decile = top_vs_rest = top_share = None
    if cx.has_transactions and "csat" in answers and answers["csat"].notna().any():
        values = cx.customer_value(period_start=reporting.start, period_end=reporting.end)
        values["value_decile"] = value.value_segments(values["annual_spend"], q=value_q)
        answers = value.attach(answers, values, ["annual_spend", "value_decile"])
        by_decile = metrics.csat(answers, by="value_decile", min_base=min_base)
        share = value.segment_revenue(values, segment_col="value_decile", revenue_col="period_spend")
        top_share = float(share.set_index("value_decile")["share"].get(value_q, float("nan")))
        top_vs_rest = metrics.compare(answers.assign(top=answers["value_decile"] == value_q), "csat", by="top", a=True)
    return Satisfaction(reporting=reporting, answers=answers, scorecard=scorecard, gaps=gaps,
                        headline=str(scorecard["metric"].iloc[0]), coverage=coverage, by_decile=by_decile,
                        top_vs_rest=top_vs_rest, top_share=top_share, top=top, value_q=value_q)


@dataclass(frozen=True, eq=False)
class Churn:
    """The churn model of today's customers, as the churn report fits it.

    Attributes
    ----------
    model : :class:`cxkit.survival.ChurnModel` (contacts and answers as they happen, traits held equal).
    active : today's active customers with the model's columns.
    members : one row per customer (:func:`cxkit.survival.survival_table`).
    period : the memberships covered, in words.
    """

    model: survival.ChurnModel
    active: pd.DataFrame
    members: pd.DataFrame
    period: str


def churn_part(cx: CXFolder, *, static_columns: Any = None) -> Churn | None:
    """The churn model as the churn report fits it; ``None`` without dated memberships or anything to model.

    Example
    -------
    >>> from cxkit.folder import load_folder
    >>> churn_part(load_folder("data/sample")).model.columns[:2]
    ['cum_bad_contacts', 'latest_csat']
    """
    if cx.customers is None or "tenure_days" in cx.customers or cx.as_of is None:
        return None
    static = survival.static_covariates(cx.customers, static_columns)
    rules = {"as_of": cx.as_of, "static": static}
    members = survival.survival_table(cx.customers, **rules)
    episodes = (survival.episode_table(cx.customers, cx.contacts, cx.surveys, **rules)
                if cx.contacts is not None or cx.surveys is not None else None)
    model = survival.fit_churn_model(members, episodes, static=static, kinds=())   # the kinds apart: report 01
    if model.fitter is None:
        return None
    active = survival.active_customers(cx.customers, cx.contacts, cx.surveys, **rules)
    period = f"memberships from {cx.customers['signup_date'].min():%-d %b %Y} to {cx.as_of:%-d %b %Y}"
    return Churn(model=model, active=active, members=members, period=period)


@dataclass(frozen=True, eq=False)
class Forecast:
    """What today's customers are expected to be worth, as the CLV report forecasts it.

    Attributes
    ----------
    values : one row per customer: ``customer_id``, ``clv`` and the CLV table's columns.
    total : :func:`cxkit.clv.total_clv_interval` (one row: ``total``, ``ci_low``, ``ci_high``).
    concentration : :func:`cxkit.clv.value_concentration` of today's customers' CLV (the cancelled left out).
    customers : today's customers in the forecast (those known to have left count nothing and are not counted).
    horizon_months, discount_rate : the forecast's horizon and monthly discount rate.
    period : the purchase history the models learned from, in words.
    """

    values: pd.DataFrame
    total: pd.DataFrame
    concentration: pd.DataFrame
    customers: int
    horizon_months: int
    discount_rate: float
    period: str


def forecast_part(cx: CXFolder, *, horizon_months: int = 12, discount_rate: float = 0.01,
                  time_unit: TimeUnit = "W", random_state: int = 0) -> Forecast | None:
    """BG/NBD and Gamma-Gamma CLV as the CLV report forecasts it; ``None`` without transactions.

    Example
    -------
    >>> from cxkit.folder import load_folder
    >>> float(round(forecast_part(load_folder("data/sample")).total["total"].iloc[0], -3))
    337000.0
    """
    if not cx.has_transactions:
        return None
    summary = cx.rfm_summary(time_unit=time_unit).sort_index()
    cancelled = clv.known_cancellations(cx.customers, cx.as_of) if cx.customers is not None else None
    bgf = clv.BetaGeoFitter().fit(summary["frequency"], summary["recency"], summary["T"])
    ggf = clv.GammaGammaFitter().fit(summary["frequency"], summary["monetary_value"])
    options = {"horizon_months": horizon_months, "discount_rate": discount_rate, "time_unit": time_unit,
               "churned": cancelled}
    values = clv.clv_table(summary, bgf, ggf, **options)
    total = clv.total_clv_interval(summary, bgf, ggf, **options, random_state=random_state)
    first = pd.Timestamp(cx.summary().set_index("table").loc["transactions", "first_date"])
    history = f"purchases from {first:%-d %b %Y} to {cx.as_of:%-d %b %Y}"
    return Forecast(values=values.rename_axis("customer_id").reset_index(), total=total,
                    concentration=clv.value_concentration(values.loc[~values["known_churned"], "clv"]),
                    customers=int((~values["known_churned"]).sum()),
                    horizon_months=int(horizon_months),
                    discount_rate=float(discount_rate), period=history)


@dataclass(frozen=True, eq=False)
class Drivers:
    """What drives CSAT for the top spenders and for everyone else, in shares and in points.

    Attributes
    ----------
    groups : :class:`cxkit.drivers.DriverGroups` naming the two groups.
    importance : the drivers' shares for everyone (``KeyDrivers.importance_``).
    by_segment : the shares within each group (None without groups).
    effects : :func:`cxkit.drivers.driver_effects` by group (CSAT points per driver point).
    segments : each customer's group (``customer_id``, ``segment``), for :func:`cxkit.bridge.driver_value_at_stake`.
    period : the answers' period, in words.
    answers : answers used.
    """

    groups: drivers.DriverGroups
    importance: pd.DataFrame
    by_segment: pd.DataFrame | None
    effects: pd.DataFrame
    segments: pd.DataFrame | None
    period: str
    answers: int


def drivers_part(cx: CXFolder, *, outcome: str = "csat", period: Any = "all", value_q: int = 10, top_segments: int = 1,
                 n_boot: int = 1000, random_state: int = 0, min_base: int = 30) -> Drivers | None:
    """The drivers of ``outcome`` for the top spenders and everyone else; ``None`` without answers to explain.

    Example
    -------
    >>> from cxkit.folder import load_folder
    >>> part = drivers_part(load_folder("data/sample"), n_boot=50)
    >>> part.groups.focus, sorted(part.effects["segment"].unique())
    ('Top 10%', ['Top 10%', 'everyone else'])
    """
    if cx.surveys is None or outcome not in cx.surveys or not cx.surveys[outcome].notna().any():
        return None
    window = periods.reporting_period(period, as_of=cx.as_of, first_date=cx.surveys["date"].min(),
                                      last_date=cx.surveys["date"].max())
    answers, segments = window.select(cx.surveys, table="surveys"), None
    if cx.has_transactions:
        tiers = spend.segment_customers(cx.customer_value(), cx.customers, as_of=cx.as_of, period=window.label,
                                        q=value_q, top=top_segments)
        answers = value.attach(answers, tiers, ["value_tier"])
        segments, _ = drivers.driver_groups(tiers[["customer_id", "value_tier"]], q=value_q, top=top_segments)
    answers, groups = drivers.driver_groups(answers, cx.customers, segment_by="value" if cx.has_transactions else None,
                                            q=value_q, top=top_segments)
    overall, by_segment = drivers.importance_by_group(answers, outcome, None, n_boot=n_boot,
                                                      random_state=random_state, min_base=min_base)
    effects = driver_effects(answers, outcome, overall.drivers_, segment="segment" if groups.segmented else None,
                             min_base=min_base)
    if segments is not None:
        segments = segments[["customer_id", "segment"]].dropna()
    return Drivers(groups=groups, importance=overall.importance_, by_segment=by_segment, effects=effects,
                   segments=segments, period=window.label, answers=int(overall.n_))


def bridge_part(churn: Churn | None, forecast: Forecast | None, cx: CXFolder, *,
                revenue_per_month: float | None = None, horizon_months: int = 12, n_draws: int = 1000,
                random_state: int = 0) -> Bridge | None:
    """The CX-to-value bridge of today's customers; ``None`` without a churn model.

    The value forecast where there are transactions, else ``revenue_per_month`` (or no money).
    """
    if churn is None:
        return None
    values = value_interval = None
    if forecast is not None:
        values = forecast.values[["customer_id", "clv"]]
        total = forecast.total.iloc[0]
        value_interval = (total["ci_low"], total["ci_high"]) if total["ci_low"] > 0 else None
        horizon_months = forecast.horizon_months
    return build_bridge(churn.model, churn.active, values=values, value_interval=value_interval,
                        revenue_per_month=None if values is not None else revenue_per_month, contacts=cx.contacts,
                        horizon_months=horizon_months, currency=cx.settings.currency, n_draws=n_draws,
                        random_state=random_state)


def missing_parts(cx: CXFolder, **parts: Any) -> list[str]:
    """One line per part of the board report this data cannot give, and why.

    Example
    -------
    >>> from cxkit.folder import load_folder
    >>> missing_parts(load_folder("data/sample"), satisfaction=1, churn=1, forecast=1, drivers=1)
    []
    """
    why = {
        "satisfaction": "satisfaction against the goals: no surveys table",
        "churn": "what a bad contact costs and what moves leaving: " + (
            "no customers table" if cx.customers is None else
            "the customers table has no sign-up dates" if "tenure_days" in cx.customers else
            "no contacts, answers or traits to model, or no departures"),
        "forecast": "what customers are worth (CLV): no transactions table",
        "drivers": "what drives satisfaction: no surveys with CSAT answers",
    }
    return [why[name] for name, part in parts.items() if part is None and name in why]
