/**
 * The dot-product kernel of PCA (analysis/embed/pca.ts): WebAssembly SIMD assembled here where the
 * runtime has it, else plain JavaScript over the same scratch memory. Browser-safe.
 */
import { section, simd, sleb, uleb, wasmApi, type WasmApi } from "../wasm.js";
import { crossDots, dot } from "./linalg.js";

/**
 * Float64 scratch memory and crossDots over it (offsets and strides in doubles). The SIMD kernel
 * reads pairs of doubles, so vectors start at even offsets, strides are even and `len` is even
 * (padded with zeros).
 */
export interface Workspace {
  f64: Float64Array;
  /** The same memory as float32, with dots32 (vectors of float32, offsets and strides in floats, `len` a multiple of 4; out still float64) — only where the SIMD kernel runs. */
  f32: Float32Array | null;
  dots32(aOff: number, aStride: number, na: number, bOff: number, bStride: number, nb: number, len: number, outOff: number, outStride: number, upper: boolean): void;
  dots(aOff: number, aStride: number, na: number, bOff: number, bStride: number, nb: number, len: number, outOff: number, outStride: number, upper: boolean): void;
}

type DotsExport = (a: number, as: number, na: number, b: number, bs: number, nb: number, len: number, out: number, os: number, upper: number) => void;

let compiled: object | null | undefined; // the kernel, compiled on first use; no state beyond the code

function dotsKernel(wasm: WasmApi | undefined): object | null {
  if (compiled === undefined) {
    const bytes = dotsModule();
    compiled = wasm !== undefined && wasm.validate(bytes) ? new wasm.Module(bytes) : null;
  }
  return compiled;
}

export function workspace(doubles: number): Workspace {
  const wasm = wasmApi();
  const kernel = dotsKernel(wasm);
  if (kernel === null || wasm === undefined) {
    const f64 = new Float64Array(doubles);
    const dots = (ao: number, as: number, na: number, bo: number, bs: number, nb: number, len: number, oo: number, os: number, upper: boolean) =>
      crossDots(f64, ao, as, na, f64, bo, bs, nb, len, f64, oo, os, upper);
    return { f64, f32: null, dots, dots32: () => { throw new Error("dots32 needs WebAssembly SIMD"); } };
  }
  const memory = new wasm.Memory({ initial: Math.ceil((doubles * 8) / 65536) + 1 });
  const { exports } = new wasm.Instance(kernel, { e: { m: memory } });
  const [run, run32] = [exports.dots as DotsExport, exports.dots32 as DotsExport];
  const f64 = new Float64Array(memory.buffer, 0, doubles);
  const f32 = new Float32Array(memory.buffer, 0, doubles * 2);
  return {
    f64,
    f32,
    dots32(ao, as, na, bo, bs, nb, len, oo, os, upper) {
      run32(ao * 4, as * 4, na, bo * 4, bs * 4, nb, len * 4, oo * 8, os * 8, upper ? 1 : 0);
      const na2 = na & ~1;
      const nb4 = nb & ~3;
      for (let i = 0; i < na; i++) {
        for (let j = i < na2 ? nb4 : 0; j < nb; j++) {
          if (upper && j < i) continue;
          let sum = 0;
          for (let t = 0; t < len; t++) sum += f32[ao + i * as + t] * f32[bo + j * bs + t];
          f64[oo + i * os + j] += sum;
        }
      }
    },
    dots(ao, as, na, bo, bs, nb, len, oo, os, upper) {
      run(ao * 8, as * 8, na, bo * 8, bs * 8, nb, len * 8, oo * 8, os * 8, upper ? 1 : 0);
      // The kernel leaves the last na % 2 rows and nb % 4 columns.
      const na2 = na & ~1;
      const nb4 = nb & ~3;
      for (let i = 0; i < na; i++) {
        for (let j = i < na2 ? nb4 : 0; j < nb; j++) {
          if (!upper || j >= i) f64[oo + i * os + j] += dot(f64, ao + i * as, f64, bo + j * bs, len);
        }
      }
    },
  };
}

/**
 * The bytes of a module exporting dots(a, as, na, b, bs, nb, len, out, os, upper) (i32 byte offsets
 * and strides into the imported memory "e"."m"): for i < na & ~1 and j < nb & ~3 (j from i & ~3 when
 * `upper`), out[i, j] += Σ_t a_i[t]·b_j[t] over `len` bytes of float64 (a multiple of 16), in 2×4
 * tiles of f64x2 accumulators (WebAssembly SIMD, core spec 2.0 §5.4.8; opcodes 0xfd …); and dots32,
 * the same over float32 vectors with f32x4 accumulators, each tile's sums added to float64 `out`.
 */
