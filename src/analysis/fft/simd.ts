/**
 * The FFT stages of {@link ./transform.ts} in WebAssembly SIMD, float32, four columns per
 * instruction: the same Stockham radix-2/3/4/5 passes down the columns of a row-major block, so
 * `fftColumnsSimd` is a drop-in for `fftColumns` on smooth lengths (2^a 3^b 5^c). Assembled here
 * from its opcodes (no binary blob, no toolchain); 3–4× faster than the float64 JavaScript passes.
 *
 * Why float32 is enough: the FFT repulsion's own error, from interpolating the kernel on three
 * nodes per interval, is ~1e-2 of the forces (measured against the exact sum on a 70,000-point
 * map); float32 rounding in the transforms adds ~1e-6. Browser-safe; null without WebAssembly SIMD.
 */
import { addI, addV as add, type Code, f32, fn, funcType, get, i32, moduleBytes, mulI, mulV as mul, OP, set, simd, subV as sub, T, V, wasmApi, type WasmMemory } from "../wasm.js";
import { applyPruning, type FftPruning } from "./transform.js";

// Every stage function: (xr, xi, yr, yi, twr, twi: byte offsets; l, rp, cols: counts; sign: f32).
const [XR, XI, YR, YI, TWR, TWI, L, RP, COLS, SIGN] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
const [J, K, C, IN, OUT, INSTEP, OUTSTEP, COLB, TW, I, O] = [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20];
const I32_LOCALS = 11;
const FIRST_V128 = 21;
const V128_LOCALS = 44;

const load = (base: number, offset: Code): Code => [...addI(get(base), offset), ...simd(V.load, 2, 0)];
const store = (base: number, offset: Code, value: Code): Code => [...addI(get(base), offset), ...value, ...simd(V.store, 2, 0)];
const splat = (scalar: Code): Code => [...scalar, ...simd(V.f32x4Splat)];
/** f32 at twiddle table `table` entry TW + q (bytes), times `factor` (the sign for imaginary parts). */
const twiddle = (table: number, q: number, factor: Code = []): Code =>
  splat([...addI(get(table), get(TW), i32(4 * q)), OP.f32Load, 2, 0, ...(factor.length ? [...factor, OP.f32Mul] : [])]);

/** for (v = 0; v < end; v += step) body — `end` evaluated once per entry; no iteration when end = 0. */
function loop(v: number, end: Code, step: Code, body: Code): Code {
  return [
    ...set(v, i32(0)),
    OP.block, T.void, ...end, ...i32(0), OP.i32LeU, OP.brIf, 0, // end ≤ 0: no iteration
    OP.loop, T.void, ...body, ...set(v, addI(get(v), step)), ...get(v), ...end, OP.i32LtU, OP.brIf, 0, OP.end,
    OP.end,
  ];
}

/** Local allocator for the v128 temporaries of one function. */
function vlocals(): (count?: number) => number {
  let next = FIRST_V128;
  return () => {
    if (next >= FIRST_V128 + V128_LOCALS) throw new Error("fftSimd: out of v128 locals");
    return next++;
  };
}

/**
 * One radix-p stage. `butterfly(a, store)` gets the p twiddled inputs (pairs of v128 locals) and
 * emits the outputs through store(u, re, im).
 */
function stage(p: number, butterfly: (a: [number, number][], out: (u: number, re: Code, im: Code) => Code, temp: () => number) => Code): Code {
  const temp = vlocals();
  const w = Array.from({ length: p - 1 }, () => [temp(), temp()] as const);
  const a: [number, number][] = Array.from({ length: p }, () => [temp(), temp()]);
  const [vr, vi] = [temp(), temp()];
  const sign = [...get(SIGN)];
  const inputs: Code = [];
  inputs.push(...set(a[0][0], load(XR, get(I))), ...set(a[0][1], load(XI, get(I))));
  for (let q = 1; q < p; q++) {
    const at = addI(get(I), mulI(get(INSTEP), i32(q)));
    inputs.push(...set(vr, load(XR, at)), ...set(vi, load(XI, at)));
    const [wr, wi] = w[q - 1];
    inputs.push(
      ...set(a[q][0], sub(mul(get(vr), get(wr)), mul(get(vi), get(wi)))),
      ...set(a[q][1], add(mul(get(vr), get(wi)), mul(get(vi), get(wr)))),
    );
  }
  const out = (u: number, re: Code, im: Code): Code => {
    const at = addI(get(O), mulI(get(OUTSTEP), i32(u)));
    return [...store(YR, at, re), ...store(YI, at, im)];
  };
  const perColumn = [...set(I, addI(get(IN), get(C))), ...set(O, addI(get(OUT), get(C))), ...inputs, ...butterfly(a, out, temp)];
  const perJ = [
    ...set(TW, mulI(get(J), i32(4 * (p - 1)))),
    ...w.flatMap(([wr, wi], q) => [...set(wr, twiddle(TWR, q)), ...set(wi, twiddle(TWI, q, sign))]),
    ...loop(K, get(RP), i32(1), [
      // IN = (p·j·rp + k)·cols·4, OUT = (j·rp + k)·cols·4
      ...set(IN, mulI(addI(mulI(mulI(get(J), i32(p)), get(RP)), get(K)), get(COLB))),
      ...set(OUT, mulI(addI(mulI(get(J), get(RP)), get(K)), get(COLB))),
      ...loop(C, get(COLB), i32(16), perColumn),
    ]),
  ];
  return [
    ...set(COLB, mulI(get(COLS), i32(4))),
    ...set(INSTEP, mulI(get(RP), get(COLB))),
    ...set(OUTSTEP, mulI(mulI(get(L), get(RP)), get(COLB))),
    ...loop(J, get(L), i32(1), perJ),
  ];
}

