import type { Command } from "commander";
import { writeNpy } from "../../data/npy.js";
import { predictProbabilities } from "../../nn/infer.js";
import { writeParquet } from "../../store/parquet.js";
import { UsageError } from "../../util/errors.js";
import { addDataOptions, type DataCliOptions, loadFromOptions } from "../data.js";
import { addModelOptions, inferOptions, type ModelCliOptions, openFromOptions } from "../model.js";
import { checkClassCount, classNamesFor } from "../classes.js";

interface PredictOptions extends DataCliOptions, ModelCliOptions {
  out: string;
  labelsOut?: string;
}

/** `featurelens predict`: class probabilities for every image. */
export function registerPredict(program: Command): void {
  const cmd = program
    .command("predict")
    .description("class probabilities (N×K float32) for every image; .parquet adds label, prediction and confidence")
    .requiredOption("--out <file.npy|file.parquet>", "where to write the probabilities")
    .option("--labels-out <file.npy>", "also write the images' labels (int32), for `featurelens evaluate --labels … --probs …`")
    .addHelpText("after", "\nExamples:\n  featurelens predict --model model.onnx --data fashion-mnist:test --out probs.npy\n  featurelens predict --model runs/a --data sample:test --out preds.parquet");
  addModelOptions(cmd);
  addDataOptions(cmd).action(async (opts: PredictOptions) => {
    if (!/\.(npy|parquet)$/.test(opts.out)) throw new UsageError(`--out must end in .npy or .parquet, got '${opts.out}'`);
    if (opts.labelsOut !== undefined && !opts.labelsOut.endsWith(".npy")) throw new UsageError(`--labels-out must end in .npy, got '${opts.labelsOut}'`);
    const opened = openFromOptions(opts);
    const ds = await loadFromOptions(opts);
    const { options, done } = inferOptions(opts, "predicting");
    const probs = await predictProbabilities(opened, ds, options).finally(done);
    const [n, k] = probs.dims;
    checkClassCount(ds, k);
    if (opts.out.endsWith(".npy")) {
      writeNpy(opts.out, { dtype: "float32", shape: [n, k], data: probs.data });
    } else {
      const names = classNamesFor(opened.model, ds, k);
      const predicted = new Int32Array(n);
      const confidence = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        let best = 0;
        for (let j = 1; j < k; j++) if (probs.data[i * k + j] > probs.data[i * k + best]) best = j;
        predicted[i] = best;
        confidence[i] = probs.data[i * k + best];
      }
      await writeParquet(opts.out, n, [
        { name: "index", type: "INTEGER", values: Int32Array.from({ length: n }, (_, i) => i) },
        { name: "label", type: "INTEGER", values: ds.labels },
        { name: "label_name", type: "VARCHAR", values: Array.from(ds.labels, (y) => (y >= 0 ? (names[y] ?? String(y)) : "")) },
        { name: "predicted", type: "INTEGER", values: predicted },
        { name: "predicted_name", type: "VARCHAR", values: Array.from(predicted, (y) => names[y] ?? String(y)) },
        { name: "confidence", type: "FLOAT", values: confidence },
        { name: "probabilities", type: "FLOAT[]", values: probs.data, width: k },
      ]);
    }
    if (opts.labelsOut) writeNpy(opts.labelsOut, { dtype: "int32", shape: [n], data: ds.labels });
    let correct = 0;
    let labelled = 0;
    for (let i = 0; i < n; i++) {
      if (ds.labels[i] < 0) continue;
      labelled++;
      let best = 0;
      for (let j = 1; j < k; j++) if (probs.data[i * k + j] > probs.data[i * k + best]) best = j;
      if (best === ds.labels[i]) correct++;
    }
    const acc = labelled ? `, accuracy ${((100 * correct) / labelled).toFixed(2)}% on ${labelled} labelled images` : "";
    process.stdout.write(`wrote ${opts.out}: ${n}×${k} probabilities${acc}${opts.labelsOut ? `; labels in ${opts.labelsOut}` : ""}\n`);
  });
}
