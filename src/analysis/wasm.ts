/**
 * The few pieces of the WebAssembly binary format (core spec 2.0, ch. 5) that the hand-assembled
 * SIMD kernels (neighbors/simd.ts, embed/pca.ts) are written with. Browser-safe.
 */

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

/** A SIMD instruction: the 0xfd prefix, its opcode, its immediates (§5.4.8). */
export const simd = (op: number, ...imm: number[]): number[] => [0xfd, ...uleb(op), ...imm];

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
