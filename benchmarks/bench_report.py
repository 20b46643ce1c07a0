"""Benchmark: ``cxkit report`` from a folder of exports to every report, on the sample and at a million customers.

Writes the sample company (``cxkit.synth.write_sample``) at the size asked for into a
temporary folder, runs the whole command once (``cxkit report DIR --out OUT --pptx``:
the folder loaded and validated once, then the five notebooks), and prints the wall time
of the run and of each notebook as the command reports it, the peak memory of the run
and its kernels, and each figure against its goal.

Usage::

    .venv/bin/python benchmarks/bench_report.py                       # the bundled sample (5,000 customers)
    .venv/bin/python benchmarks/bench_report.py --n-customers 1000000 # a million customers

Goals (2 cores): the sample in under 60 s; a million customers in under 5 minutes and 4 GB.
No goal is asserted: the figures and ratios are printed.
"""
from __future__ import annotations

import argparse
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cxkit.synth import write_sample

ROOT = Path(__file__).resolve().parent.parent
GOALS = {5_000: (60.0, None), 1_000_000: (300.0, 4.0)}   # customers: (seconds, GB)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-customers", type=int, default=None, help="default: the bundled sample folder")
    parser.add_argument("--seed", type=int, default=20251231)
    parser.add_argument("--only", default=None, help="notebooks to run, e.g. 01,04 (default: all)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.n_customers is None:
            data, n = ROOT / "data" / "sample", 5_000
        else:
            data, n = Path(tmp) / "data", args.n_customers
            start = time.perf_counter()
            write_sample(data, seed=args.seed, n_customers=n)
            size = sum(f.stat().st_size for f in data.iterdir()) / 1e6
            print(f"wrote {n:,} customers ({size:,.0f} MB of CSV) in {time.perf_counter() - start:.1f} s")
        command = [sys.executable, "-m", "cxkit.report", "report", str(data), "--out", str(Path(tmp) / "out"),
                   "--pptx"] + (["--only", args.only] if args.only else [])
        start = time.perf_counter()
        run = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
        seconds = time.perf_counter() - start
        peak_gb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1e6   # kB on Linux
    print(run.stdout)
    if run.returncode:
        print(run.stderr[-3000:], file=sys.stderr)
    for line in run.stdout.splitlines():
        match = re.search(r"(\d\d_\w+).*?in (\d+(?:\.\d+)?) s", line)
        if match:
            print(f"  {match.group(1):32s} {float(match.group(2)):7.1f} s")
    goal_s, goal_gb = GOALS.get(n, (None, None))
    print(f"{n:,} customers: {seconds:.1f} s" + (f" (goal {goal_s:.0f} s: {seconds / goal_s:.2f} of it)"
                                                 if goal_s else ""))
    print(f"peak memory of one process (the largest of the run and its kernels): {peak_gb:.2f} GB"
          + (f" (goal {goal_gb:.0f} GB: {peak_gb / goal_gb:.2f} of it)" if goal_gb else ""))
    print(f"exit code {run.returncode}")


if __name__ == "__main__":
    main()
