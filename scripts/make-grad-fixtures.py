"""PyTorch oracles for the gradient rules (STYLE.md §9, §21), computed in float64 by autograd.

    /usr/bin/python3 scripts/make-grad-fixtures.py

Writes, in src/engine/autodiff/rules/fixtures/:
- torch-grads.json: for one small case per op, the inputs, a random output gradient R and PyTorch's
  gradients of sum(Y * R). Each case is named as in the TypeScript case tables
  (cases*.testutil.ts), which build the same op as an ONNX graph with the same input names and
  shapes; rules.torch.test.ts runs `backward` on the stored inputs and compares.
- mini-mobilenetv2.onnx (torch.onnx.export, opset 13, eval mode) and mini-mobilenetv2.json: a
  network of torchvision's own MobileNetV2 blocks (depthwise convs, ReLU6 as Clip with Constant
  bounds, a residual Add), without BatchNorm so that its initializers are PyTorch's parameters;
  with an input, R for the logits, and PyTorch's gradients for the input and every parameter.
"""
import json
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torchvision.models.mobilenetv2 import InvertedResidual
from torchvision.ops.misc import Conv2dNormActivation

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
FIXTURES = os.path.join(ROOT, "src", "engine", "autodiff", "rules", "fixtures")


def draw(rng, dims, lo=-1.0, hi=1.0, kinks=(), margin=0.1):
    """Uniform in [lo, hi], at least `margin` from each kink (as gradCheck.testutil.ts awayFrom)."""
    n = int(np.prod(dims)) if dims else 1
    out = []
    while len(out) < n:
        v = rng.uniform(lo, hi)
        if all(abs(v - k) >= margin for k in kinks):
            out.append(v)
    return np.array(out, dtype=np.float64).reshape(dims)


# name -> ({input: (dims, draw options)}, constants-free torch function of the inputs, {input: differentiated?})
U = dict(lo=-1, hi=1)
NOT_ZERO = dict(lo=-2, hi=2, kinks=(0,))
X234 = [2, 3, 4]


def unary(fn, **opts):
    return {"X": (X234, opts or U)}, lambda t: fn(t["X"])


def pad_value(t):
    # ONNX Pad [2, 3, 3] by begins (0, 1, 2), ends (0, 0, 1) with a differentiable fill value
    y = t["value"].expand(2, 4, 6).clone()
    y[:, 1:4, 2:5] = t["X"]
    return y


def bn(t, eps=1e-3):
    c = (-1, 1, 1)
    return (t["X"] - t["mean"].reshape(c)) / torch.sqrt(t["var"].reshape(c) + eps) * t["scale"].reshape(c) + t["B"].reshape(c)