const radix2 = stage(2, (a, out) => [
  ...out(0, add(get(a[0][0]), get(a[1][0])), add(get(a[0][1]), get(a[1][1]))),
  ...out(1, sub(get(a[0][0]), get(a[1][0])), sub(get(a[0][1]), get(a[1][1]))),
]);

/** The last radix-2 stage (rp = 1) keeping outputs u = 0 only (transform.ts's "lowerHalfOut"). */
const radix2Lower = stage(2, (a, out) => [...out(0, add(get(a[0][0]), get(a[1][0])), add(get(a[0][1]), get(a[1][1])))]);

const radix4 = stage(4, (a, out, temp) => {
  const [t0r, t0i, t1r, t1i, t2r, t2i, t3r, t3i] = Array.from({ length: 8 }, temp);
  const sg = temp();
  return [
    ...set(sg, splat(get(SIGN))),
    ...set(t0r, add(get(a[0][0]), get(a[2][0]))), ...set(t0i, add(get(a[0][1]), get(a[2][1]))),
    ...set(t1r, sub(get(a[0][0]), get(a[2][0]))), ...set(t1i, sub(get(a[0][1]), get(a[2][1]))),
    ...set(t2r, add(get(a[1][0]), get(a[3][0]))), ...set(t2i, add(get(a[1][1]), get(a[3][1]))),
    // ∓i·(a1 − a3): t3 = (sign·(a1i − a3i), sign·(a3r − a1r))
    ...set(t3r, mul(get(sg), sub(get(a[1][1]), get(a[3][1])))), ...set(t3i, mul(get(sg), sub(get(a[3][0]), get(a[1][0])))),
    ...out(0, add(get(t0r), get(t2r)), add(get(t0i), get(t2i))),
    ...out(1, add(get(t1r), get(t3r)), add(get(t1i), get(t3i))),
    ...out(2, sub(get(t0r), get(t2r)), sub(get(t0i), get(t2i))),
    ...out(3, sub(get(t1r), get(t3r)), sub(get(t1i), get(t3i))),
  ];
});

const SIN_60 = Math.sqrt(3) / 2;
const radix3 = stage(3, (a, out, temp) => {
  const [sr, si, dr, di, mr, mi, h, half] = Array.from({ length: 8 }, temp);
  return [
    ...set(h, splat([...get(SIGN), ...f32(SIN_60), OP.f32Mul])),
    ...set(half, splat(f32(0.5))),
    ...set(sr, add(get(a[1][0]), get(a[2][0]))), ...set(si, add(get(a[1][1]), get(a[2][1]))),
    ...set(dr, mul(get(h), sub(get(a[1][0]), get(a[2][0])))), ...set(di, mul(get(h), sub(get(a[1][1]), get(a[2][1])))),
    ...set(mr, sub(get(a[0][0]), mul(get(half), get(sr)))), ...set(mi, sub(get(a[0][1]), mul(get(half), get(si)))),
    ...out(0, add(get(a[0][0]), get(sr)), add(get(a[0][1]), get(si))),
    ...out(1, add(get(mr), get(di)), sub(get(mi), get(dr))),
    ...out(2, sub(get(mr), get(di)), add(get(mi), get(dr))),
  ];
});

