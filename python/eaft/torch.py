"""EAFT losses, a collator and Trainer hooks for PyTorch / Hugging Face.

Entropy-Adaptive Fine-Tuning (arXiv 2601.02151, https://arxiv.org/abs/2601.02151): every label
token's cross-entropy is scaled by a detached weight built from its normalised top-K entropy gate
``g = H_topK / ln K`` (softmax over just the K largest logits, renormalised; entropy in nats).
The definitions are those of the bundled trainer, ``schemas/train.md`` (``loss`` x ``gate`` keys)
and ``shared/reference/README.md`` (the golden losses):

=============  =====================================================================
mode           per-token weight w (always detached; no gradient through the gate)
=============  =====================================================================
``sft``        1
``dynamic``    g from the current logits (``eaft`` is an alias)
``static``     g stored with the data (``eaft_gate``, the shards' ``gate`` array)
``hybrid``     ``lam * g_static + (1 - lam) * g_dynamic`` (``hybrid="mix"``) or
               ``min(g_static, g_dynamic)`` (``hybrid="min"``)
``pow``        g ** p                         (gate from ``source``, default dynamic)
``sigmoid``    sigmoid(alpha * (g - beta))    (gate from ``source``)
``masked``     1[g > tau]; tau = ``tau`` or the ``quantile`` (0.15, linear interpolation)
               of this call's label gates; normalised by the KEPT tokens
``dft``        p[y] (the target probability; DFT, arXiv 2508.05629)
=============  =====================================================================

The loss is ``sum_i w_i * CE_i / D`` over label tokens, D = ``num_items_in_batch`` when given
(Hugging Face's gradient-accumulation / multi-device convention) else the number of label tokens
in the call (``masked``: the kept tokens). Gates and weights are computed in float32 from the
float32-upcast logits, the weighted sum is accumulated in float64, as in the bundled trainer.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Optional, Sequence

import numpy as np
import torch
import torch.nn.functional as F

IGNORE_INDEX = -100
MODES = ("sft", "dynamic", "static", "hybrid", "pow", "sigmoid", "masked", "dft")
_ALIASES = {"eaft": "dynamic", "eaft-pow": "pow", "eaft-sigmoid": "sigmoid"}

__all__ = ["MODES", "LossSpec", "eaft_loss", "eaft_loss_from_hidden", "token_weights", "topk_gate",
           "EAFTCollator", "EAFTLoss", "IGNORE_INDEX"]


# --------------------------------------------------------------------------------------------
# the loss definition


@dataclass(frozen=True)
class LossSpec:
    """A resolved loss: the weight kind (``sft eaft pow sigmoid masked dft``) and gate source
    (``static dynamic hybrid``), with their parameters (schemas/train.md)."""

    weight: str = "eaft"
    source: Optional[str] = "dynamic"
    k: int = 20
    lam: float = 0.5
    hybrid: str = "mix"
    p: float = 2.0
    alpha: float = 30.0
    beta: float = 0.17
    tau: Optional[float] = None
    quantile: float = 0.15

    @staticmethod
    def resolve(mode="dynamic", *, source=None, k=20, lam=0.5, hybrid="mix", p=2.0, alpha=30.0, beta=0.17,
                tau=None, quantile=0.15) -> "LossSpec":
        """Maps an ``eaft_loss`` mode (see the module table) and options to a ``LossSpec``."""
        m = _ALIASES.get(mode, mode)
        if m not in MODES:
            raise ValueError(f"unknown EAFT mode {mode!r}; expected one of {MODES} (or {tuple(_ALIASES)})")
        if m in ("dynamic", "static", "hybrid"):
            if source is not None and source != m:
                raise ValueError(f"mode {m!r} fixes the gate source; got source={source!r}")
            weight, src = "eaft", m
        elif m in ("sft", "dft"):
            weight, src = m, None
        else:
            weight, src = m, source or "dynamic"
        if src not in (None, "static", "dynamic", "hybrid"):
            raise ValueError(f"gate source must be static, dynamic or hybrid, got {src!r}")
        if hybrid not in ("mix", "min"):
            raise ValueError(f"hybrid must be 'mix' or 'min', got {hybrid!r}")
        if not 1 <= int(k) <= 1024:
            raise ValueError(f"k must be in 1..1024, got {k}")
        if not 0.0 <= float(lam) <= 1.0:
            raise ValueError(f"lam must be in [0, 1], got {lam}")
        return LossSpec(weight, src, int(k), float(lam), hybrid, float(p), float(alpha), float(beta),
                        None if tau is None else float(tau), float(quantile))

    @property
    def needs_gate(self) -> bool:
        return self.weight not in ("sft", "dft")

    @property
    def needs_dynamic(self) -> bool:
        return self.needs_gate and self.source in ("dynamic", "hybrid")

    @property
    def needs_static(self) -> bool:
        return self.needs_gate and self.source in ("static", "hybrid")


@torch.no_grad()
def topk_gate(logits: torch.Tensor, k: int = 20) -> torch.Tensor:
    """Normalised top-K entropy gate of each row of ``logits`` [..., V]: the entropy (nats) of the
    softmax over just the K largest logits, divided by ln K; in [0, 1], float32, no gradient."""
    z = logits.float()
    if k <= 1:
        return torch.zeros(z.shape[:-1], dtype=torch.float32, device=z.device)
    top = torch.topk(z, min(k, z.shape[-1]), dim=-1, sorted=False).values
    lt = torch.log_softmax(top, dim=-1)
    return -(lt.exp() * lt).sum(-1) / math.log(k)


def _combine(spec: LossSpec, static: Optional[torch.Tensor], dyn: Optional[torch.Tensor]) -> torch.Tensor:
    if spec.source == "static":
        return static
    if spec.source == "dynamic":
        return dyn
    if spec.hybrid == "min":
        return torch.minimum(static, dyn)
    lam = torch.tensor(spec.lam, dtype=torch.float32, device=dyn.device)  # float32, as the trainer
    return lam * static + (1 - lam) * dyn


def token_weights(spec: LossSpec, gate: Optional[torch.Tensor], prob: Optional[torch.Tensor],
                  threshold: Optional[torch.Tensor] = None) -> torch.Tensor:
    """Per-token weight w for gates ``gate`` (float32) / target probabilities ``prob`` (``dft``);
    ``threshold`` is the ``masked`` tau. Detached."""
    w = spec.weight
    if w == "sft":
        return torch.ones_like(prob)
    if w == "dft":
        return prob.detach()
    g = gate.detach()
    if w == "eaft":
        return g
    if w == "pow":
        return g * g if spec.p == 2 else g.double().pow(spec.p).float()
    if w == "sigmoid":
        a = torch.tensor(spec.alpha, dtype=torch.float32, device=g.device)
        b = torch.tensor(spec.beta, dtype=torch.float32, device=g.device)
        return 1 / (1 + torch.exp(-a * (g - b)))
    if w == "masked":
        return (g > threshold).float()
    raise ValueError(w)


def _threshold(spec: LossSpec, gates: torch.Tensor) -> torch.Tensor:
    """tau for ``masked``: fixed, or the linear-interpolation quantile computed in float64, stored as float32."""
    if spec.tau is not None:
        return torch.tensor(spec.tau, dtype=torch.float32, device=gates.device)
    if gates.numel() == 0:
        return torch.tensor(0.0, dtype=torch.float32, device=gates.device)
    return torch.quantile(gates.double(), spec.quantile).float()


def _check_static(static: Optional[torch.Tensor]):
    if static is None:
        raise ValueError("this EAFT mode needs static gates: pass gate= (the batch's 'eaft_gate')")
    if torch.isnan(static).any():
        raise ValueError("some label tokens have no static gate (NaN in eaft_gate): score the data first, "
                         "or use mode='dynamic'")


def _denominator(num_items_in_batch, n: int, device) -> torch.Tensor:
    if num_items_in_batch is None:
        return torch.tensor(float(max(n, 1)), dtype=torch.float64, device=device)
    if torch.is_tensor(num_items_in_batch):
        return num_items_in_batch.to(device=device, dtype=torch.float64)
    return torch.tensor(float(num_items_in_batch), dtype=torch.float64, device=device)


def _shift(labels: torch.Tensor, gate: Optional[torch.Tensor], shift_labels: Optional[torch.Tensor]):
    """HF convention: logits[:, t] predicts labels[:, t+1]. Returns shifted labels [B, T] (last
    column -100) and the gate shifted the same way."""
    if shift_labels is not None:
        return shift_labels, gate
    tl = F.pad(labels, (0, 1), value=IGNORE_INDEX)[..., 1:]
    tg = None if gate is None else F.pad(gate.float(), (0, 1), value=float("nan"))[..., 1:]
    return tl, tg


def eaft_loss(logits: torch.Tensor, labels: torch.Tensor, *, gate: Optional[torch.Tensor] = None,
              mode: str = "dynamic", k: int = 20, lam: float = 0.5, num_items_in_batch=None,
              hybrid: str = "mix", source: Optional[str] = None, p: float = 2.0, alpha: float = 30.0,
              beta: float = 0.17, tau: Optional[float] = None, quantile: float = 0.15,
              shift_labels: Optional[torch.Tensor] = None, return_stats: bool = False):
    """EAFT loss (arXiv 2601.02151; definitions: schemas/train.md, module docstring) in the Hugging
    Face convention.

    Args:
        logits: [B, T, V] (any float dtype; upcast to float32), unshifted: ``logits[:, t]`` predicts
            ``labels[:, t+1]``; the function shifts.
        labels: [B, T] token ids, ``-100`` where no loss.
        gate: [B, T] static gates, ``gate[:, t]`` belongs to token ``labels[:, t]`` (the collator's
            ``eaft_gate``; the shards' ``gate`` array). Needed by ``static`` / ``hybrid`` (and by
            ``pow`` / ``sigmoid`` / ``masked`` with ``source="static"`` or ``"hybrid"``).
        mode: ``sft dynamic static hybrid pow sigmoid masked dft`` (``eaft`` = ``dynamic``).
        k: K of the top-K entropy gate, g = H_topK / ln K.
        lam: hybrid mixing weight of the static gate (``hybrid="mix"``); ``hybrid="min"`` takes the minimum.
        num_items_in_batch: denominator (HF Trainer passes the label tokens of the whole
            accumulated / multi-device batch); default: the label tokens of this call. Not used by ``masked``,
            which divides by the tokens it keeps.
        source: gate source of ``pow`` / ``sigmoid`` / ``masked`` (``dynamic`` default, ``static``, ``hybrid``).
        p, alpha, beta, tau, quantile: ``pow`` exponent; ``sigmoid`` slope / centre; ``masked``
            fixed threshold or the quantile of the label gates used when ``tau`` is None.
        shift_labels: already shifted labels (then ``gate`` must be shifted too).
        return_stats: also return a dict with ``weighted_sum``, ``ce_sum`` (float64), ``n_labels``, ``n_kept``.

    Returns:
        A float32 scalar tensor (and the stats dict when ``return_stats``). The weights never receive gradient.
    """
    spec = LossSpec.resolve(mode, source=source, k=k, lam=lam, hybrid=hybrid, p=p, alpha=alpha, beta=beta,
                            tau=tau, quantile=quantile)
    tl, tg = _shift(labels, gate, shift_labels)
    sel = tl != IGNORE_INDEX
    z = logits[sel].float()                        # [N, V]: only the label positions
    tgt = tl[sel].long()
    static = tg[sel].float() if (tg is not None and spec.needs_static) else None
    if spec.needs_static:
        _check_static(static)
    ce = F.cross_entropy(z, tgt, reduction="none")  # float32 [N]
    with torch.no_grad():
        dyn = topk_gate(z, spec.k) if spec.needs_dynamic else None
        g = _combine(spec, static, dyn) if spec.needs_gate else None
        thr = _threshold(spec, g) if spec.weight == "masked" else None
        w = token_weights(spec, g, torch.exp(-ce.detach()), thr)
    wsum = (w * ce).double().sum()
    n = int(tgt.numel())
    kept = int((w != 0).sum()) if spec.weight == "masked" else n
    denom = (torch.tensor(float(max(kept, 1)), dtype=torch.float64, device=z.device) if spec.weight == "masked"
             else _denominator(num_items_in_batch, n, z.device))
    loss = (wsum / denom).float()
    if n == 0:
        loss = loss + logits.sum() * 0  # keep the graph connected
    if return_stats:
        return loss, {"weighted_sum": float(wsum.detach()), "ce_sum": float(ce.detach().double().sum()), "n_labels": n,
                      "n_kept": kept}
    return loss


# --------------------------------------------------------------------------------------------
# chunked LM head + loss


def _default_chunk(vocab: int) -> int:
    return max(16, min(4096, (32 << 20) // max(vocab, 1)))  # ~128 MB of float32 logits per chunk


class _ChunkedLMHeadLoss(torch.autograd.Function):
    """Forward computes the loss chunk by chunk and, when gradients are wanted, each chunk's
    dLogits = w * (softmax - onehot) straight away, folded into dHidden [N, H] and dW [V, H];
    backward only scales them. At most one chunk of logits exists at a time."""

    @staticmethod
    def forward(ctx, h, weight, bias, tgt, static, spec, denom, chunk, want_grad, stats):
        n, vocab = h.shape[0], weight.shape[0]
        lnk = math.log(spec.k)
        want_h = want_grad and ctx.needs_input_grad[0]
        want_w = want_grad and ctx.needs_input_grad[1]
        want_b = want_grad and bias is not None and ctx.needs_input_grad[2]
        dh = torch.zeros(h.shape, dtype=torch.float32, device=h.device) if want_h else None
        dw = torch.zeros(weight.shape, dtype=torch.float32, device=h.device) if want_w else None
        db = torch.zeros(vocab, dtype=torch.float32, device=h.device) if want_b else None

        def logits_of(a, b):
            z = h[a:b] @ weight.t()
            if bias is not None:
                z = z + bias
            return z.float()

        def gates_of(z, a, b):
            dyn = topk_gate(z, spec.k) if spec.needs_dynamic else None
            st = static[a:b] if static is not None else None
            return _combine(spec, st, dyn) if spec.needs_gate else None

        thr = None
        if spec.weight == "masked":
            if spec.tau is None:  # a gate pass first: the quantile needs every label gate
                gs = [gates_of(logits_of(a, min(a + chunk, n)), a, min(a + chunk, n)) for a in range(0, n, chunk)]
                thr = _threshold(spec, torch.cat(gs) if gs else torch.zeros(0, device=h.device))
            else:
                thr = _threshold(spec, torch.zeros(0, device=h.device))
        wsum = torch.zeros((), dtype=torch.float64, device=h.device)
        cesum = torch.zeros((), dtype=torch.float64, device=h.device)
        kept = torch.zeros((), dtype=torch.long, device=h.device)
        for a in range(0, n, chunk):
            b = min(a + chunk, n)
            z = logits_of(a, b)                                   # the one chunk of logits [c, V]
            t = tgt[a:b]
            g = gates_of(z, a, b)
            zt = z.gather(1, t[:, None])[:, 0]
            m = z.amax(-1, keepdim=True)
            z.sub_(m).exp_()                                      # in place: exp(z - max)
            s = z.sum(-1)
            ce = (m[:, 0] + torch.log(s)) - zt
            w = token_weights(spec, g, torch.exp(-ce), thr)
            wsum += (w * ce).double().sum()
            cesum += ce.double().sum()
            kept += (w != 0).sum()
            if want_h or want_w or want_b:
                z.div_(s[:, None])                                # softmax
                z[torch.arange(b - a, device=z.device), t] -= 1   # - onehot
                z.mul_(w[:, None])                                # dLogits (before 1/D)
                if want_h:  # in the weight's dtype, as autograd through lm_head(hidden).float() would
                    dh[a:b] = z @ weight if weight.dtype == torch.float32 else (z.to(weight.dtype) @ weight).float()
                if want_w:
                    dw.addmm_(z.t(), h[a:b].float())
                if want_b:
                    db += z.sum(0)
            del z
        kept = int(kept)
        n_den = kept if spec.weight == "masked" else None
        d = torch.tensor(float(max(n_den, 1)), dtype=torch.float64, device=h.device) if n_den is not None else denom
        loss = (wsum / d).float()
        scale = (1.0 / d).float()
        # kept on ctx (not save_for_backward) so backward can scale them in place and free them:
        # no second [V, H] buffer at the peak
        ctx.grads = [None if x is None else x.mul_(scale) for x in (dh, dw, db)]
        ctx.dtypes = (h.dtype, weight.dtype, None if bias is None else bias.dtype)
        if stats is not None:
            stats.update(weighted_sum=float(wsum), ce_sum=float(cesum), n_labels=n, n_kept=kept if spec.weight == "masked" else n)
        return loss

    @staticmethod
    def backward(ctx, go):
        if ctx.grads is None:
            raise RuntimeError("eaft_loss_from_hidden: backward ran twice (retain_graph is not supported)")
        grads, ctx.grads = ctx.grads, None
        outs = []
        for g, dt in zip(grads, ctx.dtypes):
            if g is None:
                outs.append(None)
                continue
            g.mul_(go.to(g.dtype))
            outs.append(g if g.dtype == dt else g.to(dt))
        return outs[0], outs[1], outs[2], None, None, None, None, None, None, None


def eaft_loss_from_hidden(hidden: torch.Tensor, lm_head_weight: torch.Tensor, labels: torch.Tensor, *,
                          gate: Optional[torch.Tensor] = None, mode: str = "dynamic", k: int = 20,
                          lam: float = 0.5, num_items_in_batch=None, lm_head_bias: Optional[torch.Tensor] = None,
                          chunk_size: Optional[int] = None, hybrid: str = "mix", source: Optional[str] = None,
                          p: float = 2.0, alpha: float = 30.0, beta: float = 0.17, tau: Optional[float] = None,
                          quantile: float = 0.15, return_stats: bool = False):
    """``eaft_loss`` computed from the final hidden states, without ever materialising [tokens x vocab]
    logits: label positions are processed ``chunk_size`` rows at a time by a custom autograd
    function (LM head matmul, log-sum-exp, top-K gate, weight, and the gradient of the chunk).

    Args:
        hidden: [B, T, H] final hidden states (after the final norm), unshifted like ``eaft_loss``'s logits.
        lm_head_weight: [V, H] (``model.lm_head.weight``, or the tied embedding); ``lm_head_bias`` [V] if any.
        labels, gate, mode, k, lam, num_items_in_batch, ...: as ``eaft_loss``.
        chunk_size: label positions per chunk (default ~128 MB of float32 logits, ``32M / V`` rows).

    Memory: one chunk of float32 logits [chunk, V], plus dHidden [N, H] and, when the head weight needs
    gradient, a float32 dW [V, H] (accumulated over chunks in float32 whatever the weight's dtype).
    Logits are computed in the weight's dtype, then upcast, like ``lm_head(hidden).float()``.
    Not supported: logit soft-capping / scaling (models that post-process logits).
    """
    spec = LossSpec.resolve(mode, source=source, k=k, lam=lam, hybrid=hybrid, p=p, alpha=alpha, beta=beta,
                            tau=tau, quantile=quantile)
    tl, tg = _shift(labels, gate, None)
    sel = tl != IGNORE_INDEX
    h = hidden[sel]                                   # [N, H], differentiable gather
    tgt = tl[sel].long()
    static = tg[sel].float() if (tg is not None and spec.needs_static) else None
    if spec.needs_static:
        _check_static(static)
    n = int(tgt.numel())
    denom = _denominator(num_items_in_batch, n, hidden.device)
    chunk = int(chunk_size or _default_chunk(lm_head_weight.shape[0]))
    stats = {} if return_stats else None
    want_grad = torch.is_grad_enabled() and (hidden.requires_grad or lm_head_weight.requires_grad or
                                             (lm_head_bias is not None and lm_head_bias.requires_grad))
    loss = _ChunkedLMHeadLoss.apply(h, lm_head_weight, lm_head_bias, tgt, static, spec, denom, chunk, want_grad, stats)
    if n == 0:
        loss = loss + hidden.sum() * 0
    return (loss, stats) if return_stats else loss


# --------------------------------------------------------------------------------------------
# collator


def _arr(x, dtype):
    if x is None:
        return None
    if torch.is_tensor(x):
        return x.detach().cpu().numpy().astype(dtype, copy=False)
    return np.asarray(x, dtype=dtype)


class EAFTCollator:
    """Batches eaft samples (``eaft.shards`` dicts with ``ids``, ``loss_mask`` and optional ``gate``;
    JSONL-style ``mask`` is accepted too) for a Hugging Face causal LM.

    Output (torch tensors):
      * ``input_ids`` [B, L] int64;
      * ``attention_mask`` [B, L] (padding mode) or ``position_ids`` [1, L] restarting at 0 for each sample
        (``packing=True``: all samples in one row, no attention across samples -- transformers detects
        the packed sequences from ``position_ids`` when there is neither an attention mask nor a KV cache,
        so call the model with ``use_cache=False`` (``EAFTLoss``'s hook does; or set
        ``model.config.use_cache = False``): with the default ``use_cache=True`` transformers 5.x builds a
        cache and silently lets packed samples attend to each other. Flash-attention varlen uses the same
        form; ``return_flash_attn_kwargs`` adds ``cu_seq_lens_q/k`` and ``max_length_q/k``);
      * ``labels`` [B, L]: the token id where the loss mask is non-zero, else -100 (the first token of every
        sample is never a label: nothing predicts it);
      * ``eaft_gate`` [B, L] float32: the stored static gate aligned with ``labels`` (NaN where a sample has
        no gates, 0 on padding).

    Args:
        pad_token_id: id used for padding (padding is never a label).
        packing: pack into one row (``position_ids``) instead of padding rows (``attention_mask``).
        max_length: truncate each sample to this many tokens.
        pad_to_multiple_of: round the padded / packed length up (padding tokens are masked / get
            their own positions and -100 labels).
        padding_side: ``right`` (default) or ``left``.
        with_gate: emit ``eaft_gate`` (default True).
    """

    def __init__(self, pad_token_id: int = 0, packing: bool = False, max_length: Optional[int] = None,
                 pad_to_multiple_of: Optional[int] = None, padding_side: str = "right", with_gate: bool = True,
                 return_flash_attn_kwargs: bool = False):
        if padding_side not in ("right", "left"):
            raise ValueError("padding_side must be 'right' or 'left'")
        self.pad_token_id, self.packing, self.max_length = pad_token_id, packing, max_length
        self.pad_to_multiple_of, self.padding_side, self.with_gate = pad_to_multiple_of, padding_side, with_gate
        self.return_flash_attn_kwargs = return_flash_attn_kwargs

    def _sample(self, s):
        ids = _arr(s["ids"] if "ids" in s else s["input_ids"], np.int64)
        mask = s.get("loss_mask", s.get("mask"))
        mask = np.ones(len(ids), np.uint8) if mask is None else _arr(mask, np.uint8)
        g = _arr(s.get("gate"), np.float32)
        if len(mask) != len(ids) or (g is not None and len(g) != len(ids)):
            raise ValueError(f"sample {s.get('id', '?')}: ids, loss_mask and gate lengths differ")
        if self.max_length is not None:
            ids, mask = ids[: self.max_length], mask[: self.max_length]
            g = None if g is None else g[: self.max_length]
        labels = np.where(mask != 0, ids, IGNORE_INDEX)
        if len(labels):
            labels[0] = IGNORE_INDEX
        g = np.full(len(ids), np.nan, np.float32) if g is None else g
        return ids, labels, g

    def _round(self, n):
        m = self.pad_to_multiple_of
        return n if not m else (n + m - 1) // m * m

    def __call__(self, samples: Sequence[dict]) -> dict:
        rows = [self._sample(s) for s in samples]
        if self.packing:
            ids = np.concatenate([r[0] for r in rows]) if rows else np.zeros(0, np.int64)
            labels = np.concatenate([r[1] for r in rows]) if rows else np.zeros(0, np.int64)
            gates = np.concatenate([r[2] for r in rows]) if rows else np.zeros(0, np.float32)
            pos = np.concatenate([np.arange(len(r[0])) for r in rows]) if rows else np.zeros(0, np.int64)
            lens = [len(r[0]) for r in rows]
            total = self._round(len(ids))
            if total > len(ids):
                pad = total - len(ids)
                ids = np.concatenate([ids, np.full(pad, self.pad_token_id)])
                labels = np.concatenate([labels, np.full(pad, IGNORE_INDEX)])
                gates = np.concatenate([gates, np.zeros(pad, np.float32)])
                pos = np.concatenate([pos, np.arange(pad)])
                lens.append(pad)
            out = {"input_ids": torch.from_numpy(ids.astype(np.int64))[None],
                   "position_ids": torch.from_numpy(pos.astype(np.int64))[None],
                   "labels": torch.from_numpy(labels.astype(np.int64))[None]}
            if self.with_gate:
                out["eaft_gate"] = torch.from_numpy(gates.astype(np.float32))[None]
            if self.return_flash_attn_kwargs:
                cu = torch.tensor(np.cumsum([0] + lens), dtype=torch.int32)
                out.update(cu_seq_lens_q=cu, cu_seq_lens_k=cu, max_length_q=max(lens, default=0),
                           max_length_k=max(lens, default=0))
            return out
        width = self._round(max((len(r[0]) for r in rows), default=0))
        b = len(rows)
        ids = np.full((b, width), self.pad_token_id, np.int64)
        am = np.zeros((b, width), np.int64)
        labels = np.full((b, width), IGNORE_INDEX, np.int64)
        gates = np.zeros((b, width), np.float32)
        for i, (x, y, g) in enumerate(rows):
            n = len(x)
            sl = slice(0, n) if self.padding_side == "right" else slice(width - n, width)
            ids[i, sl], am[i, sl], labels[i, sl], gates[i, sl] = x, 1, y, g
        out = {"input_ids": torch.from_numpy(ids), "attention_mask": torch.from_numpy(am),
               "labels": torch.from_numpy(labels)}
        if self.with_gate:
            out["eaft_gate"] = torch.from_numpy(gates)
        return out


# --------------------------------------------------------------------------------------------
# transformers.Trainer / TRL


class EAFTLoss:
    """A ``compute_loss_func`` for ``transformers.Trainer`` and TRL's ``SFTTrainer`` that applies
    ``eaft_loss`` with the batch's static gates.

    The Trainer passes only ``(outputs, labels, num_items_in_batch)`` to a ``compute_loss_func``, and
    would hand ``eaft_gate`` to the model. ``attach(model)`` (called by ``install``) registers a
    forward pre-hook that removes ``eaft_gate`` from the model's keyword arguments and keeps it for
    the loss call that follows. Set ``remove_unused_columns=False`` in the training arguments so the
    Trainer keeps ``eaft_gate`` in the batch. The hook also sets ``use_cache=False`` (training needs no
    KV cache, and with one transformers ignores the packed rows' ``position_ids`` boundaries).

    With ``chunked=True`` the hook also asks the model for no logits (``logits_to_keep`` = an empty
    index) and for its hidden states, and the loss runs ``eaft_loss_from_hidden`` on the last hidden
    state with the model's output-embedding weight: [tokens x vocab] logits never exist.

        loss_fn = EAFTLoss(mode="static")
        trainer = Trainer(model=model, args=TrainingArguments(..., remove_unused_columns=False),
                          train_dataset=ds, data_collator=EAFTCollator(), compute_loss_func=loss_fn)
        loss_fn.install(trainer)     # or loss_fn.attach(model) before building the Trainer
    """

    def __init__(self, mode: str = "static", *, chunked: bool = False, chunk_size: Optional[int] = None,
                 anneal: bool = False, **loss_kwargs: Any):
        LossSpec.resolve(mode, **{k: v for k, v in loss_kwargs.items() if k in LossSpec.__dataclass_fields__ or k == "source"})
        self.mode, self.loss_kwargs, self.chunked, self.chunk_size = mode, loss_kwargs, chunked, chunk_size
        self.anneal = anneal
        self._trainer = None
        self._gate = None
        self._model = None
        self._handles = []

    def attach(self, model: torch.nn.Module) -> "EAFTLoss":
        """Registers the pre-hook on ``model`` (the unwrapped ``PreTrainedModel``). Idempotent."""
        if self._model is model:
            return self
        self.detach()
        self._model = model

        def hook(module, args, kwargs):
            self._gate = kwargs.pop("eaft_gate", None)
            kwargs.setdefault("use_cache", False)  # a cache disables transformers' packed-sequence masking
            if self.chunked:
                kwargs["logits_to_keep"] = torch.zeros(0, dtype=torch.long, device=self._device(module))
                kwargs["output_hidden_states"] = True
            return args, kwargs

        self._handles.append(model.register_forward_pre_hook(hook, with_kwargs=True))
        return self

    @staticmethod
    def _device(module):
        for prm in module.parameters():
            return prm.device
        return torch.device("cpu")

    def detach(self):
        """Removes the hook."""
        for h in self._handles:
            h.remove()
        self._handles, self._model = [], None

    def install(self, trainer) -> "EAFTLoss":
        """Attaches to ``trainer.model`` and sets ``trainer.compute_loss_func``; warns when the
        Trainer would drop ``eaft_gate`` (``remove_unused_columns=True``) for a mode that needs it."""
        model = trainer.accelerator.unwrap_model(trainer.model) if hasattr(trainer, "accelerator") else trainer.model
        self.attach(model)
        self._trainer = trainer
        trainer.compute_loss_func = self
        spec = LossSpec.resolve(self.mode, **{k: v for k, v in self.loss_kwargs.items() if k in LossSpec.__dataclass_fields__ or k == "source"})
        if spec.needs_static and getattr(trainer.args, "remove_unused_columns", False):
            import warnings
            warnings.warn("EAFTLoss needs 'eaft_gate' in the batch: set remove_unused_columns=False")
        return self

    def current_lambda(self) -> float:
        """λ for this call: ``lam`` (default 0.5), or the annealed value at the trainer's current step."""
        if not self.anneal:
            return float(self.loss_kwargs.get("lam", 0.5))
        if self._trainer is None:
            raise RuntimeError("EAFTLoss(anneal=True) needs install(trainer) to know the step")
        st = self._trainer.state
        total = max(1, int(st.max_steps) - 1)
        return max(0.0, 1.0 - float(st.global_step) / total)

    def __call__(self, outputs, labels, num_items_in_batch=None, **_):
        gate, self._gate = self._gate, None
        if labels is None:
            raise ValueError("EAFTLoss: the batch has no labels")
        kw = dict(self.loss_kwargs)
        if self.anneal:
            kw["lam"] = self.current_lambda()
        if self.chunked:
            if self._model is None:
                raise RuntimeError("EAFTLoss(chunked=True) needs attach(model) / install(trainer)")
            head = self._model.get_output_embeddings()
            hidden = outputs.hidden_states[-1]
            return eaft_loss_from_hidden(hidden, head.weight, labels, gate=gate, mode=self.mode,
                                         num_items_in_batch=num_items_in_batch, lm_head_bias=getattr(head, "bias", None),
                                         chunk_size=self.chunk_size, **kw)
        logits = outputs["logits"] if isinstance(outputs, dict) else outputs[0]
        return eaft_loss(logits, labels, gate=gate, mode=self.mode, num_items_in_batch=num_items_in_batch, **kw)
