import { basename } from "node:path";
import type { EmbedMethod } from "../analysis/node/pipeline.js";
import { type Dataset, sourceIndices } from "../data/dataset.js";
import { loadDataset, type LoadOptions } from "../data/load.js";
import { resolveLayer } from "../engine/onnx/surgery.js";
import type { OpenedModel } from "../nn/infer.js";
import { openModelFile, type PreprocessOverrides } from "../nn/open.js";
import { expandParts, partIndices, type PartInfo, readFeatureParts, readPartInfo } from "../store/parts.js";
import { readPredictions } from "../store/predictions.js";
import { openRunForWrite, sha256File } from "../store/run.js";
import { openWorkspace, runFolder } from "../store/workspace.js";
import { DataError } from "../util/errors.js";
import { analyze, type AnalyzedData, describeData, type Precomputed, type StageTiming } from "./analyze.js";
import { adoptRunModel, type AnalyzeRunResult } from "./analyzeRun.js";
import { checkCoverage, checkProvenance, type Expected } from "./partsCheck.js";

/**
 * `featurelens assemble`: the parts that sharded `predict --shard i/n` and `extract --shard i/n`
 * workers wrote, put together into a run as `analyze` would have made it on one machine — after
 * checking that they come from this model, these images and this preprocessing, and hold every
 * image exactly once — and then the rest of the analysis (evaluation, maps) on this machine.
 */

export interface AssembleOptions {
  workspace?: string;
  /** The run to make (or complete). */
  out: string;
  /** The .onnx file (or run folder) the workers ran. */
  model: string;
  /** The `--data` spec the workers were given, with the same load options. */
  data: string;
  load?: Omit<LoadOptions, "onProgress" | "onNotice">;
  /** Predictions part files or globs (`parts/p-*.parquet`). */
  predictions: readonly string[];
  /** Features part files or globs, of one layer (optional: without them the run has no maps). */
  features?: readonly string[];
  maps?: EmbedMethod[];
  preprocess?: PreprocessOverrides;
  seed?: number;
  threads?: number;
  force?: boolean;
  argv?: string[];
  onStage?: (stage: string) => void;
  onProgress?: (label: string, done: number, total: number | undefined) => void;
  onNotice?: (message: string) => void;
}

export interface AssembleResult extends AnalyzeRunResult {
  /** The part files read, as the globs expanded. */
  parts: { predictions: string[]; features: string[] };
}

/**
 * Checks and reads the parts, then runs `analyze` on them in the run `out`.
 * @example
 * await assembleRun({ out: "fm-test", model: "model.onnx", data: "fashion-mnist:test", predictions: ["parts/p-*.parquet"], features: ["parts/f-*.parquet"] })
 * // { run, scope: { summary: { accuracy: 0.9012, … } }, stages: [{ stage: "reading and checking parts", seconds: 0.4, … }, …], parts: { predictions: [4 files], features: [4 files] } }
 */
