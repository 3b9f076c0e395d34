"""Summarises experiments/forgetting.sh: per fine-tuning variant, the general (wikitext-2 test)
and target (MedQA) loss before and after, forgetting = general loss increase, and the loss on
the base model's low-entropy (H <= 0.5) and high-entropy (H >= 2) general tokens (the paper's
Figure 4 split). Usage: python3 experiments/forgetting_report.py WORK_DIR"""
import json, os, sys

W = sys.argv[1]
rows = []
for v in ["sft", "eaft-static", "eaft-dynamic"]:
    p = os.path.join(W, f"ft-{v}", "report.json")
    if not os.path.exists(p):
        continue
    r = json.load(open(p))
    ev = {}
    for e in r["evals"]:
        ev.setdefault(e["set"], []).append(e)
    g0, g1 = ev["general"][0], ev["general"][-1]
    t0, t1 = ev["target"][0], ev["target"][-1]
    rows.append((v, g0, g1, t0, t1, r["steps"]))
print("| variant | steps | general loss before → after | forgetting (Δ general) | general low-H tokens Δ | general high-H tokens Δ | target (MedQA) loss before → after | Δ target |")
print("|---|---|---|---|---|---|---|---|")
for v, g0, g1, t0, t1, steps in rows:
    print(f"| {v} | {steps} | {g0['loss']:.4f} → {g1['loss']:.4f} | **{g1['loss'] - g0['loss']:+.4f}** | "
          f"{g1['low_entropy_loss'] - g0['low_entropy_loss']:+.4f} ({g0['low_entropy_tokens']} tok) | "
          f"{g1['high_entropy_loss'] - g0['high_entropy_loss']:+.4f} ({g0['high_entropy_tokens']} tok) | "
          f"{t0['loss']:.4f} → {t1['loss']:.4f} | {t1['loss'] - t0['loss']:+.4f} |")
