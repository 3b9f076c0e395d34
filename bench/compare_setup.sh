# Sourced by bench/model_compare.sh and bench/train_compare.sh: repo root, reference paths,
# 2 threads for every library, the OpenBLAS sgemm peak probe, and the eaft binary.
set -euo pipefail
cd "$(dirname "$0")/.."
REF=${REF:-../shared/reference/bench}
TORCH_PY=${TORCH_PY:-/work/venv-torch/bin/python}
export OMP_NUM_THREADS=2 MKL_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2
gcc -O2 -o /tmp/eaft_sgemm_bench "$REF/sgemm_bench.c" -lopenblas
EAFT=.build/release/eaft
