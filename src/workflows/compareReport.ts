import { existsSync, readFileSync } from "node:fs";
import type { Comparison } from "../analysis/diagnose/compareTypes.js";
import type { OpenedModel } from "../nn/infer.js";
import type { ComparisonView } from "../report/html/compareView.js";
import type { LayerStatsRow, Loaded } from "../report/html/types.js";
import { encodePng } from "../report/raster.js";
import { sameParams } from "../store/run.js";
import type { Run } from "../store/run.js";
import { alignRuns } from "./compareAlign.js";
import { COMPARE_DEFAULTS, computeComparison } from "./compareCompute.js";
import { agreementPicture, mapsImage, mapsPictures } from "./compareFigures.js";
import { compareFolder } from "./compareRuns.js";

/**
 * The comparison `report --compare` shows: the one `featurelens compare` stored in run A (when it
 * was made of the same two models with the default sample), else computed here the same way.
 */

/** Reads run A's stored comparison with B if it is of these two models and the default sample. */
function stored(a: Run, b: Run): ComparisonView | null {
  const folder = compareFolder(b.id);
  const rec = a.record.artifacts[folder];
  if (!rec || !a.hasArtifact(a.record, folder)) return null;
  const want = { b: b.id, b_model: b.record.model?.sha256 ?? null, a_model: a.record.model?.sha256 ?? null, images: COMPARE_DEFAULTS.images, seed: COMPARE_DEFAULTS.seed };
  const { domain: _d, ...got } = rec.params as Record<string, unknown>;
  if (!sameParams(got, want)) return null;
  const json = a.path(`${folder}/compare.json`);
  if (!existsSync(json)) return null;
  const comparison = JSON.parse(readFileSync(json, "utf8")) as Comparison & { figures?: { maps?: { layer: string; file: string }[] } };
  const maps = (comparison.figures?.maps ?? []).filter((m) => existsSync(a.path(`${folder}/${m.file}`)));
  const agreement = existsSync(a.path(`${folder}/agreement.png`)) ? readFileSync(a.path(`${folder}/agreement.png`)) : null;
  return { comparison, source: "stored", agreement, maps: maps.map((m) => ({ layer: m.layer, png: readFileSync(a.path(`${folder}/${m.file}`)) })) };
}

/** The comparison of runs A and B for the report: stored, or computed (activations only when both models open). */
export async function readComparisonView(a: Run, b: Run, ma: Loaded<OpenedModel>, mb: Loaded<OpenedModel>, onStage?: (s: string) => void): Promise<ComparisonView> {
  const kept = stored(a, b);
  if (kept) return kept;
  const aligned = await alignRuns(a, b);
  const models = "value" in ma && "value" in mb ? { a: ma.value, b: mb.value } : { missing: `a model cannot be opened (${"missing" in ma ? ma.missing : ""}${"missing" in mb ? ` ${mb.missing}` : ""})` };
  const comparison = await computeComparison(a, b, aligned, models, onStage ? { onStage } : {});
  if ("missing" in aligned.images) return { comparison, source: "computed", agreement: null, maps: [] };
  const images = aligned.images;
  const predicted = { a: Int32Array.from(aligned.rowsA, (r) => aligned.predA.predicted[r]), b: Int32Array.from(aligned.rowsB, (r) => aligned.predB.predicted[r]) };
  const agreement = await encodePng(agreementPicture(comparison, images, predicted));
  const maps = "missing" in models ? [] : await Promise.all((await mapsPictures(comparison, models.a, models.b, images, mapsImage(comparison))).map(async (m) => ({ layer: m.layer, png: await encodePng(m.picture) })));
  return { comparison, source: "computed", agreement, maps };
}

/** The report's per-layer rows (mean, zeros) from a comparison's activations. */
export function layerRowsOf(c: Comparison): { rows: LayerStatsRow[]; images: number } | null {
  const act = c.activations;
  if (!act) return null;
  const inB = new Map(act.b.map((l) => [l.name, l]));
  const rows: LayerStatsRow[] = act.a.map((l) => {
    const o = inB.get(l.name);
    return { layer: l.name, kind: l.kind, a: { mean: l.profile.mean, zeros: l.profile.zeros }, b: o ? { mean: o.profile.mean, zeros: o.profile.zeros } : null };
  });
  const inA = new Set(act.a.map((l) => l.name));
  for (const l of act.b) if (!inA.has(l.name)) rows.push({ layer: l.name, kind: l.kind, a: null, b: { mean: l.profile.mean, zeros: l.profile.zeros } });
  return { rows, images: act.images };
}
