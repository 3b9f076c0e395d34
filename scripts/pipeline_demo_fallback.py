#!/usr/bin/env python3
"""Fallbacks for scripts/demo.sh while `eaft tokenizer train` / `eaft model init` are unavailable.

    python3 scripts/pipeline_demo_fallback.py tokenizer CORPUS.jsonl VOCAB OUT/tokenizer.json
    python3 scripts/pipeline_demo_fallback.py model CONFIG.json OUT_DIR [SEED]

tokenizer: byte-level BPE trained with the Hugging Face `tokenizers` library (specials
           <|endoftext|> <|im_start|> <|im_end|> get ids 0, 1, 2).
model:     a RANDOM-INIT Qwen3 checkpoint (config.json + model.safetensors, float32, tied embeddings),
           weights N(0, initializer_range^2), norms 1 — written with numpy (safetensors layout:
           u64 header length, JSON header, raw little-endian data; https://github.com/huggingface/safetensors).
"""
import json
import os
import struct
import sys

import numpy as np


def tokenizer(corpus, vocab, out):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    texts = [json.loads(l)["text"] for l in open(corpus, encoding="utf-8")]
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tr = trainers.BpeTrainer(vocab_size=int(vocab), special_tokens=["<|endoftext|>", "<|im_start|>", "<|im_end|>"],
                             initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), min_frequency=2, show_progress=False)
    tok.train_from_iterator(texts, tr)
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    tok.save(out)


def model(config_path, out_dir, seed=0):
    cfg = json.load(open(config_path))
    rng = np.random.default_rng(int(seed))
    std = float(cfg.get("initializer_range", 0.02))
    H, I, V = cfg["hidden_size"], cfg["intermediate_size"], cfg["vocab_size"]
    nh, nkv, hd = cfg["num_attention_heads"], cfg["num_key_value_heads"], cfg.get("head_dim", H // cfg["num_attention_heads"])
    t = {"model.embed_tokens.weight": rng.normal(0, std, (V, H)), "model.norm.weight": np.ones(H)}
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        t[p + "input_layernorm.weight"] = np.ones(H)
        t[p + "post_attention_layernorm.weight"] = np.ones(H)
        t[p + "self_attn.q_proj.weight"] = rng.normal(0, std, (nh * hd, H))
        t[p + "self_attn.k_proj.weight"] = rng.normal(0, std, (nkv * hd, H))
        t[p + "self_attn.v_proj.weight"] = rng.normal(0, std, (nkv * hd, H))
        t[p + "self_attn.o_proj.weight"] = rng.normal(0, std, (H, nh * hd))
        t[p + "self_attn.q_norm.weight"] = np.ones(hd)
        t[p + "self_attn.k_norm.weight"] = np.ones(hd)
        t[p + "mlp.gate_proj.weight"] = rng.normal(0, std, (I, H))
        t[p + "mlp.up_proj.weight"] = rng.normal(0, std, (I, H))
        t[p + "mlp.down_proj.weight"] = rng.normal(0, std, (H, I))
    if not cfg.get("tie_word_embeddings", False):
        t["lm_head.weight"] = rng.normal(0, std, (V, H))
    header, blobs, off = {}, [], 0
    for name in sorted(t):
        a = np.ascontiguousarray(t[name], dtype="<f4")
        header[name] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [off, off + a.nbytes]}
        blobs.append(a.tobytes())
        off += a.nbytes
    header["__metadata__"] = {"format": "pt"}
    hb = json.dumps(header, separators=(",", ":")).encode()
    hb += b" " * ((8 - len(hb) % 8) % 8)
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "model.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(hb)) + hb)
        for b in blobs:
            f.write(b)
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)


if __name__ == "__main__":
    if len(sys.argv) >= 5 and sys.argv[1] == "tokenizer":
        tokenizer(*sys.argv[2:5])
    elif len(sys.argv) >= 4 and sys.argv[1] == "model":
        model(*sys.argv[2:])
    else:
        sys.exit(__doc__)
