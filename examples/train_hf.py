#!/usr/bin/env python3
"""Fine-tune a causal LM with the Hugging Face Trainer on eaft shards, with static EAFT
(arXiv 2601.02151): each label token's cross-entropy is weighted by its stored gate
(normalised top-20 entropy under the base model, written by `eaft run`).

    PY=$(bash scripts/setup_torch.sh)
    # the committed eaft-run fixture shards + the shared tiny reference model (CPU, ~1 min):
    $PY examples/train_hf.py
    # the demo pipeline's shards and the real SmolLM2 (bash scripts/demo.sh makes out/demo and demo/build/smollm2):
    $PY examples/train_hf.py --model demo/build/smollm2 --data out/demo --output-dir out/hf-demo --steps 10 --lr 1e-5 --batch-size 4

Other modes: --mode dynamic | hybrid (--lam 0.5, --hybrid min) | sft | pow | sigmoid | masked | dft.
--packing packs each micro-batch into one row (position_ids; no attention across samples);
--chunked computes the loss from the hidden states in chunks (no [tokens x vocab] logits).
On GPUs the same script runs under `torchrun --nproc-per-node N` / `accelerate launch` (DDP): the
Trainer counts label tokens across devices (average_tokens_across_devices) and EAFTLoss divides by it.
"""
import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "python"))  # or: pip install ./python

import torch  # noqa: E402
import transformers  # noqa: E402

from eaft.shards import TorchShardDataset  # noqa: E402
from eaft.torch import EAFTCollator, EAFTLoss  # noqa: E402


def main():
    shared = os.environ.get("EAFT_SHARED") or os.path.join(os.path.dirname(REPO), "shared")
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=os.path.join(shared, "reference", "qwen3-tiny"), help="HF model folder")
    ap.add_argument("--data", default=os.path.join(REPO, "python", "tests", "fixtures", "shards-qwen3-tiny"),
                    help="eaft shard directory (eaft run) or trainer JSONL")
    ap.add_argument("--output-dir", default=os.path.join(REPO, "out", "hf-eaft"))
    ap.add_argument("--mode", default="static")
    ap.add_argument("--lam", type=float, default=0.5)
    ap.add_argument("--hybrid", default="mix", choices=["mix", "min"])
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--batch-size", type=int, default=8)
    ap.add_argument("--grad-accum", type=int, default=1)
    ap.add_argument("--max-length", type=int, default=None)
    ap.add_argument("--packing", action="store_true")
    ap.add_argument("--chunked", action="store_true")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--threads", type=int, default=None)
    a = ap.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)

    model = transformers.AutoModelForCausalLM.from_pretrained(a.model, dtype=torch.float32)
    model.config.use_cache = False                       # training: no KV cache (packed rows need none)
    train = TorchShardDataset(a.data)
    collator = EAFTCollator(pad_token_id=model.config.pad_token_id or 0, packing=a.packing, max_length=a.max_length)
    loss_fn = EAFTLoss(mode=a.mode, lam=a.lam, hybrid=a.hybrid, chunked=a.chunked)
    args = transformers.TrainingArguments(
        output_dir=a.output_dir, max_steps=a.steps, learning_rate=a.lr, lr_scheduler_type="cosine",
        warmup_steps=0.03, weight_decay=0.01, max_grad_norm=1.0,          # the paper's / eaft train's defaults
        per_device_train_batch_size=a.batch_size, gradient_accumulation_steps=a.grad_accum,
        logging_steps=1, save_strategy="no", report_to="none", seed=a.seed, use_cpu=not torch.cuda.is_available(),
        remove_unused_columns=False,                                      # keep eaft_gate in the batch
        dataloader_num_workers=0)
    trainer = transformers.Trainer(model=model, args=args, train_dataset=train, data_collator=collator,
                                   compute_loss_func=loss_fn)
    loss_fn.install(trainer)                                              # pops eaft_gate before the forward
    t0 = time.time()
    trainer.train()
    trainer.save_model(a.output_dir)
    losses = [h["loss"] for h in trainer.state.log_history if "loss" in h]
    summary = {"model": a.model, "data": a.data, "samples": len(train), "mode": a.mode, "steps": trainer.state.global_step,
               "first_loss": losses[0] if losses else None, "last_loss": losses[-1] if losses else None,
               "seconds": round(time.time() - t0, 1), "output_dir": a.output_dir}
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
