/**
 * The attraction of 2-D t-SNE, Σ_j p_ij q̃_ij (y_i − y_j), as a WebAssembly SIMD function assembled
 * here from its opcodes (no binary blob, no toolchain): four edges of a row per instruction, in
 * float32 (the map as float32 pairs, P's values as float32; rows padded with zero-valued entries to
 * a multiple of four). Float32 keeps the forces within ~1e-6 of float64, far below the FFT
 * repulsion's own error (~1e-2). On Fashion-MNIST's 70,000 points (9 million entries of P) it takes
 * ~15 ms a pass where the float64 JavaScript loop takes ~95 ms. Browser-safe; null where
 * WebAssembly SIMD or shared memory is missing.
 */
import { addV as add, type Code, f32x4, fn, funcType, get, i32, lanes32 as laneBytes, moduleBytes, mulV as mul, OP, set, simd, subV as sub, T, uleb, V, wasmApi, type WasmMemory } from "../../wasm.js";
import type { SparseAffinities } from "./types.js";

// attract2d(rowPtr, cols, vals, y, out, from, to): byte offsets of P (int32 rowPtr and cols,
// float32 vals; every row's length a multiple of 4), the map y (float32 pairs, n×2) and out
// (float64, n×2); rows [from, to).
const [ROW_PTR, COLS, VALS, Y, OUT, FROM, TO] = [0, 1, 2, 3, 4, 5, 6];
const [I, E, END, A0] = [7, 8, 9, 10];
const I32_LOCALS = 4;
const [XI, YI, AX, AY, PA, PB, DX, DY, Q, ONE] = [11, 12, 13, 14, 15, 16, 17, 18, 19, 20];
const V128_LOCALS = 10;

/** The address of point cols[e + c] in y: Y + 8·cols[e + c]. */
const pointAt = (c: number): Code => [...get(Y), ...get(COLS), ...get(E), OP.i32Add, OP.i32Load, 2, ...uleb(4 * c), ...i32(3), OP.i32Shl, OP.i32Add];

function body(): Code {
  const edges = [
    ...get(E), ...get(END), OP.i32GeU, OP.brIf, 1,
    // PA = (x, y) of points c0, c1; PB of c2, c3; then X and Y lanes of the four.
    ...set(PA, [...pointAt(0), ...simd(V.load64Zero, 3, 0)]),
    ...set(PA, [...pointAt(1), ...get(PA), ...simd(V.load64Lane, 3, 0, 1)]),
    ...set(PB, [...pointAt(2), ...simd(V.load64Zero, 3, 0)]),
    ...set(PB, [...pointAt(3), ...get(PB), ...simd(V.load64Lane, 3, 0, 1)]),
    ...set(DX, sub(get(XI), [...get(PA), ...get(PB), ...simd(V.shuffle, ...laneBytes([0, 2, 4, 6]))])),
    ...set(DY, sub(get(YI), [...get(PA), ...get(PB), ...simd(V.shuffle, ...laneBytes([1, 3, 5, 7]))])),
    // q = p / (1 + dx² + dy²)
    ...set(Q, [
      ...get(VALS), ...get(E), OP.i32Add, ...simd(V.load, 2, 0),
      ...add(get(ONE), add(mul(get(DX), get(DX)), mul(get(DY), get(DY)))),
      ...simd(V.f32x4Div),
    ]),
    ...set(AX, add(get(AX), mul(get(Q), get(DX)))),
    ...set(AY, add(get(AY), mul(get(Q), get(DY)))),
    ...set(E, [...get(E), ...i32(16), OP.i32Add]), OP.br, 0,
  ];
  const hsum = (acc: number): Code => [
    ...get(acc), ...simd(V.f32x4Extract, 0), ...get(acc), ...simd(V.f32x4Extract, 1), OP.f32Add,
    ...get(acc), ...simd(V.f32x4Extract, 2), OP.f32Add, ...get(acc), ...simd(V.f32x4Extract, 3), OP.f32Add, OP.f64PromoteF32,
  ];
  const zero = f32x4(0);
  const row = [
    ...get(I), ...get(TO), OP.i32GeU, OP.brIf, 1,
    ...set(A0, [...get(Y), ...get(I), ...i32(3), OP.i32Shl, OP.i32Add]),
    ...set(XI, [...get(A0), OP.f32Load, 2, 0, ...simd(V.f32x4Splat)]),
    ...set(YI, [...get(A0), OP.f32Load, 2, 4, ...simd(V.f32x4Splat)]),
    // E, END = 4·rowPtr[i], 4·rowPtr[i + 1] (byte offsets into cols and vals)
    ...set(A0, [...get(ROW_PTR), ...get(I), ...i32(2), OP.i32Shl, OP.i32Add]),
    ...set(E, [...get(A0), OP.i32Load, 2, 0, ...i32(2), OP.i32Shl]),
    ...set(END, [...get(A0), OP.i32Load, 2, 4, ...i32(2), OP.i32Shl]),
    ...set(AX, zero), ...set(AY, zero),
    OP.block, T.void, OP.loop, T.void, ...edges, OP.end, OP.end,
    ...set(A0, [...get(OUT), ...get(I), ...i32(4), OP.i32Shl, OP.i32Add]),
    ...get(A0), ...hsum(AX), OP.f64Store, 3, 0,
    ...get(A0), ...hsum(AY), OP.f64Store, 3, 8,
    ...set(I, [...get(I), ...i32(1), OP.i32Add]), OP.br, 0,
  ];
  const code = [...set(ONE, f32x4(1)), ...set(I, get(FROM)), OP.block, T.void, OP.loop, T.void, ...row, OP.end, OP.end];
  return fn([[I32_LOCALS, T.i32], [V128_LOCALS, T.v128]], code);
}

