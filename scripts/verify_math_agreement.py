#!/usr/bin/env python3
"""Agreement of `eaft check --kind math` with dataset labels and with Math-Verify 0.9.0.

Datasets (from ../shared/data/math):
  gsm8k/labelled_solutions_flat.jsonl       solution vs ground_truth_answer, label is_correct
  qwen25_math_labelled/math_cot_100_flat.jsonl  response vs gt_answer, label score
  math500/test.jsonl                         answer extracted from solution vs answer (label: True)

Usage: python3 scripts/verify_math_agreement.py [--eaft .build/release/eaft] [--shared ../shared]
       [--out Tests/Fixtures/verify/math_disagreements.jsonl]
Prints the agreement table (markdown) and writes every disagreement (with eaft's and
Math-Verify's extraction and the label) to --out.
"""
import argparse, json, os, subprocess, sys, tempfile, time

def load(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(l) for l in f if l.strip()]

def run_eaft(eaft, pairs):
    with tempfile.TemporaryDirectory() as d:
        inp, out = os.path.join(d, "in.jsonl"), os.path.join(d, "out.jsonl")
        with open(inp, "w", encoding="utf-8") as f:
            for resp, ref in pairs:
                f.write(json.dumps({"response": resp, "reference": ref}, ensure_ascii=False) + "\n")
        t = time.perf_counter()
        subprocess.run([eaft, "check", "--kind", "math", "--input", inp, "--output", out], check=True,
                       stderr=subprocess.DEVNULL)
        dt = time.perf_counter() - t
        return load(out), dt

