"""PyTorch side of bench/train-accuracy.ts: trains the seed CNN from the same initial weights (our
ONNX file) with the same settings — Adam, lr 1e-3, batch 128, dropout 0.5, no augmentation — for
EPOCHS epochs on the full Fashion-MNIST train set, then scores the test set.

    /usr/bin/python3 bench/torch_train_accuracy.py INIT.onnx SEED EPOCHS THREADS
"""
import gzip
import json
import os
import sys
import time

import numpy as np
import onnx
import torch
import torch.nn.functional as F

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from script_modules import load_script  # noqa: E402

fx = load_script("make-torch-fixtures.py")
cb = load_script("check-builder.py")
init, seed, epochs, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
torch.set_num_threads(threads)
torch.manual_seed(seed)
D = "/usr/share/datasets/fashion-mnist"


def load(split):
    with gzip.open(f"{D}/{split}-images-idx3-ubyte.gz") as f:
        x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 1, 28, 28).astype(np.float32) / 255.0
    with gzip.open(f"{D}/{split}-labels-idx1-ubyte.gz") as f:
        y = np.frombuffer(f.read(), np.uint8, offset=8).astype(np.int64)
    return torch.from_numpy(x), torch.from_numpy(y)


xtr, ytr = load("train")
xte, yte = load("t10k")
model = fx.SeedCNN()
cb.load_weights(model, onnx.load(init))
model.softmax = torch.nn.Identity()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
t0 = time.perf_counter()
for epoch in range(epochs):
    model.train()
    order = torch.randperm(len(xtr))
    for s in range(0, len(xtr), 128):
        idx = order[s:s + 128]
        opt.zero_grad()
        F.cross_entropy(model(xtr[idx]), ytr[idx]).backward()
        opt.step()
seconds = time.perf_counter() - t0
model.eval()
with torch.no_grad():
    correct = sum(int((model(xte[s:s + 1000]).argmax(1) == yte[s:s + 1000]).sum()) for s in range(0, len(xte), 1000))
print(json.dumps({"accuracy": correct / len(xte), "seconds": seconds}))
