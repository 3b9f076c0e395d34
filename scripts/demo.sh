#!/usr/bin/env bash
# The main job on the embedded demo data, from the repository alone:
#   setup → release build → train a tokenizer on demo/data → create a RANDOM-INIT model →
#   eaft run pipelines/demo.yaml → eaft verify → eaft audit (JSON, Markdown, HTML) →
#   a short static-gate EAFT training run on the shards → Python reader.
# The model is random-init (demo/model-config.json): the gates exercise the machinery, they say
# nothing about a real model. Outputs: out/demo/ (shards + manifest.json), out/demo-audit.{json,md,html}.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release --product eaft
EAFT=.build/release/eaft
mkdir -p demo/build out

echo "== tokenizer (byte-level BPE trained on demo/data)" >&2
"$EAFT" tokenizer train --input demo/data/corpus.jsonl --field text --vocab-size 1024 \
  --special-tokens "<|endoftext|>" "<|im_start|>" "<|im_end|>" --out demo/build/tokenizer.json >&2

echo "== model (random init, demo/model-config.json)" >&2
"$EAFT" model init --config demo/model-config.json --out demo/build/model >&2

echo "== eaft run pipelines/demo.yaml" >&2
"$EAFT" run pipelines/demo.yaml --rejects out/demo-rejects.jsonl > out/demo-run.json
python3 - <<'PY'
import json
m = json.load(open("out/demo-run.json"))
print(f"{'stage':<14}{'in':>6}{'kept':>6}  dropped")
for s in m["stages"]:
    print(f"{s['name']:<14}{s['input']:>6}{s['kept']:>6}  {s['dropped'] or ''}")
print(f"{m['samples']} samples, {m['tokens']} tokens, {m['label_tokens']} label tokens in {len(m['shards'])} shard(s)")
PY

echo "== eaft verify out/demo" >&2
"$EAFT" verify out/demo > out/demo-verify.json && echo "verify: ok"

echo "== eaft audit out/demo" >&2
"$EAFT" audit out/demo --json out/demo-audit.json --md out/demo-audit.md --html out/demo-audit.html
sed -n '1,12p' out/demo-audit.md

echo "== eaft train: 4 steps of static-gate EAFT on the shards (random-init model, so only a smoke run)" >&2
"$EAFT" train --model demo/build/model --data out/demo --output-dir out/demo-train --loss eaft --gate static \
  --steps 4 --lr 1e-3 --warmup 0 --batch-tokens 4096 >&2
tail -n 1 out/demo-train/metrics.jsonl

echo "== Python reader (python/eaft_shards.py)" >&2
python3 python/eaft_shards.py out/demo --dump 1 | python3 -c "import json,sys; s=json.loads(sys.stdin.readline()); print({k: (v[:8] if isinstance(v, list) else v) for k, v in s.items()})"
echo "done: out/demo (shards), out/demo-audit.html (report), out/demo-rejects.jsonl (dropped records), out/demo-train (checkpoint, metrics, report)"
