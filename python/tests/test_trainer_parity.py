"""3 AdamW steps of static, dynamic and hybrid EAFT through transformers' Qwen3ForCausalLM +
eaft.torch reproduce the bundled trainer's metrics (``eaft train``) on the same eaft shards.

Fixture (scripts/torch_parity_fixture.sh): shards written by ``eaft run`` (48 demo records,
scored by shared/reference/qwen3-tiny) and the metrics of ``eaft train`` with TRAIN below.
When a built ``eaft`` binary is found (``$EAFT_BIN``, or .build/release|debug/eaft) the runs are
repeated live and compared too, so the fixture cannot go stale unnoticed.

PyTorch side: the trainer's data order and micro-batches (eaft.reference), EAFTCollator(packing=True)
(one row, position_ids restarting per sample), eaft_loss with num_items_in_batch = label tokens of the
optimizer step, torch.nn.utils.clip_grad_norm_, torch.optim.AdamW(foreach=False), transformers'
get_cosine_schedule_with_warmup.

Tolerance: 1e-5 relative on loss, ce and grad_norm at each step (the issue's bar; the Swift
trajectory tests observed <= 3e-7 on losses over 10 steps); lr 1e-12 absolute; token counts exact.
"""
import glob
import json
import math
import os
import subprocess

import pytest
import torch

from conftest import PYDIR, REPO, rel, reference

transformers = pytest.importorskip("transformers")
from eaft import reference as R  # noqa: E402
from eaft.shards import ShardDataset  # noqa: E402
from eaft.torch import EAFTCollator, eaft_loss, topk_gate  # noqa: E402

FX = os.path.join(PYDIR, "tests", "fixtures")
SHARDS = os.path.join(FX, "shards-qwen3-tiny")
TRAIN = dict(lr=1e-3, schedule="cosine", warmup=0.0, steps=3, batch_tokens=1024, batch_samples=16, grad_accum=2,
             seed=7, shuffle=True, max_grad_norm=1.0, weight_decay=0.01, lam=0.5)
RTOL = 1e-5


def torch_run(mode, model_dir, data, cfg=TRAIN, packing=True):
    """Trains like ``eaft train`` and returns its metrics (step, loss, ce, lr, grad_norm, tokens, label_tokens)."""
    torch.manual_seed(0)
    model = transformers.AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32, attn_implementation="eager")
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=cfg["lr"], betas=(0.9, 0.999), eps=1e-8,
                            weight_decay=cfg["weight_decay"], foreach=False)
    total = cfg["steps"]
    sched = transformers.get_cosine_schedule_with_warmup(opt, R.warmup_steps(cfg["warmup"], total), total)
    steps = R.optimizer_steps([len(s["ids"]) for s in data], batch_tokens=cfg["batch_tokens"],
                              batch_samples=cfg["batch_samples"], grad_accum=cfg["grad_accum"], steps=total,
                              seed=cfg["seed"], shuffle=cfg["shuffle"])
    collate = EAFTCollator(packing=packing)
    out = []
    for k, mbs in enumerate(steps):
        batches = [collate([data[i] for i in mb]) for mb in mbs]
        n = sum(int((b["labels"][:, 1:] != -100).sum()) for b in batches)
        opt.zero_grad(set_to_none=True)
        wsum = cesum = 0.0
        tokens = sum(len(data[i]["ids"]) for mb in mbs for i in mb)
        for b in batches:
            fwd = {"input_ids": b["input_ids"], "use_cache": False}  # a cache would disable packed masking
            fwd.update({"position_ids": b["position_ids"]} if packing else {"attention_mask": b["attention_mask"]})
            logits = model(**fwd).logits
            loss, st = eaft_loss(logits, b["labels"], gate=b["eaft_gate"], mode=mode, lam=cfg["lam"],
                                 num_items_in_batch=n, return_stats=True)
            loss.backward()
            wsum += st["weighted_sum"]
            cesum += st["ce_sum"]
        norm = math.sqrt(sum(float((p.grad.double() ** 2).sum()) for p in model.parameters() if p.grad is not None))
        if cfg["max_grad_norm"] > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), cfg["max_grad_norm"])
        lr = sched.get_last_lr()[0]
        opt.step()
        sched.step()
        out.append(dict(step=k + 1, loss=wsum / n, ce=cesum / n, lr=lr, grad_norm=norm, tokens=tokens, label_tokens=n))
    return out


