"""Scale benchmark: the CLV summary of a synthetic transaction log on pandas, DuckDB and Spark.

Writes ``--rows`` transactions as Parquet in chunks (bounded memory), then runs
:func:`cxkit.engines.summarise_transactions` once per engine, each in its own
subprocess, and prints rows/s, peak memory of the process tree (polled from /proc),
the machine's load average before each run, the ratios, and whether each pair of
engines gave the same table (to the day and the cent).

The pandas baseline reads Parquet dates as ``datetime64`` (pyarrow's
``to_pandas(date_as_object=False)``), as an analyst's own code would; ``pd.read_parquet``
alone returns them as Python ``date`` objects, which makes every later groupby slower
and the comparison unfair to pandas.

Usage::

    .venv/bin/python benchmarks/bench_scale.py --rows 10000000
    .venv/bin/python benchmarks/bench_scale.py --rows 100000000 --engines duckdb
    .venv/bin/python benchmarks/bench_scale.py --engines duckdb-folder   # the notebooks' path
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
AS_OF = "2025-12-31"


def write_log(folder: Path, rows: int, chunk: int, seed: int = 7) -> None:
    """Synthetic log: ~50 rows per customer, 3 years, 5% refunds, 1% zero amounts; chunk by chunk."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    done = folder / "_complete"
    if done.exists() and done.read_text() == str(rows):
        return
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.parquet"):
        old.unlink()
    n_customers = max(rows // 50, 1)
    start = int(np.datetime64("2023-01-01", "D").astype(np.int64))
    for i, lo in enumerate(range(0, rows, chunk)):
        n = min(chunk, rows - lo)
        rng = np.random.default_rng([seed, i])
        cust = rng.integers(0, n_customers, n)
        days = start + rng.integers(0, 3 * 365, n)
        amount = np.round(rng.lognormal(3.5, 0.8, n), 2)
        amount[rng.random(n) < 0.05] *= -0.5
        amount[rng.random(n) < 0.01] = 0.0
        table = pa.table({"customer_id": pa.array(cust, pa.int64()),
                          "date": pa.array(days.astype(np.int32), pa.int32()).cast(pa.date32()),
                          "amount": pa.array(amount, pa.float64())})
        pq.write_table(table, folder / f"part-{i:05d}.parquet", row_group_size=1_000_000)
    done.write_text(str(rows))


def run_engine(engine: str, data: Path, out: Path, memory_limit: str, threads: int | None) -> None:
    """Child process: one summary, timed; the result written for comparison."""
    from cxkit.engines import summarise_transactions

    spark = None
    if engine == "spark":
        from cxkit.engines.spark import local_session

        spark = local_session(cores=os.cpu_count() or 2, shuffle_partitions=16, memory="3g")
    t0 = time.perf_counter()
    extra: dict[str, float] = {}
    if engine == "duckdb-folder":  # the notebooks' path: load_folder's describe/validate/count, then a summary
        from cxkit.engines.log import describe_log

        log = describe_log(data, memory_limit=memory_limit, threads=threads)
        extra = {"load_seconds": time.perf_counter() - t0, "duplicates": log.duplicate_rows}
        t0 = time.perf_counter()
        res = log.rfm_summary(AS_OF, after_as_of="exclude")
    elif engine == "pandas":
        import pyarrow.parquet as pq

        from cxkit.clv import rfm_summary

        tx = pq.read_table(data).to_pandas(date_as_object=False)  # dates as datetime64, not Python objects
        res = rfm_summary(tx, AS_OF, after_as_of="exclude")
    else:
        res = summarise_transactions(data, engine=engine, as_of=AS_OF, memory_limit=memory_limit, threads=threads,
                                     spark=spark)
    seconds = time.perf_counter() - t0
    res.attrs = {}
    res.to_parquet(out)
    print(json.dumps({"seconds": seconds, **extra}))
    if spark is not None:
        spark.stop()


def _tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/statm") as fh:
                total += int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo += [int(c) for c in fh.read().split()]
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def measure(engine: str, data: Path, out: Path, args: argparse.Namespace) -> dict[str, float]:
    cmd = [sys.executable, __file__, "--run", engine, "--data", str(data), "--result", str(out),
           "--memory-limit", args.memory_limit] + (["--threads", str(args.threads)] if args.threads else [])
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _tree_rss(proc.pid))
        time.sleep(0.1)
    stdout, stderr = proc.communicate()
    if proc.returncode:
        raise SystemExit(f"{engine} failed:\n{stderr[-3000:]}")
    inner = json.loads(stdout.strip().splitlines()[-1])
    return {**inner, "wall": time.perf_counter() - t0, "peak_gb": peak / 1e9}


