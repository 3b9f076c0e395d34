#!/usr/bin/env python3
"""Checks that a checkpoint written by `eaft train` loads in transformers unchanged and gives the
same held-out loss as `eaft eval`.

    /work/venv-torch/bin/python scripts/train_check_hf_load.py CHECKPOINT_DIR DATA.jsonl [EAFT_EVAL_LOSS]

Prints the mean CE over label tokens (mask[j] = 1 marks token j as a label) computed by
transformers; with EAFT_EVAL_LOSS (the `loss` printed by `eaft eval --model CHECKPOINT_DIR
--data DATA.jsonl`) it also prints the relative difference and exits 1 if it exceeds 1e-5.
Needs torch + transformers (not in CI).
"""
import json
import sys

import torch
import transformers


def main():
    ckpt, data = sys.argv[1], sys.argv[2]
    torch.set_num_threads(1)
    model = transformers.AutoModelForCausalLM.from_pretrained(ckpt, dtype=torch.float32, attn_implementation="eager")
    model.eval()
    tot, n = 0.0, 0
    with open(data) as f:
        for line in f:
            if not line.strip():
                continue
            s = json.loads(line)
            ids = torch.tensor([s["ids"]])
            with torch.no_grad():
                logits = model(input_ids=ids).logits[0, :-1].double()
            lp = torch.log_softmax(logits, -1).gather(-1, ids[0, 1:, None])[:, 0]
            sel = torch.tensor(s["mask"][1:]) == 1
            tot += float(-lp[sel].sum())
            n += int(sel.sum())
    loss = tot / n
    out = {"checkpoint": ckpt, "class": type(model).__name__, "label_tokens": n, "loss": loss}
    if len(sys.argv) > 3:
        ref = float(sys.argv[3])
        out["eaft_eval_loss"] = ref
        out["rel_diff"] = abs(loss - ref) / abs(ref)
    print(json.dumps(out))
    if "rel_diff" in out and out["rel_diff"] > 1e-5:
        sys.exit(1)


if __name__ == "__main__":
    main()
