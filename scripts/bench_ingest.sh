#!/usr/bin/env bash
# JSONL ingestion throughput: eaft (release) vs Python json.loads, same file, same run.
# File: GSM8K train concatenated N times (default 12, ~50 MB) in /tmp. Each command runs
# 3 times; the best CPU time (user+sys, from /usr/bin/time) is reported, because these
# 2-core machines are shared and wall-clock time is dominated by other jobs.
# Usage: scripts/bench_ingest.sh [N] [path/to/eaft]
set -euo pipefail
N=${1:-12}
EAFT=${2:-.build/release/eaft}
SRC=${EAFT_SHARED:-../shared}/data/math/gsm8k/train.jsonl
F=/tmp/eaft_bench_gsm8k_x$N.jsonl
[ -s "$F" ] || for i in $(seq "$N"); do cat "$SRC"; done > "$F"
BYTES=$(stat -c %s "$F")
best() {  # best user+sys seconds of 3 runs of "$@"
  local b=999999
  for _ in 1 2 3; do
    local t
    /usr/bin/time -o /tmp/eaft_bench_time.txt -f "%U %S" "$@" >/dev/null 2>/dev/null
    t=$(tail -1 /tmp/eaft_bench_time.txt | awk '{printf "%.3f", $1 + $2}')
    b=$(python3 -c "print(min($b, $t))")
  done
  echo "$b"
}
t_parse=$(best "$EAFT" inspect "$F" --limit 0 --stats)
t_norm=$(best "$EAFT" inspect "$F" --adapter gsm8k --limit 0 --stats)
t_py_parse=$(best python3 scripts/bench_jsonl.py "$F" parse)
t_py_norm=$(best python3 scripts/bench_jsonl.py "$F" normalise)
[ -s "$F.gz" ] || gzip -6 -c "$F" > "$F.gz"
[ -s "$F.zst" ] || zstd -q -3 -f "$F" -o "$F.zst"
t_gz=$(best "$EAFT" inspect "$F.gz" --limit 0 --stats)
t_py_gz=$(best python3 scripts/bench_jsonl.py "$F.gz" parse)
t_zst=$(best "$EAFT" inspect "$F.zst" --limit 0 --stats)
t_py_zst=$(best python3 scripts/bench_jsonl.py "$F.zst" parse)
python3 - "$BYTES" "$t_parse" "$t_norm" "$t_py_parse" "$t_py_norm" "$t_gz" "$t_py_gz" "$t_zst" "$t_py_zst" <<'PY'
import sys
b, tp, tn, pp, pn, tg, pg, tz, pz = int(sys.argv[1]), *map(float, sys.argv[2:])
mb = b / 1e6
print(f"file: {mb:.1f} MB decompressed (GSM8K train x N)")
def row(name, e, p, pyname):
    print(f"{name:22s} eaft {mb/e:7.1f} MB/s ({e:.2f} s CPU)   {pyname:22s} {mb/p:6.1f} MB/s ({p:.2f} s)   ratio {p/e:.2f}x")
row("parse only", tp, pp, "python json.loads")
row("parse+normalise gsm8k", tn, pn, "python same work")
row("gzip -6 + parse", tg, pg, "python gzip+json.loads")
row("zstd -3 + parse", tz, pz, "python zstandard+loads")
PY
