#!/usr/bin/env bash
# Pipeline speed and memory on ~19.7k records from ../shared/data (GSM8K train twice under two
# source names, MATH responses, MedMCQA, MedQA, PubMedQA, HuatuoGPT-o1), sampled to 19,000:
#   A. everything except scoring (read, adapters, qwen3 chat template + tokenizer, verify,
#      decontaminate, filter, sample, shards) — no score stage;
#   B. scoring alone, measured on the first N selected samples with the reference model.
# Usage: bash scripts/pipeline_bench.sh [THREADS] [SCORE_SAMPLES]   (default 2, 128)
set -euo pipefail
cd "$(dirname "$0")/.."
T=${1:-2}
NS=${2:-128}
EAFT=${EAFT:-.build/release/eaft}
[ -x "$EAFT" ] || swift build -c release --product eaft
W=$(mktemp -d /tmp/eaft-bench.XXXXXX)
trap 'rm -rf "$W"' EXIT
D=../shared/data
cat > "$W/a.yaml" <<YAML
name: bench-19k
seed: 1
inputs:
  - {path: $D/math/gsm8k/train.jsonl, adapter: gsm8k, source: gsm8k-a, domain: math}
  - {path: $D/math/gsm8k/train.jsonl, adapter: gsm8k, source: gsm8k-b, domain: math}
  - {path: $D/math/qwen25_math_labelled/math_cot_100_flat.jsonl, adapter: math, source: math-cot, domain: math, fields: {problem: question, solution: response, answer: gt_answer}}
  - {path: $D/medical/medmcqa/test.jsonl, adapter: mcq, source: medmcqa, domain: medical}
  - {path: $D/medical/medqa/test.jsonl, adapter: mcq, source: medqa, domain: medical}
  - {path: $D/medical/pubmedqa/pqal.jsonl, adapter: pubmedqa, source: pubmedqa, domain: medical}
  - {path: $D/medical/huatuogpt_o1/demo_data.jsonl, adapter: huatuo_o1, source: huatuo, domain: medical}
template: {kind: qwen3, tokenizer: ../shared/tokenizers/qwen3/tokenizer.json}
stages:
  - verify: {keep: [correct, unverifiable]}
  - decontaminate: {against: [{path: $D/math/gsm8k/test.jsonl, field: question}, {path: $D/math/math500/test.jsonl, field: problem}]}
  - filter: {max_tokens: 4096}
  - sample: {n: 19000}
output: {dir: $W/out-a}
YAML
echo "== A: everything except scoring, $T threads"
/usr/bin/time -f "wall %e s, user %U s, sys %S s, peak RSS %M KB" "$EAFT" run "$W/a.yaml" --threads "$T" > "$W/a.json"
python3 -c "import json; m=json.load(open('$W/a.json')); print(m['samples'], 'samples,', m['tokens'], 'tokens,', m['label_tokens'], 'label tokens; stages:', [(s['name'], s['input'], s['kept']) for s in m['stages']])"

echo "== B: scoring $NS samples with ../shared/reference/qwen3-tiny-fullvocab (vocab 151,936), $T threads"
sed -e "s/sample: {n: 19000}/sample: {n: $NS}/" -e "s#dir: $W/out-a#dir: $W/out-b#" "$W/a.yaml" > "$W/b0.yaml"
python3 - "$W/b0.yaml" "$W/b.yaml" <<'PY'
import sys
s = open(sys.argv[1]).read().replace("output:", "  - score: {model: ../shared/reference/qwen3-tiny-fullvocab, top_k: 20}\noutput:")
open(sys.argv[2], "w").write(s)
PY
/usr/bin/time -f "wall %e s, user %U s, sys %S s, peak RSS %M KB" "$EAFT" run "$W/b.yaml" --threads "$T" > "$W/b.json"
python3 -c "import json; m=json.load(open('$W/b.json')); print(m['samples'], 'samples scored,', m['tokens'], 'tokens (all positions are scored)')"
echo "(scoring time ≈ B wall − A wall: B re-runs the same selection phase before scoring)"
