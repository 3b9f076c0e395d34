"""The bundled trainer's data order and batching (``eaft train``, schemas/train.md "Data order and RNG"),
so that a PyTorch run can see exactly the micro-batches and optimizer steps ``eaft train`` sees.

* epoch order: Fisher-Yates driven by SplitMix64 seeded with ``seed ^ (epoch * 0x9E3779B97F4A7C15)``
  (identity without shuffle);
* micro-batches planned greedily in that order (next sample added while the token budget and the
  sample cap allow);
* an optimizer step takes the next ``grad_accum`` micro-batches of the current epoch (never two epochs).

No torch needed.
"""
import math

MASK64 = (1 << 64) - 1


class SplitMix64:
    """SplitMix64, as the trainer's ``DataOrder``."""

    def __init__(self, seed):
        self.state = seed & MASK64

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        return z ^ (z >> 31)


def epoch_order(n, seed, epoch, shuffle=True):
    """Sample indices of epoch ``epoch``."""
    order = list(range(n))
    if not shuffle or n < 2:
        return order
    rng = SplitMix64(seed ^ ((epoch * 0x9E3779B97F4A7C15) & MASK64))
    for i in range(n - 1, 0, -1):
        j = rng.next() % (i + 1)
        order[i], order[j] = order[j], order[i]
    return order


def plan(order, lengths, batch_tokens, batch_samples):
    """Greedy micro-batches over ``order``: a list of (start, end) ranges into ``order``."""
    out, i = [], 0
    while i < len(order):
        j, tok = i, 0
        while j < len(order) and j - i < batch_samples and (j == i or tok + lengths[order[j]] <= batch_tokens):
            tok += lengths[order[j]]
            j += 1
        out.append((i, j))
        i = j
    return out


def optimizer_steps(lengths, *, batch_tokens=32768, batch_samples=64, grad_accum=1, steps=None, epochs=1,
                    seed=42, shuffle=True):
    """The trainer's optimizer steps: a list (one entry per step) of micro-batches, each a list of
    sample indices. ``lengths`` are the samples' token counts (after ``max_seq_len`` truncation)."""
    n = len(lengths)

    def plan_of(e):
        o = epoch_order(n, seed, e, shuffle)
        return o, plan(o, lengths, batch_tokens, batch_samples)

    if steps is None:
        steps = sum(math.ceil(len(plan_of(e)[1]) / grad_accum) for e in range(epochs))
    out, epoch, mb = [], 0, 0
    order, p = plan_of(0)
    for _ in range(steps):
        if mb >= len(p):
            epoch, mb = epoch + 1, 0
            order, p = plan_of(epoch)
        mbs = p[mb:mb + grad_accum]
        out.append([[order[i] for i in range(a, b)] for a, b in mbs])
        mb += len(mbs)
    return out


def warmup_steps(ratio, total):
    """HF ``warmup_ratio``: ceil(ratio * total)."""
    return math.ceil(ratio * total)
