#!/usr/bin/env bash
# Runs the whole test suite (release mode: numeric tests and parity checks are fast there).
# Tests that need ../shared skip with a message when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --build-tests
swift test -c release --skip-build
