import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readNpy } from "../../data/npy.js";
import { exactKnn } from "../neighbors/exact.js";
import { embed } from "../node/pipeline.js";
import { knnAccuracy } from "./quality.js";

// scripts/make-sample-quality-fixtures.{ts,py}: the demo's seed CNN, penultimate features of the
// sample's 1,000 test images, and scikit-learn 1.2's t-SNE maps of them (5 seeds).
const fixtures = new URL("./fixtures/", import.meta.url);
const features = readNpy(new URL("sample-penultimate.npy", fixtures).pathname);
const labels = readNpy(new URL("sample-labels.npy", fixtures).pathname).data as Int32Array;
const oracle = JSON.parse(readFileSync(new URL("sample-quality.json", fixtures), "utf8")) as { map_knn_accuracy: number[]; input_knn_accuracy: number };

describe("t-SNE of the sample's penultimate features against scikit-learn", () => {
  it("embed(--method tsne) separates classes as well as scikit-learn's TSNE: 10-NN label accuracy within 2 points", async () => {
    const [n, d] = features.shape;
    const map = await embed({ n, d, data: features.data as Float32Array }, { method: "tsne", seed: 0, threads: 1 });
    const accuracy = knnAccuracy(exactKnn({ n, d: 2, data: map.embedding }, 10), labels);
    const sklearn = oracle.map_knn_accuracy.reduce((a, b) => a + b, 0) / oracle.map_knn_accuracy.length;
    expect(Math.abs(accuracy - sklearn)).toBeLessThanOrEqual(0.02);
    // And the map keeps the feature space's separation (its own 10-NN accuracy) within 5 points.
    expect(Math.abs(accuracy - oracle.input_knn_accuracy)).toBeLessThanOrEqual(0.05);
  }, 60_000);
});
