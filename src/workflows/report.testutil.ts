import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { analyzeRun } from "./analyzeRun.js";

/**
 * Small real runs for the report and plot tests, made in seconds by analyzing the committed model
 * fixtures (no training) on part of the embedded sample, with t-SNE maps.
 */

export const FIXTURE_MODELS = {
  seed: join(import.meta.dirname, "..", "engine", "fixtures", "seed-cnn", "model.onnx"),
  resnet: join(import.meta.dirname, "..", "engine", "fixtures", "mini-resnet18", "model.onnx"),
} as const;

/** A new workspace folder in the system's temporary folder. */
export function tempWorkspace(prefix = "featurelens-report-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * Analyzes `model` on `limit` images of sample:test into run `id` (a t-SNE map unless `map` is
 * false); with `domain`, adds that many images of sample:train as a domain.
 */
export async function analyzedRun(workspace: string, id: string, o: { model: keyof typeof FIXTURE_MODELS; limit: number; domain?: number; map?: boolean }): Promise<string> {
  const { run } = await analyzeRun({ workspace, out: id, model: FIXTURE_MODELS[o.model], data: "sample:test", load: { limit: o.limit }, maps: o.map === false ? [] : ["tsne"], threads: 2 });
  if (o.domain) await analyzeRun({ workspace, run: id, data: "sample:train", load: { limit: o.domain }, threads: 2 });
  return run.dir;
}