def same_to_the_cent(a_path: Path, b_path: Path) -> tuple[bool, str]:
    """Same customers, days and counts exactly and money to the cent? And if not, where they differ."""
    import pandas as pd

    a, b = pd.read_parquet(a_path), pd.read_parquet(b_path)
    if len(a) != len(b) or not (a.index.astype(str) == b.index.astype(str)).all():
        return False, f"customers differ ({len(a):,} vs {len(b):,} rows)"
    exact = ["frequency", "n_purchase_days", "first_purchase", "last_purchase", "recency", "T"]
    money = ["monetary_value", "total_spend"]
    for c in exact:
        x, y = a[c], b[c]
        if pd.api.types.is_datetime64_any_dtype(x):
            x, y = x.astype("datetime64[ns]"), y.astype("datetime64[ns]")
        if not np.array_equal(x.to_numpy(), y.to_numpy()):
            return False, f"column {c}: {int((x.to_numpy() != y.to_numpy()).sum()):,} customers differ"
    for c in money:
        if not np.allclose(a[c], b[c], rtol=0, atol=0.005):
            return False, f"column {c}: differs by up to {float(np.abs(a[c] - b[c]).max()):.4f}"
    return True, ""


def load() -> str:
    """The machine's load average (1, 5, 15 minutes) and its cores, for reading the timings."""
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} / {five:.2f} / {fifteen:.2f} on {os.cpu_count()} cores"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rows", type=int, default=10_000_000)
    p.add_argument("--chunk", type=int, default=5_000_000)
    p.add_argument("--dir", type=Path, default=Path("/tmp/cxkit_bench"))
    p.add_argument("--engines", default="pandas,duckdb,spark")
    p.add_argument("--pandas-max-rows", type=int, default=30_000_000)
    p.add_argument("--memory-limit", default="2GB")
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--run", help=argparse.SUPPRESS)
    p.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.run:
        run_engine(args.run, args.data, args.result, args.memory_limit, args.threads)
        return
    data = args.dir / f"tx_{args.rows}"
    t0 = time.perf_counter()
    write_log(data, args.rows, args.chunk)
    print(f"log: {args.rows:,} rows in {data} ({sum(f.stat().st_size for f in data.glob('*.parquet')) / 1e9:.2f} GB, "
          f"ready in {time.perf_counter() - t0:.1f} s)")
    results: dict[str, dict[str, float]] = {}
    for engine in args.engines.split(","):
        if engine == "pandas" and args.rows > args.pandas_max_rows:
            print(f"pandas: skipped (rows > --pandas-max-rows {args.pandas_max_rows:,})")
            continue
        before = load()
        r = measure(engine, data, args.dir / f"result_{engine}_{args.rows}.parquet", args)
        results[engine] = r
        print(f"{engine:7s} {r['seconds']:7.1f} s  {args.rows / r['seconds']:>12,.0f} rows/s  "
              f"peak {r['peak_gb']:.2f} GB (process wall {r['wall']:.1f} s; before it: {before})")
        if "load_seconds" in r:
            print(f"        load_folder's validation and duplicate count {r['load_seconds']:.1f} s "
                  f"({r['duplicates']:,} exact duplicate rows, left out of the summary)")
    names = list(results)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            ok, why = same_to_the_cent(args.dir / f"result_{a}_{args.rows}.parquet",
                                       args.dir / f"result_{b}_{args.rows}.parquet")
            print(f"{a} and {b} identical to the day and the cent: {ok}{f' ({why})' if why else ''}")
    if "duckdb" in results and "pandas" in results:
        d, pdx = results["duckdb"], results["pandas"]
        speed, mem = pdx["seconds"] / d["seconds"], d["peak_gb"] / pdx["peak_gb"]
        # goals on 2 cores: faster than a fair pandas (real datetimes), at most half its peak memory
        print(f"DuckDB vs pandas: {speed:.1f}x faster (goal > 1x), {mem:.2f} of its peak memory (goal <= 0.5): "
              f"{'met' if speed > 1 and mem <= 0.5 else 'NOT met'} ({load()} after the runs)")
    if "duckdb" in results and args.rows >= 100_000_000:
        d = results["duckdb"]
        print(f"DuckDB on {args.rows:,} rows: {d['seconds']:.0f} s (goal < 60), {d['peak_gb']:.2f} GB (goal < 3): "
              f"{'met' if d['seconds'] < 60 and d['peak_gb'] < 3 else 'NOT met'}")


if __name__ == "__main__":
    main()
