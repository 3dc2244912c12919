import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeNpy } from "../../data/npy.js";
import { GraphBuilder } from "../../engine/onnx/builder.js";
import { writeModel } from "../../engine/onnx/io.js";
import { runCli } from "../cli.testutil.js";

const dir = mkdtempSync(join(tmpdir(), "cli-errors-"));
const out = (name: string) => join(dir, name);

/** A classifier whose AveragePool has ceil_mode 1: it runs, but its gradient is not implemented. */
function ceilPoolModel(): string {
  const b = new GraphBuilder({ seed: 0 });
  let x = b.input("input", ["N", 1, 28, 28]);
  x = b.relu(b.conv2d(x, { name: "conv1", outChannels: 4, kernel: 3, padding: 1 }), { name: "relu1" });
  x = b.avgPool(x, { name: "pool", kernel: 3, stride: 2, ceilMode: true });
  b.output(b.softmax(b.dense(b.flatten(x, { name: "flatten" }), { name: "fc", units: 10 }), { name: "softmax" }), "output");
  const path = out("ceil-pool.onnx");
  writeModel(path, b.build());
  return path;
}

/** Images of `size`×`size` px in a .npy file, with labels 0, 1, 0, 1, … beside them unless `labelled` is false. */
function npyData(name: string, size: number, labelled = true): string {
  const n = 8;
  const images = out(`${name}-images.npy`);
  writeNpy(images, { dtype: "uint8", shape: [n, size, size], data: new Uint8Array(n * size * size).fill(7) });
  if (!labelled) return `npy:${images}`;
  const labels = out(`${name}-labels.npy`);
  writeNpy(labels, { dtype: "int32", shape: [n], data: Int32Array.from({ length: n }, (_, i) => i % 2) });
  return `npy:${images},${labels}`;
}

describe("featurelens errors a user causes", () => {
  const cases: [string, string[], RegExp][] = [
    ["--freeze beyond an mlp's layers", ["train", "--data", "sample:train", "--limit", "100", "--arch", "mlp", "--freeze", "3"], /--freeze 3: the model has 2 layers with weights .*use 0\.\.1/],
    ["--only keeping one class", ["train", "--data", "sample:train", "--only", "3", "--arch", "seed-cnn"], /seedCnn: classes: 1 — the data has one class.*--only/],
    ["images too small for seed-cnn", ["train", "--data", npyData("tiny", 3), "--arch", "seed-cnn", "--val", "0"], /images of 3×3 px are too small .*--size/],
    ["images without labels", ["train", "--data", npyData("unlabelled", 8, false), "--classes", "a,b", "--arch", "mlp", "--val", "0"], /unlabelled-images\.npy: training set: 8 of its 8 images have no label/],
    ["a model whose AveragePool has ceil_mode 1", ["train", "--data", "sample:train", "--limit", "100", "--arch", ceilPoolModel()], /AveragePool node '\/pool\/AveragePool': its gradient with ceil_mode 1 is not implemented.*ceil_mode=False/],
    ["transfer --layers beyond the network", ["transfer", "--data", "sample:train", "--limit", "200", "--source", "0-4", "--target", "5-9", "--layers", "9"], /--layers 9: k must be in 1\.\.7/],
    ["transfer --source of one class", ["transfer", "--data", "sample:train", "--limit", "200", "--source", "0", "--target", "5-9"], /--source '0' names 1 class; a task needs at least two/],
  ];
  for (const [what, args, message] of cases) {
    it(`featurelens ${args[0]} with ${what} exits 1 with one line naming it, not "unexpected"`, () => {
      const r = runCli([...args, "--out", out(what.replace(/\W+/g, "-"))]);
      expect(r.code, r.err).toBe(1);
      expect(r.err).toMatch(/^featurelens: error: /);
      expect(r.err).toMatch(message);
      expect(r.err.trim().split("\n")).toHaveLength(1);
    });
  }
});
