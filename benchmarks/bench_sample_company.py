"""Benchmark: the sample company at scale, through the whole cxkit pipeline.

Generates the sample company (``cxkit.synth.generate``) with 1,000,000 customers and
times each step a notebook runs on it: validation (``load_folder``), the CLV summary
and BG/NBD fit, spend per customer, per-customer experience, and the scorecard.

Usage::

    .venv/bin/python benchmarks/bench_sample_company.py [--n-customers 1000000]

No goal is asserted here; the figures show where time goes on real-sized data.
"""
from __future__ import annotations

import argparse
import time

from cxkit import clv, experience, metrics, value
from cxkit.data import load_folder
from cxkit.synth import TRUTH, generate


def timed(label: str, fn, *args, **kwargs):
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    print(f"{label:38s} {time.perf_counter() - start:7.2f} s")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    sample = timed(f"generate ({args.n_customers:,} customers)", generate, seed=args.seed, n_customers=args.n_customers)
    print("rows:", {k: f"{len(v):,}" for k, v in sample.tables.items()})
    cx = timed("load_folder (validate 4 tables)", load_folder, tables=sample.tables, as_of=TRUTH["as_of"])
    summary = timed("clv.rfm_summary", clv.rfm_summary, cx.transactions, cx.as_of)
    bgf = timed("clv.BetaGeoFitter.fit", clv.BetaGeoFitter().fit, summary["frequency"], summary["recency"],
                summary["T"])
    timed("clv.GammaGammaFitter.fit", clv.GammaGammaFitter().fit, summary["frequency"], summary["monetary_value"])
    timed("value.customer_value", value.customer_value, cx.transactions, cx.customers, as_of=cx.as_of)
    timed("experience.customer_experience", experience.customer_experience, cx.surveys, cx.contacts,
          customers=cx.customers)
    timed("metrics.cx_scorecard", metrics.cx_scorecard, cx.surveys)
    truth = TRUTH["bgnbd"]
    print(f"mean purchase rate per week: fitted {bgf.params_['r'] / bgf.params_['alpha']:.4f}, "
          f"planted {truth['r'] / truth['alpha']:.4f}")


if __name__ == "__main__":
    main()