function dotsModule(): Uint8Array {
  const name = (s: string) => [s.length, ...Array.from(s, (ch) => ch.charCodeAt(0))];
  const bodies = [dotsBody(false), dotsBody(true)];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // "\0asm", version 1
    ...section(1, [1, 0x60, 10, ...new Array<number>(10).fill(0x7f), 0]), // type: (i32 × 10) → ()
    ...section(2, [1, ...name("e"), ...name("m"), 0x02, 0x00, 1]), // import memory e.m, min 1 page
    ...section(3, [2, 0, 0]), // two functions of type 0
    ...section(7, [2, ...name("dots"), 0x00, 0, ...name("dots32"), 0x00, 1]),
    ...section(10, [2, ...bodies.flatMap((body) => [...uleb(body.length), ...body])]),
  ]);
}

function dotsBody(f32: boolean): number[] {
  const [A, AS, NA, B, BS, NB, LEN, OUT, OS, UPPER] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const [I, J, T, PA0, PA1, PB0, PB1, PB2, PB3, PO, NA2, NB4] = [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21];
  const S = [22, 23, 24, 25, 26, 27, 28, 29]; // accumulator of tile entry (r, c) is S[r·4 + c]
  const [X0, X1, Y] = [30, 31, 32];
  const get = (x: number) => [0x20, x];
  const set = (x: number) => [0x21, x];
  const i32 = (v: number) => [0x41, ...sleb(v)];
  const [add, mul, and, geS, select, f64Load, f64Add, f64Store] = [0x6a, 0x6c, 0x71, 0x4e, 0x1b, 0x2b, 0xa0, 0x39];
  const load128 = simd(0x00, 4, 0);
  const zero = simd(0x0c, ...new Array<number>(16).fill(0));
  const [vAdd, vMul, extractLane] = f32 ? [0xe4, 0xe6, 0x1f] : [0xf0, 0xf2, 0x21];
  const lanes = f32 ? 4 : 2;
  const f64PromoteF32 = 0xbb;
  // block { loop { if counter >= limit break; body; counter += step; continue } }
  const forLoop = (counter: number, limit: number, body: number[], step: number) => [
    0x02, 0x40, 0x03, 0x40,
    ...get(counter), ...get(limit), geS, 0x0d, 1,
    ...body,
    ...get(counter), ...i32(step), add, ...set(counter),
    0x0c, 0, 0x0b, 0x0b,
  ];
  const inner = [...get(PA0), ...get(T), add, ...load128, ...set(X0), ...get(PA1), ...get(T), add, ...load128, ...set(X1)];
  [PB0, PB1, PB2, PB3].forEach((pb, c) => {
    inner.push(...get(pb), ...get(T), add, ...load128, ...set(Y));
    for (const [r, x] of [[0, X0], [1, X1]]) {
      inner.push(...get(S[r * 4 + c]), ...get(x), ...get(Y), ...simd(vMul), ...simd(vAdd), ...set(S[r * 4 + c]));
    }
  });
  const tile = [
    ...get(B), ...get(J), ...get(BS), mul, add, ...set(PB0),
    ...get(PB0), ...get(BS), add, ...set(PB1),
    ...get(PB1), ...get(BS), add, ...set(PB2),
    ...get(PB2), ...get(BS), add, ...set(PB3),
    ...S.flatMap((s) => [...zero, ...set(s)]),
    ...i32(0), ...set(T),
    ...forLoop(T, LEN, inner, 16),
    ...get(OUT), ...get(I), ...get(OS), mul, add, ...get(J), ...i32(8), mul, add, ...set(PO),
  ];
  for (let r = 0; r < 2; r++) {
    const addr = r === 0 ? get(PO) : [...get(PO), ...get(OS), add];
    for (let c = 0; c < 4; c++) {
      const s = S[r * 4 + c];
      tile.push(
        ...addr,
        ...addr, f64Load, 3, ...uleb(c * 8),
        ...Array.from({ length: lanes }, (_, lane) => [...get(s), ...simd(extractLane, lane), ...(f32 ? [f64PromoteF32] : []), f64Add]).flat(),
        f64Store, 3, ...uleb(c * 8),
      );
    }
  }
  const rows = [
    ...get(A), ...get(I), ...get(AS), mul, add, ...set(PA0),
    ...get(PA0), ...get(AS), add, ...set(PA1),
    ...get(I), ...i32(-4), and, ...i32(0), ...get(UPPER), select, ...set(J),
    ...forLoop(J, NB4, tile, 4),
  ];
  return [
    2, 12, 0x7f, 11, 0x7b, // locals: 12 i32, 11 v128
    ...get(NA), ...i32(-2), and, ...set(NA2),
    ...get(NB), ...i32(-4), and, ...set(NB4),
    ...i32(0), ...set(I),
    ...forLoop(I, NA2, rows, 2),
    0x0b,
  ];
}
