#!/usr/bin/env bash
# Issue 12: throughput of two eaft builds (before / after a refactor) in ONE run, alternating,
# so machine noise hits both alike. Ratios are OLD time / NEW time (> 1: the new build is faster).
#
#   bench/redesign_compare.sh OLD_EAFT NEW_EAFT [ROUNDS=3] > results.jsonl
#
# Work (every one reads ../shared or demo/build, nothing is written into the repository):
#   curate  `eaft run` of pipelines/math.yaml without its score stage: GSM8K train + Qwen2.5-Math
#           CoT (8.6k records) → verify, exact + MinHash dedup, decontaminate, filter, sample,
#           Qwen3 tokenizer, shards (no model)
#   score   `eaft run pipelines/demo.yaml`: 240 samples scored under SmolLM2-135M (demo/build/smollm2)
#   train   12 steps of `eaft train` (static and dynamic EAFT) on the demo's shards under SmolLM2
# The demo's shards of both builds are also compared byte for byte.
set -euo pipefail
cd "$(dirname "$0")/.."
OLD=$1 NEW=$2 ROUNDS=${3:-3}
W=$(mktemp -d /tmp/eaft-redesign.XXXXXX)
trap 'rm -rf "$W"' EXIT
sed -e '/- score:/d' -e 's#dir: out/math#dir: '"$W"'/curate-out#' pipelines/math.yaml > "$W/curate.yaml"
"$OLD" run pipelines/demo.yaml --out "$W/demo-shards" > /dev/null
for gate in static dynamic; do
  cat > "$W/train-$gate.yaml" <<YAML
model: demo/build/smollm2
data: $W/demo-shards
output_dir: $W/train-out
loss: eaft
gate: $gate
lr: 5e-5
batch_tokens: 2048
batch_samples: 16
max_seq_len: 512
steps: 12
seed: 1
threads: 2
YAML
done
secs() { local t0 t1; t0=$(date +%s.%N); "$@" > /dev/null 2>&1; t1=$(date +%s.%N); echo "$t1 - $t0" | bc; }
for r in $(seq 1 "$ROUNDS"); do
  for which in old new; do
    E=$OLD; [ $which = new ] && E=$NEW
    rm -rf "$W/curate-out" "$W/score-$which" "$W/train-out"
    c=$(secs "$E" run "$W/curate.yaml")
    s=$(secs "$E" run pipelines/demo.yaml --out "$W/score-$which")
    rm -rf "$W/train-out"; ts=$(secs "$E" train --config "$W/train-static.yaml")
    rm -rf "$W/train-out"; td=$(secs "$E" train --config "$W/train-dynamic.yaml")
    echo "{\"round\": $r, \"build\": \"$which\", \"curate_s\": $c, \"score_s\": $s, \"train_static_s\": $ts, \"train_dynamic_s\": $td}"
  done
  same=true
  for f in manifest.json manifest.crc32c shard-00000.eaft; do cmp -s "$W/score-old/$f" "$W/score-new/$f" || same=false; done
  echo "{\"round\": $r, \"demo_shards_identical\": $same}"
done
