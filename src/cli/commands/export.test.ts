import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeQueryEngine } from "../../store/query.js";
import { makeSmallRun } from "../../workflows/smallRun.testutil.js";
import { runCli } from "../cli.testutil.js";

let ws: string;
const tmp = () => join(mkdtempSync(join(tmpdir(), "fl-cli-export-")), "out");
beforeAll(async () => {
  ws = (await makeSmallRun("fl-cli-export-")).workspace;
}, 120_000);
afterAll(() => closeQueryEngine());

describe("featurelens export", () => {
  it("export --format projector writes the four projector files and says how big the sprite is", () => {
    const out = tmp();
    const r = runCli(["export", "--workspace", ws, "--run", "small", "--format", "projector", "--out", out]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(`exported run small (sample:test, 1000 images) as projector to ${out}`);
    expect(r.out).toMatch(/sprite: 32×32 thumbnails of 28×28 px \(896×896 px\)/);
    expect(r.out).toContain(`tensorboard --logdir ${out}`);
    expect(readdirSync(out).sort()).toEqual([".featurelens-outputs.json", "metadata.tsv", "projector_config.pbtxt", "sprite.png", "tensors.tsv"]);
  });

  it("export --domain --format csv --json writes the domain's table and lists the files", () => {
    const out = tmp();
    const r = runCli(["export", "--workspace", ws, "--run", "small", "--domain", "sample:train", "--format", "csv", "--out", out, "--json"]);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out) as { domain: string; n: number; files: { file: string }[] };
    expect([j.domain, j.n, j.files.map((f) => f.file)]).toEqual(["sample-train", 300, ["map.csv"]]);
    const lines = readFileSync(join(out, "map.csv"), "utf8").split("\r\n");
    expect(lines[0]).toBe("index,split,label,label_name,predicted,predicted_name,confidence,margin,loss,tsne_x,tsne_y,pca_x,pca_y");
    expect(lines).toHaveLength(302); // header, 300 rows, and the empty string after the last CRLF
  });

  it("export into a folder holding other files, or with a wrong --format, fails with one line", () => {
    const out = tmp();
    mkdirSync(out);
    writeFileSync(join(out, "thesis.tex"), "");
    const r = runCli(["export", "--workspace", ws, "--run", "small", "--format", "parquet", "--out", out]);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`featurelens: error: --out ${out} holds 1 file(s) featurelens did not write (thesis.tex); give a new folder, or pass --force to write into it anyway\n`);
    expect(runCli(["export", "--workspace", ws, "--run", "small", "--format", "tsv", "--out", tmp()]).err).toBe("featurelens: error: --format takes projector, parquet, csv, got 'tsv'\n");
  });
});
