"""PyTorch side of bench/train.ts: training throughput (images/s) of the same architectures with the
same batch, threads and optimizer (Adam), over STEPS steps of Fashion-MNIST train; median of R runs.

    /usr/bin/python3 bench/torch_train.py THREADS BATCH STEPS REPEATS
"""
import gzip
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


sys.path.insert(0, os.path.join(ROOT, "scripts"))
from script_modules import load_script  # noqa: E402

fx = load_script("make-torch-fixtures.py")
cb = load_script("check-builder.py")
with gzip.open("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz") as f:
    pixels = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 1, 28, 28)
with gzip.open("/usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz") as f:
    labels = np.frombuffer(f.read(), np.uint8, offset=8).astype(np.int64)


class Logits(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m
        m.softmax = torch.nn.Identity() if hasattr(m, "softmax") else None

    def forward(self, x):
        return self.m(x)


MODELS = {
    "seed-cnn": lambda: Logits(fx.SeedCNN()),
    "small-resnet": lambda: cb.SmallResNet(widths=(16, 32, 64), blocks=2),
}
ORDER = np.random.default_rng(0).permutation(len(pixels))


def batch_at(s, batch):
    """Step s's batch: images scaled to [0, 1] and labels."""
    idx = ORDER[s * batch:(s + 1) * batch]
    return torch.from_numpy(pixels[idx].astype(np.float32) / 255.0), torch.from_numpy(labels[idx])


def run(make, batch, steps, repeats):
    times = []
    for _ in range(repeats):
        model = make()
        model.train()
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        t0 = time.perf_counter()
        for s in range(steps):
            x, y = batch_at(s, batch)
            opt.zero_grad()
            F.cross_entropy(model(x), y).backward()
            opt.step()
        times.append(time.perf_counter() - t0)
    return sorted(times)[len(times) // 2]


if __name__ == "__main__":
    threads, batch, steps, repeats = map(int, sys.argv[1:5])
    torch.set_num_threads(threads)
    print(json.dumps({name: run(make, batch, steps, repeats) for name, make in MODELS.items()}))
