#!/usr/bin/env bash
# Real confident-conflict audits (issue 14): pipelines/math.yaml, medical.yaml and agent.yaml
# re-targeted at SmolLM2-135M-Instruct (imported by scripts/demo.sh into demo/build/smollm2):
# its own chat template, its tokenizer, its scores; each spec's sample stage cut to N samples
# per dataset so one run fits this CPU. Writes out/real-<name>/ (shards) and
# out/real-<name>-audit.{json,md,html}; prints one summary line per dataset and source.
#   bash experiments/real-audits.sh [N]      (default 150; needs ../shared and demo/build/smollm2)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-150}
model=demo/build/smollm2
[ -f "$model/model.safetensors" ] || { echo "run scripts/demo.sh first (imports SmolLM2 into $model)"; exit 1; }
EAFT=.build/release/eaft
for name in math medical agent; do
  spec=$(mktemp --suffix=.yaml)
  python3 - "pipelines/$name.yaml" "$spec" "$model" "$n" "out/real-$name" <<'PY'
import sys, yaml
src, dst, model, n, out = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
s = yaml.safe_load(open(src))
s["template"] = {"source": model, "tokenizer": model + "/tokenizer.json"}
stages = []
for st in s["stages"]:
    if "score" in st:
        if not any("sample" in x for x in stages):
            stages.append({"sample": {"n": n}})
        st = {"score": {"model": model, "top_k": 20, "batch_tokens": 4096}}
    elif "sample" in st:
        st = {"sample": {"n": min(n, st["sample"]["n"])}}
    stages.append(st)
s["stages"] = stages
s["output"] = {"dir": out, "unit_samples": 32}
yaml.safe_dump(s, open(dst, "w"), sort_keys=False)
PY
  rm -rf "out/real-$name"
  start=$(date +%s)
  "$EAFT" run "$spec" > "out/real-$name-run.json"
  "$EAFT" audit "out/real-$name" --json "out/real-$name-audit.json" --md "out/real-$name-audit.md" --html "out/real-$name-audit.html" > /dev/null
  python3 - "out/real-$name-audit.json" "$name" "$(( $(date +%s) - start ))" <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))
def row(label, g):
    print(f"| {label} | {g['samples']} | {g['label_tokens']} | {g['mean_gate']:.3f} | {g['p_quantiles'][2]:.3f} | {g['entropy_quantiles'][2]:.3f} | "
          f"{100*g['conflict_rate_percentile']:.2f}% | {100*g['conflict_rate_absolute']:.2f}% | {100*g['grad_share_conflict_absolute']:.1f}% |")
print(f"# {sys.argv[2]} ({sys.argv[3]} s)")
row("**" + sys.argv[2] + "**", a["dataset"])
for k in sorted(a["by_source"]): row(k, a["by_source"][k])
for k, pairs in sorted(a["top_conflict_pairs"].items()):
    print(f"  {k}: " + ", ".join(f"{p['label']!r}→{p['expected']!r} ×{p['count']}" for p in pairs[:4]))
PY
  rm -f "$spec"
done
