import type { Dataset } from "../data/dataset.js";
import type { ModelIR } from "../engine/onnx/ir.js";
import { recordedClasses } from "../engine/onnx/modelInfo.js";
import { DataError } from "../util/errors.js";

/** A dataset with more classes than the model has outputs cannot be scored by it. */
export function checkClassCount(ds: Dataset, k: number): void {
  if (ds.classes.length > k) {
    throw new DataError(`the dataset has ${ds.classes.length} classes but the model has ${k} outputs; use a model trained on these classes`, ds.name);
  }
}

/** Class names for the model's K outputs: recorded in the model, else the dataset's, else "0".."K-1". */
export function classNamesFor(model: ModelIR, ds: Dataset, k: number): string[] {
  const recorded = recordedClasses(model);
  if (recorded && recorded.length === k) return recorded;
  if (ds.classes.length === k) return ds.classes;
  return Array.from({ length: k }, (_, i) => String(i));
}
