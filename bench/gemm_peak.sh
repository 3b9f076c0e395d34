#!/usr/bin/env bash
# f32 GEMM peak of this CPU per candidate kernel (BENCHMARKS.md "GEMM peak"): OpenBLAS with each
# x86 core it can run here, and oneDNN (libdnnl-dev) if installed. Rounds interleave the
# candidates so machine-load drift hits them alike. Usage: bash bench/gemm_peak.sh [N] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-2048}; rounds=${2:-3}
out=$(mktemp -d)
gcc -O2 bench/gemm_peak.c -o "$out/peak" -lopenblas
dnnl=0
if [ -f /usr/include/dnnl.h ]; then gcc -O2 -fopenmp -DWITH_DNNL bench/gemm_peak.c -o "$out/peak_dnnl" -lopenblas -ldnnl && dnnl=1; fi
grep -m1 -E "vendor_id|model name" /proc/cpuinfo | sed 's/^/# /'
for r in $(seq "$rounds"); do
  for t in 1 2; do
    env -u OPENBLAS_CORETYPE "$out/peak" "$n" 5 openblas "$t" | sed "s/}$/,\"round\":$r,\"chosen_by\":\"openblas\"}/"
    for core in Haswell Zen SkylakeX Cooperlake; do
      OPENBLAS_CORETYPE=$core "$out/peak" "$n" 5 openblas "$t" | sed "s/}$/,\"round\":$r}/"
    done
    OPENBLAS_CORETYPE=Prescott "$out/peak" "$n" 2 openblas "$t" | sed "s/}$/,\"round\":$r}/"
    [ "$dnnl" = 1 ] && "$out/peak_dnnl" "$n" 5 dnnl "$t" | sed "s/}$/,\"round\":$r}/"
  done
done
rm -rf "$out"
