import type { Command } from "commander";
import { knnQuery } from "../../analysis/neighbors/index.js";
import type { Metric, Points } from "../../analysis/neighbors/types.js";
import { type Dataset, imageAt } from "../../data/dataset.js";
import { loadDataset } from "../../data/load.js";
import { writeImageGrid } from "../../report/imageGrid.js";
import type { Rgb } from "../../report/raster.js";
import { DataError, UsageError } from "../../util/errors.js";
import { addDataOptions, type DataCliOptions, loadFromOptions } from "../data.js";
import { integer, positiveInt } from "../options.js";
import { readPoints } from "../points.js";

interface NeighborsCliOptions extends Omit<DataCliOptions, "data"> {
  data?: string;
  in: string;
  query: number;
  k: number;
  metric: Metric;
  pixels?: string;
  labels?: string;
  out?: string;
  json?: boolean;
  dropInvalid?: boolean;
}

/** One neighbour of the query. */
export interface Neighbor {
  index: number;
  distance: number;
  label?: number;
}

export const METRICS: readonly Metric[] = ["l2", "l1", "cosine"];
const SAME: Rgb = [0, 128, 60];
const OTHER: Rgb = [200, 30, 30];

/** `featurelens neighbors`: the nearest points to one image in feature space, beside those in pixel space. */
export function registerNeighbors(program: Command): void {
  const cmd = program
    .command("neighbors")
    .description("an image's k nearest neighbours in feature space (and in pixel space, given the images), as text, JSON and a picture")
    .requiredOption("--in <X.npy>", "feature vectors, N×D (from `featurelens extract`)")
    .requiredOption("--query <i>", "row of the query image", integer("--query"))
    .option("--k <n>", "how many neighbours", positiveInt("--k"), 10)
    .option("--metric <l2|l1|cosine>", "distance", "l2")
    .option("--pixels <IMAGES.npy>", "the images in the same order (N×H×W, N×H×W×C or N×C×H×W): adds pixel-space neighbours and thumbnails")
    .option("--labels <L.npy>", "with --pixels: labels, to colour neighbours of the same class")
    .option("--out <strip.png>", "a picture: the query and its neighbours, feature space above, pixel space below")
    .option("--json", "print the neighbours as JSON")
    .option("--drop-invalid", "leave out rows holding NaN or ±Infinity instead of refusing them")
    .addHelpText("after", "\nExamples:\n  featurelens neighbors --in feats.npy --query 42 --data sample:test --out nn-42.png\n  featurelens neighbors --in feats.npy --query 42 --k 5 --metric cosine --json");
  // --data (and --limit, --only …) name the images the features were extracted from, in the same order.
  addDataOptions(cmd, false).action(async (opts: NeighborsCliOptions) => {
      if (!METRICS.includes(opts.metric)) throw new UsageError(`--metric takes ${METRICS.join(", ")}, got '${opts.metric}'`);
      if (opts.pixels && opts.data) throw new UsageError("give the images once: --pixels IMAGES.npy or --data SPEC");
      const { points, rows } = readPoints(opts.in, { dropInvalid: opts.dropInvalid });
      const query = rows.indexOf(opts.query);
      if (opts.query < 0 || query < 0) throw new UsageError(`--query ${opts.query} is not a row of ${opts.in} (rows 0..${rows.length ? rows[rows.length - 1] : 0}${rows.length < points.n ? ", invalid rows dropped" : ""})`);
      if (opts.k > points.n - 1) throw new UsageError(`--k ${opts.k} is more than the other ${points.n - 1} points; the largest is ${points.n - 1}`);
      const images = await imagesFor(opts, rows.length === 0 ? 0 : Math.max(...rows) + 1);
      const label = (row: number) => (images && images.labels[row] >= 0 ? images.labels[row] : undefined);
      const feature = await nearest(points, query, opts.k, opts.metric, (i) => rows[i], label);
      const pixel = images ? await nearest(pixelPoints(images, rows), query, opts.k, opts.metric, (i) => rows[i], label) : undefined;
      const classes = opts.classes ?? images?.classes;
      const name = (y: number | undefined) => (y === undefined ? undefined : (classes?.[y] ?? String(y)));
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ query: opts.query, label: label(opts.query) ?? null, metric: opts.metric, feature, ...(pixel ? { pixel } : {}) }, null, 1)}\n`);
      } else {
        process.stdout.write(describe("feature space", opts.query, feature, label(opts.query), name));
        if (pixel) process.stdout.write(describe("pixel space", opts.query, pixel, label(opts.query), name));
      }
      if (opts.out) {
        if (!images) throw new UsageError("--out draws the images: give them with --pixels IMAGES.npy or --data SPEC");
        await writeStrip(opts.out, images, opts.query, feature, pixel!, label(opts.query), opts.metric);
        if (!opts.json) process.stdout.write(`wrote ${opts.out}\n`);
      }
    });
}

/** The k nearest other points of point `query` (its exact duplicates included). */
async function nearest(points: Points, query: number, k: number, metric: Metric, row: (i: number) => number, label: (row: number) => number | undefined): Promise<Neighbor[]> {
  const q: Points = { n: 1, d: points.d, data: points.data.slice(query * points.d, (query + 1) * points.d) };
  const g = await knnQuery(points, q, k + 1, { metric, method: "exact" });
  const out: Neighbor[] = [];
  for (let j = 0; j < g.k && out.length < k; j++) {
    if (g.indices[j] === query) continue;
    const r = row(g.indices[j]);
    const y = label(r);
    out.push({ index: r, distance: g.distances[j], ...(y !== undefined ? { label: y } : {}) });
  }
  return out;
}

async function imagesFor(opts: NeighborsCliOptions, needed: number): Promise<Dataset | undefined> {
  if (!opts.pixels && !opts.data) {
    if (opts.labels) throw new UsageError("--labels goes with --pixels");
    return undefined;
  }
  const ds = opts.pixels
    ? await loadDataset({ kind: "npy", images: opts.pixels, ...(opts.labels ? { labels: opts.labels } : {}) }, opts.classes ? { classes: opts.classes } : {})
    : await loadFromOptions({ ...opts, data: opts.data! });
  if (ds.n < needed) throw new DataError(`${ds.n} images but ${needed} rows of features: the features and the images must be in the same order (extract them from this dataset)`, ds.name);
  return ds;
}

/** The images of the given rows as float vectors (pixel space). */
function pixelPoints(ds: Dataset, rows: Int32Array): Points {
  const d = ds.height * ds.width * ds.channels;
  const data = new Float32Array(rows.length * d);
  rows.forEach((row, i) => data.set(ds.images.subarray(row * d, (row + 1) * d), i * d));
  return { n: rows.length, d, data };
}

function describe(space: string, query: number, list: Neighbor[], label: number | undefined, name: (y: number | undefined) => string | undefined): string {
  const same = label === undefined ? "" : ` — ${list.filter((nb) => nb.label === label).length} of ${list.length} share its class (${name(label)})`;
  const lines = list.map((nb, i) => `  ${String(i + 1).padStart(2)}. #${nb.index}  distance ${nb.distance.toPrecision(4)}${nb.label !== undefined ? `  ${name(nb.label)}` : ""}`);
  return `nearest to #${query} in ${space}${same}\n${lines.join("\n")}\n`;
}

