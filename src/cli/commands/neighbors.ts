import type { Command } from "commander";
import type { Metric } from "../../analysis/neighbors/types.js";
import { formatNeighbors, writeNeighborStrip } from "../../report/neighborStrip.js";
import { UsageError } from "../../util/errors.js";
import { neighborsOf } from "../../workflows/neighbors.js";
import { distancesPath, neighborGraph } from "../../workflows/neighborGraph.js";
import type { KnnMethod } from "../../analysis/node/neighbors.js";
import { createProgress } from "../progress.js";
import { addDataOptions, type DataCliOptions, loadOptionsOf } from "../data.js";
import { integer, positiveInt } from "../options.js";
import { addForceOption, guardOutputs, inputsOf, recordOutputs } from "../outputs.js";

interface NeighborsCliOptions extends Omit<DataCliOptions, "data"> {
  data?: string;
  in: string;
  query?: number;
  all?: boolean;
  method?: KnnMethod;
  threads?: number;
  k: number;
  metric: Metric;
  pixels?: string;
  labels?: string;
  out?: string;
  json?: boolean;
  dropInvalid?: boolean;
  force?: boolean;
}

/** `featurelens neighbors`: the nearest points to one image in feature space, beside those in pixel space. */
export function registerNeighbors(program: Command): void {
  const cmd = program
    .command("neighbors")
    .description("an image's k nearest neighbours in feature space (and in pixel space, given the images), as text, JSON and a picture")
    .requiredOption("--in <X.npy>", "feature vectors, N×D (a run's features/*.npy, or from `featurelens extract`: they know their images and labels)")
    .option("--query <i>", "row of the query image", integer("--query"))
    .option("--all", "every row's neighbours: writes --out G.npy (int32 N×k indices) and G.distances.npy beside it (float32 N×k)")
    .option("--k <n>", "how many neighbours", positiveInt("--k"), 10)
    .option("--metric <l2|l1|cosine>", "distance", "l2")
    .option("--method <exact|approx|auto>", "with --all: exact (default; l2 and cosine through onnxruntime), approx (HNSW) or auto (exact up to the size where HNSW is faster)")
    .option("--threads <n>", "with --all: threads (default: every core)", positiveInt("--threads"))
    .option("--pixels <IMAGES.npy>", "the images in the same order (N×H×W, N×H×W×C or N×C×H×W): adds pixel-space neighbours and thumbnails")
    .option("--labels <L.npy>", "with --pixels: labels, to colour neighbours of the same class")
    .option("--out <strip.png|G.npy>", "a picture: the query and its neighbours, feature space above, pixel space below; with --all, the graph's .npy")
    .option("--json", "print the neighbours as JSON")
    .option("--drop-invalid", "leave out rows holding NaN or ±Infinity instead of refusing them")
    .addHelpText("after", "\nExamples:\n  featurelens neighbors --in runs/seed/features/penultimate.npy --query 42 --out nn-42.png\n  featurelens neighbors --in feats.npy --all --k 90 --out G.npy   # G.npy and G.distances.npy\n  featurelens neighbors --in feats.npy --query 42 --data sample:test --out nn-42.png\n  featurelens neighbors --in feats.npy --query 42 --k 5 --metric cosine --json");
  // --data (and --limit, --only …) name the images the features were extracted from, in the same order.
  addForceOption(cmd);
  addDataOptions(cmd, false).action(async (opts: NeighborsCliOptions) => {
    if (opts.all) return writeGraph(opts);
    if (opts.query === undefined) throw new UsageError("give --query I (one image's neighbours) or --all --out G.npy (every row's)");
    if (opts.method !== undefined || opts.threads !== undefined) throw new UsageError("--method and --threads go with --all");
    const query = opts.query;
    guardOutputs("neighbors", [opts.out !== undefined ? { path: opts.out, flag: "--out" } : null], inputsOf({ ...opts, files: [[opts.in, "--in"], [opts.pixels, "--pixels"], [opts.labels, "--labels"]] }), opts.force);
    const r = await neighborsOf({
      in: opts.in, query, k: opts.k, metric: opts.metric, ...(opts.data ? { data: { spec: opts.data, load: loadOptionsOf(opts) } } : {}),
      ...(opts.pixels ? { pixels: opts.pixels } : {}), ...(opts.labels ? { labels: opts.labels } : {}), ...(opts.classes ? { classes: opts.classes } : {}), ...(opts.dropInvalid ? { dropInvalid: true } : {}),
    });
    if (opts.out && !r.images) throw new UsageError("--out draws the images: give them with --pixels IMAGES.npy or --data SPEC");
    const name = (y: number | undefined) => (y === undefined ? undefined : (r.classes?.[y] ?? String(y)));
    if (opts.json) {
      process.stdout.write(`${JSON.stringify({ query: r.query, label: r.label ?? null, metric: r.metric, feature: r.feature, ...(r.pixel ? { pixel: r.pixel } : {}) }, null, 1)}\n`);
    } else {
      process.stdout.write(formatNeighbors("feature space", r.query, r.feature, r.label, name));
      if (r.pixel) process.stdout.write(formatNeighbors("pixel space", r.query, r.pixel, r.label, name));
    }
    if (opts.out && r.images) {
      await writeNeighborStrip(opts.out, { images: r.images, query: r.query, feature: r.feature, ...(r.pixel ? { pixel: r.pixel } : {}), ...(r.label !== undefined ? { label: r.label } : {}), classes: r.classes, metric: r.metric, about: r.description });
      recordOutputs([opts.out], "neighbors");
      if (!opts.json) process.stdout.write(`wrote ${opts.out}\n`);
    }
  });
}

/** `neighbors --all`: the whole graph to G.npy and G.distances.npy. */
async function writeGraph(opts: NeighborsCliOptions): Promise<void> {
  const clash = [["--query", opts.query], ["--pixels", opts.pixels], ["--labels", opts.labels], ["--data", opts.data]].filter(([, v]) => v !== undefined).map(([f]) => f);
  if (clash.length) throw new UsageError(`--all writes every row's neighbours and takes no ${clash.join(", ")}; leave ${clash.length > 1 ? "them" : "it"} out`);
  if (!opts.out) throw new UsageError("--all needs --out G.npy (the indices; the distances go beside it, G.distances.npy)");
  if (opts.method !== undefined && !["exact", "approx", "auto"].includes(opts.method)) throw new UsageError(`--method takes exact, approx or auto, got '${opts.method}'`);
  const files = [opts.out, distancesPath(opts.out)];
  guardOutputs("neighbors", files.map((path) => ({ path, flag: "--out" })), inputsOf({ files: [[opts.in, "--in"]] }), opts.force);
  const bar = createProgress({ label: `${opts.k}-NN graph`, unit: "rows" });
  let r;
  try {
    r = await neighborGraph({
      in: opts.in, out: opts.out, k: opts.k, metric: opts.metric, ...(opts.method ? { method: opts.method } : {}), ...(opts.threads ? { threads: opts.threads } : {}),
      ...(opts.dropInvalid ? { dropInvalid: true } : {}), onProgress: (done, total) => bar.update(done, total),
    });
  } finally {
    bar.stop();
  }
  recordOutputs(r.files, "neighbors");
  if (opts.json) process.stdout.write(`${JSON.stringify(r, null, 1)}\n`);
  else process.stdout.write(`${r.k} ${r.metric} neighbours of ${r.n} rows (${r.method}) in ${r.seconds.toFixed(1)} s${r.dropped.length ? `, ${r.dropped.length} invalid rows left out (−1)` : ""}: wrote ${r.files.join(" and ")}\n`);
}
