import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataError } from "../util/errors.js";
import { createRng } from "../util/rng.js";
import { extractTarGz } from "./tar.js";

/** One tar member for the tiny writer below. */
interface Entry {
  name: string;
  data?: Uint8Array | string;
  /** Type flag; default "0" (regular file). */
  type?: string;
  /** ustar prefix field (the leading folders of a long name). */
  prefix?: string;
  /** "posix" writes "ustar\0" "00" (prefix allowed), "gnu" writes "ustar  \0". */
  format?: "posix" | "gnu";
}

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, "0") + "\0";
}

/** A 512-byte header with a correct checksum. */
function header(e: Entry, size: number): Buffer {
  const h = Buffer.alloc(512);
  h.write(e.name, 0, 100, "utf8");
  h.write(octal(0o644, 8), 100, "latin1");
  h.write(octal(0, 8), 108, "latin1");
  h.write(octal(0, 8), 116, "latin1");
  h.write(octal(size, 12), 124, "latin1");
  h.write(octal(0, 12), 136, "latin1");
  h.write(e.type ?? "0", 156, "latin1");
  if ((e.format ?? "posix") === "posix") {
    h.write("ustar\x0000", 257, "latin1");
    if (e.prefix) h.write(e.prefix, 345, 155, "utf8");
  } else {
    h.write("ustar  \0", 257, "latin1");
  }
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, "0") + "\0 ", 148, "latin1");
  return h;
}

function pad(data: Buffer): Buffer {
  return Buffer.concat([data, Buffer.alloc((512 - (data.length % 512)) % 512)]);
}

/** The bytes of an uncompressed tar archive, ending with two zero blocks. */
function tar(entries: Entry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const data = Buffer.from(e.data ?? "");
    blocks.push(header(e, data.length), pad(data));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

let dir: string;
let counter = 0;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "featurelens-tar-"));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Writes `bytes` as an archive file and returns its path and a fresh destination folder. */
function archiveOf(bytes: Uint8Array): { archive: string; dest: string } {
  const n = counter++;
  const archive = join(dir, `a${n}.tar.gz`);
  writeFileSync(archive, bytes);
  return { archive, dest: join(dir, `out${n}`) };
}

/** Every file under `folder`, relative, sorted. */
function listFiles(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name).slice(folder.length + 1))
    .sort();
}

