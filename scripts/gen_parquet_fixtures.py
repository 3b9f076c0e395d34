#!/usr/bin/env python3
"""Writes the Parquet reader's test fixtures with pyarrow (26.0.1) and their expected rows.

Every `<name>.parquet` under Tests/Fixtures/parquet/ gets a `<name>.expected.jsonl`: one JSON
object per row, equal to pyarrow's `pq.read_table(path).to_pylist()` with these conventions
(the same ones the Swift reader follows, see Sources/DataIO/Parquet/README.md):
  - binary / fixed_size_binary -> base64 string
  - map -> list of [key, value] pairs (pyarrow gives a list of tuples)
  - decimal -> str(Decimal), date -> isoformat(), timestamp -> isoformat()
  - float32 -> the float32 widened to a Python float (as pyarrow does)
The expected rows for every file in ../shared/data/parquet/ go to
Tests/Fixtures/parquet/shared-expected/<file>.expected.jsonl.zst (zstd level 19).

Usage: python3 scripts/gen_parquet_fixtures.py [--shared-only]
"""
import base64
import datetime
import decimal
import json
import os
import random
import sys

import pyarrow as pa
import pyarrow.parquet as pq

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "parquet")
SHARED = os.path.join(os.path.dirname(ROOT), "shared", "data", "parquet")


