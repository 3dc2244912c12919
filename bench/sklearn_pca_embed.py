"""scikit-learn side of bench/pca-embed.ts, as one command like `featurelens embed --method pca`:
loads an N×D float32 .npy, runs PCA(COMPONENTS, svd_solver="randomized").fit_transform, writes
the N×COMPONENTS float32 projections to OUT.npy and prints JSON {"pca_seconds": …, "explained_variance_ratio": […]}
(pca_seconds: the fit_transform alone, inside the process).

    /usr/bin/python3 bench/sklearn_pca_embed.py make OUT.npy     # Fashion-MNIST train + t10k pixels / 255, float32
    /usr/bin/python3 bench/sklearn_pca_embed.py run IN.npy OUT.npy COMPONENTS
"""
import gzip
import json
import sys
import time

import numpy as np

DIR = "/usr/share/datasets/fashion-mnist"


def images(name):
    with gzip.open(f"{DIR}/{name}-images-idx3-ubyte.gz", "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 784)


if sys.argv[1] == "make":
    x = np.concatenate([images("train"), images("t10k")]).astype(np.float32) / np.float32(255)
    np.save(sys.argv[2], x)
else:
    from sklearn.decomposition import PCA

    x = np.load(sys.argv[2])
    t0 = time.perf_counter()
    model = PCA(int(sys.argv[4]), svd_solver="randomized", random_state=0)
    y = model.fit_transform(x).astype(np.float32)
    seconds = time.perf_counter() - t0
    np.save(sys.argv[3], y)
    print(json.dumps({"pca_seconds": seconds, "explained_variance_ratio": model.explained_variance_ratio_.tolist()}))