CASES = {
    "Relu": unary(torch.relu, **NOT_ZERO),
    "Neg": unary(torch.neg),
    "Add(broadcast [3, 1])": ({"A": (X234, U), "B": ([3, 1], U)}, lambda t: t["A"] + t["B"]),
    "Sub(broadcast [4])": ({"A": (X234, U), "B": ([4], U)}, lambda t: t["A"] - t["B"]),
    "Mul(broadcast [2, 1, 4])": ({"A": (X234, U), "B": ([2, 1, 4], U)}, lambda t: t["A"] * t["B"]),
    "Div(broadcast [3, 1])": ({"A": (X234, U), "B": ([3, 1], dict(lo=-2, hi=2, kinks=(0,), margin=0.5))}, lambda t: t["A"] / t["B"]),
    "Sqrt": unary(torch.sqrt, lo=0.5, hi=2),
    "Sum(3 inputs, broadcast)": ({"A": ([2, 3], U), "B": ([3], U), "C": ([2, 1], U)}, lambda t: t["A"] + t["B"] + t["C"]),
    "LeakyRelu(alpha 0.1)": unary(lambda x: F.leaky_relu(x, 0.1), **NOT_ZERO),
    "Clip(min/max as differentiated inputs)": (
        {"X": (X234, dict(lo=-1, hi=7, kinks=(0, 6), margin=0.15)), "min": ([], dict(lo=-0.05, hi=0.05)), "max": ([], dict(lo=5.95, hi=6.05))},
        lambda t: torch.clamp(t["X"], min=t["min"], max=t["max"]),
    ),
    "Clip(ReLU6, bounds in Constant nodes)": unary(F.relu6, lo=-1, hi=7, kinks=(0, 6)),
    "Sigmoid": unary(torch.sigmoid, lo=-2, hi=2),
    "Tanh": unary(torch.tanh, lo=-2, hi=2),
    "HardSigmoid(alpha 0.25, beta 0.4)": unary(lambda x: torch.clamp(0.25 * x + 0.4, 0, 1), lo=-3, hi=3.5, kinks=(-1.6, 2.4)),
    "HardSwish": unary(F.hardswish, lo=-5, hi=5, kinks=(-3, 3)),
    "Elu(alpha 1.5)": unary(lambda x: F.elu(x, 1.5), **NOT_ZERO),
    "Exp": unary(torch.exp),
    "Log": unary(torch.log, lo=0.5, hi=2),
    "Reciprocal": unary(torch.reciprocal, lo=-2, hi=2, kinks=(0,), margin=0.5),
    "Abs": unary(torch.abs, **NOT_ZERO),
    "Erf": unary(torch.erf, lo=-1.5, hi=1.5),
    "Pow(constant exponent 2.5)": ({"A": (X234, dict(lo=0.5, hi=2))}, lambda t: t["A"] ** 2.5),
    "Pow(differentiated exponent, broadcast)": ({"A": ([2, 3], dict(lo=0.5, hi=2)), "B": ([3], dict(lo=-1, hi=2))}, lambda t: torch.pow(t["A"], t["B"])),
    "Gemm(transA, transB, alpha 0.7, beta 1.3, C broadcast [4])": (
        {"A": ([3, 2], U), "B": ([4, 3], U), "C": ([4], U)}, lambda t: 0.7 * t["A"].T @ t["B"].T + 1.3 * t["C"]),
    "MatMul(batched [2, 3, 4] · [4, 5])": ({"A": (X234, U), "B": ([4, 5], U)}, lambda t: t["A"] @ t["B"]),
    "Conv(group 1, stride 2, pads 1, dilation 2)": (
        {"X": ([2, 3, 7, 7], U), "W": ([4, 3, 3, 3], U), "B": ([4], U)},
        lambda t: F.conv2d(t["X"], t["W"], t["B"], stride=2, padding=1, dilation=2)),
    "Conv(group 2, stride 2, asymmetric pads)": (
        # ONNX pads [top 1, left 0, bottom 0, right 1]; F.pad takes (left, right, top, bottom)
        {"X": ([2, 4, 6, 6], U), "W": ([6, 2, 3, 3], U), "B": ([6], U)},
        lambda t: F.conv2d(F.pad(t["X"], (0, 1, 1, 0)), t["W"], t["B"], stride=2, groups=2)),
    "Conv(depthwise multiplier 2, stride 2, dilation 2)": (
        {"X": ([2, 3, 6, 6], U), "W": ([6, 1, 3, 3], U)},
        lambda t: F.conv2d(t["X"], t["W"], stride=2, padding=2, dilation=2, groups=3)),
    "ConvTranspose(stride 2, pads 1, output_padding 1)": (
        {"X": ([2, 3, 3, 3], U), "W": ([3, 2, 3, 3], U), "B": ([2], U)},
        lambda t: F.conv_transpose2d(t["X"], t["W"], t["B"], stride=2, padding=1, output_padding=1)),
    "ConvTranspose(group 2)": ({"X": ([1, 4, 3, 3], U), "W": ([4, 1, 2, 2], U)}, lambda t: F.conv_transpose2d(t["X"], t["W"], stride=2, groups=2)),
    "MaxPool(3×3, stride 2, pads 1, overlapping windows)": ({"X": ([2, 2, 5, 5], U)}, lambda t: F.max_pool2d(t["X"], 3, 2, 1)),
    "GlobalAveragePool": ({"X": ([2, 3, 4, 4], U)}, lambda t: t["X"].mean((2, 3), keepdim=True)),
    "AveragePool(3×3, stride 2, pads 1, count_include_pad 0)": (
        {"X": ([2, 2, 6, 6], U)}, lambda t: F.avg_pool2d(t["X"], 3, 2, 1, count_include_pad=False)),
    "AveragePool(3×3, stride 2, pads 1, count_include_pad 1)": (
        {"X": ([2, 2, 6, 6], U)}, lambda t: F.avg_pool2d(t["X"], 3, 2, 1, count_include_pad=True)),
    "Softmax(axis 1 of [2, 4, 3])": ({"X": ([2, 4, 3], dict(lo=-2, hi=2))}, lambda t: torch.softmax(t["X"], 1)),
    "LogSoftmax(axis 1 of [2, 4, 3])": ({"X": ([2, 4, 3], dict(lo=-2, hi=2))}, lambda t: torch.log_softmax(t["X"], 1)),
    "ReduceMean(axes [2, 3] attribute, keepdims 0)": ({"X": ([2, 3, 4, 2], U)}, lambda t: t["X"].mean((2, 3))),
    "ReduceSum(axes input [0, 2], keepdims 1)": ({"X": (X234, U)}, lambda t: t["X"].sum((0, 2), keepdim=True)),
    "BatchNormalization(inference, every input differentiated)": (
        {"X": ([2, 3, 4, 4], U), "scale": ([3], U), "B": ([3], U), "mean": ([3], U), "var": ([3], dict(lo=0.5, hi=2))}, bn),
    "Flatten(axis 2)": ({"X": ([2, 3, 2, 2], U)}, lambda t: t["X"].reshape(6, 4)),
    "Reshape([4, -1])": ({"X": (X234, U)}, lambda t: t["X"].reshape(4, -1)),
    "Squeeze(axes input [1])": ({"X": ([2, 1, 3], U)}, lambda t: t["X"].squeeze(1)),
    "Unsqueeze(axes input [0, 3])": ({"X": ([2, 3], U)}, lambda t: t["X"].unsqueeze(0).unsqueeze(3)),
    "Transpose(perm [2, 0, 1])": ({"X": (X234, U)}, lambda t: t["X"].permute(2, 0, 1)),
    "Concat(axis 1, three parts, one not differentiated)": (
        {"A": ([2, 1, 3], U), "B": ([2, 2, 3], U), "C": ([2, 3, 3], U)}, lambda t: torch.cat([t["A"], t["B"].detach(), t["C"]], 1)),
    "Slice(axes [0, 2], negative end)": ({"X": ([3, 5, 4], U)}, lambda t: t["X"][1:-1, :, 0:3]),
    "Pad(constant, differentiated padding value)": ({"X": ([2, 3, 3], U), "value": ([], U)}, pad_value),
    # ONNX pads [0, -1, 1, 0, 2, -1] (begins, then ends); F.pad takes (last begin, last end, middle begin, …)
    "Pad(negative pads crop)": ({"X": (X234, U)}, lambda t: F.pad(t["X"], (1, -1, -1, 2, 0, 0))),
    "Gather(axis 1, repeated and negative indices [2, 2])": ({"X": ([2, 4, 3], U)}, lambda t: t["X"][:, torch.tensor([[3, 1], [3, -4]])]),
}


