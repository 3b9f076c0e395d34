#!/usr/bin/env python3
"""Builds the small self-made model fixtures under Tests/Fixtures/model (no torch needed).

Three tiny random checkpoints that together cover what the shared HF goldens do not:
  qwen3-bf16     Qwen3 (q/k RMSNorm, tied, GQA), BF16 weights, transformers-5 config
  llama3-f16     Llama with rope_scaling llama3, attention_bias (q/k/v/o bias), untied,
                 F16 weights split over two shards + model.safetensors.index.json, legacy config
  qwen2-f32      Qwen2 (q/k/v bias), F32, legacy config with rope_theta only
For each, expected.safetensors holds `seqN.ids` and, computed here in float64 NumPy from the
stored (rounded) weights: `seqN.logits` [T, V], and per position t (predicting ids[t+1])
`seqN.k{K}.{logprob,entropy,topk_entropy,gate}` for K in 20 and 5.

Maths follows transformers' modeling_llama / modeling_qwen2 / modeling_qwen3 (eager attention,
rotate-half RoPE with inverse frequencies computed in float32 as transformers does, llama3
scaling from modeling_rope_utils._compute_llama3_parameters).

    python3 scripts/model_make_fixture.py            # rewrites Tests/Fixtures/model/*
"""
import json
import math
import os
import struct

import numpy as np

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "Fixtures", "model")


# ---------- safetensors writing (F32 / F16 / BF16), HF layout ----------
def to_bf16_bits(a):
    b = np.asarray(a, np.float32).view(np.uint32).astype(np.uint64)
    r = (b + 0x7FFF + ((b >> 16) & 1)) >> 16  # round to nearest even
    return r.astype(np.uint16)


def from_bf16_bits(u):
    return (u.astype(np.uint32) << 16).view(np.float32)


