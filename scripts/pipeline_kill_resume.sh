#!/usr/bin/env bash
# Crash-safety and partitioning check of `eaft run` (schemas/pipeline.md, "Execution"):
#   1. a reference run of SPEC;
#   2. RUNS times: start a run, stop it at a random moment (sometimes twice) with SIGKILL, SIGTERM
#      or SIGINT in turn, then finish it with --resume and require every output file to be
#      byte-identical to the reference;
#   2b. disk full: the run writes onto a tmpfs too small for its output (a private mount
#      namespace, `unshare -Urm`; skipped with a message where that is not permitted); it must
#      fail with a located "No space left on device" error and no manifest, and after the
#      filesystem is grown the same command with --resume must finish byte-identical;
#   3. a 4-way partitioned run (--partition i/4, each with a different thread count) + eaft merge,
#      required to be byte-identical to the reference too.
# Usage: bash scripts/pipeline_kill_resume.sh [SPEC] [RUNS]    (default pipelines/demo.yaml, 10;
#        RUNS=0 skips step 2; SKIP_MERGE=1 skips step 3)
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
    sig=$(( (i + k) % 3 )); sig=$([ $sig = 0 ] && echo KILL || { [ $sig = 1 ] && echo TERM || echo INT; })
    if kill -s "$sig" "$pid" 2>/dev/null; then state="SIG$sig at ${delay}s"; else state="finished before ${delay}s"; fi
    wait "$pid" 2>/dev/null || true
    echo "run $i.$k: $state (committed units: $(ls "$out/.work/parts" 2>/dev/null | grep -c '\.part$' || true))"
    flag="--resume"
  done
  "$EAFT" run "$SPEC" --out "$out" --resume > /dev/null 2>"$WORK/err$i" || { echo "run $i: resume failed: $(cat "$WORK/err$i")"; fail=1; continue; }
  if same "$WORK/ref" "$out"; then echo "run $i: resumed output byte-identical"; else echo "run $i: MISMATCH"; fail=1; fi
done

echo "== disk full (tmpfs of 96 KiB), then --resume after growing it"
if unshare -Urm true 2>/dev/null; then
  abs_spec=$(cd "$(dirname "$SPEC")" && pwd)/$(basename "$SPEC")
  abs_eaft=$(cd "$(dirname "$EAFT")" && pwd)/$(basename "$EAFT")
  mkdir -p "$WORK/full"
  # In a private mount namespace: mount a tiny tmpfs on $WORK/full, run into it (must fail),
  # grow it, resume; then copy the result out for the comparison.
  unshare -Urm bash -c '
    set -u
    mount -t tmpfs -o size=96k none "$1/full" || exit 3
    "$2" run "$3" --out "$1/full/out" > /dev/null 2> "$1/full-err.txt"; rc=$?
    [ -f "$1/full/out/manifest.json" ] && echo "manifest written on a full disk" >> "$1/full-err.txt"
    echo $rc > "$1/full-rc.txt"
    mount -o remount,size=256m none "$1/full" || exit 4
    "$2" run "$3" --out "$1/full/out" --resume > /dev/null 2> "$1/full-err2.txt" || exit 5
    cp -r "$1/full/out" "$1/full-out"
  ' _ "$WORK" "$abs_eaft" "$abs_spec" && ok=1 || ok=0
  rc=$(cat "$WORK/full-rc.txt" 2>/dev/null || echo "?")
  if [ "$rc" = 0 ] || ! grep -q "No space left on device" "$WORK/full-err.txt" 2>/dev/null || grep -q "manifest written" "$WORK/full-err.txt"; then
    echo "disk full: expected a failure naming ENOSPC and no manifest; exit $rc, stderr: $(head -c 600 "$WORK/full-err.txt" 2>/dev/null)"; fail=1
  else
    echo "disk full: exit $rc, stderr: $(grep -m1 'No space left on device' "$WORK/full-err.txt" | head -c 400)"
  fi
  if [ $ok = 1 ] && same "$WORK/ref" "$WORK/full-out"; then echo "disk full: resumed output byte-identical"
  else echo "disk full: resume after growing the filesystem failed or differs: $(cat "$WORK/full-err2.txt" 2>/dev/null | head -c 600)"; fail=1; fi
else
  echo "disk full: SKIPPED (unshare -Urm is not permitted here, so no private tmpfs can be mounted)"
fi

if [ "${SKIP_MERGE:-0}" = 1 ]; then [ $fail -eq 0 ] && echo "ALL OK" || { echo "FAILURES"; exit 1; }; exit 0; fi
echo "== 4-way partitioned run + merge"
for p in 0 1 2 3; do
  "$EAFT" run "$SPEC" --out "$WORK/part$p" --partition "$p/4" --threads $(( 1 + p % 2 )) > /dev/null
done
"$EAFT" merge "$WORK/part3" "$WORK/part1" "$WORK/part0" "$WORK/part2" --out "$WORK/merged" > /dev/null
if same "$WORK/ref" "$WORK/merged"; then echo "merge of 4 partitions: byte-identical to the single run"; else echo "merge: MISMATCH"; fail=1; fi
"$EAFT" verify "$WORK/merged" > /dev/null && echo "verify: ok"
[ $fail -eq 0 ] && echo "ALL OK" || { echo "FAILURES"; exit 1; }
