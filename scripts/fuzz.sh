#!/usr/bin/env bash
# Coverage-guided fuzzing of eaft's readers with libFuzzer + AddressSanitizer (issue 17).
#
#   scripts/fuzz.sh TARGET SECONDS     run one target (json jsonl parquet safetensors shard
#                                      tokenizer-json tokenizer-encode spec gguf jinja)
#   scripts/fuzz.sh --smoke [SECONDS]  every target for SECONDS (default 20); CI calls this
#   scripts/fuzz.sh --build            only build the instrumented driver
#
# Environment: EAFT_FUZZ_RUNS=N stops a target after N executions (or SECONDS, whichever comes
# first; the campaign bar is 10^6 or 30 min); EAFT_FUZZ_LEAKS=1 turns on LeakSanitizer (per input
# and at exit); EAFT_FUZZ_NO_BUILD=1 runs an existing driver
# (EAFT_FUZZ_BUILD/debug/eaft-fuzz) without rebuilding it, e.g. a snapshot taken at one commit.
#
# The driver (product eaft-fuzz, Tests/Fuzz) is built into .build-fuzz with
# -sanitize=fuzzer,address. Seed corpora are copied from ../shared (EAFT_SHARED) and the repo's
# fixtures into a temporary directory at run time; nothing is written into the repo. Crash, leak
# and timeout inputs land in fuzz-artifacts/<target>/ (git-ignored); after fixing, copy each
# into Tests/Fixtures/fuzz/<target>/ so the ordinary test run replays it (FuzzReplayTests).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SHARED=${EAFT_SHARED:-$ROOT/../shared}
[ -d "$SHARED" ] || echo "fuzz: $SHARED is absent; seeds come from the repository fixtures only" >&2
BUILD=${EAFT_FUZZ_BUILD:-$ROOT/.build-fuzz}
TARGETS="json jsonl parquet safetensors shard tokenizer-json tokenizer-encode spec gguf jinja"

build() {
    [ "${EAFT_FUZZ_NO_BUILD:-0}" = 1 ] && return 0
    swift build --build-path "$BUILD" --product eaft-fuzz \
        -Xswiftc -sanitize=fuzzer,address -Xswiftc -DEAFT_LIBFUZZER >&2
}

# Copies seed files for target $1 into directory $2 (small files or heads of big ones).
seeds() {
    local t=$1 d=$2 i=0
    add() { head -c "${2:-65536}" "$1" > "$d/seed-$i" 2>/dev/null || true; i=$((i + 1)); }
    case $t in
        json|jsonl)
            for f in $(find "$SHARED/data" -name '*.jsonl' -o -name '*.json' | sort | head -40); do add "$f" 16384; done
            if [ "$t" = jsonl ]; then
                for f in $(find "$SHARED/data" -name '*.jsonl' | sort | head -6); do
                    head -c 8192 "$f" | gzip -c > "$d/seed-gz-$i"; i=$((i + 1))
                    if command -v zstd >/dev/null; then head -c 8192 "$f" | zstd -q -c > "$d/seed-zst-$i"; i=$((i + 1)); fi
                done
            fi ;;
        parquet)
            for f in "$ROOT"/Tests/Fixtures/parquet/*.parquet; do add "$f" 1000000; done
            for f in $(find "$SHARED/data/parquet" -name '*.parquet' -size -400k); do add "$f" 1000000; done ;;
        safetensors)
            for f in $(find "$ROOT/Tests/Fixtures/model" "$SHARED/reference" -name '*.safetensors' -size -200k 2>/dev/null | head -20); do add "$f" 200000; done ;;
        shard) : ;;  # synthesized by the driver (EAFT_FUZZ_SEED_DIR)
        tokenizer-json)
            for f in $(find "$ROOT/Tests/Fixtures/tokenizer" -name '*.json' | head -20); do add "$f" 200000; done ;;
        tokenizer-encode)
            for f in $(find "$SHARED/data/tokenizer-parity" "$SHARED/data/general" -type f | sort | head -20); do add "$f" 4096; done ;;
        spec)
            for f in "$ROOT"/pipelines/*.yaml "$ROOT"/demo/*.yaml; do [ -f "$f" ] && add "$f"; done ;;
        gguf)
            for f in $(find "$SHARED/reference/gguf" -name '*.gguf' -size -400k 2>/dev/null | sort); do add "$f" 1000000; done ;;
        jinja)
            for f in $(find "$SHARED/chat-templates/templates" -type f 2>/dev/null | sort); do add "$f" 65536; done ;;
    esac
    for f in "$ROOT/Tests/Fixtures/fuzz/$t"/*; do [ -f "$f" ] && cp "$f" "$d/"; done
    return 0
}

# run TARGET SECONDS: fuzzes, prints libFuzzer's final stats; non-zero exit on a finding.
run() {
    local t=$1 secs=$2 corpus art
    corpus=$(mktemp -d "/tmp/eaft-fuzz-$t.XXXXXX")
    art="$ROOT/fuzz-artifacts/$t"
    mkdir -p "$art"
    seeds "$t" "$corpus"
    local maxlen=65536
    case $t in parquet|safetensors|tokenizer-json|gguf) maxlen=1000000 ;; esac
    echo "== $t: ${secs}s, $(ls "$corpus" | wc -l) seeds" >&2
    local rc=0
    EAFT_FUZZ_TARGET=$t EAFT_FUZZ_SEED_DIR=$corpus EAFT_SHARED=$SHARED ASAN_OPTIONS=detect_leaks=${EAFT_FUZZ_LEAKS:-0} \
        "$BUILD/debug/eaft-fuzz" "$corpus" -max_total_time="$secs" ${EAFT_FUZZ_RUNS:+-runs=$EAFT_FUZZ_RUNS} -detect_leaks=${EAFT_FUZZ_LEAKS:-0} \
        -max_len=$maxlen -timeout=10 \
        -rss_limit_mb=3072 -malloc_limit_mb=2048 -artifact_prefix="$art/" -print_final_stats=1 \
        -close_fd_mask=1 2> "$art/log.txt" || rc=$?
    grep -E "^(stat::|#[0-9]+ *DONE|Done)" "$art/log.txt" | tail -8 >&2 || true
    grep -E "cov: " "$art/log.txt" | tail -1 >&2 || true
    rm -rf "$corpus"
    if [ $rc -ne 0 ]; then echo "!! $t: finding, see $art/ (log.txt)" >&2; fi
    return $rc
}

case ${1:-} in
    --build) build ;;
    --smoke)
        build
        fail=0
        for t in $TARGETS; do run "$t" "${2:-20}" || fail=1; done
        exit $fail ;;
    ""|-h|--help) sed -n 2,14p "$0"; exit 2 ;;
    *) [ $# -eq 2 ] || { sed -n 2,14p "$0"; exit 2; }
       build
       run "$1" "$2" ;;
esac
