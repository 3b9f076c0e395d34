"""eaft_loss against the Hugging Face goldens in shared/reference (the ones the Swift trainer's
GoldenGradTests use), with the Swift tests' tolerances:

* losses: rtol 1e-5 (shared/reference/README.md: HF float32 vs float64 differ by <= 7e-7 relative;
  float32 sums in another order land at a similar distance);
* gradients: relative L2 error ||a - b|| / ||b|| < 1e-4 per tensor (README's suggestion, as the Swift tests);
* per-token gates: atol 1e-4 (README "stats 1e-4").

Modes without a stored golden (pow, sigmoid, masked and dft have golden losses only; static / hybrid have
none) are checked against an independent float64 NumPy computation from ``ref64.logits`` (the README's
pure float64 forward, not transformers): loss value rtol 1e-5 and d loss / d logits rel L2 1e-4 (the
closed form w * (softmax - onehot) / N).
"""
import math

import numpy as np
import pytest
import torch

from conftest import MODELS, rel, rel_l2, reference

safetensors = pytest.importorskip("safetensors.torch")
from eaft.torch import eaft_loss, eaft_loss_from_hidden, topk_gate  # noqa: E402

N_LABELS = 44


def golden(name):
    return safetensors.load_file(f"{reference(name)}/golden.safetensors")


def shifted_gate(g_pos):
    """Golden per-position tensors [B, S-1] (t predicts t+1) -> HF-aligned [B, S] (t belongs to labels[:, t])."""
    return torch.cat([torch.zeros_like(g_pos[:, :1]), g_pos], dim=1)


def synthetic_static(labels):
    """A static gate unrelated to the model's: uniform(0.02, 0.98), seeded, float32."""
    rng = np.random.default_rng(1234)
    return torch.from_numpy(rng.uniform(0.02, 0.98, size=labels.shape).astype(np.float32))


# ---- float64 NumPy reference (independent of eaft.torch) -----------------------------------


def np_reference(logits64, labels, static, mode, lam=0.5, hybrid="mix", k=20, p=2.0, alpha=30.0, beta=0.17,
                 source="dynamic"):
    """Loss and d loss / d logits in float64 for one mode, HF-convention inputs."""
    z = logits64[:, :-1]                        # [B, S-1, V]
    y = labels[:, 1:]
    sel = y != -100
    zs = z[sel]                                 # [N, V]
    ys = y[sel]
    st = None if static is None else static[:, 1:][sel].astype(np.float64)
    m = zs.max(-1, keepdims=True)
    e = np.exp(zs - m)
    s = e.sum(-1, keepdims=True)
    logp = zs - m - np.log(s)
    sm = e / s
    ce = -logp[np.arange(len(ys)), ys]
    prob = np.exp(-ce)
    top = np.sort(zs, -1)[:, -k:]
    tl = top - top.max(-1, keepdims=True)
    tl = tl - np.log(np.exp(tl).sum(-1, keepdims=True))
    dyn = -(np.exp(tl) * tl).sum(-1) / math.log(k)
    src = {"static": "static", "dynamic": "dynamic", "hybrid": "hybrid"}.get(mode, source)
    if src == "static":
        g = st
    elif src == "hybrid":
        g = np.minimum(st, dyn) if hybrid == "min" else lam * st + (1 - lam) * dyn
    else:
        g = dyn
    kind = {"static": "eaft", "dynamic": "eaft", "hybrid": "eaft"}.get(mode, mode)
    if kind == "sft":
        w = np.ones_like(ce)
    elif kind == "dft":
        w = prob
    elif kind == "eaft":
        w = g
    elif kind == "pow":
        w = g ** p
    elif kind == "sigmoid":
        w = 1 / (1 + np.exp(-alpha * (g - beta)))
    elif kind == "masked":
        w = (g > np.percentile(g, 15)).astype(np.float64)
    d = w.sum() if kind == "masked" else len(ce)
    loss = (w * ce).sum() / d
    grad_rows = w[:, None] * (sm - np.eye(sm.shape[1])[ys]) / d
    grad = np.zeros_like(logits64)
    gz = grad[:, :-1]
    gz[sel] = grad_rows
    grad[:, :-1] = gz
    return loss, grad


# ---- golden losses ---------------------------------------------------------------------------

GOLDEN_KEYS = [("sft", "sft_loss", {}), ("dynamic", "eaft_loss", {}), ("dft", "dft_loss", {}),
               ("pow", "eaft_p2_loss", {"p": 2.0}), ("sigmoid", "eaft_sigmoid_loss", {}), ("masked", "masked_loss", {})]


@pytest.mark.parametrize("name", MODELS)
def test_losses_match_goldens(name):
    g = golden(name)
    logits, labels = g["logits"], g["labels"]
    assert int((labels[:, 1:] != -100).sum()) == N_LABELS
    for mode, key, kw in GOLDEN_KEYS:
        loss, st = eaft_loss(logits, labels, mode=mode, return_stats=True, **kw)
        assert rel(loss, g[key]) < 1e-5, f"{name} {mode}: {float(loss)} vs golden {float(g[key])}"
        if mode == "masked":
            assert st["n_kept"] == 37
    # static with the golden gates stored as data = the golden dynamic EAFT loss; hybrid of equal gates too
    sg = shifted_gate(g["gate"])
    eaft = g["eaft_loss"]
    assert rel(eaft_loss(logits, labels, gate=sg, mode="static"), eaft) < 1e-5
    assert rel(eaft_loss(logits, labels, gate=sg, mode="hybrid", lam=0.3), eaft) < 1e-5
    assert rel(eaft_loss(logits, labels, gate=sg, mode="hybrid", hybrid="min"), eaft) < 1e-5
    # the tolerance discriminates: modes differ from each other by far more than 1e-5
    assert rel(g["sft_loss"], eaft) > 0.1