describe("extractTarGz", () => {
  it("extractTarGz(archive, destDir) writes each regular file and returns the paths", async () => {
    const big = new Uint8Array(70_000).map((_, i) => (i * 31) & 255); // spans many gunzip chunks
    const { archive, dest } = archiveOf(
      gzipSync(
        tar([
          { name: "cifar-10-batches-bin/", type: "5" },
          { name: "cifar-10-batches-bin/batches.meta.txt", data: "airplane\nautomobile\n" },
          { name: "cifar-10-batches-bin/data_batch_1.bin", data: big },
          { name: "cifar-10-batches-bin/empty.bin", data: "" },
        ]),
      ),
    );
    const written = await extractTarGz(archive, dest);
    expect(written).toEqual([
      join(dest, "cifar-10-batches-bin/batches.meta.txt"),
      join(dest, "cifar-10-batches-bin/data_batch_1.bin"),
      join(dest, "cifar-10-batches-bin/empty.bin"),
    ]);
    expect(readFileSync(written[0], "utf8")).toBe("airplane\nautomobile\n");
    expect(Buffer.compare(readFileSync(written[1]), Buffer.from(big))).toBe(0);
    expect(readFileSync(written[2]).length).toBe(0);
    expect(listFiles(dest)).toEqual(["cifar-10-batches-bin/batches.meta.txt", "cifar-10-batches-bin/data_batch_1.bin", "cifar-10-batches-bin/empty.bin"]);
  });

  it("extractTarGz(archive, destDir, { filter }) writes only the members the filter keeps", async () => {
    const { archive, dest } = archiveOf(
      gzipSync(tar([{ name: "d/readme.html", data: "<p>" }, { name: "d/test_batch.bin", data: "xyz" }, { name: "other.txt", data: "no" }])),
    );
    const seen: string[] = [];
    const written = await extractTarGz(archive, dest, {
      filter: (name) => {
        seen.push(name);
        return name.endsWith(".bin");
      },
    });
    expect(seen).toEqual(["d/readme.html", "d/test_batch.bin", "other.txt"]);
    expect(written).toEqual([join(dest, "d/test_batch.bin")]);
    expect(listFiles(dest)).toEqual(["d/test_batch.bin"]);
  });

  it("extractTarGz(archive, destDir) joins the ustar prefix and name of long paths", async () => {
    const prefix = `${"p".repeat(60)}/${"q".repeat(60)}`;
    const name = `${"n".repeat(90)}.bin`;
    const { archive, dest } = archiveOf(gzipSync(tar([{ name, prefix, data: "long" }])));
    const written = await extractTarGz(archive, dest);
    expect(written).toEqual([join(dest, prefix, name)]);
    expect(readFileSync(written[0], "utf8")).toBe("long");
  });

  it("extractTarGz(archive, destDir) reads GNU 'L' long-name entries", async () => {
    const long = `${"dir/".repeat(40)}file-with-a-long-name.bin`; // 185 characters
    const { archive, dest } = archiveOf(
      gzipSync(
        tar([
          { name: "././@LongLink", type: "L", data: `${long}\0`, format: "gnu" },
          { name: long.slice(0, 100), data: "gnu", format: "gnu" },
          { name: "short.txt", data: "after", format: "gnu" },
        ]),
      ),
    );
    const written = await extractTarGz(archive, dest);
    expect(written).toEqual([join(dest, long), join(dest, "short.txt")]);
    expect(readFileSync(written[0], "utf8")).toBe("gnu");
    expect(readFileSync(written[1], "utf8")).toBe("after");
  });

  it("extractTarGz(archive, destDir) skips links, folders and pax global headers", async () => {
    const { archive, dest } = archiveOf(
      gzipSync(
        tar([
          { name: "pax_global_header", type: "g", data: "20 comment=hello!!\n" },
          { name: "link", type: "2" },
          { name: "hard", type: "1" },
          { name: "folder/", type: "5" },
          { name: "kept.txt", data: "kept" },
        ]),
      ),
    );
    expect(await extractTarGz(archive, dest)).toEqual([join(dest, "kept.txt")]);
    expect(listFiles(dest)).toEqual(["kept.txt"]);
  });

  it("extractTarGz(archive, destDir) refuses '..' and absolute paths", async () => {
    for (const name of ["../evil.txt", "a/../../evil.txt", "/tmp/evil.txt"]) {
      const { archive, dest } = archiveOf(gzipSync(tar([{ name: "fine.txt", data: "ok" }, { name, data: "evil" }])));
      const err = await extractTarGz(archive, dest).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DataError);
      expect((err as Error).message).toContain(archive);
      expect((err as Error).message).toContain(`refusing the member "${name}"`);
      expect(existsSync(join(dir, "evil.txt"))).toBe(false);
    }
    expect(existsSync("/tmp/evil.txt")).toBe(false);
  });

  it("extractTarGz(archive, destDir) throws a DataError for a truncated gzip stream, and leaves no temp file", async () => {
    const data = new Uint8Array(50_000).map((_, i) => (i * 7919) % 251);
    const full = gzipSync(tar([{ name: "big.bin", data }]));
    const { archive, dest } = archiveOf(full.subarray(0, Math.floor(full.length / 2)));
    const err = await extractTarGz(archive, dest).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toMatch(/truncated/);
    expect((err as Error).message).toContain(archive);
    expect(listFiles(dest)).toEqual([]);
  });

  it("extractTarGz(archive, destDir) throws a DataError for tar data cut short inside a whole gzip stream", async () => {
    const whole = tar([{ name: "a.bin", data: "x".repeat(3000) }]);
    for (const cut of [700, 1200, 0]) {
      const { archive, dest } = archiveOf(gzipSync(whole.subarray(0, cut)));
      const err = await extractTarGz(archive, dest).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DataError);
      expect((err as Error).message).toMatch(/truncated tar data/);
    }
  });

  it("extractTarGz(archive, destDir) throws a DataError for a header with a wrong checksum", async () => {
    const bytes = tar([{ name: "ok.txt", data: "fine" }, { name: "bad.txt", data: "bad" }]);
    bytes[1024 + 2] ^= 0x01; // second header, inside its name
    const { archive, dest } = archiveOf(gzipSync(bytes));
    const err = await extractTarGz(archive, dest).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toMatch(/corrupt tar header at byte 1024: checksum \d+, but its bytes sum to \d+/);
  });

  it("extractTarGz(archive, destDir) throws a DataError for a file that is not gzip, or missing", async () => {
    const { archive, dest } = archiveOf(tar([{ name: "plain.txt", data: "not gzipped" }]));
    await expect(extractTarGz(archive, dest)).rejects.toThrow(/corrupt gzip data/);
    await expect(extractTarGz(join(dir, "nope.tar.gz"), dest)).rejects.toThrow(DataError);
    await expect(extractTarGz(join(dir, "nope.tar.gz"), dest)).rejects.toThrow(/no such file/);
  });

  it("extractTarGz(archive, destDir) on 100 seeded random corruptions either extracts or throws a DataError", async () => {
    const rng = createRng(11);
    const good = tar([
      { name: "d/one.bin", data: "1".repeat(700) },
      { name: "d/two.bin", data: "2".repeat(100) },
      { name: "d/three.txt", data: "three" },
    ]);
    for (let trial = 0; trial < 100; trial++) {
      const bytes = Buffer.from(good);
      const flips = 1 + rng.int(4);
      for (let f = 0; f < flips; f++) bytes[rng.int(bytes.length)] ^= 1 + rng.int(255);
      const cut = rng.next() < 0.3 ? rng.int(bytes.length) : bytes.length;
      // Corrupt the tar bytes under a valid gzip stream, so that the tar reader sees the damage.
      const { archive, dest } = archiveOf(gzipSync(bytes.subarray(0, cut)));
      try {
        const written = await extractTarGz(archive, dest);
        for (const p of written) expect(p.startsWith(dest)).toBe(true);
      } catch (err) {
        if (!(err instanceof DataError)) throw new Error(`trial ${trial}: ${String(err)}`);
      }
    }
  });
});
