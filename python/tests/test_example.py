"""examples/train_hf.py runs (2 steps, static EAFT, on the fixture shards and the shared qwen3-tiny) and
reports a finite loss; --packing --chunked --mode hybrid too."""
import json
import os
import subprocess
import sys

import pytest

from conftest import REPO, reference

pytest.importorskip("transformers")
pytest.importorskip("accelerate")


@pytest.mark.parametrize("extra", [[], ["--packing", "--chunked", "--mode", "hybrid"]], ids=["static", "packed-chunked-hybrid"])
def test_train_hf_example(extra, tmp_path):
    reference("qwen3-tiny")
    out = subprocess.run([sys.executable, os.path.join(REPO, "examples", "train_hf.py"), "--steps", "2",
                          "--output-dir", str(tmp_path / "out")] + extra, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    summary = json.loads(out.stdout.strip().splitlines()[-1])
    assert summary["steps"] == 2 and summary["samples"] == 48 and 0 < summary["last_loss"] < 20
    assert os.path.isfile(tmp_path / "out" / "model.safetensors")
