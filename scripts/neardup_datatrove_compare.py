#!/usr/bin/env python3
"""Near-duplicate recall / false positives: datatrove's own MinHash dedup vs eaft, on planted
near-copies of GSM8K train.

Planted set: every GSM8K train record (question + "\\n" + answer) is an original; every 5th
original gets one near-copy, the kind cycling through KINDS (realistic fine-tuning-data
variants: whitespace/case, punctuation, number/LaTeX formatting, calculator annotations
removed, a template prefix or instruction line, 1-2 word substitutions, sentence reorder,
and x% random word replacement at 1, 2, 3, 5, 10%). Each copy records its true word 5-gram
Jaccard with its original on three normalisations: `j5_eaft` = eaft's `words` (NFC,
lowercase, letter/digit runs; `TextNormalizer.words`, used by the short_text preset),
`j5_simplified` = datatrove's `simplify_text` split on spaces (eaft's `DatatroveText`, used by
eaft's datatrove preset) and `j5_datatrove` = `simplify_text` + datatrove's English spaCy word
tokenizer (what datatrove's MinHash actually shingles).

datatrove (pip install datatrove spacy xxhash) runs its four stages with the default
MinhashConfig (5-grams, 14 buckets x 8 hashes, xxhash64, seed 1): MinhashDedupSignature,
MinhashDedupBuckets (one task per bucket), MinhashDedupCluster, MinhashDedupFilter.
A copy is detected when it ends in the same cluster as its original (the pair is linked).
False positives: originals removed (datatrove: non-root members of a cluster holding another
original; eaft: originals dropped as near-duplicates), each listed with its partner and the
pair's true Jaccard so genuine duplicates in GSM8K train can be told apart.

With --eaft BIN, eaft runs the same set through `eaft run` (a generated pipeline spec with
`dedup: {exact: false, near: {preset: ...}}`) for the datatrove and short_text presets, and
the table shows both implementations side by side.

Writes the planted copies (with Jaccards and datatrove's verdicts) to
Tests/Fixtures/curation/neardup_planted.jsonl (--write-fixture), which
CurationTests.NearDupBenchmarkTests reads to assert eaft's recall and false-positive rate.

Usage: python3 scripts/neardup_datatrove_compare.py [--shared ../shared] [--eaft .build/release/eaft]
                                                    [--write-fixture] [--json OUT]
"""
import argparse, json, os, random, re, struct, subprocess, sys, tempfile, time, unicodedata

KINDS = [
    "whitespace_case", "punctuation", "number_format", "calc_annotations_removed",
    "template_prefix", "instruction_line", "subst_1", "subst_2", "sentence_reorder",
    "replace_1pct", "replace_2pct", "replace_3pct", "replace_5pct", "replace_10pct",
]
EVERY = 5
BUCKETS = [(0.0, 0.5), (0.5, 0.6), (0.6, 0.7), (0.7, 0.75), (0.75, 0.8), (0.8, 0.85), (0.85, 0.9), (0.9, 1.0), (1.0, 1.01)]
FIXTURE = "Tests/Fixtures/curation/neardup_planted.jsonl"
INSTRUCTION = "Solve the following grade school math problem step by step and give the final answer after ####."
VOCAB = ["apple", "teacher", "garden", "bicycle", "window", "market", "yellow", "quickly", "river", "basket",
         "orange", "library", "pencil", "monday", "ticket", "bottle", "carpet", "farmer", "silver", "puzzle"]


# ---------------------------------------------------------------- normalisations and Jaccard
WORD_RE = re.compile(r"[^\W_]+")


def eaft_words(text):
    """eaft's TextNormalizer.words: NFC, lowercase, runs of letters/digits (exact for ASCII)."""
    return WORD_RE.findall(unicodedata.normalize("NFC", text).lower())


_dt = {}


def datatrove_words(text):
    """The tokens datatrove's MinhashDedupSignature shingles: simplify_text + English word tokenizer."""
    if not _dt:
        from datatrove.utils.text import simplify_text
        from datatrove.utils.word_tokenizers import load_word_tokenizer
        _dt["simplify"], _dt["tok"] = simplify_text, load_word_tokenizer("eng")
    return _dt["tok"].word_tokenize(_dt["simplify"](text))


