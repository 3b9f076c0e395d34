#!/usr/bin/env python3
"""Writes the demo records in demo/data/ (original content, generated from templates written for eaft).

    python3 scripts/pipeline_demo_data.py        # rewrites demo/data/*.jsonl deterministically

math.jsonl     GSM8K layout (question / answer ending in '#### N', final_answer); ~1 in 8 solutions is deliberately wrong
               (so the verify stage has something to drop) and a few questions repeat (dedup).
medical.jsonl  multiple-choice layout (question / options dict / answer_idx); about 1 in 9 keys is factually wrong
               (the verifier cannot see that: the response is built from the key; the audit may).
agent.jsonl    OpenAI messages + tools layout ending in a tool call (reference: the last assistant tool calls);
               every 4th has the full loop (tool result + final answer) and no tool-call reference.
bench.jsonl    a tiny "evaluation set" for the decontaminate stage: two math questions that also occur in math.jsonl.
"""
import json
import os
import random

OUT = os.path.join(os.path.dirname(__file__), "..", "demo", "data")
rng = random.Random(20260)

NAMES = ["Ada", "Bilal", "Chen", "Dara", "Emeka", "Farah", "Goran", "Hana", "Ivo", "Jun", "Kemal", "Lena", "Mira", "Nils", "Oona", "Priya"]
ITEMS = [("marbles", "bag"), ("stickers", "sheet"), ("pencils", "box"), ("apples", "crate"), ("cards", "pack"), ("beads", "jar")]


