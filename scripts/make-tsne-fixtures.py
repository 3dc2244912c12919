"""Oracle for src/analysis/embed/tsne: scikit-learn 1.2's t-SNE affinities and final KL divergence
on a small seeded data set, written as JSON to src/analysis/embed/tsne/fixtures/sklearn-tsne.json.

    apt-get install python3-sklearn
    /usr/bin/python3 scripts/make-tsne-fixtures.py

The data: 3 Gaussian blobs of 60 points in 10 dimensions (float32). For each perplexity, the
expected affinities are `sklearn.manifold._t_sne._joint_probabilities_nn` on the exact kNN graph
with k = floor(3 * perplexity) neighbours and squared Euclidean distances (what TSNE does, except
that TSNE takes one neighbour more), as COO triplets of the symmetric P. The expected KL is
`TSNE(perplexity=..., init="pca", method="barnes_hut", random_state=0).kl_divergence_` after
scikit-learn's default 1,000 iterations, over a few seeds (a range, not a point).
"""
import json
import os

import numpy as np
from sklearn.manifold import TSNE
from sklearn.manifold._t_sne import _joint_probabilities_nn
from sklearn.neighbors import NearestNeighbors

OUT = os.path.join(os.path.dirname(__file__), "..", "src", "analysis", "embed", "tsne", "fixtures")

rng = np.random.RandomState(0)
centres = rng.normal(0, 4, (3, 10))
X = np.concatenate([c + rng.normal(0, 1, (60, 10)) for c in centres]).astype(np.float32)
n = X.shape[0]

cases = []
for perplexity in (5.0, 10.0):
    k = int(3 * perplexity)
    nn = NearestNeighbors(n_neighbors=k, metric="euclidean").fit(X)
    D = nn.kneighbors_graph(mode="distance")
    D.data **= 2
    P = _joint_probabilities_nn(D, perplexity, 0).tocoo()
    kls = []
    for seed in range(3):
        tsne = TSNE(perplexity=perplexity, init="pca", method="barnes_hut", learning_rate="auto", random_state=seed)
        tsne.fit(X)
        kls.append(float(tsne.kl_divergence_))
    cases.append(
        {
            "perplexity": perplexity,
            "k": k,
            "rows": P.row.tolist(),
            "cols": P.col.tolist(),
            "vals": [float(repr(v)) for v in P.data.astype(np.float32)],  # float32 values, shortest repr
            "kl": kls,
        }
    )

os.makedirs(OUT, exist_ok=True)
with open(os.path.join(OUT, "sklearn-tsne.json"), "w") as f:
    json.dump({"n": n, "d": X.shape[1], "data": [float(repr(v)) for v in X.ravel()], "cases": cases}, f)
print("wrote", os.path.join(OUT, "sklearn-tsne.json"), [c["kl"] for c in cases])
