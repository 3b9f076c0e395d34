#!/usr/bin/env bash
# Tests of the Python package (python/eaft): installs the torch venv if needed (scripts/setup_torch.sh)
# and runs pytest on python/tests. Extra arguments go to pytest (e.g. -k ddp, -x).
# Tests needing ../shared/reference skip when it is absent; with a built eaft binary
# (.build/release/eaft or $EAFT_BIN) the trainer-parity tests also run `eaft train` live.
# Takes ~3 min here (2 shared cores), plus ~1.5 min for a first venv.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=$(bash scripts/setup_torch.sh)
cd python
set +e
"$PY" -m pytest -q -p no:cacheprovider tests "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
  # pytest: no tests collected (e.g. a -k filter matching nothing) -- say so, do not fail the run
  echo "test_python: pytest collected no tests" >&2
  exit 0
fi
exit "$rc"
