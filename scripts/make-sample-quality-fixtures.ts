/**
 * Fixture for src/analysis/embed/sampleQuality.test.ts: the penultimate-layer features of the
 * embedded sample's 1,000 test images, from the seed CNN trained exactly as `featurelens demo`
 * trains it (seed 0, the demo's epochs, batch size and optimiser), and their labels, written as
 * src/analysis/embed/fixtures/sample-penultimate.npy (float32, 1000 × D) and sample-labels.npy
 * (int32). scripts/make-sample-quality-fixtures.py then runs scikit-learn's t-SNE on them.
 *
 *   node --import tsx scripts/make-sample-quality-fixtures.ts
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadDataset } from "../src/data/load.js";
import { writeNpy } from "../src/data/npy.js";
import { findHead } from "../src/engine/onnx/surgery.js";
import { collectValues, openModel } from "../src/nn/infer.js";
import { trainDemoModel } from "../src/cli/commands/demo.js";

const OUT = join("src", "analysis", "embed", "fixtures");
const run = mkdtempSync(join(tmpdir(), "featurelens-fixture-"));
try {
  const trained = await trainDemoModel(run);
  const test = await loadDataset({ kind: "sample", split: "test" });
  const head = findHead(trained.model);
  const features = (await collectValues(openModel(trained.model), test, [head.penultimate!])).get(head.penultimate!)!;
  const d = features.data.length / test.n;
  writeNpy(join(OUT, "sample-penultimate.npy"), { dtype: "float32", shape: [test.n, d], data: Float32Array.from(features.data) });
  writeNpy(join(OUT, "sample-labels.npy"), { dtype: "int32", shape: [test.n], data: Int32Array.from(test.labels) });
  console.log(`wrote ${test.n} × ${d} features of layer ${head.penultimate} and their labels to ${OUT}`);
} finally {
  rmSync(run, { recursive: true, force: true });
}
