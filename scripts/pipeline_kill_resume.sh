#!/usr/bin/env bash
# Crash-safety and partitioning check of `eaft run` (schemas/pipeline.md, "Execution"):
#   1. a reference run of SPEC;
#   2. RUNS times: start a run, kill -9 it at a random moment (sometimes twice), then finish it
#      with --resume and require every output file to be byte-identical to the reference;
#   3. a 4-way partitioned run (--partition i/4, each with a different thread count) + eaft merge,
#      required to be byte-identical to the reference too.
# Usage: bash scripts/pipeline_kill_resume.sh [SPEC] [RUNS]    (default pipelines/demo.yaml, 10)
# The demo spec needs demo/build/ (made by scripts/demo.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
SPEC=${1:-pipelines/demo.yaml}
RUNS=${2:-10}
EAFT=${EAFT:-.build/release/eaft}
[ -x "$EAFT" ] || swift build -c release --product eaft
WORK=$(mktemp -d /tmp/eaft-kill-resume.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

same() {  # same DIR_A DIR_B: every file (names and bytes) equal
  diff <(cd "$1" && find . -type f | sort) <(cd "$2" && find . -type f | sort) >/dev/null || { echo "file lists differ"; return 1; }
  (cd "$1" && find . -type f | sort) | while read -r f; do cmp -s "$1/$f" "$2/$f" || { echo "differs: $f"; return 1; }; done
}

t0=$(date +%s.%N)
"$EAFT" run "$SPEC" --out "$WORK/ref" > /dev/null
t1=$(date +%s.%N)
dur=$(python3 -c "print(max(0.5, $t1 - $t0))")
echo "reference run: ${dur}s, $(ls "$WORK/ref" | wc -l) files"

fail=0
for i in $(seq 1 "$RUNS"); do
  out="$WORK/run$i"
  kills=$(( i % 3 == 0 ? 2 : 1 ))
  flag=""
  for k in $(seq 1 $kills); do
    delay=$(python3 -c "import random; print(round(random.uniform(0.05, $dur * 0.95), 2))")
    "$EAFT" run "$SPEC" --out "$out" $flag > /dev/null 2>&1 &
    pid=$!
    sleep "$delay"
    if kill -9 "$pid" 2>/dev/null; then state="killed at ${delay}s"; else state="finished before ${delay}s"; fi
    wait "$pid" 2>/dev/null || true
    echo "run $i.$k: $state (committed units: $(ls "$out/.work/parts" 2>/dev/null | grep -c '\.part$' || true))"
    flag="--resume"
  done
  "$EAFT" run "$SPEC" --out "$out" --resume > /dev/null 2>"$WORK/err$i" || { echo "run $i: resume failed: $(cat "$WORK/err$i")"; fail=1; continue; }
  if same "$WORK/ref" "$out"; then echo "run $i: resumed output byte-identical"; else echo "run $i: MISMATCH"; fail=1; fi
done

echo "== 4-way partitioned run + merge"
for p in 0 1 2 3; do
  "$EAFT" run "$SPEC" --out "$WORK/part$p" --partition "$p/4" --threads $(( 1 + p % 2 )) > /dev/null
done
"$EAFT" merge "$WORK/part3" "$WORK/part1" "$WORK/part0" "$WORK/part2" --out "$WORK/merged" > /dev/null
if same "$WORK/ref" "$WORK/merged"; then echo "merge of 4 partitions: byte-identical to the single run"; else echo "merge: MISMATCH"; fail=1; fi
"$EAFT" verify "$WORK/merged" > /dev/null && echo "verify: ok"
[ $fail -eq 0 ] && echo "ALL OK" || { echo "FAILURES"; exit 1; }
