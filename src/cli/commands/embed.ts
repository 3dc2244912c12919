import type { Command } from "commander";
import { existsSync, readFileSync } from "node:fs";
import { basename, resolve } from "node:path";
import { embed, type Embedded, embedInto, EMBED_DEFAULTS, type EmbedMethod, mapQuality, type MapQuality } from "../../analysis/embed/pipeline.js";
import type { PcaModel } from "../../analysis/embed/pca.js";
import { decodeMap, encodeMap } from "../../analysis/embed/tsne/mapFile.js";
import type { TsneMap } from "../../analysis/embed/tsne/transform.js";
import type { Metric } from "../../analysis/neighbors/types.js";
import { readNpy, toInt32Labels, writeNpy } from "../../data/npy.js";
import { mapScatterSpec } from "../../report/charts/scatter.js";
import { writeChart } from "../../report/vega.js";
import { writeFileAtomic } from "../../util/atomic.js";
import { DataError, UsageError } from "../../util/errors.js";
import { integer, listOption, positiveInt } from "../options.js";
import { readPoints } from "../points.js";
import { createProgress } from "../progress.js";
import { METRICS } from "./neighbors.js";

interface EmbedCliOptions {
  in: string;
  method: EmbedMethod;
  out: string;
  dims: string;
  perplexity: number;
  seed: number;
  init: "pca" | "random";
  metric: Metric;
  pca: number;
  into?: string;
  labels?: string;
  classes?: string[];
  json?: boolean;
  dropInvalid?: boolean;
  threads?: number;
}

const METHODS: readonly EmbedMethod[] = ["pca", "tsne", "umap"];

