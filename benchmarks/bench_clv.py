"""Benchmark: rfm_summary + BetaGeoFitter.fit on 1,000,000 synthetic customers.

Usage::

    .venv/bin/python benchmarks/bench_clv.py                     # cxkit only
    benchmarks/.venv-lifetimes/bin/python benchmarks/bench_clv.py  # also times lifetimes

Goals: fit < 1 s, summary + fit < 10 s on 2 cores, and >= 10x faster than
``lifetimes.BetaGeoFitter().fit`` with the same parameters. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np
import pandas as pd

from cxkit.clv import BetaGeoFitter, rfm_summary

# CDNOW-like "true" parameters (weeks): BG/NBD r, alpha, a, b and Gamma-Gamma p, q, v.
TRUE_BG = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
TRUE_GG = {"p": 6.25, "q": 3.74, "v": 15.44}
START = np.datetime64("2024-01-01")
ACQUISITION_DAYS = 84  # first purchases spread over 12 weeks, as in the CDNOW cohort
END_DAY = 272  # observation ends 39 weeks after START (inclusive)


def generate(n_customers: int = 1_000_000, seed: int = 0) -> pd.DataFrame:
    """Vectorised BG/NBD + Gamma-Gamma simulation; returns a transactions table.

    Each customer makes a first purchase on a random day of the acquisition window, then
    buys at Poisson rate lambda ~ Gamma(r, alpha) per week and drops out after each
    repeat purchase with probability p ~ Beta(a, b). Spend per transaction is Gamma(p, nu) with
    nu ~ Gamma(q, v). About 5 % of purchases get a second same-day row and 1 % a partial
    same-day refund, so the summary has to merge and net days. Loops run over purchase
    rounds (a few hundred), never over customers.
    """
    rng = np.random.default_rng(seed)
    n = n_customers
    lam = rng.gamma(TRUE_BG["r"], 1 / TRUE_BG["alpha"], n)  # per week
    pdrop = rng.beta(TRUE_BG["a"], TRUE_BG["b"], n)
    nu = rng.gamma(TRUE_GG["q"], 1 / TRUE_GG["v"], n)
    first = rng.integers(0, ACQUISITION_DAYS, n)

    cust_parts = [np.arange(n)]
    day_parts = [first]
    active = np.arange(n)
    clock = first.astype(float)
    while active.size:
        clock = clock + rng.exponential(1.0, active.size) / lam[active] * 7.0
        inside = clock < END_DAY + 1
        active, clock = active[inside], clock[inside]
        cust_parts.append(active)
        day_parts.append(np.floor(clock).astype(np.int64))
        # BG/NBD: drop-out can only happen right after a repeat purchase
        stay = rng.random(active.size) >= pdrop[active]
        active, clock = active[stay], clock[stay]
    cust = np.concatenate(cust_parts)
    day = np.concatenate(day_parts)
    amount = rng.gamma(TRUE_GG["p"], 1 / nu[cust])

    extra = rng.random(cust.size) < 0.05
    refund = rng.random(cust.size) < 0.01
    extra_amount = rng.gamma(TRUE_GG["p"], 1 / nu[cust[extra]])
    cust = np.concatenate([cust, cust[extra], cust[refund]])
    day = np.concatenate([day, day[extra], day[refund]])
    amount = np.concatenate([amount, extra_amount, -0.5 * amount[refund]])
    order = rng.permutation(cust.size)
    ids = np.char.add("C", np.char.zfill(cust.astype(str), 7))
    return pd.DataFrame(
        {
            "customer_id": ids[order],
            "date": (START + day[order].astype("timedelta64[D]")).astype("datetime64[ns]"),
            "amount": np.round(amount[order], 2),
        }
    )


def timed(fn, *args, **kwargs):
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeats", type=int, default=3, help="cxkit timings: best of N")
    ap.add_argument("--no-lifetimes", action="store_true", help="skip lifetimes even if importable")
    args = ap.parse_args()

    print(
        f"python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, "
        f"cpus {os.cpu_count()}"
    )
    tx, t_gen = timed(generate, args.customers, args.seed)
    print(f"generated {len(tx):,} transactions for {args.customers:,} customers in {t_gen:.1f} s")

    as_of = START + np.timedelta64(END_DAY, "D")
    t_sum, t_fit = [], []
    for _ in range(args.repeats):
        summary, dt = timed(rfm_summary, tx, as_of=as_of, time_unit="W")
        t_sum.append(dt)
        bgf, dt = timed(BetaGeoFitter().fit, summary["frequency"], summary["recency"], summary["T"])
        t_fit.append(dt)
    f, r, T = (summary[c].to_numpy() for c in ("frequency", "recency", "T"))
    print(
        f"summary: {len(summary):,} customers, {int((f > 0).sum()):,} repeat buyers, "
        f"{bgf.n_unique_rows_:,} distinct (x, t_x, T) rows"
    )
    print(f"cxkit rfm_summary           {min(t_sum):7.3f} s   (best of {args.repeats})")
    print(f"cxkit BetaGeoFitter.fit     {min(t_fit):7.3f} s   (best of {args.repeats})")
    print(f"cxkit summary + fit         {min(t_sum) + min(t_fit):7.3f} s")
    print(
        "cxkit params   "
        + ", ".join(f"{k}={v:.4f}" for k, v in bgf.params_.items())
        + f"   LL={bgf.log_likelihood_:.2f}"
    )
    print(
        "true params    "
        + ", ".join(f"{k}={v:.4f}" for k, v in TRUE_BG.items())
        + "   (times truncated to days and same-day merging: data not exactly BG/NBD)"
    )
    print(
        f"goals: fit < 1 s: {'met' if min(t_fit) < 1 else 'MISSED'}; "
        f"summary + fit < 10 s: {'met' if min(t_sum) + min(t_fit) < 10 else 'MISSED'}"
    )

    if args.no_lifetimes:
        return
    try:
        import lifetimes  # noqa: PLC0415 - optional, only in benchmarks/.venv-lifetimes
    except ImportError:
        print("lifetimes not importable: comparison skipped (see benchmarks/README.md)")
        return
    lt, t_lt = timed(
        lifetimes.BetaGeoFitter().fit, summary["frequency"], summary["recency"], summary["T"]
    )
    lt_params = pd.Series({k: float(lt.params_[k]) for k in TRUE_BG})
    ll_lt = float(BetaGeoFitter.from_params(**lt_params).individual_log_likelihood(f, r, T).sum())
    rel = (lt_params / bgf.params_ - 1).abs()
    print(
        f"lifetimes {lifetimes.__version__} BetaGeoFitter().fit {t_lt:7.3f} s (default fit, raw rows)"
    )
    print(
        "lifetimes params "
        + ", ".join(f"{k}={v:.4f}" for k, v in lt_params.items())
        + f"   LL={ll_lt:.2f}"
    )
    ratio = t_lt / min(t_fit)
    print(
        f"speed ratio lifetimes / cxkit fit: {ratio:.0f}x (goal >= 10x: {'met' if ratio >= 10 else 'MISSED'})"
    )
    print(
        f"parameter agreement: max relative difference {rel.max():.2e}; "
        f"LL difference (cxkit - lifetimes) {bgf.log_likelihood_ - ll_lt:.3g}"
    )


if __name__ == "__main__":
    main()