const C1 = Math.cos((2 * Math.PI) / 5);
const C2 = Math.cos((4 * Math.PI) / 5);
const S1 = Math.sin((2 * Math.PI) / 5);
const S2 = Math.sin((4 * Math.PI) / 5);
const radix5 = stage(5, (a, out, temp) => {
  const [s14r, s14i, d14r, d14i, s23r, s23i, d23r, d23i] = Array.from({ length: 8 }, temp);
  const [m1r, m1i, n1r, n1i, m2r, m2i, n2r, n2i] = Array.from({ length: 8 }, temp);
  const [c1, c2, s1, s2] = Array.from({ length: 4 }, temp);
  const lin = (x: number, u: Code, y: number, v: Code): Code => add(mul(get(x), u), mul(get(y), v));
  return [
    ...set(c1, splat(f32(C1))), ...set(c2, splat(f32(C2))),
    ...set(s1, splat([...get(SIGN), ...f32(S1), OP.f32Mul])), ...set(s2, splat([...get(SIGN), ...f32(S2), OP.f32Mul])),
    ...set(s14r, add(get(a[1][0]), get(a[4][0]))), ...set(s14i, add(get(a[1][1]), get(a[4][1]))),
    ...set(d14r, sub(get(a[1][0]), get(a[4][0]))), ...set(d14i, sub(get(a[1][1]), get(a[4][1]))),
    ...set(s23r, add(get(a[2][0]), get(a[3][0]))), ...set(s23i, add(get(a[2][1]), get(a[3][1]))),
    ...set(d23r, sub(get(a[2][0]), get(a[3][0]))), ...set(d23i, sub(get(a[2][1]), get(a[3][1]))),
    ...set(m1r, add(get(a[0][0]), lin(c1, get(s14r), c2, get(s23r)))), ...set(m1i, add(get(a[0][1]), lin(c1, get(s14i), c2, get(s23i)))),
    ...set(n1r, lin(s1, get(d14r), s2, get(d23r))), ...set(n1i, lin(s1, get(d14i), s2, get(d23i))),
    ...set(m2r, add(get(a[0][0]), lin(c2, get(s14r), c1, get(s23r)))), ...set(m2i, add(get(a[0][1]), lin(c2, get(s14i), c1, get(s23i)))),
    ...set(n2r, sub(mul(get(s2), get(d14r)), mul(get(s1), get(d23r)))), ...set(n2i, sub(mul(get(s2), get(d14i)), mul(get(s1), get(d23i)))),
    ...out(0, add(add(get(a[0][0]), get(s14r)), get(s23r)), add(add(get(a[0][1]), get(s14i)), get(s23i))),
    ...out(1, add(get(m1r), get(n1i)), sub(get(m1i), get(n1r))),
    ...out(4, sub(get(m1r), get(n1i)), add(get(m1i), get(n1r))),
    ...out(2, add(get(m2r), get(n2i)), sub(get(m2i), get(n2r))),
    ...out(3, sub(get(m2r), get(n2i)), add(get(m2i), get(n2r))),
  ];
});

const STAGES = ["radix2", "radix2Lower", "radix3", "radix4", "radix5"] as const;
type StageName = (typeof STAGES)[number];

// copy(src, srcRow, srcCol, dst, dstRow, dstCol, rows, cols): strides in bytes; element by element,
// so any two layouts (a transpose too), converting between float64 and float32 as the variant says.
const [SRC, SROW, SCOL, DST, DROW, DCOL, ROWS, NCOLS, R, CC, PS, PD] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const COPY_LOCALS = 4;
function copy(from: "f32" | "f64", to: "f32" | "f64"): Code {
  const ld = from === "f32" ? [OP.f32Load, 2, 0] : [OP.f64Load, 3, 0];
  const convert = from === to ? [] : to === "f32" ? [OP.f32DemoteF64] : [OP.f64PromoteF32];
  const st = to === "f32" ? [OP.f32Store, 2, 0] : [OP.f64Store, 3, 0];
  return loop(R, get(ROWS), i32(1), [
    ...set(PS, addI(get(SRC), mulI(get(R), get(SROW)))),
    ...set(PD, addI(get(DST), mulI(get(R), get(DROW)))),
    ...loop(CC, get(NCOLS), i32(1), [
      ...get(PD), ...get(PS), ...ld, ...convert, ...st,
      ...set(PS, addI(get(PS), get(SCOL))),
      ...set(PD, addI(get(PD), get(DCOL))),
    ]),
  ]);
}

