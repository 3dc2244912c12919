import { existsSync } from "node:fs";
import { sigmoid, softmax } from "../analysis/metrics/softmax.js";
import { readNpy, toInt32Labels } from "../data/npy.js";
import { loadDataset, type LoadOptions } from "../data/load.js";
import { readPredictions } from "../store/predictions.js";
import { openRunForWrite } from "../store/run.js";
import { findRun, openWorkspace, slug } from "../store/workspace.js";
import { DataError, UsageError } from "../util/errors.js";
import { analyze } from "./analyze.js";
import { openRunModel } from "./analyzeRun.js";
import { testSplitOf } from "./trainRun.js";

/**
 * What `featurelens evaluate` scores — labels and probabilities with class names — from saved
 * arrays, a predictions table, or a run (whose analysis is made first when it has none; another
 * dataset goes into a domain of the run, never over the run's own results).
 */

export interface EvaluationInputs {
  labels: Int32Array;
  /** N×columns: K columns, or one (P(class 1) of a binary model). */
  probs: Float32Array | Float64Array;
  columns: number;
  classes: string[] | null;
  title: string;
}

/** Labels (N) and probabilities (N×K, or N) from two .npy files. */
export function inputsFromNpy(labelsFile: string, probsFile: string): EvaluationInputs {
  const labelsArray = readNpy(labelsFile);
  if (labelsArray.shape.length !== 1) throw new DataError(`labels must be a 1-D array of N classes, got shape [${labelsArray.shape.join(", ")}]`, labelsFile);
  const p = readNpy(probsFile);
  if (p.dtype !== "float32" && p.dtype !== "float64") throw new DataError(`probabilities must be float32 or float64, got ${p.dtype}`, probsFile);
  if (p.shape.length !== 1 && p.shape.length !== 2) throw new DataError(`probabilities must be N×K (or N for a binary model), got shape [${p.shape.join(", ")}]`, probsFile);
  const labels = toInt32Labels(labelsArray, labelsFile);
  if (p.shape[0] !== labels.length) {
    throw new DataError(`${labels.length} labels but ${p.shape[0]} rows of probabilities in ${probsFile}: they must come from the same images`, labelsFile);
  }
  return { labels, probs: p.data as Float32Array | Float64Array, columns: p.shape.length === 1 ? 1 : p.shape[1], classes: null, title: probsFile };
}

/** Labels and probabilities from a predictions table (`predict --out x.parquet`, a run's predictions.parquet). */
export async function inputsFromParquet(file: string): Promise<EvaluationInputs> {
  if (!existsSync(file)) throw new DataError("no such file", file);
  const p = await readPredictions(file);
  if (p.n === 0) throw new DataError("no rows", file);
  return { labels: p.label, probs: p.probabilities, columns: p.k, classes: null, title: file };
}

/** Softmax of each row, or the sigmoid of a single column (`--logits`). */
export function toProbabilities(scores: Float32Array | Float64Array, columns: number): Float32Array | Float64Array {
  return columns === 1 ? sigmoid(scores) : softmax(scores, columns);
}

/**
 * A run's predictions on `data` (default: its own analysis, else the test split of what it was
 * trained on). Data other than the run's own is analyzed as a domain of the run.
 */
export async function inputsFromRun(o: {
  workspace?: string;
  run: string;
  data?: string;
  load?: Omit<LoadOptions, "onProgress" | "onNotice">;
  threads?: number;
  batchSize?: number;
  onProgress?: (label: string, done: number, total: number | undefined) => void;
}): Promise<EvaluationInputs & { file: string }> {
  const dir = findRun(openWorkspace(o.workspace), o.run);
  const run = openRunForWrite(dir, { command: "evaluate" });
  try {
    const own = run.record.data;
    const trainedOn = (run.record.config.train as { data?: string; only?: string | null } | undefined) ?? undefined;
    const spec = o.data ?? own?.spec ?? testSplitOf(trainedOn?.data);
    if (!spec) {
      throw new UsageError(`${dir}: say which images to score with --data (the run records no analysis and no dataset with a test split${trainedOn?.data ? `: it was trained on '${trainedOn.data}'` : ""})`);
    }
    const isOwn = !own || own.spec === spec;
    const scope = isOwn ? run.record : run.record.domains[slug(spec)];
    if (!scope?.artifacts[`${run.scopePrefix(isOwn ? undefined : slug(spec))}predictions.parquet`]) {
      const only = o.load?.only ?? (o.data ? undefined : (trainedOn?.only ?? undefined));
      const dataset = await loadDataset(spec, { ...o.load, ...(only ? { only } : {}), ...(o.onProgress ? { onProgress: o.onProgress } : {}) });
      await analyze({
        run, opened: openRunModel(run), maps: [], ...(isOwn ? {} : { domain: spec }),
        data: { dataset, spec, seed: o.load?.seed ?? 0, ...(o.load?.limit !== undefined ? { limit: o.load.limit } : {}), ...(only ? { only } : {}) },
        ...(o.threads ? { threads: o.threads } : {}), ...(o.batchSize ? { batchSize: o.batchSize } : {}),
        ...(o.onProgress ? { onProgress: o.onProgress } : {}),
      });
    }
    const domain = isOwn ? undefined : slug(spec);
    const file = run.path(`${run.scopePrefix(domain)}predictions.parquet`);
    const inputs = await inputsFromParquet(file);
    return { ...inputs, classes: run.record.classes, title: `${run.id} on ${spec}`, file };
  } finally {
    run.release();
  }
}
