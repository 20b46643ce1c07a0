"""Synthetic companies: seeded generators with planted, documented truths.

Two fictional companies, each a *profile* of one generator, so every notebook can show
that its method recovers effects whose true size is known, and that its sentences follow
the data when the truths point the other way.

*Harbour Lane* (``profile="harbour_lane"``, the default and the bundled ``data/sample``)
is a mid-size retailer with a loyalty club, observed over three years (the numbers are
listed in :data:`TRUTH` and in ``data/sample/README.md``):

* **Churn.** Each customer has a Weibull baseline hazard of leaving the club. Every
  contact *not resolved at first contact* multiplies the hazard from that day on by
  ``hr_unresolved_contact`` (a time-varying effect); each point of the customer's
  underlying satisfaction (1-5 CSAT scale) multiplies it by ``hr_per_csat_point``.
  Waiting time has no effect of its own (a planted null).
* **The K-mart pattern.** The top 10% of customers by expected spend rate rate
  availability and accountability far lower than everyone else, and their
  satisfaction depends on availability, accountability and reliability, while
  everyone else's depends on quickness, clarity and relevancy. Satisfaction overall
  looks healthy; the best customers are markedly less satisfied.
* **Purchases.** BG/NBD: purchase rates ``lambda ~ Gamma(r, alpha)`` per week and,
  after each repeat purchase, a chance ``p ~ Beta(a, b)`` of lapsing for good;
  purchases also stop when the customer leaves the club. Spend per purchase follows
  Gamma-Gamma: ``Gamma(p, nu)`` with ``nu ~ Gamma(q, gamma)``.

*Kestrel Broadband* (``profile="kestrel"``, truths in :data:`KESTREL_TRUTH`) is a
subscription broadband company observed from April 2022 to 30 June 2025, whose truths
point the other way; :func:`write_sample` writes it as a raw export would be:

* **Churn** (Weibull shape 1.1). A contact not resolved at first contact is harmless
  (hazard ratio 1.0). A *long wait* is harmful: each contact whose wait is above its
  channel's 90th percentile (``long_wait_minutes``, the default rule of
  :func:`cxkit.experience.bad_contacts`) multiplies the hazard from that day on by 1.6,
  so a count of bad contacts (unresolved or long wait) shows a milder harmful effect.
  Each point of underlying satisfaction multiplies the hazard by 0.65. The ``premium``
  plan halves it against ``basic`` (``plus``: no effect); ``monthly_fee`` has no effect
  of its own (it is higher on higher plans, so alone it looks protective through the
  plan). About 27% of members leave within the window.
* **Top spenders are happier.** The top 10% by expected spend rate rate quickness,
  clarity and relevancy higher and are more satisfied beyond that (about 89% top-2-box
  CSAT against 50%; the observed top decile of annualised spend about 71% against 52%);
  their satisfaction depends on quickness, clarity and relevancy (weights 0.40, 0.30,
  0.20), everyone else's on availability, accountability and reliability (0.35, 0.30,
  0.20). Overall CSAT (about 54%) and NPS (about -7) look poor.
* **Surveys stop early.** The yearly survey ended on ``surveys_end`` (31 December 2024),
  six months before ``as_of``: a report on this data must say how old its answers are.
* **Purchases.** One-off payments (installation, equipment, add-ons) in the same
  BG/NBD and Gamma-Gamma family with other parameters (mean payment about 128); the
  amounts carry no currency.

What the kit recovers from Kestrel's tables (seeds 1-8, 5,000 members; time-varying
Cox on :func:`cxkit.survival.episode_table`; plan by a Cox model on plan alone), mean
(sd), and the default draw (seed 20251231): per long-wait contact 1.53 (0.11), 1.50;
per unresolved contact 1.01 (0.02), 1.04; per bad contact 1.14 (0.02), 1.16; per point
of the latest CSAT answer 0.81 (0.04), 0.75 (diluted by survey noise, non-response and
the early stop); premium against basic 0.51 (0.04), 0.49.

Example
-------
>>> from cxkit.synth import generate
>>> sample = generate(seed=7, n_customers=500)
>>> sorted(sample.tables)
['contacts', 'customers', 'surveys', 'transactions']
"""
from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from statistics import NormalDist

import numpy as np
import pandas as pd

from cxkit.data import DEFAULT_DRIVERS
from cxkit.data.settings import SETTINGS_FILE, fingerprint