@pytest.mark.parametrize("name", MODELS)
def test_gates_match_goldens(name):
    g = golden(name)
    gate = topk_gate(g["logits"][:, :-1], 20)
    mask = g["loss_mask"].bool()
    assert float((gate - g["gate"])[mask].abs().max()) < 1e-4
    assert float((gate - g["ref64.gate"].float())[mask].abs().max()) < 1e-4


# ---- every mode against float64 NumPy (value and d loss / d logits) -------------------------

MODE_CASES = [
    ("sft", {}), ("dynamic", {}), ("static", {}), ("hybrid", {"lam": 0.5}), ("hybrid", {"lam": 0.8}),
    ("hybrid", {"hybrid": "min"}), ("pow", {"p": 2.0}), ("pow", {"p": 1.5, "source": "static"}),
    ("sigmoid", {}), ("sigmoid", {"source": "hybrid", "lam": 0.25}), ("masked", {}), ("dft", {}),
]


@pytest.mark.parametrize("name", MODELS)
@pytest.mark.parametrize("mode,kw", MODE_CASES, ids=[f"{m}-{'-'.join(f'{k}={v}' for k, v in kw.items())}" for m, kw in MODE_CASES])
def test_every_mode_vs_float64(name, mode, kw):
    g = golden(name)
    labels = g["labels"]
    static = synthetic_static(labels)
    logits = g["logits"].clone().requires_grad_(True)
    loss = eaft_loss(logits, labels, gate=static, mode=mode, **kw)
    loss.backward()
    ref_loss, ref_grad = np_reference(g["ref64.logits"].numpy(), labels.numpy(), static.numpy(), mode, **kw)
    assert rel(loss, ref_loss) < 1e-5, f"{mode} {kw}: {float(loss)} vs float64 {ref_loss}"
    assert rel_l2(logits.grad, torch.from_numpy(ref_grad)) < 1e-4
    # the static gate is data and the weight is detached: no gradient reaches the gate
    assert loss.grad_fn is not None


def test_weights_are_detached():
    """With the gate detached, d loss / d logits is w * (softmax - onehot) / N; letting gradient through
    the gate would change it by far more than the tolerance (so the float64 comparison above can fail)."""
    g = golden("qwen3-tiny")
    labels = g["labels"]
    logits = g["logits"].clone().requires_grad_(True)
    eaft_loss(logits, labels, mode="dynamic").backward()
    z = g["logits"].clone().requires_grad_(True)
    sel = labels[:, 1:] != -100
    zs = z[:, :-1][sel]
    ce = torch.nn.functional.cross_entropy(zs, labels[:, 1:][sel], reduction="none")
    top = torch.topk(zs, 20, -1).values.log_softmax(-1)
    gate = -(top.exp() * top).sum(-1) / math.log(20)           # NOT detached
    ((gate * ce).sum() / sel.sum()).backward()
    assert rel_l2(logits.grad, z.grad) > 1e-3


# ---- gradients through the transformers model -------------------------------------------------


def load_model(name):
    transformers = pytest.importorskip("transformers")
    return transformers.AutoModelForCausalLM.from_pretrained(reference(name), dtype=torch.float32,
                                                             attn_implementation="eager")


@pytest.mark.parametrize("name", MODELS)
def test_model_gradients_match_goldens(name):
    torch.set_num_threads(1)
    g = golden(name)
    model = load_model(name)
    model.train()
    sg = shifted_gate(g["gate"])
    cases = [("sft", {}, "grad_sft."), ("dynamic", {}, "grad_eaft."), ("static", {"gate": sg}, "grad_eaft."),
             ("hybrid", {"gate": sg, "lam": 0.5}, "grad_eaft.")]
    for chunked in (False, True):
        for mode, kw, prefix in cases:
            model.zero_grad(set_to_none=True)
            if chunked:
                out = model(input_ids=g["input_ids"], attention_mask=g["attention_mask"], output_hidden_states=True,
                            logits_to_keep=torch.zeros(0, dtype=torch.long))
                loss = eaft_loss_from_hidden(out.hidden_states[-1], model.get_output_embeddings().weight, g["labels"],
                                             mode=mode, chunk_size=13, **kw)
            else:
                out = model(input_ids=g["input_ids"], attention_mask=g["attention_mask"])
                loss = eaft_loss(out.logits, g["labels"], mode=mode, **kw)
            loss.backward()
            key = "sft_loss" if prefix == "grad_sft." else "eaft_loss"
            assert rel(loss, g[key]) < 1e-5, f"{name} {mode} chunked={chunked}"
            worst = 0.0
            for pname, prm in model.named_parameters():
                e = rel_l2(prm.grad, g[prefix + pname])
                worst = max(worst, e)
                assert e < 1e-4, f"{name} {mode} chunked={chunked} {pname}: rel L2 {e}"
            print(f"{name} {mode} chunked={chunked}: worst grad rel L2 {worst:.2e}")
