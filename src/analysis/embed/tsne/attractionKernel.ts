/**
 * The attraction of 2-D t-SNE, Σ_j p_ij q̃_ij (y_i − y_j), as a WebAssembly function assembled here
 * from its opcodes (no binary blob, no toolchain). Scalar float64 arithmetic as in
 * `attractionRows`, but without JavaScript's bounds checks and with P's values stored as float32
 * (a third fewer bytes streamed per edge): about 3× faster on 70,000 points. Browser-safe; null
 * where WebAssembly is missing.
 */
import { section, sleb, uleb, wasmApi, type WasmMemory } from "../../wasm.js";
import type { SparseAffinities } from "./types.js";

const OP = {
  block: 0x02, loop: 0x03, br: 0x0c, brIf: 0x0d, end: 0x0b,
  get: 0x20, set: 0x21, tee: 0x22,
  i32Load: 0x28, f32Load: 0x2a, f64Load: 0x2b, f64Store: 0x39,
  i32Const: 0x41, f64Const: 0x44,
  i32GeU: 0x4f, i32Add: 0x6a, i32Mul: 0x6c, i32Shl: 0x74,
  f64Add: 0xa0, f64Sub: 0xa1, f64Mul: 0xa2, f64Div: 0xa3, f64PromoteF32: 0xbb,
} as const;

// attract2d(rowPtr, cols, vals, y, out, from, to): byte offsets of P (int32 rowPtr and cols,
// float32 vals), the map y (float64, n×2) and out (float64, n×2); rows [from, to).
const [ROW_PTR, COLS, VALS, Y, OUT, FROM, TO] = [0, 1, 2, 3, 4, 5, 6];
const [I, E, END, J] = [7, 8, 9, 10];
const [XI, YI, FX, FY, DX, DY, PQ] = [11, 12, 13, 14, 15, 16, 17];

const get = (l: number) => [OP.get, l];
const set = (l: number) => [OP.set, l];
const i32 = (v: number) => [OP.i32Const, ...sleb(v)];
const f64 = (v: number) => [OP.f64Const, ...new Uint8Array(Float64Array.of(v).buffer)];
const mem = (op: number, offset = 0, align = op === OP.f64Load || op === OP.f64Store ? 3 : 2) => [op, align, ...uleb(offset)];
const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];
const str = (s: string) => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];

function body(): number[] {
  const edge = [
    ...get(E), ...get(END), OP.i32GeU, OP.brIf, 1,
    // J = y + 16·cols[e]
    ...get(Y), ...get(COLS), ...get(E), OP.i32Add, ...mem(OP.i32Load), ...i32(4), OP.i32Shl, OP.i32Add, ...set(J),
    ...get(XI), ...get(J), ...mem(OP.f64Load), OP.f64Sub, ...set(DX),
    ...get(YI), ...get(J), ...mem(OP.f64Load, 8), OP.f64Sub, ...set(DY),
    ...get(VALS), ...get(E), OP.i32Add, ...mem(OP.f32Load), OP.f64PromoteF32,
    ...f64(1), ...get(DX), ...get(DX), OP.f64Mul, OP.f64Add, ...get(DY), ...get(DY), OP.f64Mul, OP.f64Add,
    OP.f64Div, ...set(PQ),
    ...get(FX), ...get(PQ), ...get(DX), OP.f64Mul, OP.f64Add, ...set(FX),
    ...get(FY), ...get(PQ), ...get(DY), OP.f64Mul, OP.f64Add, ...set(FY),
    ...get(E), ...i32(4), OP.i32Add, ...set(E), OP.br, 0,
  ];
  const row = [
    ...get(I), ...get(TO), OP.i32GeU, OP.brIf, 1,
    ...get(Y), ...get(I), ...i32(4), OP.i32Shl, OP.i32Add, ...set(J),
    ...get(J), ...mem(OP.f64Load), ...set(XI), ...get(J), ...mem(OP.f64Load, 8), ...set(YI),
    // E, END = 4·rowPtr[i], 4·rowPtr[i + 1] (byte offsets into cols and vals)
    ...get(ROW_PTR), ...get(I), ...i32(2), OP.i32Shl, OP.i32Add, OP.tee, E, ...mem(OP.i32Load, 4), ...i32(2), OP.i32Shl, ...set(END),
    ...get(E), ...mem(OP.i32Load), ...i32(2), OP.i32Shl, ...set(E),
    ...f64(0), ...set(FX), ...f64(0), ...set(FY),
    OP.block, 0x40, OP.loop, 0x40, ...edge, OP.end, OP.end,
    ...get(OUT), ...get(I), ...i32(4), OP.i32Shl, OP.i32Add, OP.tee, J, ...get(FX), ...mem(OP.f64Store),
    ...get(J), ...get(FY), ...mem(OP.f64Store, 8),
    ...get(I), ...i32(1), OP.i32Add, ...set(I), OP.br, 0,
  ];
  const locals = [...uleb(2), ...uleb(4), 0x7f, ...uleb(7), 0x7c];
  const code = [...locals, ...get(FROM), ...set(I), OP.block, 0x40, OP.loop, 0x40, ...row, OP.end, OP.end, OP.end];
  return [...uleb(code.length), ...code];
}

