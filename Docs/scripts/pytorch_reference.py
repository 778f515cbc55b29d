#!/usr/bin/env python3
"""PyTorch CPU reference for Docs/PERFORMANCE.md: the notes' autoencoder (same layer table as
Sources/AECNet/Architecture.swift) timed the way `aec-bench engine` times ours: forward in chunks of 16
tiles, training steps of batch 64 (forward, MSE, backward, Adam) — and, since PyTorch may do better with
other shapes, at each batch size of --batches too, reporting every one and the best. Usage:

    pip install torch==2.13.0+cpu
    python3 Docs/scripts/pytorch_reference.py --threads 2 --widths 32/32/16 64/64/32
"""
import argparse, time
import torch
import torch.nn as nn

def model(w1, w2, w3):
    c = lambda i, o: nn.Conv2d(i, o, 3, padding=1)
    return nn.Sequential(
        c(1, w1), nn.ReLU(), c(w1, w1), nn.ReLU(), nn.MaxPool2d(2),
        c(w1, w2), nn.ReLU(), c(w2, w2), nn.ReLU(), c(w2, w2), nn.ReLU(), nn.MaxPool2d(2),
        c(w2, w3), nn.ReLU(), c(w3, w3), nn.ReLU(), c(w3, 1), nn.Sigmoid(),
        c(1, w3), nn.ReLU(), c(w3, w3), nn.ReLU(), c(w3, w3), nn.ReLU(), nn.Upsample(scale_factor=2),
        c(w3, w2), nn.ReLU(), c(w2, w2), nn.ReLU(), c(w2, w2), nn.ReLU(), nn.Upsample(scale_factor=2),
        c(w2, w1), nn.ReLU(), c(w1, 1), nn.Sigmoid())

def best_of(seconds, fn):
    fn()
    best, end = float("inf"), time.time() + seconds
    while time.time() < end:
        t = time.perf_counter(); fn(); best = min(best, time.perf_counter() - t)
    return best

p = argparse.ArgumentParser()
p.add_argument("--threads", type=int, default=2)
p.add_argument("--seconds", type=float, default=3)
p.add_argument("--widths", nargs="+", default=["32/32/16", "64/64/32"])
p.add_argument("--batches", type=int, nargs="+", default=[16, 32, 64, 128],
               help="batch sizes tried for forward and training (best reported)")
a = p.parse_args()
torch.set_num_threads(a.threads)
print(f"torch {torch.__version__}, {a.threads} threads, CPU capability {torch.backends.cpu.get_cpu_capability()}")
print("| widths | batch | forward img/s | training img/s |")
print("|---|---:|---:|---:|")
for spec in a.widths:
    m = model(*map(int, spec.split("/")))
    opt = torch.optim.Adam(m.parameters(), lr=1e-4)
    best = [0.0, 0.0]
    for batch in a.batches:
        x = torch.rand(batch, 1, 28, 28)
        # Forward: at least 64 images per timed call, as ours (chunks of `batch`).
        calls = max(1, 64 // batch)
        with torch.no_grad():
            fwd = batch * calls / best_of(a.seconds, lambda: [m(x) for _ in range(calls)])
        def step():
            opt.zero_grad(); loss = ((m(x) - x) ** 2).mean(); loss.backward(); opt.step()
        train = batch / best_of(a.seconds, step)
        best = [max(best[0], fwd), max(best[1], train)]
        print(f"| {spec} | {batch} | {fwd:.0f} | {train:.0f} |", flush=True)
    print(f"| {spec} | best | {best[0]:.0f} | {best[1]:.0f} |", flush=True)
