#!/usr/bin/env python3
"""Train a byte-level BPE with `eaft tokenizer train`, then check that HF `tokenizers` (0.23.3)
loads the written tokenizer.json and encodes held-out text exactly as `eaft tokenize` does.

Usage: python3 scripts/tokenizer_train_roundtrip.py [--eaft .build/release/eaft] [--shared ../shared]
       [--vocab-size 8000]
Exit status 0 only if every held-out line has identical ids (and decode(encode(x)) == NFC(x)).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import unicodedata

from tokenizers import Tokenizer


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--eaft", default=os.path.join(here, "..", ".build", "release", "eaft"))
    ap.add_argument("--shared", default=os.path.join(here, "..", "..", "shared"))
    ap.add_argument("--vocab-size", type=int, default=8000)
    args = ap.parse_args()
    data = os.path.join(args.shared, "data")
    train_files = [os.path.join(data, "general/wiki_demo.txt"), os.path.join(data, "general/tiny_shakespeare/input.txt"),
                   os.path.join(data, "general/alpaca_zh_demo/alpaca_zh_demo.jsonl")]
    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "tokenizer.json")
        # alpaca_zh rows have instruction/output; train on the output field.
        cmd = [args.eaft, "tokenizer", "train", "--vocab-size", str(args.vocab_size), "--out", out, "--field", "output",
               "--special-tokens", *specials]
        for f in train_files:
            cmd += ["--input", f]
        t0 = time.time()
        res = subprocess.run(cmd, check=True, capture_output=True, text=True)
        print("train:", res.stdout.strip(), f"(wall {time.time() - t0:.2f}s)")

        # Held-out: wikitext-2 test lines + the diverse parity texts (scripts, emoji, whitespace, specials, NFD...).
        held = [l for l in open(os.path.join(data, "general/wikitext-2/test.txt"), encoding="utf-8") if l.strip()][:2000]
        held += [json.loads(l)["text"] for l in open(os.path.join(data, "tokenizer-parity/qwen3.jsonl"), encoding="utf-8")]
        held += ["<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>", "<|endoftext|><|endoftext|>x"]
        inp = os.path.join(tmp, "held.jsonl")
        with open(inp, "w", encoding="utf-8") as f:
            for t in held:
                f.write(json.dumps({"text": t}, ensure_ascii=False) + "\n")
        res = subprocess.run([args.eaft, "tokenize", "--tokenizer", out, "--input", inp], check=True,
                             capture_output=True, text=True)
        ours = [json.loads(l) for l in res.stdout.splitlines()]
        hf = Tokenizer.from_file(out)
        theirs = [e.ids for e in hf.encode_batch(held, add_special_tokens=False)]
        assert len(ours) == len(theirs) == len(held), (len(ours), len(theirs), len(held))
        bad = [i for i in range(len(held)) if ours[i] != theirs[i]]
        rt_bad = [i for i in range(len(held)) if hf.decode(theirs[i], skip_special_tokens=False) != unicodedata.normalize("NFC", held[i])]
        ntok = sum(len(x) for x in theirs)
        print(f"held-out lines: {len(held)}, tokens: {ntok}, id mismatches: {len(bad)}, decode mismatches: {len(rt_bad)}")
        print(f"hf vocab size: {hf.get_vocab_size()}")
        for i in bad[:5]:
            print("MISMATCH", repr(held[i][:100]), ours[i][:20], theirs[i][:20])
        if bad or rt_bad:
            sys.exit(1)
        print("OK: HF tokenizers encodes identically to eaft on every held-out line")


if __name__ == "__main__":
    main()
