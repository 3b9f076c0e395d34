#!/usr/bin/env python3
"""Chat-template goldens for eaft's ChatTemplate (Tests/Fixtures/tokenizer/chat_goldens.jsonl).

Renders ~30 conversations built from real records in ../shared/data with Hugging Face
`transformers.apply_chat_template(..., tokenize=False)` and encodes the text with the
`tokenizers` library (add_special_tokens=False), for three templates:
  * qwen3  — the real chat_template in shared/tokenizers/qwen3/tokenizer_config.json
  * qwen25 — the Qwen2.5-Instruct template, written below (shared has no genuine copy)
  * llama3 — the official Meta-Llama-3-Instruct template, written below (no tools)

Not a CI dependency. Needs: pip install transformers==5.23.0 jinja2 (no torch).
Usage: python3 scripts/tokenizer_chat_goldens.py [--shared ../shared]
"""
import argparse
import json
import os
import sys

QWEN25_TEMPLATE = (
    "{%- if tools %}\n    {{- '<|im_start|>system\\n' }}\n    {%- if messages[0]['role'] == 'system' %}\n"
    "        {{- messages[0]['content'] }}\n    {%- else %}\n"
    "        {{- 'You are Qwen, created by Alibaba Cloud. You are a helpful assistant.' }}\n    {%- endif %}\n"
    "    {{- \"\\n\\n# Tools\\n\\nYou may call one or more functions to assist with the user query.\\n\\nYou are provided with function signatures within <tools></tools> XML tags:\\n<tools>\" }}\n"
    "    {%- for tool in tools %}\n        {{- \"\\n\" }}\n        {{- tool | tojson }}\n    {%- endfor %}\n"
    "    {{- \"\\n</tools>\\n\\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\\n<tool_call>\\n{\\\"name\\\": <function-name>, \\\"arguments\\\": <args-json-object>}\\n</tool_call><|im_end|>\\n\" }}\n"
    "{%- else %}\n    {%- if messages[0]['role'] == 'system' %}\n"
    "        {{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}\n    {%- else %}\n"
    "        {{- '<|im_start|>system\\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\\n' }}\n"
    "    {%- endif %}\n{%- endif %}\n"
    "{%- for message in messages %}\n"
    "    {%- if (message.role == \"user\") or (message.role == \"system\" and not loop.first) or (message.role == \"assistant\" and not message.tool_calls) %}\n"
    "        {{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}\n"
    "    {%- elif message.role == \"assistant\" %}\n        {{- '<|im_start|>' + message.role }}\n"
    "        {%- if message.content %}\n            {{- '\\n' + message.content }}\n        {%- endif %}\n"
    "        {%- for tool_call in message.tool_calls %}\n            {%- if tool_call.function is defined %}\n"
    "                {%- set tool_call = tool_call.function %}\n            {%- endif %}\n"
    "            {{- '\\n<tool_call>\\n{\"name\": \"' }}\n            {{- tool_call.name }}\n"
    "            {{- '\", \"arguments\": ' }}\n            {{- tool_call.arguments | tojson }}\n"
    "            {{- '}\\n</tool_call>' }}\n        {%- endfor %}\n        {{- '<|im_end|>\\n' }}\n"
    "    {%- elif message.role == \"tool\" %}\n"
    "        {%- if (loop.index0 == 0) or (messages[loop.index0 - 1].role != \"tool\") %}\n"
    "            {{- '<|im_start|>user' }}\n        {%- endif %}\n        {{- '\\n<tool_response>\\n' }}\n"
    "        {{- message.content }}\n        {{- '\\n</tool_response>' }}\n"
    "        {%- if loop.last or (messages[loop.index0 + 1].role != \"tool\") %}\n            {{- '<|im_end|>\\n' }}\n"
    "        {%- endif %}\n    {%- endif %}\n{%- endfor %}\n"
    "{%- if add_generation_prompt %}\n    {{- '<|im_start|>assistant\\n' }}\n{%- endif %}\n"
)

