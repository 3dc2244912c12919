"""PyTorch oracle for the training step: two optimizer steps from the same weights on the same batch,
for the seed CNN (PyTorch's own export, src/engine/fixtures/seed-cnn), a BatchNorm network written
by our builder (src/nn/fixtures/small-resnet.onnx, made by scripts/make-train-fixtures.ts), and a
one-sigmoid-unit MLP trained with binary cross-entropy (src/nn/fixtures/mlp-binary.onnx; the binary
label is "class ≥ 5", label smoothing as Keras applies it: y·(1 − ε) + ε/2).
Dropout is off (p = 0) so both sides compute the same thing.

    /usr/bin/python3 scripts/make-train-fixtures.py

Writes src/nn/fixtures/train/<model>-<config>/: losses.json and <param>.npy after the two steps
(BatchNorm running statistics included), plus batch.npy/labels.npy (shared).
"""
import copy
import gzip
import json
import os

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = os.path.join(ROOT, "src", "nn", "fixtures", "train")


from script_modules import load_script  # noqa: E402  (scripts/ is on sys.path when run as a script)

fx = load_script("make-torch-fixtures.py")
cb = load_script("check-builder.py")

CONFIGS = {
    "sgd": dict(opt="sgd", lr=0.1, momentum=0.9, nesterov=False, wd=5e-4, smoothing=0.0),
    "nesterov": dict(opt="sgd", lr=0.05, momentum=0.9, nesterov=True, wd=0.0, smoothing=0.1),
    "adam": dict(opt="adam", lr=1e-3, wd=1e-4, smoothing=0.0),
    "adamw": dict(opt="adamw", lr=1e-3, wd=0.01, smoothing=0.1),
}


def batch(n=16):
    d = os.path.join(ROOT, "data", "sample", "fashion-mnist")
    with gzip.open(os.path.join(d, "train-images-idx3-ubyte.gz")) as f:
        x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 1, 28, 28)[:n]
    with gzip.open(os.path.join(d, "train-labels-idx1-ubyte.gz")) as f:
        y = np.frombuffer(f.read(), np.uint8, offset=8)[:n]
    return x.copy(), y.astype(np.int64)


def optimizer(params, c):
    if c["opt"] == "sgd":
        return torch.optim.SGD(params, lr=c["lr"], momentum=c["momentum"], nesterov=c["nesterov"], weight_decay=c["wd"])
    cls = torch.optim.Adam if c["opt"] == "adam" else torch.optim.AdamW
    return cls(params, lr=c["lr"], weight_decay=c["wd"])


def softmax_ce(logits, y, c):
    return F.cross_entropy(logits, y, label_smoothing=c["smoothing"])


def binary_ce(logits, y, c):
    target = (y >= 5).float().unsqueeze(1) * (1 - c["smoothing"]) + c["smoothing"] / 2
    return F.binary_cross_entropy_with_logits(logits, target)


def train(name, module, logits_of, c, x, y, loss_fn=softmax_ce):
    m = copy.deepcopy(module)
    m.train()
    for mod in m.modules():
        if isinstance(mod, nn.Dropout):
            mod.p = 0.0
    opt = optimizer(m.parameters(), c)
    xt = torch.from_numpy(x.astype(np.float32) / 255.0)
    yt = torch.from_numpy(y)
    losses = []
    for _ in range(2):
        opt.zero_grad()
        loss = loss_fn(logits_of(m, xt), yt, c)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    d = os.path.join(OUT, f"{name}-{key}")
    os.makedirs(d, exist_ok=True)
    for k, v in m.state_dict().items():
        if not k.endswith("num_batches_tracked"):
            np.save(os.path.join(d, f"{k}.npy"), v.detach().numpy())
    json.dump({"losses": losses, "loss": "bce" if loss_fn is binary_ce else "ce", **c}, open(os.path.join(d, "losses.json"), "w"), indent=1)
    print(name, key, losses)


x, y = batch()
os.makedirs(OUT, exist_ok=True)
np.save(os.path.join(OUT, "batch.npy"), x)
np.save(os.path.join(OUT, "labels.npy"), y)

seed = fx.SeedCNN()
cb.load_weights(seed, onnx.load(os.path.join(ROOT, "src", "engine", "fixtures", "seed-cnn", "model.onnx")))
res = cb.SmallResNet(widths=(4, 8, 16), blocks=1)
cb.load_weights(res, onnx.load(os.path.join(ROOT, "src", "nn", "fixtures", "small-resnet.onnx")))
binary = cb.MLP(28 * 28, [32], 1)
cb.load_weights(binary, onnx.load(os.path.join(ROOT, "src", "nn", "fixtures", "mlp-binary.onnx")))


def seed_logits(m, xt):
    return m.fc2(m.dropout(m.relu7(m.fc1(m.flatten(m.relu6(m.conv6(m.relu5(m.conv5(m.pool2(m.relu4(m.conv4(m.relu3(m.conv3(m.pool1(m.relu2(m.conv2(m.relu1(m.conv1(xt)))))))))))))))))))


for key, c in CONFIGS.items():
    train("seed-cnn", seed, seed_logits, c, x, y)
    train("small-resnet", res, lambda m, xt: m(xt), c, x, y)
for key in ("sgd", "adamw"):
    train("mlp-binary", binary, lambda m, xt: m.fc2(m.relu1(m.fc1(m.flatten(xt)))), CONFIGS[key], x, y, binary_ce)
