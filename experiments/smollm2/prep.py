"""Evaluation data for experiments/forgetting-smollm2.sh (standard library only; tokenization by
`eaft tokenize` with the base model's own tokenizer):

- general sets: wikitext-2 *test* and a C4 slice (shared/data/general/c4_demo), each cut into
  256-token sequences of plain text, every token a label ({"ids", "mask"} JSONL);
- multiple-choice sets in lm-evaluation-harness's prompt format (tasks `medqa_4options` and
  `medmcqa`: "Question: …\\n[Choices:\\n]A. …\\nB. …\\nC. …\\nD. …\\nAnswer:", choices " A" … " D"):
  MedQA test and a held-out part of MedMCQA; the rest of MedMCQA is written as training input.

Usage: python3 prep.py SHARED EAFT_BINARY WORK_DIR N_GENERAL_SEQS N_MCQ"""
import hashlib, json, os, subprocess, sys

S, E, W, NGEN, NMCQ = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
os.makedirs(f"{W}/eval", exist_ok=True)
TOK = f"{W}/base/tokenizer.json"


def encode(texts):
    inp = "".join(json.dumps({"text": t}) + "\n" for t in texts)
    p = subprocess.run([E, "tokenize", "--tokenizer", TOK], input=inp.encode(), capture_output=True, check=True)
    return [json.loads(l) for l in p.stdout.decode().splitlines()]


def chunks(docs, n, count):
    """Documents joined by the tokenizer's <|endoftext|> (id 0 in SmolLM2), cut into n-token
    sequences; `count` of them taken evenly spaced over the stream (deterministic)."""
    stream = []
    for ids in encode(docs):
        stream += ids + [0]
    seqs = [stream[i:i + n] for i in range(0, len(stream) - n + 1, n)]
    step = max(1, len(seqs) // count)
    return seqs[::step][:count]


def write_seqs(path, seqs):
    with open(path + ".tmp", "w") as f:
        for s in seqs:
            f.write(json.dumps({"ids": s, "mask": [1] * len(s)}) + "\n")
    os.replace(path + ".tmp", path)


# wikitext-2 test: articles start at " = Title = " lines; paragraphs are the other non-empty lines.
wiki, cur = [], []
for line in open(f"{S}/data/general/wikitext-2/test.txt", encoding="utf-8"):
    t = line.strip()
    if t.startswith("= ") and not t.startswith("= ="):
        if cur: wiki.append("\n".join(cur))
        cur = [t]
    elif t:
        cur.append(t)
if cur: wiki.append("\n".join(cur))
write_seqs(f"{W}/eval/wikitext.jsonl", chunks(wiki, 256, NGEN))
c4 = [json.loads(l)["text"] for l in open(f"{S}/data/general/c4_demo/c4_demo.jsonl", encoding="utf-8")]
write_seqs(f"{W}/eval/c4.jsonl", chunks(c4, 256, NGEN))


def mcq(question, options, answer, medmcqa):
    text = "Question: " + question + ("\nChoices:\n" if medmcqa else "\n")
    text += "".join(f"{k}. {options[k]}\n" for k in "ABCD") + "Answer:"
    return {"context": text, "choices": list("ABCD"), "answer": "ABCD".index(answer)}


def write_mcq(path, rows):
    with open(path + ".tmp", "w") as f:
        for r in rows: f.write(json.dumps(r) + "\n")
    os.replace(path + ".tmp", path)


medqa = [json.loads(l) for l in open(f"{S}/data/medical/medqa/test.jsonl", encoding="utf-8")]
write_mcq(f"{W}/eval/medqa_mcq.jsonl", [dict(mcq(r["question"], r["options"], r["answer_idx"], False), id=str(r["realidx"]))
                                        for r in medqa[:NMCQ]])
# MedMCQA: held out = the NMCQ rows with the smallest sha256(realidx); the rest is training input.
med = [json.loads(l) for l in open(f"{S}/data/medical/medmcqa/test.jsonl", encoding="utf-8")]
rank = sorted(range(len(med)), key=lambda i: hashlib.sha256(med[i]["realidx"].encode()).hexdigest())
held = set(rank[:NMCQ])
write_mcq(f"{W}/eval/medmcqa_mcq.jsonl", [dict(mcq(med[i]["question"], med[i]["options"], med[i]["answer_idx"], True), id=med[i]["realidx"])
                                          for i in sorted(held)])
with open(f"{W}/eval/medmcqa_train.jsonl.tmp", "w") as f:
    for i, r in enumerate(med):
        if i not in held: f.write(json.dumps(r) + "\n")
os.replace(f"{W}/eval/medmcqa_train.jsonl.tmp", f"{W}/eval/medmcqa_train.jsonl")
print(json.dumps({"wikitext_seqs": NGEN, "c4_seqs": NGEN, "medqa_mcq": min(NMCQ, len(medqa)), "medmcqa_mcq": len(held),
                  "medmcqa_train": len(med) - len(held)}))
