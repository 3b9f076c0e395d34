#!/usr/bin/env bash
# Rendering speed of a chat template: eaft's Jinja engine vs transformers, same conversations, same run.
#
#   bench/template_compare.sh [TEMPLATE] [CONVERSATIONS] [REPEAT]
#
# Defaults: the Qwen3 template and the reference conversations of ../shared/chat-templates, 200 renders each.
# transformers is taken from $PYTHON (default: /work/venv-jinja/bin/python if present, else python3); without
# transformers the Python side falls back to jinja2 with transformers' environment replicated and says so.
# Builds eaft in release mode first. Prints both JSON results and the speed ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED="${EAFT_SHARED:-../shared}"
TEMPLATE="${1:-$SHARED/chat-templates/templates/qwen3.jinja}"
CONVS="${2:-$SHARED/chat-templates/conversations.jsonl}"
REPEAT="${3:-200}"
SPECIAL='{"eos_token": "<|im_end|>", "pad_token": "<|endoftext|>"}'
if [ -z "${PYTHON:-}" ]; then
  if [ -x /work/venv-jinja/bin/python ]; then PYTHON=/work/venv-jinja/bin/python; else PYTHON=python3; fi
fi
swift build -c release --product eaft >/dev/null
EAFT="$(swift build -c release --show-bin-path)/eaft"

py=$("$PYTHON" scripts/template_bench_transformers.py --template "$TEMPLATE" --input "$CONVS" --repeat "$REPEAT" --special-tokens "$SPECIAL")
sw=$("$EAFT" template bench --template "$TEMPLATE" --input "$CONVS" --repeat "$REPEAT" --special-tokens "$SPECIAL")
echo "python: $py"
echo "eaft:   $sw"
python3 - "$py" "$sw" <<'PY'
import json, sys
p, s = json.loads(sys.argv[1]), json.loads(sys.argv[2])
assert p["chars"] == s["chars"] and p["errors"] == s["errors"], "the two engines rendered different amounts of text"
print(f"same output size ({s['chars']} chars, {s['errors']} errors in {s['renders']} renders)")
print(f"wall: {p['us_per_render']} us vs {s['us_per_render']} us per render: eaft {p['us_per_render'] / s['us_per_render']:.1f}x faster")
print(f"cpu:  {p['cpu_us_per_render']} us vs {s['cpu_us_per_render']} us per render: eaft {p['cpu_us_per_render'] / s['cpu_us_per_render']:.1f}x faster")
PY
