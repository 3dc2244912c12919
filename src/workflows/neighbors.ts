import { nearestTo, type Neighbor, pixelPoints } from "../analysis/neighbors/nearestTo.js";
import type { Metric } from "../analysis/neighbors/types.js";
import { type Dataset, imageSize } from "../data/dataset.js";
import { datasetHash } from "../data/hash.js";
import { loadDataset, type LoadOptions } from "../data/load.js";
import { DataError, UsageError } from "../util/errors.js";
import { METRICS } from "./embedFile.js";
import { imagesOfFeatures, readFeatureSource } from "./featureSource.js";

/**
 * `featurelens neighbors`: an image's nearest neighbours in feature space beside those in pixel
 * space (the seed article's basketball and orange: close in pixels, far apart in features). The
 * images come from `--data`/`--pixels`, or from the run or sidecar the features belong to.
 */

export interface NeighborsOptions {
  in: string;
  /** Row of the features file. */
  query: number;
  k?: number;
  metric?: Metric;
  /** The images in the features' order, as a dataset spec or an .npy of images. */
  data?: { spec: string; load?: Omit<LoadOptions, "onProgress" | "onNotice"> };
  pixels?: string;
  labels?: string;
  classes?: string[];
  dropInvalid?: boolean;
}

export interface NeighborsResult {
  query: number;
  label: number | undefined;
  classes: string[] | null;
  metric: Metric;
  feature: Neighbor[];
  pixel: Neighbor[] | undefined;
  /** The images, in the features' row order, when known. */
  images: Dataset | null;
  description: string;
}

export async function neighborsOf(o: NeighborsOptions): Promise<NeighborsResult> {
  const metric = o.metric ?? "l2";
  const k = o.k ?? 10;
  if (!METRICS.includes(metric)) throw new UsageError(`--metric takes ${METRICS.join(", ")}, got '${String(metric)}'`);
  if (o.pixels && o.data) throw new UsageError("give the images once: --pixels IMAGES.npy or --data SPEC");
  if (o.labels && !o.pixels) throw new UsageError("--labels goes with --pixels (a dataset spec carries its labels)");
  const src = await readFeatureSource(o.in, { ...(o.dropInvalid ? { dropInvalid: true } : {}), ...(o.classes ? { classes: o.classes } : {}) });
  const { points, rows } = src;
  const query = rows.indexOf(o.query);
  if (o.query < 0 || query < 0) throw new UsageError(`--query ${o.query} is not a row of ${o.in} (rows 0..${rows.length ? rows[rows.length - 1] : 0}${src.dropped.length ? ", invalid rows dropped" : ""})`);
  if (k > points.n - 1) throw new UsageError(`--k ${k} is more than the other ${points.n - 1} points; the largest is ${points.n - 1}`);
  const total = points.n + src.dropped.length;
  const images = await imagesFor(o, src, total);
  const labelOfRow = (r: number) => (images ? images.labels[r] : src.labels ? src.labels[rows.indexOf(r)] : undefined);
  const label = (i: number) => labelOfRow(rows[i]);
  const feature = nearestTo(points, query, k, metric, (i) => rows[i], label);
  const pixel = images ? nearestTo(pixelPoints(images.images, images.n, imageSize(images), rows), query, k, metric, (i) => rows[i], label) : undefined;
  const y = labelOfRow(o.query);
  return { query: o.query, label: y !== undefined && y >= 0 ? y : undefined, classes: src.classes ?? images?.classes ?? null, metric, feature, pixel, images, description: src.description };
}

/** The images in the features' row order, checked to be as many (and, where recorded, the same ones). */
async function imagesFor(o: NeighborsOptions, src: Awaited<ReturnType<typeof readFeatureSource>>, total: number): Promise<Dataset | null> {
  let ds: Dataset | null;
  if (o.pixels) ds = await loadDataset({ kind: "npy", images: o.pixels, ...(o.labels ? { labels: o.labels } : {}) }, o.classes ? { classes: o.classes } : {});
  else if (o.data) ds = await loadDataset(o.data.spec, o.data.load ?? {});
  else ds = await imagesOfFeatures(src);
  if (!ds) return null;
  if (ds.n !== total) {
    throw new DataError(`${ds.n} images but ${total} rows of features: the features and the images must be the same images in the same order (give --data with the --limit/--only the features were extracted with)`, o.pixels ?? o.data?.spec ?? ds.name);
  }
  const recorded = src.sidecar?.data.hash ?? src.run?.scope(src.domain).data?.hash;
  if (recorded && (o.data || o.pixels) && datasetHash(ds) !== recorded) {
    throw new DataError(`these are not the images the features were extracted from (their hash differs from the one recorded with ${o.in}); leave out --data to use those`, o.pixels ?? o.data!.spec);
  }
  return ds;
}
