/**
 * Makes the embedded sample: a stratified, seeded subset of Fashion-MNIST (500 training and 100 test
 * images per class) from Debian's `dataset-fashion-mnist` package, written as gzipped IDX files
 * under data/sample/fashion-mnist/ with the same file names as the full set.
 *
 *   apt-get install dataset-fashion-mnist && node --import tsx scripts/make-sample.ts
 */
import { join } from "node:path";
import { loadIdxDataset, writeIdxUint8 } from "../src/data/idx.js";
import { FASHION_MNIST_FILES, SAMPLE_DIR } from "../src/data/sample.js";
import { limitDataset } from "../src/data/subset.js";
import { classCounts } from "../src/data/dataset.js";

const SOURCE = "/usr/share/datasets/fashion-mnist";
const PER_SPLIT = { train: 5000, test: 1000 } as const;

for (const split of ["train", "test"] as const) {
  const [imagesFile, labelsFile] = FASHION_MNIST_FILES[split];
  const full = loadIdxDataset(join(SOURCE, imagesFile), join(SOURCE, labelsFile));
  const sample = limitDataset(full, { limit: PER_SPLIT[split], seed: 2017 });
  writeIdxUint8(join(SAMPLE_DIR, imagesFile), [sample.n, sample.height, sample.width], sample.images);
  writeIdxUint8(join(SAMPLE_DIR, labelsFile), [sample.n], Uint8Array.from(sample.labels));
  console.log(`${split}: ${sample.n} of ${full.n} images, per class ${Array.from(classCounts(sample)).join(" ")}`);
}
