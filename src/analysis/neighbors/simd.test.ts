import { describe, expect, it } from "vitest";
import { createSimdKernel, simdModuleBytes } from "./simd.js";
import { dotTile, l1Tile } from "./tiles.js";
import { randomPoints } from "./neighbors.testutil.js";

describe("simd", () => {
  it("simdModuleBytes() is a valid WebAssembly module that instantiates", () => {
    expect(simdModuleBytes().length).toBeLessThan(4096); // browsers compile modules this small synchronously
    expect(createSimdKernel(1 << 16)).not.toBeNull();
  });

  // 6 query rows × 8 reference rows of d = 7 (padded to 8 floats), against the float64 JS tiles.
  const d = 7;
  const dp = 8;
  const stride = dp * 4;
  const qs = randomPoints(6, d, 1);
  const rs = randomPoints(8, d, 2);
  const layout = { a: 0, b: 6 * stride, out: 14 * stride, p: 14 * stride + 6 * 8 * 4 };
  const q = layout.p + 8 * 4;
  const thr = q + 8 * 4;
  const hits = thr + 6 * 4;

  function run(which: "dots" | "l1s", thresholds: number[]) {
    const k = createSimdKernel(1 << 16)!;
    const mem = new Float32Array(k.memory.buffer);
    for (let i = 0; i < 6; i++) mem.set(qs.data.subarray(i * d, i * d + d), (layout.a / 4) + i * dp);
    for (let j = 0; j < 8; j++) mem.set(rs.data.subarray(j * d, j * d + d), (layout.b / 4) + j * dp);
    new Float32Array(k.memory.buffer, layout.p, 8).fill(1); // filter value = raw score
    new Float32Array(k.memory.buffer, thr, 6).set(thresholds);
    k[which](layout.a, 6, layout.b, 8, stride, layout.out, layout.p, q, thr, hits);
    return { out: Array.from(new Float32Array(k.memory.buffer, layout.out, 48)), hits: new Int32Array(k.memory.buffer, hits, 6 * 3) };
  }

  it("dots(…) and l1s(…) match the float64 JS tiles within float32 rounding", () => {
    for (const [which, js] of [["dots", dotTile], ["l1s", l1Tile]] as const) {
      const want = new Float64Array(48);
      js(qs.data, 0, 6, rs.data, 0, 8, d, want);
      const got = run(which, new Array<number>(6).fill(-Infinity)).out;
      expect(Math.max(...got.map((v, i) => Math.abs(v - want[i])))).toBeLessThan(1e-5);
    }
  });

  it("dots(…) lists, per row, the 4-blocks holding a value below the row's threshold", () => {
    const want = new Float64Array(48);
    dotTile(qs.data, 0, 6, rs.data, 0, 8, d, want);
    // Row 0: nothing; row 1: everything; rows 2–5: below the row's 3rd value.
    const thresholds = [-Infinity, Infinity, ...[2, 3, 4, 5].map((i) => want[i * 8 + 2] + 1e-6)];
    const { hits } = run("dots", thresholds);
    for (let i = 0; i < 6; i++) {
      const blocks = [0, 4].filter((jb) => [0, 1, 2, 3].some((c) => want[i * 8 + jb + c] < thresholds[i]));
      expect(Array.from(hits.subarray(i * 3 + 1, i * 3 + 1 + hits[i * 3]))).toEqual(blocks);
    }
  });
});
