"""Data for the forgetting experiment (experiments/forgetting.sh): a pretraining corpus of
general English text (wikitext-2 valid, wiki_demo, tiny Shakespeare, C4 demo) plus 3,000 GSM8K
train problems, an 8,192-token byte-level BPE trained on it by eaft, the corpus cut into
256-token sequences ({"ids", "mask"} JSONL, every token a label), and two held-out sets:
wikitext-2 *test* (general) and 200 other GSM8K problems.

Usage: python3 experiments/forgetting_prep.py SHARED_DATA EAFT_BINARY OUT_DIR"""
import json, subprocess, sys, random
S, E, OUT = sys.argv[1], sys.argv[2], sys.argv[3]
gen_train = [open(f"{S}/general/wikitext-2/valid.txt").read(), open(f"{S}/general/wiki_demo.txt").read(),
             open(f"{S}/general/tiny_shakespeare/input.txt").read()]
gen_train += ["\n".join(json.loads(l).get("text", "") for l in open(f"{S}/general/c4_demo/c4_demo.jsonl"))]
gen_eval = open(f"{S}/general/wikitext-2/test.txt").read()
math = []
for l in open(f"{S}/math/gsm8k/train.jsonl"):
    r = json.loads(l)
    math.append("Question: " + r["question"] + "\nAnswer: " + r["answer"] + "\n")
random.Random(1).shuffle(math)
math_train, math_eval = math[:3000], math[3000:3200]
docs_train = [d for t in gen_train for d in t.split("\n\n") if d.strip()] + math_train
with open(f"{OUT}/tok_corpus.txt", "w") as f:
    for d in docs_train: f.write(d.replace("\n", " ") + "\n")
subprocess.run([E, "tokenizer", "train", "--input", f"{OUT}/tok_corpus.txt", "--vocab-size", "8192",
                "--special-tokens", "<|endoftext|>", "<|im_start|>", "<|im_end|>", "--out", f"{OUT}/tokenizer.json"], check=True)
def encode(docs):
    inp = "".join(json.dumps({"text": d}) + "\n" for d in docs)
    p = subprocess.run([E, "tokenize", "--tokenizer", f"{OUT}/tokenizer.json"], input=inp.encode(), capture_output=True, check=True)
    return [json.loads(l) for l in p.stdout.decode().splitlines()]
def chunks(docs, n=256):
    stream = []
    for ids in encode(docs): stream += ids + [0]  # <|endoftext|> = id 0
    return [stream[i:i + n] for i in range(0, len(stream) - n + 1, n)]
def write(path, seqs):
    with open(path, "w") as f:
        for s in seqs: f.write(json.dumps({"ids": s, "mask": [1] * len(s)}) + "\n")
tr = chunks(docs_train); random.Random(2).shuffle(tr)
write(f"{OUT}/pretrain.jsonl", tr)
write(f"{OUT}/eval_general.jsonl", chunks([d for d in gen_eval.split("\n\n") if d.strip()])[:200])
write(f"{OUT}/eval_math.jsonl", chunks(math_eval)[:100])
print("train seqs", len(tr), "tokens", 256 * len(tr))
