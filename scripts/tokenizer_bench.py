#!/usr/bin/env python3
"""Tokenizer speed: eaft vs Hugging Face tokenizers (Python), same machine, same run, same text.

Text: wikitext-2 valid.txt + test.txt, one document per non-empty line (as SOURCES.md §2's baseline).
HF side: `Tokenizer.from_file`, `encode_batch(lines, add_special_tokens=False)`, RAYON_NUM_THREADS=1 and 2
(each in its own process, best of --repeats; both sides keep their word caches between repeats, so the
first, cold pass is reported separately). eaft side: `eaft tokenizer bench` (encodeBatch with 1 and 2
threads, timed inside the process so start-up and I/O are excluded). Also load time and RSS.
Both sides' token counts are printed and must agree.

Usage: python3 scripts/tokenizer_bench.py [--eaft .build/release/eaft] [--shared ../shared] [--names qwen3,llama3]
"""
import argparse
import json
import os
import subprocess
import sys

HF_CHILD = r"""
import json, os, resource, sys, time
from tokenizers import Tokenizer
path, files, repeats = sys.argv[1], sys.argv[2].split(','), int(sys.argv[3])
t0 = time.perf_counter(); tok = Tokenizer.from_file(path); load = time.perf_counter() - t0
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1000
lines = []
for f in files:
    lines += [l for l in open(f, encoding='utf-8').read().split('\n') if l]
nbytes = sum(len(l.encode('utf-8')) for l in lines)
best = 1e9
cold = None
for _ in range(repeats):
    t = time.perf_counter(); enc = tok.encode_batch(lines, add_special_tokens=False); e = time.perf_counter() - t
    best = min(best, e)
    cold = e if cold is None else cold
print(json.dumps({"cold_s": cold, "load_s": load, "rss_after_load_mb": rss, "encode_s": best, "bytes": nbytes, "lines": len(lines),
                  "tokens": sum(len(e.ids) for e in enc)}))
"""


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--eaft", default=os.path.join(here, "..", ".build", "release", "eaft"))
    ap.add_argument("--shared", default=os.path.join(here, "..", "..", "shared"))
    ap.add_argument("--names", default="qwen3,qwen2.5,llama3,gpt2")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    wt = os.path.join(args.shared, "data", "general", "wikitext-2")
    files = [os.path.join(wt, "valid.txt"), os.path.join(wt, "test.txt")]
    rows = []
    for name in args.names.split(","):
        path = os.path.join(args.shared, "tokenizers", name, "tokenizer.json")
        hf = {}
        for threads in (1, 2):
            env = dict(os.environ, RAYON_NUM_THREADS=str(threads), TOKENIZERS_PARALLELISM="true")
            out = subprocess.run([sys.executable, "-c", HF_CHILD, path, ",".join(files), str(args.repeats)],
                                 env=env, check=True, capture_output=True, text=True).stdout
            hf[threads] = json.loads(out)
        cmd = [args.eaft, "tokenizer", "bench", "--tokenizer", path, "--threads", "1,2", "--repeats", str(args.repeats)]
        for f in files:
            cmd += ["--input", f]
        ours = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
        mb = ours["bytes"] / 1e6
        row = {
            "name": name, "bytes": ours["bytes"], "tokens_eaft": ours["tokens"], "tokens_hf": hf[1]["tokens"],
            "hf_1t_mb_s": mb / hf[1]["encode_s"], "eaft_1t_mb_s": ours["encode_1t_mb_s"],
            "hf_cold_mb_s": mb / hf[1]["cold_s"], "eaft_cold_mb_s": ours["encode_cold_1t_mb_s"],
            "hf_2t_mb_s": mb / hf[2]["encode_s"], "eaft_2t_mb_s": ours["encode_2t_mb_s"],
            "hf_load_s": hf[1]["load_s"], "eaft_load_s": ours["load_s"],
            "hf_rss_mb": hf[1]["rss_after_load_mb"], "eaft_rss_mb": ours["rss_after_load_mb"], "eaft_peak_rss_mb": ours["peak_rss_mb"],
        }
        row["ratio_1t"] = row["eaft_1t_mb_s"] / row["hf_1t_mb_s"]
        row["ratio_cold"] = row["eaft_cold_mb_s"] / row["hf_cold_mb_s"]
        row["ratio_2t"] = row["eaft_2t_mb_s"] / row["hf_2t_mb_s"]
        row["eaft_scaling_2t"] = row["eaft_2t_mb_s"] / row["eaft_1t_mb_s"]
        rows.append(row)
        if row["tokens_eaft"] != row["tokens_hf"]:
            print(f"WARNING {name}: token counts differ", file=sys.stderr)
    print(f"text: wikitext-2 valid+test, {rows[0]['bytes']:,} bytes")
    print("| tokenizer | cold 1st pass HF / eaft MB/s | ratio | HF 1 thr MB/s | eaft 1 thr MB/s | ratio | HF 2 thr MB/s | eaft 2 thr MB/s | ratio | eaft 2t/1t | load HF / eaft (s) | RSS after load HF / eaft (MB) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['name']} | {r['hf_cold_mb_s']:.2f} / {r['eaft_cold_mb_s']:.2f} | {r['ratio_cold']:.1f}× | {r['hf_1t_mb_s']:.2f} | {r['eaft_1t_mb_s']:.2f} | {r['ratio_1t']:.1f}× | {r['hf_2t_mb_s']:.2f} | "
              f"{r['eaft_2t_mb_s']:.2f} | {r['ratio_2t']:.1f}× | {r['eaft_scaling_2t']:.2f} | {r['hf_load_s']:.2f} / {r['eaft_load_s']:.2f} | "
              f"{r['hf_rss_mb']:.0f} / {r['eaft_rss_mb']:.0f} |")
    print(json.dumps(rows), file=sys.stderr)


if __name__ == "__main__":
    main()
