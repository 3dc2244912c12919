import type { Command } from "commander";
import type { Dataset } from "../data/dataset.js";
import { loadDataset, type LoadOptions } from "../data/load.js";
import { SPEC_FORMS } from "../data/spec.js";
import { channelsOption, imageSizeOption, integer, listOption, positiveInt } from "./options.js";
import { progressByLabel } from "./progress.js";

/** Adds the options every command that reads a dataset shares. */
export function addDataOptions(cmd: Command, required = true): Command {
  const dataHelp = `dataset: ${SPEC_FORMS.map((f) => f.split(/\s{2,}/)[0]).join(" | ")}`;
  if (required) cmd.requiredOption("--data <spec>", dataHelp);
  else cmd.option("--data <spec>", dataHelp);
  return cmd
    .option("--limit <n>", "keep n images, stratified by class (seeded)", positiveInt("--limit"))
    .option("--seed <s>", "seed for --limit and anything random", integer("--seed"), 0)
    .option("--size <HxW>", "folder sets: resize images to this size", imageSizeOption)
    .option("--channels <1|3>", "folder sets: 1 = grayscale, 3 = RGB", channelsOption)
    .option("--classes <a,b,...>", "class names, for sets that carry none (npy, idx)", listOption)
    .option("--only <classes>", "keep only these classes (indices, ranges or names: 0,6 or 5-9), relabelled in that order");
}

export interface DataCliOptions {
  data: string;
  limit?: number;
  seed: number;
  size?: { height: number; width: number };
  channels?: 1 | 3;
  classes?: string[];
  only?: string;
}

/** The library's load options from the shared options (no callbacks). */
export function loadOptionsOf(opts: Omit<DataCliOptions, "data">): Omit<LoadOptions, "onProgress" | "onNotice"> {
  return {
    seed: opts.seed,
    ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
    ...(opts.size ? { size: opts.size } : {}),
    ...(opts.channels ? { channels: opts.channels } : {}),
    ...(opts.classes ? { classes: opts.classes } : {}),
    ...(opts.only !== undefined ? { only: opts.only } : {}),
  };
}

/** Loads the dataset named by the shared options, with progress bars and notices on stderr. */
export async function loadFromOptions(opts: DataCliOptions, spec = opts.data): Promise<Dataset> {
  const bars = progressByLabel();
  const options: LoadOptions = { ...loadOptionsOf(opts), onProgress: bars.onProgress, onNotice: (m) => process.stderr.write(`featurelens: ${m}\n`) };
  try {
    return await loadDataset(spec, options);
  } finally {
    bars.stop();
  }
}
