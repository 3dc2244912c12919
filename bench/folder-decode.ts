/**
 * How fast loadFolderDataset decodes a folder of 10,000 small JPEGs, one image at a time against
 * its default concurrency, and how many cores it keeps busy.
 * Run: node --import tsx bench/folder-decode.ts
 */
import { existsSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import sharp from "sharp";
import { imageAt, type Dataset } from "../src/data/dataset.js";
import { compareCodePoints, FOLDER_DEFAULTS, loadFolderDataset, type FolderOptions } from "../src/data/folder.js";
import { loadIdxDataset } from "../src/data/idx.js";

const SOURCE = "/usr/share/datasets/fashion-mnist";
const CACHE = fileURLToPath(new URL("./.cache/fmnist-jpeg-10k", import.meta.url));
const DONE = ".complete";
/** Fashion-MNIST's class names (Xiao et al. 2017), made safe as folder names. */
const CLASSES = ["T-shirt_top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];
const RUNS = 3;

/** The Fashion-MNIST test set, as IDX, in its original order. */
function loadSource(): Dataset {
  return loadIdxDataset(join(SOURCE, "t10k-images-idx3-ubyte.gz"), join(SOURCE, "t10k-labels-idx1-ubyte.gz"), {
    name: "fashion-mnist-t10k",
    classes: CLASSES,
  });
}

function fileName(i: number): string {
  return `${String(i).padStart(5, "0")}.jpg`;
}

/** Writes the test set as 28×28 grayscale JPEGs (quality 90) in class folders, once. */
async function buildCache(source: Dataset): Promise<void> {
  if (existsSync(join(CACHE, DONE))) return;
  const tmp = `${CACHE}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  for (const name of CLASSES) await mkdir(join(tmp, name), { recursive: true });
  const started = performance.now();
  const write = async (i: number): Promise<void> => {
    const raw = { width: source.width, height: source.height, channels: 1 as const };
    const jpeg = await sharp(imageAt(source, i), { raw }).toColourspace("b-w").jpeg({ quality: 90 }).toBuffer();
    await writeFile(join(tmp, CLASSES[source.labels[i]], fileName(i)), jpeg);
  };
  for (let start = 0; start < source.n; start += 64) {
    await Promise.all(Array.from({ length: Math.min(64, source.n - start) }, (_, j) => write(start + j)));
  }
  await writeFile(join(tmp, DONE), `${source.n} images\n`);
  await rm(CACHE, { recursive: true, force: true });
  await rename(tmp, CACHE);
  console.error(`wrote ${source.n} JPEGs to ${CACHE} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

interface Timing {
  wallS: number;
  cpu: number;
  dataset: Dataset;
}

/** The fastest of RUNS loads, with its CPU time over wall time (2.0 = two cores busy throughout). */
async function bestOf(options: FolderOptions): Promise<Timing> {
  let best: Timing | undefined;
  for (let r = 0; r < RUNS; r++) {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const { dataset } = await loadFolderDataset(CACHE, options);
    const wallS = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const timing = { wallS, cpu: (cpu.user + cpu.system) / 1e6 / wallS, dataset };
    if (best === undefined || timing.wallS < best.wallS) best = timing;
  }
  return best!;
}

/** Mean absolute difference from the IDX pixels, matching images by the index in their file name. */
function meanAbsError(source: Dataset, loaded: Dataset): number {
  // Folder order: classes sorted by name, then file names (the zero-padded source index) ascending.
  const order = CLASSES.map((_, c) => c).sort((a, b) => compareCodePoints(CLASSES[a], CLASSES[b]));
  const sourceIndex = order.flatMap((c) => Array.from(source.labels.keys()).filter((i) => source.labels[i] === c));
  let sum = 0;
  for (let j = 0; j < loaded.n; j++) {
    const a = imageAt(source, sourceIndex[j]);
    const b = imageAt(loaded, j);
    for (let p = 0; p < a.length; p++) sum += Math.abs(a[p] - b[p]);
  }
  return sum / (loaded.n * source.height * source.width);
}

async function main(): Promise<void> {
  const source = loadSource();
  await buildCache(source);
  const variants: { label: string; options: FolderOptions }[] = [
    { label: "28×28 gray (as stored)", options: {} },
    { label: "64×64 RGB (resize + gray→RGB)", options: { size: { height: 64, width: 64 }, channels: 3 } },
  ];
  // The last row turns off sharp's operation cache, a process-wide setting left to the application.
  const configs = [
    { concurrency: 1, cache: true },
    { concurrency: FOLDER_DEFAULTS.concurrency, cache: true },
    { concurrency: FOLDER_DEFAULTS.concurrency, cache: false },
  ];
  console.log(
    `${source.n} Fashion-MNIST test JPEGs; best of ${RUNS}; ${availableParallelism()} cores, ` +
      `sharp.concurrency() = ${sharp.concurrency()}, UV_THREADPOOL_SIZE = ${process.env.UV_THREADPOOL_SIZE ?? "unset (4)"}\n`,
  );
  console.log("| output | concurrency | sharp cache | wall (s) | images/s | CPU (cores busy) | speed-up vs 1 |");
  console.log("| --- | ---: | --- | ---: | ---: | ---: | ---: |");
  for (const { label, options } of variants) {
    let reference: number | undefined;
    for (const { concurrency, cache } of configs) {
      sharp.cache(cache);
      const t = await bestOf({ ...options, concurrency });
      sharp.cache(true);
      if (t.dataset.n !== source.n) throw new Error(`loaded ${t.dataset.n} images, expected ${source.n}`);
      reference ??= t.wallS;
      const rate = source.n / t.wallS;
      const cells = [label, concurrency, cache ? "on" : "off", t.wallS.toFixed(2), rate.toFixed(0), t.cpu.toFixed(2), `${(reference / t.wallS).toFixed(2)}×`];
      console.log(`| ${cells.join(" | ")} |`);
      if (options.size === undefined && concurrency === 1) {
        console.error(`JPEG round trip: mean |pixel − IDX pixel| = ${meanAbsError(source, t.dataset).toFixed(2)} levels`);
      }
    }
  }
}

await main();
