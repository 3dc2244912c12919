import { describe, expect, it } from "vitest";
import { createRng } from "../../util/rng.js";
import { createPowTable, powFromTable } from "./powTable.js";

describe("powFromTable(table, x)", () => {
  it("powFromTable() is within 1e-8 of Math.pow over 1e-30 … 1e30, for UMAP's usual b and others", () => {
    const rng = createRng(3);
    for (const b of [0.7915, 0.8951, 1, 0.5, 1.3]) {
      const t = createPowTable(b);
      let worst = 0;
      for (let s = 0; s < 20000; s++) {
        const x = Math.exp((rng.next() * 2 - 1) * 69);
        worst = Math.max(worst, Math.abs(powFromTable(t, x) / Math.pow(x, b) - 1));
      }
      expect(worst).toBeLessThan(1e-8);
    }
  });

  it("powFromTable() hands 0, subnormals, Infinity and NaN to Math.pow", () => {
    const t = createPowTable(0.9);
    for (const x of [0, 1e-310, Infinity, 1, 2]) expect(powFromTable(t, x)).toBeCloseTo(Math.pow(x, 0.9), 12);
    expect(powFromTable(t, NaN)).toBeNaN();
  });
});