def simplified_words(text):
    """eaft's DatatroveText.wordHashes words: datatrove's simplify_text split on spaces (no spaCy)."""
    if not _dt:
        datatrove_words("")
    return _dt["simplify"](text).split()


def shingles(words, n=5):
    if len(words) < n:
        return {tuple(words)} if words else set()
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


def jaccard(a, b):
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


# ---------------------------------------------------------------- perturbations
def replace_rate(text, rate, rng):
    w = text.split(" ")
    k = max(1, round(len(w) * rate))
    for p in rng.sample(range(len(w)), k):
        w[p] = "zz%d" % rng.randrange(1000)
    return " ".join(w)


def substitute(text, k, rng):
    w = text.split(" ")
    cands = [i for i, x in enumerate(w) if x.isalpha() and len(x) >= 3]
    for p in rng.sample(cands, min(k, len(cands))):
        w[p] = rng.choice([v for v in VOCAB if v != w[p].lower()])
    return " ".join(w)


def whitespace_case(text, rng):
    out = []
    for tok in text.split(" "):
        r = rng.random()
        out.append(tok.upper() if r < 0.1 else tok.capitalize() if r < 0.2 else tok.lower() if r < 0.3 else tok)
    s = ""
    for i, tok in enumerate(out):
        s += tok if i == 0 else rng.choice([" ", " ", "  ", "\t", " \n"]) + tok
    return s.replace("\n", "\n\n", 1)


def punctuation(text, rng):
    s = text.replace(",", "").replace("?", " ?").replace(". ", "! ", 1)
    return re.sub(r"\.$|\.\n", lambda m: ";" + m.group(0)[1:], s)


def number_format(text, rng):
    s = re.sub(r"\b(\d{4,})\b", lambda m: f"{int(m.group(1)):,}", text)        # 1200 -> 1,200
    s = re.sub(r"\$(\d+(?:\.\d+)?)", r"\\$\1", s)                                 # $5 -> \$5
    s = re.sub(r"(\d+)/(\d+)", r"\\frac{\1}{\2}", s, count=2)                     # 48/2 -> \frac{48}{2}
    return re.sub(r"#### (.+)$", r"The answer is $\\boxed{\1}$.", s)              # final answer


def calc_annotations_removed(text, rng):
    return re.sub(r"<<[^>]*>>", "", text)


def template_prefix(text, rng):
    q, _, a = text.partition("\n")
    return f"Question: {q}\nAnswer: {a}"


def instruction_line(text, rng):
    return INSTRUCTION + "\n\n" + text


def sentence_reorder(text, rng):
    q, _, a = text.partition("\n")
    sents = re.split(r"(?<=[.!?])\s+", q)
    if len(sents) >= 3:
        i = rng.randrange(len(sents) - 2)  # never move the final question
        sents[i], sents[i + 1] = sents[i + 1], sents[i]
        return " ".join(sents) + "\n" + a
    lines = a.split("\n")
    body = [i for i, l in enumerate(lines) if not l.startswith("####")]
    if len(body) >= 2:
        i = rng.randrange(len(body) - 1)
        lines[body[i]], lines[body[i + 1]] = lines[body[i + 1]], lines[body[i]]
    return q + "\n" + "\n".join(lines)


def perturb(kind, text, rng):
    if kind.startswith("replace_"):
        return replace_rate(text, int(kind[8:-3]) / 100, rng)
    if kind.startswith("subst_"):
        return substitute(text, int(kind[6:]), rng)
    return globals()[kind](text, rng)


