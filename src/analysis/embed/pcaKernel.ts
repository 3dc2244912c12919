/**
 * The dot-product kernel of PCA (analysis/embed/pca.ts): WebAssembly SIMD assembled here where the
 * runtime has it, else plain JavaScript over the same scratch memory. Browser-safe.
 */
import { addI, type Code, f32x4, fn, funcType, get, i32, moduleBytes, mulI, OP, set, simd, T, uleb, V, wasmApi, type WasmApi } from "../wasm.js";
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
    const bytes = dotsModuleBytes();
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
 * tiles of f64x2 accumulators (WebAssembly SIMD); and dots32, the same over float32 vectors with
 * f32x4 accumulators, each tile's sums added to float64 `out`. @internal
 */
export function dotsModuleBytes(): Uint8Array {
  return moduleBytes({
    types: [funcType(new Array<number>(10).fill(T.i32))],
    memory: { module: "e", name: "m", min: 1 },
    functions: [
      { name: "dots", type: 0, body: fn([[12, T.i32], [11, T.v128]], dotsBody(false)) },
      { name: "dots32", type: 0, body: fn([[12, T.i32], [11, T.v128]], dotsBody(true)) },
    ],
  });
}

/** block { loop { if counter >= limit break; body; counter += step; continue } } */
function forLoop(counter: number, limit: number, body: Code, step: number): Code {
  return [
    OP.block, T.void, OP.loop, T.void,
    ...get(counter), ...get(limit), OP.i32GeS, OP.brIf, 1,
    ...body,
    ...set(counter, addI(get(counter), i32(step))),
    OP.br, 0, OP.end, OP.end,
  ];
}

function dotsBody(f32: boolean): Code {
  const [A, AS, NA, B, BS, NB, LEN, OUT, OS, UPPER] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const [I, J, T_, PA0, PA1, PB0, PB1, PB2, PB3, PO, NA2, NB4] = [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21];
  const S = [22, 23, 24, 25, 26, 27, 28, 29]; // accumulator of tile entry (r, c) is S[r·4 + c]
  const [X0, X1, Y] = [30, 31, 32];
  const load128 = simd(V.load, 4, 0);
  const [vAdd, vMul, extractLane] = f32 ? [V.f32x4Add, V.f32x4Mul, V.f32x4Extract] : [V.f64x2Add, V.f64x2Mul, V.f64x2Extract];
  const lanes = f32 ? 4 : 2;
  const inner = [...set(X0, [...addI(get(PA0), get(T_)), ...load128]), ...set(X1, [...addI(get(PA1), get(T_)), ...load128])];
  [PB0, PB1, PB2, PB3].forEach((pb, c) => {
    inner.push(...set(Y, [...addI(get(pb), get(T_)), ...load128]));
    for (const [r, x] of [[0, X0], [1, X1]]) inner.push(...set(S[r * 4 + c], [...get(S[r * 4 + c]), ...get(x), ...get(Y), ...simd(vMul), ...simd(vAdd)]));
  });
  const tile = [
    ...set(PB0, addI(get(B), mulI(get(J), get(BS)))),
    ...set(PB1, addI(get(PB0), get(BS))),
    ...set(PB2, addI(get(PB1), get(BS))),
    ...set(PB3, addI(get(PB2), get(BS))),
    ...S.flatMap((s) => set(s, f32x4(0))),
    ...set(T_, i32(0)),
    ...forLoop(T_, LEN, inner, 16),
    ...set(PO, [...addI(get(OUT), mulI(get(I), get(OS))), ...mulI(get(J), i32(8)), OP.i32Add]),
  ];
  for (let r = 0; r < 2; r++) {
    const addr = r === 0 ? get(PO) : addI(get(PO), get(OS));
    for (let c = 0; c < 4; c++) {
      const s = S[r * 4 + c];
      tile.push(
        ...addr,
        ...addr, OP.f64Load, 3, ...uleb(c * 8),
        ...Array.from({ length: lanes }, (_, lane) => [...get(s), ...simd(extractLane, lane), ...(f32 ? [OP.f64PromoteF32] : []), OP.f64Add]).flat(),
        OP.f64Store, 3, ...uleb(c * 8),
      );
    }
  }
  const rows = [
    ...set(PA0, addI(get(A), mulI(get(I), get(AS)))),
    ...set(PA1, addI(get(PA0), get(AS))),
    ...set(J, [...get(I), ...i32(-4), OP.i32And, ...i32(0), ...get(UPPER), OP.select]),
    ...forLoop(J, NB4, tile, 4),
  ];
  return [
    ...set(NA2, [...get(NA), ...i32(-2), OP.i32And]),
    ...set(NB4, [...get(NB), ...i32(-4), OP.i32And]),
    ...set(I, i32(0)),
    ...forLoop(I, NA2, rows, 2),
  ];
}
