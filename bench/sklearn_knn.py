"""Python side of bench/knn.ts: exact kNN with scikit-learn (brute force) and approximate kNN with
pynndescent (openTSNE's parameters) on the first 50 principal components of Fashion-MNIST
(train + t10k, 70,000 images); prints JSON {name: {"seconds": s, ...}}.

    /usr/bin/python3 bench/sklearn_knn.py pca                 # writes bench/.cache/fmnist-pca50.npy once
    /usr/bin/python3 bench/sklearn_knn.py run K THREADS [sklearn] [pynndescent]

`run` also writes scikit-learn's neighbour indices to bench/.cache/fmnist-pca50-knn{K}-sklearn.npy,
so bench/knn.ts can check its own exact result against them.
"""
import gzip
import json
import os
import sys
import time

THREADS = sys.argv[3] if len(sys.argv) > 3 else "2"
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[var] = THREADS  # before numpy / numba load their thread pools

import numpy as np  # noqa: E402

CACHE = os.path.join(os.path.dirname(os.path.abspath(__file__)), ".cache")
PCA_FILE = os.path.join(CACHE, "fmnist-pca50.npy")
DATA = "/usr/share/datasets/fashion-mnist"


def pca50():
    """PCA to 50 dimensions by SVD of the centred 70,000 × 784 float32 pixels (scaled to [0, 1])."""
    parts = []
    for name in ("train", "t10k"):
        with gzip.open(f"{DATA}/{name}-images-idx3-ubyte.gz", "rb") as f:
            parts.append(np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 784))
    x = np.concatenate(parts).astype(np.float32) / 255.0
    x -= x.mean(axis=0)
    _, _, vt = np.linalg.svd(x, full_matrices=False)
    y = np.ascontiguousarray(x @ vt[:50].T, dtype=np.float32)
    os.makedirs(CACHE, exist_ok=True)
    np.save(PCA_FILE, y)


def sklearn_exact(x, k, threads):
    from sklearn.neighbors import NearestNeighbors

    t0 = time.perf_counter()
    nn = NearestNeighbors(n_neighbors=k, algorithm="brute", n_jobs=threads).fit(x)
    _, idx = nn.kneighbors()  # no X: each point's neighbours without itself, as ours
    return time.perf_counter() - t0, idx


def pynndescent_approx(x, k, threads):
    """As openTSNE's NNDescent.build (openTSNE/nearest_neighbors.py): k + 1 neighbours, drop self."""
    import pynndescent

    n = x.shape[0]
    t0 = time.perf_counter()
    index = pynndescent.NNDescent(
        x,
        n_neighbors=k + 1,
        metric="euclidean",
        n_trees=5 + int(round(n ** 0.5 / 20)),
        n_iters=max(5, int(round(np.log2(n)))),
        max_candidates=60,
        random_state=0,
        n_jobs=threads,
    )
    idx, _ = index.neighbor_graph
    return time.perf_counter() - t0, idx[:, 1:]


def recall(approx, exact):
    return float(np.mean([len(np.intersect1d(a, e)) / len(e) for a, e in zip(approx, exact)]))


def main():
    if sys.argv[1] == "pca":
        if not os.path.exists(PCA_FILE):
            pca50()
        return
    k, threads = int(sys.argv[2]), int(sys.argv[3])
    which = sys.argv[4:] or ["sklearn", "pynndescent"]
    x = np.load(PCA_FILE)
    out, exact = {}, None
    if "sklearn" in which:
        seconds, exact = sklearn_exact(x, k, threads)
        np.save(os.path.join(CACHE, f"fmnist-pca50-knn{k}-sklearn.npy"), exact.astype(np.int32))
        out["sklearn"] = {"seconds": seconds}
    if "pynndescent" in which:
        seconds, idx = pynndescent_approx(x, k, threads)
        out["pynndescent"] = {"seconds": seconds, "recall": recall(idx, exact) if exact is not None else None}
    print(json.dumps(out))


main()
