#!/usr/bin/env bash
# Memory and time of loading a hostile-sized tokenizer.json (issue 17, not a unit test):
# a byte-level BPE with 10 M merges and 10 M vocabulary entries (~330 MB of JSON; real tokenizers
# have at most ~300 k). `eaft tokenize` must either load it and encode, or refuse it with a
# located error, within PEAK_MB of resident memory (default 6144) — never trap or exhaust memory.
# Usage: scripts/tokenizer_memory_check.sh [path/to/eaft]   (default .build/release/eaft)
set -euo pipefail
EAFT=${1:-.build/release/eaft}
N=${N_MERGES:-10000000}
PEAK_MB=${PEAK_MB:-6144}
F=/tmp/eaft_tok_${N}_merges_v2.json
if [ ! -s "$F" ]; then
  python3 - "$F" "$N" <<'PY'
import json, sys
path, n = sys.argv[1], int(sys.argv[2])
# GPT-2 byte-to-unicode table: every byte is a token of its own.
bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
cs = bs[:]; k = 0
for b in range(256):
    if b not in bs: bs.append(b); cs.append(256 + k); k += 1
byte_tok = [chr(c) for c in cs]
with open(path, "w") as f:
    f.write('{"version": "1.0", "truncation": null, "padding": null, "added_tokens": [], "normalizer": null,')
    f.write('"pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true},')
    f.write('"post_processor": null, "decoder": {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true},')
    f.write('"model": {"type": "BPE", "dropout": null, "unk_token": null, "continuing_subword_prefix": null, "end_of_word_suffix": null,')
    f.write('"fuse_unk": false, "byte_fallback": false, "ignore_merges": false, "vocab": {')
    # tokens: the 256 bytes, then "q" + name(i) for i in 0..n-1 (name = i in base 26, letters a-z),
    # built by the merges (q + name(i // 26), letter(i % 26)), and (q, letter) for i < 26
    def name(i):
        s = chr(97 + i % 26); i //= 26
        while i: s = chr(97 + i % 26) + s; i //= 26
        return s
    f.write(",".join(json.dumps(t) + ": " + str(i) for i, t in enumerate(byte_tok)))
    for i in range(n):
        f.write(',"q%s": %d' % (name(i), 256 + i))
    f.write('}, "merges": [')
    first = True
    for i in range(n):
        a, b = ("q", name(i)) if i < 26 else ("q" + name(i // 26), chr(97 + i % 26))
        f.write(('' if first else ',') + '"%s %s"' % (a, b)); first = False
    f.write(']}}\n')
PY
fi
ls -l "$F"
echo '{"text": "qbaaaa qzz hello"}' > /tmp/eaft_tok_in.jsonl
rc=0
/usr/bin/time -v "$EAFT" tokenize --tokenizer "$F" --input /tmp/eaft_tok_in.jsonl > /tmp/eaft_tok_out.txt 2> /tmp/eaft_tok_err.txt || rc=$?
rss=$(grep "Maximum resident set size" /tmp/eaft_tok_err.txt | awk '{print $NF}')
wall=$(grep "Elapsed (wall clock)" /tmp/eaft_tok_err.txt | awk '{print $NF}')
echo "exit $rc, peak RSS $((rss / 1024)) MB, wall $wall, output: $(head -c 200 /tmp/eaft_tok_out.txt)"
grep -v -E "^\s|Command being timed|Exit status" /tmp/eaft_tok_err.txt | head -3 || true
if [ "$rc" -ge 128 ]; then echo "FAIL: killed by a signal"; exit 1; fi
if [ $((rss / 1024)) -ge "$PEAK_MB" ]; then echo "FAIL: peak RSS above $PEAK_MB MB"; exit 1; fi
if [ "$rc" = 0 ]; then
  # "qbaaaa" = q + name(26^4) is one token (id 256 + 456976) reached through 5 merges; " qzz" is a
  # space token then q + name(675) ("zz" = 25·26 + 25; id 256 + 675)
  want=$(python3 -c "print([256 + 26**4, 220, 256 + 675])")
  got=$(head -1 /tmp/eaft_tok_out.txt | python3 -c "import json,sys; print(json.load(sys.stdin)[:3])")
  [ "$got" = "$want" ] || { echo "FAIL: ids $got, expected $want"; exit 1; }
fi
echo "OK"