LLAMA3_TEMPLATE = (
    "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' "
    "+ message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}"
    "{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}"
    "{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}"
)


def qwen3_hybrid(template):
    """The original (hybrid) Qwen3 template: identical to the 2507 one in shared/ except the
    generation prompt, which honours `enable_thinking` (false → an empty think block)."""
    old = "{%- if add_generation_prompt %}\n    {{- '<|im_start|>assistant\\n<think>\\n' }}\n{%- endif %}"
    new = ("{%- if add_generation_prompt %}\n    {{- '<|im_start|>assistant\\n' }}\n"
           "    {%- if enable_thinking is defined and enable_thinking is false %}\n"
           "        {{- '<think>\\n\\n</think>\\n\\n' }}\n    {%- endif %}\n{%- endif %}")
    assert old in template, "unexpected qwen3 template layout"
    return template.replace(old, new)


def jl(path, n=None):
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            out.append(json.loads(line))
            if n and len(out) >= n:
                break
    return out


def msg(role, content, reasoning=None, tool_calls=None, tool_call_id=None, name=None):
    """A message in eaft's Records.Message JSON form."""
    m = {"role": role, "content": content}
    if reasoning is not None:
        m["reasoning"] = reasoning
    m["tool_calls"] = tool_calls or []
    if tool_call_id is not None:
        m["tool_call_id"] = tool_call_id
    if name is not None:
        m["name"] = name
    return m


def call(name, arguments, id=None):
    c = {"name": name, "arguments": arguments}
    if id is not None:
        c["id"] = id
    return c


def from_openai(row):
    """glaive openai row -> (messages, tools) in eaft form (arguments parsed, key order kept)."""
    msgs = []
    for m in row["messages"]:
        calls = [call(tc["function"]["name"], json.loads(tc["function"]["arguments"]), tc.get("id"))
                 for tc in (m.get("tool_calls") or [])]
        msgs.append(msg(m["role"], m.get("content") or "", tool_calls=calls, tool_call_id=m.get("tool_call_id")))
    return msgs, row.get("tools") or []


def from_reason(row, split_tool_results=True):
    """reason_tool_use row -> eaft form: reasoning items -> reasoning, tool_call items -> tool_calls,
    a tool message holding a JSON list of results -> consecutive tool messages."""
    msgs = []
    for m in row["messages"]:
        texts = [x["value"] for x in m["content"] if x["type"] == "text"]
        reasons = [x["value"] for x in m["content"] if x["type"] == "reasoning"]
        calls = [json.loads(x["value"]) for x in m["content"] if x["type"] == "tool_call"]
        content = "".join(texts)
        if m["role"] == "tool" and split_tool_results:
            try:
                results = json.loads(content)
            except json.JSONDecodeError:
                results = None
            if isinstance(results, list) and results and all(isinstance(r, dict) for r in results):
                for r in results:
                    msgs.append(msg("tool", str(r.get("content", "")), tool_call_id=r.get("tool_call_id"), name=r.get("name")))
                continue
        msgs.append(msg(m["role"], content, reasoning=reasons[0] if reasons else None,
                        tool_calls=[call(c["name"], c["arguments"]) for c in calls]))
    return msgs, json.loads(row["tools"]) if isinstance(row["tools"], str) else row["tools"]


def to_hf(messages):
    """eaft messages -> the dicts transformers templates read."""
    out = []
    for m in messages:
        d = {"role": m["role"], "content": m["content"]}
        if m.get("reasoning") is not None:
            d["reasoning_content"] = m["reasoning"]
        if m["tool_calls"]:
            d["tool_calls"] = [{"type": "function", "function": {"name": c["name"], "arguments": c["arguments"]}}
                               for c in m["tool_calls"]]
        if m.get("tool_call_id") is not None:
            d["tool_call_id"] = m["tool_call_id"]
        out.append(d)
    return out


