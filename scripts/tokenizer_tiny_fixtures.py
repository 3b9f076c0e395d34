#!/usr/bin/env python3
"""Small self-contained tokenizer fixtures (Tests/Fixtures/tokenizer/tiny/) so the core is tested
without ../shared.

1. Trains a 600-token byte-level BPE with `eaft tokenizer train` on a slice of shared text.
2. Derives variants by editing the JSON: qwen (as trained), llama3 (\\p{N}{1,3} regex, ignore_merges),
   gpt2 (ByteLevel use_regex=true, no normalizer, legacy "a b" merges), flags (added tokens with
   lstrip / rstrip / single_word / normalized / non-special, plus a Llama-style BOS template).
3. Encodes edge-case texts with HF `tokenizers` (add_special_tokens False and True) → tiny_goldens.jsonl.

Usage: python3 scripts/tokenizer_tiny_fixtures.py [--eaft .build/release/eaft] [--shared ../shared]
"""
import argparse
import copy
import json
import os
import subprocess
import tempfile

from tokenizers import Tokenizer

GPT2_RE = r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"
LLAMA3_RE = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"

EDGE = [
    "", " ", "  ", "\n", "\n\n\n", " \n ", "\t\tx", "a  b   c    ", "Hello, world!", "hello world\n\nbye",
    "I'm you're we've they'll he'd it's don't", "I'M YOU'RE WE'VE THEY'LL HE'D IT'S", "'s 'S 'ſ 'x ''", "'hello 'Re",
    "1 12 123 1234 12345 1234567890", "3.14159, -2.5e10, ١٢٣ ½ ² Ⅻ", "x=1;y=22;z=333;", "(parens) [brackets] {braces}",
    "  leading and trailing  ", "tabs\tand\r\nCRLF\r\n", "\u00a0nbsp\u2003emsp\u3000ideo", "zero\u200bwidth", "line\u2028sep\u0085nel",
    "naïve café résumé", "nai\u0308ve cafe\u0301", "Ω Å ﬁ ＡＢＣ", "한국어 텍스트 가\u1100\u1161", "中文字符，标点。", "日本語のテキスト",
    "Привет, мир!", "مرحبا بالعالم", "नमस्ते दुनिया", "สวัสดีชาวโลก", "😀 👩‍👩‍👧‍👦 🇫🇷 👍🏽 1️⃣", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝟙𝟚𝟛",
    "control\x00\x01\x1f\x7f chars", "\ufeffBOM", "a" * 300, "ab" * 200, " " * 40 + "x", "0" * 70,
    "<|endoftext|>", "<|im_start|>user\nhi<|im_end|>\n", "x<|im_end|>y", "<|im_end|><|im_end|>", "<|im_end", "<|im_start|",
    "def f(x):\n    return x ** 2  # square\n", "{\"name\": \"f\", \"arguments\": {\"a\": 1}}", "<tool_call>\n{}\n</tool_call>",
    "[MASK] the [MASK]. foo[MASK]bar [MASK]x", "x_[MASK]", "_ [MASK]", "1[MASK]", "\u00b2[MASK]", "\u2160[MASK]",
    "\u0300[MASK]", "-[MASK]-", "[MASK]\u200d", "[MASK]\u02b0", "\u00a0[MASK]\u3000", "  <sep>  spaced  <sep>", "word<sep>word", "<SEP> Café <sep>", "élan <e\u0301t> <ét>",
]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--eaft", default=os.path.join(here, "..", ".build", "release", "eaft"))
    ap.add_argument("--shared", default=os.path.join(here, "..", "..", "shared"))
    args = ap.parse_args()
    outdir = os.path.join(here, "..", "Tests", "Fixtures", "tokenizer", "tiny")
    os.makedirs(outdir, exist_ok=True)
    data = os.path.join(args.shared, "data")
    with tempfile.TemporaryDirectory() as tmp:
        train = os.path.join(tmp, "train.txt")
        with open(train, "w", encoding="utf-8") as f:
            f.write(open(os.path.join(data, "general/wiki_demo.txt"), encoding="utf-8").read()[:150_000])
            for l in list(open(os.path.join(data, "general/alpaca_zh_demo/alpaca_zh_demo.jsonl"), encoding="utf-8"))[:100]:
                f.write(json.loads(l)["output"] + "\n")
            f.write("\n".join(EDGE) + "\n")
        qwen_path = os.path.join(outdir, "qwen.json")
        subprocess.run([args.eaft, "tokenizer", "train", "--input", train, "--vocab-size", "600", "--out", qwen_path,
                        "--special-tokens", "<|endoftext|>", "<|im_start|>", "<|im_end|>"], check=True)
    qwen = json.load(open(qwen_path, encoding="utf-8"))
    variants = {"qwen": qwen}

    llama = copy.deepcopy(qwen)
    llama["normalizer"] = None
    llama["pre_tokenizer"]["pretokenizers"][0]["pattern"]["Regex"] = LLAMA3_RE
    llama["model"]["ignore_merges"] = True
    variants["llama3"] = llama

    gpt2 = copy.deepcopy(qwen)
    gpt2["normalizer"] = None
    gpt2["pre_tokenizer"] = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True}
    gpt2["model"]["merges"] = [a + " " + b for a, b in gpt2["model"]["merges"]]
    gpt2["added_tokens"] = [dict(gpt2["added_tokens"][0], normalized=True)]
    variants["gpt2"] = gpt2

    flags = copy.deepcopy(qwen)
    n = len(flags["model"]["vocab"])
    def tok(i, content, **kw):
        d = {"id": i, "content": content, "single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": True}
        d.update(kw)
        return d
    flags["added_tokens"] += [
        tok(n, "[MASK]", lstrip=True, single_word=True),
        tok(n + 1, "<sep>", lstrip=True, rstrip=True, special=False),
        tok(n + 2, "<ét>", normalized=True, special=False),
    ]
    flags["post_processor"] = {"type": "Sequence", "processors": [
        {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False, "use_regex": True},
        {"type": "TemplateProcessing",
         "single": [{"SpecialToken": {"id": "<|im_start|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                    {"SpecialToken": {"id": "<|endoftext|>", "type_id": 0}}],
         "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}],
         "special_tokens": {"<|im_start|>": {"id": "<|im_start|>", "ids": [1], "tokens": ["<|im_start|>"]},
                            "<|endoftext|>": {"id": "<|endoftext|>", "ids": [0], "tokens": ["<|endoftext|>"]}}}]}
    variants["flags"] = flags

    texts = list(EDGE)
    for l in list(open(os.path.join(data, "tokenizer-parity/qwen3.jsonl"), encoding="utf-8"))[::40]:
        t = json.loads(l)["text"]
        if len(t) < 2000:
            texts.append(t)
    with open(os.path.join(outdir, "tiny_goldens.jsonl"), "w", encoding="utf-8") as g:
        for name, spec in variants.items():
            path = os.path.join(outdir, f"{name}.json")
            with open(path, "w", encoding="utf-8") as f:
                json.dump(spec, f, ensure_ascii=False)
            hf = Tokenizer.from_file(path)
            for t in texts:
                ids = hf.encode(t, add_special_tokens=False).ids
                ids_special = hf.encode(t, add_special_tokens=True).ids
                dec = hf.decode(ids, skip_special_tokens=False)
                dec_skip = hf.decode(ids, skip_special_tokens=True)
                g.write(json.dumps({"variant": name, "text": t, "ids": ids, "ids_special": ids_special,
                                    "decoded": dec, "decoded_skip": dec_skip}, ensure_ascii=False) + "\n")
    print("wrote", outdir, len(texts), "texts x", len(variants), "variants")


if __name__ == "__main__":
    main()
