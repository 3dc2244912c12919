import type { TopLevelSpec } from "vega-lite";
import { CHART_THEME, chartConfig } from "./theme.js";

export interface TransferPoint {
  variant: string;
  k: number;
  accuracy: number;
}

/**
 * Accuracy on task B against the number of transferred layers k, one line per variant, with baseB
 * as a dashed reference line: the plot of Yosinski et al. 2014, Fig. 2.
 */
export function transferSpec(options: { rows: TransferPoint[]; title: string }): TopLevelSpec {
  const base = options.rows.find((r) => r.variant === "baseB");
  const lines = options.rows.filter((r) => r.variant !== "baseB");
  const order = ["BnB", "BnB+", "AnB", "AnB+"];
  const colors = [CHART_THEME.classColors[0], CHART_THEME.classColors[9] ?? CHART_THEME.classColors[0], CHART_THEME.classColors[3], CHART_THEME.classColors[1]];
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: { text: options.title, subtitle: base ? `baseB (no transfer): ${(100 * base.accuracy).toFixed(1)}%` : "" },
    width: 460,
    height: 280,
    layer: [
      {
        data: { values: lines },
        mark: { type: "line", point: { size: 60 } },
        encoding: {
          x: { field: "k", type: "quantitative", title: "layers transferred (k)", axis: { tickMinStep: 1, format: "d" } },
          y: { field: "accuracy", type: "quantitative", title: "accuracy on task B", scale: { zero: false }, axis: { format: ".0%" } },
          color: { field: "variant", type: "nominal", title: null, sort: order, scale: { domain: order, range: colors } },
          strokeDash: { field: "variant", type: "nominal", title: null, sort: order, scale: { domain: order, range: [[1, 0], [4, 2], [1, 0], [4, 2]] } },
        },
      },
      ...(base
        ? [{ data: { values: [base] }, mark: { type: "rule" as const, strokeDash: [6, 4], color: CHART_THEME.color.muted }, encoding: { y: { field: "accuracy", type: "quantitative" as const } } }]
        : []),
    ],
    config: chartConfig(),
  } as TopLevelSpec;
}
