import type { LayersJson, SeparationJson } from "../analysis/diagnose/diagnoseJson.js";
import { layerCurveSpec } from "../report/charts/layerCurve.js";
import { shortSpec } from "../report/diagnosisText.js";
import { renderPng } from "../report/vega.js";
import { readFeatures } from "../store/features.js";
import { readPredictions } from "../store/predictions.js";
import { openRunForWrite, Run } from "../store/run.js";
import { findRun, openWorkspace, slug } from "../store/workspace.js";
import { writeFileAtomic } from "../util/atomic.js";
import { DataError, FeaturelensError, UsageError } from "../util/errors.js";
import { openRunModel } from "./analyzeRun.js";
import { classSeparation, SEPARATION_DEFAULTS } from "./diagnoseSeparation.js";
import { LAYERS_DEFAULTS, layerSeparation } from "./diagnoseLayers.js";
import { modelLabel } from "./modelLabel.js";
import { loadRunImages } from "./runImages.js";

/**
 * `featurelens diagnose`: which classes mix and which separate in a run's feature space (or a
 * domain's), in numbers and words, and how separable the classes are layer by layer. Stored in the
 * run as `diagnose/separation.json`, `diagnose/layers.json` and `diagnose/layers.png` (a domain's
 * under `domains/<slug>/diagnose/`), each recorded in run.json as a "diagnose" artifact.
 */

export const DIAGNOSE_DEFAULTS = { maxImages: LAYERS_DEFAULTS.maxImages, seed: 0, silhouetteSample: SEPARATION_DEFAULTS.silhouetteSample } as const;

export interface DiagnoseOptions {
  workspace?: string;
  run: string;
  /** A domain of the run: its slug or the data spec it was made from. */
  domain?: string;
  /** Measure the layers too (needs the run's model and images; default true). */
  layers?: boolean;
  /** Images for the layer curve: a stratified, seeded sample of this many (default 5,000). */
  maxImages?: number;
  seed?: number;
  threads?: number;
  argv?: string[];
  onStage?: (stage: string) => void;
  onProgress?: (label: string, done: number, total: number | undefined) => void;
  onNotice?: (message: string) => void;
}

export interface DiagnoseResult {
  run: string;
  domain: string | null;
  separation: SeparationJson;
  layers: LayersJson | null;
  /** The files written, relative to the run folder. */
  files: string[];
  seconds: number;
}

/**
 * Diagnoses the run (or domain) and stores the results.
 * @example (await diagnoseRun({ workspace: "featurelens-demo", run: "seed-cnn" })).separation.summary.text
 * // "Shirt mixes with Pullover, Coat and T-shirt/top; Pullover with Shirt and Coat; Coat with Shirt and Pullover; Bag, Ankle boot and Trouser separate well."
 */
