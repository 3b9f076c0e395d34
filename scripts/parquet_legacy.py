"""A tiny hand-rolled Parquet writer for legacy nested layouts pyarrow can read but not write:
2-level lists (`repeated int32 array` inside a LIST group), lists whose repeated group is the
element (several fields, or named `<list>_tuple`), bare repeated fields, and MAP_KEY_VALUE maps.

Uncompressed, PLAIN values, data page v1, RLE levels. Used by gen_parquet_fixtures.py; the
expected rows still come from pyarrow reading the file back.
References: https://github.com/apache/parquet-format/blob/master/LogicalTypes.md (backward
compatibility rules), https://github.com/apache/thrift/blob/master/doc/specs/thrift-compact-protocol.md
"""
import struct

# Thrift compact type ids
BOOL_T, BOOL_F, BYTE, I16, I32, I64, DOUBLE, BINARY, LIST, SET, MAP, STRUCT = range(1, 13)


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def zigzag(n):
    return varint((n << 1) ^ (n >> 63))


class Struct:
    """Builds one compact-protocol struct: add fields in increasing id order, then bytes()."""

    def __init__(self):
        self.buf = bytearray()
        self.last = 0

    def _hdr(self, fid, t):
        d = fid - self.last
        if 0 < d <= 15:
            self.buf.append((d << 4) | t)
        else:
            self.buf.append(t)
            self.buf += zigzag(fid)
        self.last = fid

    def i32(self, fid, v):
        self._hdr(fid, I32)
        self.buf += zigzag(v)
        return self

    def i64(self, fid, v):
        self._hdr(fid, I64)
        self.buf += zigzag(v)
        return self

    def binary(self, fid, b):
        if isinstance(b, str):
            b = b.encode()
        self._hdr(fid, BINARY)
        self.buf += varint(len(b)) + b
        return self

    def struct(self, fid, s):
        self._hdr(fid, STRUCT)
        self.buf += s.bytes()
        return self

    def list(self, fid, etype, items):
        self._hdr(fid, LIST)
        n = len(items)
        self.buf += bytes([(n << 4) | etype]) if n < 15 else bytes([0xF0 | etype]) + varint(n)
        for it in items:
            if etype == STRUCT:
                self.buf += it.bytes()
            elif etype == BINARY:
                b = it.encode() if isinstance(it, str) else it
                self.buf += varint(len(b)) + b
            else:
                self.buf += zigzag(it)
        return self

    def bytes(self):
        return bytes(self.buf) + b"\x00"


def rle_levels(levels, max_level):
    """RLE/bit-packed hybrid with one RLE run per value, 4-byte length prefix (data page v1)."""
    if max_level == 0:
        return b""
    width = (max_level.bit_length() + 7) // 8
    body = b"".join(varint(1 << 1) + v.to_bytes(width, "little") for v in levels)
    return struct.pack("<I", len(body)) + body


def schema_element(name, type_=None, rep=None, children=None, converted=None, length=None):
    s = Struct()
    if type_ is not None:
        s.i32(1, type_)
    if length is not None:
        s.i32(2, length)
    if rep is not None:
        s.i32(3, rep)
    s.binary(4, name)
    if children is not None:
        s.i32(5, children)
    if converted is not None:
        s.i32(6, converted)
    return s


REQ, OPT, REP = 0, 1, 2
INT32, BYTE_ARRAY = 1, 6
UTF8, MAP, MAP_KV, LIST_CT = 0, 1, 2, 3


def write_legacy(path):
    schema = [
        schema_element("schema", children=5),
        schema_element("legacy_list", rep=OPT, children=1, converted=LIST_CT),
        schema_element("array", type_=INT32, rep=REP),
        schema_element("pairs", rep=OPT, children=1, converted=LIST_CT),
        schema_element("element", rep=REP, children=2),
        schema_element("name", type_=BYTE_ARRAY, rep=REQ, converted=UTF8),
        schema_element("n", type_=INT32, rep=OPT),
        schema_element("bare", type_=INT32, rep=REP),
        schema_element("tuple_list", rep=OPT, children=1, converted=LIST_CT),
        schema_element("tuple_list_tuple", rep=REP, children=1),
        schema_element("s", type_=BYTE_ARRAY, rep=REQ, converted=UTF8),
        schema_element("m", rep=OPT, children=1, converted=MAP),
        schema_element("map", rep=REP, children=2, converted=MAP_KV),
        schema_element("key", type_=BYTE_ARRAY, rep=REQ, converted=UTF8),
        schema_element("value", type_=INT32, rep=OPT),
    ]
    # (path, type, max_rep, max_def, [(rep, def, value-or-None)])
    columns = [
        (["legacy_list", "array"], INT32, 1, 2,
         [(0, 2, 1), (1, 2, 2), (0, 0, None), (0, 1, None)]),
        (["pairs", "element", "name"], BYTE_ARRAY, 1, 2,
         [(0, 2, "a"), (1, 2, "b"), (0, 1, None), (0, 0, None)]),
        (["pairs", "element", "n"], INT32, 1, 3,
         [(0, 3, 1), (1, 2, None), (0, 1, None), (0, 0, None)]),
        (["bare"], INT32, 1, 1,
         [(0, 1, 5), (0, 0, None), (0, 1, 7), (1, 1, 8), (1, 1, 9)]),
        (["tuple_list", "tuple_list_tuple", "s"], BYTE_ARRAY, 1, 2,
         [(0, 2, "x"), (0, 0, None), (0, 2, "y"), (1, 2, "z")]),
        (["m", "map", "key"], BYTE_ARRAY, 1, 2,
         [(0, 2, "k1"), (1, 2, "k2"), (0, 0, None), (0, 1, None)]),
        (["m", "map", "value"], INT32, 1, 3,
         [(0, 3, 10), (1, 2, None), (0, 0, None), (0, 1, None)]),
    ]
    out = bytearray(b"PAR1")
    chunks = []
    for path_, typ, max_rep, max_def, entries in columns:
        reps = [e[0] for e in entries]
        defs = [e[1] for e in entries]
        vals = [e[2] for e in entries if e[1] == max_def]
        if typ == INT32:
            data = b"".join(struct.pack("<i", v) for v in vals)
        else:
            data = b"".join(struct.pack("<I", len(v.encode())) + v.encode() for v in vals)
        page = rle_levels(reps, max_rep) + rle_levels(defs, max_def) + data
        dph = Struct().i32(1, len(entries)).i32(2, 0).i32(3, 3).i32(4, 3)
        header = Struct().i32(1, 0).i32(2, len(page)).i32(3, len(page)).struct(5, dph).bytes()
        offset = len(out)
        out += header + page
        size = len(header) + len(page)
        meta = (Struct().i32(1, typ).list(2, I32, [0, 3]).list(3, BINARY, path_).i32(4, 0)
                .i64(5, len(entries)).i64(6, size).i64(7, size).i64(9, offset))
        chunks.append(Struct().i64(2, offset).struct(3, meta))
    num_rows = 3
    rg = Struct().list(1, STRUCT, chunks).i64(2, len(out) - 4).i64(3, num_rows)
    fmd = (Struct().i32(1, 1).list(2, STRUCT, schema).i64(3, num_rows).list(4, STRUCT, [rg])
           .binary(6, "eaft scripts/parquet_legacy.py"))
    footer = fmd.bytes()
    out += footer + struct.pack("<I", len(footer)) + b"PAR1"
    with open(path, "wb") as f:
        f.write(out)
