#!/usr/bin/env python3
"""Reader for eaft shard format v1 and v2 (schemas/shard.v1.md) -- numpy + zstandard only.

A thin script over the package module ``eaft.shards`` (python/eaft/shards.py), kept so that
``python python/eaft_shards.py DIR --dump N [--verify]`` and ``import eaft_shards`` still work:

    from eaft_shards import ShardDataset
    ds = ShardDataset("out/math")          # a directory with manifest.json
    s = ds[0]                              # dict: ids (uint32), loss_mask (uint8), logprob, gate, ...
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from eaft.shards import *  # noqa: E402,F401,F403
from eaft.shards import ShardDataset, ShardError, ShardFile, crc32c, decode_sample, main  # noqa: E402,F401

if __name__ == "__main__":
    sys.exit(main())
