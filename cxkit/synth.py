"""The sample company: a seeded generator with planted, documented truths.

*Harbour Lane* is a fictional mid-size retailer with a loyalty club. ``generate``
creates its customers, transactions, surveys and service contacts over three years,
with effects whose true size is known, so every notebook can show that its method
recovers them (the numbers are listed in :data:`TRUTH` and in ``data/sample/README.md``):

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

Example
-------
>>> from cxkit.synth import generate
>>> sample = generate(seed=7, n_customers=500)
>>> sorted(sample.tables)
['contacts', 'customers', 'surveys', 'transactions']
"""
from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from cxkit.data import DEFAULT_DRIVERS

__all__ = ["TRUTH", "SampleData", "generate", "write_sample"]

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


def generate(seed: int = 20251231, n_customers: int = 5000) -> SampleData:
    """Generate the sample company's four tables with known truths.

    The planted effects let tests and notebooks check that each method finds what is
    really there; the same code scales to a million customers for benchmarks.

    Parameters
    ----------
    seed : random seed; the same seed gives the same tables.
    n_customers : number of customers.

    Returns
    -------
    SampleData with ``tables`` (customers, transactions, surveys, contacts), ``truth``
    (one row per customer: latent purchase rate, lapse probability, spend scale,
    top-value flag, underlying satisfaction) and ``params`` (:data:`TRUTH`).

    Example
    -------
    >>> s = generate(seed=1, n_customers=200)
    >>> float(s.truth["top_value"].mean())
    0.1
    """
    rng = np.random.default_rng(seed)
    start = pd.Timestamp(TRUTH["start"])
    as_of = pd.Timestamp(TRUTH["as_of"])
    horizon = float((as_of - start).days)
    n = int(n_customers)
    ids = np.array([f"C{i:06d}" for i in range(1, n + 1)])

    # --- who they are ---------------------------------------------------------------
    # More sign-ups early on (an established club), none in the last 30 days.
    signup_day = np.floor((horizon - 30) * rng.beta(0.9, 1.2, n))
    bg = TRUTH["bgnbd"]
    gg = TRUTH["gamma_gamma"]
    lam = rng.gamma(bg["r"], 1.0 / bg["alpha"], n)  # purchases per week
    p_lapse = rng.beta(bg["a"], bg["b"], n)
    nu = rng.gamma(gg["q"], 1.0 / gg["gamma"], n)  # spend rate parameter
    spend_rate = lam * gg["p"] / nu  # expected spend per week
    top = spend_rate >= np.quantile(spend_rate, 1 - TRUTH["top_share"])

    # Underlying experience per driver (points above 3) and satisfaction (1-5 scale).
    mood = rng.normal(0, 0.5, n)
    experience = {}
    for d in DEFAULT_DRIVERS:
        mean = np.where(top, _MEANS["top"][d], _MEANS["rest"][d])
        experience[d] = mean + mood + rng.normal(0, 0.45, n)
    weights = {d: np.where(top, _WEIGHTS["top"][d], _WEIGHTS["rest"][d]) for d in DEFAULT_DRIVERS}
    satisfaction = np.clip(3.25 + sum(weights[d] * experience[d] for d in DEFAULT_DRIVERS), 1, 5)

    plan = np.where(rng.random(n) < 0.2 + 0.5 * top, "Club Plus", "Club")
    region = rng.choice(["North", "South", "East", "West"], n, p=[0.3, 0.25, 0.25, 0.2])
    shop = rng.choice(["Store", "Online", "Omnichannel"], n, p=[0.45, 0.3, 0.25])

    # --- service contacts over the whole window (kept only while a member) ----------
    contact_rate = rng.gamma(2.0, TRUTH["contacts_per_year"] / 2.0, n) / 365.25
    exposure = horizon - signup_day
    n_contacts = rng.poisson(contact_rate * exposure)
    c_owner = _expand(n_contacts)
    c_day = signup_day[c_owner] + rng.random(len(c_owner)) * exposure[c_owner]
    order = np.lexsort((c_day, c_owner))
    c_owner, c_day = c_owner[order], c_day[order]
    c_channel = rng.choice(_CHANNELS, len(c_owner), p=_CHANNEL_P)
    fcr_p = pd.Series(c_channel).map(TRUTH["fcr_rate"]).to_numpy()
    c_resolved = rng.random(len(c_owner)) < fcr_p
    c_wait = pd.Series(c_channel).map(_WAIT_MEDIAN).to_numpy() * rng.lognormal(0, 0.8, len(c_owner))

    # --- churn: Weibull PH with a time-varying count of unresolved contacts ----------
    k, scale = TRUTH["weibull_shape"], TRUTH["weibull_scale_days"]
    beta_bad = np.log(TRUTH["hr_unresolved_contact"])
    beta_sat = np.log(TRUTH["hr_per_csat_point"])
    base_eta = beta_sat * (satisfaction - 4.0)
    target = rng.exponential(1.0, n)  # cumulative hazard at which each customer leaves
    churn_t = _weibull_ph_times(
        n, c_owner, c_day - signup_day[c_owner], ~c_resolved, base_eta, beta_bad, k, scale, target
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
    # About 2% of purchases are partly or fully refunded 3-30 days later (negative rows).
    refunded = rng.random(len(t_owner)) < 0.02
    f_owner = t_owner[refunded]
    f_day = np.minimum(t_day[refunded] + rng.integers(3, 31, refunded.sum()), horizon)
    f_amount = -np.round(amount[refunded] * rng.choice([1.0, 0.5], refunded.sum(), p=[0.7, 0.3]), 2)

    # --- surveys: yearly relationship survey while a member --------------------------
    years = np.floor((end_day - signup_day) / 365.25).astype(int) + 1
    s_owner = _expand(years)
    s_year = _rank_within(s_owner)
    s_day = signup_day[s_owner] + 60 + 365.25 * s_year + rng.integers(0, 120, len(s_owner))
    answered = (s_day <= end_day[s_owner]) & (rng.random(len(s_owner)) < TRUTH["survey_response_rate"])
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
        "plan": plan,
        "region": region,
        "channel": shop,
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
    })
    tables = {
        "customers": customers.reset_index(drop=True),
        "transactions": tx.reset_index(drop=True),
        "surveys": surveys.reset_index(drop=True),
        "contacts": contacts.reset_index(drop=True),
    }
    return SampleData(tables=tables, truth=truth, params=dict(TRUTH))


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


def write_sample(out: str | Path, seed: int = 20251231, n_customers: int = 5000) -> dict[str, Path]:
    """Write the sample tables as CSV files to ``out`` (byte-identical for a given seed).

    Example
    -------
    >>> write_sample("data/sample")                           # doctest: +SKIP
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    sample = generate(seed=seed, n_customers=n_customers)
    written = {}
    for name, df in sample.tables.items():
        path = out / f"{name}.csv"
        df.to_csv(path, index=False, date_format="%Y-%m-%d", float_format="%.2f", lineterminator="\n")
        written[name] = path
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write the cxkit sample data set.")
    parser.add_argument("--out", default="data/sample")
    parser.add_argument("--seed", type=int, default=20251231)
    parser.add_argument("--n-customers", type=int, default=5000)
    args = parser.parse_args(argv)
    for name, path in write_sample(args.out, args.seed, args.n_customers).items():
        print(f"{name:13s} {path}")


if __name__ == "__main__":
    main()