__all__ = ["TRUTH", "KESTREL_TRUTH", "PROFILES", "KESTREL_COLUMNS", "KESTREL_FILES", "SampleData", "generate",
           "write_sample"]

#: Planted parameters of the default sample (the truths notebooks recover).
TRUTH: dict[str, object] = {
    "start": "2023-01-01",
    "as_of": "2025-12-31",
    # churn: Weibull proportional hazards, time in days
    "weibull_shape": 0.9,
    "weibull_scale_days": 2600.0,
    "hr_unresolved_contact": 1.35,
    "hr_per_csat_point": 0.60,
    "hr_wait_minutes": 1.0,
    # purchases: BG/NBD (weeks) and Gamma-Gamma spend
    "bgnbd": {"r": 0.9, "alpha": 8.0, "a": 0.6, "b": 4.0},
    "gamma_gamma": {"p": 5.0, "q": 4.0, "gamma": 30.0},
    # K-mart pattern
    "top_share": 0.10,
    "drivers_top": ("availability", "accountability", "reliability"),
    "drivers_rest": ("quickness", "clarity", "relevancy"),
    # service
    "contacts_per_year": 1.6,
    "fcr_rate": {"phone": 0.74, "chat": 0.80, "email": 0.62},
    "survey_response_rate": 0.45,
}

_WAIT_SIGMA = 0.8  # log-normal spread of waits around each channel's median
_KESTREL_WAIT_MEDIAN = {"phone": 9.0, "webchat": 3.0, "social": 50.0}

#: Planted parameters of *Kestrel Broadband* (``profile="kestrel"``): truths pointing the
#: other way from :data:`TRUTH`. A wait is long above ``long_wait_minutes`` (the channel's
#: 90th percentile of the wait distribution; the written ``wait_minutes`` are compared).
#: ``hr_monthly_fee`` is per unit of fee; no survey is answered after ``surveys_end``.
KESTREL_TRUTH: dict[str, object] = {
    "start": "2022-04-01",
    "as_of": "2025-06-30",
    "surveys_end": "2024-12-31",
    # churn: Weibull proportional hazards, time in days
    "weibull_shape": 1.1,
    "weibull_scale_days": 2000.0,
    "hr_unresolved_contact": 1.0,
    "hr_long_wait_contact": 1.6,
    "long_wait_quantile": 0.9,
    "long_wait_minutes": {ch: round(m * float(np.exp(_WAIT_SIGMA * NormalDist().inv_cdf(0.9))), 1)
                          for ch, m in _KESTREL_WAIT_MEDIAN.items()},
    "hr_per_csat_point": 0.65,
    "hr_plan": {"basic": 1.0, "plus": 1.0, "premium": 0.5},
    "plan_share": {"basic": 0.5, "plus": 0.3, "premium": 0.2},
    "hr_monthly_fee": 1.0,
    # purchases: BG/NBD (weeks) and Gamma-Gamma spend, no currency
    "bgnbd": {"r": 0.6, "alpha": 4.0, "a": 0.5, "b": 5.0},
    "gamma_gamma": {"p": 4.0, "q": 3.5, "gamma": 80.0},
    "refund_share": 0.015,
    # top spenders happier, drivers swapped
    "top_share": 0.10,
    "drivers_top": ("quickness", "clarity", "relevancy"),
    "drivers_rest": ("availability", "accountability", "reliability"),
    # service
    "contacts_per_year": 2.4,
    "fcr_rate": {"phone": 0.70, "webchat": 0.76, "social": 0.58},
    "wait_median_minutes": dict(_KESTREL_WAIT_MEDIAN),
    "survey_response_rate": 0.40,
}

#: The planted truths of each profile, by profile name.
PROFILES: dict[str, dict[str, object]] = {"harbour_lane": TRUTH, "kestrel": KESTREL_TRUTH}

#: Kestrel's file names by contract table: ``load_folder(path, files=KESTREL_FILES, ...)``.
KESTREL_FILES: dict[str, str] = {
    "customers": "members.csv",
    "transactions": "payments.csv",
    "surveys": "feedback.csv",
    "contacts": "service_calls.csv",
}
#: Kestrel's column names, per table ``{their_name: contract_name}``:
#: ``load_folder(path, columns=KESTREL_COLUMNS, ...)``.
KESTREL_COLUMNS: dict[str, dict[str, str]] = {
    "customers": {"member_ref": "customer_id", "joined": "signup_date", "cancelled_on": "churn_date"},
    "transactions": {"member_ref": "customer_id", "paid_on": "date", "value": "amount"},
    "surveys": {"member_ref": "customer_id", "answered_on": "date", "recommend": "nps", "satisfaction": "csat",
                "effort": "ces", **{f"rate_{d}": d for d in DEFAULT_DRIVERS}},
    "contacts": {"member_ref": "customer_id", "contacted_on": "date", "via": "channel",
                 "queue_minutes": "wait_minutes", "fixed_first_time": "resolved_first_contact"},
}

