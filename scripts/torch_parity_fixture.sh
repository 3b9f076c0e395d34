#!/usr/bin/env bash
# Regenerates python/tests/fixtures/: eaft shards made by `eaft run` (demo math + medical records,
# a 512-token BPE trained on demo/data, scored by ../shared/reference/qwen3-tiny) and the metrics of
# 3-step `eaft train` runs on them (static, dynamic, hybrid EAFT), which
# python/tests/test_trainer_parity.py reproduces with transformers + eaft.torch.
#   bash scripts/torch_parity_fixture.sh            (needs a release build: swift build -c release)
set -euo pipefail
cd "$(dirname "$0")/.."
EAFT=${EAFT_BIN:-.build/release/eaft}
SHARED=${EAFT_SHARED:-$(cd .. && pwd)/shared}
MODEL=$SHARED/reference/qwen3-tiny
FX=python/tests/fixtures
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
"$EAFT" tokenizer train --input demo/data/corpus.jsonl --field text --vocab-size 512 \
  --special-tokens "<|endoftext|>" "<|im_start|>" "<|im_end|>" --out "$TMP/tokenizer.json" >/dev/null
cat > "$TMP/p.yaml" <<YAML
name: torch-parity
seed: 7
threads: 2
inputs:
  - {path: demo/data/math.jsonl, adapter: gsm8k, source: demo-math, domain: math, fields: {reference: final_answer}}
  - {path: demo/data/medical.jsonl, adapter: mcq, source: demo-medical, domain: medical}
template:
  kind: qwen3
  tokenizer: $TMP/tokenizer.json
stages:
  - filter: {min_tokens: 8, max_tokens: 250, min_label_tokens: 4}
  - sample: {n: 48}
  - score: {model: $MODEL, top_k: 20, batch_tokens: 2048}
output:
  dir: $TMP/shards
  shard_mb: 0.02
  block_kb: 8
  unit_samples: 16
YAML
"$EAFT" run "$TMP/p.yaml" >/dev/null
rm -rf "$FX/shards-qwen3-tiny" && mkdir -p "$FX" && cp -r "$TMP/shards" "$FX/shards-qwen3-tiny"
# The trainer runs: see TRAIN_ARGS in python/tests/test_trainer_parity.py (kept identical).
ARGS=(--lr 1e-3 --schedule cosine --warmup 0 --steps 3 --batch-tokens 1024 --batch-samples 16 --grad-accum 2
      --seed 7 --shuffle true --max-grad-norm 1.0 --weight-decay 0.01 --threads 2)
for run in static dynamic hybrid; do
  "$EAFT" train --model "$MODEL" --data "$FX/shards-qwen3-tiny" --output-dir "$TMP/train-$run" \
    --loss eaft --gate "$run" --lambda 0.5 "${ARGS[@]}" >/dev/null 2>"$TMP/train-$run.log"
done
python3 - "$TMP" "$FX/trainer_metrics.json" "${ARGS[*]}" <<'PY'
import json, sys
tmp, out, args = sys.argv[1:]
runs = {r: [json.loads(l) for l in open(f"{tmp}/train-{r}/metrics.jsonl")] for r in ("static", "dynamic", "hybrid")}
json.dump({"generator": "scripts/torch_parity_fixture.sh", "model": "qwen3-tiny", "data": "shards-qwen3-tiny",
           "args": args + " --loss eaft --lambda 0.5", "runs": runs}, open(out, "w"), indent=1)
print(out)
PY
