"""`eaft eval --choices` (multiple choice by option log-likelihood, the lm-evaluation-harness way)
against the same computation in transformers, on the real SmolLM2-135M-Instruct imported from its
GGUF: MedQA questions in the harness's `medqa_4options` prompt with one-token choices (" A" … " D",
eaft's one-pass path) and with the option texts as choices (several tokens, one pass per choice).

The reference follows harness `HFLM._encode_pair` / `_loglikelihood_tokens`: context trailing
spaces move to the continuation, continuation = encode(context + continuation)[len(encode(context)):],
log-likelihood = Σ log-softmax of the continuation tokens. Tolerance 2e-3 nats per choice: both run
the same float32 weights (bit-identical import), transformers' logits are within 1.1e-4 of eaft's on
this model (test_gguf_import_transformers), and a choice sums up to ~20 token log-probabilities.
Needs the eaft binary, the GGUF in the cache and torch + transformers; skips otherwise."""
import json
import os
import subprocess

import pytest

from conftest import SHARED, eaft_binary, smollm2_gguf

TOL = 2e-3


def test_choice_logliks_match_transformers(tmp_path):
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    eaft = eaft_binary()
    gguf = smollm2_gguf()
    medqa = os.path.join(SHARED, "data", "medical", "medqa", "test.jsonl")
    if not os.path.isfile(medqa):
        pytest.skip(f"{medqa} not found")
    model = tmp_path / "smollm2"
    subprocess.run([eaft, "model", "import", gguf, "--out", str(model)], check=True, capture_output=True)

    rows = [json.loads(l) for l in open(medqa, encoding="utf-8")][:4]
    letters, texts = [], []
    for r in rows:
        ctx = "Question: " + r["question"] + "\n" + "".join(f"{k}. {r['options'][k]}\n" for k in "ABCD") + "Answer:"
        letters.append({"context": ctx, "choices": list("ABCD"), "answer": "ABCD".index(r["answer_idx"])})
        # trailing space in the context: the harness moves it into the continuation
        texts.append({"context": ctx + " ", "choices": [r["options"][k] for k in "ABCD"], "answer": "ABCD".index(r["answer_idx"])})
    for name, qs in [("letters", letters), ("texts", texts)]:
        with open(tmp_path / f"{name}.jsonl", "w") as f:
            for q in qs: f.write(json.dumps(q) + "\n")
    out = tmp_path / "ll.jsonl"
    r = subprocess.run([eaft, "eval", "--model", str(model), "--choices", f"letters={tmp_path}/letters.jsonl",
                        "--choices", f"texts={tmp_path}/texts.jsonl", "--loglik-out", str(out)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    summary = {s["set"]: s for s in map(json.loads, r.stdout.splitlines())}
    got = {(l["set"], l["index"]): l["loglik"] for l in map(json.loads, open(out))}

    tok = transformers.AutoTokenizer.from_pretrained(str(model))
    lm = transformers.AutoModelForCausalLM.from_pretrained(str(model), torch_dtype=torch.float32).eval()
    enc = lambda s: tok(s, add_special_tokens=False)["input_ids"]
    worst = (0.0, None)
    fwd = {}
    for name, qs in [("letters", letters), ("texts", texts)]:
        right = 0
        for i, q in enumerate(qs):
            ref = []
            for choice in q["choices"]:
                ctx, cont = q["context"], " " + choice
                n = len(ctx) - len(ctx.rstrip())
                if n: ctx, cont = ctx[:-n], ctx[-n:] + cont
                c = enc(ctx)
                whole = enc(ctx + cont)
                cont_ids = whole[len(c):]
                key = tuple(whole[:-1])
                if key not in fwd:  # the one-token choices share their input
                    with torch.no_grad():
                        fwd[key] = torch.log_softmax(lm(torch.tensor([whole[:-1]])).logits[0].double(), -1)
                lp = fwd[key]
                ref.append(sum(float(lp[len(c) - 1 + j, t]) for j, t in enumerate(cont_ids)))
            mine = got[(name, i)]
            for k, (a, b) in enumerate(zip(mine, ref)):
                if abs(a - b) > worst[0]: worst = (abs(a - b), (name, i, k))
            argmax = lambda x: max(range(len(x)), key=lambda k: (x[k], -k))
            top2 = sorted(ref, reverse=True)[:2]
            if top2[0] - top2[1] > 2 * TOL:  # not a near-tie: both must pick the same choice
                assert argmax(mine) == argmax(ref), (name, i, mine, ref)
            right += int(argmax(mine) == q["answer"])
        assert summary[name]["questions"] == len(qs)
        assert abs(summary[name]["acc"] - right / len(qs)) < 1e-12, (name, summary[name], right)
    print(f"max |Δ loglik| {worst[0]:.2e} at {worst[1]}")
    assert worst[0] < TOL, f"max |Δ loglik| {worst[0]:.2e} at {worst[1]}"
