import { describe, expect, it } from "vitest";
import { exactKnn } from "../../neighbors/exact.js";
import { affinities } from "./affinities.js";
import { barnesHutQuery, createBarnesHutRepulsion } from "./barnesHut.js";
import { exactRepulsion } from "./exact.js";
import { klDivergence } from "./gradient.js";
import { gaussian } from "./init.js";
import { tsneObjective } from "./optimize.js";
import { createTreeBuilder } from "./tree.js";
import { blobs, randomMap, relativeError } from "./tsne.testutil.js";
import type { Repulsion } from "./types.js";
import { createRng } from "../../../util/rng.js";

/** Exact KL(P ‖ Q) of the map y: Z summed over all pairs. */
function exactKl(p: ReturnType<typeof affinities>, y: Float64Array, dims: 2 | 3): number {
  const rep = exactRepulsion(y, p.n, dims) as Repulsion;
  return klDivergence(p, y, y, dims, rep.z);
}

/** A map of 8 Gaussian clusters (t-SNE maps are clustered, not uniform). */
function clusteredMap(n: number, dims: 2 | 3, seed: number): Float64Array {
  const rng = createRng(seed);
  const centres = Float64Array.from({ length: 8 * dims }, () => (rng.next() * 2 - 1) * 30);
  return Float64Array.from({ length: n * dims }, (_, t) => centres[(Math.floor(t / dims) % 8) * dims + (t % dims)] + gaussian(rng) * 2);
}

describe("exactRepulsion and the t-SNE gradient", () => {
  for (const dims of [2, 3] as const) {
    it(`tsneObjective(exact) ×4 is the finite-difference gradient of the exact KL (${dims}-D)`, async () => {
      const { points } = blobs(3, 20, 5, 3);
      const p = affinities(exactKnn(points, 30), { perplexity: 10 });
      const y = randomMap(points.n, dims, 2, 5);
      const grad = new Float64Array(y.length);
      await tsneObjective(p, dims, exactRepulsion)(y, 1, grad, false);
      const h = 1e-5;
      let worst = 0;
      for (let t = 0; t < y.length; t++) {
        const keep = y[t];
        y[t] = keep + h;
        const up = exactKl(p, y, dims);
        y[t] = keep - h;
        const down = exactKl(p, y, dims);
        y[t] = keep;
        worst = Math.max(worst, Math.abs(4 * grad[t] - (up - down) / (2 * h)));
      }
      expect(worst).toBeLessThan(1e-6);
    });
  }

  it("exactRepulsion() of two points at distance 1: q̃ = 1/2, forces ±1/4, Z = 1", () => {
    const r = exactRepulsion(new Float64Array([0, 0, 1, 0]), 2, 2) as Repulsion;
    expect(r.z).toBe(1);
    expect(Array.from(r.forces)).toEqual([-0.25, 0, 0.25, 0]);
  });
});

describe("createBarnesHutRepulsion({theta})", () => {
  for (const dims of [2, 3] as const) {
    for (const [name, y] of [
      ["uniform", randomMap(2000, dims, 20, 11)],
      ["clustered", clusteredMap(2000, dims, 12)],
    ] as const) {
      it(`createBarnesHutRepulsion() is close to exact at θ = 0.5 and exact at θ = 0 (${dims}-D, ${name})`, async () => {
        const n = y.length / dims;
        const exact = exactRepulsion(y, n, dims) as Repulsion;
        const errors: number[] = [];
        for (const theta of [0.8, 0.5, 0.2]) {
          const r = await createBarnesHutRepulsion({ theta })(y, n, dims);
          errors.push(relativeError(r.forces, exact.forces));
          expect(Math.abs(r.z / exact.z - 1)).toBeLessThan(theta * 0.05);
        }
        expect(errors[1]).toBeLessThan(0.03);
        expect(errors[2]).toBeLessThan(errors[0]);
        const r0 = await createBarnesHutRepulsion({ theta: 0 })(y, n, dims);
        expect(relativeError(r0.forces, exact.forces)).toBeLessThan(1e-12);
        expect(Math.abs(r0.z / exact.z - 1)).toBeLessThan(1e-12);
      });
    }
  }

  it("createBarnesHutRepulsion() handles coincident points (no NaN, no self-force)", async () => {
    const y = new Float64Array(2 * 100);
    for (let i = 50; i < 100; i++) y[2 * i] = 1;
    const r = await createBarnesHutRepulsion()(y, 100, 2);
    const exact = exactRepulsion(y, 100, 2) as Repulsion;
    expect(relativeError(r.forces, exact.forces)).toBeLessThan(1e-9);
    expect(r.z).toBeCloseTo(exact.z, 6);
  });

  it("createBarnesHutRepulsion() reuses `out` and gives the same answer on the second call", async () => {
    const y = randomMap(500, 2, 5, 1);
    const bh = createBarnesHutRepulsion();
    const first = await bh(y, 500, 2);
    const copy = Float64Array.from(first.forces);
    const out = new Float64Array(1000);
    const second = await bh(y, 500, 2, out);
    expect(second.forces).toBe(out);
    expect(Array.from(out)).toEqual(Array.from(copy));
  });

  it("barnesHutQuery() matches a direct sum over the tree's points for points outside it", () => {
    const ref = clusteredMap(2000, 2, 4);
    const query = randomMap(50, 2, 30, 9);
    const tree = createTreeBuilder().build(ref, 2000, 2);
    const forces = new Float64Array(100);
    const zPer = new Float64Array(50);
    barnesHutQuery(tree, query, 0, 50, 0, forces, zPer);
    for (const i of [0, 17, 49]) {
      let z = 0;
      let fx = 0;
      for (let j = 0; j < 2000; j++) {
        const dx = query[2 * i] - ref[2 * j];
        const dy = query[2 * i + 1] - ref[2 * j + 1];
        const q = 1 / (1 + dx * dx + dy * dy);
        z += q;
        fx += q * q * dx;
      }
      expect(zPer[i]).toBeCloseTo(z, 9);
      expect(forces[2 * i]).toBeCloseTo(fx, 9);
    }
  });

  it("createBarnesHutRepulsion() rejects a negative θ", () => {
    expect(() => createBarnesHutRepulsion({ theta: -1 })).toThrow(/theta must be a number ≥ 0/);
  });
});
