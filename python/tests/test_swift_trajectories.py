"""The Swift trainer's 10-step reference trajectories (Tests/Fixtures/training/reference_trajectory.json:
qwen3 eaft cosine with grad accumulation, qwen2 sft constant full batch, llama eaft linear) reproduced with
eaft.reference (data order, micro-batches) + EAFTCollator + eaft_loss, with TrajectoryTests.swift's
tolerances: loss rtol 1e-5 at every step, grad_norm rtol 1e-4, lr 1e-12 absolute, label tokens exact.
(The fixture was made by torch 2.15 + transformers 5.23 running each sample as its own batch; here
samples are packed per micro-batch, as eaft train does.)"""
import json
import math
import os

import pytest
import torch

from conftest import REPO, rel, reference

transformers = pytest.importorskip("transformers")
from eaft import reference as R  # noqa: E402
from eaft.shards import load_jsonl  # noqa: E402
from eaft.torch import EAFTCollator, eaft_loss  # noqa: E402

FX = os.path.join(REPO, "Tests", "Fixtures", "training")


def schedule(kind, opt, warm, total):
    if kind == "cosine":
        return transformers.get_cosine_schedule_with_warmup(opt, warm, total)
    if kind == "linear":
        return transformers.get_linear_schedule_with_warmup(opt, warm, total)
    return transformers.get_constant_schedule_with_warmup(opt, warm)


def runs():
    with open(os.path.join(FX, "reference_trajectory.json")) as fh:
        return json.load(fh)["runs"]


@pytest.mark.parametrize("run", runs(), ids=lambda r: r["config"]["name"])
def test_reference_trajectory(run):
    c = run["config"]
    data = load_jsonl(os.path.join(FX, "train.jsonl"))
    model = transformers.AutoModelForCausalLM.from_pretrained(reference(c["model"]), dtype=torch.float32,
                                                              attn_implementation="eager")
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=c["lr"], betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01, foreach=False)
    sched = schedule(c["schedule"], opt, R.warmup_steps(c["warmup"], c["steps"]), c["steps"])
    steps = R.optimizer_steps([len(s["ids"]) for s in data], batch_tokens=c["batch_tokens"], batch_samples=c["batch_samples"],
                              grad_accum=c["grad_accum"], steps=c["steps"], seed=c["seed"], shuffle=c["shuffle"])
    mode = {"eaft": "dynamic", "sft": "sft"}[c["loss"]]
    col = EAFTCollator(packing=True)
    worst = 0.0
    for mbs, ref in zip(steps, run["steps"]):
        batches = [col([data[i] for i in mb]) for mb in mbs]
        n = sum(int((b["labels"] != -100).sum()) for b in batches)
        assert n == ref["label_tokens"]
        opt.zero_grad(set_to_none=True)
        total = 0.0
        for b in batches:
            logits = model(input_ids=b["input_ids"], position_ids=b["position_ids"], use_cache=False).logits
            loss, st = eaft_loss(logits, b["labels"], mode=mode, num_items_in_batch=n, return_stats=True)
            loss.backward()
            total += st["weighted_sum"]
        norm = math.sqrt(sum(float((p.grad.double() ** 2).sum()) for p in model.parameters() if p.grad is not None))
        if c["max_grad_norm"] > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), c["max_grad_norm"])
        lr = sched.get_last_lr()[0]
        opt.step()
        sched.step()
        assert abs(lr - ref["lr"]) < 1e-12
        e = rel(total / n, ref["loss"])
        worst = max(worst, e)
        assert e < 1e-5, f"step {ref['step']}: loss {total / n} vs {ref['loss']}"
        assert rel(norm, ref["grad_norm"]) < 1e-4
    print(f"{c['name']}: worst loss rel diff {worst:.2e}")
