"""eaft_loss_from_hidden (chunked LM head + loss, custom autograd) equals eaft_loss on lm_head(hidden):
values and gradients (hidden, head weight, head bias) within 1e-6 relative, in every mode, for chunk
sizes that do and do not divide the label count.

Why 1e-6: both paths compute the same float32 logits row by row; they differ only in the order of
float32 reductions (log-sum-exp, GEMM blocking, dW summed chunk by chunk), ~1e-7 relative.
"""
import pytest
import torch

from conftest import rel, rel_l2
from eaft.torch import eaft_loss, eaft_loss_from_hidden

CASES = [("sft", {}), ("dynamic", {}), ("static", {}), ("hybrid", {"lam": 0.3}), ("hybrid", {"hybrid": "min"}),
         ("pow", {"p": 2.0}), ("pow", {"p": 0.5, "source": "hybrid"}), ("sigmoid", {}), ("masked", {}),
         ("masked", {"tau": 0.6, "source": "static"}), ("dft", {}), ("eaft", {"k": 5})]


def make(seed=0, b=3, t=41, h=24, v=301, bias=False):
    g = torch.Generator().manual_seed(seed)
    hidden = torch.randn(b, t, h, generator=g)
    w = torch.randn(v, h, generator=g) * 0.7
    bb = torch.randn(v, generator=g) * 0.1 if bias else None
    labels = torch.randint(0, v, (b, t), generator=g)
    labels[:, :5] = -100
    labels[1, 30:] = -100
    labels[2, ::7] = -100
    gate = torch.rand(b, t, generator=g)
    return hidden, w, bb, labels, gate


def grads(fn, hidden, w, bb):
    hs = hidden.clone().requires_grad_(True)
    ws = w.clone().requires_grad_(True)
    bs = bb.clone().requires_grad_(True) if bb is not None else None
    loss = fn(hs, ws, bs)
    loss.backward()
    return loss.detach(), hs.grad, ws.grad, None if bs is None else bs.grad


@pytest.mark.parametrize("mode,kw", CASES, ids=[f"{m}-{'-'.join(f'{k}={v}' for k, v in kw.items())}" for m, kw in CASES])
@pytest.mark.parametrize("chunk", [1, 16, 1000])
def test_from_hidden_equals_eaft_loss(mode, kw, chunk):
    hidden, w, bb, labels, gate = make(bias=(chunk == 16))
    ref = grads(lambda h, ww, b: eaft_loss(torch.nn.functional.linear(h, ww, b), labels, gate=gate, mode=mode,
                                           num_items_in_batch=150, **kw), hidden, w, bb)
    got = grads(lambda h, ww, b: eaft_loss_from_hidden(h, ww, labels, gate=gate, mode=mode, lm_head_bias=b,
                                                       chunk_size=chunk, num_items_in_batch=150, **kw), hidden, w, bb)
    assert rel(got[0], ref[0]) < 1e-6, (float(got[0]), float(ref[0]))
    for a, b, name in zip(got[1:], ref[1:], ("hidden", "weight", "bias")):
        if b is None:
            assert a is None
            continue
        assert rel_l2(a, b) < 1e-6, f"{name}: rel L2 {rel_l2(a, b):.2e}"


def test_stats_and_no_grad_path():
    hidden, w, _, labels, gate = make()
    l1, s1 = eaft_loss(hidden @ w.t(), labels, gate=gate, mode="masked", return_stats=True)
    with torch.no_grad():
        l2, s2 = eaft_loss_from_hidden(hidden, w, labels, gate=gate, mode="masked", chunk_size=7, return_stats=True)
    assert s1["n_labels"] == s2["n_labels"] and s1["n_kept"] == s2["n_kept"] < s1["n_labels"]
    assert rel(l1, l2) < 1e-6 and rel(s1["ce_sum"], s2["ce_sum"]) < 1e-6


def test_bf16_weights_follow_lm_head_then_upcast():
    """With bf16 hidden / weight the chunked loss equals eaft_loss(lm_head(hidden).float()) (logits in
    the weight's dtype, then upcast, as HF computes them); gradients come back in bf16."""
    hidden, w, _, labels, _ = make()
    hb, wb = hidden.bfloat16(), w.bfloat16()
    hr, wr = hb.clone().requires_grad_(True), wb.clone().requires_grad_(True)
    ref = eaft_loss(hr @ wr.t(), labels, mode="dynamic")
    ref.backward()
    hs, ws = hb.clone().requires_grad_(True), wb.clone().requires_grad_(True)
    got = eaft_loss_from_hidden(hs, ws, labels, mode="dynamic", chunk_size=9)
    got.backward()
    assert rel(got, ref) < 1e-6
    assert hs.grad.dtype == torch.bfloat16 and ws.grad.dtype == torch.bfloat16
    # bf16 gradients: rounding happens at other points (1/N before vs after the cast, dW summed in
    # float32 over chunks), so agreement is at bf16 precision (2^-8 relative per element)
    assert rel_l2(hs.grad, hr.grad) < 1e-2 and rel_l2(ws.grad, wr.grad) < 1e-2


def test_no_labels_gives_zero_with_graph():
    hidden, w, _, labels, _ = make()
    labels[:] = -100
    h = hidden.clone().requires_grad_(True)
    loss = eaft_loss_from_hidden(h, w, labels, mode="dynamic")
    loss.backward()
    assert float(loss.detach()) == 0 and float(h.grad.abs().sum()) == 0
    z = (hidden @ w.t()).requires_grad_(True)
    loss = eaft_loss(z, labels)
    loss.backward()
    assert float(loss.detach()) == 0


def test_static_mode_requires_gates():
    hidden, w, _, labels, gate = make()
    with pytest.raises(ValueError, match="static gates"):
        eaft_loss(hidden @ w.t(), labels, mode="static")
    gate[0, 20] = float("nan")  # a label token without a stored gate
    with pytest.raises(ValueError, match="NaN"):
        eaft_loss_from_hidden(hidden, w, labels, gate=gate, mode="hybrid")
    with pytest.raises(ValueError, match="unknown EAFT mode"):
        eaft_loss(hidden @ w.t(), labels, mode="entropy")