/** `featurelens embed`: a 2-D or 3-D map of feature vectors (PCA or t-SNE), or new points placed into a map. */
export function registerEmbed(program: Command): void {
  program
    .command("embed")
    .description("map feature vectors to 2-D/3-D with PCA, t-SNE or UMAP (or place new points into a saved t-SNE map), with quality measures")
    .requiredOption("--in <X.npy>", "feature vectors, N×D float (from `featurelens extract`)")
    .requiredOption("--out <Y.npy>", "the map, N×dims float32, and its picture Y.png; t-SNE also writes Y.map (and Y.pca.json) for --into")
    .option("--method <pca|tsne|umap>", "how to map", "tsne")
    .option("--dims <2|3>", "map dimensions", "2")
    .option("--perplexity <p>", "t-SNE: effective number of neighbours", Number, EMBED_DEFAULTS.perplexity)
    .option("--seed <s>", "seed; the same seed gives the same map", integer("--seed"), 0)
    .option("--init <pca|random>", "t-SNE start", "pca")
    .option("--metric <l2|l1|cosine>", "distance between feature vectors", "l2")
    .option("--pca <k>", "t-SNE, UMAP: reduce wider features to k principal components first (0: never)", integer("--pca"), EMBED_DEFAULTS.pcaComponents)
    .option("--into <MAP>", "place the points into the t-SNE map saved as MAP (an earlier --out) instead of making a new one")
    .option("--labels <L.npy>", "labels of the points: adds k-NN accuracy and silhouettes to the quality measures")
    .option("--classes <a,b,...>", "class names for the labels, in the picture's legend", listOption)
    .option("--json", "print the result and the quality measures as JSON")
    .option("--drop-invalid", "leave out rows holding NaN or ±Infinity instead of refusing them")
    .option("--threads <n>", "threads (default: all cores)", positiveInt("--threads"))
    .addHelpText(
      "after",
      "\nExamples:\n  featurelens embed --in feats.npy --method tsne --out map.npy --labels labels.npy\n" +
        "  featurelens embed --in test-feats.npy --into map.npy --out test-map.npy   # the test domain placed into the train map",
    )
    .action(async (opts: EmbedCliOptions) => {
      const started = performance.now();
      if (!METHODS.includes(opts.method)) throw new UsageError(`--method takes ${METHODS.join(", ")}, got '${opts.method}'`);
      if (!METRICS.includes(opts.metric)) throw new UsageError(`--metric takes ${METRICS.join(", ")}, got '${opts.metric}'`);
      if (opts.dims !== "2" && opts.dims !== "3") throw new UsageError(`--dims takes 2 or 3, got '${opts.dims}'`);
      if (opts.init !== "pca" && opts.init !== "random") throw new UsageError(`--init takes pca or random, got '${opts.init}'`);
      if (!opts.out.endsWith(".npy")) throw new UsageError(`--out must end in .npy, got '${opts.out}'`);
      if (resolve(opts.out) === resolve(opts.in)) throw new UsageError(`--out ${opts.out} would overwrite the input; write the map to another file`);
      const { points, rows, dropped } = readPoints(opts.in, { dropInvalid: opts.dropInvalid });
      if (dropped.length) process.stderr.write(`featurelens: left out ${dropped.length} rows holding NaN or ±Infinity (first: row ${dropped[0]})\n`);
      const labels = opts.labels ? labelsFor(opts.labels, rows, points.n + dropped.length) : null;
      warnDuplicates(points);

      const stage = createStages();
      const bar = createProgress(opts.method === "umap" && !opts.into ? { label: "UMAP", unit: "epochs" } : { label: "t-SNE", unit: "iterations" });
      const onProgress = (p: { iteration: number; kl: number }) => {
        bar.update(p.iteration, opts.into ? 250 : 1000);
        stage.kl = p.kl;
      };
      let result: Embedded;
      try {
        result = opts.into
          ? await embedInto(...loadMap(opts.into), points, { metric: opts.metric, seed: opts.seed, onProgress, onStage: stage.say, ...(opts.threads ? { threads: opts.threads } : {}) })
          : await embed(points, {
              method: opts.method, dims: Number(opts.dims) as 2 | 3, perplexity: opts.perplexity, seed: opts.seed, init: opts.init, metric: opts.metric,
              pcaComponents: opts.pca, onProgress, onUmapProgress: (e, t) => bar.update(e, t), onStage: stage.say, ...(opts.threads ? { threads: opts.threads } : {}),
            });
      } finally {
        bar.stop();
      }
      writeNpy(opts.out, { dtype: "float32", shape: [points.n, result.dims], data: result.embedding });
      const written = [opts.out];
      if (opts.method === "tsne" && !opts.into) written.push(...saveMap(opts.out, result));
      const seconds = (performance.now() - started) / 1000;
      stage.say("quality measures");
      const quality = await mapQuality(result.input, { n: points.n, d: result.dims, data: result.embedding }, labels, { inputKnn: result.knn, seed: opts.seed, ...(opts.threads ? { threads: opts.threads } : {}) });
      stage.say("drawing the map");
      const picture = opts.out.replace(/\.npy$/, ".png");
      const subtitle = [
        result.kl !== null && !opts.into ? `KL ${result.kl.toFixed(3)}` : "",
        `trustworthiness ${quality.trustworthiness.toFixed(3)}`,
        `10-NN preservation ${quality.knn_preservation.toFixed(3)}`,
        quality.knn_accuracy !== null ? `10-NN label accuracy ${quality.knn_accuracy.toFixed(3)}` : "",
      ].filter(Boolean).join(" · ");
      const methodName = opts.into ? "t-SNE (placed into a map)" : { tsne: "t-SNE", umap: "UMAP", pca: "PCA" }[opts.method];
      await writeChart(picture, mapScatterSpec({ embedding: result.embedding, dims: result.dims, ...(labels ? { labels } : {}), ...(opts.classes ? { classes: opts.classes } : {}), title: `${methodName} of ${points.n} feature vectors (${basename(opts.in)})`, subtitle }), { formats: ["png"] });
      written.push(picture);
      const summary = {
        method: opts.into ? "tsne-transform" : opts.method, n: points.n, d: points.d, dims: result.dims, input_dims: result.input.d,
        kl: result.kl, iterations: result.iterations, stopped_early: result.stoppedEarly, seconds, dropped_rows: dropped, files: written, quality,
      };
      if (opts.json) process.stdout.write(`${JSON.stringify(summary, null, 1)}\n`);
      else process.stdout.write(describe(summary.method, result, seconds, quality, written));
    });
}

/** Labels of the kept rows, checked against the points. */
function labelsFor(file: string, rows: Int32Array, totalRows: number): Int32Array {
  const all = toInt32Labels(readNpy(file), file);
  if (all.length !== totalRows) throw new DataError(`${all.length} labels for ${totalRows} rows of features: they must come from the same images`, file);
  return Int32Array.from(rows, (r) => all[r]);
}

