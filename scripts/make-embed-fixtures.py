"""Oracle for src/analysis/embed/{pca,quality}.ts: scikit-learn 1.2's answers on small seeded
inputs, written as JSON fixtures to src/analysis/embed/fixtures/.

    apt-get install python3-sklearn
    /usr/bin/python3 scripts/make-embed-fixtures.py

Inputs are float32 (as featurelens holds points), written as base64 of little-endian float32;
scikit-learn sees them converted to float64, so both sides start from the same numbers.

- pca-*.json: PCA(components, svd_solver="full" and "randomized") on seeded data with a decaying
  spectrum (so the randomized solver converges and both solvers agree), one with a constant and a
  duplicated feature, one with D > N: mean, components (svd_flip's u-based signs), explained
  variance and its ratio, and the transform of the first rows.
- quality.json: trustworthiness(X, Y, n_neighbors=k) for several k; silhouette_samples and
  silhouette_score (euclidean) of a labelled 2-D map with a singleton class and of the inputs.
"""
import base64
import json
import os

import numpy as np
from sklearn.decomposition import PCA
from sklearn.manifold import trustworthiness
from sklearn.metrics import silhouette_samples, silhouette_score

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "analysis", "embed", "fixtures")
TRANSFORM_ROWS = 12


def f32(a):
    """Base64 of the little-endian float32 values of a, row-major."""
    return base64.b64encode(np.ascontiguousarray(a, dtype="<f4").tobytes()).decode("ascii")


def spectrum_data(rng, n, d, scales, offset=5.0):
    """n points whose centred covariance has the given leading scales over small isotropic noise."""
    z = rng.standard_normal((n, len(scales))) * np.asarray(scales)
    rot, _ = np.linalg.qr(rng.standard_normal((d, d)))
    x = z @ rot[:, : len(scales)].T + 0.05 * rng.standard_normal((n, d)) + offset * rng.standard_normal(d)
    return x.astype(np.float32)


def pca_case(name, x, components):
    x64 = x.astype(np.float64)
    case = {"name": name, "n": x.shape[0], "d": x.shape[1], "components": components, "data": f32(x), "solvers": {}}
    for solver in ["full", "randomized"]:
        p = PCA(components, svd_solver=solver, random_state=0).fit(x64)
        case["solvers"][solver] = {
            "mean": p.mean_.tolist(),
            "components": p.components_.ravel().tolist(),
            "explained_variance": p.explained_variance_.tolist(),
            "explained_variance_ratio": p.explained_variance_ratio_.tolist(),
            "transform": p.transform(x64[:TRANSFORM_ROWS]).ravel().tolist(),
        }
    return case


def pca_fixtures():
    rng = np.random.default_rng(20261122)
    cases = [pca_case("spectrum", spectrum_data(rng, 150, 12, [10, 6, 3.5, 2, 1.2]), 4)]
    x = spectrum_data(rng, 90, 10, [8, 4, 2.5, 1.5])
    x[:, 3] = 3.5  # a constant feature
    x[:, 7] = x[:, 1]  # a duplicated one
    cases.append(pca_case("constant-feature", x, 3))
    cases.append(pca_case("wide", spectrum_data(rng, 24, 60, [9, 5, 3, 2, 1.5, 1]), 5))
    # auto picks randomized here (max(N, D) > 500, components < 0.8·min(N, D)).
    cases.append(pca_case("auto-randomized", spectrum_data(rng, 520, 16, [12, 7, 4, 2.5]), 3))
    for case in cases:
        with open(os.path.join(OUT, f"pca-{case['name']}.json"), "w") as f:
            json.dump(case, f, separators=(",", ":"))


def quality_fixtures():
    rng = np.random.default_rng(7)
    n = 90
    centers = np.array([[0, 0, 0, 0, 0, 0], [4, 1, 0, 2, 0, 1], [0, 5, 2, 0, 1, 0]], dtype=float)
    labels = np.repeat([0, 1, 2], n // 3)
    x = (centers[labels] + rng.standard_normal((n, 6))).astype(np.float32)
    y = (x[:, :2] + 0.8 * rng.standard_normal((n, 2))).astype(np.float32)  # a lossy 2-D "map"
    x64, y64 = x.astype(np.float64), y.astype(np.float64)
    ks = [1, 3, 5, 10, 20, 44]
    labels_single = labels.copy()
    labels_single[-1] = 3  # a class with one member: its silhouette is 0
    out = {
        "n": n,
        "x": {"d": 6, "data": f32(x)},
        "y": {"d": 2, "data": f32(y)},
        "labels": labels.tolist(),
        "trustworthiness": {str(k): trustworthiness(x64, y64, n_neighbors=k) for k in ks},
        "silhouette": {
            "map": {"samples": silhouette_samples(y64, labels).tolist(), "score": silhouette_score(y64, labels)},
            "input": {"samples": silhouette_samples(x64, labels).tolist(), "score": silhouette_score(x64, labels)},
            "singleton": {
                "labels": labels_single.tolist(),
                "samples": silhouette_samples(y64, labels_single).tolist(),
                "score": silhouette_score(y64, labels_single),
            },
        },
    }
    with open(os.path.join(OUT, "quality.json"), "w") as f:
        json.dump(out, f, separators=(",", ":"))


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    pca_fixtures()
    quality_fixtures()
