/**
 * The benchmarks' shared input: the first N rows of the first 50 principal components of
 * Fashion-MNIST (train then t10k, 70,000 rows, cached in bench/.cache by `sklearn_knn.py pca`)
 * and their labels.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { readNpy } from "../src/data/npy.js";
import type { Points } from "../src/analysis/neighbors/types.js";

export const CACHE = join("bench", ".cache");
const FMNIST = "/usr/share/datasets/fashion-mnist";

export function fmnistPca50(n: number): { points: Points; labels: Int32Array } {
  execFileSync("/usr/bin/python3", [join("bench", "sklearn_knn.py"), "pca"]);
  const all = readNpy(join(CACHE, "fmnist-pca50.npy"));
  const points: Points = { n, d: 50, data: (all.data as Float32Array).slice(0, n * 50) };
  const labels = Int32Array.from([...idxLabels("train"), ...idxLabels("t10k")].slice(0, n));
  return { points, labels };
}

function idxLabels(split: string): Uint8Array {
  return gunzipSync(readFileSync(join(FMNIST, `${split}-labels-idx1-ubyte.gz`))).subarray(8);
}
