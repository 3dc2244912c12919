"""scikit-learn side of bench/pca.ts: PCA(COMPONENTS, svd_solver="randomized") of the full
Fashion-MNIST (70,000 × 784, float32 pixels / 255, as featurelens holds them); prints JSON
{"seconds": [...], "explained_variance_ratio": [...]} (fit time of each of REPEATS runs, loading not
counted).

    /usr/bin/python3 bench/sklearn_pca.py COMPONENTS REPEATS
"""
import gzip
import json
import sys
import time

import numpy as np
from sklearn.decomposition import PCA

DIR = "/usr/share/datasets/fashion-mnist"
components, repeats = int(sys.argv[1]), int(sys.argv[2])


def images(name):
    with gzip.open(f"{DIR}/{name}-images-idx3-ubyte.gz", "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 784)


x = np.concatenate([images("train"), images("t10k")]).astype(np.float32) / np.float32(255)
seconds = []
for r in range(repeats):
    t0 = time.perf_counter()
    model = PCA(components, svd_solver="randomized", random_state=r).fit(x)
    seconds.append(time.perf_counter() - t0)
print(json.dumps({"seconds": seconds, "explained_variance_ratio": model.explained_variance_ratio_.tolist()}))