# Satisfaction weights on each driver's experience, for the top-value group and the rest.
_WEIGHTS = {
    "top": {"availability": 0.40, "accountability": 0.30, "reliability": 0.20,
            "quickness": 0.04, "clarity": 0.03, "relevancy": 0.03},
    "rest": {"quickness": 0.35, "clarity": 0.30, "relevancy": 0.20,
             "reliability": 0.09, "availability": 0.03, "accountability": 0.03},
}
# Mean experience per driver (points above the scale midpoint 3).
_MEANS = {
    "top": {"availability": -0.3, "accountability": -0.2, "reliability": 0.6,
            "quickness": 0.9, "clarity": 0.9, "relevancy": 0.8},
    "rest": {"availability": 0.8, "accountability": 0.7, "reliability": 0.8,
             "quickness": 0.9, "clarity": 0.9, "relevancy": 0.8},
}
_CHANNELS = np.array(["phone", "chat", "email"])
_CHANNEL_P = np.array([0.45, 0.35, 0.20])
_WAIT_MEDIAN = {"phone": 6.0, "chat": 2.0, "email": 240.0}

# Kestrel: top spenders weigh quickness, clarity, relevancy and experience them better.
_KESTREL_WEIGHTS = {
    "top": {"quickness": 0.40, "clarity": 0.30, "relevancy": 0.20,
            "availability": 0.04, "accountability": 0.03, "reliability": 0.03},
    "rest": {"availability": 0.35, "accountability": 0.30, "reliability": 0.20,
             "relevancy": 0.09, "quickness": 0.03, "clarity": 0.03},
}
_KESTREL_MEANS = {
    "top": {"quickness": 1.0, "clarity": 0.9, "relevancy": 0.8,
            "availability": 0.6, "accountability": 0.5, "reliability": 0.6},
    "rest": {"quickness": 0.4, "clarity": 0.4, "relevancy": 0.4,
             "availability": 0.3, "accountability": 0.2, "reliability": 0.3},
}
_KESTREL_LIST_PRICE = {"basic": 27.5, "plus": 36.0, "premium": 49.0}


def _harbour_lane_customers(rng: np.random.Generator, n: int, top: np.ndarray) -> tuple[dict, np.ndarray]:
    """Club plan (more Club Plus among top spenders), region and shopping channel; no hazard effect."""
    plan = np.where(rng.random(n) < 0.2 + 0.5 * top, "Club Plus", "Club")
    region = rng.choice(["North", "South", "East", "West"], n, p=[0.3, 0.25, 0.25, 0.2])
    shop = rng.choice(["Store", "Online", "Omnichannel"], n, p=[0.45, 0.3, 0.25])
    return {"plan": plan, "region": region, "channel": shop}, np.zeros(n)


def _kestrel_customers(rng: np.random.Generator, n: int, top: np.ndarray) -> tuple[dict, np.ndarray]:
    """Broadband plan (its planted hazard ratio), monthly fee (no effect of its own) and area."""
    shares = KESTREL_TRUTH["plan_share"]
    plan = rng.choice(list(shares), n, p=list(shares.values()))
    add_ons = rng.choice([0.0, 4.5, 9.0, 12.5], n, p=[0.45, 0.25, 0.2, 0.1])
    discount = np.where(rng.random(n) < 0.25, 5.0, 0.0)
    fee = pd.Series(plan).map(_KESTREL_LIST_PRICE).to_numpy() + add_ons - discount
    area = rng.choice(["Coast", "Valley", "City", "Uplands"], n, p=[0.2, 0.25, 0.4, 0.15])
    log_hr = np.log(pd.Series(plan).map(KESTREL_TRUTH["hr_plan"]).to_numpy(float))
    return {"plan": plan, "monthly_fee": fee, "area": area}, log_hr


