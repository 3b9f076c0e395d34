#!/usr/bin/env python3
"""Checks `eaft inspect FILE --raw` against the Python references, row by row:
  JSONL / JSON-Lines .json: json.loads of every non-blank line (re-dumped compactly);
  Parquet: pyarrow.parquet.read_table(FILE).to_pylist() (bytes as base64).
Reports, per file, rows compared, value mismatches and whether the text is byte-identical to
json.dumps(row, ensure_ascii=False, separators=(",", ":")).
Usage: check_inspect_raw.py [--eaft PATH] FILE...   (exit 1 on any value mismatch)"""
import argparse, base64, json, math, subprocess, sys


def reference_rows(path):
    if path.endswith(".parquet"):
        import pyarrow.parquet as pq
        def fix(v):
            if isinstance(v, (bytes, bytearray)):
                return base64.b64encode(v).decode()
            if isinstance(v, list):
                return [fix(x) for x in v]
            if isinstance(v, dict):
                return {k: fix(x) for k, x in v.items()}
            return v
        return [fix(r) for r in pq.read_table(path).to_pylist()]
    rows = []
    with open(path, "rb") as f:
        for line in f.read().split(b"\n"):
            if line.strip():
                rows.append(json.loads(line))
    return rows


def same(a, b):
    if isinstance(a, float) or isinstance(b, float):
        if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool) and not isinstance(b, bool):
            return (math.isnan(a) and math.isnan(b)) if (a != a or b != b) else a == b and type(a) == type(b)
        return False
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a.keys()) == list(b.keys()) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b and type(a) == type(b)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--eaft", default=".build/release/eaft")
    ap.add_argument("files", nargs="+")
    args = ap.parse_args()
    bad = 0
    for path in args.files:
        out = subprocess.run([args.eaft, "inspect", path, "--raw", "--limit", "100000000"], capture_output=True, check=True).stdout
        got_lines = out.decode("utf-8").split("\n")[:-1]
        ref = reference_rows(path)
        got = [json.loads(l) for l in got_lines]
        mism = [i for i, (x, y) in enumerate(zip(got, ref)) if not same(x, y)]
        texts = sum(1 for l, r in zip(got_lines, ref) if l == json.dumps(r, ensure_ascii=False, separators=(",", ":")))
        ok = len(got) == len(ref) and not mism
        bad += 0 if ok else 1
        print(f"{'OK  ' if ok else 'FAIL'} {path}: {len(got)} rows (reference {len(ref)}), {len(mism)} value mismatches, "
              f"{texts}/{len(ref)} byte-identical to json.dumps")
        if mism:
            i = mism[0]
            print("  first mismatch row", i, "\n  eaft:", got_lines[i][:300], "\n  ref: ", json.dumps(ref[i], ensure_ascii=False)[:300])
    sys.exit(1 if bad else 0)


main()
