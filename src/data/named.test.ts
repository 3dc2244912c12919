import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataError } from "../util/errors.js";
import { loadFromSet, loadNamedDataset, NAMED_DATASETS, type NamedDataset, searchPath } from "./named.js";
import { FASHION_MNIST_FILES, SAMPLE_DIR } from "./sample.js";
import { writeIdxUint8 } from "./idx.js";

const tmp = () => mkdtempSync(join(tmpdir(), "named-"));
/** An environment in which nothing is found unless the test puts it there. */
const emptyEnv = () => ({ XDG_CACHE_HOME: tmp(), FEATURELENS_OFFLINE: "1" });
const noSystem: NamedDataset = { ...NAMED_DATASETS["fashion-mnist"], systemDirs: [] };

function copySampleTo(dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const f of [...FASHION_MNIST_FILES.train, ...FASHION_MNIST_FILES.test]) copyFileSync(join(SAMPLE_DIR, f), join(dir, f));
}

describe("loadNamedDataset", () => {
  it("loadNamedDataset(name, split) finds the set under $FEATURELENS_DATA first", async () => {
    const data = tmp();
    copySampleTo(join(data, "fashion-mnist"));
    const ds = await loadNamedDataset("fashion-mnist", "test", { env: { ...emptyEnv(), FEATURELENS_DATA: data } });
    expect(ds.name).toBe("fashion-mnist:test");
    expect(ds.n).toBe(1000);
    expect(ds.classes[0]).toBe("T-shirt/top");
  });

  it("loadNamedDataset(name, split, {dir}) reads an explicit folder and searches nothing else", async () => {
    const dir = tmp();
    copySampleTo(dir);
    expect((await loadNamedDataset("fashion-mnist", "train", { dir, env: emptyEnv() })).n).toBe(5000);
    await expect(loadNamedDataset("cifar10", "test", { dir, env: emptyEnv() })).rejects.toThrow(
      /cifar10 test files not found there \(looked for cifar-10-batches-bin\/test_batch\.bin\)/,
    );
  });

  it("loadFromSet(set, split) searches $FEATURELENS_DATA, then the user cache, then the system folders", async () => {
    const tiny = (dir: string, n: number) => {
      mkdirSync(dir, { recursive: true });
      writeIdxUint8(join(dir, FASHION_MNIST_FILES.test[0]), [n, 28, 28], new Uint8Array(n * 784));
      writeIdxUint8(join(dir, FASHION_MNIST_FILES.test[1]), [n], new Uint8Array(n));
    };
    const [data, cache, system] = [tmp(), tmp(), tmp()];
    tiny(join(data, "fashion-mnist"), 1);
    tiny(join(cache, "featurelens", "fashion-mnist"), 2);
    tiny(system, 3);
    const set = { ...noSystem, systemDirs: [system] };
    const load = async (env: NodeJS.ProcessEnv) => (await loadFromSet(set, "test", { env: { FEATURELENS_OFFLINE: "1", ...env } })).n;
    expect(await load({ FEATURELENS_DATA: data, XDG_CACHE_HOME: cache })).toBe(1);
    expect(await load({ XDG_CACHE_HOME: cache })).toBe(2);
    expect(await load({ XDG_CACHE_HOME: tmp() })).toBe(3);
  });

  it.runIf(existsSync("/usr/share/datasets/fashion-mnist"))("loadNamedDataset(name, split) finds Debian's dataset-fashion-mnist in /usr/share/datasets", async () => {
    // .ci/run installs the Debian package, so CI runs this; its 10,000 test images are the full split.
    const ds = await loadNamedDataset("fashion-mnist", "test", { env: emptyEnv() });
    expect([ds.n, ds.height, ds.width]).toEqual([10000, 28, 28]);
    expect(searchPath(NAMED_DATASETS["fashion-mnist"], { env: emptyEnv() }).at(-1)?.from).toBe("the system");
  });

  it("loadFromSet(set, split) offline with nothing found says where it looked and how to get the data", async () => {
    const env = emptyEnv();
    const err = await loadFromSet(noSystem, "train", { env }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    const msg = (err as Error).message;
    expect(msg).toContain("fashion-mnist train set not found");
    expect(msg).toContain(join(env.XDG_CACHE_HOME, "featurelens", "fashion-mnist"));
    expect(msg).toContain("apt-get install dataset-fashion-mnist");
    expect(msg).toContain("FEATURELENS_OFFLINE=1");
  });
});

describe("loadFromSet download", () => {
  let server: Server;
  let base = "";
  const files = new Map<string, Buffer>();
  beforeAll(async () => {
    for (const f of FASHION_MNIST_FILES.test) files.set(f, readFileSync(join(SAMPLE_DIR, f)));
    server = createServer((req, res) => {
      const body = files.get((req.url ?? "").replace(/^\/m\//, ""));
      if (!body) return void res.writeHead(404).end();
      res.writeHead(200, { "content-length": body.length }).end(body);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/m/`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("loadFromSet(set, split) downloads into the user cache, checks SHA-256, and reads from the cache next time", async () => {
    const sha = (f: string) => createHash("sha256").update(files.get(f)!).digest("hex");
    const set: NamedDataset = {
      ...noSystem,
      mirrors: [base],
      files: { ...noSystem.files, test: FASHION_MNIST_FILES.test.map((f) => ({ file: f, sha256: sha(f), size: files.get(f)!.length })) },
    };
    const env = { XDG_CACHE_HOME: tmp() };
    const notices: string[] = [];
    const ds = await loadFromSet(set, "test", { env, onNotice: (m) => notices.push(m) });
    expect(ds.n).toBe(1000);
    expect(notices.join("\n")).toMatch(/downloading t10k-images-idx3-ubyte\.gz/);
    expect(existsSync(join(env.XDG_CACHE_HOME, "featurelens", "fashion-mnist", FASHION_MNIST_FILES.test[0]))).toBe(true);
    files.clear(); // the server now answers 404: the second load must come from the cache
    expect((await loadFromSet(set, "test", { env })).n).toBe(1000);
  });
});