@dataclass(frozen=True)
class _Company:
    """How one profile is generated and written (its public numbers are in ``truth``)."""

    truth: dict[str, object]
    weights: dict[str, dict[str, float]]  # satisfaction weight of each driver, top spenders and the rest
    means: dict[str, dict[str, float]]  # mean experience of each driver (points above 3)
    satisfaction_base: float
    top_satisfaction_lift: float  # satisfaction of top spenders beyond what their ratings explain
    channels: np.ndarray
    channel_p: np.ndarray
    wait_median: dict[str, float]
    signup_beta: tuple[float, float]  # sign-up day ~ Beta over the window
    survey_days: tuple[int, int]  # first survey this many days after sign-up, spread over the next
    refund_share: float
    id_format: str
    customer_columns: Callable[[np.random.Generator, int, np.ndarray], tuple[dict, np.ndarray]]
    hazard_step: str  # contacts that raise the hazard from their day on: "unresolved" or "long_wait"
    csv: Mapping[str, str]  # how the files are written (to_csv options)
    files: Mapping[str, str] | None = None  # file name by table (default: NAME.csv)
    columns: Mapping[str, Mapping[str, str]] | None = None  # {table: {their_name: contract_name}}
    flags: tuple[str, str] | None = None  # how true and false are written


_COMPANIES = {
    "harbour_lane": _Company(
        truth=TRUTH, weights=_WEIGHTS, means=_MEANS, satisfaction_base=3.25, top_satisfaction_lift=0.0,
        channels=_CHANNELS, channel_p=_CHANNEL_P, wait_median=_WAIT_MEDIAN, signup_beta=(0.9, 1.2),
        survey_days=(60, 120), refund_share=0.02, id_format="C{:06d}", customer_columns=_harbour_lane_customers,
        hazard_step="unresolved", csv={"sep": ",", "date_format": "%Y-%m-%d", "lineterminator": "\n"},
    ),
    "kestrel": _Company(
        truth=KESTREL_TRUTH, weights=_KESTREL_WEIGHTS, means=_KESTREL_MEANS, satisfaction_base=3.2,
        top_satisfaction_lift=0.35, channels=np.array(list(_KESTREL_WAIT_MEDIAN)),
        channel_p=np.array([0.5, 0.35, 0.15]), wait_median=_KESTREL_WAIT_MEDIAN, signup_beta=(1.1, 1.0),
        survey_days=(45, 150), refund_share=KESTREL_TRUTH["refund_share"], id_format="{:07d}",
        customer_columns=_kestrel_customers, hazard_step="long_wait",
        csv={"sep": ";", "decimal": ",", "date_format": "%d/%m/%Y", "lineterminator": "\r\n"},
        files=KESTREL_FILES, columns=KESTREL_COLUMNS, flags=("Y", "N"),
    ),
}


def _company(profile: str) -> _Company:
    if profile not in _COMPANIES:
        raise ValueError(f"profile must be one of {sorted(_COMPANIES)}, got {profile!r}")
    return _COMPANIES[profile]


@dataclass
class SampleData:
    """Generated tables plus the hidden per-customer truth behind them."""

    tables: dict[str, pd.DataFrame]
    truth: pd.DataFrame
    params: dict[str, object]

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]


def _days(ts: pd.Series | pd.DatetimeIndex, start: pd.Timestamp) -> np.ndarray:
    return (ts - start) / pd.Timedelta(days=1)


def _expand(counts: np.ndarray) -> np.ndarray:
    """Row positions repeated ``counts`` times (owner of each generated event)."""
    return np.repeat(np.arange(len(counts)), counts)


def _rank_within(owner: np.ndarray) -> np.ndarray:
    """0-based rank of each event within its owner (events are grouped by owner)."""
    starts = np.r_[0, np.flatnonzero(np.diff(owner)) + 1]
    first = np.repeat(starts, np.diff(np.r_[starts, len(owner)]))
    return np.arange(len(owner)) - first


