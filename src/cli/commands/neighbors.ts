import type { Command } from "commander";
import type { Metric } from "../../analysis/neighbors/types.js";
import { formatNeighbors, writeNeighborStrip } from "../../report/neighborStrip.js";
import { UsageError } from "../../util/errors.js";
import { neighborsOf } from "../../workflows/neighbors.js";
import { addDataOptions, type DataCliOptions, loadOptionsOf } from "../data.js";
import { integer, positiveInt } from "../options.js";
import { addForceOption, guardOutputs, inputsOf, recordOutputs } from "../outputs.js";

interface NeighborsCliOptions extends Omit<DataCliOptions, "data"> {
  data?: string;
  in: string;
  query: number;
  k: number;
  metric: Metric;
  pixels?: string;
  labels?: string;
  out?: string;
  json?: boolean;
  dropInvalid?: boolean;
  force?: boolean;
}

/** `featurelens neighbors`: the nearest points to one image in feature space, beside those in pixel space. */
export function registerNeighbors(program: Command): void {
  const cmd = program
    .command("neighbors")
    .description("an image's k nearest neighbours in feature space (and in pixel space, given the images), as text, JSON and a picture")
    .requiredOption("--in <X.npy>", "feature vectors, N×D (a run's features/*.npy, or from `featurelens extract`: they know their images and labels)")
    .requiredOption("--query <i>", "row of the query image", integer("--query"))
    .option("--k <n>", "how many neighbours", positiveInt("--k"), 10)
    .option("--metric <l2|l1|cosine>", "distance", "l2")
    .option("--pixels <IMAGES.npy>", "the images in the same order (N×H×W, N×H×W×C or N×C×H×W): adds pixel-space neighbours and thumbnails")
    .option("--labels <L.npy>", "with --pixels: labels, to colour neighbours of the same class")
    .option("--out <strip.png>", "a picture: the query and its neighbours, feature space above, pixel space below")
    .option("--json", "print the neighbours as JSON")
    .option("--drop-invalid", "leave out rows holding NaN or ±Infinity instead of refusing them")
    .addHelpText("after", "\nExamples:\n  featurelens neighbors --in runs/seed/features/penultimate.npy --query 42 --out nn-42.png\n  featurelens neighbors --in feats.npy --query 42 --data sample:test --out nn-42.png\n  featurelens neighbors --in feats.npy --query 42 --k 5 --metric cosine --json");
  // --data (and --limit, --only …) name the images the features were extracted from, in the same order.
  addForceOption(cmd);
  addDataOptions(cmd, false).action(async (opts: NeighborsCliOptions) => {
    guardOutputs("neighbors", [opts.out !== undefined ? { path: opts.out, flag: "--out" } : null], inputsOf({ ...opts, files: [[opts.in, "--in"], [opts.pixels, "--pixels"], [opts.labels, "--labels"]] }), opts.force);
    const r = await neighborsOf({
      in: opts.in, query: opts.query, k: opts.k, metric: opts.metric, ...(opts.data ? { data: { spec: opts.data, load: loadOptionsOf(opts) } } : {}),
      ...(opts.pixels ? { pixels: opts.pixels } : {}), ...(opts.labels ? { labels: opts.labels } : {}), ...(opts.classes ? { classes: opts.classes } : {}), ...(opts.dropInvalid ? { dropInvalid: true } : {}),
    });
    if (opts.out && !r.images) throw new UsageError("--out draws the images: give them with --pixels IMAGES.npy or --data SPEC");
    const name = (y: number | undefined) => (y === undefined ? undefined : (r.classes?.[y] ?? String(y)));
    if (opts.json) {
      process.stdout.write(`${JSON.stringify({ query: r.query, label: r.label ?? null, metric: r.metric, feature: r.feature, ...(r.pixel ? { pixel: r.pixel } : {}) }, null, 1)}\n`);
    } else {
      process.stdout.write(formatNeighbors("feature space", r.query, r.feature, r.label, name));
      if (r.pixel) process.stdout.write(formatNeighbors("pixel space", r.query, r.pixel, r.label, name));
    }
    if (opts.out && r.images) {
      await writeNeighborStrip(opts.out, { images: r.images, query: r.query, feature: r.feature, ...(r.pixel ? { pixel: r.pixel } : {}), ...(r.label !== undefined ? { label: r.label } : {}), classes: r.classes, metric: r.metric, about: r.description });
      recordOutputs([opts.out], "neighbors");
      if (!opts.json) process.stdout.write(`wrote ${opts.out}\n`);
    }
  });
}
