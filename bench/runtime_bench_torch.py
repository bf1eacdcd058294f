#!/usr/bin/python3
"""PyTorch (python3-torch 1.13) side of the runtime benchmark: the same
TorchScript file, the same input and thread count, timed per inference.
Usage: runtime_bench_torch.py MODEL SIDE THREADS WARMUP ITERS"""
import json, math, statistics, sys, time

import torch

model, side, threads, warmup, iters = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
torch.set_num_threads(threads)
torch.set_num_interop_threads(1)
m = torch.jit.load(model, map_location="cpu").eval()
n = side ** 3
x = torch.sin(0.001 * torch.arange(n, dtype=torch.float64)).float().reshape(1, 1, side, side, side)
ms = []
checksum = 0.0
for i in range(warmup + iters):
    t0 = time.perf_counter()
    with torch.inference_mode():
        y = m(x).contiguous()
    t1 = time.perf_counter()
    if i >= warmup:
        ms.append((t1 - t0) * 1000.0)
    checksum = float(y.double().sum())
ms.sort()
print(json.dumps({"program": "pytorch", "threads": torch.get_num_threads(), "median_ms": ms[len(ms) // 2],
                  "mean_ms": statistics.mean(ms), "min_ms": ms[0], "checksum": checksum}))
