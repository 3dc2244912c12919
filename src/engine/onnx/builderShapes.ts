/**
 * Static-shape arithmetic and option checks for {@link GraphBuilder}: sizes of conv and pool
 * windows, broadcasting, Reshape targets, and PyTorch's scope names for module paths.
 */

/** A tracked static shape: sizes, and a name (e.g. "N") for a symbolic dimension. */
export type Shape = (number | string)[];

/** A value of the graph being built, with its tracked shape. */
export interface Value { name: string; shape: Shape }

/** One size for both spatial axes, or [height, width]. */
export type Pair = number | readonly [number, number];

export const fmtShape = (s: readonly (number | string)[]): string => `[${s.join(", ")}]`;

/**
 * Collects every problem with one layer's options, then throws them together: a TypeError if any
 * value was of the wrong kind, else a RangeError, its message starting with the layer's label.
 */
export class Problems {
  private readonly list: string[] = [];
  private wrongKind = false;
  private readonly label: string;

  constructor(label: string) {
    this.label = label;
  }

  add(message: string): void {
    this.list.push(message);
  }

  kind(message: string): void {
    this.wrongKind = true;
    this.list.push(message);
  }

  int(key: string, v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
    if (typeof v !== "number") return this.kind(`${key} must be an integer, got ${JSON.stringify(v)}`), min;
    if (!Number.isInteger(v) || v < min || v > max) this.add(`${key} must be an integer in [${min}, ${max}], got ${v}`);
    return v;
  }

  /** A number in [lo, hi], or (lo, …] / […, hi) when an end is open. */
  num(key: string, v: unknown, lo: number, hi: number, loOpen = false, hiOpen = false): number {
    if (typeof v !== "number") return this.kind(`${key} must be a number, got ${JSON.stringify(v)}`), lo;
    const ok = Number.isFinite(v) && (loOpen ? v > lo : v >= lo) && (hiOpen ? v < hi : v <= hi);
    if (!ok) this.add(`${key} must be a finite number in ${loOpen ? "(" : "["}${lo}, ${hi}${hiOpen ? ")" : "]"}, got ${v}`);
    return v;
  }

  pair(key: string, v: unknown, min: number): [number, number] {
    if (!Array.isArray(v)) {
      const n = this.int(key, v, min);
      return [n, n];
    }
    if (v.length !== 2) return this.kind(`${key} must be a number or [height, width], got ${JSON.stringify(v)}`), [min, min];
    return [this.int(`${key}[0]`, v[0], min), this.int(`${key}[1]`, v[1], min)];
  }

  bool(key: string, v: unknown): boolean {
    if (typeof v !== "boolean") this.kind(`${key} must be true or false, got ${JSON.stringify(v)}`);
    return v === true;
  }

  oneOf<T extends string>(key: string, v: unknown, allowed: readonly T[]): T {
    if (!allowed.includes(v as T)) this.add(`${key} must be one of ${allowed.map((a) => `"${a}"`).join(", ")}, got ${JSON.stringify(v)}`);
    return v as T;
  }

  /** An axis of a rank-r tensor, negative counting from the end; `end` also allows r (Flatten). */
  axis(v: unknown, rank: number, end: boolean): number {
    const hi = end ? rank : rank - 1;
    const a = this.int("axis", v, -rank, hi);
    return a < 0 ? a + rank : a;
  }

  throwIfAny(): void {
    if (this.list.length === 0) return;
    const message = `${this.label}: ${this.list.join("; ")}`;
    throw this.wrongKind ? new TypeError(message) : new RangeError(message);
  }
}

/**
 * Output size of a conv or pool window along one axis (ONNX Conv/MaxPool; torch.nn.Conv2d docs):
 * ⌊(size + 2·pad − dilation·(kernel − 1) − 1)/stride⌋ + 1, or ⌈…⌉ in ceil mode.
 */
export function windowOut(size: number, kernel: number, stride: number, pad: number, dilation: number, ceil: boolean): number {
  const span = size + 2 * pad - dilation * (kernel - 1) - 1;
  if (span < 0) return 0;
  return (ceil ? Math.ceil(span / stride) : Math.floor(span / stride)) + 1;
}

/**
 * True when ceil mode would put a last window wholly in the right padding. PyTorch and ONNX Runtime
 * drop that window, ONNX shape inference (onnx 1.12, and ORT's own) keeps it: the sizes disagree.
 */
export function ceilWindowInPadding(size: number, kernel: number, stride: number, pad: number): boolean {
  return (windowOut(size, kernel, stride, pad, 1, true) - 1) * stride >= size + pad;
}

