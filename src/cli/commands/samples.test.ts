import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeQueryEngine } from "../../store/query.js";
import { makeSmallRun } from "../../workflows/smallRun.testutil.js";
import { runCli } from "../cli.testutil.js";

let ws: string;
beforeAll(async () => {
  ws = (await makeSmallRun("fl-cli-samples-")).workspace;
}, 120_000);
afterAll(() => closeQueryEngine());

describe("featurelens samples", () => {
  it("samples --true --pred prints the cell's images as a table and draws the grid", async () => {
    // A cell off the diagonal that holds images: the true and predicted class of the worst mistake.
    const worst = (JSON.parse(runCli(["samples", "--workspace", ws, "--run", "small", "--wrong", "--top", "1", "--json"]).out) as { rows: { label_name: string; predicted_name: string }[] }).rows[0];
    const grid = join(mkdtempSync(join(tmpdir(), "fl-cli-samples-")), "cell.png");
    const r = runCli(["samples", "--workspace", ws, "--run", "small", "--true", worst.label_name, "--pred", worst.predicted_name, "--top", "5", "--grid", grid]);
    expect(r.code, r.err).toBe(0);
    const lines = r.out.split("\n");
    expect(lines[0]).toMatch(new RegExp(`^${worst.label_name} predicted as ${worst.predicted_name.replace("/", "\\/")}: \\d+ images?, .*\\(run small: sample:test\\)$`));
    expect(lines[2]).toMatch(/^index {2}true {2,}predicted {2,}confidence {2}margin {4}loss$/);
    expect(lines[3]).toMatch(new RegExp(`^ *\\d+ {2}${worst.label_name} +${worst.predicted_name.replace("/", "\\/")} +\\d\\.\\d{4} {2}\\d\\.\\d{4} +\\d+\\.\\d{4}$`));
    const size = /wrote .*cell\.png \((\d+)×(\d+) px\)/.exec(r.out)!;
    const meta = await sharp(grid).metadata();
    expect([meta.width, meta.height]).toEqual([Number(size[1]), Number(size[2])]);
  });

  it("samples --wrong --json prints rows with source index, row, names and the numbers, highest loss first", () => {
    const r = runCli(["samples", "--workspace", ws, "--run", "small", "--wrong", "--top", "10", "--json"]);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out) as { description: string; total: number; sort: string; rows: Record<string, unknown>[] };
    expect(j.sort).toBe("loss");
    expect(j.description).toMatch(/^Misclassified: [\d,]+ images, 10 with the highest loss$/);
    expect(j.rows).toHaveLength(10);
    expect(Object.keys(j.rows[0])).toEqual(["index", "row", "label", "label_name", "predicted", "predicted_name", "confidence", "margin", "loss"]);
    const losses = j.rows.map((x) => x.loss as number);
    expect(losses).toEqual([...losses].sort((a, b) => b - a));
    for (const x of j.rows) expect(x.label).not.toBe(x.predicted);
  });

  it("samples with an unknown class or domain fails with one line naming the flag and what is allowed", () => {
    const r = runCli(["samples", "--workspace", ws, "--run", "small", "--true", "sneaker"]);
    expect(r.code).toBe(1);
    expect(r.err).toBe("featurelens: error: --true 'sneaker': no class of that name; did you mean 'Sneaker'? The classes: 0 T-shirt/top, 1 Trouser, 2 Pullover, 3 Dress, 4 Coat, 5 Sandal, 6 Shirt, 7 Sneaker, 8 Bag, 9 Ankle boot\n");
    const d = runCli(["samples", "--workspace", ws, "--run", "small", "--domain", "mnist"]);
    expect(d.err).toBe("featurelens: error: --domain mnist: run small has no such domain; its domains: sample-train\n");
    expect(runCli(["samples", "--workspace", ws, "--run", "small", "--top", "0"]).err).toMatch(/--top must be a positive integer/);
  });
});
