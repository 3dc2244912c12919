import type { TopLevelSpec } from "vega-lite";
import { type Layer, round6 } from "./format.js";
import { MAP_STYLE, type MapPoints, mapPoints, type MapPointsOptions } from "./mapPoints.js";
import { CHART_THEME, chartConfig } from "./theme.js";

export { MAP_COLORS, type MapColor } from "./mapPoints.js";

/** Options for {@link mapScatterSpec}: the points and colouring of {@link MapPointsOptions}, and the titles. */
export interface MapScatterOptions extends MapPointsOptions {
  /** Names the model and the data (see {@link mapTitle}). */
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
 * The dark ring around a misclassified point: its area (Vega's `size`, the ring's radius is
 * √(size/π)), line width and opacity, by N. The ring hugs the point, and the point is drawn again
 * on top of it, so a misclassified point keeps its class colour inside a thin dark halo; on large
 * maps the halo thins so that clusters keep their colour where the mistakes crowd.
 */
export function ringStyle(n: number): { size: number; strokeWidth: number; opacity: number } {
  if (n <= 2000) return { size: 48, strokeWidth: 1.2, opacity: 0.9 };
  if (n <= 20000) return { size: 20, strokeWidth: 0.9, opacity: 0.7 };
  return { size: 7, strokeWidth: 0.6, opacity: 0.5 };
}

/** What each colouring is called in a subtitle: "colour: true class". */
export const COLOR_CAPTION: Record<MapPoints["color"], string> = {
  plain: "",
  true: "colour: true class",
  predicted: "colour: predicted class",
  wrong: "colour: right or wrong",
  confidence: "colour: confidence (top-1 probability)",
  loss: "colour: loss (−ln p of the true class)",
};

/**
 * A map title that names the method, the model and the data.
 * @example mapTitle({ method: "tsne", model: "seed-cnn", data: "sample:test", n: 1000 })
 * // "t-SNE of seed-cnn's penultimate features · sample:test (1,000 images)"
 */
export function mapTitle(o: { method: string; model: string; data: string; n: number; source?: string }): string {
  const method = ({ tsne: "t-SNE", pca: "PCA", umap: "UMAP" } as Record<string, string>)[o.method] ?? o.method;
  return `${method} of ${o.model}'s ${o.source ?? "penultimate"} features · ${o.data} (${o.n.toLocaleString("en-US")} images)`;
}

/**
 * A 2-D map of feature vectors as a square scatter plot: which classes separate and which mix, at a
 * glance. Points are coloured by true or predicted class (the class colours of every featurelens
 * chart, names in the legend), right/wrong, or on a sequential scale (confidence, loss);
 * misclassified points can carry a dark ring around them, and a grey reference layer (another set of
 * points, such as the run's own map under a domain placed into it) can lie underneath on the same
 * axes. Axes carry no units (t-SNE coordinates have none), so they are hidden.
 * @example mapScatterSpec({ embedding: [0, 0, 1, 1], dims: 2, labels: [0, 1], classes: ["cat", "dog"], title: "t-SNE" }).data
 * // { values: [{ x: 0, y: 0, class: "cat" }, { x: 1, y: 1, class: "dog" }] }
 */
export function mapScatterSpec(o: MapScatterOptions): TopLevelSpec {
  const p = mapPoints(o);
  const field = p.color === "wrong" ? "outcome" : p.color === "confidence" || p.color === "loss" ? p.color : "class";
  const values = Array.from(p.order, (i) => ({
    x: round6(p.x[i]),
    y: round6(p.y[i]),
    ...(p.category ? { [field]: p.legend[p.category[i]].label } : {}),
    ...(p.value ? { [field]: Number.isFinite(p.value[i]) ? round6(p.value[i]) : null } : {}),
    ...(p.wrong ? { wrong: p.wrong[i] === 1 } : {}),
  }));
  const { size, opacity } = pointStyle(p.n);
  const axis = { title: null, labels: false, ticks: false, domain: false, grid: false };
  const position = {
    x: { field: "x", type: "quantitative" as const, scale: { zero: false, nice: false }, axis },
    y: { field: "y", type: "quantitative" as const, scale: { zero: false, nice: false }, axis },
  };
  // aria: false — a label per point ("x: 3.2; y: −1.5") says nothing and doubles the SVG
  const points = { mark: { type: "circle" as const, size, opacity, aria: false }, encoding: { ...position, color: colorEncoding(p, field) } };
  const layers: Layer[] = [];
  if (p.reference) layers.push(referenceLayer(p.reference, position));
  const subtitle = [o.subtitle, p.reference ? `grey: ${p.reference.label}` : ""].filter(Boolean).join(" · ");
  const head = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json" as const,
    title: { text: o.title, ...(subtitle ? { subtitle } : {}) },
    width: CHART_THEME.height + 200,
    height: CHART_THEME.height + 200,
    data: { values },
    config: { ...chartConfig(), view: { stroke: CHART_THEME.color.grid } },
  };
  if (layers.length === 0 && !p.wrong) return { ...head, ...points } as TopLevelSpec;
  layers.push(points as Layer);
  if (p.wrong && p.wrongCount > 0) {
    // the misclassified points again, over their rings, so each keeps its class colour
    layers.push(ringLayer(p, position), { ...points, mark: { ...points.mark, opacity: 1 }, transform: [{ filter: "datum.wrong" }] } as Layer);
  }
  return { ...head, layer: layers } as TopLevelSpec;
}

function colorEncoding(p: MapPoints, field: string): Record<string, unknown> {
  if (p.category) {
    return {
      field,
      type: "nominal",
      scale: { domain: p.legend.map((e) => e.label), range: p.legend.map((e) => e.color) },
      legend: { title: null, symbolOpacity: 1, symbolSize: 80 },
    };
  }
  if (p.value) {
    return {
      field,
      type: "quantitative",
      scale: { domain: p.domain, range: p.ramp, clamp: true },
      legend: { title: p.color === "loss" ? "loss" : "confidence", format: ".2~f", gradientLength: 160 },
    };
  }
  return { value: MAP_STYLE.single };
}

function referenceLayer(ref: NonNullable<MapPoints["reference"]>, position: Record<string, unknown>): Layer {
  const { size, opacity } = pointStyle(ref.n);
  const values = Array.from({ length: ref.n }, (_, i) => ({ x: round6(ref.x[i]), y: round6(ref.y[i]) }));
  return { data: { values }, mark: { type: "circle", size, opacity: Math.min(opacity, 0.6), color: MAP_STYLE.reference, aria: false }, encoding: position } as Layer;
}

/** The dark ring around every misclassified point, with its own legend entry. */
function ringLayer(p: MapPoints, position: Record<string, unknown>): Layer {
  const { size, strokeWidth, opacity } = ringStyle(p.n);
  const label = misclassifiedLabel(p.wrongCount);
  return {
    transform: [{ filter: "datum.wrong" }],
    mark: { type: "point", shape: "circle", filled: false, size, strokeWidth, opacity, color: MAP_STYLE.mark, aria: false },
    encoding: {
      ...position,
      shape: { datum: label, type: "nominal", scale: { domain: [label], range: ["circle"] }, legend: { title: null, symbolStrokeColor: MAP_STYLE.mark, symbolStrokeWidth: 1.5, symbolSize: 60 } },
    },
  } as Layer;
}

/** The legend entry of the rings: "misclassified (313)". */
export function misclassifiedLabel(count: number): string {
  return `misclassified (${count.toLocaleString("en-US")})`;
}
