import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadDataset } from "../data/load.js";
import { Run } from "../store/run.js";
import { findRun, openWorkspace } from "../store/workspace.js";
import { DataError, UsageError } from "../util/errors.js";
import { applyLabelFixes, readLabelFixes, writeLabelFixes } from "./labelFixes.js";
import { trainRun } from "./trainRun.js";

const tmp = () => mkdtempSync(join(tmpdir(), "fl-fixes-"));

describe("label fixes on disk and applied", () => {
  it("writeLabelFixes(file, fixes) writes what readLabelFixes reads, and refuses to replace a file featurelens did not write", async () => {
    const ds = await loadDataset("sample:test", { limit: 20 });
    const file = join(tmp(), "label-fixes.csv");
    const fixes = [{ index: 5, action: "relabel" as const, newLabel: 3 }, { index: 9, action: "drop" as const, newLabel: null }];
    writeLabelFixes(file, fixes, ds.classes);
    expect(readFileSync(file, "utf8")).toBe("index,action,new_label\n5,relabel,Dress\n9,drop,\n");
    expect(readLabelFixes(file, ds.classes)).toEqual(fixes);
    writeLabelFixes(file, fixes.slice(0, 1), ds.classes); // its own file: replaced
    const other = join(tmp(), "label-fixes.csv");
    writeFileSync(other, "index,action,new_label\n");
    expect(() => writeLabelFixes(other, fixes, ds.classes)).toThrow(/featurelens did not write it; .*--force/);
    expect(() => readLabelFixes(join(tmp(), "missing.csv"), ds.classes)).toThrow(DataError);
  });

  it("applyLabelFixes(ds, fixes) relabels and drops by source index, keeping the others' source indices", async () => {
    const ds = await loadDataset("sample:train", { limit: 100, seed: 3 });
    const [a, b, c] = [ds.indices![0], ds.indices![1], ds.indices![2]];
    const newLabel = (ds.labels[0] + 1) % 10;
    const file = join(tmp(), "f.csv");
    writeFileSync(file, `index,action,new_label\n${a},relabel,${ds.classes[newLabel]}\n${b},drop,\n${c},keep,\n${ds.indices![3]},relabel,${ds.classes[ds.labels[3]]}\n`);
    const r = applyLabelFixes(ds, readLabelFixes(file, ds.classes), file);
    expect(r.record).toMatchObject({ relabelled: 1, dropped: 1, kept: 1, unchanged: 1 });
    expect(r.record.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(r.dataset.n).toBe(99);
    expect([...r.dataset.indices!]).not.toContain(b);
    expect(r.dataset.labels[0]).toBe(newLabel);
    expect(r.dataset.indices![0]).toBe(a);
    expect(ds.labels[0]).not.toBe(newLabel); // the input is left as it was
  });

  it("applyLabelFixes(…) refuses indices that are not in the data, listing them", async () => {
    const ds = await loadDataset("sample:train", { limit: 50 });
    const inData = ds.indices![0];
    const missing = [...Array(5000).keys()].filter((i) => !ds.indices!.includes(i)).slice(0, 2);
    expect(() => applyLabelFixes(ds, [{ index: inData, action: "drop", newLabel: null }, ...missing.map((index) => ({ index, action: "keep" as const, newLabel: null }))], "f.csv"))
      .toThrow(new RegExp(`--label-fixes f\\.csv: 2 of its 3 indices are not in the training data sample:train \\(50 images\\): ${missing.join(", ")}; the fixes were made for other data, or with another --limit/--only`));
  });

  it("trainRun({labelFixes}) trains on the fixed labels and records the fixes in the run's config; a bad file stops it before training", async () => {
    const ws = tmp();
    const file = join(ws, "label-fixes.csv");
    writeFileSync(file, "index,action,new_label\n0,relabel,Coat\n1,drop,\n2,keep,\n");
    await trainRun({ workspace: ws, out: "fixed", data: "sample:train", arch: "mlp", epochs: 1, labelFixes: file, analyze: false, valFraction: 0 });
    const run = Run.read(findRun(openWorkspace(ws), "fixed"));
    const t = run.record.config.train as { label_fixes: Record<string, unknown>; data_hash: string };
    expect(t.label_fixes).toMatchObject({ file, relabelled: 1, dropped: 1, kept: 1 });
    const history = JSON.parse(readFileSync(run.path("history.json"), "utf8")) as { images_per_second: number; seconds: number }[];
    expect(Math.round(history[0].images_per_second * history[0].seconds)).toBe(4999);
    await trainRun({ workspace: ws, out: "plain", data: "sample:train", arch: "mlp", epochs: 1, analyze: false, valFraction: 0 });
    expect((Run.read(findRun(openWorkspace(ws), "plain")).record.config.train as { data_hash: string }).data_hash).not.toBe(t.data_hash);
    writeFileSync(file, "index,action,new_label\n0,relabel,Sweater\n");
    const err = await trainRun({ workspace: ws, out: "bad", data: "sample:train", load: { limit: 200 }, arch: "mlp", epochs: 1, labelFixes: file, analyze: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toMatch(/label-fixes\.csv: 1 problem in the label fixes: line 2: new_label 'Sweater' is not a class/);
    writeFileSync(file, "index,action,new_label\n59999,drop,\n");
    const far = await trainRun({ workspace: ws, out: "far", data: "sample:train", load: { limit: 200 }, arch: "mlp", epochs: 1, labelFixes: file, analyze: false }).catch((e: unknown) => e);
    expect(far).toBeInstanceOf(UsageError);
    expect((far as Error).message).toMatch(/1 of its 1 indices are not in the training data/);
  });
});
