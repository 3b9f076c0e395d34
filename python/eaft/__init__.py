"""eaft: Entropy-Adaptive Fine-Tuning (arXiv 2601.02151) for PyTorch / Hugging Face.

* ``eaft.shards`` -- reader for eaft shards (schemas/shard.v1.md; numpy + zstandard, no torch needed),
  plus torch datasets (map-style, and iterable split by rank / world size).
* ``eaft.torch`` -- ``EAFTCollator``, ``eaft_loss`` (every loss of schemas/train.md),
  ``eaft_loss_from_hidden`` (chunked LM head + loss, never all logits at once) and ``EAFTLoss``,
  a ``compute_loss_func`` for ``transformers.Trainer`` / TRL that reads ``eaft_gate`` from the batch.
* ``eaft.reference`` -- the bundled trainer's data order and batching (``eaft train``), for exact comparisons.

``eaft.torch`` is imported on demand (``import eaft.torch``) so the reader works without torch.
"""

__version__ = "0.1.0"
