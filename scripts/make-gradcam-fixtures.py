"""PyTorch oracle for Grad-CAM and saliency (src/nn/gradcam.ts): the seed CNN and the mini ResNet-18
of scripts/make-torch-fixtures.py, rebuilt with the same seeds (checked against the committed
src/engine/fixtures/*/output.npy, so they are the weights of the committed model.onnx files), run on
the same 4 sample images; Grad-CAM from forward and backward hooks on a layer, saliency from the
input's gradient, with y_c the class logit (before the softmax).

    /usr/bin/python3 scripts/make-gradcam-fixtures.py

Writes src/nn/fixtures/gradcam/<case>/ with classes.npy (int32 N), weights.npy (N×C, alpha_k),
cam.npy (N×h×w, ReLU(sum_k alpha_k A_k)), heatmap.npy (N×28×28, cam upsampled bilinearly with
align_corners=False and min-max scaled), saliency.npy (N×28×28, max_c |dy_c/dx|), and cases.json.
Selvaraju et al. 2017 (ICCV), eq. 1-2; Simonyan et al. 2014, sec. 3.1.
"""
import importlib.util
import json
import os

import numpy as np
import torch
import torch.nn.functional as F

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
ENGINE = os.path.join(ROOT, "src", "engine", "fixtures")
OUT = os.path.join(ROOT, "src", "nn", "fixtures", "gradcam")


def load_models():
    """The two models exactly as make-torch-fixtures.py's main() makes them (same RNG order)."""
    spec = importlib.util.spec_from_file_location("torch_fixtures", os.path.join(ROOT, "scripts", "make-torch-fixtures.py"))
    m = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m)
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(0)
    seed = m.SeedCNN()
    mini = m.MiniResNet18(div=8)
    m.randomize_bn(mini, gen)
    models = {"seed-cnn": seed.eval(), "mini-resnet18": mini.eval()}
    for name, model in models.items():
        x = torch.from_numpy(np.load(os.path.join(ENGINE, name, "input.npy")))
        with torch.no_grad():
            y = model(x).numpy()
        want = np.load(os.path.join(ENGINE, name, "output.npy"))
        assert np.abs(y - want).max() < 1e-6, f"{name}: the rebuilt model is not the committed one"
    return models


def logits_of(name, model, x):
    """The class scores before the softmax (the seed CNN ends in a Softmax module)."""
    if name == "seed-cnn":
        captured = {}
        h = model.softmax.register_forward_pre_hook(lambda mod, inp: captured.__setitem__("z", inp[0]))
        model(x)
        h.remove()
        return captured["z"]
    return model(x)


def grad_cam(name, model, module_path, x, classes):
    module = model.get_submodule(module_path)
    store = {}

    def forward_hook(mod, inp, out):
        store["A"] = out
        out.register_hook(lambda g: store.__setitem__("dA", g))

    handle = module.register_forward_hook(forward_hook)
    x = x.clone().requires_grad_(True)
    z = logits_of(name, model, x)
    handle.remove()
    y = z.gather(1, torch.as_tensor(classes, dtype=torch.long)[:, None]).sum()
    y.backward()
    A, dA = store["A"].detach(), store["dA"].detach()
    weights = dA.mean(dim=(2, 3))
    cam = F.relu((weights[:, :, None, None] * A).sum(dim=1))
    up = F.interpolate(cam[:, None], size=x.shape[2:], mode="bilinear", align_corners=False)[:, 0]
    lo = up.flatten(1).min(dim=1).values[:, None, None]
    hi = up.flatten(1).max(dim=1).values[:, None, None]
    heatmap = torch.where(hi > lo, (up - lo) / (hi - lo).clamp_min(1e-30), torch.zeros_like(up))
    saliency = x.grad.detach().abs().amax(dim=1)
    return {"weights": weights, "cam": cam, "heatmap": heatmap, "saliency": saliency, "logits": z.detach()}


# case name -> (model, module path in PyTorch, ONNX layer name, classes: "predicted", "largest" or a list).
# "largest": for each image the class whose Grad-CAM has the largest value, so that the map is not
# all zero (the untrained seed CNN's predicted class gets an all-negative sum, which ReLU zeroes).
CASES = {
    "seed-cnn-relu6": ("seed-cnn", "relu6", "/relu6/Relu", "largest"),
    "seed-cnn-conv3": ("seed-cnn", "conv3", "/conv3/Conv", [3, 0, 9, 5]),
    "mini-resnet18-layer1": ("mini-resnet18", "layer1", "/layer1/layer1.1/relu_1/Relu", [1, 2, 3, 4]),
    "mini-resnet18-layer2": ("mini-resnet18", "layer2", "/layer2/layer2.1/relu_1/Relu", "predicted"),
}


def main():
    models = load_models()
    index = {}
    for case, (name, path, layer, classes) in CASES.items():
        model = models[name]
        x = torch.from_numpy(np.load(os.path.join(ENGINE, name, "input.npy")))
        if classes == "predicted":
            with torch.no_grad():
                classes = logits_of(name, model, x).argmax(dim=1).tolist()
        elif classes == "largest":
            peaks = [grad_cam(name, model, path, x, [c] * x.shape[0])["cam"].flatten(1).max(dim=1).values for c in range(10)]
            classes = torch.stack(peaks, dim=1).argmax(dim=1).tolist()
        r = grad_cam(name, model, path, x, classes)
        out = os.path.join(OUT, case)
        os.makedirs(out, exist_ok=True)
        np.save(os.path.join(out, "classes.npy"), np.asarray(classes, dtype=np.int32))
        for key in ("weights", "cam", "heatmap", "saliency"):
            np.save(os.path.join(out, f"{key}.npy"), r[key].numpy().astype(np.float32))
        index[case] = {"model": f"src/engine/fixtures/{name}/model.onnx", "input": f"src/engine/fixtures/{name}/input.npy", "layer": layer, "torch_module": path}
        print(case, {k: list(v.shape) for k, v in r.items()}, "classes", classes)
    with open(os.path.join(OUT, "cases.json"), "w") as f:
        json.dump(index, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
