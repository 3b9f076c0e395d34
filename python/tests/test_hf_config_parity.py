"""eaft's model runtime against transformers on the configurations GGUF import produces beyond the
shared reference checkpoints: Llama-3 rope scaling (what `rope_freqs.weight` becomes) and a Qwen3
whose head_dim differs from hidden_size / heads (`attention.key_length`). A random model made and
saved by transformers is scored by `eaft score`; per-token log-probabilities, entropies and gates
must agree within 1e-4 (the tolerance of the HF goldens). GGUF import itself is checked to round
trip these configs exactly (GGUFSyntheticImportTests), so together: import → eaft ≡ transformers."""
import json
import math
import os
import subprocess

import pytest

from conftest import REPO

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")


def _eaft():
    eaft = os.environ.get("EAFT_BIN") or os.path.join(REPO, ".build", "release", "eaft")
    if not os.access(eaft, os.X_OK):
        pytest.skip("eaft binary not built (swift build -c release)")
    return eaft


CONFIGS = {
    "llama3-rope": dict(model_type="llama", architectures=["LlamaForCausalLM"], vocab_size=300, hidden_size=64,
                        intermediate_size=96, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                        max_position_embeddings=512, rms_norm_eps=1e-5, tie_word_embeddings=False,
                        rope_parameters={"rope_type": "llama3", "rope_theta": 10000.0, "factor": 8.0, "low_freq_factor": 1.0,
                                         "high_freq_factor": 4.0, "original_max_position_embeddings": 64}),
    "qwen3-headdim": dict(model_type="qwen3", architectures=["Qwen3ForCausalLM"], vocab_size=300, hidden_size=64,
                          intermediate_size=96, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2, head_dim=32,
                          max_position_embeddings=512, rms_norm_eps=1e-6, tie_word_embeddings=True,
                          rope_parameters={"rope_type": "default", "rope_theta": 1000000.0}),
}


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_eaft_scores_like_transformers(name, tmp_path):
    eaft = _eaft()
    cfg = transformers.AutoConfig.for_model(**CONFIGS[name])
    torch.manual_seed(5)
    model = transformers.AutoModelForCausalLM.from_config(cfg, dtype=torch.float32, attn_implementation="eager").eval()
    with torch.no_grad():
        for p in model.parameters():
            p.normal_(0, 0.2)  # larger than the default init, so positions and heads matter
    model.save_pretrained(tmp_path / "m", safe_serialization=True)
    g = torch.Generator().manual_seed(1)
    seqs = [torch.randint(0, 300, (n,), generator=g).tolist() for n in (40, 130, 7)]
    (tmp_path / "ids.jsonl").write_text("".join(json.dumps({"ids": s}) + "\n" for s in seqs))
    out = subprocess.run([eaft, "score", "--model", str(tmp_path / "m"), "--input", str(tmp_path / "ids.jsonl")],
                         check=True, capture_output=True, text=True).stdout.splitlines()
    worst = {}
    for s, line in zip(seqs, out):
        got = json.loads(line)
        with torch.no_grad():
            lp = torch.log_softmax(model(torch.tensor(s)[None]).logits[0, :-1].double(), -1)
        tgt = lp.gather(1, torch.tensor(s[1:])[:, None])[:, 0]
        ent = -(lp.exp() * lp).sum(-1)
        top = lp.topk(20, -1).values
        tl = torch.log_softmax(top, -1)
        gate = -(tl.exp() * tl).sum(-1) / math.log(20)
        for k, ref in (("logprob", tgt), ("entropy", ent), ("gate", gate)):
            d = float((torch.tensor(got[k], dtype=torch.float64) - ref).abs().max())
            worst[k] = max(worst.get(k, 0.0), d)
    print(name, worst)
    assert all(v <= 1e-4 for v in worst.values()), worst