async function writeStrip(path: string, ds: Dataset, query: number, feature: Neighbor[], pixel: Neighbor[] | undefined, label: number | undefined, metric: Metric): Promise<void> {
  const color = (nb: Neighbor) => (label === undefined || nb.label === undefined ? undefined : nb.label === label ? SAME : OTHER);
  const row = (list: Neighbor[]) => [
    { image: imageAt(ds, query), caption: `#${query}` },
    ...list.map((nb) => ({ image: imageAt(ds, nb.index), caption: shortNumber(nb.distance), ...(color(nb) ? { captionColor: color(nb)! } : {}) })),
  ];
  const cells = [...row(feature), ...(pixel ? row(pixel) : [])];
  const className = label !== undefined ? ` (${ds.classes[label] ?? label})` : "";
  await writeImageGrid(path, {
    height: ds.height, width: ds.width, channels: ds.channels, cells, columns: feature.length + 1,
    rowLabels: pixel ? ["feature space", "pixel space"] : ["feature space"],
    title: `Nearest neighbours of #${query}${className}, ${metric} distance${label !== undefined ? " (green: same class)" : ""}`,
  });
}

/** A distance in at most 4 characters or so: 0.123, 2.45, 1138. */
const shortNumber = (d: number) => (d >= 100 ? String(Math.round(d)) : d.toPrecision(3));
