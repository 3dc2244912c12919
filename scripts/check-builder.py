"""Checks models made by featurelens' GraphBuilder (src/engine/onnx/builder.ts) against ONNX and PyTorch.

    /usr/bin/python3 scripts/check-builder.py            # writes the models with scripts/write-builder-models.ts first
    /usr/bin/python3 scripts/check-builder.py --dir DIR  # checks models already written there

For each model (seed-cnn, small-resnet, mlp, and "layers", one graph with every other layer kind):
1. onnx.checker.check_model(model, full_check=True), which also runs strict shape inference;
2. the same network in PyTorch, given our initializers as its state_dict, run in eval mode on the
   same 3 inputs, must match ONNX Runtime's output (written by the TS script) within 1e-4;
3. for the architectures, torch.onnx.export of that PyTorch network (opset 13, eval, constant folding)
   must name its nodes as ours do, apart from the BatchNormalization and Dropout nodes the export folds away.
Not run by the tests (Python is never a dependency); exits non-zero on any failure.
"""
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import numpy_helper
from torchvision.models.resnet import BasicBlock, ResNet

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def load_fixture_module():
    from script_modules import load_script  # scripts/ is on sys.path when run as a script

    return load_script("make-torch-fixtures.py")


class SmallResNet(ResNet):
    """What smallResnet() builds: torchvision's ResNet with a 3x3 stride-1 stem, no maxpool, len(widths) stages."""

    def __init__(self, widths=(16, 32, 64), blocks=2, k=10, in_ch=1):
        nn.Module.__init__(self)
        self._norm_layer, self.inplanes, self.dilation, self.groups, self.base_width = nn.BatchNorm2d, widths[0], 1, 1, 64
        self.conv1 = nn.Conv2d(in_ch, widths[0], kernel_size=3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0])
        self.relu = nn.ReLU(inplace=True)
        self.stages = [f"layer{i + 1}" for i in range(len(widths))]
        for i, w in enumerate(widths):
            setattr(self, f"layer{i + 1}", self._make_layer(BasicBlock, w, blocks, stride=1 if i == 0 else 2))
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(widths[-1], k)

    def forward(self, x):
        x = self.relu(self.bn1(self.conv1(x)))
        for s in self.stages:
            x = getattr(self, s)(x)
        return self.fc(torch.flatten(self.avgpool(x), 1))


class MLP(nn.Module):
    def __init__(self, n_in, hidden, k):
        super().__init__()
        self.flatten = nn.Flatten()
        self.n = len(hidden)
        sizes = [n_in, *hidden]
        for i, h in enumerate(hidden):
            setattr(self, f"fc{i + 1}", nn.Linear(sizes[i], h))
            setattr(self, f"relu{i + 1}", nn.ReLU())
        setattr(self, f"fc{self.n + 1}", nn.Linear(sizes[-1], k))
        self.softmax = nn.Softmax(dim=1)

    def forward(self, x):
        x = self.flatten(x)
        for i in range(self.n):
            x = getattr(self, f"relu{i + 1}")(getattr(self, f"fc{i + 1}")(x))
        return self.softmax(getattr(self, f"fc{self.n + 1}")(x))


class LayerZoo(nn.Module):
    """layerZoo() in scripts/write-builder-models.ts."""

    def __init__(self):
        super().__init__()
        self.conv_a = nn.Conv2d(3, 8, 3, stride=2, padding=1)
        self.bn = nn.BatchNorm2d(8)
        self.conv_g = nn.Conv2d(8, 8, 3, padding=2, dilation=2, groups=4)
        self.fc = nn.Linear(16 * 2 * 2, 5)

    def forward(self, x):
        x = F.leaky_relu(self.bn(self.conv_a(x)), 0.1)
        x = F.relu6(self.conv_g(x))
        x = F.hardswish(torch.cat([torch.sigmoid(x), torch.tanh(x)], 1))
        x = F.avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=True)
        x = F.max_pool2d(x, 3, stride=2, ceil_mode=True)
        x = x + x
        return F.log_softmax(self.fc(x.reshape(x.shape[0], -1)), dim=1)


def load_weights(module, model):
    """Copies our initializers into the module by name; every parameter must be found."""
    inits = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    state = module.state_dict()
    missing = [k for k in state if k not in inits and not k.endswith("num_batches_tracked")]
    unused = [k for k in inits if k not in state and not k.startswith("/")]
    if missing or unused:
        raise AssertionError(f"state_dict mismatch: missing {missing}, unused {unused}")
    for k in state:
        if k in inits:
            if tuple(state[k].shape) != inits[k].shape:
                raise AssertionError(f"{k}: torch shape {tuple(state[k].shape)}, ours {inits[k].shape}")
            state[k].copy_(torch.from_numpy(inits[k].copy()))


def layer_names(model, skip):
    return [(n.name, n.op_type) for n in model.graph.node if n.op_type not in skip]


def torch_names(module, x, tmp):
    path = os.path.join(tmp, "torch.onnx")
    torch.onnx.export(module, x, path, input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "N"}, "output": {0: "N"}}, opset_version=13, do_constant_folding=True)
    return layer_names(onnx.load(path), {"Constant"})


def check(name, module, directory, tmp, compare_names):
    model = onnx.load(os.path.join(directory, name, "model.onnx"))
    onnx.checker.check_model(model, full_check=True)
    load_weights(module, model)
    module.eval()
    x = torch.from_numpy(np.load(os.path.join(directory, name, "input.npy")))
    expected = np.load(os.path.join(directory, name, "output.npy"))
    with torch.no_grad():
        got = module(x).numpy()
    diff = float(np.abs(got - expected).max())
    ok = got.shape == expected.shape and np.allclose(got, expected, rtol=1e-4, atol=1e-4)
    line = f"{name}: checker full_check OK, {len(model.graph.node)} nodes; torch vs ORT max |diff| {diff:.2e} ({'OK' if ok else 'FAIL'})"
    if compare_names:
        ours = layer_names(model, {"BatchNormalization", "Dropout"})
        theirs = torch_names(module, x, tmp)
        same = ours == theirs
        line += f"; node names as torch.onnx.export: {'same' if same else 'DIFFERENT'} ({len(theirs)} nodes)"
        if not same:
            for a, b in zip(ours + [None] * len(theirs), theirs + [None] * len(ours)):
                if a != b:
                    line += f"\n    first difference: ours {a}, torch {b}"
                    break
            ok = False
    print(line)
    return ok


def main():
    torch.manual_seed(0)
    with tempfile.TemporaryDirectory() as tmp:
        if "--dir" in sys.argv:
            directory = sys.argv[sys.argv.index("--dir") + 1]
        else:
            directory = os.path.join(tmp, "models")
            subprocess.run(["node", "--import", "tsx", "scripts/write-builder-models.ts", directory], cwd=ROOT, check=True)
        fixtures = load_fixture_module()
        results = [
            check("seed-cnn", fixtures.SeedCNN(10), directory, tmp, True),
            check("small-resnet", SmallResNet((16, 32, 64), 2, 10, 1), directory, tmp, True),
            check("mlp", MLP(3 * 32 * 32, [128, 32], 7), directory, tmp, True),
            check("layers", LayerZoo(), directory, tmp, False),
        ]
    if not all(results):
        sys.exit(1)
    print("all OK")


if __name__ == "__main__":
    main()
