"""The forgetting experiment's report (experiments/forgetting-smollm2.sh): reads every
W/runs/*/results.json and writes into OUT
  results.json   all runs (evaluations per step, token groups, multiple choice), small;
  table.md       per target and variant, mean ± sd [min, max] over seeds of the changes from the
                 base: general loss (wikitext-2 + C4, pooled), its token groups under the base
                 (confident-conflict, confident-correct, uncertain), target loss, and for the
                 medical target MedQA / MedMCQA accuracy;
  fig1-<target>-density.svg   the target data's p–H density under the base (from `eaft audit`);
  fig4-<target>-<group>.svg   Figure 4-style curves: each group's general loss over the steps,
                 mean over seeds with the seed range shaded, one line per variant (`eaft plot`).
Usage: python3 report.py WORK_DIR EAFT_BINARY OUT_DIR"""
import glob, json, math, os, re, statistics, subprocess, sys

W, E, OUT = sys.argv[1], sys.argv[2], sys.argv[3]
os.makedirs(OUT, exist_ok=True)
runs = [json.load(open(p)) for p in sorted(glob.glob(f"{W}/runs/*/results.json"))]
VARIANTS = ["sft", "eaft-static", "eaft-dynamic", "dft"]
COLORS = {"sft": "#d62728", "eaft-static": "#1f77b4", "eaft-dynamic": "#2ca02c", "dft": "#9467bd"}
GROUPS = [("all", "loss", "label_tokens"), ("confident-conflict", "confident_conflict_loss", "confident_conflict_tokens"),
          ("confident-correct", "confident_correct_loss", "confident_correct_tokens"),
          ("uncertain", "high_entropy_loss", "high_entropy_tokens")]


def pooled(evals, step, prefix, key, ntok):
    """Token-weighted mean of `key` over the sets starting with `prefix` at `step`."""
    rows = [e for e in evals if e["step"] == step and (e["set"] == prefix or e["set"].startswith(prefix + ":"))]
    n = sum(e[ntok] for e in rows if e.get(key) is not None)
    return sum(e[key] * e[ntok] for e in rows if e.get(key) is not None) / n if n else float("nan")


def steps(r):
    return sorted({e["step"] for e in r["evals"]})


def summary(xs):
    xs = [x for x in xs if not math.isnan(x)]
    if not xs: return None
    return {"mean": statistics.fmean(xs), "sd": statistics.stdev(xs) if len(xs) > 1 else 0.0, "min": min(xs), "max": max(xs), "n": len(xs)}


def fmt(s, digits=4, pct=False):
    if s is None: return "—"
    k = 100 if pct else 1
    body = f"{s['mean'] * k:+.{digits}f}"
    if s["n"] > 1: body += f" ± {s['sd'] * k:.{digits}f} [{s['min'] * k:+.{digits}f}, {s['max'] * k:+.{digits}f}]"
    return body


