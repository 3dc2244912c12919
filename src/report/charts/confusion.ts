import type { TopLevelSpec } from "vega-lite";
import { checkClasses, checkNumber, count, describe, isArrayLike, percent, throwProblems, VEGA_LITE_SCHEMA } from "./format.js";
import { CHART_THEME, chartConfig } from "./theme.js";

/** Options for {@link confusionMatrixSpec}; defaults in {@link CONFUSION_MATRIX_DEFAULTS}. */
export interface ConfusionMatrixOptions {
  /** Class names, in the model's output order. */
  classes: string[];
  /**
   * How many samples of true class t were predicted as class p: K×K counts, row-major and flat
   * (`counts[t * K + p]`, e.g. an Int32Array), or one row per true class.
   */
  counts: ArrayLike<number> | readonly ArrayLike<number>[];
  /** Overall accuracy for the subtitle; by default the diagonal's share of all counts. */
  accuracy?: number;
  title?: string;
  /**
   * Write each cell's count (and, up to 12 classes, its share of the row) in it; by default when
   * there are at most `maxClassesWithText` classes. Larger matrices are colour only.
   */
  showText?: boolean;
}

export const CONFUSION_MATRIX_DEFAULTS = { title: "Confusion matrix", maxClassesWithText: 30 } as const;

/** One cell of the matrix, as drawn. */
export interface ConfusionCell {
  /** True class (row) and predicted class (column), as indices. */
  true: number;
  predicted: number;
  trueClass: string;
  predictedClass: string;
  count: number;
  /** `count` over the row's total: the share of true class `true` predicted as `predicted` (0 for an empty row). */
  fraction: number;
  /** What the cell says: "1,234\n45.6%" (two lines, up to 12 classes), "1234" (up to 30), "" (more, or an empty cell past 12). */
  text: string;
  /** How the text is drawn: white on dark cells, grey for empty cells. */
  tone: "dark" | "light" | "zero";
}

/** Sizes by number of classes: wider cells and two text lines for few classes, colour only for many. */
function layout(k: number, showText: boolean): { cell: number; lines: 0 | 1 | 2; fontSize: number } {
  if (!showText) return { cell: Math.max(6, Math.min(40, Math.floor(600 / k))), lines: 0, fontSize: 0 };
  if (k <= 12) return { cell: 54, lines: 2, fontSize: CHART_THEME.fontSize.mark };
  if (k <= 20) return { cell: 36, lines: 1, fontSize: 10 };
  return { cell: 28, lines: 1, fontSize: 9 };
}

/** ColorBrewer's 9-class Blues (Brewer 2003): from almost white, so that empty cells stand back. */
export const BLUES = ["#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b"] as const;

/** Colour position of a row share: the square root, so that the few-percent confusions show. */
const colorPosition = (fraction: number): number => Math.sqrt(fraction);
/** Past this colour position the blues are dark enough for white text. */
export const DARK_FROM = 0.62;

/** A cell's tooltip, the same in the single matrix and in the side-by-side pair. */
export const CONFUSION_TOOLTIP = [
  { field: "trueClass", type: "nominal", title: "true class" },
  { field: "predictedClass", type: "nominal", title: "predicted" },
  { field: "count", type: "quantitative", format: "," },
  { field: "fraction", type: "quantitative", title: "share of row", format: ".1%" },
] as const;

/**
 * A heatmap of a confusion matrix: true class down, predicted class across, coloured by each
 * row's share (so every class is read on the same 0–100% scale whatever its size), with the count
 * and the row share written in each cell. The colour scale is square-root, so that a 2% confusion
 * is visibly blue next to a 95% diagonal.
 * @example confusionMatrixSpec({ classes: ["cat", "dog"], counts: [8, 2, 1, 9] }).title
 * // { text: "Confusion matrix", subtitle: "accuracy 85.0% on 20 samples · rows: true class, each summing to 100%" }
 */