export async function assembleRun(o: AssembleOptions): Promise<AssembleResult> {
  const t0 = performance.now();
  const predictionFiles = await expandParts(o.predictions, "--predictions");
  const featureFiles = o.features?.length ? await expandParts(o.features, "--features") : [];
  const pre = o.preprocess ?? {};
  const opened = openModelFile(o.model, pre);
  const sha = await sha256File(opened.path);
  const dataset = await loadDataset(o.data, { ...o.load, ...(o.onProgress ? { onProgress: o.onProgress } : {}), ...(o.onNotice ? { onNotice: o.onNotice } : {}) });
  const data: AnalyzedData = { dataset, spec: o.data, seed: o.load?.seed ?? 0, ...(o.load?.limit !== undefined ? { limit: o.load.limit } : {}), ...(o.load?.only !== undefined ? { only: o.load.only } : {}) };
  o.onStage?.("reading and checking parts");
  const expected: Omit<Expected, "kind" | "flag"> = { modelSha256: sha, dataHash: describeData(data, dataset).hash, n: dataset.n, preprocess: { ...opened.preprocess } };
  const precomputed = await readParts(predictionFiles, featureFiles, dataset, opened, expected);
  const reading: StageTiming = { stage: "reading and checking parts", seconds: (performance.now() - t0) / 1000, skipped: false };

  const dir = runFolder(openWorkspace(o.workspace), o.out, "--out");
  const run = openRunForWrite(dir, { command: "assemble", argv: o.argv ?? [], ...(o.force ? { force: true } : {}) });
  try {
    await adoptRunModel(run, opened, sha, pre, "assemble these parts into a new run with another --out");
    const result = await analyze({
      run, opened, data, precomputed,
      ...(o.maps ? { maps: o.maps } : {}), ...(o.seed !== undefined ? { seed: o.seed } : {}), ...(o.threads ? { threads: o.threads } : {}),
      ...(o.onStage ? { onStage: o.onStage } : {}), ...(o.onProgress ? { onProgress: o.onProgress } : {}),
    });
    return { ...result, stages: [reading, ...result.stages], run, parts: { predictions: predictionFiles, features: featureFiles } };
  } finally {
    run.release();
  }
}

/** Reads the parts, checked, into the dataset's row order. */
async function readParts(predictionFiles: string[], featureFiles: string[], ds: Dataset, opened: OpenedModel, expected: Omit<Expected, "kind" | "flag">): Promise<Precomputed> {
  const want = sourceIndices(ds);
  await checkedParts(predictionFiles, want, { ...expected, kind: "predictions", flag: "--predictions" });
  const table = await readPredictions(predictionFiles);
  const order = rowsByIndex(want);
  const probabilities = new Float32Array(table.probabilities.length);
  // The parts are read ordered by index and hold exactly the dataset's indices: the r-th smallest
  // index is the dataset's row order[r].
  for (let r = 0; r < table.n; r++) probabilities.set(table.probabilities.subarray(r * table.k, (r + 1) * table.k), order[r] * table.k);
  const features = new Map<string, { d: number; data: Float32Array }>();
  if (featureFiles.length > 0) {
    const infos = await checkedParts(featureFiles, want, { ...expected, kind: "features", flag: "--features" });
    const layer = infos.find((i): i is PartInfo => i !== null)?.layer;
    if (!layer || infos.some((i) => i === null)) throw new DataError(`--features: ${featureFiles.filter((_, i) => infos[i] === null).map((f) => basename(f)).join(", ") || "the parts"} record no layer; write features parts with featurelens extract --shard i/n --out f-i.parquet`);
    const f = await readFeatureParts(featureFiles);
    const data = new Float32Array(f.data.length);
    for (let r = 0; r < f.index.length; r++) data.set(f.data.subarray(r * f.d, (r + 1) * f.d), order[r] * f.d);
    features.set(layerKey(opened, layer), { d: f.d, data });
  }
  return { probabilities, features };
}

/** Checks one kind of parts' records and coverage; returns their records. */
async function checkedParts(files: string[], want: Int32Array, e: Expected): Promise<(PartInfo | null)[]> {
  const infos = await readPartInfo(files);
  checkProvenance(files, infos, e);
  checkCoverage(files, await partIndices(files), want, infos, e.flag);
  return infos;
}

/** For each rank r of the sorted indices, the row that holds it. */
function rowsByIndex(indices: Int32Array): Int32Array {
  return Int32Array.from(indices.keys()).sort((a, b) => indices[a] - indices[b]);
}

/** The run's key for the parts' layer: "penultimate" when it is the model's penultimate value (so the maps are made from it), else the layer as the workers named it. */
function layerKey(opened: OpenedModel, layer: NonNullable<PartInfo["layer"]>): string {
  let penultimate: string | undefined;
  try {
    penultimate = resolveLayer(opened.model, "penultimate").value;
  } catch {
    penultimate = undefined;
  }
  return layer.value === penultimate ? "penultimate" : layer.arg;
}
