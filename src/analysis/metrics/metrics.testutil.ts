import { readdirSync, readFileSync } from "node:fs";
import { expect } from "vitest";

/** Tolerance of every comparison with scikit-learn: |actual − expected| ≤ TOL·max(1, |expected|). */
export const TOL = 1e-9;

/** A fixture written by scripts/make-metrics-fixtures.py; `expected` holds scikit-learn's answers (NaN as null). */
export interface Fixture {
  name: string;
  note: string;
  num_classes: number;
  one_column: boolean;
  dtype: "float32" | "float64";
  labels: number[];
  probs: number[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  expected: any;
}

const DIR = new URL("./fixtures/", import.meta.url);

/** Every fixture in fixtures/, by name. */
export function loadFixtures(): Fixture[] {
  return readdirSync(DIR)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => JSON.parse(readFileSync(new URL(f, DIR), "utf8")) as Fixture);
}

/** The fixture's inputs as the metrics take them. */
export function inputs(f: Fixture): { labels: Int32Array; probs: Float32Array | Float64Array; k: number } {
  return {
    labels: Int32Array.from(f.labels),
    probs: f.dtype === "float32" ? Float32Array.from(f.probs) : Float64Array.from(f.probs),
    k: f.num_classes,
  };
}

/** Asserts a number, or each number of an array, within TOL of scikit-learn's (null means NaN). */
export function expectClose(actual: number | ArrayLike<number>, expected: number | null | (number | null)[], what: string): void {
  if (typeof actual === "number" || expected === null || typeof expected === "number") {
    check(actual as number, expected as number | null, what);
    return;
  }
  expect(actual.length, `${what}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) check(actual[i], expected[i], `${what}[${i}]`);
}

function check(a: number, e: number | null, what: string): void {
  if (e === null) {
    expect(Number.isNaN(a), `${what}: expected NaN, got ${a}`).toBe(true);
    return;
  }
  const ok = Math.abs(a - e) <= TOL * Math.max(1, Math.abs(e));
  expect(ok, `${what}: got ${a}, scikit-learn ${e} (difference ${a - e})`).toBe(true);
}