def planted(train):
    originals = [r["question"] + "\n" + r["answer"] for r in train]
    copies = []
    for c, i in enumerate(range(0, len(originals), EVERY)):
        kind = KINDS[c % len(KINDS)]
        rng = random.Random(1000003 * i + 17)
        text = perturb(kind, originals[i], rng)
        copies.append({"of": i, "kind": kind, "text": text,
                       "j5_eaft": round(jaccard(shingles(eaft_words(originals[i])), shingles(eaft_words(text))), 6),
                       "j5_simplified": round(jaccard(shingles(simplified_words(originals[i])), shingles(simplified_words(text))), 6),
                       "j5_datatrove": round(jaccard(shingles(datatrove_words(originals[i])), shingles(datatrove_words(text))), 6)})
    return originals, copies


# ---------------------------------------------------------------- datatrove
def run_datatrove(texts):
    """datatrove's four MinHash stages with the default MinhashConfig; returns (removed set, cluster of doc)."""
    from datatrove.data import Document
    from datatrove.pipeline.dedup.minhash import (MinhashConfig, MinhashDedupBuckets, MinhashDedupCluster,
                                                  MinhashDedupFilter, MinhashDedupSignature)
    from loguru import logger
    logger.remove()
    cfg = MinhashConfig()
    d = tempfile.mkdtemp(prefix="dt-minhash-")
    docs = [Document(text=t, id=str(i)) for i, t in enumerate(texts)]
    MinhashDedupSignature(output_folder=f"{d}/sigs", config=cfg).run(iter(docs), rank=0, world_size=1)
    for b in range(cfg.num_buckets):
        MinhashDedupBuckets(input_folder=f"{d}/sigs", output_folder=f"{d}/buckets", config=cfg).run(
            rank=b, world_size=cfg.num_buckets)
    MinhashDedupCluster(input_folder=f"{d}/buckets", output_folder=f"{d}/remove", config=cfg,
                        save_cluster_id=True).run()
    kept = {int(doc.id) for doc in MinhashDedupFilter(input_folder=f"{d}/remove").run(iter(docs), rank=0, world_size=1)}
    cluster = {}
    path = f"{d}/remove/000000.clusters"
    if os.path.exists(path):
        raw = open(path, "rb").read()
        for doc, cid in struct.iter_unpack("<II", raw):
            cluster[doc] = cid
    return set(range(len(texts))) - kept, cluster, str(cfg)


# ---------------------------------------------------------------- eaft
SPEC = """name: neardup-{preset}
inputs:
  - {{path: {data}, adapter: alpaca, source: planted, domain: general, fields: {{instruction: text, output: empty}}}}
stages:
  - dedup: {{key: prompt, exact: false, near: {{preset: {preset}}}}}
output: {{dir: {out}}}
"""


