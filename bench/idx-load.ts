/**
 * Loading the full Fashion-MNIST (70,000 images) from Debian's gzipped IDX files: featurelens'
 * `loadIdxDataset` against numpy (`gzip.open` + `np.frombuffer`, as Fashion-MNIST's own
 * `mnist_reader.py` does), side by side in one run, best of 5 each.
 *
 *   apt-get install dataset-fashion-mnist python3-numpy && node --import tsx bench/idx-load.ts
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { loadIdxDataset } from "../src/data/idx.js";
import { FASHION_MNIST_FILES } from "../src/data/sample.js";

const DIR = "/usr/share/datasets/fashion-mnist";
const REPEATS = 5;

function featurelensSeconds(): number {
  let best = Infinity;
  for (let r = 0; r < REPEATS; r++) {
    const t0 = process.hrtime.bigint();
    let n = 0;
    for (const split of ["train", "test"] as const) {
      const [images, labels] = FASHION_MNIST_FILES[split].map((f) => join(DIR, f));
      n += loadIdxDataset(images, labels).n;
    }
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    if (n !== 70000) throw new Error(`expected 70000 images, got ${n}`);
    best = Math.min(best, s);
  }
  return best;
}

const PY = `
import gzip, time, numpy as np
D = ${JSON.stringify(DIR)}
def load(kind):
    with gzip.open(f"{D}/{kind}-labels-idx1-ubyte.gz", "rb") as f:
        labels = np.frombuffer(f.read(), dtype=np.uint8, offset=8)
    with gzip.open(f"{D}/{kind}-images-idx3-ubyte.gz", "rb") as f:
        images = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(len(labels), 28, 28)
    return images, labels
best = 1e9
for _ in range(${REPEATS}):
    t0 = time.perf_counter()
    n = len(load("train")[1]) + len(load("t10k")[1])
    best = min(best, time.perf_counter() - t0)
assert n == 70000
print(best)
`;

const ours = featurelensSeconds();
const numpy = Number(execFileSync("/usr/bin/python3", ["-c", PY], { encoding: "utf8" }).trim());
const rate = (s: number) => Math.round(70000 / s).toLocaleString("en-US");
console.log("| loader (70,000 images, gzipped IDX) | best of 5 | images/s | ratio vs numpy |");
console.log("|---|---|---|---|");
console.log(`| featurelens loadIdxDataset | ${ours.toFixed(3)} s | ${rate(ours)} | ${(ours / numpy).toFixed(2)}× the time |`);
console.log(`| numpy gzip.open + np.frombuffer | ${numpy.toFixed(3)} s | ${rate(numpy)} | 1.00× |`);