def write_safetensors(path, tensors, dtype):
    """tensors: dict name -> float array (already representable in dtype)."""
    header = {"__metadata__": {"format": "pt"}}
    blobs, off = [], 0
    for name in sorted(tensors):
        a = np.asarray(tensors[name])
        if dtype == "F32":
            raw = a.astype("<f4").tobytes()
        elif dtype == "F16":
            raw = a.astype("<f2").tobytes()
        else:
            raw = to_bf16_bits(a).astype("<u2").tobytes()
        header[name] = {"dtype": dtype, "shape": list(a.shape), "data_offsets": [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def rounded(a, dtype):
    a = np.asarray(a, np.float32)
    if dtype == "F16":
        return a.astype(np.float16).astype(np.float32)
    if dtype == "BF16":
        return from_bf16_bits(to_bf16_bits(a))
    return a


# ---------- the model maths, float64 ----------
def inv_freq(c):
    d = c["head_dim"]
    base = np.float32(c["theta"])
    f = (np.float32(1.0) / (base ** (np.arange(0, d, 2, dtype=np.float32) / np.float32(d)))).astype(np.float32)
    if c.get("llama3"):
        factor, lo, hi, old = c["llama3"]
        f32 = np.float32
        wavelen = f32(2 * math.pi) / f
        lw, hw = f32(old) / f32(lo), f32(old) / f32(hi)
        scaled = np.where(wavelen > lw, f / f32(factor), f)
        smooth = (f32(old) / wavelen - f32(lo)) / (f32(hi) - f32(lo))
        smoothed = (1 - smooth) * scaled / f32(factor) + smooth * scaled
        medium = ~(wavelen < hw) & ~(wavelen > lw)
        f = np.where(medium, smoothed, scaled).astype(np.float32)
    return f


def rms(x, w, eps):
    return x / np.sqrt((x * x).mean(-1, keepdims=True) + eps) * w


def forward(c, W, ids):
    T = len(ids)
    nh, nkv, hd = c["heads"], c["kv_heads"], c["head_dim"]
    x = W["model.embed_tokens.weight"][ids]
    ang = (np.arange(T, dtype=np.float32)[:, None] * inv_freq(c)[None, :]).astype(np.float32)
    emb = np.concatenate([ang, ang], -1).astype(np.float64)
    cos, sin = np.cos(emb), np.sin(emb)

    def rope(t):  # t [heads, T, hd]
        h = hd // 2
        return t * cos + np.concatenate([-t[..., h:], t[..., :h]], -1) * sin

    def lin(h, n, bias):
        y = h @ W[n + ".weight"].T
        return y + W[n + ".bias"] if bias else y

    mask = np.triu(np.full((T, T), -np.inf), 1)
    for i in range(c["layers"]):
        p = f"model.layers.{i}."
        h = rms(x, W[p + "input_layernorm.weight"], c["eps"])
        q = lin(h, p + "self_attn.q_proj", c["qkv_bias"]).reshape(T, nh, hd)
        k = lin(h, p + "self_attn.k_proj", c["qkv_bias"]).reshape(T, nkv, hd)
        v = lin(h, p + "self_attn.v_proj", c["qkv_bias"]).reshape(T, nkv, hd)
        if c["qk_norm"]:
            q = rms(q, W[p + "self_attn.q_norm.weight"], c["eps"])
            k = rms(k, W[p + "self_attn.k_norm.weight"], c["eps"])
        q, k, v = (t.transpose(1, 0, 2) for t in (q, k, v))
        q, k = rope(q), rope(k)
        rep = nh // nkv
        k, v = np.repeat(k, rep, 0), np.repeat(v, rep, 0)
        s = q @ k.transpose(0, 2, 1) / math.sqrt(hd) + mask
        s = np.exp(s - s.max(-1, keepdims=True))
        s /= s.sum(-1, keepdims=True)
        o = (s @ v).transpose(1, 0, 2).reshape(T, nh * hd)
        x = x + lin(o, p + "self_attn.o_proj", c["o_bias"])
        h = rms(x, W[p + "post_attention_layernorm.weight"], c["eps"])
        g = lin(h, p + "mlp.gate_proj", False)
        x = x + lin(g / (1 + np.exp(-g)) * lin(h, p + "mlp.up_proj", False), p + "mlp.down_proj", False)
    x = rms(x, W["model.norm.weight"], c["eps"])
    head = W["model.embed_tokens.weight"] if c["tie"] else W["lm_head.weight"]
    return x @ head.T


def stats(logits, ids, K):
    lg = logits[:-1]
    m = lg.max(-1, keepdims=True)
    lp = lg - m - np.log(np.exp(lg - m).sum(-1, keepdims=True))
    tlp = lp[np.arange(len(ids) - 1), ids[1:]]
    ent = -(np.exp(lp) * lp).sum(-1)
    top = -np.sort(-lg, -1)[:, :K]
    tl = top - top.max(-1, keepdims=True)
    tl = tl - np.log(np.exp(tl).sum(-1, keepdims=True))
    tke = -(np.exp(tl) * tl).sum(-1)
    return dict(logprob=tlp, entropy=ent, topk_entropy=tke, gate=tke / math.log(K))


# ---------- building ----------
def params(c, rng):
    H, I, V = c["hidden"], c["inter"], c["vocab"]
    qd, kvd = c["heads"] * c["head_dim"], c["kv_heads"] * c["head_dim"]
    W = {"model.embed_tokens.weight": rng.normal(0, 0.3, (V, H))}
    for i in range(c["layers"]):
        p = f"model.layers.{i}."
        W[p + "input_layernorm.weight"] = 1 + 0.1 * rng.normal(size=H)
        W[p + "post_attention_layernorm.weight"] = 1 + 0.1 * rng.normal(size=H)
        for n, shape in [("q_proj", (qd, H)), ("k_proj", (kvd, H)), ("v_proj", (kvd, H)), ("o_proj", (H, qd))]:
            W[p + "self_attn." + n + ".weight"] = rng.normal(0, 0.25, shape)
        if c["qkv_bias"]:
            for n, d in [("q_proj", qd), ("k_proj", kvd), ("v_proj", kvd)]:
                W[p + "self_attn." + n + ".bias"] = 0.1 * rng.normal(size=d)
        if c["o_bias"]:
            W[p + "self_attn.o_proj.bias"] = 0.1 * rng.normal(size=H)
        if c["qk_norm"]:
            W[p + "self_attn.q_norm.weight"] = 1 + 0.1 * rng.normal(size=c["head_dim"])
            W[p + "self_attn.k_norm.weight"] = 1 + 0.1 * rng.normal(size=c["head_dim"])
        W[p + "mlp.gate_proj.weight"] = rng.normal(0, 0.25, (I, H))
        W[p + "mlp.up_proj.weight"] = rng.normal(0, 0.25, (I, H))
        W[p + "mlp.down_proj.weight"] = rng.normal(0, 0.25, (H, I))
    W["model.norm.weight"] = 1 + 0.1 * rng.normal(size=H)
    if not c["tie"]:
        W["lm_head.weight"] = rng.normal(0, 0.3, (V, H))
    return W


def build(name, c, config_json, dtype, shards, seed):
    rng = np.random.default_rng(seed)
    W = {k: rounded(v, dtype) for k, v in params(c, rng).items()}
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    for f in os.listdir(d):
        os.remove(os.path.join(d, f))
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(config_json, f, indent=2)
    if shards == 1:
        write_safetensors(os.path.join(d, "model.safetensors"), W, dtype)
    else:
        names = sorted(W)
        wm = {}
        for s in range(shards):
            part = names[s::shards]
            fn = f"model-{s + 1:05d}-of-{shards:05d}.safetensors"
            write_safetensors(os.path.join(d, fn), {n: W[n] for n in part}, dtype)
            wm.update({n: fn for n in part})
        with open(os.path.join(d, "model.safetensors.index.json"), "w") as f:
            json.dump({"metadata": {"total_size": 0}, "weight_map": wm}, f, indent=2)
    W64 = {k: v.astype(np.float64) for k, v in W.items()}
    exp = {}
    seqs = [rng.integers(0, c["vocab"], 19), rng.integers(0, c["vocab"], 7), rng.integers(0, c["vocab"], 70)]
    for i, ids in enumerate(seqs):
        lg = forward(c, W64, ids)
        exp[f"seq{i}.ids"] = ids.astype(np.float32)  # small ints, exact in F32
        exp[f"seq{i}.logits"] = lg
        for K in (20, 5):
            for k, v in stats(lg, ids, K).items():
                exp[f"seq{i}.k{K}.{k}"] = v
    write_safetensors(os.path.join(d, "expected.safetensors"), exp, "F32")


def main():
    base = dict(vocab=96, hidden=32, inter=48, layers=2, heads=4, kv_heads=2, head_dim=8, eps=1e-6)
    q3 = dict(base, theta=1e6, tie=True, qkv_bias=False, o_bias=False, qk_norm=True)
    build("qwen3-bf16", q3, {
        "architectures": ["Qwen3ForCausalLM"], "model_type": "qwen3", "dtype": "bfloat16",
        "vocab_size": 96, "hidden_size": 32, "intermediate_size": 48, "num_hidden_layers": 2,
        "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 8, "hidden_act": "silu",
        "rms_norm_eps": 1e-6, "rope_parameters": {"rope_type": "default", "rope_theta": 1e6},
        "tie_word_embeddings": True, "attention_bias": False, "use_sliding_window": False,
        "sliding_window": None, "layer_types": ["full_attention"] * 2, "max_position_embeddings": 128,
    }, "BF16", 1, 11)
    ll = dict(base, eps=1e-5, theta=10000.0, tie=False, qkv_bias=True, o_bias=True, qk_norm=False,
              llama3=(8.0, 1.0, 4.0, 64))
    build("llama3-f16", ll, {
        "architectures": ["LlamaForCausalLM"], "model_type": "llama", "torch_dtype": "float16",
        "vocab_size": 96, "hidden_size": 32, "intermediate_size": 48, "num_hidden_layers": 2,
        "num_attention_heads": 4, "num_key_value_heads": 2, "hidden_act": "silu", "rms_norm_eps": 1e-5,
        "rope_theta": 10000.0, "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                                "high_freq_factor": 4.0, "original_max_position_embeddings": 64},
        "attention_bias": True, "mlp_bias": False, "tie_word_embeddings": False, "max_position_embeddings": 512,
        "eos_token_id": [1, 2], "pretraining_tp": 1,
    }, "F16", 2, 12)
    q2 = dict(base, theta=10000.0, tie=False, qkv_bias=True, o_bias=False, qk_norm=False)
    build("qwen2-f32", q2, {
        "architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "torch_dtype": "float32",
        "vocab_size": 96, "hidden_size": 32, "intermediate_size": 48, "num_hidden_layers": 2,
        "num_attention_heads": 4, "num_key_value_heads": 2, "hidden_act": "silu", "rms_norm_eps": 1e-6,
        "rope_theta": 10000, "rope_scaling": None, "use_sliding_window": False, "sliding_window": 4096,
        "max_window_layers": 28, "tie_word_embeddings": False, "max_position_embeddings": 256,
    }, "F32", 1, 13)


if __name__ == "__main__":
    main()