def run_eaft(binary, texts, preset):
    """Runs `eaft run` (MinHash stage only) and returns {index: index of the record it duplicates}."""
    d = tempfile.mkdtemp(prefix="eaft-neardup-")
    data = os.path.join(d, "planted.jsonl")
    with open(data, "w") as f:
        for i, t in enumerate(texts):
            f.write(json.dumps({"id": str(i), "text": t, "empty": ""}) + "\n")
    spec = os.path.join(d, "spec.yaml")
    with open(spec, "w") as f:
        f.write(SPEC.format(preset=preset, data=data, out=os.path.join(d, "out")))
    rej = os.path.join(d, "rejects.jsonl")
    p = subprocess.run([binary, "run", spec, "--rejects", rej], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        sys.exit(f"eaft run failed ({p.returncode}): {p.stderr}")
    of = {}
    for line in open(rej):
        r = json.loads(line)
        if r.get("stage") == "dedup" and r["reason"] == "near_duplicate":
            m = re.search(r"of (\S+)", r.get("detail", ""))
            of[int(r["id"].rsplit(":", 1)[-1]) if ":" in r["id"] else int(r["id"])] = int(m.group(1).rsplit(":", 1)[-1])
    return of


def roots_from_of(n, of):
    """Cluster representative of every record from 'dropped: of X' edges."""
    root = list(range(n))
    for i in range(n):
        j = i
        while j in of:
            j = of[j]
        root[i] = j
    return root


# ---------------------------------------------------------------- report
def theory(j, bands=14, rows=8):
    return 1 - (1 - j ** rows) ** bands


def bucket_name(lo, hi):
    return "1.0" if lo == 1.0 else f"[{lo:.2f}, {hi:.2f})"


def summarize(copies, detected, jkey, shape):
    """Recall per kind and per Jaccard bucket (buckets and the J >= 0.8 population on `jkey`)."""
    by_kind, by_bucket = {}, {}
    for c, hit in zip(copies, detected):
        k = by_kind.setdefault(c["kind"], [0, 0, 0.0, 1.0])
        k[0] += hit; k[1] += 1; k[2] += c[jkey]; k[3] = min(k[3], c[jkey])
        for lo, hi in BUCKETS:
            if lo <= c[jkey] < hi:
                b = by_bucket.setdefault(bucket_name(lo, hi), [0, 0, 0.0])
                b[0] += hit; b[1] += 1; b[2] += theory(c[jkey], *shape) if shape else float("nan")
    pops = {}
    for key in ("j5_eaft", "j5_simplified", "j5_datatrove", jkey):
        pop = [hit for c, hit in zip(copies, detected) if c[key] >= 0.8]
        pops[key] = (sum(pop), len(pop))
    pops["own"] = pops[jkey]
    return by_kind, by_bucket, pops, (sum(detected), len(detected))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default="../shared")
    ap.add_argument("--eaft", help="eaft binary: also run eaft's MinHash (pipeline) on the same set")
    ap.add_argument("--write-fixture", action="store_true", help=f"write {FIXTURE}")
    ap.add_argument("--json", help="write all figures as JSON here")
    a = ap.parse_args()
    train = [json.loads(l) for l in open(os.path.join(a.shared, "data/math/gsm8k/train.jsonl")) if l.strip()]
    originals, copies = planted(train)
    texts = originals + [c["text"] for c in copies]
    n = len(originals)
    import importlib.metadata
    t0 = time.perf_counter()
    removed, cluster, cfg = run_datatrove(texts)
    seconds = {"datatrove": time.perf_counter() - t0}
    for k, c in enumerate(copies):
        i, j = c["of"], n + k
        c["datatrove_detected"] = j in cluster and cluster.get(i) == cluster[j]
    results = {"datatrove": ([c["datatrove_detected"] for c in copies], sorted(x for x in removed if x < n), cluster)}
    print(f"datatrove {importlib.metadata.version('datatrove')}, MinhashConfig() = {cfg}")
    if a.eaft:
        for preset in ["datatrove", "short_text"]:
            t0 = time.perf_counter()
            of = run_eaft(a.eaft, texts, preset)
            seconds[f"eaft {preset}"] = time.perf_counter() - t0
            root = roots_from_of(len(texts), of)
            results[f"eaft {preset}"] = ([root[n + k] == root[c["of"]] for k, c in enumerate(copies)],
                                         sorted(i for i in of if i < n), {i: root[i] for i in range(len(texts))})
    out = {"originals": n, "copies": len(copies), "methods": {},
           "planted": [{k: v for k, v in c.items() if k != "text"} for c in copies]}
    for name, (det, orig_removed, clus) in results.items():
        jkey = {"datatrove": "j5_datatrove", "eaft datatrove": "j5_simplified"}.get(name, "j5_eaft")
        by_kind, by_bucket, pops, total = summarize(copies, det, jkey, None if name == "eaft short_text" else (14, 8))
        # which other original each removed original is linked to, with the pair's Jaccard
        members = {}
        for i in range(n):
            if i in clus:
                members.setdefault(clus[i], []).append(i)
        fps = []
        for i in orig_removed:
            partners = [p for p in members.get(clus.get(i), []) if p != i]
            if partners:
                p = partners[0]
                fps.append({"original": i, "partner": p,
                            "j5_eaft": round(jaccard(shingles(eaft_words(originals[i])), shingles(eaft_words(originals[p]))), 3),
                            "j5_datatrove": round(jaccard(shingles(datatrove_words(originals[i])), shingles(datatrove_words(originals[p]))), 3),
                            "text": originals[i][:90]})
            else:
                fps.append({"original": i, "partner": None, "text": originals[i][:90]})
        out["methods"][name] = {"seconds": round(seconds[name], 2), "jaccard": jkey, "recall_all": total, "recall_own_ge_0.8": pops["own"],
                                "recall_j_eaft_ge_0.8": pops["j5_eaft"], "recall_j_simplified_ge_0.8": pops["j5_simplified"],
                                "recall_j_datatrove_ge_0.8": pops["j5_datatrove"], "originals_removed": len(orig_removed),
                                "by_kind": by_kind, "by_bucket": by_bucket, "removed_originals": fps}
    print_report(out, list(results))
    if a.json:
        json.dump(out, open(a.json, "w"), indent=1)
    if a.write_fixture:
        os.makedirs(os.path.dirname(FIXTURE), exist_ok=True)
        with open(FIXTURE, "w") as f:
            for c in copies:
                f.write(json.dumps(c, ensure_ascii=False) + "\n")
        print(f"wrote {FIXTURE} ({len(copies)} copies)")


