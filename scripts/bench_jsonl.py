#!/usr/bin/env python3
"""Python reference for the JSONL ingestion benchmark.
  parse:      json.loads on every line (bytes)
  normalise:  json.loads + the gsm8k adapter's work (strip <<..>> annotations, split '####',
              build a record dict with messages and reference)
Prints one JSON line: {"mode", "bytes", "rows", "seconds_cpu"}.
FILE may be .gz (gzip module) or .zst (zstandard stream reader).
Usage: bench_jsonl.py FILE {parse|normalise}"""
import gzip, io, json, re, sys, time

path, mode = sys.argv[1], sys.argv[2]
ann = re.compile(r"<<[^>]*>>")
t0 = time.process_time()
rows = 0
n = 0
def open_any(p):
    if p.endswith(".gz"):
        return gzip.open(p, "rb")
    if p.endswith(".zst"):
        import zstandard
        return io.BufferedReader(zstandard.ZstdDecompressor().stream_reader(open(p, "rb")))
    return open(p, "rb")

with open_any(path) as f:
    for i, line in enumerate(f):
        n += len(line)
        if not line.strip():
            continue
        try:
            v = json.loads(line)
        except ValueError:
            continue
        if not isinstance(v, dict):
            continue
        if mode == "normalise":
            a = v["answer"]
            ref = a.rsplit("####", 1)[1].strip().replace(",", "")
            rec = {"id": f"src:{i}", "source": "src", "domain": "math",
                   "messages": [{"role": "user", "content": v["question"]},
                                {"role": "assistant", "content": ann.sub("", a)}],
                   "reference": {"kind": "answer", "answer": ref}, "metadata": {}}
        rows += 1
print(json.dumps({"mode": mode, "bytes": n, "rows": rows, "seconds_cpu": round(time.process_time() - t0, 3)}))
