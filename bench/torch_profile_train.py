"""PyTorch side of bench/profile-train.ts: torch.profiler over STEPS training steps (after 3 warm-up
steps) of the model bench/torch_train.py times, with the same batch, threads and optimizer (Adam).
Prints JSON: the wall ms a step, and each aten op's self CPU ms a step and calls a step.

    /usr/bin/python3 bench/torch_profile_train.py MODEL THREADS BATCH STEPS     (MODEL: seed-cnn | small-resnet)
"""
import json
import os
import sys
import time

import torch
from torch.profiler import ProfilerActivity, profile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_train as tt  # noqa: E402  (loads the data and the model definitions; times nothing on import)

name, threads, batch, steps = sys.argv[1], *map(int, sys.argv[2:5])
torch.set_num_threads(threads)
make = tt.MODELS[name]
model = make()
model.train()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)


def step(s):
    x, y = tt.batch_at(s, batch)
    opt.zero_grad()
    torch.nn.functional.cross_entropy(model(x), y).backward()
    opt.step()


for s in range(3):
    step(s)
with profile(activities=[ProfilerActivity.CPU]) as prof:
    t0 = time.perf_counter()
    for s in range(3, 3 + steps):
        step(s)
    wall = time.perf_counter() - t0
ops = [
    {"op": e.key, "ms": e.self_cpu_time_total / 1000 / steps, "calls": e.count / steps}
    for e in prof.key_averages()
    if e.self_cpu_time_total > 0
]
ops.sort(key=lambda o: -o["ms"])
print(json.dumps({"stepMs": wall * 1000 / steps, "ops": ops}))
