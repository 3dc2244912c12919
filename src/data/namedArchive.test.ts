import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DataError } from "../util/errors.js";
import { loadFromSet, loadNamedDataset, NAMED_DATASETS, type NamedDataset } from "./named.js";

const tmp = () => mkdtempSync(join(tmpdir(), "named-archive-"));
const ARCHIVE = "cifar-10-binary.tar.gz";

/** A tiny cifar-10-binary.tar.gz holding a test batch of `n` records, made with the system's tar. */
function tinyArchive(n: number): Buffer {
  const src = tmp();
  mkdirSync(join(src, "cifar-10-batches-bin"));
  writeFileSync(join(src, "cifar-10-batches-bin", "test_batch.bin"), new Uint8Array(n * 3073));
  const out = join(tmp(), ARCHIVE);
  execFileSync("tar", ["czf", out, "-C", src, "cifar-10-batches-bin"]);
  return readFileSync(out);
}

/** CIFAR-10 as we know it, but with this archive's checksum and the given mirror. */
function setFor(archive: Buffer, mirror = "http://127.0.0.1:9/"): NamedDataset {
  const file = { file: ARCHIVE, sha256: createHash("sha256").update(archive).digest("hex"), size: archive.length };
  return { ...NAMED_DATASETS.cifar10, mirrors: [mirror], files: { train: [file], test: [file] } };
}

describe("loadFromSet with a CIFAR-10 archive in the cache", () => {
  it("loadNamedDataset('cifar10', split) checks a found archive's SHA-256 before extracting, and names the file to delete", async () => {
    const cache = tmp();
    const path = join(cache, "featurelens", "cifar10", ARCHIVE);
    mkdirSync(join(cache, "featurelens", "cifar10"), { recursive: true });
    writeFileSync(path, "not it\n");
    const got = createHash("sha256").update("not it\n").digest("hex");
    const err = await loadNamedDataset("cifar10", "test", { env: { XDG_CACHE_HOME: cache, FEATURELENS_OFFLINE: "1" } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).message).toBe(
      `${path}: is not the official ${ARCHIVE}: its SHA-256 is ${got}, not ${NAMED_DATASETS.cifar10.files.test[0].sha256}, ` +
        `and it has 7 bytes, not 170052171; delete it and run again to download it afresh`,
    );
    expect(existsSync(join(cache, "featurelens", "cifar10", "cifar-10-batches-bin"))).toBe(false);
  });

  it("loadFromSet(set, split) extracts a found archive whose SHA-256 matches, even offline", async () => {
    const archive = tinyArchive(3);
    const cache = tmp();
    mkdirSync(join(cache, "featurelens", "cifar10"), { recursive: true });
    writeFileSync(join(cache, "featurelens", "cifar10", ARCHIVE), archive);
    const notices: string[] = [];
    const ds = await loadFromSet(setFor(archive), "test", { env: { XDG_CACHE_HOME: cache, FEATURELENS_OFFLINE: "1" }, onNotice: (m) => notices.push(m) });
    expect(ds.n).toBe(3);
    expect(notices).toEqual([`unpacking ${ARCHIVE}`]);
  });

  it("loadFromSet(set, split) downloads a missing archive, checked by its SHA-256, then extracts it", async () => {
    const archive = tinyArchive(2);
    const server = createServer((req, res) => {
      if (req.url !== `/${ARCHIVE}`) return void res.writeHead(404).end();
      res.writeHead(200, { "content-length": archive.length }).end(archive);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      const cache = tmp();
      const ds = await loadFromSet(setFor(archive, mirror), "test", { env: { XDG_CACHE_HOME: cache } });
      expect(ds.n).toBe(2);
      expect(existsSync(join(cache, "featurelens", "cifar10", ARCHIVE))).toBe(true);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