def compare(mine, ref, what):
    assert len(mine) == len(ref)
    worst = 0.0
    for a, b in zip(mine, ref):
        assert a["label_tokens"] == b["label_tokens"], f"{what} step {a['step']}"
        assert a["tokens"] == b["tokens"], f"{what} step {a['step']}"
        assert abs(a["lr"] - b["lr"]) < 1e-12, f"{what} step {a['step']} lr"
        for key in ("loss", "ce", "grad_norm"):
            e = rel(a[key], b[key])
            worst = max(worst, e)
            assert e < RTOL, f"{what} step {a['step']} {key}: torch {a[key]} vs eaft train {b[key]} (rel {e:.2e})"
    return worst


@pytest.fixture(scope="module")
def data():
    return list(ShardDataset(SHARDS, verify=True))


@pytest.fixture(scope="module")
def fixture_metrics():
    with open(os.path.join(FX, "trainer_metrics.json")) as fh:
        return json.load(fh)["runs"]


def test_stored_gates_are_the_models_gates(data):
    """The shards' static gates (scored by eaft run) equal transformers' top-20 gates of the same model
    (README stats tolerance 1e-4), so static EAFT at step 0 is dynamic EAFT at step 0."""
    model = transformers.AutoModelForCausalLM.from_pretrained(reference("qwen3-tiny"), dtype=torch.float32,
                                                              attn_implementation="eager")
    worst = 0.0
    with torch.no_grad():
        for s in data[:12]:
            ids = torch.from_numpy(s["ids"].astype("int64"))[None]
            g = topk_gate(model(input_ids=ids).logits[0, :-1], 20)
            worst = max(worst, float((g - torch.from_numpy(s["gate"][1:])).abs().max()))
    assert worst < 1e-4, worst


_RUNS = {}


def torch_run_cached(mode, data):
    if mode not in _RUNS:
        _RUNS[mode] = torch_run(mode, reference("qwen3-tiny"), data)
    return _RUNS[mode]


@pytest.mark.parametrize("mode", ["static", "dynamic", "hybrid"])
def test_three_adamw_steps_match_eaft_train(mode, data, fixture_metrics):
    mine = torch_run_cached(mode, data)
    worst = compare(mine, fixture_metrics[mode], mode)
    print(f"{mode}: worst rel diff vs eaft train (fixture) {worst:.2e}")


def test_padding_equals_packing(data, fixture_metrics):
    """Padded rows with an attention mask give the same trajectory as packed rows with position_ids."""
    compare(torch_run("static", reference("qwen3-tiny"), data, packing=False), fixture_metrics["static"], "static padded")


def test_modes_are_distinguishable(fixture_metrics):
    """The three runs differ by far more than the tolerance after step 1 (so the comparison can fail)."""
    s, d, h = (fixture_metrics[m][1]["loss"] for m in ("static", "dynamic", "hybrid"))
    assert rel(s, d) > 1e-2 and rel(h, d) > 1e-2 and rel(h, s) > 1e-2


def eaft_binary():
    env = os.environ.get("EAFT_BIN")
    if env:
        return env
    for p in (os.path.join(REPO, ".build", "release", "eaft"), os.path.join(REPO, ".build", "debug", "eaft")):
        if os.access(p, os.X_OK):
            return p
    return None


@pytest.mark.parametrize("mode", ["static", "dynamic", "hybrid"])
def test_live_eaft_train_matches(mode, data, tmp_path):
    """The same runs with the eaft binary, now (skipped when none is built)."""
    exe = eaft_binary()
    if exe is None:
        pytest.skip("no eaft binary (swift build -c release, or set EAFT_BIN)")
    c = TRAIN
    args = [exe, "train", "--model", reference("qwen3-tiny"), "--data", SHARDS, "--output-dir", str(tmp_path / "out"),
            "--loss", "eaft", "--gate", mode, "--lambda", str(c["lam"]), "--lr", str(c["lr"]), "--schedule", c["schedule"],
            "--warmup", str(c["warmup"]), "--steps", str(c["steps"]), "--batch-tokens", str(c["batch_tokens"]),
            "--batch-samples", str(c["batch_samples"]), "--grad-accum", str(c["grad_accum"]), "--seed", str(c["seed"]),
            "--shuffle", "true", "--max-grad-norm", str(c["max_grad_norm"]), "--weight-decay", str(c["weight_decay"])]
    subprocess.run(args, check=True, capture_output=True)
    with open(tmp_path / "out" / "metrics.jsonl") as fh:
        live = [json.loads(line) for line in fh]
    compare(torch_run_cached(mode, data), live, f"{mode} live")
