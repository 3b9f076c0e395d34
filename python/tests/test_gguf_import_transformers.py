"""`eaft model import` of the real SmolLM2 GGUF gives a folder that transformers loads unchanged and
that computes what transformers computes from the GGUF itself (shared/reference/gguf goldens).
Needs the eaft binary (.build/release/eaft or $EAFT_BIN) and the GGUF in the cache
(scripts/fetch_smollm2.sh, run by scripts/setup.sh); skips with a message otherwise."""
import os
import subprocess
import sys

import pytest

from conftest import REPO, SHARED


def test_imported_smollm2_loads_in_transformers(tmp_path):
    ref = os.path.join(SHARED, "reference", "gguf", "smollm2-135m-instruct")
    if not os.path.isfile(os.path.join(ref, "golden.safetensors")):
        pytest.skip(f"SmolLM2 goldens not found at {ref}")
    eaft = os.environ.get("EAFT_BIN") or os.path.join(REPO, ".build", "release", "eaft")
    if not os.access(eaft, os.X_OK):
        pytest.skip("eaft binary not built (swift build -c release)")
    cache = os.environ.get("EAFT_CACHE") or os.path.expanduser("~/.cache/eaft")
    gguf = os.path.join(cache, "smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf")
    if not os.path.isfile(gguf):
        pytest.skip(f"{gguf} not fetched (bash scripts/fetch_smollm2.sh)")
    out = tmp_path / "smollm2"
    subprocess.run([eaft, "model", "import", gguf, "--out", str(out)], check=True, capture_output=True)
    r = subprocess.run([sys.executable, os.path.join(REPO, "scripts", "check_import_transformers.py"), str(out), ref],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert '"tokenizer_id_mismatches": 0' in r.stdout
