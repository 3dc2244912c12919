import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { DataError } from "../util/errors.js";
import { loadFromSet, NAMED_DATASETS, type NamedDataset } from "./named.js";
import { FASHION_MNIST_FILES, SAMPLE_DIR } from "./sample.js";

// `chmod 000` denies nothing to root, who runs these tests in CI; so a folder's permission is
// denied here by making statSync fail with EACCES under it, as the kernel does for other users.
const denied = new Set<string>();
vi.mock("node:fs", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:fs")>();
  const statSync = ((path: fs.PathLike, ...rest: unknown[]) => {
    const p = String(path);
    for (const d of denied) {
      if (p === d || p.startsWith(`${d}/`)) throw Object.assign(new Error(`EACCES: permission denied, stat '${p}'`), { code: "EACCES", syscall: "stat", path: p });
    }
    return (real.statSync as (...a: unknown[]) => unknown)(path, ...rest);
  }) as typeof real.statSync;
  return { ...real, statSync, default: { ...real, statSync } };
});

const tmp = () => fs.mkdtempSync(join(tmpdir(), "named-access-"));
const set: NamedDataset = { ...NAMED_DATASETS["fashion-mnist"], systemDirs: [] };

afterEach(() => denied.clear());

describe("loadFromSet with a folder it may not read", () => {
  it("loadFromSet(set, split) names an unreadable $FEATURELENS_DATA in a notice when the set is found elsewhere", async () => {
    const [data, cache] = [tmp(), tmp()];
    const inCache = join(cache, "featurelens", "fashion-mnist");
    fs.mkdirSync(inCache, { recursive: true });
    for (const f of FASHION_MNIST_FILES.test) fs.copyFileSync(join(SAMPLE_DIR, f), join(inCache, f));
    denied.add(data);
    const notices: string[] = [];
    const ds = await loadFromSet(set, "test", { env: { FEATURELENS_DATA: data, XDG_CACHE_HOME: cache }, onNotice: (m) => notices.push(m) });
    expect(ds.n).toBe(1000);
    expect(notices).toEqual([
      `cannot read ${join(data, "fashion-mnist")} ($FEATURELENS_DATA): permission denied; reading fashion-mnist from ${inCache} (the user cache) instead`,
    ]);
  });

  it("loadFromSet(set, split) with nothing found says 'permission denied' for the folder, not only 'not found'", async () => {
    const [data, cache] = [tmp(), tmp()];
    denied.add(data);
    const err = await loadFromSet(set, "test", { env: { FEATURELENS_DATA: data, XDG_CACHE_HOME: cache, FEATURELENS_OFFLINE: "1" } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).message).toContain(`Looked in ${join(data, "fashion-mnist")} ($FEATURELENS_DATA: permission denied), ${join(cache, "featurelens", "fashion-mnist")} (the user cache).`);
  });

  it("loadFromSet(set, split, {dir}) says the folder given cannot be read", async () => {
    const dir = tmp();
    denied.add(dir);
    await expect(loadFromSet(set, "test", { dir })).rejects.toThrow(
      `${dir}: fashion-mnist test files cannot be looked for there: permission denied (looked for t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz)`,
    );
  });
});