def math_records():
    recs = []
    for i in range(160):
        n = NAMES[i % len(NAMES)]
        item, unit = ITEMS[(i // 3) % len(ITEMS)]
        kind = i % 4
        a, b, c = rng.randint(2, 9), rng.randint(3, 12), rng.randint(1, 20)
        if kind == 0:
            q = f"{n} buys {a} {unit}s of {item}. Each {unit} holds {b} {item}. {n} gives away {c} {item}. How many {item} are left?"
            ans = a * b - c
            steps = f"{n} buys {a} x {b} = {a * b} {item}.\nAfter giving away {c}, {a * b} - {c} = {ans} are left."
        elif kind == 1:
            q = f"A {unit} of {item} costs ${b}. {n} has ${a * b + c} and buys {a} {unit}s. How many dollars does {n} have left?"
            ans = c
            steps = f"{a} {unit}s cost {a} x {b} = ${a * b}.\n{n} has {a * b + c} - {a * b} = ${ans} left."
        elif kind == 2:
            q = f"{n} reads {b} pages a day for {a} days, then {c} more pages on the last evening. How many pages did {n} read?"
            ans = a * b + c
            steps = f"In {a} days {n} reads {a} x {b} = {a * b} pages.\nAdding {c} gives {a * b} + {c} = {ans} pages."
        else:
            q = f"{n} splits {a * b} {item} equally into {a} {unit}s and then adds {c} {item} to one {unit}. How many {item} are in that {unit}?"
            ans = b + c
            steps = f"Each {unit} gets {a * b} / {a} = {b} {item}.\nThat {unit} then has {b} + {c} = {ans} {item}."
        wrong = i % 8 == 5
        final = ans + (1 if wrong else 0)
        recs.append({"id": f"demo-math-{i}", "question": q, "answer": steps + f"\n#### {final}", "final_answer": str(ans)})
    # Repeats (dedup) with fresh ids.
    for j in (3, 17, 42):
        r = dict(recs[j])
        r["id"] = r["id"] + "-copy"
        recs.append(r)
    return recs


CONDITIONS = [
    ("iron deficiency", "fatigue, pale skin and brittle nails", "Serum ferritin", ["Serum ferritin", "Chest X-ray", "Urine culture", "Lumbar puncture"]),
    ("type 2 diabetes", "increased thirst, frequent urination and blurred vision", "HbA1c", ["HbA1c", "Troponin", "Liver biopsy", "Skin prick test"]),
    ("hypothyroidism", "weight gain, cold intolerance and constipation", "TSH", ["TSH", "D-dimer", "Serum lipase", "Blood culture"]),
    ("urinary tract infection", "burning on urination and frequent urges", "Urinalysis", ["Urinalysis", "Echocardiogram", "Bone scan", "Spirometry"]),
    ("asthma", "episodic wheeze and night cough", "Spirometry", ["Spirometry", "Colonoscopy", "Serum calcium", "Skull X-ray"]),
    ("myocardial infarction", "crushing chest pain radiating to the left arm", "Troponin", ["Troponin", "Serum amylase", "Throat swab", "Vitamin D level"]),
    ("acute pancreatitis", "severe upper abdominal pain radiating to the back after heavy drinking", "Serum lipase", ["Serum lipase", "TSH", "Peak flow", "Patch test"]),
    ("pulmonary embolism", "sudden breathlessness and pleuritic pain after a long flight", "CT pulmonary angiogram", ["CT pulmonary angiogram", "HbA1c", "Stool culture", "Hearing test"]),
]
AGES = [23, 31, 38, 45, 52, 60, 67, 74]


def medical_records():
    recs = []
    for i in range(64):
        cond, sympt, right, opts = CONDITIONS[i % len(CONDITIONS)]
        age = AGES[(i // len(CONDITIONS)) % len(AGES)]
        sex = "woman" if i % 2 else "man"
        order = opts[:]
        rng.shuffle(order)
        keys = "ABCD"
        options = {k: t for k, t in zip(keys, order)}
        key = keys[order.index(right)]
        if i % 9 == 4:  # a wrong stated answer
            key = keys[(order.index(right) + 1) % 4]
        q = f"A {age}-year-old {sex} presents with {sympt}. Which test best supports a diagnosis of {cond}?"
        recs.append({"id": f"demo-med-{i}", "question": q, "options": options, "answer_idx": key})
    return recs


TOOLS = [
    {"type": "function", "function": {"name": "get_weather", "description": "Current weather for a city",
                                      "parameters": {"type": "object", "properties": {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}}, "required": ["city"]}}},
    {"type": "function", "function": {"name": "convert_currency", "description": "Convert an amount between currencies",
                                      "parameters": {"type": "object", "properties": {"amount": {"type": "number"}, "from": {"type": "string"}, "to": {"type": "string"}}, "required": ["amount", "from", "to"]}}},
    {"type": "function", "function": {"name": "find_pharmacy", "description": "Open pharmacies near a postcode",
                                      "parameters": {"type": "object", "properties": {"postcode": {"type": "string"}, "open_now": {"type": "boolean"}}, "required": ["postcode"]}}},
]
CITIES = ["Lisbon", "Tallinn", "Nairobi", "Osaka", "Quito", "Tromso", "Perth", "Krakow"]
CURR = [("EUR", "USD"), ("GBP", "JPY"), ("CHF", "EUR"), ("USD", "INR")]


def agent_records():
    recs = []
    for i in range(48):
        k = i % 3
        if k == 0:
            city = CITIES[i % len(CITIES)]
            unit = "fahrenheit" if i % 2 else "celsius"
            user = f"What's the weather like in {city} right now? Please use {unit}."
            call = {"name": "get_weather", "arguments": {"city": city, "unit": unit}}
            result = {"city": city, "temperature": rng.randint(-5, 33), "unit": unit, "sky": rng.choice(["clear", "cloudy", "rain"])}
            final = f"It is {result['temperature']} degrees {unit} in {city} with {result['sky']} skies."
        elif k == 1:
            a, b = CURR[i % len(CURR)]
            amt = rng.randint(5, 900)
            user = f"How much is {amt} {a} in {b}?"
            call = {"name": "convert_currency", "arguments": {"amount": amt, "from": a, "to": b}}
            rate = round(rng.uniform(0.5, 1.5), 3)
            result = {"amount": round(amt * rate, 2), "currency": b}
            final = f"{amt} {a} is about {result['amount']} {b}."
        else:
            pc = f"{rng.randint(10, 99)}{rng.choice('ABCDEFGH')}{rng.randint(100, 999)}"
            user = f"I need a pharmacy that is open now near postcode {pc}."
            call = {"name": "find_pharmacy", "arguments": {"postcode": pc, "open_now": True}}
            result = {"pharmacies": [{"name": "Central Pharmacy", "distance_km": round(rng.uniform(0.2, 3), 1)}]}
            final = f"Central Pharmacy is open now, {result['pharmacies'][0]['distance_km']} km from {pc}."
        cid = f"call_{i}"
        msgs = [
            {"role": "user", "content": user},
            {"role": "assistant", "content": None, "tool_calls": [{"id": cid, "type": "function",
                                                                  "function": {"name": call["name"], "arguments": json.dumps(call["arguments"])}}]},
        ]
        if i % 4 == 3:  # the full loop: tool result and a final answer (no tool-call reference then)
            msgs += [{"role": "tool", "tool_call_id": cid, "content": json.dumps(result)}, {"role": "assistant", "content": final}]
        recs.append({"id": f"demo-agent-{i}", "messages": msgs, "tools": TOOLS})
    return recs


def write(name, recs):
    with open(os.path.join(OUT, name), "w", encoding="utf-8") as f:
        for r in recs:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def main():
    os.makedirs(OUT, exist_ok=True)
    m = math_records()
    write("math.jsonl", m)
    write("medical.jsonl", medical_records())
    write("agent.jsonl", agent_records())
    write("bench.jsonl", [{"question": m[10]["question"]}, {"question": m[77]["question"]}])
    # Text corpus for training the demo tokenizer: every string of every record.
    lines = []
    for fn in ("math.jsonl", "medical.jsonl", "agent.jsonl"):
        for line in open(os.path.join(OUT, fn), encoding="utf-8"):
            r = json.loads(line)
            def walk(v):
                if isinstance(v, str):
                    lines.append(v)
                elif isinstance(v, dict):
                    for x in v.values():
                        walk(x)
                elif isinstance(v, list):
                    for x in v:
                        walk(x)
            walk(r)
    with open(os.path.join(OUT, "corpus.jsonl"), "w", encoding="utf-8") as f:
        for s in lines:
            f.write(json.dumps({"text": s}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
