import type { TopLevelSpec } from "vega-lite";
import { CHART_THEME, chartConfig, classColor } from "./theme.js";

/** Options for {@link mapScatterSpec}. */
export interface MapScatterOptions {
  /** Map coordinates, row-major N×dims (only the first two dimensions are drawn). */
  embedding: ArrayLike<number>;
  dims: number;
  /** Class of each point (−1 or absent: unlabelled), for colour. */
  labels?: ArrayLike<number>;
  /** Class names by index. */
  classes?: string[];
  title: string;
  subtitle?: string;
}

/** Point size and opacity shrink as N grows so that dense clusters still show their shape. */
export function pointStyle(n: number): { size: number; opacity: number } {
  if (n <= 2000) return { size: 16, opacity: 0.8 };
  if (n <= 20000) return { size: 6, opacity: 0.6 };
  return { size: 2, opacity: 0.5 };
}

/**
 * A 2-D map of feature vectors as a square scatter plot, one colour per class (the class colours
 * of every featurelens chart), with the class names in the legend: which classes separate and
 * which mix, at a glance. Axes carry no units (t-SNE coordinates have none), so they are hidden.
 * @example mapScatterSpec({ embedding: [0, 0, 1, 1], dims: 2, labels: [0, 1], classes: ["cat", "dog"], title: "t-SNE" }).data
 * // { values: [{ x: 0, y: 0, class: "cat" }, { x: 1, y: 1, class: "dog" }] }
 */
export function mapScatterSpec(o: MapScatterOptions): TopLevelSpec {
  const n = Math.floor(o.embedding.length / o.dims);
  if (!(o.dims >= 2) || n * o.dims !== o.embedding.length) throw new RangeError(`embedding must be N×dims with dims ≥ 2, got ${o.embedding.length} values for dims ${o.dims}`);
  if (o.labels && o.labels.length !== n) throw new RangeError(`${o.labels.length} labels for ${n} points`);
  const name = (y: number) => (y < 0 ? "unlabelled" : (o.classes?.[y] ?? String(y)));
  const values = Array.from({ length: n }, (_, i) => ({
    x: o.embedding[i * o.dims],
    y: o.embedding[i * o.dims + 1],
    ...(o.labels ? { class: name(o.labels[i]) } : {}),
  }));
  const present = o.labels ? [...new Set(Array.from(o.labels))].sort((a, b) => a - b) : [];
  const { size, opacity } = pointStyle(n);
  const axis = { title: null, labels: false, ticks: false, domain: false, grid: false };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: o.title, ...(o.subtitle ? { subtitle: o.subtitle } : {}) },
    width: CHART_THEME.height + 200,
    height: CHART_THEME.height + 200,
    data: { values },
    config: { ...chartConfig(), view: { stroke: CHART_THEME.color.grid } },
    mark: { type: "circle", size, opacity },
    encoding: {
      x: { field: "x", type: "quantitative", scale: { zero: false, nice: false }, axis },
      y: { field: "y", type: "quantitative", scale: { zero: false, nice: false }, axis },
      ...(o.labels
        ? {
            color: {
              field: "class",
              type: "nominal",
              scale: { domain: present.map(name), range: present.map((y) => (y < 0 ? CHART_THEME.color.other : classColor(y))) },
              legend: { title: null, symbolOpacity: 1, symbolSize: 80 },
            },
          }
        : { color: { value: CHART_THEME.color.mark } }),
    },
  };
}
