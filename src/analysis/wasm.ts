/**
 * The one WebAssembly module builder of featurelens' hand-assembled SIMD kernels
 * (neighbors/simd.ts, embed/pcaKernel.ts, fft/simd.ts, embed/tsne/attractionKernel.ts): the binary
 * format's encodings (core spec 2.0, ch. 5), one table of the opcodes they use, the local-variable
 * and constant helpers, function bodies, and the module around them. Kernels are assembled from
 * these in code, so the repo carries no binary blob and needs no WebAssembly toolchain.
 * Browser-safe.
 */

/** Instructions as bytes. */
export type Code = number[];

/** Unsigned LEB128 (§5.2.2). @example uleb(300) // [0xac, 0x02] */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (§5.2.2). @example sleb(-1) // [0x7f] */
export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) return [...out, b];
    out.push(b | 0x80);
  }
}

/** A vector: its length, then its items (§5.1.3). */
export const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];

/** A name: its byte length, then its bytes (ASCII names only, §5.2.4). */
export const str = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];

/** A module section: id, byte length, content (§5.5.2). */
export const section = (id: number, content: number[]): number[] => [id, ...uleb(content.length), ...content];

/** Value types (§5.3.1) and the empty block type (§5.4.1). */
export const T = { i32: 0x7f, f32: 0x7d, f64: 0x7c, v128: 0x7b, void: 0x40 } as const;

/** The scalar opcodes the kernels use (§5.4.1–5.4.7); memory instructions take [align, offset] after them. */
export const OP = {
  block: 0x02, loop: 0x03, if: 0x04, br: 0x0c, brIf: 0x0d, end: 0x0b, select: 0x1b,
  get: 0x20, set: 0x21, tee: 0x22,
  i32Load: 0x28, f32Load: 0x2a, f64Load: 0x2b, i32Store: 0x36, f32Store: 0x38, f64Store: 0x39,
  i32Const: 0x41, f32Const: 0x43,
  i32LtU: 0x49, i32LeU: 0x4d, i32GeS: 0x4e, i32GeU: 0x4f,
  i32Add: 0x6a, i32Mul: 0x6c, i32And: 0x71, i32Shl: 0x74,
  f32Neg: 0x8c, f32Add: 0x92, f32Mul: 0x94, f64Add: 0xa0,
  f32DemoteF64: 0xb6, f64PromoteF32: 0xbb,
} as const;

/** The SIMD opcodes the kernels use (§5.4.8, after the 0xfd prefix; see {@link simd}). */
export const V = {
  load: 0, store: 11, const: 12, shuffle: 13, f32x4Splat: 19, f32x4Extract: 31, f64x2Extract: 33,
  f32x4Lt: 67, anyTrue: 83, load64Lane: 87, load64Zero: 93,
  f32x4Abs: 224, f32x4Add: 228, f32x4Sub: 229, f32x4Mul: 230, f32x4Div: 231, f64x2Add: 240, f64x2Mul: 242,
} as const;

/** A SIMD instruction: the 0xfd prefix, its opcode, its immediates (§5.4.8). */
export const simd = (op: number, ...imm: number[]): Code => [0xfd, ...uleb(op), ...imm];

/** local.get. */
export const get = (local: number): Code => [OP.get, ...uleb(local)];
/** local.set of the value `value` leaves (or of the value already on the stack). */
export const set = (local: number, value: Code = []): Code => [...value, OP.set, ...uleb(local)];
/** local.tee of the value `value` leaves (or of the value already on the stack). */
export const tee = (local: number, value: Code = []): Code => [...value, OP.tee, ...uleb(local)];
/** i32.const. */
export const i32 = (v: number): Code => [OP.i32Const, ...sleb(v)];
/** f32.const (rounded to float32). */
export const f32 = (v: number): Code => [OP.f32Const, ...new Uint8Array(Float32Array.of(v).buffer)];
/** v128.const of four float32 lanes equal to v (0: the zero vector). */
export const f32x4 = (v: number): Code => simd(V.const, ...Array.from({ length: 4 }, () => Array.from(new Uint8Array(Float32Array.of(v).buffer))).flat());
/** Sums of i32 values, left to right. */
export const addI = (...xs: Code[]): Code => xs.reduce((acc, x, t) => (t === 0 ? x : [...acc, ...x, OP.i32Add]));
/** The i32 product of two values. */
export const mulI = (a: Code, b: Code): Code => [...a, ...b, OP.i32Mul];
/** f32x4 lane-wise arithmetic on two values. */
export const addV = (a: Code, b: Code): Code => [...a, ...b, ...simd(V.f32x4Add)];
export const subV = (a: Code, b: Code): Code => [...a, ...b, ...simd(V.f32x4Sub)];
export const mulV = (a: Code, b: Code): Code => [...a, ...b, ...simd(V.f32x4Mul)];
/** The byte lanes of an i8x16.shuffle picking 32-bit lanes (0–3 of the first operand, 4–7 of the second). */
export const lanes32 = (lanes: number[]): number[] => lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]);

/**
 * A function body as the code section holds it (§5.5.13): its byte size, its locals (groups of
 * [count, type] after the parameters), its instructions and the closing `end`.
 * @example fn([[2, T.i32], [4, T.v128]], code) // locals 2 i32 then 4 v128, numbered after the parameters
 */
export function fn(locals: [number, number][], code: Code): Code {
  const body = [...vec(locals.map(([count, type]) => [...uleb(count), type])), ...code, OP.end];
  return [...uleb(body.length), ...body];
}

/** A function type (§5.3.6): parameters, then results. */
export const funcType = (params: number[], results: number[] = []): Code => [0x60, ...vec(params.map((p) => [p])), ...vec(results.map((r) => [r]))];

/** The linear memory a module imports (§5.5.5): min and max in pages of 64 KiB; `shared` needs `max`. */
export interface MemoryImport {
  module: string;
  name: string;
  min: number;
  max?: number;
  shared?: boolean;
}

/** A module's exported function: its name, its type's index and its body from {@link fn}. */
export interface FunctionDef {
  name: string;
  type: number;
  body: Code;
}

/**
 * The bytes of a module that imports one memory and exports every function, in order (§5.5):
 * header, type, import, function, export and code sections.
 */
export function moduleBytes(m: { types: Code[]; memory: MemoryImport; functions: FunctionDef[] }): Uint8Array {
  const { memory: mem } = m;
  const flags = mem.shared ? 0x03 : mem.max !== undefined ? 0x01 : 0x00;
  const limits = [flags, ...uleb(mem.min), ...(mem.max !== undefined ? uleb(mem.max) : [])];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // "\0asm", version 1
    ...section(1, vec(m.types)),
    ...section(2, vec([[...str(mem.module), ...str(mem.name), 0x02, ...limits]])),
    ...section(3, vec(m.functions.map((f) => uleb(f.type)))),
    ...section(7, vec(m.functions.map((f, index) => [...str(f.name), 0x00, ...uleb(index)]))),
    ...section(10, vec(m.functions.map((f) => f.body))),
  ]);
}

/** A WebAssembly linear memory (a SharedArrayBuffer behind it when made `shared`). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}

/** The part of the WebAssembly JS API the kernels use (browsers and Node have it; the ES lib types do not declare it). */
export interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

/** The global WebAssembly object, or undefined where there is none. */
export function wasmApi(): WasmApi | undefined {
  return (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
}
