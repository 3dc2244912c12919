import type { TopLevelSpec } from "vega-lite";
import { BLUES, CONFUSION_TOOLTIP, confusionCells, type ConfusionMatrixOptions, DARK_FROM } from "./confusion.js";
import { percent, VEGA_LITE_SCHEMA } from "./format.js";
import { CHART_THEME, chartConfig } from "./theme.js";

/** One of the two matrices: its name (the facet's title) and counts. */
export interface ConfusionPanel {
  name: string;
  counts: ConfusionMatrixOptions["counts"];
}

export interface ConfusionPairOptions {
  classes: string[];
  /** The two datasets, drawn left and right in this order. */
  panels: [ConfusionPanel, ConfusionPanel];
  title?: string;
}

export const CONFUSION_PAIR_DEFAULTS = { title: "The same model on two datasets" } as const;

/**
 * Two confusion matrices side by side, one facet per dataset (the run's own images and a domain,
 * as the camera-vs-drawing figure of the seed article): the same cells, colours and text as
 * {@link confusionMatrixSpec}, on one colour scale, so that a class whose row empties out on the
 * right shows at a glance. Each facet's title carries its accuracy. Browser-safe.
 * @example confusionPairSpec({ classes: ["cat", "dog"], panels: [{ name: "photos", counts: [9, 1, 2, 8] }, { name: "drawings", counts: [5, 5, 6, 4] }] }).facet
 * // { column: { field: "panel", … } }
 */
export function confusionPairSpec(o: ConfusionPairOptions): TopLevelSpec {
  const k = o.classes.length;
  const cell = k <= 12 ? 44 : k <= 20 ? 30 : Math.max(6, Math.floor(400 / k));
  const showText = k <= 12;
  const values = o.panels.flatMap((p) => {
    const cells = confusionCells({ classes: o.classes, counts: p.counts, showText });
    const total = cells.reduce((s, c) => s + c.count, 0);
    const right = cells.reduce((s, c) => s + (c.true === c.predicted ? c.count : 0), 0);
    // The accuracy first: a long name is cut at the facet's width, not the number.
    const panel = `accuracy ${percent(total > 0 ? right / total : NaN)} on ${total.toLocaleString("en-US")} · ${p.name}`;
    // Two lines of text do not fit the narrower cells: the count alone, blank when 0.
    return cells.map((c) => ({ ...c, panel, text: c.count === 0 ? "" : c.count.toLocaleString("en-US") }));
  });
  const order = [...new Set(values.map((v) => v.panel))];
  const names = JSON.stringify(o.classes);
  const axis = { labelExpr: `${names}[datum.value]`, ticks: false, domain: false, labelPadding: 4, titlePadding: 8 };
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: { text: o.title ?? CONFUSION_PAIR_DEFAULTS.title, subtitle: "rows: true class; colour: the share of the row (the same scale in both)" },
    data: { values },
    facet: { column: { field: "panel", type: "nominal", title: null, sort: order, header: { labelFontSize: CHART_THEME.fontSize.axisTitle, labelFontWeight: "bold", labelAnchor: "start", labelLimit: cell * k } } },
    spec: {
      width: { step: cell },
      height: { step: cell },
      encoding: {
        x: { field: "predicted", type: "ordinal", title: "predicted class", axis: { ...axis, orient: "bottom", labelAngle: -45, labelAlign: "right", labelBaseline: "top" } },
        y: { field: "true", type: "ordinal", title: "true class", axis },
      },
      layer: [
        {
          mark: { type: "rect", stroke: CHART_THEME.color.background, strokeWidth: 1 },
          encoding: {
            color: { field: "fraction", type: "quantitative", title: "share of row", scale: { type: "sqrt", domain: [0, 1], range: [...BLUES] }, legend: { format: ".0%", values: [0, 0.05, 0.25, 0.5, 1] } },
            tooltip: [...CONFUSION_TOOLTIP],
          },
        },
        ...(showText
          ? [{
              mark: { type: "text", fontSize: 10, baseline: "middle" },
              // White on the dark cells (as the single matrix), by a condition rather than a second colour scale, so the facets share one legend.
              encoding: { text: { field: "text" }, color: { condition: { test: `sqrt(datum.fraction) >= ${DARK_FROM}`, value: "#ffffff" }, value: CHART_THEME.color.ink } },
            }]
          : []),
      ],
    },
    resolve: { scale: { color: "shared" } },
    config: { ...chartConfig(), axis: { ...chartConfig().axis, grid: false } },
  } as TopLevelSpec;
}
