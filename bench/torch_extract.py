"""PyTorch side of bench/extract.ts: penultimate features of Fashion-MNIST test (10k) with the same
architectures, threads and batch size; prints JSON {model: seconds (median of R)}.

    /usr/bin/python3 bench/torch_extract.py THREADS BATCH REPEATS
"""
import gzip
import json
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
from script_modules import load_script  # noqa: E402

fx = load_script("make-torch-fixtures.py")

threads, batch, repeats = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
torch.set_num_threads(threads)
with gzip.open("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz", "rb") as f:
    pixels = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 1, 28, 28)


class Penultimate(torch.nn.Module):
    """Runs a classifier up to the input of its last Linear layer."""

    def __init__(self, model, last):
        super().__init__()
        self.model, self.out = model, None
        last.register_forward_pre_hook(lambda m, inp: setattr(self, "out", inp[0]))

    def forward(self, x):
        self.model(x)
        return self.out


def run(model):
    model.eval()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        with torch.no_grad():
            for s in range(0, len(pixels), batch):
                x = torch.from_numpy(pixels[s:s + batch].astype(np.float32) / 255.0)  # preprocessing counted, as ours is
                model(x)
        times.append(time.perf_counter() - t0)
    return sorted(times)[len(times) // 2]


seed = fx.SeedCNN()
res = fx.MiniResNet18(div=1)
print(json.dumps({"seed-cnn": run(Penultimate(seed, seed.fc2)), "resnet18": run(Penultimate(res, res.fc))}))
