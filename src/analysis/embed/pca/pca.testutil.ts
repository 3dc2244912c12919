import { expect } from "vitest";

/**
 * Asserts that two k×d sets of unit components are equal up to the sign of each component: every
 * entry within `tol` after flipping a component whose dot product with its twin is negative.
 */
export function expectSameComponents(actual: Float64Array, expected: Float64Array, d: number, tol: number): void {
  expect(actual.length).toBe(expected.length);
  for (let c = 0; c < expected.length / d; c++) {
    let dot = 0;
    for (let j = 0; j < d; j++) dot += actual[c * d + j] * expected[c * d + j];
    const sign = dot < 0 ? -1 : 1;
    let worst = 0;
    for (let j = 0; j < d; j++) worst = Math.max(worst, Math.abs(sign * actual[c * d + j] - expected[c * d + j]));
    expect(worst, `component ${c}: largest difference ${worst} > ${tol}`).toBeLessThanOrEqual(tol);
  }
}