def generate(seed: int = 20251231, n_customers: int = 5000, profile: str = "harbour_lane") -> SampleData:
    """Generate a synthetic company's four tables with known truths.

    The planted effects let tests and notebooks check that each method finds what is
    really there; the same code scales to a million customers for benchmarks.

    Parameters
    ----------
    seed : random seed; the same seed gives the same tables.
    n_customers : number of customers.
    profile : ``"harbour_lane"`` (default, the bundled sample) or ``"kestrel"`` (truths
        pointing the other way); see :data:`PROFILES`.

    Returns
    -------
    SampleData with ``tables`` (customers, transactions, surveys, contacts, in the data
    contract's names), ``truth`` (one row per customer: latent purchase rate, lapse
    probability, spend scale, top-value flag, underlying satisfaction, whether purchasing
    had lapsed for good by the end of the membership or window, and the log-hazard of
    leaving before contacts: satisfaction and traits) and ``params``
    (the profile's truths, :data:`TRUTH` or :data:`KESTREL_TRUTH`).

    Example
    -------
    >>> s = generate(seed=1, n_customers=200)
    >>> float(s.truth["top_value"].mean())
    0.1
    >>> generate(seed=1, n_customers=200, profile="kestrel")["customers"].columns.tolist()
    ['customer_id', 'signup_date', 'churn_date', 'plan', 'monthly_fee', 'area']
    """
    company = _company(profile)
    truth_params = company.truth
    rng = np.random.default_rng(seed)
    start = pd.Timestamp(truth_params["start"])
    as_of = pd.Timestamp(truth_params["as_of"])
    horizon = float((as_of - start).days)
    n = int(n_customers)
    ids = np.array([company.id_format.format(i) for i in range(1, n + 1)])

    # --- who they are ---------------------------------------------------------------
    # Sign-ups spread over the window, none in the last 30 days.
    signup_day = np.floor((horizon - 30) * rng.beta(*company.signup_beta, n))
    bg = truth_params["bgnbd"]
    gg = truth_params["gamma_gamma"]
    lam = rng.gamma(bg["r"], 1.0 / bg["alpha"], n)  # purchases per week
    p_lapse = rng.beta(bg["a"], bg["b"], n)
    nu = rng.gamma(gg["q"], 1.0 / gg["gamma"], n)  # spend rate parameter
    spend_rate = lam * gg["p"] / nu  # expected spend per week
    top = spend_rate >= np.quantile(spend_rate, 1 - truth_params["top_share"])

    # Underlying experience per driver (points above 3) and satisfaction (1-5 scale).
    mood = rng.normal(0, 0.5, n)
    experience = {}
    for d in DEFAULT_DRIVERS:
        mean = np.where(top, company.means["top"][d], company.means["rest"][d])
        experience[d] = mean + mood + rng.normal(0, 0.45, n)
    weights = {d: np.where(top, company.weights["top"][d], company.weights["rest"][d]) for d in DEFAULT_DRIVERS}
    base = company.satisfaction_base + company.top_satisfaction_lift * top
    satisfaction = np.clip(base + sum(weights[d] * experience[d] for d in DEFAULT_DRIVERS), 1, 5)

    described, static_eta = company.customer_columns(rng, n, top)

    # --- service contacts over the whole window (kept only while a member) ----------
    contact_rate = rng.gamma(2.0, truth_params["contacts_per_year"] / 2.0, n) / 365.25
    exposure = horizon - signup_day
    n_contacts = rng.poisson(contact_rate * exposure)
    c_owner = _expand(n_contacts)
    c_day = signup_day[c_owner] + rng.random(len(c_owner)) * exposure[c_owner]
    order = np.lexsort((c_day, c_owner))
    c_owner, c_day = c_owner[order], c_day[order]
    c_channel = rng.choice(company.channels, len(c_owner), p=company.channel_p)
    fcr_p = pd.Series(c_channel).map(truth_params["fcr_rate"]).to_numpy()
    c_resolved = rng.random(len(c_owner)) < fcr_p
    c_wait = pd.Series(c_channel).map(company.wait_median).to_numpy() * rng.lognormal(0, _WAIT_SIGMA, len(c_owner))

    # --- churn: Weibull PH with a time-varying count of harmful contacts -------------
    k, scale = truth_params["weibull_shape"], truth_params["weibull_scale_days"]
    if company.hazard_step == "unresolved":
        harmful, hr_step = ~c_resolved, truth_params["hr_unresolved_contact"]
    else:
        threshold = pd.Series(c_channel).map(truth_params["long_wait_minutes"]).to_numpy()
        harmful, hr_step = np.round(c_wait, 1) > threshold, truth_params["hr_long_wait_contact"]
    beta_bad = np.log(hr_step)
    beta_sat = np.log(truth_params["hr_per_csat_point"])
    base_eta = beta_sat * (satisfaction - 4.0) + static_eta
    target = rng.exponential(1.0, n)  # cumulative hazard at which each customer leaves
    churn_t = _weibull_ph_times(
        n, c_owner, c_day - signup_day[c_owner], harmful, base_eta, beta_bad, k, scale, target
    )
    churn_day = signup_day + churn_t
    churned = churn_day <= horizon
    end_day = np.where(churned, np.floor(churn_day), horizon)
    # Same-day sign-up and leave is allowed; contacts stop when a member leaves.
    keep = c_day <= end_day[c_owner]
    c_owner, c_day = c_owner[keep], c_day[keep]
    c_channel, c_resolved, c_wait = c_channel[keep], c_resolved[keep], c_wait[keep]

    # --- purchases: first on sign-up day, then BG/NBD until lapse or churn -----------
    active_weeks = (end_day - signup_day) / 7.0
    n_poisson = rng.poisson(lam * active_weeks)
    n_before_lapse = rng.geometric(p_lapse)  # lapses right after this many repeat buys
    n_repeat = np.minimum(n_poisson, n_before_lapse)
    r_owner = _expand(n_repeat)
    # Poisson times given the count are uniform; the first n_repeat of n_poisson sorted
    # uniforms are the purchases made before lapsing.
    u = rng.random(int(n_poisson.sum()))
    p_owner = _expand(n_poisson)
    order = np.lexsort((u, p_owner))
    u, p_owner = u[order], p_owner[order]
    take = _rank_within(p_owner) < n_repeat[p_owner]
    r_day = signup_day[r_owner] + u[take] * (end_day - signup_day)[r_owner]
    t_owner = np.r_[np.arange(n), r_owner]
    t_day = np.floor(np.r_[signup_day, r_day])
    amount = rng.gamma(gg["p"], 1.0 / nu[t_owner])
    amount = np.maximum(np.round(amount, 2), 0.5)
    # A small share of purchases is partly or fully refunded 3-30 days later (negative rows).
    refunded = rng.random(len(t_owner)) < company.refund_share
    f_owner = t_owner[refunded]
    f_day = np.minimum(t_day[refunded] + rng.integers(3, 31, refunded.sum()), horizon)
    f_amount = -np.round(amount[refunded] * rng.choice([1.0, 0.5], refunded.sum(), p=[0.7, 0.3]), 2)

    # --- surveys: yearly relationship survey while a member (and the programme runs) --
    years = np.floor((end_day - signup_day) / 365.25).astype(int) + 1
    s_owner = _expand(years)
    s_year = _rank_within(s_owner)
    first_survey, spread = company.survey_days
    s_day = signup_day[s_owner] + first_survey + 365.25 * s_year + rng.integers(0, spread, len(s_owner))
    answered = (s_day <= end_day[s_owner]) & (rng.random(len(s_owner)) < truth_params["survey_response_rate"])
    if "surveys_end" in truth_params:
        answered &= np.floor(s_day) <= (pd.Timestamp(truth_params["surveys_end"]) - start).days
    s_owner, s_day = s_owner[answered], np.floor(s_day[answered])
    m = len(s_owner)
    ratings = {d: _to_scale(3 + experience[d][s_owner] + rng.normal(0, 0.55, m), 1, 5) for d in DEFAULT_DRIVERS}
    csat_latent = satisfaction[s_owner] + rng.normal(0, 0.5, m)
    csat = _to_scale(csat_latent, 1, 5)
    nps = _to_scale(2.2 * csat_latent - 0.6 + rng.normal(0, 1.0, m), 0, 10)
    ces_latent = 1.2 + 0.6 * (experience["quickness"][s_owner] + experience["clarity"][s_owner]) + 3.0
    ces = _to_scale(ces_latent + rng.normal(0, 0.8, m), 1, 7)
    # Not everyone answers every question.
    nps = np.where(rng.random(m) < 0.04, np.nan, nps)
    ces = np.where(rng.random(m) < 0.25, np.nan, ces)

    def date(day: np.ndarray) -> pd.DatetimeIndex:
        days = np.asarray(day, dtype=float).round().astype("int64").astype("timedelta64[D]")
        return pd.DatetimeIndex(np.datetime64(start.date(), "D") + days).as_unit("ns")

    customers = pd.DataFrame({
        "customer_id": ids,
        "signup_date": date(signup_day),
        "churn_date": pd.Series(date(end_day)).where(churned),
        **described,
    })
    tx = pd.DataFrame({
        "customer_id": ids[np.r_[t_owner, f_owner]],
        "date": date(np.r_[t_day, f_day]),
        "amount": np.r_[amount, f_amount],
    })
    tx = tx.sort_values(["customer_id", "date", "amount"], ascending=[True, True, False], kind="mergesort")
    surveys = pd.DataFrame({"customer_id": ids[s_owner], "date": date(s_day), "nps": nps, "csat": csat, "ces": ces})
    for d in DEFAULT_DRIVERS:
        surveys[d] = ratings[d]
    for col in ["nps", "csat", "ces", *DEFAULT_DRIVERS]:
        surveys[col] = surveys[col].astype("Int64")
    surveys = surveys.sort_values(["customer_id", "date"], kind="mergesort")
    contacts = pd.DataFrame({
        "customer_id": ids[c_owner],
        "date": date(np.floor(c_day)),
        "channel": c_channel,
        "wait_minutes": np.round(c_wait, 1),
        "resolved_first_contact": c_resolved,
    }).sort_values(["customer_id", "date"], kind="mergesort")

    truth = pd.DataFrame({
        "customer_id": ids,
        "lambda_per_week": lam,
        "p_lapse": p_lapse,
        "nu": nu,
        "expected_spend_per_week": spend_rate,
        "top_value": top,
        "satisfaction": satisfaction,
        "contact_rate_per_year": contact_rate * 365.25,
        "churned": churned,
        "n_repeat_purchases": n_repeat,
        "purchasing_lapsed": n_before_lapse <= n_poisson,
        "base_log_hazard": base_eta,
    })
    tables = {
        "customers": customers.reset_index(drop=True),
        "transactions": tx.reset_index(drop=True),
        "surveys": surveys.reset_index(drop=True),
        "contacts": contacts.reset_index(drop=True),
    }
    return SampleData(tables=tables, truth=truth, params=dict(truth_params))


