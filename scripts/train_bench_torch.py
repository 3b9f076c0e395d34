#!/usr/bin/env python3
"""PyTorch side of the trainer benchmark (BENCHMARKS.md "Trainer"): one training step =
forward, loss (sft, or EAFT with the top-20-entropy gate, dynamic), backward, AdamW — the same
step as shared/reference/bench/bench_torch.py `train`, plus an SFT variant and per-step CPU time.
Random-init Qwen3 "small" shape (H256, 4 layers, 4/2 heads, hd 64, I768, V8192, tied), float32.

    OMP_NUM_THREADS=2 /work/venv-torch/bin/python scripts/train_bench_torch.py [batch seq reps]
Prints one JSON line per variant.
"""
import json
import math
import resource
import statistics
import sys
import time

import torch
from transformers import Qwen3Config, Qwen3ForCausalLM

TOPK = 20


def loss_fn(logits, ids, variant):
    lg = logits[:, :-1]
    logp = torch.log_softmax(lg, -1)
    ce = -logp.gather(-1, ids[:, 1:, None]).squeeze(-1)
    if variant == "sft":
        return ce.mean()
    with torch.no_grad():
        top = torch.topk(lg, TOPK, dim=-1).values
        tl = torch.log_softmax(top, -1)
        gate = -(tl.exp() * tl).sum(-1) / math.log(TOPK)
    return (gate * ce).mean()


def main():
    bsz = int(sys.argv[1]) if len(sys.argv) > 1 else 8
    seq = int(sys.argv[2]) if len(sys.argv) > 2 else 256
    reps = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    torch.set_num_threads(2)
    cfg = Qwen3Config(vocab_size=8192, hidden_size=256, num_hidden_layers=4, num_attention_heads=4,
                      num_key_value_heads=2, head_dim=64, intermediate_size=768, tie_word_embeddings=True,
                      rope_theta=1e6, rms_norm_eps=1e-6, max_position_embeddings=4096)
    cfg._attn_implementation = "sdpa"
    torch.manual_seed(0)
    model = Qwen3ForCausalLM(cfg).float().train()
    ids = torch.randint(0, cfg.vocab_size, (bsz, seq), generator=torch.Generator().manual_seed(1))
    opt = torch.optim.AdamW(model.parameters(), lr=1e-5, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)
    variants = ["sft", "eaft"]
    walls = {v: [] for v in variants}
    cpus = {v: [] for v in variants}
    for r in range(reps + 1):  # round-robin so load drift hits both variants alike
        for variant in variants:
            t0, c0 = time.perf_counter(), time.process_time()
            opt.zero_grad(set_to_none=True)
            loss_fn(model(input_ids=ids).logits, ids, variant).backward()
            opt.step()
            if r > 0:
                walls[variant].append(time.perf_counter() - t0)
                cpus[variant].append(time.process_time() - c0)
    for variant in variants:
        med = statistics.median(walls[variant])
        print(json.dumps(dict(impl="torch", shape="small", variant=variant, batch=bsz, seq=seq, reps=reps,
                              median_s=med, tokens_per_s=bsz * seq / med, min_s=min(walls[variant]),
                              median_cpu_s=statistics.median(cpus[variant]), times_s=[round(t, 4) for t in walls[variant]],
                              peak_rss_mib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)))

if __name__ == "__main__":
    main()