export function confusionMatrixSpec(options: ConfusionMatrixOptions): TopLevelSpec {
  const cells = confusionCells(options);
  const k = options.classes.length;
  const showText = options.showText ?? k <= CONFUSION_MATRIX_DEFAULTS.maxClassesWithText;
  const { cell, fontSize } = layout(k, showText);
  const { color } = CHART_THEME;
  const names = JSON.stringify(options.classes);
  const total = cells.reduce((s, c) => s + c.count, 0);
  const correct = cells.reduce((s, c) => s + (c.true === c.predicted ? c.count : 0), 0);
  const accuracy = options.accuracy ?? (total > 0 ? correct / total : NaN);
  const axis = { labelExpr: `${names}[datum.value]`, ticks: false, domain: false, labelPadding: 4, titlePadding: 8 };
  const sub = [`accuracy ${percent(accuracy)} on ${count(total)} samples`, "rows: true class, each summing to 100%"];
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: { text: options.title ?? CONFUSION_MATRIX_DEFAULTS.title, subtitle: sub.join(" · ") },
    width: { step: cell },
    height: { step: cell },
    data: { values: cells },
    config: { ...chartConfig(), axis: { ...chartConfig().axis, grid: false } },
    encoding: {
      // Keyed by class index, so two classes with the same name still get a row and a column each.
      x: {
        field: "predicted",
        type: "ordinal",
        title: "predicted class",
        axis: { ...axis, orient: "bottom", labelAngle: k <= 3 ? 0 : -45, labelAlign: k <= 3 ? "center" : "right", labelBaseline: "top" },
      },
      y: { field: "true", type: "ordinal", title: "true class", axis },
    },
    layer: [
      {
        mark: { type: "rect", stroke: color.background, strokeWidth: k > 60 ? 0 : 1 },
        encoding: {
          color: {
            field: "fraction",
            type: "quantitative",
            title: "share of row",
            scale: { type: "sqrt", domain: [0, 1], range: [...BLUES] },
            legend: { format: ".0%", values: [0, 0.05, 0.25, 0.5, 1], gradientLength: Math.max(120, Math.min(k * cell, 300)), orient: "right" },
          },
          tooltip: [...CONFUSION_TOOLTIP],
        },
      },
      ...(showText
        ? [
            {
              mark: { type: "text" as const, fontSize, lineBreak: "\n", lineHeight: fontSize + 2, baseline: "middle" as const },
              encoding: {
                text: { field: "text" },
                color: {
                  field: "tone",
                  type: "nominal" as const,
                  legend: null,
                  scale: { domain: ["dark", "light", "zero"], range: ["#ffffff", color.ink, "#9a9a9a"] },
                },
              },
            },
          ]
        : []),
    ],
  } as TopLevelSpec;
}

/**
 * The matrix's cells, checked: K×K of them, row by row.
 * @example confusionCells({ classes: ["cat", "dog"], counts: [[8, 2], [1, 9]] })[1]
 * // { true: 0, predicted: 1, trueClass: "cat", predictedClass: "dog", count: 2, fraction: 0.2, text: "2\n20.0%", tone: "light" }
 */
export function confusionCells(options: ConfusionMatrixOptions): ConfusionCell[] {
  const problems: string[] = [];
  const k = checkClasses(problems, options.classes);
  const flat = flatCounts(problems, options.counts, k);
  if (options.accuracy !== undefined) checkNumber(problems, "accuracy", options.accuracy, { lo: 0, hi: 1 });
  throwProblems(problems);
  const showText = options.showText ?? k <= CONFUSION_MATRIX_DEFAULTS.maxClassesWithText;
  const { lines } = layout(k, showText);
  const cells: ConfusionCell[] = [];
  for (let t = 0; t < k; t++) {
    let rowTotal = 0;
    for (let p = 0; p < k; p++) rowTotal += flat[t * k + p];
    for (let p = 0; p < k; p++) {
      const n = flat[t * k + p];
      const fraction = rowTotal > 0 ? n / rowTotal : 0;
      // Up to 12 classes an empty cell says "0"; in the larger, one-line matrices it stays blank.
      const text = lines === 0 || (lines === 1 && n === 0) ? "" : lines === 1 || n === 0 ? String(n) : `${count(n)}\n${percent(fraction)}`;
      const tone = n === 0 ? "zero" : colorPosition(fraction) >= DARK_FROM ? "dark" : "light";
      cells.push({ true: t, predicted: p, trueClass: options.classes[t], predictedClass: options.classes[p], count: n, fraction, text, tone });
    }
  }
  return cells;
}

/** The counts as one flat row-major K×K array, or an empty one with the problems noted. */
function flatCounts(problems: string[], counts: unknown, k: number): Float64Array {
  if (!isArrayLike(counts)) {
    problems.push(`counts must be a flat K×K array or K rows of K counts, got ${describe(counts)}`);
    return new Float64Array(0);
  }
  const nested = counts.length > 0 && isArrayLike(counts[0]);
  const flat = new Float64Array(k * k);
  if (nested) {
    const rows = counts as ArrayLike<ArrayLike<number>>;
    const widths = Array.from(rows, (r) => (isArrayLike(r) ? r.length : -1));
    if (rows.length !== k || widths.some((w) => w !== k)) {
      problems.push(`counts must have ${k} rows of ${k} counts (one per class), got ${rows.length} rows of [${widths.join(", ")}]`);
      return flat;
    }
    for (let t = 0; t < k; t++) for (let p = 0; p < k; p++) flat[t * k + p] = rows[t][p];
  } else {
    if (counts.length !== k * k) {
      problems.push(`counts must hold ${k}×${k} = ${k * k} values (one per pair of classes), got ${counts.length}`);
      return flat;
    }
    for (let i = 0; i < k * k; i++) flat[i] = counts[i] as number;
  }
  const bad: string[] = [];
  for (let i = 0; i < flat.length; i++) {
    if (!(Number.isInteger(flat[i]) && flat[i] >= 0) && bad.length < 3) bad.push(`[${Math.floor(i / k)}][${i % k}] = ${flat[i]}`);
  }
  if (bad.length > 0) problems.push(`counts must be whole numbers of at least 0, got ${bad.join(", ")}`);
  return flat;
}