/** Duplicate points are fine for every method, but worth knowing: they sit on top of each other in any map. */
function warnDuplicates(points: { n: number; d: number; data: Float32Array }): void {
  const seen = new Set<string>();
  let duplicates = 0;
  const bytes = new Uint8Array(points.data.buffer, points.data.byteOffset, points.data.byteLength);
  const rowBytes = points.d * 4;
  for (let i = 0; i < points.n; i++) {
    const key = Buffer.from(bytes.subarray(i * rowBytes, (i + 1) * rowBytes)).toString("base64");
    if (seen.has(key)) duplicates++;
    else seen.add(key);
  }
  if (duplicates) process.stderr.write(`featurelens: ${duplicates} rows repeat an earlier row exactly; they will lie on top of it in the map\n`);
  let constant = 0;
  for (let j = 0; j < points.d; j++) {
    let same = true;
    for (let i = 1; i < points.n && same; i++) same = points.data[i * points.d + j] === points.data[j];
    if (same) constant++;
  }
  if (constant === points.d) throw new DataError("every feature is constant: all points are the same, there is nothing to map");
  if (constant) process.stderr.write(`featurelens: ${constant} of ${points.d} features are constant (they carry no information; fine)\n`);
}

/** The files --into reads: PREFIX.map (and PREFIX.pca.json when a PCA pre-step was used). */
const mapFiles = (out: string) => {
  const prefix = out.replace(/\.npy$/, "");
  return { map: `${prefix}.map`, pca: `${prefix}.pca.json` };
};

function saveMap(out: string, r: Embedded): string[] {
  const files = mapFiles(out);
  writeFileAtomic(files.map, encodeMap({ dims: r.dims, embedding: r.embedding, points: r.input }));
  if (!r.pca) return [files.map];
  const p = r.pca;
  writeFileAtomic(files.pca, `${JSON.stringify({ d: p.d, components: p.components, mean: Array.from(p.mean), basis: Array.from(p.basis), explainedVariance: Array.from(p.explainedVariance), explainedVarianceRatio: Array.from(p.explainedVarianceRatio) })}\n`);
  return [files.map, files.pca];
}

function loadMap(into: string): [TsneMap, PcaModel | null] {
  const files = mapFiles(into);
  if (!existsSync(files.map)) throw new UsageError(`--into ${into}: no ${files.map}; make the map first with \`featurelens embed --method tsne --out ${files.map.replace(/\.map$/, ".npy")}\``);
  const map = decodeMap(readFileSync(files.map), files.map);
  if (!existsSync(files.pca)) return [map, null];
  const j = JSON.parse(readFileSync(files.pca, "utf8")) as { d: number; components: number; mean: number[]; basis: number[]; explainedVariance: number[]; explainedVarianceRatio: number[] };
  return [map, { d: j.d, components: j.components, mean: Float64Array.from(j.mean), basis: Float64Array.from(j.basis), explainedVariance: Float64Array.from(j.explainedVariance), explainedVarianceRatio: Float64Array.from(j.explainedVarianceRatio) }];
}

function createStages(): { say: (s: string) => void; kl: number | null } {
  const state = { kl: null as number | null, say: (s: string) => void process.stderr.write(process.stderr.isTTY ? `featurelens: ${s}…\n` : "") };
  return state;
}

function describe(method: string, r: Embedded, seconds: number, q: MapQuality, files: string[]): string {
  const f = (x: number | null) => (x === null ? "n/a" : x.toFixed(3));
  const lines = [
    `${method}: ${r.embedding.length / r.dims} points → ${r.dims}-D in ${seconds.toFixed(1)} s${r.input.d !== (r.pca?.d ?? r.input.d) ? ` (PCA to ${r.input.d} dimensions first)` : ""}`,
    ...(r.kl !== null ? [`KL divergence ${r.kl.toFixed(4)} after ${r.iterations} iterations${r.stoppedEarly ? " (stopped early)" : ""}`] : []),
    `trustworthiness ${f(q.trustworthiness)}   10-NN preservation ${f(q.knn_preservation)}`,
    ...(q.knn_accuracy !== null ? [`10-NN label accuracy: map ${f(q.knn_accuracy)}, features ${f(q.knn_accuracy_input)}`] : []),
    ...(q.silhouette ? [`silhouette by label: map ${f(q.silhouette.map)}, features ${f(q.silhouette.input)}`] : []),
    `wrote ${files.join(", ")}`,
  ];
  return `${lines.join("\n")}\n`;
}
