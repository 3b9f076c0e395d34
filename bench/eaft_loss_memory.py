#!/usr/bin/env python3
"""Peak memory of eaft_loss_from_hidden (chunked) vs the unchunked eaft_loss on lm_head(hidden),
forward + backward, at a Qwen3 vocabulary (V = 151,936) and T = 4,096 label positions.

Each variant runs in its own subprocess. torch's CPU allocator keeps no statistics and tracemalloc
does not see its buffers, so the figure is the process's peak RSS (getrusage ru_maxrss, high-water
mark VmHWM, reset with /proc/self/clear_refs just before the loss) minus its RSS at that point, after
the inputs (hidden [1, T, H], head weight [V, H], labels, gates) were allocated and touched. glibc
serves these large buffers with mmap and returns them on free, so the high-water mark is the loss's
own peak: forward, backward and the gradients it leaves (dHidden, dW) included.

    /path/to/venv/bin/python bench/eaft_loss_memory.py [--vocab 151936] [--tokens 4096] [--hidden 1024]
        [--mode dynamic] [--chunk N] [--threads 2]
"""
import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "python"))


def status_kib(key):
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def reset_peak():
    """Resets the kernel's RSS high-water mark (VmHWM) to the current RSS (Linux >= 4.0)."""
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")


def child(a):
    import torch
    from eaft.torch import eaft_loss, eaft_loss_from_hidden

    torch.set_num_threads(a.threads)
    g = torch.Generator().manual_seed(0)
    hidden = (torch.randn(1, a.tokens + 1, a.hidden, generator=g)).requires_grad_(True)
    w = (torch.randn(a.vocab, a.hidden, generator=g) * 0.02).requires_grad_(True)
    labels = torch.randint(0, a.vocab, (1, a.tokens + 1), generator=g)
    labels[0, 0] = -100
    gate = torch.rand(1, a.tokens + 1, generator=g)
    # warm up the kernels on a tiny problem so their one-off allocations are not counted
    hs = hidden[:, :8].detach().requires_grad_(True)
    eaft_loss(hs @ w.t(), labels[:, :8], gate=gate[:, :8], mode=a.mode).backward()
    eaft_loss_from_hidden(hs, w, labels[:, :8], gate=gate[:, :8], mode=a.mode).backward()
    w.grad = None
    reset_peak()
    before = status_kib("VmRSS")
    peak_before = status_kib("VmHWM")
    t0 = time.perf_counter()
    if a.variant == "unchunked":
        loss = eaft_loss(hidden @ w.t(), labels, gate=gate, mode=a.mode)
    else:
        loss = eaft_loss_from_hidden(hidden, w, labels, gate=gate, mode=a.mode, chunk_size=a.chunk)
    loss.backward()
    dt = time.perf_counter() - t0
    peak = status_kib("VmHWM")
    print(json.dumps({"variant": a.variant, "loss": float(loss.detach()), "seconds": round(dt, 2),
                      "rss_before_mib": round(before / 1024, 1), "peak_delta_mib": round((peak - before) / 1024, 1),
                      "hwm_reset_ok": peak_before <= before + 1024,
                      "grad_w_norm": float(w.grad.norm()), "grad_h_norm": float(hidden.grad.norm())}))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vocab", type=int, default=151936)
    ap.add_argument("--tokens", type=int, default=4096)
    ap.add_argument("--hidden", type=int, default=1024)
    ap.add_argument("--mode", default="dynamic")
    ap.add_argument("--chunk", type=int, default=None)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--variant", choices=["unchunked", "chunked"], default=None)
    a = ap.parse_args()
    if a.variant:
        return child(a)
    res = {}
    for v in ("chunked", "unchunked"):
        cmd = [sys.executable, __file__, "--variant", v, "--vocab", str(a.vocab), "--tokens", str(a.tokens),
               "--hidden", str(a.hidden), "--mode", a.mode, "--threads", str(a.threads)]
        if a.chunk:
            cmd += ["--chunk", str(a.chunk)]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        res[v] = json.loads(out.strip().splitlines()[-1])
        print(json.dumps(res[v]))
    c, u = res["chunked"], res["unchunked"]
    logits_mib = a.tokens * a.vocab * 4 / 2**20
    print(json.dumps({"V": a.vocab, "T": a.tokens, "H": a.hidden, "mode": a.mode,
                      "fp32_logits_mib": round(logits_mib, 1),
                      "chunked_peak_mib": c["peak_delta_mib"], "unchunked_peak_mib": u["peak_delta_mib"],
                      "ratio": round(c["peak_delta_mib"] / u["peak_delta_mib"], 4),
                      "loss_rel_diff": abs(c["loss"] - u["loss"]) / abs(u["loss"]),
                      "grad_w_norm_rel_diff": abs(c["grad_w_norm"] - u["grad_w_norm"]) / u["grad_w_norm"],
                      "seconds": {"chunked": c["seconds"], "unchunked": u["seconds"]}}))


if __name__ == "__main__":
    main()
