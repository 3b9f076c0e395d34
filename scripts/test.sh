#!/usr/bin/env bash
# Runs the whole test suite (release mode: numeric tests and parity checks are fast there).
# `swift test` builds with testable imports enabled, which `swift build -c release` would not.
# Tests that need ../shared skip with a message when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
swift test -c release
