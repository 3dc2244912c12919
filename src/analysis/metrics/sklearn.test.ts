import { describe, expect, it } from "vitest";
import { normalizeConfusion } from "./confusion.js";
import { evaluate } from "./evaluate.js";
import { expectClose, inputs, loadFixtures } from "./metrics.testutil.js";

// Every fixture of scripts/make-metrics-fixtures.py against scikit-learn 1.2, within 1e-9, curves point by point.
const fixtures = loadFixtures();

describe.each(fixtures.map((f) => [f.name, f] as const))("evaluate() on fixture %s", (_name, f) => {
  const { labels, probs, k } = inputs(f);
  const topK = Array.from({ length: k - 1 }, (_, i) => i + 1);
  const { report, curves, samples } = evaluate(labels, probs, k, { topK });
  const e = f.expected;

  it("evaluate() confusion matrix matches confusion_matrix, each normalize", () => {
    expect(report.confusion).toEqual(e.confusion.None);
    const flat = Float64Array.from(report.confusion.flat());
    for (const mode of ["true", "pred", "all"] as const) {
      expectClose(normalizeConfusion(flat, k, mode), e.confusion[mode].flat(), `normalize=${mode}`);
    }
  });

  it("evaluate() per-class counts and rates match precision_recall_fscore_support and multilabel_confusion_matrix", () => {
    const pc = report.per_class;
    for (const key of ["precision", "recall", "f1", "support"] as const) expectClose(pc.map((c) => c[key]), e.per_class[key], key);
    for (const key of ["tp", "fp", "fn", "tn"] as const) expectClose(pc.map((c) => c[key]), e.counts[key], key);
    expectClose(pc.map((c) => c.specificity), e.specificity, "specificity");
  });

  it("evaluate() micro, macro and weighted averages match precision_recall_fscore_support and classification_report", () => {
    for (const avg of ["micro", "macro", "weighted"] as const) {
      for (const key of ["precision", "recall", "f1"] as const) expectClose(report[avg][key], e[avg][key], `${avg} ${key}`);
    }
    const r = e.report;
    for (let c = 0; c < k; c++) {
      expectClose(report.per_class[c].f1, r[String(c)]["f1-score"], `report ${c} f1`);
      expectClose(report.per_class[c].support, r[String(c)].support, `report ${c} support`);
    }
    expectClose(report.macro.f1, r["macro avg"]["f1-score"], "report macro f1");
    expectClose(report.weighted.precision, r["weighted avg"].precision, "report weighted precision");
    expectClose(report.micro.f1, r.accuracy ?? r["micro avg"]["f1-score"], "report accuracy");
  });

  it("evaluate() accuracy, balanced accuracy and top-k accuracy match scikit-learn", () => {
    expectClose(report.accuracy, e.accuracy, "accuracy");
    expectClose(report.balanced_accuracy, e.balanced_accuracy, "balanced_accuracy");
    expect(Object.keys(report.top_k)).toEqual(Object.keys(e.top_k));
    for (const key of Object.keys(e.top_k)) expectClose(report.top_k[key], e.top_k[key], `top_k ${key}`);
  });

  it("evaluate() log loss and per-sample losses match log_loss (clipped, rows renormalised)", () => {
    expectClose(report.log_loss, e.log_loss, "log_loss");
    expectClose(samples.loss, e.per_sample, "per-sample loss");
    expectClose(samples.loss.reduce((a, b) => a + b, 0), e.log_loss_sum, "log_loss normalize=False");
    expectClose(samples.entropy, e.entropy, "entropy");
  });

  it("evaluate() reliability bins match calibration_curve and the ECE its definition", () => {
    const cal = e.calibration;
    expect(report.calibration.map((b) => b.count)).toEqual(cal.counts);
    const nonEmpty = report.calibration.filter((b) => b.count > 0);
    expectClose(nonEmpty.map((b) => b.accuracy), cal.accuracy, "bin accuracy");
    expectClose(nonEmpty.map((b) => b.confidence), cal.confidence, "bin confidence");
    expectClose(report.ece, cal.ece, "ece");
    const s = cal.confidence_stats;
    for (const key of ["mean", "std", "min", "max", "mean_correct", "mean_incorrect"] as const) expectClose(report.confidence[key], s[key], key);
    expectClose(Object.values(report.confidence.quantiles), s.quantiles, "confidence quantiles");
  });

  it("evaluate() per-class ROC curves match roc_curve point by point, AUCs roc_auc_score", () => {
    for (let c = 0; c < k; c++) {
      const [got, want] = [curves!.roc.per_class[c], e.ranking.roc[c]];
      expectClose(got.fpr, want.fpr, `class ${c} fpr`);
      expectClose(got.tpr, want.tpr, `class ${c} tpr`);
      expectClose(got.thresholds, want.thresholds, `class ${c} thresholds`);
      expectClose(got.auc, want.auc, `class ${c} auc`);
    }
    expectClose(report.roc_auc.per_class, e.ranking.roc.map((r: { auc: number | null }) => r.auc), "roc_auc.per_class");
    expectClose(report.roc_auc.macro, e.ranking.auc_macro, "roc_auc.macro");
    expectClose(report.roc_auc.weighted, e.ranking.auc_weighted, "roc_auc.weighted");
  });

  it("evaluate() micro and macro ROC curves match roc_curve on the ravelled binarised labels and the interpolated mean", () => {
    const micro = e.ranking.micro;
    expectClose(curves!.roc.micro.fpr, micro.fpr, "micro fpr");
    expectClose(curves!.roc.micro.tpr, micro.tpr, "micro tpr");
    expectClose(curves!.roc.micro.thresholds, micro.thresholds, "micro thresholds");
    expectClose(report.roc_auc.micro, micro.auc, "roc_auc.micro");
    const macro = e.ranking.macro_curve;
    expectClose(curves!.roc.macro.fpr, macro.fpr, "macro fpr");
    expectClose(curves!.roc.macro.tpr, macro.tpr, "macro tpr");
    expectClose(curves!.roc.macro.auc, macro.auc, "macro curve auc");
  });

  it("evaluate() precision-recall curves match precision_recall_curve point by point, AP average_precision_score", () => {
    for (let c = 0; c < k; c++) {
      const [got, want] = [curves!.pr.per_class[c], e.ranking.pr[c]];
      expectClose(got.precision, want.precision, `class ${c} precision`);
      expectClose(got.recall, want.recall, `class ${c} recall`);
      expectClose(got.thresholds, want.thresholds, `class ${c} thresholds`);
      expectClose(got.average_precision, want.average_precision, `class ${c} AP`);
    }
    expectClose(report.average_precision.macro, e.ranking.ap_macro, "AP macro");
    expectClose(report.average_precision.micro, e.ranking.ap_micro, "AP micro");
  });

  it("evaluate() warns where scikit-learn raises UndefinedMetricWarning", () => {
    const sk: string[] = e.sklearn_warnings;
    const ours = report.warnings.join("\n");
    expect(/no predicted samples/.test(ours)).toBe(sk.some((m) => m.startsWith("Precision and F-score")));
    expect(/recall and F1 .* no true samples/.test(ours)).toBe(sk.some((m) => m.startsWith("Recall and F-score")));
    expect(/balanced accuracy/.test(ours)).toBe(sk.includes("y_pred contains classes not in y_true"));
    expect(/ROC AUC is undefined/.test(ours)).toBe(sk.some((m) => m.startsWith("No positive samples in y_true")));
  });

  if (k === 2) {
    it("evaluate() binary extras match roc_auc_score, the Youden point and metrics at a threshold", () => {
      const b = report.binary!;
      const want = e.binary;
      expectClose(b.roc_auc, want.auc, "binary auc");
      for (const key of ["threshold", "tpr", "fpr", "j"] as const) expectClose(b.youden[key], want.youden[key], `youden ${key}`);
      for (const [ours, theirs] of [[b.at_threshold, want["at_0.5"]], [b.at_youden, want.at_youden]] as const) {
        for (const key of ["threshold", "tp", "fp", "fn", "tn", "precision", "recall", "f1", "accuracy", "specificity"] as const) {
          expectClose(ours[key], theirs[key], `at ${theirs.threshold} ${key}`);
        }
      }
    });
  }
});

describe("fixtures", () => {
  it("loadFixtures() finds every case the fixture script writes", () => {
    expect(fixtures.map((f) => f.name)).toEqual([
      "absent-class",
      "binary-one-column",
      "binary-two-columns",
      "multiclass",
      "never-predicted",
      "perfect",
      "random-float32",
      "tied-scores",
    ]);
  });
});
