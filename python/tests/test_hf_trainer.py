"""EAFTLoss as transformers.Trainer's compute_loss_func: the Trainer's logged loss and grad norm of
step 1 (2 micro-batches of gradient accumulation) equal a hand-written eaft_loss step on the same samples
(rtol 1e-5), for padded rows, packed rows and the chunked loss. The gate comes from the batch
(eaft_gate, removed from the model's inputs by EAFTLoss's hook)."""
import math

import pytest
import torch

from conftest import PYDIR, rel, reference

transformers = pytest.importorskip("transformers")
pytest.importorskip("accelerate")
from eaft.shards import ShardDataset, ShardIterableDataset  # noqa: E402
from eaft.torch import EAFTCollator, EAFTLoss, eaft_loss  # noqa: E402

SHARDS = f"{PYDIR}/tests/fixtures/shards-qwen3-tiny"
BS, ACCUM = 4, 2


def load():
    m = transformers.AutoModelForCausalLM.from_pretrained(reference("qwen3-tiny"), dtype=torch.float32,
                                                          attn_implementation="eager")
    m.config.use_cache = False
    return m


def manual_step1(mode):
    data = ShardDataset(SHARDS)
    model = load()
    model.train()
    col = EAFTCollator()
    batches = [col([data[i] for i in range(k * BS, (k + 1) * BS)]) for k in range(ACCUM)]
    n = sum(int((b["labels"] != -100).sum()) for b in batches)
    total = 0.0
    for b in batches:
        out = model(input_ids=b["input_ids"], attention_mask=b["attention_mask"])
        loss = eaft_loss(out.logits, b["labels"], gate=b["eaft_gate"], mode=mode, num_items_in_batch=n)
        loss.backward()
        total += float(loss.detach())
    norm = math.sqrt(sum(float((p.grad.double() ** 2).sum()) for p in model.parameters()))
    return total, norm


@pytest.mark.parametrize("packing,chunked", [(False, False), (True, False), (False, True)])
def test_trainer_step_equals_manual(packing, chunked, tmp_path):
    mode = "hybrid"
    want_loss, want_norm = manual_step1(mode)
    model = load()
    loss_fn = EAFTLoss(mode=mode, chunked=chunked, chunk_size=17)
    args = transformers.TrainingArguments(
        output_dir=str(tmp_path), max_steps=1, learning_rate=1e-3, per_device_train_batch_size=BS,
        gradient_accumulation_steps=ACCUM, logging_steps=1, save_strategy="no", report_to="none", use_cpu=True,
        remove_unused_columns=False, max_grad_norm=1.0, disable_tqdm=True)
    trainer = transformers.Trainer(model=model, args=args, train_dataset=ShardIterableDataset(SHARDS),
                                   data_collator=EAFTCollator(packing=packing), compute_loss_func=loss_fn)
    loss_fn.install(trainer)
    trainer.train()
    log = next(h for h in trainer.state.log_history if "loss" in h)
    assert rel(log["loss"], want_loss) < 1e-5, (log["loss"], want_loss)
    assert rel(log["grad_norm"], want_norm) < 1e-5, (log["grad_norm"], want_norm)


def test_gate_reaches_the_loss(tmp_path):
    """The stored gate is what the static loss uses: static = dynamic here (the shards were scored by
    this very model), and halving eaft_gate in the batch halves the loss EAFTLoss computes."""
    data = ShardDataset(SHARDS)
    col = EAFTCollator()
    b = col([data[i] for i in range(BS)])
    model = load()
    with torch.no_grad():
        logits = model(input_ids=b["input_ids"], attention_mask=b["attention_mask"]).logits
    a = eaft_loss(logits, b["labels"], gate=b["eaft_gate"], mode="static")
    d = eaft_loss(logits, b["labels"], mode="dynamic")
    assert rel(a, d) < 1e-4  # same model scored the shards
    loss_fn = EAFTLoss(mode="static").attach(model)
    half = dict(b, eaft_gate=b["eaft_gate"] * 0.5)
    with torch.no_grad():
        out = model(**{k: v for k, v in half.items() if k != "labels"})
    got = loss_fn(out, b["labels"])
    assert rel(got, 0.5 * a) < 1e-5


def test_trl_sft_trainer_step_equals_manual(tmp_path):
    """TRL's SFTTrainer with EAFTLoss as compute_loss_func, on eaft shards as a datasets.Dataset
    (skip_prepare_dataset): step 1 covers exactly the 8 samples 0..7 (in the sampler's order; the
    step's loss is a sum over them / their label count, so order does not matter) = manual step."""
    trl = pytest.importorskip("trl")
    pytest.importorskip("datasets")
    from eaft.shards import to_hf_dataset

    want_loss, want_norm = manual_step1("hybrid")
    ds = to_hf_dataset([ShardDataset(SHARDS)[i] for i in range(BS * ACCUM)])
    loss_fn = EAFTLoss(mode="hybrid")
    args = trl.SFTConfig(output_dir=str(tmp_path), max_steps=1, learning_rate=1e-3, per_device_train_batch_size=BS,
                         gradient_accumulation_steps=ACCUM, logging_steps=1, save_strategy="no", report_to="none",
                         use_cpu=True, remove_unused_columns=False, dataset_kwargs={"skip_prepare_dataset": True},
                         disable_tqdm=True, max_length=None, max_grad_norm=1.0,
                         bf16=False)  # SFTConfig defaults to bf16 autocast
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # TRL deprecates compute_loss_func in favour of subclassing (v2.0)
        trainer = trl.SFTTrainer(model=load(), args=args, train_dataset=ds, data_collator=EAFTCollator(),
                                 compute_loss_func=loss_fn)
    loss_fn.install(trainer)
    trainer.train()
    log = next(h for h in trainer.state.log_history if "loss" in h)
    assert rel(log["loss"], want_loss) < 1e-5, (log["loss"], want_loss)
    assert rel(log["grad_norm"], want_norm) < 1e-5, (log["grad_norm"], want_norm)


def test_anneal_follows_the_trainer_step():
    """EAFTLoss(anneal=True): λ_k = 1 − k/(max_steps − 1) at optimizer step k (eaft train --anneal); at
    λ = 1 hybrid is static, at λ = 0 dynamic."""
    from types import SimpleNamespace

    data = ShardDataset(SHARDS)
    b = EAFTCollator()([data[i] for i in range(BS)])
    b["eaft_gate"] = b["eaft_gate"] * 0.5      # make static and dynamic differ
    model = load()
    loss_fn = EAFTLoss(mode="hybrid", anneal=True).attach(model)
    loss_fn._trainer = SimpleNamespace(state=SimpleNamespace(global_step=0, max_steps=5))
    lams, losses = [], []
    for k in range(5):
        loss_fn._trainer.state.global_step = k
        lams.append(loss_fn.current_lambda())
        with torch.no_grad():
            out = model(**{key: v for key, v in b.items() if key != "labels"})
        losses.append(float(loss_fn(out, b["labels"])))
    assert lams == [1.0, 0.75, 0.5, 0.25, 0.0]
    with torch.no_grad():
        logits = model(input_ids=b["input_ids"], attention_mask=b["attention_mask"]).logits
    assert rel(losses[0], eaft_loss(logits, b["labels"], gate=b["eaft_gate"], mode="static")) < 1e-6
    assert rel(losses[-1], eaft_loss(logits, b["labels"], mode="dynamic")) < 1e-6
    assert rel(losses[0], losses[-1]) > 0.1