table, small = [], []
for target in sorted({r["target"] for r in runs}):
    tr = [r for r in runs if r["target"] == target]
    base_run = tr[0]
    base = {g: pooled(base_run["evals"], 0, "general", k, n) for g, k, n in GROUPS}
    base_tok = {g: sum(e[n] for e in base_run["evals"] if e["step"] == 0 and e["set"].startswith("general")) for g, _, n in GROUPS}
    base_target = pooled(base_run["evals"], 0, "target", "loss", "label_tokens")
    base_choice = {}
    if target == "medical" and os.path.exists(f"{W}/base-choices.jsonl"):
        base_rows = [json.loads(l) for l in open(f"{W}/base-choices.jsonl") if l.strip()]
        base_choice = {c["set"]: c["acc"] for c in base_rows}
        base_ll = {c["set"]: c["mean_correct_loglik"] for c in base_rows}
    table.append(f"\n### Target: {target}\n")
    table.append(f"Base SmolLM2-135M-Instruct: general loss {base['all']:.4f} nats ({base_tok['all']} tokens: "
                 f"{base_tok['confident-conflict']} confident-conflict, {base_tok['confident-correct']} confident-correct, "
                 f"{base_tok['uncertain']} uncertain); group losses {base['confident-conflict']:.3f} / {base['confident-correct']:.3f} / "
                 f"{base['uncertain']:.3f}; target ({target}) held-out loss {base_target:.4f}"
                 + "".join(f"; {k} accuracy {v * 100:.1f}% (mean log-likelihood of the correct letter {base_ll[k]:.3f})"
                           for k, v in sorted(base_choice.items())) + ".\n")
    hdr = ["variant", "seeds", "steps", "target loss after", "Δ target loss", "general loss after", "Δ general loss",
           "Δ confident-conflict", "Δ confident-correct", "Δ uncertain"]
    if target == "medical": hdr += ["Δ MedQA acc (pts)", "Δ MedMCQA acc (pts)", "Δ MedQA correct-letter log-lik", "Δ MedMCQA correct-letter log-lik"]
    table.append("| " + " | ".join(hdr) + " |")
    table.append("|" + "---|" * len(hdr))
    stats = {}
    for v in VARIANTS:
        vr = [r for r in tr if r["variant"] == v]
        if not vr: continue
        d = {}
        d["target"] = summary([pooled(r["evals"], steps(r)[-1], "target", "loss", "label_tokens") - base_target for r in vr])
        for g, k, n in GROUPS:
            d[g] = summary([pooled(r["evals"], steps(r)[-1], "general", k, n) - base[g] for r in vr])
        for cs in ["medqa", "medmcqa"]:
            d[cs] = summary([next(c["acc"] for c in r["choices"] if c["set"] == cs) - base_choice[cs] for r in vr
                             if any(c["set"] == cs for c in r["choices"]) and cs in base_choice])
            d[cs + "-ll"] = summary([next(c["mean_correct_loglik"] for c in r["choices"] if c["set"] == cs) - base_ll[cs] for r in vr
                                     if any(c["set"] == cs for c in r["choices"]) and cs in base_choice])
        stats[v] = d
        def after(sm, base_value):
            if sm is None: return "—"
            return f"{base_value + sm['mean']:.4f}" + (f" ± {sm['sd']:.4f}" if sm["n"] > 1 else "")
        row = [v, ",".join(str(r["seed"]) for r in vr), "/".join(sorted({str(r["steps"]) for r in vr})),
               after(d["target"], base_target), fmt(d["target"]), after(d["all"], base["all"]), "**" + fmt(d["all"]) + "**",
               fmt(d["confident-conflict"], 3), fmt(d["confident-correct"], 4), fmt(d["uncertain"], 3)]
        if target == "medical": row += [fmt(d["medqa"], 1, True), fmt(d["medmcqa"], 1, True), fmt(d["medqa-ll"], 3), fmt(d["medmcqa-ll"], 3)]
        table.append("| " + " | ".join(row) + " |")
    # The question of the issue, answered from the numbers (ranges over seeds, not one run).
    def compare(a, b):
        """'lower' / 'higher' when every seed of a is below / above every seed of b, else 'within spread'."""
        if a is None or b is None or min(a["n"], b["n"]) < 2: return "n/a (fewer than 2 seeds)"
        if a["max"] < b["min"]: return "lower beyond the seed spread"
        if a["min"] > b["max"]: return "higher beyond the seed spread"
        return "within the seed spread"
    def final(r, g):
        k, n = {x[0]: (x[1], x[2]) for x in GROUPS}[g] if g != "target" else ("loss", "label_tokens")
        return pooled(r["evals"], steps(r)[-1], "target" if g == "target" else "general", k, n)

    def paired(v, g):
        """Per seed (same data order), variant minus sft of the final loss of group g."""
        by = {r["seed"]: r for r in tr if r["variant"] == "sft"}
        return [final(r, g) - final(by[r["seed"]], g) for r in tr if r["variant"] == v and r["seed"] in by]

    if "sft" in stats:
        s = stats["sft"]
        for v in ["eaft-static", "eaft-dynamic", "dft"]:
            if v not in stats: continue
            e = stats[v]
            table.append(f"\n- **{v} vs sft** ({min(s['all']['n'], e['all']['n'])} seeds each): "
                         f"change in general loss {e['all']['mean']:+.4f} vs {s['all']['mean']:+.4f} → {compare(e['all'], s['all'])}; "
                         f"on the base's confident-correct general tokens {e['confident-correct']['mean']:+.4f} vs {s['confident-correct']['mean']:+.4f} "
                         f"→ {compare(e['confident-correct'], s['confident-correct'])}; "
                         f"change in target loss {e['target']['mean']:+.4f} vs {s['target']['mean']:+.4f} → {compare(e['target'], s['target'])}.")
            pg, pc, pt = paired(v, "all"), paired(v, "confident-correct"), paired(v, "target")
            table.append(f"  Paired by seed ({v} − sft, same data order): general {', '.join(f'{x:+.4f}' for x in pg)}; "
                         f"confident-correct {', '.join(f'{x:+.4f}' for x in pc)}; target {', '.join(f'{x:+.4f}' for x in pt)}.")
    # Figure 4-style curves
    for g, k, n in GROUPS + [("target", "loss", "label_tokens")]:
        series = []
        for v in VARIANTS:
            vr = [r for r in tr if r["variant"] == v]
            if not vr: continue
            common = sorted(set.intersection(*[set(steps(r)) for r in vr]))
            xs, ys, lo, hi = [], [], [], []
            pts = [(s, [pooled(r["evals"], s, "target" if g == "target" else "general", k, n) for r in vr]) for s in common]
            if any(steps(r)[-1] not in common for r in vr):  # the last evaluation, at each run's own final step
                pts.append((statistics.fmean(steps(r)[-1] for r in vr),
                            [pooled(r["evals"], steps(r)[-1], "target" if g == "target" else "general", k, n) for r in vr]))
            for s, vals in pts:
                xs.append(s); ys.append(statistics.fmean(vals)); lo.append(min(vals)); hi.append(max(vals))
            series.append({"name": f"{v} ({len(vr)} seed{'s' if len(vr) > 1 else ''})", "color": COLORS[v],
                           "points": [[x, y] for x, y in zip(xs, ys)], "low": lo, "high": hi})
        title = (f"{target}: held-out target loss" if g == "target" else
                 f"{target}: general loss (wikitext-2 + C4), {g} tokens under the base")
        chart = {"title": title, "x_label": "optimizer step", "y_label": "mean CE (nats)", "series": series}
        cj = os.path.join(OUT, f"fig4-{target}-{g}.json")
        with open(cj, "w") as f: json.dump(chart, f)
        subprocess.run([E, "plot", cj, "--out", os.path.join(OUT, f"fig4-{target}-{g}.svg")], check=True)
        os.remove(cj)
    # Figure 1: the density map from the audit's HTML (drawn by eaft audit)
    html = f"{W}/audit-{target}.html"
    if os.path.exists(html):
        m = re.search(r"<figure>(<svg.*?</svg>)", open(html, encoding="utf-8").read(), re.S)
        if m:
            svg = m.group(1)
            if "xmlns=" not in svg[:200]: svg = svg.replace("<svg", '<svg xmlns="http://www.w3.org/2000/svg"', 1)
            open(os.path.join(OUT, f"fig1-{target}-density.svg"), "w").write(svg + "\n")
    if os.path.exists(f"{W}/audit-{target}.json"):
        a = json.load(open(f"{W}/audit-{target}.json"))
        keep = {k: a[k] for k in a if isinstance(a[k], (int, float, str))}
        small.append({"target": target, "audit": keep})

for r in runs: r.pop("config", None)
with open(os.path.join(OUT, "results.json"), "w") as f:
    json.dump({"runs": runs, "audits": small}, f, indent=None, sort_keys=True, separators=(",", ":"))
open(os.path.join(OUT, "table.md"), "w").write("\n".join(table) + "\n")
print("\n".join(table))
