"""Reader for eaft shard format v1 and v2 (schemas/shard.v1.md) -- numpy + zstandard only.

The reader needs no torch. When torch is installed, ``TorchShardDataset`` (map-style) and
``ShardIterableDataset`` (splits samples by distributed rank / world size and DataLoader worker)
wrap it as ``torch.utils.data`` datasets.

    from eaft.shards import ShardDataset
    ds = ShardDataset("out/math")          # a directory with manifest.json
    s = ds[0]                              # dict: ids (uint32), loss_mask (uint8), logprob, gate,
                                           # entropy_topk, entropy_full (float32 or None), expected_id,
                                           # expected_logprob (v2, or None), id, source, ...
    torch.utils.data.DataLoader(ds, batch_size=None, shuffle=True)   # usable as a map-style Dataset

JSONL training data in the trainer's form (``{"ids", "mask", "gate"}``, schemas/train.md) reads
into the same sample dicts with ``load_jsonl``.

CLI: python python/eaft_shards.py DIR --dump N   (prints the first N samples as JSON lines)
     python python/eaft_shards.py DIR --verify   (checks every CRC-32C, incl. manifest.crc32c; pure Python, slow)
"""
import argparse
import json
import mmap
import os
import struct
import sys

import numpy as np
import zstandard

MAGIC = b"EAFTSHRD"
HEADER = struct.Struct("<8sIIII4BIQQQQQQQQII20xI")  # 128 bytes
BLOCK = struct.Struct("<QIIIIII")                   # 32 bytes
INDEX_DTYPE = np.dtype([("block", "<u4"), ("offset", "<u4"), ("tokens", "<u4"), ("labels", "<u4")])
FLAG_SCORED, FLAG_FULL, FLAG_EXPECTED = 1, 2, 4
VERSIONS = (1, 2)  # v2 = v1 + the optional expected-token columns (flag bit 2)

_CRC_TABLE = None


