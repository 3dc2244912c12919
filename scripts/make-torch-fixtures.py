"""PyTorch oracles for the engine: models exported with torch.onnx.export and PyTorch's own outputs
(logits, probabilities, penultimate features and intermediate maps from forward hooks) on 4 images
of the embedded Fashion-MNIST sample.

    /usr/bin/python3 scripts/make-torch-fixtures.py            # small fixtures, committed
    /usr/bin/python3 scripts/make-torch-fixtures.py --full     # + torchvision ResNet-18 (44 MB) in bench/.cache/

Each model folder holds model.onnx, input.npy (float32 N×1×28×28 in [0,1]) and outputs.json, which maps
ONNX value names to the .npy file with PyTorch's values for them.
"""
import gzip
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn
from torchvision.models.resnet import BasicBlock, ResNet

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = os.path.join(ROOT, "src", "engine", "fixtures")
SAMPLE = os.path.join(ROOT, "data", "sample", "fashion-mnist", "t10k-images-idx3-ubyte.gz")


class SeedCNN(nn.Module):
    """The network of the feature-extraction article: conv3x3(16)+ReLU x2, maxpool, x2 again, two more
    convs, dense 64 + ReLU, dropout 0.5, dense K, softmax."""

    def __init__(self, k=10):
        super().__init__()
        self.conv1, self.relu1 = nn.Conv2d(1, 16, 3, padding=1), nn.ReLU()
        self.conv2, self.relu2 = nn.Conv2d(16, 16, 3, padding=1), nn.ReLU()
        self.pool1 = nn.MaxPool2d(2)
        self.conv3, self.relu3 = nn.Conv2d(16, 16, 3, padding=1), nn.ReLU()
        self.conv4, self.relu4 = nn.Conv2d(16, 16, 3, padding=1), nn.ReLU()
        self.pool2 = nn.MaxPool2d(2)
        self.conv5, self.relu5 = nn.Conv2d(16, 16, 3, padding=1), nn.ReLU()
        self.conv6, self.relu6 = nn.Conv2d(16, 16, 3, padding=1), nn.ReLU()
        self.flatten = nn.Flatten()
        self.fc1, self.relu7 = nn.Linear(16 * 7 * 7, 64), nn.ReLU()
        self.dropout = nn.Dropout(0.5)
        self.fc2 = nn.Linear(64, k)
        self.softmax = nn.Softmax(dim=1)

    def forward(self, x):
        x = self.pool1(self.relu2(self.conv2(self.relu1(self.conv1(x)))))
        x = self.pool2(self.relu4(self.conv4(self.relu3(self.conv3(x)))))
        x = self.relu6(self.conv6(self.relu5(self.conv5(x))))
        x = self.dropout(self.relu7(self.fc1(self.flatten(x))))
        return self.softmax(self.fc2(x))


class MiniResNet18(ResNet):
    """torchvision's ResNet-18 (BasicBlock, [2, 2, 2, 2]) with the widths divided by `div` and a
    1-channel stem, built with torchvision's own _make_layer so the exported graph has its ops and names."""

    def __init__(self, div=8, k=10):
        nn.Module.__init__(self)
        w = [64 // div, 128 // div, 256 // div, 512 // div]
        self._norm_layer, self.inplanes, self.dilation, self.groups, self.base_width = nn.BatchNorm2d, w[0], 1, 1, 64
        self.conv1 = nn.Conv2d(1, w[0], kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(w[0])
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(BasicBlock, w[0], 2)
        self.layer2 = self._make_layer(BasicBlock, w[1], 2, stride=2)
        self.layer3 = self._make_layer(BasicBlock, w[2], 2, stride=2)
        self.layer4 = self._make_layer(BasicBlock, w[3], 2, stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(w[3], k)


def sample_images(n=4):
    with gzip.open(SAMPLE, "rb") as f:
        x = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 1, 28, 28)
    return (x[:n].astype(np.float32) / 255.0).copy()


def randomize_bn(model, gen):
    """Non-trivial running statistics and affine terms, so BatchNorm folding is really exercised."""
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.copy_(torch.randn(m.num_features, generator=gen) * 0.1)
            m.running_var.copy_(torch.rand(m.num_features, generator=gen) + 0.5)
            m.weight.data.copy_(torch.rand(m.num_features, generator=gen) + 0.5)
            m.bias.data.copy_(torch.randn(m.num_features, generator=gen) * 0.1)


def export(name, model, hooks, out_dir):
    """hooks: {onnx value name: (module path, 'out' | 'in' | 'out2')}; 'out2' = second call's output."""
    os.makedirs(out_dir, exist_ok=True)
    model.eval()
    x = torch.from_numpy(sample_images())
    captured = {}
    handles = []
    for value, (path, kind) in hooks.items():
        mod = model.get_submodule(path)
        if kind == "in":
            handles.append(mod.register_forward_pre_hook(lambda m, inp, v=value: captured.__setitem__(v, inp[0].detach().clone())))
        else:
            calls = []

            def hook(m, inp, out, v=value, k=kind, calls=calls):
                calls.append(out.detach().clone())
                if k == "out" or len(calls) == 2:
                    captured.setdefault(v, calls[-1])

            handles.append(mod.register_forward_hook(hook))
    with torch.no_grad():
        y = model(x)
    for h in handles:
        h.remove()
    torch.onnx.export(
        model, x, os.path.join(out_dir, "model.onnx"), input_names=["input"], output_names=["output"],
        dynamic_axes={"input": {0: "N"}, "output": {0: "N"}}, opset_version=13, do_constant_folding=True,
    )
    np.save(os.path.join(out_dir, "input.npy"), x.numpy())
    files = {"output": "output.npy"}
    np.save(os.path.join(out_dir, "output.npy"), y.numpy())
    for i, (value, t) in enumerate(sorted(captured.items())):
        f = f"value{i}.npy"
        np.save(os.path.join(out_dir, f), t.numpy())
        files[value] = f
    with open(os.path.join(out_dir, "outputs.json"), "w") as f:
        json.dump(files, f, indent=1, sort_keys=True)
    print(name, "->", out_dir, {k: list(captured[k].shape) for k in captured})


def main():
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(0)
    export("seed-cnn", SeedCNN(), {
        "/relu1/Relu_output_0": ("relu1", "out"),
        "/pool1/MaxPool_output_0": ("pool1", "out"),
        "/relu6/Relu_output_0": ("relu6", "out"),
        "penultimate": ("fc2", "in"),
        "logits": ("softmax", "in"),
    }, os.path.join(OUT, "seed-cnn"))

    resnet_hooks = {
        "/maxpool/MaxPool_output_0": ("maxpool", "out"),
        "/layer1/layer1.1/relu_1/Relu_output_0": ("layer1.1.relu", "out2"),
        "/layer3/layer3.0/relu/Relu_output_0": ("layer3.0.relu", "out"),
        "penultimate": ("fc", "in"),
    }
    mini = MiniResNet18(div=8)
    randomize_bn(mini, gen)
    export("mini-resnet18", mini, resnet_hooks, os.path.join(OUT, "mini-resnet18"))

    if "--full" in sys.argv:
        full = MiniResNet18(div=1)
        randomize_bn(full, gen)
        export("resnet18", full, resnet_hooks, os.path.join(ROOT, "bench", ".cache", "resnet18"))


if __name__ == "__main__":
    main()
