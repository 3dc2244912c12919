import type { Command } from "commander";
import { EMBED_DEFAULTS, type EmbedMethod } from "../../analysis/node/pipeline.js";
import type { Metric } from "../../analysis/neighbors/types.js";
import { formatEmbedding } from "../../report/embedText.js";
import { embedFile } from "../../workflows/embedFile.js";
import { integer, listOption, threadsOption } from "../options.js";
import { createProgress } from "../progress.js";
interface EmbedCliOptions {
  in: string;
  method: EmbedMethod;
  out: string;
  dims: string;
  perplexity: number;
  seed: number;
  init: "pca" | "random";
  metric: Metric;
  pca: number;
  into?: string;
  labels?: string;
  classes?: string[];
  json?: boolean;
  dropInvalid?: boolean;
  threads?: number;
  force?: boolean;
}

/** `featurelens embed`: a 2-D or 3-D map of feature vectors (PCA or t-SNE), or new points placed into a map. */
export function registerEmbed(program: Command): void {
  program
    .command("embed")
    .description("map feature vectors to 2-D/3-D with PCA, t-SNE or UMAP (or place new points into a saved t-SNE map), with quality measures")
    .requiredOption("--in <X.npy>", "feature vectors, N×D float (from `featurelens extract`)")
    .requiredOption("--out <Y.npy>", "the map, N×dims float32, and its picture Y.png; t-SNE also writes Y.map (and Y.pca.json) for --into")
    .option("--method <pca|tsne|umap>", "how to map", "tsne")
    .option("--dims <n>", "map dimensions: 2 or 3 (PCA: any number of components; pictures and quality measures for 2–3 only)", "2")
    .option("--perplexity <p>", "t-SNE: effective number of neighbours", Number, EMBED_DEFAULTS.perplexity)
    .option("--seed <s>", "seed; the same seed gives the same map", integer("--seed"), 0)
    .option("--init <pca|random>", "t-SNE start", "pca")
    .option("--metric <l2|l1|cosine>", "distance between feature vectors", "l2")
    .option("--pca <k>", "t-SNE, UMAP: reduce wider features to k principal components first (0: never)", integer("--pca"), EMBED_DEFAULTS.pcaComponents)
    .option("--into <MAP>", "place the points into the t-SNE map saved as MAP (an earlier --out) instead of making a new one")
    .option("--labels <L.npy>", "labels of the points: adds k-NN accuracy and silhouettes (a run's features, or extract's with their sidecar, know theirs)")
    .option("--classes <a,b,...>", "class names for the labels, in the picture's legend", listOption)
    .option("--json", "print the result and the quality measures as JSON")
    .option("--drop-invalid", "leave out rows holding NaN or ±Infinity instead of refusing them")
    .option("--threads <n>", "threads (default: all cores)", threadsOption)
    .option("--force", "replace output files featurelens did not write (never the inputs)")
    .addHelpText(
      "after",
      "\nExamples:\n  featurelens embed --in feats.npy --method tsne --out map.npy --labels labels.npy\n" +
        "  featurelens embed --in test-feats.npy --into map.npy --out test-map.npy   # the test domain placed into the train map",
    )
    .action(async (opts: EmbedCliOptions) => {
      const bar = createProgress(opts.method === "umap" && !opts.into ? { label: "UMAP", unit: "epochs" } : { label: "t-SNE", unit: "iterations" });
      const r = await embedFile({
        in: opts.in, out: opts.out, method: opts.method, dims: Number(opts.dims), perplexity: opts.perplexity, seed: opts.seed, init: opts.init, metric: opts.metric,
        pcaComponents: opts.pca, ...(opts.into ? { into: opts.into } : {}), ...(opts.labels ? { labels: opts.labels } : {}), ...(opts.classes ? { classes: opts.classes } : {}),
        ...(opts.dropInvalid ? { dropInvalid: true } : {}), ...(opts.threads ? { threads: opts.threads } : {}), ...(opts.force ? { force: true } : {}),
        onStage: (s) => process.stderr.write(process.stderr.isTTY ? `featurelens: ${s}…\n` : ""),
        onProgress: (d, t) => bar.update(d, t),
      }).finally(() => bar.stop());
      for (const note of r.notes) process.stderr.write(`featurelens: ${note}\n`);
      process.stdout.write(opts.json ? `${JSON.stringify(r, null, 1)}\n` : formatEmbedding(r));
    });
}