def pct(h, t):
    return f"{h}/{t} ({h / t:.1%})" if t else "-"


def print_report(out, names):
    n = out["originals"]
    print(f"GSM8K train: {n} originals, {out['copies']} planted copies (every {EVERY}th original)\n")
    print("Per kind (J5 = word 5-gram Jaccard with the original: eaft words / simplify_text words / datatrove spaCy tokens):\n")
    print("| kind | copies | mean J5 words | mean J5 simplified | mean J5 datatrove | " + " | ".join(names) + " |")
    print("|---|---|---|---|---|" + "---|" * len(names))
    for kind in KINDS:
        cs = [c for c in out["planted"] if c["kind"] == kind]
        je = sum(c["j5_eaft"] for c in cs) / len(cs)
        js = sum(c["j5_simplified"] for c in cs) / len(cs)
        jd = sum(c["j5_datatrove"] for c in cs) / len(cs)
        cells = [pct(*out["methods"][m]["by_kind"][kind][:2]) for m in names]
        print(f"| {kind} | {len(cs)} | {je:.3f} | {js:.3f} | {jd:.3f} | " + " | ".join(cells) + " |")
    for m in names:
        jk = out["methods"][m]["jaccard"]
        print(f"\n{m}: recall per J5 bucket (J5 = {jk}, its own normalisation; theory = mean 1-(1-J^8)^14; n/a for 3-gram short_text):\n")
        print("| J5 bucket | copies | theory | recall |\n|---|---|---|---|")
        for lo, hi in BUCKETS:
            b = out["methods"][m]["by_bucket"].get(bucket_name(lo, hi))
            if b:
                th = "n/a" if b[2] != b[2] else f"{b[2] / b[1]:.3f}"
                print(f"| {bucket_name(lo, hi)} | {b[1]} | {th} | {pct(b[0], b[1])} |")
    print("\n| | " + " | ".join(names) + " |\n|---|" + "---|" * len(names))
    for key, label in [("recall_all", "recall, all copies"),
                       ("recall_own_ge_0.8", "recall, J5 >= 0.8 on its own normalisation"),
                       ("recall_j_datatrove_ge_0.8", "recall, J5 >= 0.8 on datatrove's tokens"),
                       ("recall_j_simplified_ge_0.8", "recall, J5 >= 0.8 on simplify_text words"),
                       ("recall_j_eaft_ge_0.8", "recall, J5 >= 0.8 on eaft words")]:
        print(f"| {label} | " + " | ".join(pct(*out["methods"][m][key]) for m in names) + " |")
    print("| originals removed (false-positive rate) | " + " | ".join(
        f"{out['methods'][m]['originals_removed']}/{n} ({out['methods'][m]['originals_removed'] / n:.3%})" for m in names) + " |")
    print("| wall time, whole run (s; eaft: `eaft run` process incl. reading) | " + " | ".join(
        f"{out['methods'][m]['seconds']:.1f}" for m in names) + " |")
    for m in names:
        print(f"\n{m}: removed originals")
        for r in out["methods"][m]["removed_originals"]:
            print("  ", json.dumps(r, ensure_ascii=False))


if __name__ == "__main__":
    main()
