/**
 * Fixture for src/analysis/embed/sampleQuality.test.ts: the penultimate-layer features of the
 * embedded sample's 1,000 test images, from the seed CNN trained exactly as `featurelens demo`
 * trains it (src/workflows/demo.ts `demoTraining`), and their labels, written as
 * src/analysis/embed/fixtures/sample-penultimate.npy (float32, 1000 × D) and sample-labels.npy
 * (int32). scripts/make-sample-quality-fixtures.py then runs scikit-learn's t-SNE on them.
 *
 *   node --import tsx scripts/make-sample-quality-fixtures.ts
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeNpy } from "../src/data/npy.js";
import { readFeatures } from "../src/store/features.js";
import { readPredictions } from "../src/store/predictions.js";
import { demoTraining } from "../src/workflows/demo.js";
import { trainRun } from "../src/workflows/trainRun.js";

const OUT = join("src", "analysis", "embed", "fixtures");
const workspace = mkdtempSync(join(tmpdir(), "featurelens-fixture-"));
try {
  const { run } = await trainRun({ ...demoTraining(workspace), maps: [] });
  const features = readFeatures(run, run.record, "penultimate");
  const { label } = await readPredictions(run.path("predictions.parquet"));
  writeNpy(join(OUT, "sample-penultimate.npy"), { dtype: "float32", shape: [features.n, features.d], data: features.data });
  writeNpy(join(OUT, "sample-labels.npy"), { dtype: "int32", shape: [features.n], data: Int32Array.from(label) });
  console.log(`wrote ${features.n} × ${features.d} features of layer ${features.record.layer} and their labels to ${OUT}`);
} finally {
  rmSync(workspace, { recursive: true, force: true });
}
