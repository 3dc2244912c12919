import { statSync } from "node:fs";
import { buildReportHtml } from "../report/html/build.js";
import type { CompareView, Loaded } from "../report/html/types.js";
import { Run } from "../store/run.js";
import { findRun, openWorkspace } from "../store/workspace.js";
import { writeFileAtomic } from "../util/atomic.js";
import { UsageError } from "../util/errors.js";
import { FEATURELENS_VERSION } from "../util/version.js";
import type { OpenedModel } from "../nn/infer.js";
import { openRunModel } from "./analyzeRun.js";
import { sameSourceSubsets } from "./compareAlign.js";
import { layerRowsOf, readComparisonView } from "./compareReport.js";
import { checkSameImages, compareLayers } from "./reportCompare.js";
import { attempt, readRunView } from "./reportInput.js";

/**
 * `featurelens report`: one self-contained HTML file about a run — every chart inlined as SVG,
 * images as PNG data URLs, no external resource — that opens offline. With `compare`, a second
 * run of another model on the same images is set beside it.
 */

export interface ReportRunOptions {
  workspace?: string;
  /** The run: an id in the workspace or a folder. */
  run: string;
  /** A second run on the same images (e.g. the same network trained on 10K instead of 50K images). */
  compare?: string;
  /** The HTML file to write. */
  out: string;
  onStage?: (stage: string) => void;
}

export interface ReportRunResult {
  file: string;
  bytes: number;
  seconds: number;
}

/**
 * Builds and writes the report. A missing or damaged part of a run is a note in its section; only
 * a run that cannot be found or read at all, or a comparison of runs on different images, is refused.
 * @example await reportRun({ workspace: "featurelens-demo", run: "seed-cnn", out: "report.html" }) // { file: "report.html", bytes: 1234567, seconds: 2.1 }
 */
export async function reportRun(o: ReportRunOptions): Promise<ReportRunResult> {
  const t0 = performance.now();
  if (!o.out.trim()) throw new UsageError("--out is empty; give the HTML file to write, e.g. --out report.html");
  const ws = openWorkspace(o.workspace);
  const runA = Run.read(findRun(ws, o.run, "--run"));
  const runB = o.compare ? Run.read(findRun(ws, o.compare, "--compare")) : null;
  if (runB && runB.dir === runA.dir) throw new UsageError(`--compare ${o.compare} is the same run as --run ${o.run}; compare two runs`);
  if (runB && !sameSourceSubsets(runA, runB)) checkSameImages(runA, runB);
  o.onStage?.(`reading run ${runA.id}`);
  const modelA = await attempt(() => openRunModel(runA));
  const a = await readRunView(runA, { model: modelA });
  let compare: CompareView | undefined;
  if (runB) {
    o.onStage?.(`reading run ${runB.id}`);
    const modelB = await attempt(() => openRunModel(runB));
    const b = await readRunView(runB, { model: modelB, inspect: false });
    o.onStage?.("comparing the two models (featurelens compare)");
    const deep = await attempt(() => readComparisonView(runA, runB, modelA, modelB, o.onStage));
    const fromDeep = "value" in deep ? layerRowsOf(deep.value.comparison) : null;
    compare = { b, layers: fromDeep ? { value: fromDeep } : await bothLayers(modelA, modelB, a.images), deep };
  }
  const html = await buildReportHtml({ run: a, ...(compare ? { compare } : {}), generated: new Date().toISOString(), version: FEATURELENS_VERSION }, o.onStage);
  writeFileAtomic(o.out, html);
  return { file: o.out, bytes: statSync(o.out).size, seconds: (performance.now() - t0) / 1000 };
}

async function bothLayers(a: Loaded<OpenedModel>, b: Loaded<OpenedModel>, images: CompareView["b"]["images"]): Promise<CompareView["layers"]> {
  if ("missing" in a || "missing" in b) return { missing: `a model cannot be opened (${"missing" in a ? a.missing : ""}${"missing" in b ? ` ${b.missing}` : ""})` };
  if ("missing" in images) return { missing: images.missing };
  return attempt(() => compareLayers(a.value, b.value, images.value));
}
