"""transformers.Trainer + EAFTLoss, one optimizer step over 8 samples; run alone (1 process, batch 8) or
under torchrun with 2 processes (batch 4 each). Writes the logged loss / grad norm (rank 0).

    python -m torch.distributed.run --nproc-per-node 2 --master-addr 127.0.0.1 --master-port P \\
        trainer_ddp_worker.py SHARDS MODEL OUT PER_DEVICE_BATCH
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import transformers  # noqa: E402

from eaft.shards import ShardDataset, TorchShardDataset  # noqa: E402
from eaft.torch import EAFTCollator, EAFTLoss  # noqa: E402


def main():
    shards, model_dir, out, bs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    torch.set_num_threads(1)
    data = TorchShardDataset([ShardDataset(shards)[i] for i in range(8)])
    model = transformers.AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32, attn_implementation="eager")
    loss_fn = EAFTLoss(mode="hybrid")
    args = transformers.TrainingArguments(
        output_dir=os.path.dirname(out), max_steps=1, learning_rate=1e-3, per_device_train_batch_size=bs,
        logging_steps=1, save_strategy="no", report_to="none", use_cpu=True, remove_unused_columns=False,
        disable_tqdm=True, ddp_backend="gloo" if int(os.environ.get("WORLD_SIZE", "1")) > 1 else None)
    trainer = transformers.Trainer(model=model, args=args, train_dataset=data, data_collator=EAFTCollator(),
                                   compute_loss_func=loss_fn)
    loss_fn.install(trainer)
    trainer.train()
    if trainer.is_world_process_zero():
        log = next(h for h in trainer.state.log_history if "loss" in h)
        with open(out, "w") as fh:
            json.dump({"loss": log["loss"], "grad_norm": log["grad_norm"], "world": trainer.args.world_size}, fh)
    # Tear the process group down before the interpreter exits: left to interpreter shutdown,
    # gloo's threads were destroyed while joinable and one rank aborted ("terminate called
    # without an active exception", exit -6) in one CI run.
    if torch.distributed.is_available() and torch.distributed.is_initialized():
        torch.distributed.barrier()
        torch.distributed.destroy_process_group()


if __name__ == "__main__":
    main()