/** The product of sizes; a single symbolic size times 1 is itself; null when it cannot be tracked. */
export function product(dims: readonly (number | string)[]): number | string | null {
  const symbols = dims.filter((d): d is string => typeof d === "string");
  const n = dims.reduce<number>((a, d) => (typeof d === "number" ? a * d : a), 1);
  if (symbols.length === 0) return n;
  return symbols.length === 1 && n === 1 ? symbols[0] : null;
}

/** NumPy-style broadcasting of two shapes (ONNX "multidirectional broadcasting"). */
export function broadcastShapes(p: Problems, a: { name: string; shape: Shape }, b: { name: string; shape: Shape }): Shape {
  const rank = Math.max(a.shape.length, b.shape.length);
  const out: Shape = [];
  for (let i = 0; i < rank; i++) {
    const x = a.shape[a.shape.length - rank + i] ?? 1;
    const y = b.shape[b.shape.length - rank + i] ?? 1;
    if (x === y || y === 1) out.push(x);
    else if (x === 1) out.push(y);
    else {
      p.add(`cannot broadcast '${a.name}' of shape ${fmtShape(a.shape)} with '${b.name}' of shape ${fmtShape(b.shape)}`);
      return a.shape;
    }
  }
  return out;
}

/**
 * The output shape of ONNX Reshape (allowzero = 0): 0 copies the input size at that position, −1 is
 * inferred. A symbolic input size must be copied by a 0, or be what the −1 stands for.
 */
export function reshapeTarget(p: Problems, input: Shape, target: unknown): Shape {
  if (!Array.isArray(target) || target.length === 0 || !target.every((d) => Number.isInteger(d) && d >= -1)) {
    p.kind(`shape must be a non-empty array of integers ≥ −1 (0 copies, −1 infers), got ${JSON.stringify(target)}`);
    return input;
  }
  const t = target as number[];
  if (t.filter((d) => d === -1).length > 1) p.add(`shape ${fmtShape(t)} has more than one −1`);
  if (t.some((d, i) => d === 0 && i >= input.length)) p.add(`shape ${fmtShape(t)} copies (0) a position the input ${fmtShape(input)} does not have`);
  const out: Shape = t.map((d, i) => (d === 0 ? input[i] : d));
  const known = out.filter((d) => d !== -1);
  const copied = new Set(t.flatMap((d, i) => (d === 0 ? [i] : [])));
  const loose = input.flatMap((d, i) => (typeof d === "string" && !copied.has(i) ? [d] : []));
  const inN = input.reduce<number>((a, d) => (typeof d === "number" ? a * d : a), 1);
  const outN = known.reduce<number>((a, d) => (typeof d === "number" ? a * d : a), 1);
  const problem = `cannot reshape ${fmtShape(input)} to ${fmtShape(t)}`;
  const hole = out.indexOf(-1);
  if (hole < 0) {
    if (loose.length > 0 || inN !== outN) p.add(`${problem}: the sizes differ`);
  } else if (loose.length > 1 || inN % outN !== 0 || (loose.length === 1 && inN !== outN)) {
    p.add(`${problem}: ${loose.length ? "keep the batch dimension with 0, or let −1 stand for exactly it" : "the sizes do not divide"}`);
  } else {
    out[hole] = loose.length === 1 ? loose[0] : inN / outN;
  }
  return out;
}

/**
 * The scope names torch.onnx gives the modules on a path: each module is named from its last
 * non-numeric atom on, so "layer2.0.downsample.0" → ["layer2", "layer2.0", "downsample",
 * "downsample.0"] (torch/onnx/utils.py, `_unqualified_variable_name`, PyTorch 1.13).
 */
export function scopeAtoms(path: string): string[] {
  if (path === "") return [];
  const atoms = path.split(".");
  return atoms.map((_, i) => {
    let j = i;
    while (j > 0 && /^\d+$/.test(atoms[j])) j--;
    return atoms.slice(j, i + 1).join(".");
  });
}

/** [batch, channels, height, width] of a 4-D input with known C, H, W; else a problem and undefined. */
export function nchw(p: Problems, v: Value): [number | string, number, number, number] | undefined {
  const [n, c, h, w] = v.shape;
  if (v.shape.length === 4 && typeof c === "number" && typeof h === "number" && typeof w === "number") return [n, c, h, w];
  p.add(`expects a 4-D NCHW input with known channels, height and width, got '${v.name}' of shape ${fmtShape(v.shape)}`);
  return undefined;
}
