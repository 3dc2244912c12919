import { afterAll, describe, expect, it } from "vitest";
import { ALL_CASES } from "./cases.testutil.js";
import { check, type CheckResult } from "./gradCheck.testutil.js";
import { GRAD_RULES } from "./index.js";
import { ACTIVATION_RULES } from "./activation.js";
import { CONV_RULES } from "./conv.js";
import { ELEMENTWISE_RULES } from "./elementwise.js";
import { MATH_RULES } from "./math.js";
import { MATMUL_RULES } from "./matmul.js";
import { NORM_RULES } from "./norm.js";
import { POOL_RULES } from "./pool.js";
import { REDUCE_RULES } from "./reduce.js";
import { SHAPE_RULES } from "./shape.js";
import { SLICE_RULES } from "./slice.js";
import { SOFTMAX_RULES } from "./softmax.js";

describe("GRAD_RULES against finite differences", () => {
  const results: [string, CheckResult][] = [];
  // GRAD_REPORT=1 npx vitest run src/engine/autodiff prints the error of every case
  afterAll(() => {
    if (!process.env.GRAD_REPORT) return;
    for (const [name, r] of results) {
      const worst = r.inputs.map((i) => `${i.name} ${i.maxErr.toExponential(1)}/${i.maxFd.toExponential(1)}`).join(", ");
      console.log(`${name.padEnd(62)} rel ${r.relErr.toExponential(2)}  (${worst})`);
    }
  });

  it("GRAD_RULES has a finite-difference case for every op", () => {
    const tested = new Set(ALL_CASES.map((c) => c.op));
    expect(Object.keys(GRAD_RULES).filter((op) => !tested.has(op))).toEqual([]);
    expect(ALL_CASES.filter((c) => !(c.op in GRAD_RULES)).map((c) => c.name)).toEqual([]);
    expect(new Set(ALL_CASES.map((c) => c.name)).size).toBe(ALL_CASES.length);
  });

  it("GRAD_RULES: no op is defined in two rule tables (a later one would silently replace the first)", () => {
    const tables = [ACTIVATION_RULES, CONV_RULES, ELEMENTWISE_RULES, MATH_RULES, MATMUL_RULES, NORM_RULES, POOL_RULES, REDUCE_RULES, SHAPE_RULES, SLICE_RULES, SOFTMAX_RULES];
    const ops = tables.flatMap((t) => Object.keys(t));
    expect(ops.length).toBe(new Set(ops).size);
    expect(ops.length).toBe(Object.keys(GRAD_RULES).length);
  });

  for (const c of ALL_CASES) {
    const tol = c.tol ?? (c.dtype === "float64" ? 1e-7 : 1e-4);
    it(`GRAD_RULES.${c.name} matches finite differences (${c.dtype}, relative ${tol})`, async () => {
      const r = await check(c);
      results.push([c.name, r]);
      expect(r.malformed).toEqual([]);
      for (const i of r.inputs) expect(i.maxFd, `${i.name}: the loss should depend on it`).toBeGreaterThan(1e-3);
      expect(r.relErr).toBeLessThan(tol);
    });
  }
});
