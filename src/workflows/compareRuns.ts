import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import type { Comparison } from "../analysis/diagnose/compareTypes.js";
import type { OpenedModel } from "../nn/infer.js";
import { comparisonCharts } from "../report/compareCharts.js";
import { writePng } from "../report/raster.js";
import { writeChart } from "../report/vega.js";
import { openRunForWrite, Run } from "../store/run.js";
import { findRun, openWorkspace, slug } from "../store/workspace.js";
import { writeFileAtomic } from "../util/atomic.js";
import { UsageError } from "../util/errors.js";
import { checkOutputs, recordOutputs } from "../util/outputs.js";
import { openRunModel } from "./analyzeRun.js";
import { alignRuns } from "./compareAlign.js";
import { COMPARE_DEFAULTS, computeComparison } from "./compareCompute.js";
import { agreementPicture, crossNeighbors, type CrossNeighbors, mapsImage, mapsPictures } from "./compareFigures.js";

/**
 * `featurelens compare RUN_A RUN_B`: two models on the same images — metrics, agreement, ROC,
 * confusions, activations, CKA, one image's maps on a shared scale, and (with `domain`) shifted
 * images among the run's own — stored in run A as `compare/<B>/` (every file recorded in run.json,
 * kind "compare"), and copied to `out` when given.
 */

export interface CompareRunsOptions {
  workspace?: string;
  a: string;
  b: string;
  /** Also copy compare.json and the pictures into this folder. */
  out?: string;
  /** A domain of the runs (a slug under domains/): its images beside their nearest of each run's own data. */
  domain?: string;
  images?: number;
  seed?: number;
  threads?: number;
  force?: boolean;
  onStage?: (stage: string) => void;
  onProgress?: (label: string, done: number, total: number | undefined) => void;
}

export interface CompareRunsResult {
  comparison: Comparison;
  neighbors: Omit<CrossNeighbors, "picture">[];
  /** The folder in run A, and every file written there; the copies in `out`. */
  folder: string;
  files: string[];
  copies: string[];
  seconds: number;
}

/** The folder of run A that holds its comparison with run `b`. */
export function compareFolder(b: string): string {
  return `compare/${slug(b) || "run"}`;
}

export async function compareRuns(o: CompareRunsOptions): Promise<CompareRunsResult> {
  const t0 = performance.now();
  const ws = openWorkspace(o.workspace);
  const dirA = findRun(ws, o.a, "RUN_A");
  const b = Run.read(findRun(ws, o.b, "RUN_B"));
  if (resolve(dirA) === resolve(b.dir)) throw new UsageError(`RUN_A ${o.a} and RUN_B ${o.b} are the same run; compare two runs`);
  if (o.out) checkOutputs([{ path: o.out, flag: "--out", kind: "folder" }], [], { command: "compare", ...(o.force ? { force: true } : {}) });
  const a = openRunForWrite(dirA, { command: "compare" });
  try {
    // neither run has the domain: the error lists run A's domains
    if (o.domain !== undefined && !a.record.domains[o.domain] && !b.record.domains[o.domain]) a.scope(o.domain);
    o.onStage?.("aligning the runs' images");
    const aligned = await alignRuns(a, b);
    const models = await openModels(a, b);
    const comparison = await computeComparison(a, b, aligned, models, {
      ...(o.images !== undefined ? { images: o.images } : {}), ...(o.seed !== undefined ? { seed: o.seed } : {}), ...(o.threads ? { threads: o.threads } : {}),
      ...(o.onStage ? { onStage: o.onStage } : {}), ...(o.onProgress ? { onProgress: o.onProgress } : {}),
    });
    const folder = compareFolder(b.id);
    // a comparison made again replaces the last one whole (a picture it no longer draws must not stay)
    if (a.record.artifacts[folder]) a.dropArtifact(a.record, folder);
    rmSync(a.path(folder), { recursive: true, force: true });
    mkdirSync(a.path(folder), { recursive: true });
    const files: string[] = [];
    const figures: { agreement?: string; maps: { layer: string; file: string }[] } = { maps: [] };
    o.onStage?.("drawing");
    for (const [name, spec] of Object.entries(comparisonCharts(comparison))) files.push(...(await writeChart(a.path(`${folder}/${name}`), spec)));
    if (!("missing" in aligned.images)) {
      const images = aligned.images;
      const predicted = { a: Int32Array.from(aligned.rowsA, (r) => aligned.predA.predicted[r]), b: Int32Array.from(aligned.rowsB, (r) => aligned.predB.predicted[r]) };
      files.push(await png(a.path(`${folder}/agreement.png`), agreementPicture(comparison, images, predicted)));
      figures.agreement = "agreement.png";
      if (!("missing" in models)) {
        const row = mapsImage(comparison);
        for (const [i, m] of (await mapsPictures(comparison, models.a, models.b, images, row)).entries()) {
          const file = `maps-${i + 1}-${slug(m.layer)}.png`;
          files.push(await png(a.path(`${folder}/${file}`), m.picture));
          figures.maps.push({ layer: m.layer, file });
        }
      }
    }
    const neighbors: Omit<CrossNeighbors, "picture">[] = [];
    if (o.domain !== undefined) {
      o.onStage?.(`nearest images of the domain ${o.domain}`);
      for (const run of [a, b]) {
        if (!run.record.domains[o.domain]) continue;
        const { picture, ...rest } = await crossNeighbors(run, o.domain, { ...(o.seed !== undefined ? { seed: o.seed } : {}) });
        neighbors.push(rest);
        if (picture) files.push(await png(a.path(`${folder}/neighbors-${slug(o.domain)}-${run === a ? "a" : "b"}.png`), picture));
      }
    }
    const json = a.path(`${folder}/compare.json`);
    writeFileAtomic(json, `${JSON.stringify({ ...comparison, figures, ...(neighbors.length ? { neighbors } : {}) }, (_, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? null : v), 1)}\n`);
    files.unshift(json);
    const params = { b: b.id, b_model: b.record.model?.sha256 ?? null, a_model: a.record.model?.sha256 ?? null, images: comparison.params.images, seed: comparison.params.seed, domain: o.domain ?? null };
    a.recordArtifact(a.record, { file: folder, kind: "compare", params });
    const copies = o.out ? files.map((f) => join(o.out!, basename(f))) : [];
    if (o.out) {
      mkdirSync(o.out, { recursive: true });
      files.forEach((f, i) => copyFileSync(f, copies[i]));
      recordOutputs(copies, "compare");
    }
    return { comparison, neighbors, folder: a.path(folder), files, copies, seconds: (performance.now() - t0) / 1000 };
  } finally {
    a.release();
  }
}

async function png(path: string, r: Parameters<typeof writePng>[1]): Promise<string> {
  await writePng(path, r);
  return path;
}

/** Both runs' models, or why one cannot be opened (then the comparison has no activations). */
export async function openModels(a: Run, b: Run): Promise<{ a: OpenedModel; b: OpenedModel } | { missing: string }> {
  try {
    return { a: openRunModel(a), b: openRunModel(b) };
  } catch (err) {
    return { missing: `a model cannot be opened (${(err as Error).message})` };
  }
}

export { COMPARE_DEFAULTS };
