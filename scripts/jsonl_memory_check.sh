#!/usr/bin/env bash
# Peak-RSS check of the streaming JSONL reader on a ~1 GB file (not part of the unit tests).
# Generates /tmp/eaft_mem_1g.jsonl (GSM8K train repeated, plus a few bad lines) and, unless
# SKIP_COMPRESSED=1, its .zst version; reads each with `eaft inspect --stats --limit 0`
# under /usr/bin/time -v and fails if peak RSS >= 150 MB; then one 1 GiB line at the default limits
# (skipped as line_too_long, the lines around it read, peak RSS < 192 MiB).
# Usage: scripts/jsonl_memory_check.sh [path/to/eaft]   (default .build/release/eaft)
set -euo pipefail
EAFT=${1:-.build/release/eaft}
SRC=${EAFT_SHARED:-../shared}/data/math/gsm8k/train.jsonl
OUT=/tmp/eaft_mem_1g.jsonl
LIMIT_KB=$((150 * 1024))
if [ ! -s "$OUT" ]; then
  python3 - "$SRC" "$OUT" <<'PY'
import sys
src, out = sys.argv[1], sys.argv[2]
data = open(src, "rb").read()
with open(out, "wb") as f:
    n = 0
    while n < 1_000_000_000:
        f.write(data); n += len(data)
        f.write(b'{"broken": }\n'); n += 13
PY
fi
ls -l "$OUT"
run() {
  local f=$1 label=$2 limit=${3:-$LIMIT_KB}
  /usr/bin/time -v "$EAFT" inspect "$f" --stats --limit 0 2> /tmp/eaft_mem_stderr.txt >/dev/null || true
  local rss stats
  rss=$(grep "Maximum resident set size" /tmp/eaft_mem_stderr.txt | awk '{print $NF}')
  stats=$(grep '^{"lines"' /tmp/eaft_mem_stderr.txt || true)
  echo "$label: peak RSS ${rss} KB; stats: $stats"
  if [ "$rss" -ge "$limit" ]; then echo "FAIL: peak RSS ${rss} KB >= ${limit} KB"; exit 1; fi
}
run "$OUT" "plain"
if [ "${SKIP_COMPRESSED:-0}" != "1" ]; then
  [ -s "$OUT.zst" ] || zstd -q -3 -T2 -f "$OUT" -o "$OUT.zst"
  run "$OUT.zst" "zstd"
  [ -s "$OUT.gz" ] || gzip -1 -c "$OUT" > "$OUT.gz"
  run "$OUT.gz" "gzip"
fi
# One 1 GB line at the default limits (maxLineBytes 64 MiB): skipped unbuffered with a located
# error, the lines after it still read, memory stays bounded.
LONG=/tmp/eaft_mem_1g_line.jsonl
if [ ! -s "$LONG" ]; then
  python3 - "$LONG" <<'PY'
import sys
with open(sys.argv[1], "wb") as f:
    f.write(b'{"text": "before"}\n{"text": "')
    chunk = b"x" * (1 << 20)
    for _ in range(1024): f.write(chunk)
    f.write(b'"}\n{"text": "after"}\n')
PY
fi
# Bound: the reader buffers a line up to maxLineBytes (64 MiB; the buffer doubles to get there, so
# 32 + 64 MiB live for a moment) before it knows the line is too long, plus the process baseline;
# 192 MiB whatever the line's length.
run "$LONG" "one 1 GiB line" $((192 * 1024))
grep -q '"lines":3,"rows":2' /tmp/eaft_mem_stderr.txt || {
  echo "FAIL: the lines around the 1 GiB line were not both read:"; tail -5 /tmp/eaft_mem_stderr.txt; exit 1; }
grep -q '"line_too_long":1' /tmp/eaft_mem_stderr.txt || { echo "FAIL: the 1 GiB line was not reported as line_too_long"; tail -5 /tmp/eaft_mem_stderr.txt; exit 1; }
echo "OK: peak RSS below the bounds"