def _to_scale(x: np.ndarray, lo: int, hi: int) -> np.ndarray:
    return np.clip(np.round(x), lo, hi)


def _weibull_ph_times(
    n: int,
    owner: np.ndarray,
    t_event: np.ndarray,
    bad: np.ndarray,
    base_eta: np.ndarray,
    beta_bad: float,
    shape: float,
    scale: float,
    target: np.ndarray,
) -> np.ndarray:
    """Invert a Weibull PH cumulative hazard whose log-hazard steps up at bad events.

    Between events the hazard is ``h0(t) * exp(base_eta + beta_bad * k)`` with ``k`` the
    number of bad events so far; each customer leaves when the cumulative hazard
    reaches ``target``. Fully vectorised over customers and events.
    """
    # Only bad events change the hazard; build pieces [start_j, end_j) per customer.
    owner, t_event = owner[bad], t_event[bad]
    counts = np.bincount(owner, minlength=n)
    piece_owner = np.r_[np.arange(n), owner]
    piece_start = np.r_[np.zeros(n), t_event]
    order = np.lexsort((piece_start, piece_owner))
    piece_owner, piece_start = piece_owner[order], piece_start[order]
    k_bad = _rank_within(piece_owner)  # 0 in the first piece, then 1, 2, ...
    last = np.r_[piece_owner[1:] != piece_owner[:-1], True]
    piece_end = np.r_[piece_start[1:], np.inf]
    piece_end[last] = np.inf
    eta = base_eta[piece_owner] + beta_bad * k_bad

    def h0_cum(t: np.ndarray) -> np.ndarray:
        return (t / scale) ** shape

    piece_h = np.exp(eta) * (h0_cum(piece_end) - h0_cum(piece_start))
    cum_end = np.zeros_like(piece_h)
    # cumulative hazard at the end of each piece, within its owner
    csum = np.cumsum(np.where(np.isfinite(piece_h), piece_h, 0.0))
    owner_start = np.r_[0, np.flatnonzero(last[:-1]) + 1]
    offset = np.repeat(np.r_[0.0, csum[owner_start[1:] - 1]], np.diff(np.r_[owner_start, len(piece_h)]))
    cum_end = np.where(np.isfinite(piece_h), csum - offset, np.inf)
    cum_start = np.r_[0.0, cum_end[:-1]]
    cum_start[owner_start] = 0.0
    tgt = target[piece_owner]
    hit = (cum_start <= tgt) & (tgt < cum_end)
    # exactly one piece per customer is hit (the last piece ends at infinity)
    h_at = h0_cum(piece_start[hit]) + (tgt[hit] - cum_start[hit]) / np.exp(eta[hit])
    times = np.empty(n)
    times[piece_owner[hit]] = scale * h_at ** (1.0 / shape)
    assert counts.sum() == len(owner)
    return times


