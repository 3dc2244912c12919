import type { TopLevelSpec } from "vega-lite";
import { CHART_THEME, chartConfig } from "./theme.js";

/** One cell of the sweep: a variant at k, its accuracy on task B (the mean over repetitions), and their spread. */
export interface TransferPoint {
  variant: string;
  k: number;
  accuracy: number;
  /** Standard deviation over the repetitions (error bar of ± sd); absent or 0 for one. */
  sd?: number;
  /** Repetitions behind the mean. */
  n?: number;
}

/** Options for {@link transferSpec}. */
export interface TransferSpecOptions {
  /** The variants' cells, with baseB at k = 0 (its accuracy is the dashed reference line). */
  rows: TransferPoint[];
  title: string;
  /** Names of the network's weighted layers in order: layer k is `layers[k − 1]`, written under k. */
  layers?: string[];
  /** baseA's accuracy on task A's own test images: a second reference line. */
  baseA?: { accuracy: number; sd?: number; n?: number };
}

const ORDER = ["BnB", "BnB+", "AnB", "AnB+"];
/** Each variant's points sit a little left or right of k, so that error bars at one k do not hide each other. */
const OFFSET: Record<string, number> = { BnB: -0.12, "BnB+": -0.04, AnB: 0.04, "AnB+": 0.12 };

/**
 * A layer name as the x axis writes it: "/conv3/Conv" → "conv3", "layer1.0.conv1" stays.
 * @example layerLabel("/fc1/Gemm") // "fc1"
 */
export function layerLabel(name: string): string {
  const parts = name.replace(/^\/+/, "").split("/").filter(Boolean);
  if (parts.length > 1 && /^[A-Z][A-Za-z]*(_\d+)?$/.test(parts.at(-1)!)) parts.pop();
  return parts.join("/") || name;
}

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
const withSd = (v: { accuracy: number; sd?: number; n?: number }) => `${pct(v.accuracy)}${v.n && v.n > 1 ? ` ± ${(100 * (v.sd ?? 0)).toFixed(1)}` : ""}`;

/**
 * Accuracy on task B against the number of transferred layers k, one line per variant (the mean
 * over repetitions, with ± 1 sd error bars when there are several), baseB as a dashed reference
 * line and baseA (on task A's test images) as a dotted one, and the layer each k ends at under its
 * tick ("k=3 (conv3)"): the plot of Yosinski et al. 2014, Fig. 2.
 */
export function transferSpec(options: TransferSpecOptions): TopLevelSpec {
  const base = options.rows.find((r) => r.variant === "baseB");
  const lines = options.rows.filter((r) => r.variant !== "baseB" && r.variant !== "baseA").map((r) => ({
    ...r, kx: r.k + (OFFSET[r.variant] ?? 0), sd: r.sd ?? 0, lo: r.accuracy - (r.sd ?? 0), hi: r.accuracy + (r.sd ?? 0),
  }));
  const ks = [...new Set(lines.map((r) => r.k))].sort((a, b) => a - b);
  const names = Object.fromEntries(ks.map((k) => [k, options.layers?.[k - 1] ? `k=${k} (${layerLabel(options.layers[k - 1])})` : `k=${k}`]));
  const colors = [CHART_THEME.classColors[0], CHART_THEME.classColors[9] ?? CHART_THEME.classColors[0], CHART_THEME.classColors[3], CHART_THEME.classColors[1]];
  const repeats = Math.max(0, ...options.rows.map((r) => r.n ?? 1));
  const x = {
    field: "kx", type: "quantitative" as const, title: "layers transferred (k) and the last of them",
    scale: { domain: [Math.min(...ks, 1) - 0.4, Math.max(...ks, 1) + 0.4], nice: false },
    axis: { values: ks, labelExpr: `${JSON.stringify(names)}[datum.value] || ''`, labelAngle: ks.length > 4 ? -30 : 0, labelAlign: ks.length > 4 ? ("right" as const) : ("center" as const), grid: false },
  };
  const y = { field: "accuracy", type: "quantitative" as const, title: "accuracy on task B", scale: { zero: false }, axis: { format: ".0%" } };
  const color = { field: "variant", type: "nominal" as const, title: null, sort: ORDER, scale: { domain: ORDER, range: colors }, legend: { orient: "top" as const, direction: "horizontal" as const } };
  const refs = [
    ...(base ? [{ label: "baseB", accuracy: base.accuracy, dash: [6, 4] }] : []),
    ...(options.baseA ? [{ label: "baseA (on task A)", accuracy: options.baseA.accuracy, dash: [2, 3] }] : []),
  ];
  const subtitle = [
    base ? `baseB (no transfer): ${withSd(base)}` : "",
    options.baseA ? `baseA on task A's test images: ${withSd(options.baseA)}` : "",
    repeats > 1 ? `mean ± 1 sd over ${repeats} seeds` : "",
  ].filter(Boolean).join(" · ");
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: { text: options.title, subtitle },
    width: Math.max(460, 70 * ks.length),
    height: 300,
    layer: [
      ...refs.map((r) => ({
        data: { values: [r] },
        layer: [
          { mark: { type: "rule" as const, strokeDash: r.dash, color: CHART_THEME.color.muted }, encoding: { y: { field: "accuracy", type: "quantitative" as const } } },
          // outside the plot on the right, where no line runs (the numbers are in the subtitle)
          { mark: { type: "text" as const, align: "left" as const, baseline: "middle" as const, dx: 4, x: "width" as const, color: CHART_THEME.color.muted, fontSize: 10 }, encoding: { y: { field: "accuracy", type: "quantitative" as const }, text: { field: "label" } } },
        ],
      })),
      ...(repeats > 1
        ? [{ data: { values: lines }, mark: { type: "rule" as const, strokeWidth: 1.5 }, encoding: { x, y: { ...y, field: "lo" }, y2: { field: "hi" }, color } }]
        : []),
      {
        data: { values: lines },
        mark: { type: "line", point: { size: 50 } },
        encoding: {
          x, y, color,
          strokeDash: { field: "variant", type: "nominal", title: null, sort: ORDER, scale: { domain: ORDER, range: [[1, 0], [4, 2], [1, 0], [4, 2]] }, legend: { orient: "top", direction: "horizontal" } },
          tooltip: [{ field: "variant" }, { field: "k" }, { field: "accuracy", format: ".2%" }, { field: "sd", format: ".2%" }, { field: "n" }],
        },
      },
    ],
    config: chartConfig(),
  } as TopLevelSpec;
}
