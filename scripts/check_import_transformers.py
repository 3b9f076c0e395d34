#!/usr/bin/env python3
"""An `eaft model import`ed folder loads in transformers unchanged and computes what transformers
computes from the original GGUF (issue 14).

    PY=$(bash scripts/setup_torch.sh)
    $PY scripts/check_import_transformers.py demo/build/smollm2 [../shared/reference/gguf/smollm2-135m-instruct]

Loads the folder with AutoModelForCausalLM / AutoTokenizer (float32, eager attention), runs the 12
golden texts' ids, and compares logits (texts with stored full logits), target log-probability,
entropy, top-20 entropy and gate with golden.safetensors (transformers 5.24 loading the GGUF
itself). Also checks the folder's tokenizer gives the goldens' ids. Prints the max differences
as JSON and exits 1 above the tolerances: 1e-4 on the per-token statistics (the goldens'), 2e-4
absolute on logits (|logits| reach ~30 here; the weights are bit-identical, what differs is float32
summation order between this torch and the goldens' 2.15, ~3e-6 relative).
"""
import json
import math
import os
import sys

import torch
from safetensors.numpy import load_file
from transformers import AutoModelForCausalLM, AutoTokenizer


def main():
    folder = sys.argv[1]
    ref = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(__file__), "..", "..", "shared", "reference", "gguf",
                                                             "smollm2-135m-instruct")
    g = load_file(os.path.join(ref, "golden.safetensors"))
    texts = json.load(open(os.path.join(ref, "golden_texts.json")))["texts"]
    model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32, attn_implementation="eager").eval()
    tok = AutoTokenizer.from_pretrained(folder)
    worst = {"logits": 0.0, "target_logprob": 0.0, "entropy": 0.0, "topk_entropy": 0.0, "gate": 0.0}
    id_mismatch = 0
    for i, t in enumerate(texts):
        ids = g[f"text{i}.input_ids"]
        if tok(t["text"], add_special_tokens=False).input_ids != ids.tolist():
            id_mismatch += 1
        with torch.no_grad():
            logits = model(torch.tensor(ids)[None]).logits[0].double()
        if f"text{i}.logits" in g:
            worst["logits"] = max(worst["logits"], float((logits - torch.tensor(g[f"text{i}.logits"]).double()).abs().max()))
        lp = torch.log_softmax(logits[:-1], -1)
        tgt = lp.gather(1, torch.tensor(ids[1:])[:, None])[:, 0]
        ent = -(lp.exp() * lp).sum(-1)
        top = logits[:-1].topk(20, -1).values
        tlp = torch.log_softmax(top, -1)
        tke = -(tlp.exp() * tlp).sum(-1)
        for k, v in [("target_logprob", tgt), ("entropy", ent), ("topk_entropy", tke), ("gate", tke / math.log(20))]:
            worst[k] = max(worst[k], float((v - torch.tensor(g[f"text{i}.{k}"]).double()).abs().max()))
    tol = {k: (2e-4 if k == "logits" else 1e-4) for k in worst}
    out = {"texts": len(texts), "tokenizer_id_mismatches": id_mismatch, "max_abs_diff": worst, "tolerance": tol,
           "torch": torch.__version__}
    print(json.dumps(out))
    return 0 if id_mismatch == 0 and all(worst[k] <= tol[k] for k in worst) else 1


if __name__ == "__main__":
    sys.exit(main())