def crc32c(data, crc=0):
    """CRC-32C (Castagnoli). Uses the `crc32c` package when installed, else a table loop."""
    try:
        import crc32c as _c  # optional
        return _c.crc32c(bytes(data), crc)
    except ImportError:
        pass
    global _CRC_TABLE
    if _CRC_TABLE is None:
        t = []
        for i in range(256):
            c = i
            for _ in range(8):
                c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
            t.append(c)
        _CRC_TABLE = t
    t = _CRC_TABLE
    c = crc ^ 0xFFFFFFFF
    for b in bytes(data):
        c = t[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


class ShardError(Exception):
    pass


class ShardFile:
    """One shard file: random access to sample i (``f[i]``) and iteration."""

    def __init__(self, path, verify=False):
        self.path = path
        with open(path, "rb") as fh:
            self._mm = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        mm = self._mm
        if len(mm) < 128:
            raise ShardError(f"{path}: shorter than the 128-byte header")
        h = HEADER.unpack_from(mm, 0)
        (magic, version, hsize, self.flags, self.top_k, dt0, dt1, dt2, comp, nblocks, self.n, self.n_tokens,
         self.n_labels, bt_off, bt_len, ix_off, ix_len, flen, ix_crc, body_crc, h_crc) = h
        if magic != MAGIC:
            raise ShardError(f"{path}: bad magic")
        if version not in VERSIONS or hsize != 128 or (dt0, dt1, dt2, comp) != (1, 2, 3, 1):
            raise ShardError(f"{path}: unsupported version/dtypes")
        if flen != len(mm):
            raise ShardError(f"{path}: file is {len(mm)} bytes, header says {flen}")
        if verify:
            if crc32c(mm[0:124]) != h_crc:
                raise ShardError(f"{path}: header checksum mismatch")
            if crc32c(mm[bt_off:flen]) != ix_crc:
                raise ShardError(f"{path}: index checksum mismatch")
            if crc32c(mm[128:flen]) != body_crc:
                raise ShardError(f"{path}: body checksum mismatch")
        # Section bounds and flags are checked before they are used, so a flipped header byte
        # raises ShardError rather than ValueError / struct.error / IndexError.
        if (bt_off < 128 or bt_len != 32 * nblocks or bt_off + bt_len != ix_off or ix_len != 16 * self.n
                or ix_off + ix_len != flen or self.flags & ~(FLAG_SCORED | FLAG_FULL | FLAG_EXPECTED)):
            raise ShardError(f"{path}: header fields are inconsistent (index bounds or flags)")
        self.verify = verify
        self.blocks = [BLOCK.unpack_from(mm, bt_off + 32 * b) for b in range(nblocks)]
        for b, (off, csize, usize, _, _, _, _) in enumerate(self.blocks):
            if off < 128 or off + csize > bt_off or usize > 1 << 30:
                raise ShardError(f"{path}: block table entry {b} is inconsistent")
        self.index = np.frombuffer(mm, dtype=INDEX_DTYPE, count=self.n, offset=ix_off)
        self._dctx = zstandard.ZstdDecompressor()
        self._cached = (-1, None)

    def __len__(self):
        return self.n

    def __getstate__(self):
        # mmap and the zstd context are per process: reopen after pickling (DataLoader spawn workers)
        return {"path": self.path, "verify": self.verify}

    def __setstate__(self, st):
        self.__init__(st["path"], verify=st["verify"])

    def block(self, b):
        if self._cached[0] == b:
            return self._cached[1]
        off, csize, usize, first, count, ccrc, ucrc = self.blocks[b]
        z = self._mm[off:off + csize]
        if self.verify and crc32c(z) != ccrc:
            raise ShardError(f"{self.path}: block {b} checksum mismatch")
        try:
            raw = self._dctx.decompress(z, max_output_size=usize)
        except zstandard.ZstdError as e:
            raise ShardError(f"{self.path}: block {b}: {e}") from None
        if len(raw) != usize:
            raise ShardError(f"{self.path}: block {b} decompresses to {len(raw)} bytes, expected {usize}")
        self._cached = (b, raw)
        return raw

    def __getitem__(self, i):
        if i < 0:
            i += self.n
        if not 0 <= i < self.n:
            raise IndexError(i)
        e = self.index[i]
        if int(e["block"]) >= len(self.blocks):
            raise ShardError(f"{self.path}: sample {i} points outside the block table")
        raw = self.block(int(e["block"]))
        try:
            return decode_sample(raw, int(e["offset"]))
        except (ValueError, struct.error, IndexError, UnicodeDecodeError) as err:
            raise ShardError(f"{self.path}: sample {i}: {err}") from None

    def __iter__(self):
        for i in range(self.n):
            yield self[i]


def decode_sample(raw, o):
    """Decodes the sample record at byte ``o`` of an uncompressed block."""
    t, m, flags, _ = struct.unpack_from("<IIII", raw, o)
    o += 16
    meta = json.loads(bytes(raw[o:o + m]).decode("utf-8"))
    o += (m + 3) // 4 * 4

    def arr(dtype, n):
        nonlocal o
        a = np.frombuffer(raw, dtype=dtype, count=n, offset=o)
        o += a.nbytes
        return a.astype(a.dtype.newbyteorder("="), copy=True)  # writable, native order (torch.from_numpy-friendly)

    s = dict(meta)
    s["ids"] = arr("<u4", t)
    s["logprob"] = s["gate"] = s["entropy_topk"] = s["entropy_full"] = None
    s["expected_id"] = s["expected_logprob"] = None
    if flags & FLAG_SCORED:
        s["logprob"] = arr("<f4", t)
        s["gate"] = arr("<f4", t)
        s["entropy_topk"] = arr("<f4", t)
        if flags & FLAG_FULL:
            s["entropy_full"] = arr("<f4", t)
        if flags & FLAG_EXPECTED:
            s["expected_id"] = arr("<u4", t)
            s["expected_logprob"] = arr("<f4", t)
    s["loss_mask"] = arr("u1", t)
    return s


def _check_manifest(mpath, raw, sidecar):
    """manifest.crc32c holds the CRC-32C of every byte of manifest.json: 8 lowercase hex digits + newline."""
    try:
        with open(sidecar, "rb") as fh:
            stored = fh.read()
    except OSError:
        raise ShardError(f"{mpath}: checksum sidecar manifest.crc32c is missing") from None
    want = f"{crc32c(raw):08x}\n".encode()
    if stored != want:
        raise ShardError(f"{mpath}: manifest.json checksum mismatch (computed {want.decode().strip()}, "
                         f"manifest.crc32c says {stored[:16].decode('utf-8', 'replace').strip()})")


class ShardDataset:
    """All shards of a directory (listed in manifest.json) as one map-style dataset."""

    def __init__(self, directory, verify=False):
        self.directory = directory
        mpath = os.path.join(directory, "manifest.json")
        with open(mpath, "rb") as fh:
            raw = fh.read()
        if verify:
            _check_manifest(mpath, raw, os.path.join(directory, "manifest.crc32c"))
        try:
            self.manifest = json.loads(raw)
        except ValueError as e:
            raise ShardError(f"{mpath}: not valid JSON ({e})") from None
        self.files = [ShardFile(os.path.join(directory, s["file"]), verify=verify) for s in self.manifest["shards"]]
        self.starts = np.cumsum([0] + [len(f) for f in self.files])

    def __len__(self):
        return int(self.starts[-1])

    def __getitem__(self, i):
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        k = int(np.searchsorted(self.starts, i, side="right")) - 1
        return self.files[k][i - int(self.starts[k])]

    def __iter__(self):
        for f in self.files:
            yield from f


def load_jsonl(path):
    """Reads trainer JSONL (one ``{"ids": [...], "mask": [...], "gate": [...]}`` per line, gate optional)
    into sample dicts shaped like shard samples: ``ids`` uint32, ``loss_mask`` uint8, ``gate`` float32 or None.

    ``mask[j] = 1`` marks token j as a label (predicted from token j-1); ``gate[j]`` is its static gate.
    """
    out = []
    with open(path) as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            r = json.loads(line)
            ids = np.asarray(r["ids"], dtype=np.uint32)
            mask = np.asarray(r.get("mask", [1] * len(ids)), dtype=np.uint8)
            if len(mask) != len(ids):
                raise ShardError(f"{path}:{n}: mask has {len(mask)} entries for {len(ids)} ids")
            g = r.get("gate")
            g = None if g is None else np.asarray(g, dtype=np.float32)
            out.append({"id": r.get("id", f"{os.path.basename(path)}:{n}"), "ids": ids, "loss_mask": mask, "gate": g})
    return out


def open_dataset(path, verify=False):
    """A shard directory (``ShardDataset``) or a JSONL file (a list of sample dicts)."""
    if os.path.isdir(path):
        return ShardDataset(path, verify=verify)
    return load_jsonl(path)


def to_hf_dataset(source, verify=False):
    """The samples of a shard directory / JSONL file / list as a Hugging Face ``datasets.Dataset`` with
    columns ``id``, ``ids``, ``loss_mask`` and ``gate`` (None when a sample has none), for trainers that
    require one (TRL's ``SFTTrainer``); ``eaft.torch.EAFTCollator`` batches its rows. Needs ``datasets``."""
    import datasets

    src = open_dataset(source, verify) if isinstance(source, (str, os.PathLike)) else source
    cols = {"id": [], "ids": [], "loss_mask": [], "gate": []}
    for s in (src[i] for i in range(len(src))):
        cols["id"].append(str(s.get("id", "")))
        cols["ids"].append(s["ids"].astype(np.int64).tolist())
        cols["loss_mask"].append(s["loss_mask"].astype(np.int64).tolist())
        cols["gate"].append(None if s.get("gate") is None else s["gate"].tolist())
    return datasets.Dataset.from_dict(cols)


try:  # torch is optional: the reader above works with numpy alone
    import torch as _torch
    from torch.utils.data import Dataset as _TorchDataset, IterableDataset as _TorchIterable
except ImportError:  # pragma: no cover - exercised without torch
    _torch = None
    _TorchDataset = _TorchIterable = object


class TorchShardDataset(_TorchDataset):
    """Map-style ``torch.utils.data.Dataset`` over a shard directory, a JSONL file or a list of samples.

    Items are the reader's sample dicts (``ids``, ``loss_mask``, ``gate``, ...); batch them with
    ``eaft.torch.EAFTCollator``. Works with ``DistributedSampler`` for DDP.
    """

    def __init__(self, source, verify=False):
        if _torch is None:
            raise ImportError("TorchShardDataset needs torch")
        self.source = open_dataset(source, verify) if isinstance(source, (str, os.PathLike)) else source

    def __len__(self):
        return len(self.source)

    def __getitem__(self, i):
        return self.source[i]


def _dist_rank_world():
    if _torch is not None and _torch.distributed.is_available() and _torch.distributed.is_initialized():
        return _torch.distributed.get_rank(), _torch.distributed.get_world_size()
    return 0, 1


class ShardIterableDataset(_TorchIterable):
    """Iterable ``torch.utils.data.IterableDataset`` that gives each rank a disjoint, strided share of
    the samples (position ``i`` of the epoch order goes to rank ``i % world_size``), split further among
    the rank's DataLoader workers.

    ``rank`` / ``world_size`` default to ``torch.distributed`` when it is initialised (else 0 / 1).
    ``shuffle`` permutes the indices with ``seed + epoch`` (call ``set_epoch`` each epoch) before the
    split, the same permutation on every rank. ``drop_last`` (default True) trims the order to a
    multiple of the share count so every rank yields the same number of samples (DDP needs equal
    step counts).
    """

    def __init__(self, source, rank=None, world_size=None, shuffle=False, seed=0, drop_last=True, verify=False):
        if _torch is None:
            raise ImportError("ShardIterableDataset needs torch")
        self.source = open_dataset(source, verify) if isinstance(source, (str, os.PathLike)) else source
        r, w = _dist_rank_world()
        self.rank = r if rank is None else rank
        self.world_size = w if world_size is None else world_size
        if not 0 <= self.rank < self.world_size:
            raise ValueError(f"rank {self.rank} not in [0, {self.world_size})")
        self.shuffle, self.seed, self.drop_last, self.epoch = shuffle, seed, drop_last, 0

    def set_epoch(self, epoch):
        """Sets the epoch that seeds the shuffle."""
        self.epoch = epoch

    def indices(self, worker_id=0, num_workers=1):
        """The global sample indices that this rank's DataLoader worker ``worker_id`` (of ``num_workers``)
        yields, in order: the rank's share is ``order[rank::world_size]`` (independent of the worker
        count), split further as ``share[worker_id::num_workers]``."""
        n = len(self.source)
        order = np.arange(n)
        if self.shuffle:
            order = np.random.default_rng(self.seed + self.epoch).permutation(n)
        if self.drop_last:
            order = order[: n - n % self.world_size]
        return order[self.rank::self.world_size][worker_id::num_workers]

    def __len__(self):
        n = len(self.source)
        return n // self.world_size if self.drop_last else len(range(self.rank, n, self.world_size))

    def __iter__(self):
        info = _torch.utils.data.get_worker_info()
        wid, nw = (0, 1) if info is None else (info.id, info.num_workers)
        for i in self.indices(wid, nw):
            yield self.source[int(i)]


def _jsonable(s):
    return {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in s.items()}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("directory")
    ap.add_argument("--dump", type=int, default=0, help="print the first N samples as JSON lines (-1: all)")
    ap.add_argument("--verify", action="store_true", help="check every CRC-32C while reading")
    a = ap.parse_args(argv)
    try:
        ds = ShardDataset(a.directory, verify=a.verify)
    except ShardError as e:
        sys.stderr.write(f"error: {e}\n")
        return 1
    n = len(ds) if a.dump < 0 else min(a.dump, len(ds))
    for i in range(n):
        sys.stdout.write(json.dumps(_jsonable(ds[i]), ensure_ascii=False) + "\n")
    if a.verify:
        for f in ds.files:
            for b in range(len(f.blocks)):
                f.block(b)
        sys.stderr.write(f"ok: {len(ds)} samples in {len(ds.files)} files\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