// scale(re, im, k, count): re[t] *= k[t], im[t] *= k[t] for t < count (a multiple of 4), float32.
const [SRE, SIM, SK, SN, ST] = [0, 1, 2, 3, 4];
const scale: Code = loop(ST, mulI(get(SN), i32(4)), i32(16), [
  ...store(SRE, get(ST), mul(load(SRE, get(ST)), load(SK, get(ST)))),
  ...store(SIM, get(ST), mul(load(SIM, get(ST)), load(SK, get(ST)))),
]);

const COPIES = ["copy32", "demote", "promote"] as const;
type CopyName = (typeof COPIES)[number];

/** The module's bytes: one function per stage kind, the copies and the scaling; memory imported as env.memory. */
export function fftSimdModuleBytes(): Uint8Array {
  const ints = (count: number): number[] => new Array<number>(count).fill(T.i32);
  const stages = [radix2, radix2Lower, radix3, radix4, radix5];
  const copies = [copy("f32", "f32"), copy("f64", "f32"), copy("f32", "f64")];
  return moduleBytes({
    types: [funcType([...ints(9), T.f32]), funcType(ints(8)), funcType(ints(4))],
    memory: { module: "env", name: "memory", min: 1 },
    functions: [
      ...stages.map((code, t) => ({ name: STAGES[t], type: 0, body: fn([[I32_LOCALS, T.i32], [V128_LOCALS, T.v128]], code) })),
      ...copies.map((code, t) => ({ name: COPIES[t], type: 1, body: fn([[COPY_LOCALS, T.i32]], code) })),
      { name: "scale", type: 2, body: fn([[1, T.i32]], scale) },
    ],
  });
}

type CopyFn = (src: number, srcRow: number, srcCol: number, dst: number, dstRow: number, dstCol: number, rows: number, cols: number) => void;

/** A rows×cols copy between two arrays of the kernel's memory, strides in elements of each. */
export type Copy2d = (src: Float32Array | Float64Array, srcAt: number, srcRow: number, srcCol: number, dst: Float32Array | Float64Array, dstAt: number, dstRow: number, dstCol: number, rows: number, cols: number) => void;

type StageFn = (xr: number, xi: number, yr: number, yi: number, twr: number, twi: number, l: number, rp: number, cols: number, sign: number) => void;

/** A transform of one length with its twiddles in the kernel's memory (float32, forward sign). */
export interface SimdFftPlan {
  n: number;
  stages: { p: number; l: number; twRe: number; twIm: number }[];
}

/** Four float32 n×cols blocks in the kernel's memory; a transform ping-pongs between the pairs. */
export interface SimdBuffers {
  re: Float32Array;
  im: Float32Array;
  spareRe: Float32Array;
  spareIm: Float32Array;
}

export interface SimdFft {
  /** Plans a smooth length (2^a 3^b 5^c); `radix2` as createFftPlan. */
  plan(n: number, radix2?: "first" | "last"): SimdFftPlan;
  /** Four blocks of `floats` floats each (cols a multiple of 4). */
  buffers(floats: number): SimdBuffers;
  /** fftColumns on float32 blocks: the DFT down each of `cols` columns (cols a multiple of 4). */
  columns(plan: SimdFftPlan, buffers: SimdBuffers, cols: number, inverse?: boolean, pruning?: FftPruning): void;
  /** Float32 and float64 arrays in the kernel's memory (for copy and scale). */
  floats32(length: number): Float32Array;
  floats64(length: number): Float64Array;
  /** Element-wise copy between arrays of the kernel's memory, any strides, float32/float64 either way. */
  copy: Copy2d;
  /** re[t] *= k[t] and im[t] *= k[t] for t < count (a multiple of 4), float32 arrays of the kernel's memory. */
  scale(re: Float32Array, im: Float32Array, k: Float32Array, kAt: number, count: number): void;
}

let compiled: object | null | undefined;

/**
 * A kernel instance with its own memory of `bytes` bytes for plans and buffers (allocated in
 * order, never freed), or null without WebAssembly SIMD.
 */
