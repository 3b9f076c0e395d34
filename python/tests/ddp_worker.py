"""One rank of the DDP equivalence test (test_ddp.py), or the single-process reference (--world 1).

Each optimizer step takes the next GLOBAL samples of the shard order; rank r of W gets every W-th one
(ShardIterableDataset), pads them with EAFTCollator and computes
    loss_r = eaft_loss(..., num_items_in_batch = label tokens of the whole global batch (all-reduced)) * W
(DDP averages gradients over ranks, so the factor W makes the averaged gradient the global one; HF
Trainer does the same with average_tokens_across_devices). The step's reported loss is the all-reduced
sum of the ranks' weighted CE sums over the global label count.

    python ddp_worker.py --rank R --world W --port P --shards DIR --model DIR --mode hybrid --out FILE
"""
import argparse
import json
import os
import sys

import torch
import torch.distributed as dist

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from eaft.shards import ShardIterableDataset  # noqa: E402
from eaft.torch import EAFTCollator, eaft_loss  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rank", type=int, default=0)
    ap.add_argument("--world", type=int, default=1)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--shards", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--mode", default="hybrid")
    ap.add_argument("--global-batch", type=int, default=8)
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    torch.set_num_threads(1)
    import transformers

    ddp = a.world > 1
    if ddp:
        dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{a.port}", rank=a.rank, world_size=a.world)
    model = transformers.AutoModelForCausalLM.from_pretrained(a.model, dtype=torch.float32, attn_implementation="eager")
    model.train()
    net = torch.nn.parallel.DistributedDataParallel(model) if ddp else model
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01, foreach=False)
    data = iter(ShardIterableDataset(a.shards, rank=a.rank, world_size=a.world))
    collate = EAFTCollator()
    per_rank = a.global_batch // a.world
    out = []
    for step in range(a.steps):
        b = collate([next(data) for _ in range(per_rank)])
        n_local = int((b["labels"][:, 1:] != -100).sum())
        n = torch.tensor([n_local], dtype=torch.float64)
        if ddp:
            dist.all_reduce(n)
        opt.zero_grad(set_to_none=True)
        logits = net(input_ids=b["input_ids"], attention_mask=b["attention_mask"], use_cache=False).logits
        loss, st = eaft_loss(logits, b["labels"], gate=b["eaft_gate"], mode=a.mode, num_items_in_batch=n,
                             return_stats=True)
        (loss * a.world).backward()
        wsum = torch.tensor([st["weighted_sum"], st["ce_sum"]], dtype=torch.float64)
        if ddp:
            dist.all_reduce(wsum)
        gnorm = torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        out.append({"step": step + 1, "loss": float(wsum[0] / n), "ce": float(wsum[1] / n), "label_tokens": int(n),
                    "grad_norm": float(gnorm)})
    if a.rank == 0:
        with open(a.out, "w") as fh:
            json.dump(out, fh)
    if ddp:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
