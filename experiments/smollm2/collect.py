"""One run's results.json for experiments/forgetting-smollm2.sh: the trainer's evaluations
(target and general sets, each with the base model's token groups), its per-step training CE
and the multiple-choice accuracies of the final checkpoint (medical runs). Written atomically;
its presence marks the run done. Usage: python3 collect.py RUN_DIR TARGET VARIANT SEED"""
import json, os, sys

R, target, variant, seed = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
rep = json.load(open(os.path.join(R, "report.json")))
choices = []
if os.path.exists(os.path.join(R, "choices.jsonl")):
    choices = [json.loads(l) for l in open(os.path.join(R, "choices.jsonl")) if l.strip()]
out = {
    "target": target, "variant": variant, "seed": seed,
    "config": open(os.path.join(R, "train.yaml")).read(),
    "steps": rep["steps"], "train_tokens": sum(h["tokens"] for h in rep["history"]),
    "train_label_tokens": sum(h["label_tokens"] for h in rep["history"]),
    "elapsed_s": rep["elapsed_s"], "tokens_per_s": rep["mean_tokens_per_s"],
    "evals": rep["evals"],
    "train_ce": [[h["step"], h["ce"]] for h in rep["history"]],
    "choices": choices,
}
tmp = os.path.join(R, "results.json.tmp")
with open(tmp, "w") as f:
    json.dump(out, f, indent=1, sort_keys=True)
os.replace(tmp, os.path.join(R, "results.json"))