export function createSimdFft(bytes: number): SimdFft | null {
  const wasm = wasmApi();
  if (wasm === undefined) return null;
  if (compiled === undefined) {
    const code = fftSimdModuleBytes();
    compiled = wasm.validate(code) ? new wasm.Module(code) : null;
  }
  if (compiled === null) return null;
  const memory: WasmMemory = new wasm.Memory({ initial: Math.ceil(bytes / 65536) });
  const { exports } = new wasm.Instance(compiled, { env: { memory } });
  const fns = Object.fromEntries(STAGES.map((name) => [name, exports[name] as StageFn])) as Record<StageName, StageFn>;
  const copies = Object.fromEntries(COPIES.map((name) => [name, exports[name] as CopyFn])) as Record<CopyName, CopyFn>;
  const scaleFn = exports.scale as (re: number, im: number, k: number, count: number) => void;
  let top = 0;
  const reserve = (bytes: number): number => {
    const at = top;
    top += Math.ceil(bytes / 16) * 16;
    if (top > memory.buffer.byteLength) throw new RangeError(`createSimdFft: ${bytes} bytes are not enough`);
    return at;
  };
  const alloc = (floats: number): Float32Array => new Float32Array(memory.buffer, reserve(4 * floats), floats);
  const tables = new Map<string, SimdFftPlan>();
  return {
    plan(n, radix2) {
      const key = `${n}/${radix2 ?? ""}`;
      const cached = tables.get(key);
      if (cached) return cached;
      const factors = smoothFactors(n, radix2);
      const stages: SimdFftPlan["stages"] = [];
      let l = 1;
      for (const p of factors) {
        const re = alloc(l * (p - 1));
        const im = alloc(l * (p - 1));
        for (let j = 0; j < l; j++) {
          for (let q = 1; q < p; q++) {
            const angle = (-2 * Math.PI * j * q) / (l * p);
            re[j * (p - 1) + q - 1] = Math.cos(angle);
            im[j * (p - 1) + q - 1] = Math.sin(angle);
          }
        }
        stages.push({ p, l, twRe: re.byteOffset, twIm: im.byteOffset });
        l *= p;
      }
      const plan = { n, stages };
      tables.set(key, plan);
      return plan;
    },
    buffers: (floats) => ({ re: alloc(floats), im: alloc(floats), spareRe: alloc(floats), spareIm: alloc(floats) }),
    floats32: alloc,
    floats64: (length) => new Float64Array(memory.buffer, reserve(8 * length), length),
    copy(src, srcAt, srcRow, srcCol, dst, dstAt, dstRow, dstCol, rows, cols) {
      const sb = src.BYTES_PER_ELEMENT;
      const db = dst.BYTES_PER_ELEMENT;
      const name: CopyName = sb === db ? "copy32" : sb === 8 ? "demote" : "promote";
      if (sb === 8 && db === 8) throw new RangeError("fftSimd: copy converts float64 to float32 or back, or copies float32");
      copies[name](src.byteOffset + srcAt * sb, srcRow * sb, srcCol * sb, dst.byteOffset + dstAt * db, dstRow * db, dstCol * db, rows, cols);
    },
    scale: (re, im, k, kAt, count) => scaleFn(re.byteOffset, im.byteOffset, k.byteOffset + 4 * kAt, count),
    columns(plan, buffers, cols, inverse = false, pruning = "none") {
      const { n, stages } = plan;
      if (cols % 4 !== 0) throw new RangeError(`fftSimd: cols must be a multiple of 4, got ${cols}`);
      const sign = inverse ? -1 : 1;
      const { first, lowerHalfOnly } = applyPruning(stages, n, buffers, cols, pruning, "fftSimd");
      for (let si = first; si < stages.length; si++) {
        const s = stages[si];
        const rp = n / (s.l * s.p);
        const name: StageName = lowerHalfOnly && si === stages.length - 1 ? "radix2Lower" : (`radix${s.p}` as StageName);
        const { re, im, spareRe, spareIm } = buffers;
        fns[name](re.byteOffset, im.byteOffset, spareRe.byteOffset, spareIm.byteOffset, s.twRe, s.twIm, s.l, rp, cols, sign);
        buffers.re = spareRe;
        buffers.im = spareIm;
        buffers.spareRe = re;
        buffers.spareIm = im;
      }
    },
  };
}

/** Radices 4, 2, 3, 5 (fewest passes), with a radix-2 stage first or last when asked; a RangeError for other primes. */
function smoothFactors(n: number, radix2?: "first" | "last"): number[] {
  let m = radix2 ? n / 2 : n;
  if (!Number.isInteger(m) || m < 1) throw new RangeError(`fftSimd: length ${n} cannot have a radix-2 stage`);
  const factors: number[] = [];
  for (const f of [4, 2, 3, 5]) {
    while (m % f === 0) {
      factors.push(f);
      m /= f;
    }
  }
  if (m !== 1) throw new RangeError(`fftSimd: length ${n} has a prime factor other than 2, 3 and 5`);
  return radix2 === "first" ? [2, ...factors] : radix2 === "last" ? [...factors, 2] : factors;
}
