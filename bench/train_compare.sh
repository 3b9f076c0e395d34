#!/usr/bin/env bash
# Training throughput: eaft vs PyTorch in the SAME run, interleaved, on the BASELINES.md
# training shapes, plus OpenBLAS sgemm peak. Prints JSON lines (one per measurement).
# Usage: TORCH_PY=/work/venv-torch/bin/python bash bench/train_compare.sh [rounds]
# Needs a release build (swift build -c release --product eaft) and ../shared/reference/bench.
source "$(dirname "$0")/compare_setup.sh"
ROUNDS=${1:-1}
for r in $(seq "$ROUNDS"); do
  echo "{\"round\": $r, \"sgemm\": \"$(/tmp/eaft_sgemm_bench 2048 10)\"}"
  $EAFT bench train --shape small --batch 8 --seq 256 --reps 5 --variants sft,eaft,eaft-static
  "$TORCH_PY" scripts/train_bench_torch.py 8 256 5
  $EAFT bench train --shape smollm2-135m-shape --batch 4 --seq 512 --reps 3 --variants sft,eaft,eaft-static
  (cd "$REF" && "$TORCH_PY" bench_torch.py train smollm2-135m-shape 4 512 3)
done
