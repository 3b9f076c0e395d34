"""`eaft model import` of the real SmolLM2 GGUF gives a folder that transformers loads unchanged and
that computes what transformers computes from the GGUF itself (shared/reference/gguf goldens).
Needs the eaft binary (.build/release/eaft or $EAFT_BIN) and the GGUF in the cache
(scripts/fetch_smollm2.sh, run by scripts/setup.sh); skips with a message otherwise."""
import os
import subprocess
import sys

import pytest

from conftest import REPO, SHARED, eaft_binary, smollm2_gguf


def test_imported_smollm2_loads_in_transformers(tmp_path):
    ref = os.path.join(SHARED, "reference", "gguf", "smollm2-135m-instruct")
    if not os.path.isfile(os.path.join(ref, "golden.safetensors")):
        pytest.skip(f"SmolLM2 goldens not found at {ref}")
    eaft = eaft_binary()
    gguf = smollm2_gguf()
    out = tmp_path / "smollm2"
    subprocess.run([eaft, "model", "import", gguf, "--out", str(out)], check=True, capture_output=True)
    r = subprocess.run([sys.executable, os.path.join(REPO, "scripts", "check_import_transformers.py"), str(out), ref],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert '"tokenizer_id_mismatches": 0' in r.stdout
