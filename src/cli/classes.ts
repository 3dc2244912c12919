import type { Dataset } from "../data/dataset.js";
import { DataError } from "../util/errors.js";

/** A dataset with more classes than the model has outputs cannot be scored by it. */
export function checkClassCount(ds: Dataset, k: number): void {
  if (ds.classes.length > k) {
    throw new DataError(`the dataset has ${ds.classes.length} classes but the model has ${k} outputs; use a model trained on these classes`, ds.name);
  }
}

export { classNamesFor } from "../nn/classes.js";
