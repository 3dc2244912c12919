import type { Neighbor } from "../analysis/neighbors/nearestTo.js";
import { type Dataset, imageAt } from "../data/dataset.js";
import { writeImageGrid } from "./imageGrid.js";
import type { Rgb } from "./raster.js";

const SAME: Rgb = [0, 128, 60];
const OTHER: Rgb = [200, 30, 30];

/** A distance in at most 4 characters or so: 0.123, 2.45, 1138. */
const shortNumber = (d: number) => (d >= 100 ? String(Math.round(d)) : d.toPrecision(3));

/**
 * The query image and its neighbours, feature space above, pixel space below; captions give the
 * distance, green for a neighbour of the query's class, red for another.
 */
export async function writeNeighborStrip(path: string, o: { images: Dataset; query: number; feature: Neighbor[]; pixel?: Neighbor[]; label?: number; classes: string[] | null; metric: string; about?: string }): Promise<void> {
  const ds = o.images;
  const color = (nb: Neighbor) => (o.label === undefined || nb.label === undefined ? undefined : nb.label === o.label ? SAME : OTHER);
  const row = (list: Neighbor[]) => [
    { image: imageAt(ds, o.query), caption: `#${o.query}` },
    ...list.map((nb) => ({ image: imageAt(ds, nb.index), caption: shortNumber(nb.distance), ...(color(nb) ? { captionColor: color(nb)! } : {}) })),
  ];
  const cells = [...row(o.feature), ...(o.pixel ? row(o.pixel) : [])];
  const className = o.label !== undefined ? ` (${o.classes?.[o.label] ?? ds.classes[o.label] ?? o.label})` : "";
  await writeImageGrid(path, {
    height: ds.height, width: ds.width, channels: ds.channels, cells, columns: o.feature.length + 1,
    rowLabels: o.pixel ? ["feature space", "pixel space"] : ["feature space"],
    title: `Nearest neighbours of #${o.query}${className}, ${o.metric} distance${o.label !== undefined ? " (green: same class)" : ""}${o.about ? ` — ${o.about}` : ""}`,
  });
}

/** The neighbours as text: one block per space, with how many share the query's class. */
export function formatNeighbors(space: string, query: number, list: Neighbor[], label: number | undefined, name: (y: number | undefined) => string | undefined): string {
  const same = label === undefined ? "" : ` — ${list.filter((nb) => nb.label === label).length} of ${list.length} share its class (${name(label)})`;
  const lines = list.map((nb, i) => `  ${String(i + 1).padStart(2)}. #${nb.index}  distance ${nb.distance.toPrecision(4)}${nb.label !== undefined ? `  ${name(nb.label)}` : ""}`);
  return `nearest to #${query} in ${space}${same}\n${lines.join("\n")}\n`;
}
