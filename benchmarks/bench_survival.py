"""Benchmark: churn survival (cxkit.survival over lifelines) on the sample company at scale.

Generates the sample company (``cxkit.synth.generate``) with ``--n-customers`` customers
and times each step the churn notebook runs: the survival, episode, lifetime-count and
landmark tables, the Cox models (lifelines), 90-day churn risk of active customers and
the share of churn owed to bad contacts. The time-varying Cox fit
(``CoxTimeVaryingFitter``) takes minutes at a million customers: ``--skip-tv`` leaves
it out and scores customers with the landmark model instead.

Usage::

    .venv/bin/python benchmarks/bench_survival.py [--n-customers 1000000] [--skip-tv]

No goal is asserted here; the figures show where time goes on real-sized data.
"""
from __future__ import annotations

import argparse
import time

from lifelines import CoxPHFitter, CoxTimeVaryingFitter

from cxkit import survival
from cxkit.data import load_folder
from cxkit.synth import TRUTH, generate

COLUMNS = ["cum_unresolved", "cum_long_wait", "latest_csat", "has_csat"]


def timed(label: str, fn, *args, **kwargs):
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    print(f"{label:44s} {time.perf_counter() - start:7.2f} s", flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-tv", action="store_true", help="leave out the time-varying Cox fit")
    args = parser.parse_args()
    sample = timed(f"generate ({args.n_customers:,} customers)", generate, seed=args.seed, n_customers=args.n_customers)
    print("rows:", {k: f"{len(v):,}" for k, v in sample.tables.items()})
    cx = timed("load_folder (validate 4 tables)", load_folder, tables=sample.tables, as_of=TRUTH["as_of"])
    tables = (cx.customers, cx.contacts, cx.surveys)
    st = timed("survival_table", survival.survival_table, cx.customers, as_of=cx.as_of, covariates=["plan"])
    timed("km_table by plan", survival.km_table, st, "plan")
    timed("rmst at 90/180/365 by plan", survival.rmst, st, group="plan")
    ep = timed("episode_table", survival.episode_table, *tables, as_of=cx.as_of)
    print(f"episodes: {len(ep):,}")
    lc = timed("lifetime_counts", survival.lifetime_counts, *tables, as_of=cx.as_of)
    lm = timed("landmark_table (day 180)", survival.landmark_table, *tables, as_of=cx.as_of, landmark_days=180)
    timed("CoxPHFitter, lifetime counts (naive)", CoxPHFitter().fit, lc[["tenure", "churned", *COLUMNS]],
          "tenure", "churned")
    m_lm = timed("CoxPHFitter, landmark", CoxPHFitter().fit, lm[["duration", "churned", *COLUMNS]],
                 "duration", "churned")
    model = m_lm
    if not args.skip_tv:
        model = timed("CoxTimeVaryingFitter, episodes", CoxTimeVaryingFitter().fit,
                      ep[["customer_id", "start", "stop", "event", *COLUMNS]], id_col="customer_id",
                      event_col="event", start_col="start", stop_col="stop")
    hr = survival.hazard_ratios(model).set_index("covariate")["hazard_ratio"]
    print(f"unresolved-contact hazard ratio {hr['cum_unresolved']:.3f} (planted {TRUTH['hr_unresolved_contact']})")
    active = timed("active_customers", survival.active_customers, *tables, as_of=cx.as_of)
    if args.skip_tv:  # a landmark model counts time from the landmark
        active = active[active["tenure"] > 180].assign(tenure=lambda d: d["tenure"] - 180)
    timed("churn_risk (90 days)", survival.churn_risk, model, active, horizon=90)
    timed("attributable_churn (1,000 draws)", survival.attributable_churn, model, active, horizon=90,
          exposures=["cum_unresolved", "cum_long_wait"], random_state=0)


if __name__ == "__main__":
    main()
