import { createHash } from "node:crypto";
import type { Dataset } from "./dataset.js";

/**
 * A SHA-256 of a dataset's images and labels (and their shape), as hex: two loads of the same
 * images with the same labels in the same order hash alike, whatever file they came from, so a
 * run can tell whether arrays or a second run were made from the same images.
 * @example datasetHash(await loadDataset("sample:test")).length // 64
 */
export function datasetHash(ds: Pick<Dataset, "n" | "height" | "width" | "channels" | "images" | "labels">): string {
  const h = createHash("sha256");
  h.update(`featurelens-dataset-1 ${ds.n} ${ds.height} ${ds.width} ${ds.channels}\n`);
  h.update(ds.images);
  h.update(new Uint8Array(ds.labels.buffer, ds.labels.byteOffset, ds.labels.byteLength));
  return h.digest("hex");
}
