"""Python side of bench/tsne.ts: scikit-learn 1.2 TSNE (Barnes-Hut, 2 jobs) on the first N rows of
the PCA-50 Fashion-MNIST cache (bench/.cache/fmnist-pca50.npy, made by `sklearn_knn.py pca`).
Prints JSON {"seconds": s, "kl": kl_divergence_} and writes the map to
bench/.cache/tsne-sklearn-N-SEED.npy. The time is measured inside Python (data loading excluded).

    /usr/bin/python3 bench/sklearn_tsne.py N SEED [THREADS]
    /usr/bin/python3 bench/sklearn_tsne.py export N   # the first N rows as raw float64 for bench/rtsne.R
"""
import json
import os
import sys
import time

import numpy as np

CACHE = os.path.join(os.path.dirname(os.path.abspath(__file__)), ".cache")
X_ALL = os.path.join(CACHE, "fmnist-pca50.npy")



def export(n):
    """The first n rows as raw little-endian float64, for bench/rtsne.R."""
    np.load(X_ALL)[:n].astype("<f8").tofile(os.path.join(CACHE, f"fmnist-pca50-{n}.f64"))


def run(n, seed, threads):
    from sklearn.manifold import TSNE

    x = np.load(X_ALL)[:n]
    t0 = time.perf_counter()
    tsne = TSNE(n_components=2, perplexity=30, init="pca", learning_rate="auto", method="barnes_hut", n_jobs=threads, random_state=seed)
    y = tsne.fit_transform(x)
    seconds = time.perf_counter() - t0
    np.save(os.path.join(CACHE, f"tsne-sklearn-{n}-{seed}.npy"), y.astype(np.float32))
    print(json.dumps({"seconds": seconds, "kl": float(tsne.kl_divergence_)}))


if sys.argv[1] == "export":
    export(int(sys.argv[2]))
else:
    run(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 2)
