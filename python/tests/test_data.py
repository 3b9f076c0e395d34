"""eaft.shards datasets and EAFTCollator on the eaft-run fixture shards."""
import os
import pickle

import numpy as np
import pytest
import torch

from conftest import PYDIR, REPO
from eaft.shards import ShardDataset, ShardIterableDataset, TorchShardDataset, load_jsonl
from eaft.torch import EAFTCollator

SHARDS = os.path.join(PYDIR, "tests", "fixtures", "shards-qwen3-tiny")


@pytest.fixture(scope="module")
def ds():
    return ShardDataset(SHARDS, verify=True)


def test_reader(ds):
    assert len(ds) == 48 and len(ds.files) == 4
    s = ds[0]
    assert s["ids"].dtype == np.uint32 and s["loss_mask"].dtype == np.uint8 and s["gate"].dtype == np.float32
    assert s["loss_mask"][0] == 0 and s["loss_mask"].sum() > 0
    assert ((s["gate"] >= 0) & (s["gate"] <= 1)).all()
    # picklable (spawned DataLoader workers): reopened on unpickling
    s2 = pickle.loads(pickle.dumps(ds))[0]
    assert (s2["ids"] == s["ids"]).all()


def test_padding_collator(ds):
    samples = [ds[0], ds[1], ds[2]]
    b = EAFTCollator(pad_token_id=0, pad_to_multiple_of=8)(samples)
    L = max(len(s["ids"]) for s in samples)
    assert b["input_ids"].shape == (3, (L + 7) // 8 * 8)
    for i, s in enumerate(samples):
        n = len(s["ids"])
        assert (b["input_ids"][i, :n].numpy() == s["ids"]).all()
        assert int(b["attention_mask"][i].sum()) == n
        lab = b["labels"][i, :n].numpy()
        want = np.where(s["loss_mask"] != 0, s["ids"].astype(np.int64), -100)
        want[0] = -100
        assert (lab == want).all() and (b["labels"][i, n:] == -100).all()
        assert np.array_equal(b["eaft_gate"][i, :n].numpy(), s["gate"])  # gate[t] belongs to labels[t]
    left = EAFTCollator(padding_side="left")(samples)
    n = len(samples[1]["ids"])
    assert (left["input_ids"][1, -n:].numpy() == samples[1]["ids"]).all()


def test_packing_collator(ds):
    samples = [ds[3], ds[4], ds[5]]
    b = EAFTCollator(packing=True, return_flash_attn_kwargs=True)(samples)
    lens = [len(s["ids"]) for s in samples]
    assert b["input_ids"].shape == (1, sum(lens)) and "attention_mask" not in b
    starts = np.cumsum([0] + lens)
    pos = b["position_ids"][0].numpy()
    for s, a, n in zip(samples, starts, lens):
        assert (pos[a:a + n] == np.arange(n)).all()
        assert b["labels"][0, a] == -100  # nothing predicts a sample's first token
        assert np.array_equal(b["eaft_gate"][0, a:a + n].numpy(), s["gate"])
    assert b["cu_seq_lens_q"].tolist() == starts.tolist() and b["max_length_q"] == max(lens)


def test_jsonl_and_missing_gates():
    data = load_jsonl(os.path.join(REPO, "Tests", "Fixtures", "training", "train.jsonl"))
    assert len(data) == 48 and data[0]["gate"] is not None
    data[0]["gate"] = None
    b = EAFTCollator()(data[:2])
    assert torch.isnan(b["eaft_gate"][0, : len(data[0]["ids"])]).all()


def test_map_dataset_and_rank_split(ds):
    m = TorchShardDataset(SHARDS)
    assert len(m) == 48 and (m[7]["ids"] == ds[7]["ids"]).all()
    world = 3
    parts = [list(ShardIterableDataset(SHARDS, rank=r, world_size=world, shuffle=True, seed=5).indices()) for r in range(world)]
    assert sorted(sum(parts, [])) == list(range(48)) and all(len(p) == 16 for p in parts)
    it = ShardIterableDataset(SHARDS, rank=1, world_size=world)
    got = [s["id"] for s in it]
    assert got == [ds[i]["id"] for i in range(1, 48, 3)]
    # DataLoader workers split a rank's share further, disjointly
    loader = torch.utils.data.DataLoader(ShardIterableDataset(SHARDS, rank=0, world_size=2), batch_size=None, num_workers=2)
    ids = sorted(s["id"] for s in loader)
    assert ids == sorted(ds[i]["id"] for i in range(0, 48, 2))
