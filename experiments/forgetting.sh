#!/usr/bin/env bash
# The forgetting experiment, end to end on this CPU (≈ 30 min on 2 cores):
#  1. data + an eaft-trained 8k BPE (forgetting_prep.py);
#  2. pretrain a small Qwen3-architecture base model (5.2 M params, H256, 4 layers) from random
#     init on general English text + GSM8K-style math (2 epochs, 1.66 M tokens each);
#  3. build medical SFT shards with `eaft run` (MedMCQA + PubMedQA + HuatuoGPT-o1, chat template,
#     verified, deduplicated, every label token scored under the base: static gates) and a
#     held-out medical set (MedQA, a dataset not trained on);
#  4. fine-tune the base with sft, eaft (static gate from the shards) and eaft (dynamic gate)
#     with the same data, order, steps and lr; evaluate general (wikitext-2 test, never trained
#     on) and target loss before and after;
#  5. print the table: forgetting = increase of the general loss.
# Usage: bash experiments/forgetting.sh [WORK_DIR]   (needs ../shared and a release build)
set -euo pipefail
cd "$(dirname "$0")/.."
W=${1:-out/forgetting}
SHARED=${EAFT_SHARED:-../shared}
E=$PWD/.build/release/eaft
FT_LR=${FT_LR:-5e-4}
mkdir -p "$W"
W=$(cd "$W" && pwd)
python3 experiments/forgetting_prep.py "$SHARED/data" "$E" "$W"
if [ ! -f "$W/base/config.json" ]; then
  "$E" model init --config experiments/base-config.json --out "$W/base0" --seed 1 > /dev/null
  cp "$W/tokenizer.json" "$W/base0/"
  "$E" train --model "$W/base0" --data "$W/pretrain.jsonl" --loss sft --lr 2e-3 --warmup 0.03 --schedule cosine \
    --batch-tokens 8192 --epochs 2 --weight-decay 0.1 --eval-general "$W/eval_general.jsonl" \
    --eval-target "$W/eval_math.jsonl" --eval-interval 100 --output-dir "$W/pretrain" > "$W/pretrain.json"
  last="$W/pretrain/checkpoint-$(ls "$W/pretrain" | sed -n 's/^checkpoint-\([0-9]*\)$/\1/p' | sort -n | tail -1)"
  rm -rf "$W/base"; cp -r "$last" "$W/base"; cp "$W/tokenizer.json" "$W/base/"
fi
for spec in med_train med_eval; do
  sed -e "s#@SHARED@#$SHARED#g" -e "s#@W@#$W#g" "experiments/$spec.yaml" > "$W/$spec.yaml"
  "$E" run "$W/$spec.yaml" > "$W/$spec.manifest.json"
done
for v in sft eaft-static eaft-dynamic; do
  case $v in
    sft) args=(--loss sft) ;;
    eaft-static) args=(--loss eaft --gate static) ;;
    eaft-dynamic) args=(--loss eaft --gate dynamic) ;;
  esac
  "$E" train --model "$W/base" --data "$W/med_train" "${args[@]}" --lr "$FT_LR" --warmup 0.03 --schedule cosine \
    --batch-tokens 8192 --epochs 1 --seed 7 --eval-general "$W/eval_general.jsonl" --eval-target "$W/med_eval" \
    --output-dir "$W/ft-$v" > "$W/ft-$v.json"
done
python3 experiments/forgetting_report.py "$W"
