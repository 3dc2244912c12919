import { sharedHistogram } from "../analysis/diagnose/compareHistograms.js";
import type { Comparison } from "../analysis/diagnose/compareTypes.js";
import { confidenceCompareSpec, layerStatsSpec, perClassDeltaSpec } from "./charts/compare.js";
import { ckaHeatmapSpec, confusionDifferenceSpec, type LayerHistogramPair, histogramsCompareSpec, rocCompareSpec } from "./charts/compareDeep.js";
import type { TopLevelSpec } from "./vega.js";

/**
 * The charts of a comparison (workflows/compareCompute.ts) as Vega-Lite specs, by file name: what
 * `featurelens compare` writes into run A's `compare/<B>/` and what the report's compare section
 * draws inline.
 */

/**
 * Both models' histograms of each layer on shared bins, in A's order — when the two networks have
 * the same layers (by name, in order): a layer of another architecture that happens to share a
 * name ("/conv1/Conv") is not the same layer.
 */
export function histogramPairs(c: Comparison): LayerHistogramPair[] {
  if (!c.activations) return [];
  const na = c.activations.a.map((l) => l.name);
  const nb = c.activations.b.map((l) => l.name);
  if (na.length !== nb.length || na.some((n, i) => n !== nb[i])) return [];
  const inB = new Map(c.activations.b.map((l) => [l.name, l]));
  return c.activations.a.flatMap((la) => {
    const lb = inB.get(la.name);
    if (!lb) return [];
    return [{ layer: la.name, ...sharedHistogram(la.profile, lb.profile) }];
  });
}

/** Every chart of the comparison, keyed by the file stem it is written to. */
export function comparisonCharts(c: Comparison): Record<string, TopLevelSpec> {
  const runs: [string, string] = [c.a.id, c.b.id];
  const on = `${c.n.toLocaleString("en-US")} images`;
  const charts: Record<string, TopLevelSpec> = {
    "per-class": perClassDeltaSpec({
      classes: c.classes, a: { name: c.a.id, recall: c.per_class.map((p) => p.recall[0]), accuracy: c.a.accuracy }, b: { name: c.b.id, recall: c.per_class.map((p) => p.recall[1]), accuracy: c.b.accuracy },
      title: `${c.b.id} against ${c.a.id}, class by class — ${on}`,
    }),
    confidence: confidenceCompareSpec({ a: { name: c.a.id, confidence: [] }, b: { name: c.b.id, confidence: [] }, title: `How sure each model is — ${on}` }),
    "confusion-difference": confusionDifferenceSpec({ classes: c.classes, difference: c.confusion_difference, runs, title: `Confusion matrix of ${c.b.id} minus ${c.a.id}` }),
    roc: rocCompareSpec({ a: { name: c.a.id, ...c.roc.a }, b: { name: c.b.id, ...c.roc.b }, title: `ROC curves of both models — ${on}` }),
  };
  // The confidence chart from the stored shares (the spec function bins raw confidences itself).
  charts.confidence = withShares(charts.confidence, c);
  const act = c.activations;
  if (act) {
    const byName = new Map(act.b.map((l) => [l.name, l]));
    const layers = [...new Set([...act.a.map((l) => l.name), ...act.b.map((l) => l.name)])];
    const rows = [...act.a.map((l) => ({ layer: l.name, run: c.a.id, mean: l.profile.mean, zeros: l.profile.zeros })), ...act.b.map((l) => ({ layer: l.name, run: c.b.id, mean: l.profile.mean, zeros: l.profile.zeros }))];
    charts.layers = layerStatsSpec({ rows, layers, runs, title: `Activations per layer — ${act.images.toLocaleString("en-US")} images through both models` });
    charts.cka = ckaHeatmapSpec({ a: act.cka_a, b: act.cka_b, values: act.cka.map((v) => v ?? NaN), runs, title: `How alike are their layers? Linear CKA on ${act.images.toLocaleString("en-US")} images` });
    const pairs = histogramPairs(c);
    if (pairs.length && byName.size) charts.histograms = histogramsCompareSpec({ layers: pairs, runs, images: act.images, title: `Activation histograms, ${c.a.id} and ${c.b.id} overlaid` });
  }
  return charts;
}

/** The confidence chart's data replaced by the comparison's stored shares per bin. */
function withShares(spec: TopLevelSpec, c: Comparison): TopLevelSpec {
  const bins = c.confidence.bins;
  const values = ([[c.a.id, c.confidence.a], [c.b.id, c.confidence.b]] as const).flatMap(([run, shares]) => shares.map((share, j) => ({ run, start: j / bins, end: (j + 1) / bins, share })));
  return { ...spec, data: { values } } as TopLevelSpec;
}