def jsonable(v):
    if isinstance(v, (bytes, bytearray)):
        return base64.b64encode(bytes(v)).decode("ascii")
    if isinstance(v, decimal.Decimal):
        return str(v)
    if isinstance(v, (datetime.datetime, datetime.date)):
        return v.isoformat()
    if isinstance(v, dict):
        return {k: jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [jsonable(x) for x in v]
    return v


def expected_lines(path):
    rows = pq.read_table(path).to_pylist()
    return "".join(json.dumps(jsonable(r), ensure_ascii=False) + "\n" for r in rows)


def write(name, table, expected=None, **kw):
    """Writes `name`.parquet. With `expected` (a family name), the rows must equal the family's
    `expected`.expected.jsonl (written once, shared by all variants to keep fixtures small)."""
    path = os.path.join(OUT, name + ".parquet")
    pq.write_table(table, path, **kw)
    text = expected_lines(path)
    exp_path = os.path.join(OUT, (expected or name) + ".expected.jsonl")
    if expected and os.path.exists(exp_path):
        with open(exp_path, encoding="utf-8") as f:
            assert f.read() == text, f"{name} does not read back like the {expected} family"
        return
    with open(exp_path, "w", encoding="utf-8") as f:
        f.write(text)


WORDS = ["alpha", "beta", "γάμμα", "дельта", "😀 emoji", "", "tab\there", "quote\"s", "new\nline", "日本語"]


def primitives(n, seed):
    rnd = random.Random(seed)

    def maybe(v, p=0.15):
        return None if rnd.random() < p else v

    return pa.table({
        "b": pa.array([maybe(rnd.random() < 0.5) for _ in range(n)], pa.bool_()),
        "i32": pa.array([maybe(rnd.choice([0, 1, -1, 2**31 - 1, -2**31, rnd.randint(-1000, 1000), i]))
                         for i in range(n)], pa.int32()),
        "i64": pa.array([maybe(rnd.choice([0, 2**63 - 1, -2**63, rnd.randint(-2**40, 2**40), i * 3]))
                         for i in range(n)], pa.int64()),
        "seq": pa.array(list(range(1000, 1000 + n)), pa.int64()),  # required, sorted: small deltas
        "f32": pa.array([maybe(rnd.choice([0.0, -0.0, 1.5, 3.4e38, 1e-45, rnd.uniform(-1e6, 1e6)]))
                         for _ in range(n)], pa.float32()),
        "f64": pa.array([maybe(rnd.choice([0.0, 0.1, -2.5e-300, 1.7976931348623157e308, rnd.gauss(0, 1e9)]))
                         for _ in range(n)], pa.float64()),
        "s": pa.array([maybe(rnd.choice(WORDS) + ("" if rnd.random() < 0.5 else str(rnd.randint(0, 50))))
                       for _ in range(n)], pa.string()),
        "long_s": pa.array([maybe("x" * rnd.randint(0, 120) + "é" * rnd.randint(0, 3)) for _ in range(n)], pa.string()),
        "bin": pa.array([maybe(bytes(rnd.randrange(256) for _ in range(rnd.randint(0, 12)))) for _ in range(n)],
                        pa.binary()),
        "fsb": pa.array([maybe(bytes(rnd.randrange(256) for _ in range(4))) for _ in range(n)], pa.binary(4)),
    })


DELTA_ENCODINGS = {
    "b": "RLE", "i32": "DELTA_BINARY_PACKED", "i64": "DELTA_BINARY_PACKED", "seq": "DELTA_BINARY_PACKED",
    "f32": "BYTE_STREAM_SPLIT", "f64": "BYTE_STREAM_SPLIT", "s": "DELTA_BYTE_ARRAY",
    "long_s": "DELTA_LENGTH_BYTE_ARRAY", "bin": "DELTA_LENGTH_BYTE_ARRAY", "fsb": "DELTA_BYTE_ARRAY",
}


def nested(n, seed):
    rnd = random.Random(seed)

    def tool_calls():
        r = rnd.random()
        if r < 0.2:
            return None
        if r < 0.35:
            return []
        return [{"id": rnd.choice([None, "call_%d" % rnd.randint(0, 99)]), "type": "function",
                 "function": None if rnd.random() < 0.1 else
                 {"name": rnd.choice(WORDS), "arguments": rnd.choice([None, '{"x": 1}', "{}"])}}
                for _ in range(rnd.randint(1, 3))]

    def messages():
        r = rnd.random()
        if r < 0.1:
            return None
        if r < 0.2:
            return []
        return [None if rnd.random() < 0.05 else
                {"role": rnd.choice(["user", "assistant", "tool", None]),
                 "content": rnd.choice(WORDS + [None]),
                 "tool_calls": tool_calls()}
                for _ in range(rnd.randint(1, 4))]

    call_t = pa.struct([("id", pa.string()), ("type", pa.string()),
                        ("function", pa.struct([("name", pa.string()), ("arguments", pa.string())]))])
    msg_t = pa.struct([("role", pa.string()), ("content", pa.string()), ("tool_calls", pa.list_(call_t))])

    def m():
        r = rnd.random()
        if r < 0.15:
            return None
        return [(rnd.choice(WORDS) + str(k), rnd.choice([None, rnd.randint(-5, 5)])) for k in range(rnd.randint(0, 3))]

    def lol():
        if rnd.random() < 0.15:
            return None
        return [None if rnd.random() < 0.2 else [rnd.choice(WORDS + [None]) for _ in range(rnd.randint(0, 3))]
                for _ in range(rnd.randint(0, 3))]

    return pa.table({
        "id": pa.array(list(range(n)), pa.int64()),
        "messages": pa.array([messages() for _ in range(n)], pa.list_(msg_t)),
        "ints": pa.array([None if rnd.random() < 0.1 else [rnd.choice([None, rnd.randint(-9, 9)])
                                                             for _ in range(rnd.randint(0, 4))] for _ in range(n)],
                         pa.list_(pa.int32())),
        "tags": pa.array([m() for _ in range(n)], pa.map_(pa.string(), pa.int64())),
        "grid": pa.array([lol() for _ in range(n)], pa.list_(pa.list_(pa.string()))),
        "meta": pa.array([None if rnd.random() < 0.1 else
                          {"a": rnd.choice([None, 1.5, -2.0]), "inner": None if rnd.random() < 0.2 else
                           {"flag": rnd.choice([True, False, None]), "blob": rnd.choice([None, b"\x00\xff", b""])}}
                          for _ in range(n)],
                         pa.struct([("a", pa.float64()),
                                    ("inner", pa.struct([("flag", pa.bool_()), ("blob", pa.binary())]))])),
        "req_list": pa.array([[rnd.randint(0, 3) for _ in range(rnd.randint(0, 2))] for _ in range(n)],
                             pa.list_(pa.field("item", pa.int64(), nullable=False))),
    }, schema=None)


def logical(n, seed):
    rnd = random.Random(seed)
    base = datetime.datetime(2020, 1, 1)
    return pa.table({
        "d": pa.array([None if i % 7 == 0 else datetime.date(1970, 1, 1) + datetime.timedelta(days=rnd.randint(-40000, 40000))
                       for i in range(n)], pa.date32()),
        "ts_us": pa.array([None if i % 5 == 0 else base + datetime.timedelta(microseconds=rnd.randint(-10**15, 10**15))
                           for i in range(n)], pa.timestamp("us")),
        "ts_ms_utc": pa.array([base + datetime.timedelta(milliseconds=rnd.randint(0, 10**12)) for i in range(n)],
                              pa.timestamp("ms", tz="UTC")),
        "dec": pa.array([None if i % 6 == 0 else decimal.Decimal(rnd.randint(-10**9, 10**9)) / 100 for i in range(n)],
                        pa.decimal128(12, 2)),
        "dec_big": pa.array([decimal.Decimal(rnd.randint(-10**30, 10**30)).scaleb(-5) for i in range(n)],
                            pa.decimal128(38, 5)),
        "i8": pa.array([rnd.randint(-128, 127) for _ in range(n)], pa.int8()),
        "i16": pa.array([rnd.randint(-2**15, 2**15 - 1) for _ in range(n)], pa.int16()),
        "u8": pa.array([rnd.randint(0, 255) for _ in range(n)], pa.uint8()),
        "u32": pa.array([rnd.choice([0, 2**32 - 1, rnd.randint(0, 2**32 - 1)]) for _ in range(n)], pa.uint32()),
        "u64": pa.array([rnd.choice([0, 2**63 - 1, rnd.randint(0, 2**62)]) for _ in range(n)], pa.uint64()),
        "js": pa.array(['{"k": %d}' % i for i in range(n)], pa.string()),
    })


def main():
    os.makedirs(OUT, exist_ok=True)
    if "--shared-only" not in sys.argv:
        for name in os.listdir(OUT):
            if name.endswith(".parquet") or name.endswith(".expected.jsonl"):
                os.remove(os.path.join(OUT, name))
        prim = primitives(400, 1)
        for codec in ["none", "snappy", "gzip", "zstd"]:
            for version in ["1.0", "2.0"]:
                common = dict(compression=codec, data_page_version=version, data_page_size=1024,
                              row_group_size=150, expected="prim", write_statistics=False)
                v = version[0]
                write(f"prim_{codec}_v{v}_dict", prim, use_dictionary=True, **common)
                write(f"prim_{codec}_v{v}_plain", prim, use_dictionary=False, **common)
                write(f"prim_{codec}_v{v}_delta", prim, use_dictionary=False, column_encoding=DELTA_ENCODINGS, **common)
        nest = nested(400, 2)
        for codec, version, dic in [("none", "1.0", True), ("snappy", "2.0", False), ("zstd", "1.0", False),
                                    ("gzip", "2.0", True), ("zstd", "2.0", True), ("snappy", "1.0", True)]:
            write(f"nested_{codec}_v{version[0]}_{'dict' if dic else 'plain'}", nest, expected="nested", compression=codec,
                  data_page_version=version, use_dictionary=dic, data_page_size=1024, row_group_size=150)
        write("nested_delta_v2", nest, expected="nested", compression="zstd", data_page_version="2.0", use_dictionary=False,
              column_encoding={"id": "DELTA_BINARY_PACKED", "messages.list.element.content": "DELTA_BYTE_ARRAY",
                               "messages.list.element.role": "DELTA_LENGTH_BYTE_ARRAY",
                               "ints.list.element": "DELTA_BINARY_PACKED"},
              data_page_size=512, row_group_size=200)
        # Older pyarrow / HF files: list elements named "item" (non-compliant nested type names).
        write("nested_item_names", nest, expected="nested", compression="snappy", use_compliant_nested_type=False,
              row_group_size=250)
        write("logical_types", logical(300, 3), compression="snappy", row_group_size=120)
        # Same values with decimals stored as INT32 / INT64 (precision <= 18) and delta-encoded.
        write("logical_types_intdecimal", logical(300, 3), expected="logical_types", compression="zstd", row_group_size=120,
              store_decimal_as_integer=True, use_dictionary=False, column_encoding={"dec": "DELTA_BINARY_PACKED"})
        write("empty_table", primitives(0, 4), compression="snappy")
        write("single_row_groups_of_one", primitives(5, 5), compression="zstd", row_group_size=1)
        # UINT64 above Int64.max: pyarrow gives exact Python ints (eaft: JSONValue.bigInt).
        write("uint64_big", pa.table({"u": pa.array([0, 2**63 - 1, 2**63, 2**64 - 1, None], pa.uint64()),
                                      "i": pa.array([-2**63, -1, 0, 2**63 - 1, 5], pa.int64())}), compression="snappy")
        # Legacy nested layouts (2-level lists, bare repeated fields, MAP_KEY_VALUE), hand-written.
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import parquet_legacy
        legacy = os.path.join(OUT, "legacy_nested.parquet")
        parquet_legacy.write_legacy(legacy)
        with open(os.path.join(OUT, "legacy_nested.expected.jsonl"), "w", encoding="utf-8") as f:
            f.write(expected_lines(legacy))
        # Files the reader must refuse with an error naming the codec.
        for codec in ["lz4", "brotli"]:
            path = os.path.join(OUT, f"codec_{codec}.parquet")
            pq.write_table(primitives(20, 6), path, compression=codec)
        # INT96 timestamps are refused with an error naming the column.
        ts = pa.table({"id": pa.array([1, 2], pa.int64()),
                       "t": pa.array([datetime.datetime(2020, 1, 1), None], pa.timestamp("ns"))})
        pq.write_table(ts, os.path.join(OUT, "unsupported_int96.parquet"), use_deprecated_int96_timestamps=True)
    if os.path.isdir(SHARED):
        import zstandard
        dst = os.path.join(OUT, "shared-expected")
        os.makedirs(dst, exist_ok=True)
        for name in sorted(os.listdir(SHARED)):
            if not name.endswith(".parquet"):
                continue
            data = expected_lines(os.path.join(SHARED, name)).encode("utf-8")
            with open(os.path.join(dst, name + ".expected.jsonl.zst"), "wb") as f:
                f.write(zstandard.ZstdCompressor(level=19).compress(data))
    else:
        print("shared data not found at", SHARED, "- skipped shared expected outputs")


if __name__ == "__main__":
    main()
