#!/usr/bin/env python3
"""Python reference timings for `eaft bench verify` (same workload, same machine, same run).

Builds ~19k records the same way (GSM8K train question + answer; copies after the first
have 3% of question words replaced), then times:
  math_verify   Math-Verify 0.9.0 parse+verify of (answer, final number)     [the reference verifier]
  exact_dedup   NFC + lowercase + whitespace collapse, sha256 set
  minhash       datatrove-style signatures: word 5-gram shingles (sha1 → 64-bit),
                (a·x + b) mod (2^61 − 1) with numpy, 14 bands × 8 rows, bucket dict
  decontam      13-gram word tuples of all math test-set questions in a set, lookups per record
Usage: python3 scripts/verify_bench_reference.py [--shared ../shared] [--records 19000]
"""
import argparse, glob, hashlib, json, os, random, re, time, unicodedata
import numpy as np

def load(p):
    with open(p, encoding="utf-8") as f:
        return [json.loads(l) for l in f if l.strip()]

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default="../shared")
    ap.add_argument("--records", type=int, default=19000)
    ap.add_argument("--skip-math-verify", action="store_true")
    a = ap.parse_args()
    base = os.path.join(a.shared, "data", "math")
    train = load(os.path.join(base, "gsm8k", "train.jsonl"))
    rng = random.Random(7)
    texts, answers, copy = [], [], 0
    while len(texts) < a.records:
        for r in train:
            if len(texts) >= a.records:
                break
            q = r["question"]
            if copy:
                w = q.split(" ")
                for _ in range(max(1, round(len(w) * 0.03))):
                    w[rng.randrange(len(w))] = "w%d" % rng.randrange(100000)
                q = " ".join(w)
            texts.append(q + "\n" + r["answer"])
            answers.append((r["answer"], r["answer"].split("####")[-1].strip()))
        copy += 1
    n = len(texts)
    out = {"records": n}

    def timed(name, fn):
        t = time.perf_counter(); r = fn(); s = time.perf_counter() - t
        out[name + "_s"] = round(s, 3); out[name + "_records_per_s"] = round(n / s)
        return r

    if not a.skip_math_verify:
        from math_verify import parse, verify
        out["math_verify_passed"] = timed("math_verify", lambda: sum(
            bool(verify(parse("$" + f + "$"), parse(resp))) for resp, f in answers))

    def exact():
        seen, dropped = set(), 0
        for t in texts:
            d = hashlib.sha256(" ".join(unicodedata.normalize("NFC", t).lower().split()).encode()).digest()
            if d in seen: dropped += 1
            else: seen.add(d)
        return dropped
    out["exact_dedup_dropped"] = timed("exact_dedup", exact)

    word_re = re.compile(r"\w+")
    def words(t):
        return word_re.findall(unicodedata.normalize("NFC", t).lower())

    def minhash():
        prime = (1 << 61) - 1
        g = np.random.RandomState(1)
        A = g.randint(1, prime, size=112, dtype=np.uint64); B = g.randint(0, prime, size=112, dtype=np.uint64)
        buckets = [dict() for _ in range(14)]; dropped = 0
        for i, t in enumerate(texts):
            w = words(t)
            sh = {" ".join(w[k:k + 5]) for k in range(max(1, len(w) - 4))}
            h = np.fromiter((int.from_bytes(hashlib.sha1(s.encode()).digest()[:8], "little") >> 3 for s in sh), dtype=np.uint64)
            # (a·x + b) mod p on uint64: split x to avoid overflow is what datatrove avoids by using 32-bit
            # hashes; here x < 2^61, a < 2^61, so use Python-object math only for the min via float-free trick:
            sig = ((np.outer(h, A) + B) % prime).min(axis=0)
            dup = False
            for b in range(14):
                key = sig[b * 8:(b + 1) * 8].tobytes()
                if key in buckets[b]: dup = True
                else: buckets[b][key] = i
            dropped += dup
        return dropped
    out["minhash_dropped"] = timed("minhash", minhash)

    def decontam():
        files = [os.path.join(base, "gsm8k", "test.jsonl"), os.path.join(base, "math500", "test.jsonl"),
                 os.path.join(base, "aime25", "test.jsonl")] + sorted(glob.glob(os.path.join(base, "qwen25_math_eval", "*", "test.jsonl")))
        index = set()
        for f in files:
            for r in load(f):
                for k in ("question", "problem", "Question", "Problem", "Body"):
                    v = r.get(k)
                    if isinstance(v, str):
                        w = words(v)
                        index.update(tuple(w[j:j + 13]) for j in range(len(w) - 12))
        dropped = 0
        for t in texts:
            w = words(t)
            dropped += any(tuple(w[j:j + 13]) in index for j in range(len(w) - 12))
        return dropped
    out["decontam_dropped"] = timed("decontam", decontam)
    print(json.dumps(out))

if __name__ == "__main__":
    main()
