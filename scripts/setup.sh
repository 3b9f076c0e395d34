#!/usr/bin/env bash
# Installs what eaft needs on a fresh Debian 12 machine with Swift:
# C libraries (OpenBLAS, zstd, snappy, zlib) and the Python reference tools used by tests.
set -euo pipefail
cd "$(dirname "$0")/.."
# chromium: the audit's HTML token view is tested in a real headless browser.
pkgs=(pkg-config libopenblas-dev libzstd-dev libsnappy-dev zlib1g-dev chromium)
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi
if ! python3 -c "import pyarrow, numpy, zstandard, tokenizers" >/dev/null 2>&1; then
  python3 -m pip install -q -r python/requirements.txt
fi
# SmolLM2-135M-Instruct (GGUF, 98 MB) into $EAFT_CACHE for the GGUF import tests; optional.
scripts/fetch_smollm2.sh >/dev/null || echo "setup: SmolLM2 GGUF not fetched (offline?); its tests will skip" >&2
