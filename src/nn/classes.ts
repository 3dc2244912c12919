import type { Dataset } from "../data/dataset.js";
import type { ModelIR } from "../engine/onnx/ir.js";
import { recordedClasses } from "../engine/onnx/modelInfo.js";
import { DataError } from "../util/errors.js";

/**
 * The classes a model answers in and the dataset's labels read in them. Models featurelens writes
 * record their class names; an exported model may not, and then the dataset's names are used when
 * their count matches the model's outputs.
 */

/** Class names for the model's K outputs: recorded in the model, else the dataset's, else "0".."K-1". */
export function classNamesFor(model: ModelIR, ds: Pick<Dataset, "classes">, k: number): string[] {
  const recorded = recordedClasses(model);
  if (recorded && recorded.length === k) return recorded;
  if (ds.classes.length === k) return ds.classes;
  return Array.from({ length: k }, (_, i) => String(i));
}

/**
 * The dataset's labels as indices of the model's classes. When the names agree (or the dataset's
 * names are all among the model's — a folder of 3 classes scored by a 10-class model), labels are
 * matched by name; when only the counts agree, by index. Otherwise the dataset cannot be scored by
 * this model, and the error names both sets of classes.
 * @example alignLabels(["cat", "dog"], Int32Array.of(0, 1), ["ant", "cat", "dog"], "photos") // Int32Array [1, 2]
 */
export function alignLabels(dsClasses: readonly string[], labels: Int32Array, modelClasses: readonly string[], source: string): Int32Array {
  const same = dsClasses.length === modelClasses.length && dsClasses.every((c, i) => c === modelClasses[i]);
  if (same) return labels;
  const byName = dsClasses.map((c) => modelClasses.indexOf(c));
  if (byName.every((j) => j >= 0)) return Int32Array.from(labels, (y) => (y < 0 ? -1 : byName[y]));
  if (dsClasses.length === modelClasses.length) return labels;
  const unknown = dsClasses.filter((c) => !modelClasses.includes(c));
  throw new DataError(
    `the dataset's ${dsClasses.length} classes do not match the model's ${modelClasses.length} (${modelClasses.slice(0, 10).join(", ")}${modelClasses.length > 10 ? ", …" : ""}): ` +
      `${unknown.slice(0, 5).join(", ")}${unknown.length > 5 ? ", …" : ""} ${unknown.length === 1 ? "is" : "are"} not among them. Score images of the model's classes, name the folders after them, or pick them with --only`,
    source,
  );
}
