#!/usr/bin/env python3
"""Writes Tests/Fixtures/ingest/mixed.jsonl (good and bad JSONL lines) and
mixed.expected.jsonl: Python's verdict per line (json.loads on the UTF-8 bytes,
object or not), the reference JSONLReaderFixtureTests compares against.
Run from the repo root: python3 scripts/make_ingest_fixtures.py"""
import gzip, json, os

out = "Tests/Fixtures/ingest"
os.makedirs(out, exist_ok=True)
lines = [
    b'{"a": 1, "b": [1, 2.5, -3e-7, true, false, null], "c": {"z": 1, "a": 2}}',
    b'{"unicode": "\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80", "esc": "\\u00e9\\n\\t\\"\\\\ \\ud83d\\ude00"}',
    b'',
    b'   ',
    b'{"big": 12345678901234567890, "neg": -9223372036854775808, "f": 0.1, "e": 1E400}',
    b'{"broken": }',
    b'{"s": "\xff\xfe"}',
    b'[1, 2, 3]',
    b'"just a string"',
    b'{"dup": 1, "dup": 2}',
    b'{"nan": NaN, "inf": -Infinity}',
    b'{"trailing": 1} x',
    b'{"nested": ' + b'[' * 100 + b']' * 100 + b'}',
    b'{"ctrl": "a\x01b"}',
    b'{"ws" :  "x" }  \r',
    b'{"last": true}',
]
data = b"\n".join(lines) + b"\n"
with open(f"{out}/mixed.jsonl", "wb") as f:
    f.write(data)
with open(f"{out}/mixed.jsonl.gz", "wb") as f:
    f.write(gzip.compress(data, mtime=0))

with open(f"{out}/mixed.expected.jsonl", "w", encoding="utf-8") as f:
    for n, raw in enumerate(data.split(b"\n")[:-1], start=1):
        raw = raw[:-1] if raw.endswith(b"\r") else raw
        if raw.strip() == b"":
            verdict = {"line": n, "kind": "blank"}
        else:
            try:
                v = json.loads(raw.decode("utf-8"))
                verdict = {"line": n, "kind": "row", "value": v} if isinstance(v, dict) else {"line": n, "kind": "bad"}
            except (ValueError, UnicodeDecodeError):
                verdict = {"line": n, "kind": "bad"}
        f.write(json.dumps(verdict, ensure_ascii=False, allow_nan=True) + "\n")
print("wrote", out)
