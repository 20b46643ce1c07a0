"""Benchmark: BG/NBD, Pareto/NBD and MBG/NBD fits on 1,000,000 synthetic customers.

Usage::

    .venv/bin/python benchmarks/bench_clv_models.py
    .venv/bin/python benchmarks/bench_clv_models.py --customers 200000 --repeats 1

The customers come from the BG/NBD + Gamma-Gamma generator of ``bench_clv.py`` (the
same transactions, summarised by ``rfm_summary`` in weeks). Goal: each fit under 2 s on
2 cores. Prints each fit's best time, its ratio to the 2 s goal (below 1 meets it), the
fitted parameters and log-likelihood.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np
import pandas as pd
from bench_clv import END_DAY, START, generate

from cxkit.clv import BetaGeoFitter, ModifiedBetaGeoFitter, ParetoNBDFitter, rfm_summary

GOAL_SECONDS = 2.0
MODELS = {"BG/NBD": BetaGeoFitter, "Pareto/NBD": ParetoNBDFitter, "MBG/NBD": ModifiedBetaGeoFitter}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeats", type=int, default=3, help="timings: best of N")
    args = ap.parse_args()

    print(
        f"python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, "
        f"cpus {os.cpu_count()}"
    )
    t0 = time.perf_counter()
    tx = generate(args.customers, args.seed)
    summary = rfm_summary(tx, as_of=START + np.timedelta64(END_DAY, "D"), time_unit="W")
    f, r, T = (summary[c].to_numpy() for c in ("frequency", "recency", "T"))
    print(f"{len(summary):,} customers, {int((f > 0).sum()):,} repeat buyers "
          f"(generated and summarised in {time.perf_counter() - t0:.1f} s)")
    print(f"{'model':<11} {'fit (s)':>8} {'/ 2 s':>6}  goal    parameters")
    for name, cls in MODELS.items():
        times = []
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            model = cls().fit(f, r, T)
            times.append(time.perf_counter() - t0)
        best = min(times)
        params = ", ".join(f"{k}={v:.4f}" for k, v in model.params_.items())
        print(
            f"{name:<11} {best:8.3f} {best / GOAL_SECONDS:6.2f}  {'met   ' if best < GOAL_SECONDS else 'MISSED'}  "
            f"{params}   LL={model.log_likelihood_:.1f}, {model.n_unique_rows_:,} distinct rows"
        )


if __name__ == "__main__":
    main()
