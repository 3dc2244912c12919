import { UsageError } from "../util/errors.js";

/**
 * A class given by a user — its name (matched exactly, case included) or its index — as its
 * index. A name that is not there gets the closest one as a suggestion and the list of names.
 * @example resolveClass("Shirt", FASHION, "--true") // 6
 * @example resolveClass("6", FASHION, "--true") // 6
 * @example resolveClass("shirt", FASHION, "--true")
 * // UsageError: --true 'shirt': no class of that name; did you mean 'Shirt'? The classes: 0 T-shirt/top, 1 Trouser, …, 9 Ankle boot
 */
export function resolveClass(value: string | number, classes: readonly string[], flag: string): number {
  const k = classes.length;
  if (typeof value === "number") {
    if (Number.isInteger(value) && value >= 0 && value < k) return value;
    throw new UsageError(`${flag} ${value}: class indices are 0..${k - 1}; ${listing(classes)}`);
  }
  const exact = classes.indexOf(value);
  if (exact >= 0) return exact;
  if (/^\d+$/.test(value.trim())) {
    const i = Number(value.trim());
    if (i < k) return i;
    throw new UsageError(`${flag} ${value}: class indices are 0..${k - 1}; ${listing(classes)}`);
  }
  const near = closestName(value, classes);
  const hint = near === undefined ? `; ${listing(classes)}` : `; did you mean '${near}'? ${listing(classes, true)}`;
  throw new UsageError(`${flag} '${value}': no class of that name${hint}`);
}

function listing(classes: readonly string[], capital = false): string {
  return `${capital ? "T" : "t"}he classes: ${classes.map((c, i) => `${i} ${c}`).join(", ")}`;
}

/**
 * The class name a mistyped one most likely meant: equal but for case, else the nearest by edit
 * distance (case ignored) within a third of its length, else one that starts with or contains it.
 */
export function closestName(value: string, names: readonly string[]): string | undefined {
  const v = value.toLowerCase();
  const lower = names.map((n) => n.toLowerCase());
  const same = lower.indexOf(v);
  if (same >= 0) return names[same];
  let best: number | undefined;
  let bestDistance = Math.max(1, Math.floor(v.length / 3)) + 1;
  lower.forEach((n, i) => {
    const d = editDistance(v, n);
    if (d < bestDistance) [best, bestDistance] = [i, d];
  });
  if (best !== undefined) return names[best];
  const part = v.length >= 3 ? lower.findIndex((n) => n.startsWith(v) || n.includes(v)) : -1;
  return part >= 0 ? names[part] : undefined;
}

/** Levenshtein distance (insertions, deletions, substitutions each cost 1), one row at a time. */
function editDistance(a: string, b: string): number {
  let prev = Int32Array.from({ length: b.length + 1 }, (_, j) => j);
  let cur = new Int32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    [prev, cur] = [cur, prev];
  }
  return prev[b.length];
}
