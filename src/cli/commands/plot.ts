import type { Command } from "commander";
import { MAP_COLORS, type MapColor } from "../../report/charts/scatter.js";
import { plotRun } from "../../workflows/plot.js";
import { addForceOption, guardOutputs, recordOutputs } from "../outputs.js";
import { addWorkspaceOption } from "../workspace.js";

interface PlotCliOptions {
  workspace?: string;
  run: string;
  map: string;
  domain?: string;
  color: string;
  out?: string;
  force?: boolean;
}

/** `featurelens plot`: a run's saved map drawn again as a PNG, coloured as asked. */
export function registerPlot(program: Command): void {
  const cmd = program
    .command("plot")
    .description("draw a run's saved map (t-SNE, PCA, UMAP) as a PNG: by true or predicted class with the misclassified ringed, right/wrong, confidence or loss")
    .requiredOption("--run <run>", "the run: an id in the workspace or a folder")
    .option("--map <name>", "the map: tsne, pca or umap", "tsne")
    .option("--domain <slug>", "draw this domain of the run, placed into the run's map (drawn in grey underneath)")
    .option("--color <mode>", `colour by: ${MAP_COLORS.join(", ")}`, "true")
    .option("--out <file.png>", "the PNG to write (default: maps/<map>-<color>.png in the run)")
    .addHelpText(
      "after",
      "\nExamples:\n  featurelens plot --run seed --map tsne --color wrong\n  featurelens plot --run seed --map tsne --domain fashion-mnist-train --color true --out train-in-test-map.png",
    );
  addForceOption(cmd);
  addWorkspaceOption(cmd).action(async (opts: PlotCliOptions) => {
    guardOutputs("plot", [opts.out !== undefined ? { path: opts.out, flag: "--out" } : null], [], opts.force);
    const file = await plotRun({
      run: opts.run, map: opts.map, color: opts.color as MapColor,
      ...(opts.workspace ? { workspace: opts.workspace } : {}), ...(opts.domain ? { domain: opts.domain } : {}), ...(opts.out ? { out: opts.out } : {}),
    });
    if (opts.out) recordOutputs([file], "plot");
    process.stdout.write(`wrote ${file}\n`);
  });
}
