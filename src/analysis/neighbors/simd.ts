/**
 * A WebAssembly SIMD (128-bit, f32x4) dot-product tile kernel, assembled here from its opcodes so
 * the repo carries no binary blob and needs no WebAssembly toolchain. Same job as `dotTile`, 4–8×
 * faster: it computes a 2×4 micro-tile of dot products with eight f32x4 accumulators (Goto &
 * van de Geijn 2008, §4) and reduces them with shuffles. Browser-safe (WebAssembly SIMD is in every
 * current browser and in Node ≥ 16); `createSimdKernel` returns null where it is missing.
 *
 * Layout in linear memory: rows of `stride` bytes (d padded with zeros to a multiple of 4 floats),
 * so the function needs an even number of query rows and a multiple of 4 reference rows; callers
 * pad with zero rows and ignore the extra outputs.
 */

import { type Code, fn, funcType, get, i32, lanes32, moduleBytes, OP, set, simd, T, V, wasmApi, type WasmMemory } from "../wasm.js";

const load = (addr: Code, offset: Code = []): Code => [...addr, ...offset, ...simd(V.load, 4, 0)];
/** acc += x·y (dot products) or acc += |x − y| (L1 distances), lane-wise. */
type Step = (acc: number, x: number, y: number) => number[];
const mulAdd: Step = (acc, x, y) => [...get(acc), ...get(x), ...get(y), ...simd(V.f32x4Mul), ...simd(V.f32x4Add), ...set(acc)];
const absDiffAdd: Step = (acc, x, y) => [...get(acc), ...get(x), ...get(y), ...simd(V.f32x4Sub), ...simd(V.f32x4Abs), ...simd(V.f32x4Add), ...set(acc)];
const shuffle = (a: number, b: number, lanes: number[]) => [...get(a), ...get(b), ...simd(V.shuffle, ...lanes32(lanes))];

// dots(a, na, b, nb, stride, out, p, q, thr, hits): out[i·nb + j] = row a_i · row b_j (f32), all
// arguments after the counts are byte offsets; l1s(…) the same with Σ|a_i − b_j|. Then, as a filter
// for the caller's top-k scan, v = q_j + p_j·out[i·nb + j] (per-reference f32 vectors p, q) is
// compared with the row's threshold thr_i: hits row i (stride nb + 4 bytes) gets its count of
// 4-blocks with any v < thr_i, then those blocks' first j, in increasing order.
const [A, NA, B, NB, STRIDE, OUT, P, Q, THR, HITS] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
const [I, J, T_, PA0, PA1, PB, PO, PH0, PH1, C0, C1] = [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20];
const ACC = [21, 22, 23, 24, 25, 26, 27, 28];
const [X0, X1, Y, S01, S23, R] = [29, 30, 31, 32, 33, 34];
const I32_LOCALS = 11;
const V128_LOCALS = 14;

/** Horizontal sums of acc[0..3] into R (lane c = Σ lanes of acc[c]); stores R at `addr`. */
function reduceStore(acc: number[], addr: number[]): number[] {
  return [
    ...shuffle(acc[0], acc[1], [0, 1, 4, 5]), ...shuffle(acc[0], acc[1], [2, 3, 6, 7]), ...simd(V.f32x4Add), ...set(S01),
    ...shuffle(acc[2], acc[3], [0, 1, 4, 5]), ...shuffle(acc[2], acc[3], [2, 3, 6, 7]), ...simd(V.f32x4Add), ...set(S23),
    ...shuffle(S01, S23, [0, 2, 4, 6]), ...shuffle(S01, S23, [1, 3, 5, 7]), ...simd(V.f32x4Add), ...set(R),
    ...addr, ...get(R), ...simd(V.store, 4, 0),
  ];
}

/** If any lane of q_j + p_j·R is below thr of tile row I + r, appends J to that row's hit list. */
function filter(r: number): number[] {
  const ph = r === 0 ? PH0 : PH1;
  const c = r === 0 ? C0 : C1;
  const at = (base: number) => [...get(base), ...get(J), ...i32(4), OP.i32Mul, OP.i32Add];
  return [
    ...load(at(P)), ...get(R), ...simd(V.f32x4Mul), ...load(at(Q)), ...simd(V.f32x4Add),
    ...get(THR), ...get(I), ...i32(r), OP.i32Add, ...i32(4), OP.i32Mul, OP.i32Add, OP.f32Load, 2, 0, ...simd(V.f32x4Splat),
    ...simd(V.f32x4Lt), ...simd(V.anyTrue),
    OP.if, T.void,
    ...get(ph), ...i32(4), OP.i32Add, ...get(c), ...i32(4), OP.i32Mul, OP.i32Add, ...get(J), OP.i32Store, 2, 0,
    ...get(c), ...i32(1), OP.i32Add, ...set(c),
    OP.end,
  ];
}

