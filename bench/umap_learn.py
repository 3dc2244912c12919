"""Python side of bench/umap.ts: umap-learn 0.5.3 (Debian umap-learn) on the first N rows of the
PCA-50 Fashion-MNIST cache (bench/.cache/fmnist-pca50.npy). Prints JSON {"seconds": s} and writes
the map to bench/.cache/umap-learn-N-MODE.npy. MODE "seeded" passes random_state (which makes
umap-learn single-threaded); "parallel" passes no seed and n_jobs=THREADS. Time measured inside
Python (data loading and imports excluded; numba's compilation included, as a user pays it).

    /usr/bin/python3 bench/umap_learn.py N seeded|parallel [THREADS]
"""
import json
import os
import sys
import time

THREADS = sys.argv[3] if len(sys.argv) > 3 else "2"
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[var] = THREADS

import numpy as np  # noqa: E402
import umap  # noqa: E402

CACHE = os.path.join(os.path.dirname(os.path.abspath(__file__)), ".cache")
n, mode = int(sys.argv[1]), sys.argv[2]
x = np.load(os.path.join(CACHE, "fmnist-pca50.npy"))[:n]
kwargs = {"random_state": 0} if mode == "seeded" else {"n_jobs": int(THREADS)}
t0 = time.perf_counter()
y = umap.UMAP(n_neighbors=15, n_components=2, **kwargs).fit_transform(x)
seconds = time.perf_counter() - t0
np.save(os.path.join(CACHE, f"umap-learn-{n}-{mode}.npy"), y.astype(np.float32))
print(json.dumps({"seconds": seconds}))
