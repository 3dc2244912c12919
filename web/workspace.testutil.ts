import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { analyzeRun } from "../src/workflows/analyzeRun.js";
import { compareRuns } from "../src/workflows/compareRuns.js";
import { diagnoseRun } from "../src/workflows/diagnose.js";
import { labelIssues } from "../src/workflows/labelIssues.js";
import { shiftRun } from "../src/workflows/shift.js";
import { trainRun } from "../src/workflows/trainRun.js";

/**
 * A workspace for the app's tests and for trying the app: two real runs on the same 500 test
 * images of the embedded sample — "seed" (the seed CNN trained two epochs on 1,000 images: t-SNE and
 * PCA maps, and 300 training images as a domain placed into its maps) and "seed-b" (the same
 * network trained one epoch with another seed: a second model to compare). "seed" is diagnosed
 * (`diagnose`), its label issues queued (`label-issues --run seed`), the shift to its domain
 * measured (`shift`) and it is compared with "seed-b" (`compare`), as the Diagnose and Review views
 * read them. About 45 s on 2 cores.
 */
export interface AppWorkspace {
  workspace: string;
  run: string;
  other: string;
  domain: string;
}

export async function makeAppWorkspace(dir?: string): Promise<AppWorkspace> {
  const workspace = dir ?? mkdtempSync(join(tmpdir(), "featurelens-app-"));
  const done = { workspace, run: "seed", other: "seed-b", domain: "sample-train" };
  const train = { workspace, data: "sample:train", arch: "seed-cnn", batchSize: 64, lr: 1e-3, optimizer: "adam", analyze: false, threads: 2 } as const;
  const test = { workspace, data: "sample:test", load: { limit: 500 }, threads: 2 } as const;
  if (!existsSync(join(workspace, "runs", "seed", "run.json"))) {
    await trainRun({ ...train, out: "seed", load: { limit: 2000 }, epochs: 2, seed: 0 });
    await analyzeRun({ ...test, run: "seed", maps: ["tsne", "pca"] });
    await analyzeRun({ workspace, run: "seed", data: "sample:train", domain: done.domain, load: { limit: 300, seed: 0 }, threads: 2 });
  }
  if (!existsSync(join(workspace, "runs", "seed-b", "run.json"))) {
    await trainRun({ ...train, out: "seed-b", load: { limit: 3000 }, epochs: 1, seed: 7 });
    await analyzeRun({ ...test, run: "seed-b", maps: ["tsne"] });
  }
  if (!existsSync(join(workspace, "runs", "seed", "compare"))) {
    await diagnoseRun({ workspace, run: "seed", maxImages: 500, threads: 2 });
    await labelIssues({ workspace, run: "seed", out: join(workspace, "issues"), threads: 2 });
    await shiftRun({ workspace, run: "seed", data: "sample:train", domain: done.domain, load: { limit: 300, seed: 0 }, permutations: 200, threads: 2 });
    await compareRuns({ workspace, a: "seed", b: "seed-b", images: 100, threads: 2 });
  }
  return done;
}
