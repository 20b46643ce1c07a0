"""Benchmark: churn survival on the sample company at a million customers, against lifelines.

Generates the sample company (``cxkit.synth.generate``) with ``--n-customers`` customers
and times the steps the churn notebook runs. The goal (1,000,000 customers, about 2M
contacts): survival and episode tables, the time-varying Cox fit and the 90-day risk
scoring of active customers in under 60 s and 4 GB on 2 cores. The fit is
:class:`cxkit.survival.TimeVaryingCox`; lifelines' ``CoxTimeVaryingFitter`` is timed on the
episodes of the first ``--lifelines-customers`` customers (the same episodes for both, so
the ratio is like for like; at 100,000 customers lifelines takes about half a minute, at a
million it would take the better part of an hour) and the estimates are compared.

Usage::

    .venv/bin/python benchmarks/bench_survival.py [--n-customers 1000000] [--lifelines-customers 100000]

Goals are printed with the figures; nothing is asserted.
"""
from __future__ import annotations

import argparse
import resource
import time

import numpy as np
from lifelines import CoxPHFitter, CoxTimeVaryingFitter

from cxkit import survival
from cxkit.data import load_folder
from cxkit.synth import TRUTH, generate

COLUMNS = ["cum_unresolved", "cum_long_wait", "latest_csat", "has_csat"]
GOAL_SECONDS, GOAL_GB = 60.0, 4.0


def peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2  # ru_maxrss is in KiB on Linux


def timed(label: str, fn, *args, **kwargs):
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    seconds = time.perf_counter() - start
    print(f"{label:48s} {seconds:7.2f} s   peak {peak_gb():5.2f} GB", flush=True)
    return out, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-customers", type=int, default=1_000_000)
    parser.add_argument("--lifelines-customers", type=int, default=100_000,
                        help="customers whose episodes lifelines fits for the ratio (0: skip)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    sample, _ = timed(f"generate ({args.n_customers:,} customers)", generate, seed=args.seed,
                      n_customers=args.n_customers)
    print("rows:", {k: f"{len(v):,}" for k, v in sample.tables.items()})
    cx, _ = timed("load_folder (validate 4 tables)", load_folder, tables=sample.tables, as_of=TRUTH["as_of"])
    del sample
    tables = (cx.customers, cx.contacts, cx.surveys)
    print("-- the goal: tables, time-varying Cox fit, 90-day risk of active customers")
    goal = 0.0
    st, s = timed("survival_table", survival.survival_table, cx.customers, as_of=cx.as_of, covariates=["plan"])
    goal += s
    ep, s = timed("episode_table", survival.episode_table, *tables, as_of=cx.as_of)
    goal += s
    model, s = timed(f"TimeVaryingCox on {len(ep):,} episodes", survival.TimeVaryingCox().fit,
                     ep[["customer_id", "start", "stop", "event", *COLUMNS]], "event", id_col="customer_id")
    goal += s
    active, s = timed("active_customers", survival.active_customers, *tables, as_of=cx.as_of)
    goal += s
    risk, s = timed(f"churn_risk (90 days, {len(active):,} active)", survival.churn_risk, model, active, horizon=90)
    goal += s
    verdict = "met" if goal < GOAL_SECONDS and peak_gb() < GOAL_GB else "NOT met"
    print(f"goal steps: {goal:.1f} s (goal < {GOAL_SECONDS:.0f} s), process peak {peak_gb():.2f} GB "
          f"(goal < {GOAL_GB:.0f} GB, includes generating and loading the data): {verdict}")
    hr = survival.hazard_ratios(model).set_index("covariate")
    print(f"unresolved-contact HR {hr.loc['cum_unresolved', 'hazard_ratio']:.3f} "
          f"[{hr.loc['cum_unresolved', 'ci_low']:.3f}, {hr.loc['cum_unresolved', 'ci_high']:.3f}] "
          f"(planted {TRUTH['hr_unresolved_contact']})")

    print("-- the other steps of the notebook")
    timed("km_table by plan", survival.km_table, st, "plan")
    timed("rmst at 90/180/365 by plan", survival.rmst, st, group="plan")
    lm, _ = timed("landmark_table (day 180)", survival.landmark_table, *tables, as_of=cx.as_of, landmark_days=180)
    timed("CoxPHFitter, landmark", CoxPHFitter().fit, lm[["duration", "churned", *COLUMNS]], "duration", "churned")
    timed("attributable_churn (200 draws)", survival.attributable_churn, model, active, horizon=90,
          exposures=["cum_unresolved", "cum_long_wait"], n_boot=200, random_state=0)

    if args.lifelines_customers:
        ids = cx.customers["customer_id"].iloc[: args.lifelines_customers]
        sub = ep.loc[ep["customer_id"].isin(ids), ["customer_id", "start", "stop", "event", *COLUMNS]]
        print(f"-- against lifelines on the same {len(sub):,} episodes ({len(ids):,} customers)")
        ours, t_ours = timed("TimeVaryingCox", survival.TimeVaryingCox().fit, sub, "event", id_col="customer_id")
        theirs, t_theirs = timed("lifelines CoxTimeVaryingFitter", CoxTimeVaryingFitter().fit, sub,
                                 id_col="customer_id", event_col="event", start_col="start", stop_col="stop")
        print(f"speed-up: {t_theirs / t_ours:.0f}x; largest difference in coefficients "
              f"{np.abs(ours.params_ - theirs.params_).max():.1e}, in standard errors "
              f"{np.abs(ours.standard_errors_ - theirs.standard_errors_).max():.1e}")


if __name__ == "__main__":
    main()
