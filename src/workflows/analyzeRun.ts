import { basename } from "node:path";
import type { EmbedMethod } from "../analysis/node/pipeline.js";
import { loadDataset, type LoadOptions } from "../data/load.js";
import type { OpenedModel } from "../nn/infer.js";
import { openModelFile, penultimateName, type PreprocessOverrides } from "../nn/open.js";
import { openRunForWrite, type Run, sha256File } from "../store/run.js";
import { findRun, openWorkspace, runFolder } from "../store/workspace.js";
import { UsageError } from "../util/errors.js";
import { analyze, type AnalyzeResult } from "./analyze.js";

/**
 * `featurelens analyze` end to end: open (or make) the run, take its model, load the images, run
 * the analysis, release the run. `--model M --out RUN` makes a run of M (or completes it);
 * `--run RUN --data SPEC2` adds SPEC2 as a domain of RUN.
 */

export interface AnalyzeRunOptions {
  workspace?: string;
  /** The run to make or complete (with `model`). */
  out?: string;
  /** An existing run, to add `data` as a domain of (or, with its own data spec, to complete). */
  run?: string;
  /** An .onnx file or a run folder. */
  model?: string;
  data: string;
  load?: Omit<LoadOptions, "onProgress" | "onNotice">;
  /** The domain's name (default: from the data spec). */
  domain?: string;
  layers?: string[];
  maps?: EmbedMethod[];
  preprocess?: PreprocessOverrides;
  seed?: number;
  threads?: number;
  batchSize?: number;
  /** Take a folder that holds files but no run. */
  force?: boolean;
  argv?: string[];
  onStage?: (stage: string) => void;
  onProgress?: (label: string, done: number, total: number | undefined) => void;
  onNotice?: (message: string) => void;
}

export interface AnalyzeRunResult extends AnalyzeResult {
  run: Run;
}

export async function analyzeRun(o: AnalyzeRunOptions): Promise<AnalyzeRunResult> {
  if (!!o.out === !!o.run) throw new UsageError(o.out ? "give --out (a new run) or --run (add a domain to a run), not both" : "say where the analysis goes: --out RUN for a new run, or --run RUN to add a domain");
  const ws = openWorkspace(o.workspace);
  const dir = o.out ? runFolder(ws, o.out, "--out") : findRun(ws, o.run!, "--run");
  if (o.run && o.model) throw new UsageError("--run uses the run's own model; leave out --model (or analyze another model into a new run with --model M --out RUN)");
  if (o.out && !o.model) throw new UsageError("--out needs --model: the ONNX file (or run folder) to analyze");
  const run = openRunForWrite(dir, { command: "analyze", argv: o.argv ?? [], ...(o.force ? { force: true } : {}) });
  try {
    const opened = o.model ? await takeModel(run, o.model, o.preprocess ?? {}) : openRunModel(run, o.preprocess);
    const dataset = await loadDataset(o.data, { ...o.load, ...(o.onProgress ? { onProgress: o.onProgress } : {}), ...(o.onNotice ? { onNotice: o.onNotice } : {}) });
    const ownData = run.record.data;
    const domain = o.run ? (o.domain ?? (!ownData || ownData.spec === o.data ? undefined : o.data)) : o.domain;
    const result = await analyze({
      run, opened, domain,
      data: { dataset, spec: o.data, seed: o.load?.seed ?? 0, ...(o.load?.limit !== undefined ? { limit: o.load.limit } : {}), ...(o.load?.only !== undefined ? { only: o.load.only } : {}) },
      ...(o.layers ? { layers: o.layers } : {}), ...(o.maps ? { maps: o.maps } : {}), ...(o.seed !== undefined ? { seed: o.seed } : {}),
      ...(o.threads ? { threads: o.threads } : {}), ...(o.batchSize ? { batchSize: o.batchSize } : {}),
      ...(o.onStage ? { onStage: o.onStage } : {}), ...(o.onProgress ? { onProgress: o.onProgress } : {}),
    } as Parameters<typeof analyze>[0]);
    return { ...result, run };
  } finally {
    run.release();
  }
}

/** Opens the model file and makes it the run's (see {@link adoptRunModel}). */
async function takeModel(run: Run, model: string, pre: PreprocessOverrides): Promise<OpenedModel> {
  const opened = openModelFile(model, pre);
  await adoptRunModel(run, opened, await sha256File(opened.path), pre, "analyze this one into a new run with another --out");
  return opened;
}

/**
 * The run's model: a new run copies the file in (with its SHA-256); a run that has one keeps
 * analyzing only that model — another is refused, since the run's results would mix two models.
 */
export async function adoptRunModel(run: Run, opened: OpenedModel & { path: string }, sha: string, pre: PreprocessOverrides, elsewhere: string): Promise<void> {
  if (run.record.model && run.record.model.sha256 !== sha) {
    throw new UsageError(`run ${run.id} holds the analysis of another model (${run.record.model.source ?? run.record.model.file}); ${elsewhere}`);
  }
  if (run.record.model && run.hasArtifact(run.record, run.record.model.file)) return;
  await run.adoptModel(opened.path, { penultimate: penultimateName(opened.model), arch: run.record.model?.arch ?? null });
  if (Object.keys(pre).length) run.record.config = { ...run.record.config, preprocess: opened.preprocess };
  if (run.created) run.record.config = { ...run.record.config, model: basename(opened.path) };
  run.save();
}

/** Opens a run's own model with the preprocessing the run records (or overrides of it). */
export function openRunModel(run: Run, overrides: PreprocessOverrides = {}): OpenedModel {
  if (!run.record.model) throw new UsageError(`run ${run.id} has no model; analyze one into it with featurelens analyze --model M --out ${run.id}`);
  const recorded = (run.record.config.preprocess ?? {}) as PreprocessOverrides;
  return openModelFile(run.path(run.record.model.file), { ...recorded, ...overrides });
}
