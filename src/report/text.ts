import { classCounts, type Dataset } from "../data/dataset.js";
import type { ModelIR } from "../engine/onnx/ir.js";
import { inputSpec } from "../engine/onnx/modelInfo.js";
import { findHead, listLayers } from "../engine/onnx/surgery.js";
import { formatShape } from "../engine/tensor.js";
import type { LayerSummary } from "./inspection.js";

/**
 * Tables for a terminal: a model's layers, a dataset's classes, one image's per-layer statistics.
 */

/** The layer table `featurelens layers` prints. */
export function formatLayers(model: ModelIR): string {
  const layers = listLayers(model);
  const head = findHead(model);
  const spec = inputSpec(model);
  const penultimate = layers.find((l) => l.output === head.penultimate);
  const logits = layers.find((l) => l.output === head.logits);
  const nameW = Math.min(60, Math.max(5, ...layers.map((l) => l.name.length)));
  const lines = [
    `input ${spec.name}: ${spec.layout} ${spec.channels}×${spec.height ?? "?"}×${spec.width ?? "?"}`,
    "",
    `  ${"#".padStart(3)}  ${"layer".padEnd(nameW)}  ${"op".padEnd(18)}  ${"output shape".padEnd(18)}  ${"params".padStart(9)}`,
    ...layers.map((l) => {
      const mark = l === penultimate ? "  ← penultimate" : l === logits ? "  ← logits" : "";
      return `  ${String(l.index).padStart(3)}  ${l.name.padEnd(nameW)}  ${l.op.padEnd(18)}  ${(l.shape ? formatShape(l.shape) : "?").padEnd(18)}  ${String(l.params).padStart(9)}${mark}`;
    }),
    "",
    `${layers.reduce((s, l) => s + l.params, 0).toLocaleString("en-US")} parameters; output '${head.output}' is ${head.activation === "none" ? "logits" : head.activation === "softmax" ? "softmax probabilities" : "log-probabilities"}`,
  ];
  return `${lines.join("\n")}\n`;
}

/** The numbers a script wants about a dataset. */
export function datasetSummary(ds: Dataset): Record<string, unknown> {
  const counts = classCounts(ds);
  return {
    name: ds.name,
    n: ds.n,
    height: ds.height,
    width: ds.width,
    channels: ds.channels,
    classes: ds.classes,
    class_counts: Array.from(counts),
    unlabelled: ds.n - counts.reduce((a, b) => a + b, 0),
  };
}

/** A readable table of class counts. */
export function formatSummary(ds: Dataset): string {
  const counts = classCounts(ds);
  const nameW = Math.max(5, ...ds.classes.map((c) => c.length));
  const lines = [
    `${ds.name}: ${ds.n} images, ${ds.height}×${ds.width}×${ds.channels}, ${ds.classes.length} classes`,
    "",
    `  ${"label".padStart(5)}  ${"class".padEnd(nameW)}  ${"count".padStart(6)}  share`,
    ...ds.classes.map(
      (c, k) => `  ${String(k).padStart(5)}  ${c.padEnd(nameW)}  ${String(counts[k]).padStart(6)}  ${((100 * counts[k]) / Math.max(1, ds.n)).toFixed(1).padStart(5)}%`,
    ),
  ];
  const unlabelled = ds.n - counts.reduce((a, b) => a + b, 0);
  if (unlabelled > 0) lines.push(`  ${"".padStart(5)}  ${"(no label)".padEnd(nameW)}  ${String(unlabelled).padStart(6)}`);
  return `${lines.join("\n")}\n`;
}

/** The per-layer statistics as a table for the terminal. */
export function formatStats(layers: LayerSummary[]): string {
  const w = Math.min(48, Math.max(5, ...layers.map((l) => l.name.length)));
  const head = `  ${"layer".padEnd(w)}  ${"shape".padEnd(14)}  ${"mean".padStart(9)}  ${"std".padStart(9)}  ${"min".padStart(9)}  ${"max".padStart(9)}  zeros`;
  const f = (x: number) => (Math.abs(x) >= 1e4 ? x.toExponential(2) : x.toFixed(4)).padStart(9);
  const rows = layers.map(
    (l) => `  ${l.name.slice(-w).padEnd(w)}  ${formatShape(l.shape).padEnd(14)}  ${f(l.mean)}  ${f(l.std)}  ${f(l.min)}  ${f(l.max)}  ${(100 * l.zeros).toFixed(1).padStart(5)}%`,
  );
  return `${head}\n${rows.join("\n")}\n`;
}
