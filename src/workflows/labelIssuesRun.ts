import { resolve } from "node:path";
import { type DataSpec, parseDataSpec } from "../data/spec.js";
import type { Run } from "../store/run.js";

/**
 * Whether a run's predictions can serve as out-of-sample scores for `label-issues`: not when the
 * run's model was trained on the images it predicted (in-sample probabilities agree with the given
 * labels, wrong ones included, so most label errors go unseen — Northcutt et al. 2021, §4).
 */

/**
 * True when the run's model was trained (by featurelens) on the source its predictions are of,
 * false when they are of other images (the test split, or the validation split it held out), null
 * when unknown (a model made elsewhere). Pushes one sentence saying which onto `notes`.
 * @example inSampleNote(Run.read("runs/seed"), notes) // false; notes: ["run seed: trained on sample:train, predictions of sample:test: out of sample"]
 */
export function inSampleNote(run: Run, notes: string[]): boolean | null {
  const spec = run.record.data?.spec ?? "";
  const train = run.record.config.train as { data?: string; arch?: string } | undefined;
  if (/\(validation split\)$/.test(spec)) {
    notes.push(`run ${run.id}: predictions of the validation split it held out from training: out of sample`);
    return false;
  }
  if (!train?.data) {
    notes.push(`run ${run.id}: its model was not trained by featurelens; if it was trained on ${spec || "these images"}, its predictions are in-sample and most label errors will be missed — k-fold scores (--data ${spec || "SPEC"} --arch A) avoid that`);
    return null;
  }
  if (sameSource(train.data, spec)) {
    notes.push(
      `run ${run.id}: its model was trained on ${train.data} and its predictions are of ${spec}, so they are in-sample for the images it trained on: ` +
        `they agree with the given labels, wrong ones included, and most label errors are missed. For out-of-sample scores use --data ${spec} --arch ${train.arch ?? "seed-cnn"} (k-fold training)`,
    );
    return true;
  }
  notes.push(`run ${run.id}: trained on ${train.data}, predictions of ${spec}: out of sample`);
  return false;
}

/** Whether two data specs name the same source images (a `@DIR`, `--limit` and `--only` aside). */
export function sameSource(a: string, b: string): boolean {
  const key = (s: string): string => {
    let p: DataSpec;
    try {
      p = parseDataSpec(s);
    } catch {
      return s;
    }
    switch (p.kind) {
      case "sample":
        return `sample:${p.split}`;
      case "named":
        return `${p.name}:${p.split}`;
      case "folder":
        return `folder:${resolve(p.path)}`;
      case "npy":
      case "idx":
        return `${p.kind}:${resolve(p.images)}`;
      case "cifar":
        return `cifar:${resolve(p.path)}:${p.split}`;
    }
  };
  return key(a) === key(b);
}
