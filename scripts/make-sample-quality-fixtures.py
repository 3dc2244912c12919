"""Oracle for src/analysis/embed/sampleQuality.test.ts: scikit-learn 1.2's t-SNE of the embedded
sample's penultimate-layer features (made by scripts/make-sample-quality-fixtures.ts), and the
leave-one-out 10-NN label accuracy of each map, computed as featurelens' `knnAccuracy` does
(majority of the 10 nearest other points; among tied labels, the first to reach the top count).
As `featurelens embed` does, features wider than 50 are first reduced to 50 principal components.
Writes src/analysis/embed/fixtures/sample-quality.json.

    apt-get install python3-sklearn
    /usr/bin/python3 scripts/make-sample-quality-fixtures.py
"""
import json
import os

import numpy as np
import sklearn
from sklearn.decomposition import PCA
from sklearn.manifold import TSNE
from sklearn.neighbors import NearestNeighbors

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "analysis", "embed", "fixtures")
SEEDS = [0, 1, 2, 3, 4]


def knn_accuracy(points, labels, k=10):
    _, idx = NearestNeighbors(n_neighbors=k + 1).fit(points).kneighbors(points)
    correct = 0
    for i, row in enumerate(idx):
        neighbours = [j for j in row if j != i][:k]
        votes, best, best_votes = {}, -1, 0
        for j in neighbours:
            votes[labels[j]] = votes.get(labels[j], 0) + 1
            if votes[labels[j]] > best_votes:
                best, best_votes = labels[j], votes[labels[j]]
        correct += best == labels[i]
    return correct / len(labels)


x = np.load(os.path.join(HERE, "sample-penultimate.npy")).astype(np.float32)
labels = np.load(os.path.join(HERE, "sample-labels.npy")).astype(int).tolist()
inputs = PCA(n_components=50, random_state=0).fit_transform(x) if x.shape[1] > 50 else x
maps = []
for seed in SEEDS:
    y = TSNE(n_components=2, perplexity=30, init="pca", learning_rate="auto", method="barnes_hut", random_state=seed).fit_transform(inputs)
    maps.append(knn_accuracy(y, labels))
out = {
    "sklearn": sklearn.__version__,
    "n": int(x.shape[0]),
    "d": int(x.shape[1]),
    "seeds": SEEDS,
    "map_knn_accuracy": maps,
    "input_knn_accuracy": knn_accuracy(inputs, labels),
}
with open(os.path.join(HERE, "sample-quality.json"), "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
print(json.dumps(out))
