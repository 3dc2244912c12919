import { classCounts, type Dataset, imageAt } from "../data/dataset.js";
import { createRng, shuffleInPlace } from "../util/rng.js";
import type { GridCell, ImageGridOptions } from "./imageGrid.js";

/** Options for {@link classSampleGrid}. */
export interface ClassSampleOptions {
  /** Images shown per class (one row per class). */
  perClass?: number;
  seed?: number;
  title?: string;
}

export const CLASS_SAMPLE_DEFAULTS = { perClass: 10, seed: 0 } as const;

/**
 * A grid with one row per class and `perClass` randomly chosen images of that class in it, each
 * captioned with its index in the dataset: the first look at a new dataset.
 */
export function classSampleGrid(ds: Dataset, options: ClassSampleOptions = {}): ImageGridOptions {
  const perClass = options.perClass ?? CLASS_SAMPLE_DEFAULTS.perClass;
  const rng = createRng(options.seed ?? CLASS_SAMPLE_DEFAULTS.seed);
  const order = shuffleInPlace(Int32Array.from({ length: ds.n }, (_, i) => i), rng);
  const picked: number[][] = ds.classes.map(() => []);
  for (const i of order) {
    const y = ds.labels[i];
    if (y >= 0 && picked[y].length < perClass) picked[y].push(i);
  }
  const blank = new Uint8Array(ds.height * ds.width * ds.channels).fill(255);
  const cells: GridCell[] = [];
  for (const row of picked) {
    for (let j = 0; j < perClass; j++) {
      const i = row[j];
      cells.push(i === undefined ? { image: blank } : { image: imageAt(ds, i), caption: `#${i}` });
    }
  }
  const counts = classCounts(ds);
  return {
    height: ds.height,
    width: ds.width,
    channels: ds.channels,
    cells,
    columns: perClass,
    rowLabels: ds.classes.map((c, k) => `${c} (${counts[k]})`),
    title: options.title ?? `${ds.name}: ${ds.n} images, ${ds.classes.length} classes`,
  };
}
