#!/usr/bin/env bash
# Sets up and runs the main job on the embedded default (data that lives in this repo).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release
.build/release/eaft --help
