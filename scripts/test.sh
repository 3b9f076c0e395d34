#!/usr/bin/env bash
# Runs the whole test suite (release mode: numeric tests and parity checks are fast there).
# `swift test` builds with testable imports enabled, which `swift build -c release` would not.
# Tests that need ../shared skip with a message when it is absent.
# The kernel tests run on the GEMM kernel eaft itself chooses: eaft is built first and
# `eaft kernel --env` exports OPENBLAS_CORETYPE when OpenBLAS would fall back to a generic
# core on this CPU (it prints nothing on CPUs OpenBLAS recognises; a user's setting is kept).
# The thread-split bit-identity tests also run under every other OpenBLAS core this CPU can
# execute (Haswell, Zen, SkylakeX, Cooperlake), since Threads.SplitPolicy is per core.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --build-tests -Xswiftc -enable-testing
eval "$(.build/release/eaft kernel --env)"
.build/release/eaft kernel
level=$(.build/release/eaft kernel | sed -n 's/.*supports \(.*\)$/\1/p')
cores=()
case "$level" in
  AVX-512) cores=(Haswell Zen SkylakeX Cooperlake) ;;
  AVX2+FMA) cores=(Haswell Zen) ;;
esac
xctest=$(ls -d .build/release/*PackageTests.xctest | head -n 1)
log=$(mktemp)
for core in "${cores[@]}"; do
  if ! OPENBLAS_CORETYPE=$core "$xctest" KernelsTests.ThreadsTests > "$log" 2>&1; then
    cat "$log"; echo "ThreadsTests failed under OPENBLAS_CORETYPE=$core"; exit 1
  fi
  echo "ThreadsTests under OPENBLAS_CORETYPE=$core: $(grep -m1 'Executed' "$log")"
done
rm -f "$log"
swift test -c release --skip-build
