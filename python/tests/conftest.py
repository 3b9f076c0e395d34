"""Shared paths and helpers for the eaft Python tests.

The reference checkpoints and goldens live in ``../shared/reference`` beside the repository (or
``$EAFT_SHARED/reference``); tests that need them skip when they are absent, like the Swift tests.
"""
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
PYDIR = os.path.dirname(HERE)
REPO = os.path.dirname(PYDIR)
sys.path.insert(0, PYDIR)

SHARED = os.environ.get("EAFT_SHARED") or os.path.join(os.path.dirname(REPO), "shared")
REFERENCE = os.path.join(SHARED, "reference")
MODELS = ["qwen3-tiny", "qwen2-tiny", "llama-tiny"]


def reference(name):
    d = os.path.join(REFERENCE, name)
    if not os.path.isfile(os.path.join(d, "golden.safetensors")):
        pytest.skip(f"reference model {name} not found at {d} (set EAFT_SHARED or place ../shared beside the repo)")
    return d


def rel_l2(a, b):
    """||a - b|| / ||b|| in float64."""
    import torch
    a, b = a.double(), b.double()
    den = b.norm()
    return float((a - b).norm() / den) if den > 0 else float((a - b).norm())


def rel(a, b):
    f = lambda x: float(x.detach()) if hasattr(x, "detach") else float(x)
    return abs(f(a) - f(b)) / abs(f(b))


def eaft_binary():
    """The eaft executable ($EAFT_BIN or .build/release/eaft); skips the test when it is not built."""
    eaft = os.environ.get("EAFT_BIN") or os.path.join(REPO, ".build", "release", "eaft")
    if not os.access(eaft, os.X_OK):
        pytest.skip("eaft binary not built (swift build -c release)")
    return eaft


def smollm2_gguf():
    """The cached SmolLM2-135M-Instruct GGUF (scripts/fetch_smollm2.sh); skips the test when absent."""
    cache = os.environ.get("EAFT_CACHE") or os.path.expanduser("~/.cache/eaft")
    gguf = os.path.join(cache, "smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf")
    if not os.path.isfile(gguf):
        pytest.skip(f"{gguf} not fetched (bash scripts/fetch_smollm2.sh)")
    return gguf
