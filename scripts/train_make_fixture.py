#!/usr/bin/env python3
"""Writes small tokenized JSONL fixtures for trainer tests (ids below vocab 512, the tiny reference
models' vocabulary). Deterministic (numpy seed). Lines: {"ids": [...], "mask": [...], "gate": [...]}.

    python scripts/train_make_fixture.py Tests/Fixtures/training
"""
import json
import os
import sys

import numpy as np


def make(path, n, seed, lo=10, hi=40, gates=True):
    rng = np.random.default_rng(seed)
    with open(path, "w") as f:
        for _ in range(n):
            length = int(rng.integers(lo, hi + 1))
            # a little structure so training has something to learn: arithmetic-progression tails
            start = int(rng.integers(3, 500))
            step = int(rng.integers(1, 4))
            prompt = int(rng.integers(2, length // 2 + 1))
            ids = [1] + [int(x) for x in rng.integers(3, 512, prompt - 1)]
            ids += [(start + step * i) % 509 + 3 for i in range(length - prompt)]
            mask = [0] * prompt + [1] * (length - prompt)
            row = {"ids": ids, "mask": mask}
            if gates:
                row["gate"] = [round(float(g), 4) for g in rng.uniform(0.0, 1.0, length)]
            f.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else "Tests/Fixtures/training"
    os.makedirs(out, exist_ok=True)
    make(os.path.join(out, "train.jsonl"), 48, 1)
    make(os.path.join(out, "eval_target.jsonl"), 8, 2)
    make(os.path.join(out, "eval_general.jsonl"), 8, 3, gates=False)
