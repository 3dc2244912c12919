import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { analyzeRun } from "../workflows/analyzeRun.js";

/**
 * One small real workspace for a server test file (a few seconds): the committed seed-CNN fixture
 * analyzed on 300 images of sample:test with PCA and t-SNE maps (run "small"), and 200 images of
 * sample:train as its domain "sample-train".
 */
export const SEED_MODEL = join(import.meta.dirname, "..", "engine", "fixtures", "seed-cnn", "model.onnx");

export async function serverWorkspace(prefix = "featurelens-serve-"): Promise<{ workspace: string; run: string; domain: string }> {
  const workspace = mkdtempSync(join(tmpdir(), prefix));
  await analyzeRun({ workspace, out: "small", model: SEED_MODEL, data: "sample:test", load: { limit: 300 }, maps: ["pca", "tsne"], threads: 2 });
  const d = await analyzeRun({ workspace, run: "small", data: "sample:train", load: { limit: 200 }, threads: 2 });
  return { workspace, run: "small", domain: d.domain ?? "" };
}

/** GET (or another method) of a path on a running server: status, headers and the body's bytes. */
export async function request(base: string, path: string, init: RequestInit = {}): Promise<{ status: number; headers: Headers; bytes: Uint8Array; json: () => unknown }> {
  const res = await fetch(new URL(path, base), init);
  const bytes = new Uint8Array(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, bytes, json: () => JSON.parse(new TextDecoder().decode(bytes)) as unknown };
}
