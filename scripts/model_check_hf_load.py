#!/usr/bin/env python3
"""Checks that Hugging Face transformers loads an eaft checkpoint and agrees with it.

    python scripts/model_check_hf_load.py DIR [DIR ...]

For each model folder (config.json + safetensors, e.g. written by `eaft model init` or a
fixture under Tests/Fixtures/model): loads it with AutoModelForCausalLM (float32, eager
attention), verifies every weight was found (no missing / unexpected keys), runs a forward
pass, and, when DIR/expected.safetensors exists (fixtures), compares the logits of every
`seqN.ids` with the stored `seqN.logits` (max |diff| printed; fails above 1e-4).
When --eaft BIN is given, also runs `BIN score` on the same ids and compares the per-token
statistics with ones computed from the transformers logits.

Needs torch and transformers (not part of CI; see BENCHMARKS.md for the venv used).
"""
import argparse
import json
import math
import os
import subprocess
import sys
import tempfile

import torch
from safetensors.torch import load_file
from transformers import AutoModelForCausalLM


def stats(logits, ids, k=20):
    lp = torch.log_softmax(logits[:-1].double(), -1)
    tlp = lp.gather(1, ids[1:, None])[:, 0]
    ent = -(lp.exp() * lp).sum(-1)
    top = torch.topk(logits[:-1].double(), k, -1).values
    q = torch.log_softmax(top, -1)
    tke = -(q.exp() * q).sum(-1)
    return {"logprob": tlp, "entropy": ent, "topk_entropy": tke, "gate": tke / math.log(k)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dirs", nargs="+")
    ap.add_argument("--eaft", help="path to the eaft binary, to compare `eaft score` too")
    ap.add_argument("--lengths", default="17",
                    help="comma-separated lengths of the random sequences used when DIR has no expected.safetensors")
    a = ap.parse_args()
    ok = True
    for d in a.dirs:
        model, info = AutoModelForCausalLM.from_pretrained(
            d, dtype=torch.float32, attn_implementation="eager", output_loading_info=True)
        model.eval()
        bad = {k: v for k, v in info.items() if v and k in ("missing_keys", "unexpected_keys", "mismatched_keys")}
        exp_path = os.path.join(d, "expected.safetensors")
        if os.path.exists(exp_path):
            E = load_file(exp_path)
            seqs = [E[f"seq{i}.ids"].long() for i in range(100) if f"seq{i}.ids" in E]
        else:
            E = None
            g = torch.Generator().manual_seed(0)
            seqs = [torch.randint(0, model.config.vocab_size, (int(n),), generator=g) for n in a.lengths.split(",")]
        worst = 0.0
        logits_all = []
        for i, ids in enumerate(seqs):
            with torch.no_grad():
                lg = model(input_ids=ids[None]).logits[0]
            logits_all.append(lg)
            assert torch.isfinite(lg).all(), "non-finite logits"
            if E is not None:
                worst = max(worst, (lg - E[f"seq{i}.logits"]).abs().max().item())
        line = {"dir": d, "class": type(model).__name__, "loading_problems": bad,
                "params": sum(p.numel() for p in model.parameters())}
        if E is not None:
            line["max_abs_logits_vs_expected"] = worst
            ok &= worst <= 1e-4
        if a.eaft:
            with tempfile.TemporaryDirectory() as tmp:
                inp = os.path.join(tmp, "in.jsonl")
                with open(inp, "w") as f:
                    for ids in seqs:
                        f.write(json.dumps({"ids": ids.tolist()}) + "\n")
                out = subprocess.run([a.eaft, "score", "--model", d, "--input", inp],
                                     check=True, capture_output=True, text=True).stdout.splitlines()
            wst = 0.0
            for ids, lg, line_out in zip(seqs, logits_all, out):
                got = json.loads(line_out)
                ref = stats(lg, ids)
                for k, v in ref.items():
                    if v.numel() == 0:
                        assert got[k] == [], "a single-token sequence has no statistics"
                        continue
                    wst = max(wst, (torch.tensor(got[k], dtype=torch.float64) - v).abs().max().item())
            line["max_abs_stats_eaft_vs_hf"] = wst
            ok &= wst <= 1e-4
        ok &= not bad
        print(json.dumps(line))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