export async function diagnoseRun(o: DiagnoseOptions): Promise<DiagnoseResult> {
  const t0 = performance.now();
  const dir = findRun(openWorkspace(o.workspace), o.run);
  const domain = resolveDomain(Run.read(dir), o.domain);
  const run = openRunForWrite(dir, { command: "diagnose", argv: o.argv ?? [] });
  try {
    const scope = run.scope(domain);
    const where = domain === undefined ? `run ${run.id}` : `domain '${domain}' of run ${run.id}`;
    const predictionsFile = `${run.scopePrefix(domain)}predictions.parquet`;
    if (!scope.features.penultimate || !run.hasArtifact(scope, predictionsFile)) {
      throw new DataError(`${where} has no ${scope.features.penultimate ? "predictions" : "features"} to diagnose; make them with featurelens analyze ${domain === undefined ? `--model M --data SPEC --out ${run.id}` : `--run ${run.id} --data SPEC`}`, run.dir);
    }
    const seed = o.seed ?? DIAGNOSE_DEFAULTS.seed;
    const classes = run.record.classes;
    const f = readFeatures(run, scope, "penultimate");
    const predictions = await readPredictions(run.path(predictionsFile));
    if (predictions.n !== f.n) throw new DataError(`${where}: its features have ${f.n} rows but its predictions ${predictions.n}; run featurelens analyze again`, run.dir);
    if (!predictions.label.some((y) => y >= 0)) throw new DataError(`${where}: no image has a label, and class separation needs labels`, run.dir);
    const separation = await classSeparation({
      run: run.id, domain: domain ?? null, scope, classes, features: { n: f.n, d: f.d, data: f.data }, layer: f.record.layer, predictions, seed,
      ...(o.threads ? { threads: o.threads } : {}), ...(o.onStage ? { onStage: o.onStage } : {}),
    });
    for (const s of separation.skipped) o.onNotice?.(`class ${s.class} has ${s.n} image${s.n === 1 ? "" : "s"} in ${where}; it is left out of the per-class numbers (they need at least 2)`);
    const prefix = `${run.scopePrefix(domain)}diagnose/`;
    const files: string[] = [];
    const save = (file: string, data: string | Uint8Array, params: Record<string, unknown>) => {
      writeFileAtomic(run.path(prefix + file), data);
      run.recordArtifact(scope, { file: prefix + file, kind: "diagnose", made_by: "diagnose", params });
      files.push(prefix + file);
    };
    const made = { model: run.record.model?.sha256 ?? "", data: scope.data?.hash ?? "", seed };
    save("separation.json", json(separation), { ...made, k: separation.k, silhouette_sample: separation.silhouette.sample });

    let layers: LayersJson | null = null;
    if (o.layers !== false) {
      try {
        const opened = openRunModel(run);
        o.onStage?.("loading the images");
        const images = await loadRunImages(run, domain, o.onProgress ? { onProgress: o.onProgress } : {});
        const include = (c: number) => !separation.skipped.some((s) => s.index === c);
        layers = await layerSeparation({
          run: run.id, domain: domain ?? null, data: scope.data?.spec ?? "", opened, images, labels: predictions.label, include,
          maxImages: o.maxImages ?? DIAGNOSE_DEFAULTS.maxImages, seed, ...(o.threads ? { threads: o.threads } : {}),
          ...(o.onStage ? { onStage: o.onStage } : {}), ...(o.onProgress ? { onProgress: o.onProgress } : {}),
        });
      } catch (err) {
        if (!(err instanceof FeaturelensError)) throw err;
        throw new FeaturelensError(`the class separation is in ${run.path(prefix + "separation.json")}, but the layers could not be measured: ${err.message} (--no-layers skips them)`);
      }
      const params = { ...made, max_images: layers.images };
      const chart = `${prefix}layers.png`;
      const png = await renderPng(layerCurveSpec({ points: layers.layers.map((l) => ({ position: l.position, name: l.name, accuracy: l.knn_accuracy, se: l.se, role: l.role })), scored: layers.scored, subject: `${modelLabel(run.record)} on ${shortSpec(scope.data?.spec ?? run.id)}` }), { scale: 2 });
      layers.chart = chart;
      save("layers.png", png, params);
      save("layers.json", json(layers), params);
    }
    return { run: run.id, domain: domain ?? null, separation, layers, files, seconds: (performance.now() - t0) / 1000 };
  } finally {
    run.release();
  }
}

/** `--domain` as the run knows it: its slug, or the data spec it was made from. */
export function resolveDomain(run: Run, domain: string | undefined): string | undefined {
  if (domain === undefined) return undefined;
  const s = run.record.domains[domain] ? domain : slug(domain);
  if (!run.record.domains[s]) {
    const known = Object.keys(run.record.domains);
    throw new UsageError(`--domain ${domain}: run ${run.id} has no such domain; ${known.length ? `its domains: ${known.join(", ")}` : `it has none (add one with featurelens analyze --run ${run.id} --data SPEC, or featurelens shift)`}`);
  }
  return s;
}

/** JSON as the run stores it: non-finite numbers as null. */
export function json(v: unknown): string {
  return `${JSON.stringify(v, (_, x: unknown) => (typeof x === "number" && !Number.isFinite(x) ? null : x), 1)}\n`;
}