def conversations(shared):
    d = os.path.join(shared, "data")
    gsm = jl(os.path.join(d, "math/gsm8k/train.jsonl"), 6)
    medqa = jl(os.path.join(d, "medical/medqa/test.jsonl"), 3)
    glaive = jl(os.path.join(d, "tool_use/glaive_toolcall/glaive_toolcall_en_demo.openai.jsonl"), 40)
    glaive_zh = jl(os.path.join(d, "tool_use/glaive_toolcall/glaive_toolcall_zh_demo.openai.jsonl"), 10)
    reason = jl(os.path.join(d, "tool_use/reason_tool_use/reason_tool_use_demo_50.jsonl"))
    convs = []

    def add(name, messages, tools=(), gen=False, tool_free=None):
        if tool_free is None:
            tool_free = not tools and not any(m["tool_calls"] or m["role"] == "tool" for m in messages)
        convs.append({"name": name, "messages": messages, "tools": list(tools),
                      "options": {"add_generation_prompt": gen}, "tool_free": tool_free})

    sys_math = "Please reason step by step, and put your final answer within \\boxed{}."
    # Plain math, with and without a system prompt, generation prompt on/off.
    add("gsm8k-plain", [msg("user", gsm[0]["question"]), msg("assistant", gsm[0]["answer"])])
    add("gsm8k-system", [msg("system", sys_math), msg("user", gsm[1]["question"]), msg("assistant", gsm[1]["answer"])])
    add("gsm8k-genprompt", [msg("user", gsm[2]["question"])], gen=True)
    add("gsm8k-system-genprompt", [msg("system", sys_math), msg("user", gsm[3]["question"])], gen=True)
    for flag in (True, False):
        convs.append({"name": f"enable-thinking-{str(flag).lower()}", "tool_free": True, "tools": [],
                      "messages": [msg("user", gsm[3]["question"])],
                      "options": {"add_generation_prompt": True, "enable_thinking": flag}})
    add("gsm8k-multiturn", [msg("user", gsm[4]["question"]), msg("assistant", gsm[4]["answer"]),
                            msg("user", gsm[5]["question"]), msg("assistant", gsm[5]["answer"])])
    # Reasoning (Qwen3 <think>): field, inline tags, before/after the last user query.
    add("gsm8k-reasoning-last", [msg("user", gsm[0]["question"]),
                                 msg("assistant", "#### 72", reasoning=gsm[0]["answer"].split("####")[0].strip())])
    add("gsm8k-reasoning-multiturn", [msg("user", gsm[1]["question"]),
                                      msg("assistant", "#### 10", reasoning="12/60 = 0.2 per minute; 0.2 * 50 = 10."),
                                      msg("user", gsm[2]["question"]),
                                      msg("assistant", "#### 5", reasoning="She needs 100 - 50 - 15 - 30 = 5.")])
    add("inline-think", [msg("user", gsm[3]["question"]),
                         msg("assistant", "<think>\nJames writes 2 pages to 2 friends twice a week.\n</think>\n\n#### 624")])
    add("empty-reasoning", [msg("user", gsm[4]["question"]), msg("assistant", "#### 42", reasoning="")])
    # Medical MCQ.
    for k, row in enumerate(medqa[:2]):
        opts = "\n".join(f"{key}. {val}" for key, val in row["options"].items())
        add(f"medqa-{k}", [msg("user", row["question"] + "\n\n" + opts), msg("assistant", f"The answer is {row['answer_idx']}.")])
    # Boundary cases: content starting with newlines / spaces, empty assistant turn, unicode.
    add("leading-newline", [msg("user", "Say hi."), msg("assistant", "\nHi!\n")])
    add("leading-spaces", [msg("user", "Indent."), msg("assistant", "   indented\n\tline")])
    add("empty-assistant", [msg("user", "Nothing?"), msg("assistant", "")])
    add("unicode", [msg("system", "Réponds en français. 中文也可以。"), msg("user", "Ça va? 😀 e\u0301"),
                    msg("assistant", "Très bien ! Ünïcödé – “quotes” — 你好，世界 🇫🇷")])
    # Tool use from glaive (OpenAI form): tools in the system turn, calls, responses.
    picked = [r for r in glaive if any(m.get("tool_calls") for m in r["messages"])][:5]
    for k, row in enumerate(picked):
        m, t = from_openai(row)
        add(f"glaive-{k}", m, t)
    m, t = from_openai(picked[0])
    add("glaive-system-tools", [msg("system", "You are a helpful assistant with access to functions.")] + m, t)
    add("glaive-genprompt", m[:2], t, gen=True)
    zh = [r for r in glaive_zh if any(m.get("tool_calls") for m in r["messages"])][:2]
    for k, row in enumerate(zh):
        m, t = from_openai(row)
        add(f"glaive-zh-{k}", m, t)
    # reason_tool_use: reasoning + parallel calls + consecutive tool responses.
    par = [r for r in reason if any(sum(1 for x in m["content"] if x["type"] == "tool_call") > 1 for m in r["messages"])]
    single = [r for r in reason if not any(sum(1 for x in m["content"] if x["type"] == "tool_call") > 1 for m in r["messages"])]
    for k, row in enumerate(par[:4]):
        m, t = from_reason(row)
        add(f"reason-parallel-{k}", m, t)
    for k, row in enumerate(single[:3]):
        m, t = from_reason(row)
        add(f"reason-{k}", m, t)
    m, t = from_reason(par[0])
    add("reason-parallel-genprompt", m[:2], t, gen=True)
    # Tool calls with string arguments and content alongside the call.
    add("call-with-content", [msg("user", "Weather in Paris?"),
                              msg("assistant", "Let me check.", tool_calls=[call("get_weather", {"city": "Paris", "days": 2, "metric": True, "ratio": 0.5})]),
                              msg("tool", "{\"temp\": 21.5}"), msg("assistant", "It is 21.5 °C.")],
        [{"type": "function", "function": {"name": "get_weather", "description": "Weather.",
                                           "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}])
    return convs


def main():
    ap = argparse.ArgumentParser()
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--shared", default=os.path.join(here, "..", "..", "shared"))
    ap.add_argument("--out", default=os.path.join(here, "..", "Tests", "Fixtures", "tokenizer", "chat_goldens.jsonl"))
    args = ap.parse_args()
    from tokenizers import Tokenizer
    from transformers import PreTrainedTokenizerFast

    tokdir = os.path.join(args.shared, "tokenizers")
    qwen3_cfg = json.load(open(os.path.join(tokdir, "qwen3", "tokenizer_config.json"), encoding="utf-8"))
    setups = {
        "qwen3": ("qwen3", qwen3_cfg["chat_template"], {}),
        "qwen25": ("qwen2.5", QWEN25_TEMPLATE, {}),
        "llama3": ("llama3", LLAMA3_TEMPLATE, {"bos_token": "<|begin_of_text|>"}),
    }
    convs = conversations(args.shared)
    n = 0
    with open(args.out, "w", encoding="utf-8") as out:
        for kind, (folder, template, extra) in setups.items():
            path = os.path.join(tokdir, folder, "tokenizer.json")
            hf = PreTrainedTokenizerFast(tokenizer_file=path, **extra)
            raw = Tokenizer.from_file(path)
            for c in convs:
                if kind == "llama3" and not c["tool_free"]:
                    continue
                tmpl = template
                if "enable_thinking" in c["options"]:
                    if kind != "qwen3":
                        continue
                    tmpl = qwen3_hybrid(template)
                text = hf.apply_chat_template(to_hf(c["messages"]), tools=c["tools"] or None, tokenize=False,
                                              chat_template=tmpl, **c["options"])
                ids = raw.encode(text, add_special_tokens=False).ids
                row = {"kind": kind, "name": c["name"], "messages": c["messages"], "tools": c["tools"],
                       "options": c["options"], "text": text, "ids": ids}
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
                n += 1
    print(f"wrote {n} goldens to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