def run_math_verify(pairs):
    from math_verify import parse, verify
    res, t = [], time.perf_counter()
    for resp, ref in pairs:
        gold = parse(ref if "\\boxed" in ref or "$" in ref else "$" + ref + "$")
        pred = parse(resp)
        res.append((bool(verify(gold, pred)), [str(x) for x in pred][:2]))
    return res, time.perf_counter() - t

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--eaft", default=".build/release/eaft")
    ap.add_argument("--shared", default="../shared")
    ap.add_argument("--out", default="Tests/Fixtures/verify/math_disagreements.jsonl")
    ap.add_argument("--extended", action="store_true",
                    help="also run self-consistency (answer in a sentence vs itself) and shifted false-positive sets "
                         "on OlympiadBench, AIME24, GaoKao2023en, College Math, Minerva (not written to the fixture)")
    ap.add_argument("--skip-math-verify", action="store_true", help="eaft against labels only (fast)")
    ap.add_argument("--fixture", default="Tests/Fixtures/verify/math_verify_verdicts.json",
                    help="where to write Math-Verify's verdicts per dataset (read by VerifyTests)")
    a = ap.parse_args()
    base = os.path.join(a.shared, "data", "math")
    sets = []
    rows = load(os.path.join(base, "gsm8k", "labelled_solutions_flat.jsonl"))
    sets.append(("gsm8k labelled_solutions_flat", [(r["solution"], r["ground_truth_answer"]) for r in rows],
                 [bool(r["is_correct"]) for r in rows]))
    rows = load(os.path.join(base, "qwen25_math_labelled", "math_cot_100_flat.jsonl"))
    sets.append(("qwen25 math_cot_100_flat", [(r["response"], r["gt_answer"]) for r in rows], [bool(r["score"]) for r in rows]))
    rows = load(os.path.join(base, "math500", "test.jsonl"))
    sets.append(("math500 solution vs answer", [(r["solution"], r["answer"]) for r in rows], [True] * len(rows)))
    # False-positive check: each MATH-500 solution against the answer of the row 7 places on
    # (different problems; label False unless the two answers happen to be equal).
    n5 = len(rows)
    shifted = [(rows[i]["solution"], rows[(i + 7) % n5]["answer"]) for i in range(n5)]
    sets.append(("math500 solution vs other row's answer", shifted,
                 [rows[i]["answer"].strip() == rows[(i + 7) % n5]["answer"].strip() for i in range(n5)]))

    if a.extended:
        def dollar(x):  # wrap in $…$ unless the answer already has math delimiters
            return x if "$" in x else "$" + x + "$"
        q = os.path.join(base, "qwen25_math_eval")
        ol = [r for r in load(os.path.join(q, "olympiadbench", "test.jsonl")) if r.get("solution") and r.get("final_answer")]
        ai = load(os.path.join(q, "aime24", "test.jsonl"))
        ga = load(os.path.join(q, "gaokao2023en", "test.jsonl"))
        co = load(os.path.join(q, "college_math", "test.jsonl"))
        mi = load(os.path.join(q, "minerva_math", "test.jsonl"))
        olr = [r["solution"][0] + "\nFinal answer: " + r["final_answer"][0] for r in ol]
        olg = [r["final_answer"][0] for r in ol]
        sets.append(("olympiadbench solution + 'Final answer:' vs final_answer", list(zip(olr, olg)), [True] * len(ol)))
        sets.append(("aime24 solution vs answer", [(r["solution"], str(r["answer"])) for r in ai], [True] * len(ai)))
        for name, rows_ in (("gaokao2023en", ga), ("college_math", co)):
            sets.append((name + " 'The answer is $a$.' vs a", [("The answer is " + dollar(r["answer"]) + ".", r["answer"]) for r in rows_],
                         [True] * len(rows_)))
        sets.append(("minerva_math solution vs its own boxed", [(r["solution"], r["solution"]) for r in mi], [True] * len(mi)))
        def shifted(name, resp, refs):
            n_ = len(resp)
            sets.append((name + " vs row i+7's answer", [(resp[i], refs[(i + 7) % n_]) for i in range(n_)],
                         [refs[i].strip() == refs[(i + 7) % n_].strip() for i in range(n_)]))
        shifted("olympiadbench", olr, olg)
        shifted("college_math", ["The answer is " + dollar(r["answer"]) + "." for r in co], [r["answer"] for r in co])

    dis = []
    fixture = {}
    print("| dataset | rows | eaft = label | Math-Verify = label | eaft = Math-Verify | eaft s | Math-Verify s |")
    print("|---|---|---|---|---|---|---|")
    for name, pairs, labels in sets:
        ours, t_ours = run_eaft(a.eaft, pairs)
        mv, t_mv = run_math_verify(pairs) if not a.skip_math_verify else ([(o["verdict"], []) for o in ours], 0.0)
        if not name.startswith(("olympiadbench", "aime24", "gaokao2023en", "college_math", "minerva_math")):
            fixture[name] = "".join("1" if m[0] else "0" for m in mv)
        n = len(pairs)
        el = sum(o["verdict"] == l for o, l in zip(ours, labels))
        ml = sum(m[0] == l for m, l in zip(mv, labels))
        em = sum(o["verdict"] == m[0] for o, m in zip(ours, mv))
        print(f"| {name} | {n} | {el} ({100*el/n:.2f}%) | {ml} ({100*ml/n:.2f}%) | {em} ({100*em/n:.2f}%) | {t_ours:.2f} | {t_mv:.2f} |")
        for k, (o, m, l) in enumerate(zip(ours, mv, labels)):
            if o["verdict"] != l or o["verdict"] != m[0]:
                dis.append({"dataset": name, "row": k, "reference": pairs[k][1], "label": l, "eaft": o["verdict"],
                            "eaft_reason": o["reason"], "eaft_extracted": o["extracted"], "math_verify": m[0],
                            "math_verify_extracted": m[1], "response_tail": pairs[k][0][-160:]})
    if a.extended:
        a.out = a.out.replace(".jsonl", "_extended.jsonl")
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    with open(a.out, "w", encoding="utf-8") as f:
        for d in dis:
            f.write(json.dumps(d, ensure_ascii=False) + "\n")
    with open(a.fixture if not (a.extended or a.skip_math_verify) else os.devnull, "w", encoding="utf-8") as f:
        json.dump({"math_verify_version": "0.9.0", "verdicts": fixture}, f, indent=0)
        f.write("\n")
    print(f"\n{len(dis)} disagreement rows written to {a.out}", file=sys.stderr)

if __name__ == "__main__":
    main()