def tensor_json(a):
    a = np.asarray(a, dtype=np.float64)
    return {"dims": list(a.shape), "data": [float(f"{v:.12g}") for v in a.reshape(-1)]}


def op_cases():
    rng = np.random.default_rng(2024)
    cases = {}
    for name, (spec, fn) in CASES.items():
        inputs = {k: torch.tensor(draw(rng, dims, **opts), requires_grad=True) for k, (dims, opts) in spec.items()}
        # round the inputs to what the JSON stores, so PyTorch and the test see the same numbers
        inputs = {k: torch.tensor(np.array(tensor_json(v.detach())["data"]).reshape(v.shape), requires_grad=True) for k, v in inputs.items()}
        y = fn(inputs)
        r = torch.tensor(np.array(tensor_json(rng.uniform(-1, 1, size=tuple(y.shape)))["data"]).reshape(tuple(y.shape)))
        (y * r).sum().backward()
        cases[name] = {
            "inputs": {k: tensor_json(v.detach()) for k, v in inputs.items()},
            "R": tensor_json(r),
            "grads": {k: tensor_json(v.grad) for k, v in inputs.items() if v.grad is not None},
        }
    write_json("torch-grads.json", {"torch": torch.__version__, "dtype": "float64", "cases": cases})


class MiniMobileNetV2(nn.Module):
    """Stem conv, two inverted residual blocks (the first with its skip connection), a 1×1 head conv,
    global pooling and a linear classifier, all with ReLU6; no BatchNorm (nn.Identity)."""

    def __init__(self, k=10):
        super().__init__()
        no_bn = nn.Identity
        self.features = nn.Sequential(
            Conv2dNormActivation(3, 8, stride=2, norm_layer=None, activation_layer=nn.ReLU6),
            InvertedResidual(8, 8, 1, 2, norm_layer=no_bn),
            InvertedResidual(8, 16, 2, 2, norm_layer=no_bn),
            Conv2dNormActivation(16, 16, kernel_size=1, norm_layer=None, activation_layer=nn.ReLU6),
        )
        self.classifier = nn.Linear(16, k)

    def forward(self, x):
        x = F.adaptive_avg_pool2d(self.features(x), 1)
        return self.classifier(torch.flatten(x, 1))


def mobilenet():
    torch.manual_seed(7)
    model = MiniMobileNetV2().float().eval()
    path = os.path.join(FIXTURES, "mini-mobilenetv2.onnx")
    x = torch.rand(2, 3, 16, 16)
    torch.onnx.export(
        model, x.float(), path, input_names=["input"], output_names=["logits"],
        dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}}, opset_version=13, do_constant_folding=True,
    )
    model = model.double()
    x = x.double().requires_grad_(True)
    y = model(x)
    r = torch.rand(y.shape) * 2 - 1
    (y * r).sum().backward()
    grads = {"input": tensor_json(x.grad), **{k: tensor_json(p.grad) for k, p in model.named_parameters()}}
    write_json("mini-mobilenetv2.json", {"torch": torch.__version__, "input": tensor_json(x.detach()), "R": tensor_json(r), "grads": grads})


def write_json(name, value):
    path = os.path.join(FIXTURES, name)
    with open(path, "w") as f:
        json.dump(value, f, separators=(",", ":"))
        f.write("\n")
    print(f"{path}: {os.path.getsize(path) // 1024} KiB")


def main():
    os.makedirs(FIXTURES, exist_ok=True)
    op_cases()
    mobilenet()


if __name__ == "__main__":
    torch.set_default_dtype(torch.float64)
    main()