/** The module's bytes: function `attract2d`, shared memory imported as env.memory. */
export function attractionModuleBytes(): Uint8Array {
  return moduleBytes({
    types: [funcType(new Array<number>(7).fill(T.i32))],
    memory: { module: "env", name: "memory", min: 1, max: 65536, shared: true },
    functions: [{ name: "attract2d", type: 0, body: body() }],
  });
}

/**
 * P in WebAssembly memory (shared, so worker threads run the kernel on the same copy), rows padded
 * to multiples of four, with room for the map y (float32 pairs) and the output (float64 N×2).
 * Plain data: it can be posted to a worker.
 */
export interface AttractionMemory {
  memory: WasmMemory;
  n: number;
  rowPtrAt: number;
  colsAt: number;
  valsAt: number;
  yAt: number;
  outAt: number;
  /** The row that splits the padded entries in two equal halves (the two threads' shares). */
  halfway: number;
}

const PAGE = 65536;
const MAX_BYTES = 65536 * PAGE;

let validated: boolean | undefined;

/** Copies P into a new shared WebAssembly memory; null without WebAssembly SIMD or shared memory, or when P does not fit in 4 GiB. */
export function loadAttraction(p: SparseAffinities): AttractionMemory | null {
  const wasm = wasmApi();
  if (wasm === undefined) return null;
  validated ??= wasm.validate(attractionModuleBytes());
  if (!validated) return null;
  const n = p.n;
  let padded = 0;
  for (let i = 0; i < n; i++) padded += (p.rowPtr[i + 1] - p.rowPtr[i] + 3) & ~3;
  const rowPtrAt = 0;
  const colsAt = Math.ceil((4 * (n + 1)) / 16) * 16;
  const valsAt = colsAt + 4 * padded;
  const yAt = valsAt + 4 * padded;
  const outAt = yAt + Math.ceil((8 * n) / 16) * 16;
  const bytes = outAt + 16 * n;
  if (bytes > MAX_BYTES) return null;
  let memory: WasmMemory;
  try {
    memory = new wasm.Memory({ initial: Math.ceil(bytes / PAGE), maximum: 65536, shared: true });
  } catch {
    return null; // no shared memory here, or not that much of it
  }
  const rowPtr = new Int32Array(memory.buffer, rowPtrAt, n + 1);
  const cols = new Int32Array(memory.buffer, colsAt, padded);
  const vals = new Float32Array(memory.buffer, valsAt, padded);
  let w = 0;
  let halfway = n;
  for (let i = 0; i < n; i++) {
    rowPtr[i] = w;
    if (halfway === n && 2 * w >= padded) halfway = i;
    for (let e = p.rowPtr[i]; e < p.rowPtr[i + 1]; e++, w++) {
      cols[w] = p.cols[e];
      vals[w] = p.vals[e];
    }
    // Padding: the point itself with p = 0 contributes nothing.
    for (; w % 4 !== 0; w++) cols[w] = i;
  }
  rowPtr[n] = w;
  return { memory, n, rowPtrAt, colsAt, valsAt, yAt, outAt, halfway };
}

/** The map (float32 pairs) and output (float64) regions of the memory, as arrays. */
export function attractionViews(m: AttractionMemory): { y: Float32Array; out: Float64Array } {
  return { y: new Float32Array(m.memory.buffer, m.yAt, 2 * m.n), out: new Float64Array(m.memory.buffer, m.outAt, 2 * m.n) };
}

/** The kernel on this thread: attraction of rows [from, to) of the map in the memory's y into its out. */
export function attractionRunner(m: AttractionMemory): (from: number, to: number) => void {
  const wasm = wasmApi()!;
  const instance = new wasm.Instance(new wasm.Module(attractionModuleBytes()), { env: { memory: m.memory } });
  const run = instance.exports.attract2d as (rowPtr: number, cols: number, vals: number, y: number, out: number, from: number, to: number) => void;
  return (from, to) => run(m.rowPtrAt, m.colsAt | 0, m.valsAt | 0, m.yAt | 0, m.outAt | 0, from, to);
}
