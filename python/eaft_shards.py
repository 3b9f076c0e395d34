#!/usr/bin/env python3
"""Reader for eaft shard format v1 (schemas/shard.v1.md) -- numpy + zstandard only.

    from eaft_shards import ShardDataset
    ds = ShardDataset("out/math")          # a directory with manifest.json
    s = ds[0]                              # dict: ids (uint32), loss_mask (uint8), logprob, gate,
                                           # entropy_topk, entropy_full (float32 or None), id, source, ...
    torch.utils.data.DataLoader(ds, batch_size=None, shuffle=True)   # usable as a map-style Dataset

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
FLAG_SCORED, FLAG_FULL = 1, 2

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
        if version != 1 or hsize != 128 or (dt0, dt1, dt2, comp) != (1, 2, 3, 1):
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
                or ix_off + ix_len != flen or self.flags & ~(FLAG_SCORED | FLAG_FULL)):
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
    if flags & FLAG_SCORED:
        s["logprob"] = arr("<f4", t)
        s["gate"] = arr("<f4", t)
        s["entropy_topk"] = arr("<f4", t)
        if flags & FLAG_FULL:
            s["entropy_full"] = arr("<f4", t)
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
