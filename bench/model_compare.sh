#!/usr/bin/env bash
# Scoring throughput: eaft vs PyTorch (bench_torch.py from the reference) in the SAME run,
# interleaved, plus OpenBLAS sgemm peak. Prints JSON lines (one per measurement).
# Usage: TORCH_PY=/work/venv-torch/bin/python bash bench/model_compare.sh [rounds]
# Needs a release build (swift build -c release --product eaft) and ../shared/reference/bench.
source "$(dirname "$0")/compare_setup.sh"
ROUNDS=${1:-2}
for r in $(seq "$ROUNDS"); do
  echo "{\"round\": $r, \"sgemm\": \"$(/tmp/eaft_sgemm_bench 2048 10)\"}"
  $EAFT bench model --shape small --batch 8 --seq 256 --reps 10
  "$TORCH_PY" "$REF/bench_torch.py" score small 8 256 10
  $EAFT bench model --shape smollm2-135m-shape --batch 4 --seq 512 --reps 3
  "$TORCH_PY" "$REF/bench_torch.py" score smollm2-135m-shape 4 512 3
done
