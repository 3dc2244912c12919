import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { analyzeRun } from "./analyzeRun.js";
import { trainRun } from "./trainRun.js";

/**
 * A small real run for tests that read runs: the seed CNN trained for one epoch on 1,000 images of
 * the sample, analyzed on sample:test (t-SNE and PCA maps), with 300 training images as the domain
 * "sample-train". About 10–15 s on 2 cores; share it across a test file with beforeAll.
 */
export async function makeSmallRun(prefix: string): Promise<{ workspace: string; run: string; domain: string }> {
  const workspace = mkdtempSync(join(tmpdir(), prefix));
  await trainRun({ workspace, out: "small", data: "sample:train", load: { limit: 1000 }, arch: "seed-cnn", epochs: 1, seed: 0 });
  const d = await analyzeRun({ workspace, run: "small", data: "sample:train", load: { limit: 300, seed: 0 } });
  return { workspace, run: "small", domain: d.domain ?? "" };
}
