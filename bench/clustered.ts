import type { Points } from "../src/analysis/neighbors/types.js";
import { createRng } from "../src/util/rng.js";

/**
 * The benchmarks' synthetic data: 20 Gaussian clusters in 50-D, centres N(0, 4²), points
 * N(centre, 1), seeded (bench/tsne-scaling.ts, knn-ort.ts, hnsw-quantization.ts).
 */
export const CLUSTERED = { d: 50, clusters: 20 } as const;

export function clustered(n: number, seed: number): Points {
  const { d, clusters } = CLUSTERED;
  const rng = createRng(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  const centres = Float32Array.from({ length: clusters * d }, () => 4 * normal());
  const data = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const c = rng.int(clusters);
    for (let t = 0; t < d; t++) data[i * d + t] = centres[c * d + t] + normal();
  }
  return { n, d, data };
}
