import type { Comparison } from "../../analysis/diagnose/compareTypes.js";

/**
 * The deep comparison of two runs as the report draws it: the numbers (the same as
 * `featurelens compare` stores in run A's compare/<B>/compare.json) and the raster pictures that
 * need the images or the models, as PNG bytes.
 */
export interface ComparisonView {
  comparison: Comparison;
  /** Where the numbers came from: the stored compare.json, or computed for this report. */
  source: "stored" | "computed";
  /** Example images of each cell of the agreement table. */
  agreement: Uint8Array | null;
  /** One image's maps in both models on one colour scale, per layer. */
  maps: { layer: string; png: Uint8Array }[];
}