function body(step: Step): Code {
  const zero = simd(V.const, ...new Array<number>(16).fill(0));
  const inner = [
    ...load([...get(PA0), ...get(T_), OP.i32Add]), ...set(X0),
    ...load([...get(PA1), ...get(T_), OP.i32Add]), ...set(X1),
    ...[0, 1, 2, 3].flatMap((c) => [
      // y = b row c of the micro-tile: PB + c·stride + t
      ...get(PB), ...get(STRIDE), ...i32(c), OP.i32Mul, OP.i32Add, ...get(T_), OP.i32Add, ...load([]), ...set(Y),
      ...step(ACC[c], X0, Y), ...step(ACC[4 + c], X1, Y),
    ]),
    ...get(T_), ...i32(16), OP.i32Add, OP.tee, T_, ...get(STRIDE), OP.i32LtU, OP.brIf, 0,
  ];
  const rowOut = (r: number) => [...get(PO), ...(r === 0 ? [] : [...get(NB), ...i32(4), OP.i32Mul, OP.i32Add])];
  const jLoop = [
    ...get(B), ...get(J), ...get(STRIDE), OP.i32Mul, OP.i32Add, ...set(PB),
    ...ACC.flatMap((acc) => [...zero, ...set(acc)]),
    ...i32(0), ...set(T_),
    OP.loop, T.void, ...inner, OP.end,
    // PO = out + (i·nb + j)·4
    ...get(OUT), ...get(I), ...get(NB), OP.i32Mul, ...get(J), OP.i32Add, ...i32(4), OP.i32Mul, OP.i32Add, ...set(PO),
    ...reduceStore(ACC.slice(0, 4), rowOut(0)), ...filter(0),
    ...reduceStore(ACC.slice(4), rowOut(1)), ...filter(1),
    ...get(J), ...i32(4), OP.i32Add, OP.tee, J, ...get(NB), OP.i32LtU, OP.brIf, 0,
  ];
  const storeCount = (ph: number, c: number) => [...get(ph), ...get(c), OP.i32Store, 2, 0];
  const iLoop = [
    ...get(A), ...get(I), ...get(STRIDE), OP.i32Mul, OP.i32Add, OP.tee, PA0, ...get(STRIDE), OP.i32Add, ...set(PA1),
    // PH0 = hits + i·(nb + 4), PH1 = PH0 + nb + 4
    ...get(HITS), ...get(I), ...get(NB), ...i32(4), OP.i32Add, OP.i32Mul, OP.i32Add, OP.tee, PH0,
    ...get(NB), OP.i32Add, ...i32(4), OP.i32Add, ...set(PH1),
    ...i32(0), ...set(C0), ...i32(0), ...set(C1), ...i32(0), ...set(J),
    OP.loop, T.void, ...jLoop, OP.end,
    ...storeCount(PH0, C0), ...storeCount(PH1, C1),
    ...get(I), ...i32(2), OP.i32Add, OP.tee, I, ...get(NA), OP.i32LtU, OP.brIf, 0,
  ];
  return fn([[I32_LOCALS, T.i32], [V128_LOCALS, T.v128]], [...i32(0), ...set(I), OP.loop, T.void, ...iLoop, OP.end]);
}

/** The module's bytes: functions `dots` and `l1s`, memory imported as env.memory. */
export function simdModuleBytes(): Uint8Array {
  return moduleBytes({
    types: [funcType(new Array<number>(10).fill(T.i32))],
    memory: { module: "env", name: "memory", min: 1 },
    functions: [
      { name: "dots", type: 0, body: body(mulAdd) },
      { name: "l1s", type: 0, body: body(absDiffAdd) },
    ],
  });
}

export type TileFn = (a: number, na: number, b: number, nb: number, stride: number, out: number, p: number, q: number, thr: number, hits: number) => void;

export interface SimdKernel {
  memory: WasmMemory;
  dots: TileFn;
  l1s: TileFn;
}

/** A kernel instance over its own memory of at least `bytes` bytes, or null without WebAssembly SIMD. */
export function createSimdKernel(bytes: number): SimdKernel | null {
  const wasm = wasmApi();
  if (wasm === undefined) return null;
  const code = simdModuleBytes();
  if (!wasm.validate(code)) return null;
  const memory = new wasm.Memory({ initial: Math.ceil(bytes / 65536) });
  const instance = new wasm.Instance(new wasm.Module(code), { env: { memory } });
  return { memory, dots: instance.exports.dots as TileFn, l1s: instance.exports.l1s as TileFn };
}
