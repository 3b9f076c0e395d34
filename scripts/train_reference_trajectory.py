#!/usr/bin/env python3
"""PyTorch reference trajectories for the Swift trainer (`eaft train`).

Trains a tiny reference model (shared/reference/<model>) with torch + transformers for a few
optimizer steps, reproducing the Swift trainer's data order and batching exactly:
  * epoch order: Fisher-Yates driven by SplitMix64 seeded with seed ^ (epoch * 0x9E3779B97F4A7C15)
  * greedy micro-batches by token budget / sample cap, `grad_accum` micro-batches per step
    (a step never spans two epochs)
  * loss = sum(w * CE) / N, N = label tokens of the whole optimizer step, w detached
    (sft: 1, eaft: top-20 entropy / ln 20 of the current logits)
  * torch.nn.utils.clip_grad_norm_, torch.optim.AdamW(foreach=False), HF schedules
    (get_cosine_schedule_with_warmup / get_constant_schedule), warmup = ceil(ratio * total)
Each sample is run as its own sequence (batch of one), which is what packing without
cross-attention computes. Writes JSON: per run, per step loss (before the update), lr, grad_norm.

    /work/venv-torch/bin/python scripts/train_reference_trajectory.py \
        --out Tests/Fixtures/training/reference_trajectory.json

Needs torch 2.15.0 + transformers 5.23.0 (not in CI; the output is committed).
"""
import argparse
import json
import math
import os

import sys

import torch
import transformers

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
# The trainer's data order and micro-batches, shared with the Python package's parity tests.
from eaft.reference import epoch_order, plan  # noqa: E402

TOPK = 20

RUNS = [
    # name, model, loss, schedule, warmup, lr, batch_tokens, batch_samples, grad_accum, steps, shuffle, max_grad_norm
    dict(name="qwen3-eaft-cosine-accum", model="qwen3-tiny", loss="eaft", schedule="cosine", warmup=0.1, lr=1e-3,
         batch_tokens=256, batch_samples=8, grad_accum=2, steps=10, shuffle=True, max_grad_norm=1.0, seed=7),
    dict(name="qwen2-sft-constant-fullbatch", model="qwen2-tiny", loss="sft", schedule="constant", warmup=0.0, lr=1e-3,
         batch_tokens=100000, batch_samples=1000, grad_accum=1, steps=10, shuffle=False, max_grad_norm=0.0, seed=0),
    dict(name="llama-eaft-linear", model="llama-tiny", loss="eaft", schedule="linear", warmup=0.2, lr=5e-4,
         batch_tokens=512, batch_samples=16, grad_accum=1, steps=10, shuffle=True, max_grad_norm=1.0, seed=3),
]


def schedule_factor(kind, k, w, n):
    if k < w:
        return k / max(1, w)
    if kind == "cosine":
        progress = (k - w) / max(1, n - w)
        return max(0.0, 0.5 * (1.0 + math.cos(math.pi * 0.5 * 2.0 * progress)))
    if kind == "linear":
        return max(0.0, (n - k) / max(1, n - w))
    return 1.0


def sample_terms(model, ids, mask, loss_kind):
    """Returns (sum of w*CE, sum of CE) over the sample's label tokens (w detached)."""
    x = torch.tensor([ids])
    logits = model(input_ids=x).logits[0, :-1].float()
    tgt = torch.tensor(ids[1:])
    sel = torch.tensor(mask[1:]) == 1
    logp = torch.log_softmax(logits, -1)
    ce = -logp.gather(-1, tgt[:, None])[:, 0]
    if loss_kind == "eaft":
        with torch.no_grad():
            top = torch.topk(logits, TOPK, dim=-1).values
            tl = torch.log_softmax(top, -1)
            w = -(tl.exp() * tl).sum(-1) / math.log(TOPK)
    else:
        w = torch.ones_like(ce)
    return (w * ce)[sel].sum(), ce[sel].sum().detach()


def run(cfg, ref_root, data):
    torch.manual_seed(0)
    d = os.path.join(ref_root, cfg["model"])
    model = transformers.AutoModelForCausalLM.from_pretrained(d, dtype=torch.float32, attn_implementation="eager")
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=cfg["lr"], betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01, foreach=False)
    total = cfg["steps"]
    warm = math.ceil(total * cfg["warmup"])
    lengths = [len(s["ids"]) for s in data]
    epoch, mb, steps = 0, 0, []
    p = plan(epoch_order(len(data), cfg["seed"], 0, cfg["shuffle"]), lengths, cfg["batch_tokens"], cfg["batch_samples"])
    for k in range(total):
        if mb >= len(p):
            epoch, mb = epoch + 1, 0
            p = plan(epoch_order(len(data), cfg["seed"], epoch, cfg["shuffle"]), lengths, cfg["batch_tokens"], cfg["batch_samples"])
        order = epoch_order(len(data), cfg["seed"], epoch, cfg["shuffle"])
        mbs = p[mb:mb + cfg["grad_accum"]]
        samples = [[data[order[i]] for i in range(a, b)] for a, b in mbs]
        n = sum(sum(s["mask"][1:]) for m in samples for s in m)
        lr = cfg["lr"] * schedule_factor(cfg["schedule"], k, warm, total)
        for g in opt.param_groups:
            g["lr"] = lr
        opt.zero_grad(set_to_none=True)
        loss_total = 0.0
        for m in samples:
            wsum = 0
            for s in m:
                w, _ = sample_terms(model, s["ids"], s["mask"], cfg["loss"])
                wsum = wsum + w
            loss = wsum / n
            loss.backward()
            loss_total += loss.item()
        norm = math.sqrt(sum(float((q.grad.double() ** 2).sum()) for q in model.parameters() if q.grad is not None))
        if cfg["max_grad_norm"] > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), cfg["max_grad_norm"])
        opt.step()
        mb += len(mbs)
        steps.append(dict(step=k + 1, loss=loss_total, lr=lr, grad_norm=norm, label_tokens=n))
        print(cfg["name"], steps[-1])
    return steps


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ref-root", default=os.path.join(os.path.dirname(__file__), "..", "..", "shared", "reference"))
    ap.add_argument("--data", default=os.path.join(os.path.dirname(__file__), "..", "Tests", "Fixtures", "training", "train.jsonl"))
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    with open(a.data) as f:
        data = [json.loads(line) for line in f if line.strip()]
    out = dict(generator="scripts/train_reference_trajectory.py", torch=torch.__version__,
               transformers=transformers.__version__, data="Tests/Fixtures/training/train.jsonl", runs=[])
    for cfg in RUNS:
        out["runs"].append(dict(config=cfg, steps=run(cfg, a.ref_root, data)))
    with open(a.out, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
