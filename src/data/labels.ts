import { DataError } from "../util/errors.js";
import { MAX_CLASSES } from "./limits.js";

/**
 * Labels checked against the classes they index: labels are 0..K−1, or −1 for an image with no
 * label. When the class names are known (a named set, `--classes`, folder names) K is their count;
 * otherwise the classes are "0".."K−1" for K = the largest label + 1, and K may not pass
 * {@link MAX_CLASSES}.
 */

/** The labels outside −1..k−1: how many, and the first (its index in the labels as given, and its value). */
export interface LabelsOutside {
  count: number;
  index: number;
  value: number;
}

/** Counts the labels outside −1..k−1; undefined when there are none. */
export function labelsOutside(labels: ArrayLike<number>, k: number): LabelsOutside | undefined {
  let count = 0;
  let index = -1;
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (y < -1 || y >= k) {
      if (count === 0) index = i;
      count++;
    }
  }
  return count === 0 ? undefined : { count, index, value: labels[index] };
}

/** "2 label(s) outside 0..9 (first at index 3: 12)". */
export function describeOutside(bad: LabelsOutside, k: number): string {
  return `${bad.count} label(s) outside 0..${k - 1} (first at index ${bad.index}: ${bad.value})`;
}

/** Options for {@link classNamesFor}. */
export interface ClassNamesOptions {
  /** The class names, when known; labels must index them. */
  classes?: readonly string[];
  /** Where `classes` came from, for the message, e.g. "--classes". */
  classesFrom?: string;
}

/**
 * The class names of a labelled set: `options.classes` when given (after checking that every
 * label indexes one), else "0".."K−1" for K = the largest label + 1. A label below −1, one past
 * the names given, or, without names, one of {@link MAX_CLASSES} or more is a DataError naming
 * `file`, the first offending index and its value; the names list is never allocated from an
 * unchecked label.
 * @example classNamesFor(Int32Array.of(0, 2, -1), "y.npy") // ["0", "1", "2"]
 * @example classNamesFor(Int32Array.of(0, 2 ** 30), "y.npy") // throws: y.npy: 1 label(s) outside 0..99999 (first at index 1: 1073741824); …
 */
export function classNamesFor(labels: Int32Array, file: string, options: ClassNamesOptions = {}): string[] {
  const { classes, classesFrom } = options;
  const k = classes ? classes.length : MAX_CLASSES;
  const bad = labelsOutside(labels, k);
  if (bad !== undefined) {
    const why = classes
      ? `there are ${k} class names${classesFrom ? ` (${classesFrom})` : ""}; fix the labels (-1 marks an image with no label) or give one name per class`
      : `without class names a label must lie in 0..${MAX_CLASSES - 1}, or be -1 for an image with no label; fix the labels`;
    throw new DataError(`${describeOutside(bad, k)}; ${why}`, file);
  }
  if (classes) return [...classes];
  let max = -1;
  for (let i = 0; i < labels.length; i++) if (labels[i] > max) max = labels[i];
  return Array.from({ length: max + 1 }, (_, i) => String(i));
}
