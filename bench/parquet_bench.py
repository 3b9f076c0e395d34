#!/usr/bin/env python3
"""Parquet -> rows: eaft's Swift reader (JSONValue rows) vs pyarrow, same files, same run.

Compares
  swift:   ParquetFile(path).rows() over every row           (Tests/DataIOTests/ParquetBenchTests.swift)
  pylist:  pq.read_table(path).to_pylist()                    (rows as Python objects: the like-for-like reference)
  table:   pq.read_table(path)                                (columnar Arrow only, no rows)
Rounds alternate the three so machine load hits them alike; each figure is the best pass.

Usage: python3 bench/parquet_bench.py [--rounds 3] [--repeats 5] [--no-build] [files...]
Default files: ../shared/data/parquet/*.parquet
"""
import argparse
import glob
import os
import re
import subprocess
import sys
import time

import pyarrow
import pyarrow.parquet as pq

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def best_of(fn, repeats):
    """Best wall time and best process CPU time (all threads) over `repeats` passes."""
    best, best_cpu = float("inf"), float("inf")
    for _ in range(repeats):
        t, c = time.perf_counter(), time.process_time()
        fn()
        best = min(best, time.perf_counter() - t)
        best_cpu = min(best_cpu, time.process_time() - c)
    return best, best_cpu


def swift_pass(files, repeats, threads):
    env = dict(os.environ, EAFT_BENCH="1", EAFT_BENCH_PARQUET=":".join(files), EAFT_BENCH_REPEATS=str(repeats))
    if threads:
        env["EAFT_PARQUET_THREADS"] = str(threads)
    out = subprocess.run(["swift", "test", "-c", "release", "--skip-build", "--filter", "ParquetBenchTests"],
                         cwd=ROOT, env=env, capture_output=True, text=True)
    m = re.search(r"PARQUET_BENCH rows=(\d+) seconds=([0-9.e-]+) cpu=([0-9.e-]+)", out.stdout + out.stderr)
    if not m:
        sys.exit("swift benchmark did not report:\n" + out.stdout[-2000:] + out.stderr[-2000:])
    return int(m.group(1)), float(m.group(2)), float(m.group(3))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="*")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--threads", type=int, default=0, help="Swift decode threads (0 = all cores)")
    ap.add_argument("--no-build", action="store_true")
    a = ap.parse_args()
    files = a.files or sorted(glob.glob(os.path.join(os.path.dirname(ROOT), "shared", "data", "parquet", "*.parquet")))
    if not files:
        sys.exit("no Parquet files given and ../shared/data/parquet is missing")
    files = [os.path.abspath(f) for f in files]
    if not a.no_build:
        subprocess.run(["swift", "build", "-c", "release", "--build-tests"], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
    n_py = sum(pq.ParquetFile(f).metadata.num_rows for f in files)
    inf = float("inf")
    best = {k: [inf, inf] for k in ["table", "pylist", "swift"]}

    def keep(k, wall, cpu):
        best[k] = [min(best[k][0], wall), min(best[k][1], cpu)]

    for _ in range(a.rounds):
        keep("table", *best_of(lambda: [pq.read_table(f) for f in files], a.repeats))
        keep("pylist", *best_of(lambda: [pq.read_table(f).to_pylist() for f in files], a.repeats))
        rows, secs, cpu = swift_pass(files, a.repeats, a.threads)
        assert rows == n_py, f"swift read {rows} rows, pyarrow {n_py}"
        keep("swift", secs, cpu)
    mb = sum(os.path.getsize(f) for f in files) / 1e6
    print(f"files: {len(files)} ({mb:.1f} MB on disk), rows: {n_py}, pyarrow {pyarrow.__version__}, "
          f"rounds {a.rounds} x best of {a.repeats}, load average {os.getloadavg()[0]:.1f}")
    for k in ["swift", "pylist", "table"]:
        print(f"  {k:7s} wall {best[k][0] * 1e3:8.2f} ms ({n_py / best[k][0]:8.0f} rows/s)   cpu {best[k][1] * 1e3:8.2f} ms")
    for ref, label, target in [("pylist", "pq.read_table().to_pylist()", ">= 2x"), ("table", "pq.read_table() alone", ">= 0.5x")]:
        print(f"  swift vs {label:28s} wall {best[ref][0] / best['swift'][0]:5.2f}x   "
              f"cpu {best[ref][1] / best['swift'][1]:5.2f}x   (target {target}, higher = swift faster)")


if __name__ == "__main__":
    main()
