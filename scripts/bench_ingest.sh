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
python3 - "$BYTES" "$t_parse" "$t_norm" "$t_py_parse" "$t_py_norm" <<'PY'
import sys
b, tp, tn, pp, pn = int(sys.argv[1]), *map(float, sys.argv[2:])
mb = b / 1e6
print(f"file: {mb:.1f} MB (GSM8K train x N)")
print(f"parse only      eaft {mb/tp:7.1f} MB/s ({tp:.2f} s CPU)   python json.loads {mb/pp:6.1f} MB/s ({pp:.2f} s)   ratio {pp/tp:.2f}x")
print(f"parse+normalise eaft {mb/tn:7.1f} MB/s ({tn:.2f} s CPU)   python           {mb/pn:6.1f} MB/s ({pn:.2f} s)   ratio {pn/tn:.2f}x")
PY
