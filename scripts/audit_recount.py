#!/usr/bin/env python3
"""Recounts an audit's `top_conflict_pairs` from the shards with the Python reader alone.

    python3 scripts/audit_recount.py SHARD_DIR AUDIT.json

Confident conflicts under the percentile definition: label tokens with p <= p_threshold and
H <= entropy_threshold (the thresholds are read from AUDIT.json; H is the full-vocabulary
entropy when every sample stores it, else the top-K entropy), p = exp(logprob) rounded to
float32 as eaft computes it. Prints {source: {"label_id->expected_id": count}} for every pair
the audit lists, as JSON, so a test can compare the two counts.
"""
import json
import os
import sys
from collections import Counter

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "python"))
from eaft_shards import ShardDataset  # noqa: E402


def main():
    shard_dir, audit_path = sys.argv[1], sys.argv[2]
    with open(audit_path) as fh:
        audit = json.load(fh)
    p_t, h_t = audit["p_threshold"], audit["entropy_threshold"]
    ds = ShardDataset(shard_dir)
    samples = [ds[i] for i in range(len(ds))]
    full = all(s["entropy_full"] is not None for s in samples if s["gate"] is not None)
    counts = {}
    for s in samples:
        if s["gate"] is None:
            continue
        h = s["entropy_full"] if full else s["entropy_topk"]
        p = np.exp(s["logprob"].astype(np.float64)).astype(np.float32)
        mask = s["loss_mask"] != 0
        mask[0] = False
        hit = mask & (p.astype(np.float64) <= p_t) & (h.astype(np.float64) <= h_t)
        c = counts.setdefault(s["source"], Counter())
        for t in np.nonzero(hit)[0]:
            c[f"{int(s['ids'][t])}->{int(s['expected_id'][t])}"] += 1
    out = {}
    for source, pairs in audit["top_conflict_pairs"].items():
        out[source] = {f"{q['label_id']}->{q['expected_id']}": counts.get(source, Counter())[f"{q['label_id']}->{q['expected_id']}"]
                       for q in pairs}
    json.dump(out, sys.stdout, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
