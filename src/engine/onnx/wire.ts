/**
 * The protocol-buffers wire format (protobuf.dev, "Encoding"): varints, 64-bit, length-delimited
 * and 32-bit fields. Just enough to read and write ONNX's messages without a generated codec.
 */

export const WIRE = { varint: 0, i64: 1, len: 2, i32: 5 } as const;

/** Thrown on bytes that are not a well-formed protobuf message; the caller names the file. */
export class WireError extends Error {
  override name = "WireError";
}

/** Reads fields one by one from a byte range. */
export class Reader {
  pos: number;
  readonly end: number;
  constructor(
    readonly buf: Uint8Array,
    start = 0,
    end = buf.length,
  ) {
    this.pos = start;
    this.end = end;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** A varint as a number, or a bigint when it does not fit in 2^53; int64 negatives come back negative. */
  varint(): number | bigint {
    let result = 0;
    let shift = 1;
    for (let i = 0; i < 7; i++) {
      if (this.pos >= this.end) throw new WireError("truncated varint");
      const b = this.buf[this.pos++];
      result += (b & 0x7f) * shift;
      if (b < 0x80) return result;
      shift *= 128;
    }
    // More than 49 bits: finish in BigInt and read as a signed 64-bit value.
    let big = BigInt(result);
    let bshift = 49n;
    for (let i = 7; i < 10; i++) {
      if (this.pos >= this.end) throw new WireError("truncated varint");
      const b = this.buf[this.pos++];
      big += BigInt(b & 0x7f) << bshift;
      if (b < 0x80) {
        const signed = BigInt.asIntN(64, big);
        return signed >= BigInt(Number.MIN_SAFE_INTEGER) && signed <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(signed) : signed;
      }
      bshift += 7n;
    }
    throw new WireError("varint longer than 10 bytes");
  }

  /** A varint that must be a plain non-negative number (lengths, tags, enums, dims). */
  uint(): number {
    const v = this.varint();
    if (typeof v !== "number") throw new WireError(`value ${v} is out of range`);
    return v;
  }

  /** An int64 field read as a number; throws for values beyond 2^53 (use varint() where they may occur). */
  int(): number {
    const v = this.varint();
    if (typeof v !== "number") throw new WireError(`int64 value ${v} does not fit in a double`);
    return v;
  }

  tag(): { field: number; wire: number } {
    const t = this.uint();
    const field = Math.floor(t / 8);
    if (field === 0) throw new WireError("field number 0");
    return { field, wire: t & 7 };
  }

  /** The bytes of a length-delimited field, as a view. */
  bytes(): Uint8Array {
    const n = this.uint();
    if (this.pos + n > this.end) throw new WireError(`truncated: a field of ${n} bytes runs past the end`);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  string(): string {
    return new TextDecoder().decode(this.bytes());
  }

  float(): number {
    if (this.pos + 4 > this.end) throw new WireError("truncated float");
    const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 4).getFloat32(0, true);
    this.pos += 4;
    return v;
  }

  /** Skips a field's value and returns the raw bytes of the whole field (tag included) from `start`. */
  skip(wire: number, start: number): Uint8Array {
    switch (wire) {
      case WIRE.varint:
        this.varint();
        break;
      case WIRE.i64:
        this.pos += 8;
        break;
      case WIRE.len:
        this.bytes();
        break;
      case WIRE.i32:
        this.pos += 4;
        break;
      default:
        throw new WireError(`unknown wire type ${wire}`);
    }
    if (this.pos > this.end) throw new WireError("truncated field");
    return this.buf.subarray(start, this.pos);
  }

  /** A repeated scalar field, packed (one length-delimited run) or not (one value). */
  repeated<T>(wire: number, one: (r: Reader) => T, out: T[]): void {
    if (wire === WIRE.len) {
      const b = this.bytes();
      const sub = new Reader(b);
      while (!sub.done) out.push(one(sub));
    } else {
      out.push(one(this));
    }
  }
}

/**
 * Appends fields. Bytes are kept as a list of chunks and large byte fields (tensor data) by
 * reference, so nested messages are never copied into their parents: `finish()` copies once.
 */
export class Writer {
  private chunks: Uint8Array[] = [];
  private buf = new Uint8Array(128);
  private len = 0;
  /** Start of the bytes in `buf` not yet in `chunks`. */
  private start = 0;
  /** Bytes written so far. */
  length = 0;

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    this.flush();
    this.buf = new Uint8Array(Math.max(n, Math.min(this.buf.length * 2, 1 << 20)));
    this.len = this.start = 0;
  }

  private flush(): void {
    if (this.len === this.start) return;
    this.chunks.push(this.buf.subarray(this.start, this.len));
    this.start = this.len;
  }

  finish(): Uint8Array {
    this.flush();
    if (this.chunks.length === 1) return this.chunks[0].slice();
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }

  raw(b: Uint8Array): void {
    if (b.length > 512) {
      this.flush();
      this.chunks.push(b);
    } else {
      this.ensure(b.length);
      this.buf.set(b, this.len);
      this.len += b.length;
    }
    this.length += b.length;
  }

  private byte(v: number): void {
    this.buf[this.len++] = v;
    this.length++;
  }

  varint(v: number | bigint): void {
    this.ensure(10);
    if (typeof v === "bigint" || v < 0 || v > Number.MAX_SAFE_INTEGER) {
      let u = BigInt.asUintN(64, BigInt(v));
      while (u >= 0x80n) {
        this.byte(Number(u & 0x7fn) | 0x80);
        u >>= 7n;
      }
      this.byte(Number(u));
      return;
    }
    let n = v;
    while (n >= 0x80) {
      this.byte((n % 128) | 0x80);
      n = Math.floor(n / 128);
    }
    this.byte(n);
  }

  /** Appends another writer's bytes without copying them. */
  private append(w: Writer): void {
    w.flush();
    this.flush();
    for (const c of w.chunks) this.chunks.push(c);
    this.length += w.length;
  }

  tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  /** A varint field; written even when zero (callers skip defaults themselves). */
  uintField(field: number, v: number | bigint): void {
    this.tag(field, WIRE.varint);
    this.varint(v);
  }

  bytesField(field: number, b: Uint8Array): void {
    this.tag(field, WIRE.len);
    this.varint(b.length);
    this.raw(b);
  }

  stringField(field: number, s: string): void {
    this.bytesField(field, new TextEncoder().encode(s));
  }

  floatField(field: number, v: number): void {
    this.tag(field, WIRE.i32);
    this.ensure(4);
    new DataView(this.buf.buffer, this.len, 4).setFloat32(0, v, true);
    this.len += 4;
    this.length += 4;
  }

  /** A nested message, encoded by `write` into its own writer. */
  message(field: number, write: (w: Writer) => void): void {
    const sub = new Writer();
    write(sub);
    this.tag(field, WIRE.len);
    this.varint(sub.length);
    this.append(sub);
  }

  /** Repeated varints one field each (proto2's default for `repeated int64`, as onnx.proto uses). */
  varints(field: number, values: readonly (number | bigint)[]): void {
    for (const v of values) this.uintField(field, v);
  }

  /** Repeated floats one field each (proto2's default encoding). */
  floats(field: number, values: readonly number[]): void {
    for (const v of values) this.floatField(field, v);
  }
}