#: The bundled sample's seed and size: only these files carry the sample's fingerprint.
_SAMPLE_SEED, _SAMPLE_SIZE = 20251231, 5000


def write_sample(out: str | Path, seed: int = _SAMPLE_SEED, n_customers: int = _SAMPLE_SIZE,
                 profile: str = "harbour_lane") -> dict[str, Path]:
    """Write a synthetic company's tables as CSV files to ``out`` (byte-identical for a given seed).

    The default profile writes the bundled sample (``customers.csv`` ... in the data
    contract's names) and its settings file ``cxkit.toml`` (company, currency, goals and,
    for the bundled sample's own seed and size only, the fingerprint of the four files:
    the notebooks' checks of the planted truths are tuned to that sample, so a company of
    another size or seed is treated as any other company's data). ``profile="kestrel"``
    writes what a user's raw export looks like: other file and column names
    (:data:`KESTREL_FILES`, :data:`KESTREL_COLUMNS`), semicolons, decimal commas, day-first
    dates, ``Y``/``N`` flags and Windows line endings, and no settings file (no company name,
    currency or goals).

    Parameters
    ----------
    out : folder to write to (created if missing).
    seed, n_customers, profile : as in :func:`generate`.

    Returns
    -------
    The written path of each table, by contract table name.

    Example
    -------
    >>> write_sample("data/sample")                                   # doctest: +SKIP
    >>> write_sample("/tmp/kestrel", profile="kestrel")["customers"].name  # doctest: +SKIP
    'members.csv'
    """
    company = _company(profile)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    sample = generate(seed=seed, n_customers=n_customers, profile=profile)
    written = {}
    for name, df in sample.tables.items():
        path = out / (company.files[name] if company.files else f"{name}.csv")
        _as_written(df, name, company).to_csv(path, index=False, float_format="%.2f", **company.csv)
        written[name] = path
    if profile == "harbour_lane":  # the bundled sample says what it is; a raw export does not
        settings = _SAMPLE_SETTINGS.split("\n# Only in the bundled sample")[0]
        if (seed, n_customers) == (_SAMPLE_SEED, _SAMPLE_SIZE):   # its planted-truth checks are tuned to its size
            paths = [written[t] for t in ("customers", "transactions", "surveys", "contacts")]
            settings = _SAMPLE_SETTINGS.format(sha256=fingerprint(paths))
        (out / SETTINGS_FILE).write_text(settings, encoding="utf-8")
    return written


