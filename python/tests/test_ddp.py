"""A 2-process DDP run (torch.distributed, gloo, 127.0.0.1) over the fixture shards gives the same
per-step loss as one process with the same global batch, within 1e-6 relative, over 3 AdamW steps of
hybrid EAFT (static gates from the shards + dynamic gates).

Why 1e-6: the ranks' forward passes see the same samples as the single process (padding to another
width changes nothing for the valid rows up to float rounding); gradients differ only by the order of
float32 sums (all-reduce of two halves vs one batch), ~1e-7 relative, which after two AdamW updates
moves the losses by ~1e-7.
"""
import json
import os
import socket
import subprocess
import sys

import pytest

from conftest import HERE, PYDIR, rel, reference

pytest.importorskip("transformers")
import torch  # noqa: E402

if not torch.distributed.is_available():
    pytest.skip("torch.distributed not available", allow_module_level=True)

SHARDS = os.path.join(PYDIR, "tests", "fixtures", "shards-qwen3-tiny")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def retry_once(launch):
    """Runs a multi-process launch; if it fails, runs it once more. The second attempt must pass.
    For the launch only (a port taken between `free_port` and bind, gloo aborting at interpreter
    shutdown: seen once in ~15 runs with torch 2.13); the numbers are asserted after it, unretried."""
    try:
        return launch()
    except AssertionError as first:
        print(f"multi-process launch failed once, retrying: {str(first)[-600:]}")
        return launch()


def run(world, out, mode, timeout=300):
    if world > 1:
        return retry_once(lambda: _run(world, out, mode, timeout))
    return _run(world, out, mode, timeout)


def _run(world, out, mode, timeout):
    base = [sys.executable, os.path.join(HERE, "ddp_worker.py"), "--world", str(world), "--shards", SHARDS,
            "--model", reference("qwen3-tiny"), "--mode", mode, "--out", str(out)]
    port = str(free_port())
    procs = [subprocess.Popen(base + ["--rank", str(r), "--port", port], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for r in range(world)]
    errs = []
    for p in procs:
        try:
            _, err = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            for q in procs:
                q.kill()
            raise
        errs.append(err.decode(errors="replace")[-2000:])
    assert all(p.returncode == 0 for p in procs), "\n".join(errs)
    with open(out) as fh:
        return json.load(fh)


@pytest.mark.parametrize("mode", ["hybrid"])
def test_ddp_two_ranks_equals_one_process(mode, tmp_path):
    one = run(1, tmp_path / "one.json", mode)
    two = run(2, tmp_path / "two.json", mode)
    assert len(one) == len(two) == 3
    worst = 0.0
    for a, b in zip(two, one):
        assert a["label_tokens"] == b["label_tokens"]
        for key in ("loss", "ce"):
            e = rel(a[key], b[key])
            worst = max(worst, e)
            assert e < 1e-6, f"step {a['step']} {key}: 2 ranks {a[key]} vs 1 process {b[key]} (rel {e:.2e})"
        assert rel(a["grad_norm"], b["grad_norm"]) < 1e-5
    # the steps differ from each other (data and weights move), so equal losses are not a coincidence
    assert rel(one[0]["loss"], one[2]["loss"]) > 1e-3
    print(f"DDP vs single process, worst per-step rel diff: {worst:.2e}")


def test_hf_trainer_under_torchrun_equals_one_process(tmp_path):
    """transformers.Trainer + EAFTLoss under torchrun (2 CPU processes, gloo, 127.0.0.1): one step over the
    same 8 samples (4 per rank vs 8 in one process; the step's loss is a sum over them / their label count,
    so which rank holds which sample does not matter) logs the same loss and grad norm within 1e-6.
    This checks the Trainer's cross-device token count (average_tokens_across_devices) with EAFTLoss."""
    pytest.importorskip("accelerate")
    worker = os.path.join(HERE, "trainer_ddp_worker.py")
    model = reference("qwen3-tiny")
    env = dict(os.environ, OMP_NUM_THREADS="1")
    one = subprocess.run([sys.executable, worker, SHARDS, model, str(tmp_path / "one.json"), "8"],
                         capture_output=True, text=True, timeout=300, env=env)
    assert one.returncode == 0, one.stderr[-3000:]
    def launch():
        two = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--nproc-per-node", "2", "--master-addr", "127.0.0.1",
                              "--master-port", str(free_port()), worker, SHARDS, model, str(tmp_path / "two.json"), "4"],
                             capture_output=True, text=True, timeout=300, env=env)
        assert two.returncode == 0, two.stderr[-3000:]
    retry_once(launch)
    a, b = (json.load(open(tmp_path / f)) for f in ("one.json", "two.json"))
    assert a["world"] == 1 and b["world"] == 2
    assert rel(b["loss"], a["loss"]) < 1e-6, (a, b)
    assert rel(b["grad_norm"], a["grad_norm"]) < 1e-6, (a, b)
    print(f"Trainer DDP vs 1 process: loss rel {rel(b['loss'], a['loss']):.2e}, grad norm rel {rel(b['grad_norm'], a['grad_norm']):.2e}")