/** The module's bytes: function `attract2d`, shared memory imported as env.memory. */
export function attractionModuleBytes(): Uint8Array {
  const type = [0x60, ...vec(new Array<number[]>(7).fill([0x7f])), 0];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([type])),
    // memory import, shared (flag 0x03: has maximum, shared), max 65536 pages
    ...section(2, vec([[...str("env"), ...str("memory"), 0x02, 0x03, 0x01, ...uleb(65536)]])),
    ...section(3, vec([[0]])),
    ...section(7, vec([[...str("attract2d"), 0x00, 0]])),
    ...section(10, vec([body()])),
  ]);
}

/**
 * P in WebAssembly memory (shared, so worker threads run the kernel on the same copy), with room
 * for the map y and the output (both N×2 float64). Plain data: it can be posted to a worker.
 */
export interface AttractionMemory {
  memory: WasmMemory;
  n: number;
  rowPtrAt: number;
  colsAt: number;
  valsAt: number;
  yAt: number;
  outAt: number;
}

const PAGE = 65536;
const MAX_BYTES = 65536 * PAGE;

/** Copies P into a new shared WebAssembly memory; null without WebAssembly or when P does not fit in 4 GiB. */
export function loadAttraction(p: SparseAffinities): AttractionMemory | null {
  const wasm = wasmApi();
  if (wasm === undefined || !wasm.validate(attractionModuleBytes())) return null;
  const n = p.n;
  const nnz = p.rowPtr[n];
  const rowPtrAt = 0;
  const colsAt = 4 * (n + 1);
  const valsAt = colsAt + 4 * nnz;
  const yAt = Math.ceil((valsAt + 4 * nnz) / 16) * 16;
  const outAt = yAt + 16 * n;
  const bytes = outAt + 16 * n;
  if (bytes > MAX_BYTES) return null;
  let memory: WasmMemory;
  try {
    memory = new wasm.Memory({ initial: Math.ceil(bytes / PAGE), maximum: 65536, shared: true });
  } catch {
    return null; // no shared memory here, or not that much of it
  }
  new Int32Array(memory.buffer, rowPtrAt, n + 1).set(p.rowPtr);
  new Int32Array(memory.buffer, colsAt, nnz).set(p.cols.subarray(0, nnz));
  new Float32Array(memory.buffer, valsAt, nnz).set(p.vals.subarray(0, nnz));
  return { memory, n, rowPtrAt, colsAt, valsAt, yAt, outAt };
}

/** The map and output regions of the memory, as arrays. */
export function attractionViews(m: AttractionMemory): { y: Float64Array; out: Float64Array } {
  return { y: new Float64Array(m.memory.buffer, m.yAt, 2 * m.n), out: new Float64Array(m.memory.buffer, m.outAt, 2 * m.n) };
}

/** The kernel on this thread: attraction of rows [from, to) of the map in the memory's y into its out. */
export function attractionRunner(m: AttractionMemory): (from: number, to: number) => void {
  const wasm = wasmApi()!;
  const instance = new wasm.Instance(new wasm.Module(attractionModuleBytes()), { env: { memory: m.memory } });
  const run = instance.exports.attract2d as (rowPtr: number, cols: number, vals: number, y: number, out: number, from: number, to: number) => void;
  return (from, to) => run(m.rowPtrAt, m.colsAt | 0, m.valsAt | 0, m.yAt | 0, m.outAt | 0, from, to);
}

/** The row that splits P's entries in two equal halves (the two threads' shares). */
export function halfwayRow(p: SparseAffinities): number {
  const target = p.rowPtr[p.n] / 2;
  let lo = 0;
  let hi = p.n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (p.rowPtr[mid] < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
