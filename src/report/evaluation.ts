import { join } from "node:path";
import type { Evaluation, MetricsReport } from "../analysis/metrics/index.js";
import { writeFileAtomic } from "../util/atomic.js";
import { confidenceHistogramSpec } from "./charts/confidence.js";
import { confusionMatrixSpec } from "./charts/confusion.js";
import { perClassBarsSpec } from "./charts/perClass.js";
import { prCurvesSpec } from "./charts/pr.js";
import { reliabilitySpec } from "./charts/reliability.js";
import { rocCurvesSpec } from "./charts/roc.js";
import { type TopLevelSpec, writeChart } from "./vega.js";

/**
 * An evaluation written to a folder: report.json (every number, the keys of `featurelens evaluate
 * --json`) and one chart per view, each as PNG and SVG — the same Vega-Lite specs the web app draws.
 */

/** The chart files {@link writeEvaluation} writes (without extension), in reading order. */
export const EVALUATION_CHARTS = ["confusion", "per-class", "roc", "pr", "reliability", "confidence"] as const;

/** The charts of an evaluation, by file name. ROC and PR need the curves (`evaluate(…, { curves: true })`). */
export function evaluationSpecs(evaluation: Evaluation, classes: string[], title = ""): Record<(typeof EVALUATION_CHARTS)[number], TopLevelSpec> {
  const { report, curves, samples } = evaluation;
  if (!curves) throw new RangeError("evaluationSpecs needs the curves: call evaluate(…) with curves: true");
  const on = title ? ` — ${title}` : "";
  const binary = report.num_classes === 2 && report.binary;
  // A binary problem is drawn as one curve, class 1 against class 0, with the Youden point marked.
  const rocPerClass = curves.roc.per_class.map((c) => ({ fpr: c.fpr, tpr: c.tpr, auc: c.auc }));
  const prPerClass = curves.pr.per_class.map((c) => ({ precision: c.precision, recall: c.recall, averagePrecision: c.average_precision }));
  const positives = report.per_class[1]?.support ?? 0;
  return {
    confusion: confusionMatrixSpec({ classes, counts: report.confusion, accuracy: report.accuracy, title: `Confusion matrix${on}` }),
    "per-class": perClassBarsSpec({
      classes,
      precision: report.per_class.map((c) => c.precision),
      recall: report.per_class.map((c) => c.recall),
      f1: report.per_class.map((c) => c.f1),
      support: report.per_class.map((c) => c.support),
      macro: report.macro,
      title: `Precision, recall and F1 per class${on}`,
    }),
    roc: binary
      ? rocCurvesSpec({
          classes: [classes[1]],
          curves: [rocPerClass[1]],
          point: { fpr: binary.youden.fpr, tpr: binary.youden.tpr, label: `Youden's J: threshold ${binary.youden.threshold.toPrecision(3)}` },
          title: `ROC curve${on}`,
        })
      : rocCurvesSpec({ classes, curves: rocPerClass, micro: curves.roc.micro, macro: curves.roc.macro, title: `ROC curves${on}` }),
    pr: binary
      ? prCurvesSpec({ classes: [classes[1]], curves: [prPerClass[1]], chanceLevel: positives / report.n, title: `Precision–recall curve${on}` })
      : prCurvesSpec({ classes, curves: prPerClass, title: `Precision–recall curves${on}` }),
    reliability: reliabilitySpec({
      edges: [...report.calibration.map((b) => b.lower), report.calibration.at(-1)?.upper ?? 1],
      count: report.calibration.map((b) => b.count),
      confidence: report.calibration.map((b) => b.confidence),
      accuracy: report.calibration.map((b) => b.accuracy),
      ece: report.ece,
      title: `Reliability diagram${on}`,
    }),
    confidence: confidenceHistogramSpec({ confidences: samples.confidence, correct: samples.correct, title: `Confidence of correct and wrong predictions${on}` }),
  };
}

/**
 * Writes report.json and every chart as PNG and SVG into `dir`; returns the files written.
 * The report carries the class names beside the numbers.
 */
export async function writeEvaluation(dir: string, evaluation: Evaluation, classes: string[], title = ""): Promise<string[]> {
  const written = [join(dir, "report.json")];
  writeFileAtomic(written[0], `${reportJson(evaluation.report, classes)}\n`);
  const specs = evaluationSpecs(evaluation, classes, title);
  for (const name of EVALUATION_CHARTS) written.push(...(await writeChart(join(dir, name), specs[name], { formats: ["png", "svg"] })));
  return written;
}

/**
 * The report as JSON with the class names added (`classes`, and `name` in each `per_class` entry);
 * NaN (an undefined metric) becomes null.
 */
export function reportJson(report: MetricsReport, classes: string[]): string {
  const withNames = { classes, ...report, per_class: report.per_class.map((c) => ({ name: classes[c.class], ...c })) };
  const json = JSON.stringify(withNames, (_, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? null : v), 1);
  // Arrays of numbers or strings (confusion rows, per-class AUCs, class names) on one line each.
  return json.replace(/\[\s*((?:-?[\d.e+-]+|null|"(?:[^"\\]|\\.)*")(?:,\s*(?:-?[\d.e+-]+|null|"(?:[^"\\]|\\.)*"))*)\s*\]/g, (_, items: string) => `[${items.replace(/,\n\s*/g, ", ")}]`);
}
