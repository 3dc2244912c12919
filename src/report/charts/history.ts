import type { TopLevelSpec } from "vega-lite";
import { CHART_THEME, chartConfig } from "./theme.js";

export interface HistoryPoint {
  epoch: number;
  train_loss: number;
  train_accuracy: number;
  val_loss: number | null;
  val_accuracy: number | null;
}

/** Loss and accuracy per epoch, training and validation, side by side (as Keras' history plots). */
export function historySpec(options: { history: HistoryPoint[]; title: string }): TopLevelSpec {
  const rows = options.history.flatMap((h) => [
    { epoch: h.epoch, metric: "loss", split: "train", value: h.train_loss },
    { epoch: h.epoch, metric: "accuracy", split: "train", value: h.train_accuracy },
    ...(h.val_loss === null ? [] : [{ epoch: h.epoch, metric: "loss", split: "validation", value: h.val_loss }]),
    ...(h.val_accuracy === null ? [] : [{ epoch: h.epoch, metric: "accuracy", split: "validation", value: h.val_accuracy }]),
  ]);
  const panel = (metric: string, format: string) => ({
    width: 260,
    height: 200,
    title: metric,
    transform: [{ filter: `datum.metric === '${metric}'` }],
    mark: { type: "line" as const, point: true },
    encoding: {
      x: { field: "epoch", type: "quantitative" as const, axis: { tickMinStep: 1, format: "d" } },
      y: { field: "value", type: "quantitative" as const, title: null, scale: { zero: false }, axis: { format } },
      color: { field: "split", type: "nominal" as const, title: null, scale: { range: [CHART_THEME.classColors[0], CHART_THEME.classColors[1]] } },
    },
  });
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: options.title,
    data: { values: rows },
    hconcat: [panel("loss", ".3f"), panel("accuracy", ".1%")],
    config: chartConfig(),
  } as TopLevelSpec;
}
