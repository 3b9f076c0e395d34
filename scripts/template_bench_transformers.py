#!/usr/bin/env python3
"""Time transformers' chat-template rendering on a JSON-lines file of conversations (bench/template_compare.sh).

Renders each conversation --repeat times exactly as tokenizer.apply_chat_template(messages, tools=tools,
tokenize=False) does: transformers.utils.chat_template_utils._normalize_chat_messages + render_jinja_template
(compiled template cached by transformers' lru_cache). If transformers is not importable, falls back to
jinja2 with transformers' environment replicated (ImmutableSandboxedEnvironment(trim_blocks, lstrip_blocks,
loopcontrols), tojson = json.dumps(ensure_ascii=False)) and says so in the output ("engine").

Prints one JSON line: {"engine", "conversations", "renders", "errors", "seconds", "us_per_render", "cpu_seconds",
"cpu_us_per_render", "chars"} (CPU time of the process: robust to other processes competing for the cores).
"""
import argparse
import copy
import json
import time


def transformers_renderer(src, special):
    from transformers.utils.chat_template_utils import render_jinja_template
    try:
        from transformers.utils.chat_template_utils import _normalize_chat_messages
    except ImportError:  # older versions have no normaliser
        def _normalize_chat_messages(m):
            return m
    import transformers

    def render(messages, tools, documents):
        conv = _normalize_chat_messages(copy.deepcopy(messages))
        out, _ = render_jinja_template(conversations=[conv], tools=tools, documents=documents, chat_template=src,
                                       add_generation_prompt=False, **special)
        return out[0]
    return render, f"transformers {transformers.__version__}"


def jinja2_renderer(src, special):
    import jinja2
    import jinja2.ext
    from jinja2.sandbox import ImmutableSandboxedEnvironment
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[jinja2.ext.loopcontrols])
    env.filters["tojson"] = lambda x, ensure_ascii=False, indent=None, separators=None, sort_keys=False: json.dumps(
        x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)
    env.globals["raise_exception"] = raise_exception
    t = env.from_string(src)

    def render(messages, tools, documents):
        conv = [{k: v for k, v in m.items() if v is not None} for m in copy.deepcopy(messages)]
        return t.render(messages=conv, tools=tools, documents=documents, add_generation_prompt=False, **special)
    return render, f"jinja2 {jinja2.__version__} with transformers' environment replicated (transformers not installed)"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--template", required=True)
    ap.add_argument("--input", required=True)
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--special-tokens", default="{}")
    a = ap.parse_args()
    src = open(a.template, encoding="utf-8").read()
    special = json.loads(a.special_tokens)
    convs = [json.loads(l) for l in open(a.input, encoding="utf-8") if l.strip()]
    try:
        render, engine = transformers_renderer(src, special)
    except ImportError:
        render, engine = jinja2_renderer(src, special)
    for c in convs:  # warm-up (compiles and caches the template)
        try:
            render(c["messages"], c.get("tools"), c.get("documents"))
        except Exception:
            pass
    chars = errors = 0
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(a.repeat):
        for c in convs:
            try:
                chars += len(render(c["messages"], c.get("tools"), c.get("documents")))
            except Exception:
                errors += 1
    secs, cpu = time.perf_counter() - t0, time.process_time() - c0
    n = a.repeat * len(convs)
    print(json.dumps({"engine": engine, "conversations": len(convs), "renders": n, "errors": errors,
                      "seconds": round(secs, 6), "us_per_render": round(secs / n * 1e6, 1),
                      "cpu_seconds": round(cpu, 6), "cpu_us_per_render": round(cpu / n * 1e6, 1), "chars": chars}))


if __name__ == "__main__":
    main()
