#!/usr/bin/env python3
"""Check eaft's Jinja engine on chat templates it has never seen, against transformers itself.

For every *.jinja file in --templates and every conversation of --conversations (default: the reference
conversations of ../shared/chat-templates), renders with transformers' render_jinja_template exactly as
make_goldens.py does (messages normalised, special tokens and kwargs as variables, clock frozen at --now),
cases "full" (add_generation_prompt=False) and "gen_prompt" (final assistant message dropped,
add_generation_prompt=True), with the conversation's tools; then runs `eaft template render` on the same
lines and compares: the same text byte for byte, or an error on both sides.

Usage (transformers must be importable, e.g. a venv with `pip install transformers jinja2`):
    python scripts/template_check_unseen.py --templates DIR --eaft .build/release/eaft [--conversations F]
Prints per template: cases, identical, both-error, mismatches (with the first differing offset).
"""
import argparse
import copy
import datetime as dt
import json
import subprocess
import sys
import tempfile
from pathlib import Path

NOW = dt.datetime(2026, 1, 15, 9, 30, 0)
SPECIAL = {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>"}


def freeze_clock():
    import transformers.utils.chat_template_utils as ctu

    class Frozen(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return NOW if tz is None else NOW.replace(tzinfo=tz)
    ctu.datetime = Frozen


def normalize(messages):
    """transformers >= 5.24 `_normalize_chat_messages` + reasoning aliasing (as make_goldens.py describes);
    used when the installed transformers predates them."""
    out = []
    for m in messages:
        m = {k: v for k, v in m.items() if v is not None}
        r = next((m[k] for k in ("reasoning_content", "thinking", "reasoning") if k in m), None)
        if r is not None:
            m.setdefault("thinking", r)
            m.setdefault("reasoning_content", r)
        out.append(m)
    return out


def render(src, messages, tools, agp):
    from transformers.utils.chat_template_utils import render_jinja_template
    try:
        from transformers.utils.chat_template_utils import _normalize_chat_messages
    except ImportError:
        _normalize_chat_messages = normalize
    conv = _normalize_chat_messages(copy.deepcopy(messages))
    out, _ = render_jinja_template(conversations=[conv], tools=copy.deepcopy(tools), documents=None, chat_template=src,
                                   add_generation_prompt=agp, **SPECIAL)
    return out[0]


def main():
    here = Path(__file__).resolve().parent.parent
    ap = argparse.ArgumentParser()
    ap.add_argument("--templates", required=True)
    ap.add_argument("--eaft", default=str(here / ".build" / "release" / "eaft"))
    ap.add_argument("--conversations", default=str(here.parent / "shared" / "chat-templates" / "conversations.jsonl"))
    a = ap.parse_args()
    freeze_clock()
    convs = [json.loads(l) for l in open(a.conversations, encoding="utf-8") if l.strip()]
    total_bad = 0
    for path in sorted(Path(a.templates).glob("*.jinja")):
        src = path.read_text(encoding="utf-8")
        rows = []
        for c in convs:
            msgs = c["messages"]
            prompt = msgs[:-1] if msgs and msgs[-1]["role"] == "assistant" else msgs
            for case, m, agp in (("full", msgs, False), ("gen_prompt", prompt, True)):
                row = {"conversation": c["id"], "case": case, "messages": m, "tools": c.get("tools"),
                       "kwargs": {"add_generation_prompt": agp}, "special_tokens": SPECIAL, "now": NOW.isoformat()}
                try:
                    row["expected"] = render(src, m, c.get("tools"), agp)
                except Exception as e:  # an error is an expected outcome too
                    row["expected"] = {"error": str(e), "type": type(e).__name__}
                rows.append(row)
        with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as f:
            for r in rows:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
        p = subprocess.run([a.eaft, "template", "render", "--template", str(path), "--input", f.name],
                           capture_output=True, text=True)
        if p.returncode != 0 and not p.stdout:
            print(f"{path.name}: eaft failed: {p.stderr.strip()[:300]}")
            total_bad += len(rows)
            continue
        got = [json.loads(l) for l in p.stdout.splitlines()]
        same = both_err = 0
        bad = []
        for r, g in zip(rows, got):
            want = r["expected"]
            if isinstance(want, str) and g.get("text") == want:
                same += 1
            elif isinstance(want, dict) and "error" in g:
                both_err += 1
            else:
                if isinstance(want, str) and "text" in g:
                    t = g["text"]
                    i = next((k for k in range(min(len(t), len(want))) if t[k] != want[k]), min(len(t), len(want)))
                    bad.append(f"{r['conversation']}/{r['case']}: differs at {i}: want {want[max(0, i-30):i+30]!r} got {t[max(0, i-30):i+30]!r}")
                else:
                    bad.append(f"{r['conversation']}/{r['case']}: want {str(want)[:120]!r} got {str(g)[:160]!r}")
        total_bad += len(bad)
        print(f"{path.name}: {len(rows)} cases, {same} identical, {both_err} errors on both sides, {len(bad)} mismatches")
        for b in bad[:3]:
            print("   ", b)
    sys.exit(1 if total_bad else 0)


if __name__ == "__main__":
    main()