#: The bundled sample's settings file (see :mod:`cxkit.data.settings`).
_SAMPLE_SETTINGS = """\
# What this data folder is. Reports read it; a notebook parameter or a command-line
# option overrides it. Copy it beside your own tables and change what differs.

company = "Harbour Lane"
currency = "£"

# The board's goals, judged against each metric's 95% interval over the reporting period.
[goals]
NPS = 35      # from -100 to +100
CSAT = 80     # % answering 4 or 5 on 1-5
CES = 5.5     # mean on 1-7

# Only in the bundled sample: the fingerprint of its four tables, so that text and checks
# about the sample's planted truths appear only when the notebooks run on these very files.
[sample]
sha256 = "{sha256}"
"""


def _as_written(df: pd.DataFrame, table: str, company: _Company) -> pd.DataFrame:
    """A table with the company's own column names and true/false markers."""
    if company.flags:
        yes, no = company.flags
        df = df.assign(**{c: df[c].map({True: yes, False: no}) for c in df.columns if df[c].dtype == bool})
    if company.columns:
        df = df.rename(columns={contract: theirs for theirs, contract in company.columns[table].items()})
    return df


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write a cxkit synthetic data set (the sample by default).")
    parser.add_argument("--out", help="folder to write to (default for the sample: data/sample)")
    parser.add_argument("--seed", type=int, default=20251231)
    parser.add_argument("--n-customers", type=int, default=5000)
    parser.add_argument("--profile", choices=sorted(_COMPANIES), default="harbour_lane")
    args = parser.parse_args(argv)
    if args.out is None:
        if args.profile != "harbour_lane":
            parser.error(f"--out is required with --profile {args.profile}")
        args.out = "data/sample"
    for name, path in write_sample(args.out, args.seed, args.n_customers, profile=args.profile).items():
        print(f"{name:13s} {path}")


if __name__ == "__main__":
    main()
