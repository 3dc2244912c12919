import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { summarizeSweep, sweepLabel } from "../nn/transferSweep.js";
import { transferSpec } from "../report/charts/transfer.js";
import { transferSummaryTable } from "../report/transferSummary.js";
import { Run } from "../store/run.js";
import { transferRun } from "./transferRun.js";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe("transfer sweep: seeds, task B's size, baseA and layer names", () => {
  it("transferRun({ seeds: 2, targetLimit }) keeps every network as a run, transfer.json as the list of task-B trainings, and mean ± sd with baseA in transfer-summary.json", async () => {
    const out = mkdtempSync(join(tmpdir(), "featurelens-transfer-"));
    dirs.push(out);
    rmSync(out, { recursive: true });
    const r = await transferRun({
      out, data: "sample:train", load: { limit: 1000 }, source: "0-4", target: "5-9", arch: "mlp", layers: [1], fineTune: false, epochs: 1, batchSize: 64, lr: 1e-3, seed: 0, seeds: 2, targetLimit: 100, threads: 1,
    });
    expect(r.targetImages).toBe(100);
    expect(r.rows.map((x) => `${x.variant}/${x.repeat}/${x.seed}`)).toEqual(["baseB/0/0", "BnB/0/0", "AnB/0/0", "baseB/1/1000", "BnB/1/1000", "AnB/1/1000"]);
    expect(r.baseA.map((x) => x.repeat)).toEqual([0, 1]);
    for (const label of ["baseA", "baseB", "BnB-k1", "AnB-k1", "baseA-rep2", "baseB-rep2", "BnB-k1-rep2", "AnB-k1-rep2"]) expect(existsSync(join(out, "runs", label, "run.json")), label).toBe(true);
    expect(Run.read(join(out, "runs", "baseA-rep2")).record.summary.accuracy_on_a).toBe(r.baseA[1].accuracy);
    expect((Run.read(join(out, "runs", "AnB-k1-rep2")).record.config.transfer as { target_images: number; seed: number }).target_images).toBe(100);
    const rows = JSON.parse(readFileSync(join(out, "transfer.json"), "utf8")) as { variant: string; k: number; accuracy: number }[];
    expect(rows.length).toBe(6); // the old format: one row per task-B training
    const summary = JSON.parse(readFileSync(join(out, "transfer-summary.json"), "utf8"));
    expect(summary.version).toBe(1);
    expect(summary.cells.map((c: { variant: string; n: number }) => `${c.variant}×${c.n}`)).toEqual(["baseA×2", "baseB×2", "BnB×2", "AnB×2"]);
    expect(summary.layers[0].name).toBeTruthy();
    expect(readFileSync(join(out, "transfer.md"), "utf8")).toMatch(/baseA on task A's test images: \d+\.\d\d% ± \d+\.\d\d \(2 seeds\)/);
  }, 180_000);

  it("summarizeSweep(rows) gives each cell's mean and sample standard deviation, baseA first", () => {
    const cells = summarizeSweep([
      { variant: "baseB", k: 0, accuracy: 0.9 },
      { variant: "AnB", k: 3, accuracy: 0.7 },
      { variant: "baseB", k: 0, accuracy: 0.8 },
      { variant: "baseA", k: 0, accuracy: 0.95 },
    ]);
    expect(cells.map((c) => c.variant)).toEqual(["baseA", "baseB", "AnB"]);
    expect(cells[1].mean).toBeCloseTo(0.85, 12);
    expect(cells[1].sd).toBeCloseTo(Math.sqrt(0.005), 12);
    expect(cells[2].sd).toBe(0);
    expect(sweepLabel("AnB+", 3, 0)).toBe("AnBplus-k3");
    expect(sweepLabel("AnB+", 3, 2)).toBe("AnBplus-k3-rep3");
  });

  it("transferSpec names each k's last layer under its tick, draws ± sd error bars over several seeds and baseA as a second reference line", () => {
    const spec = transferSpec({
      rows: [{ variant: "baseB", k: 0, accuracy: 0.9, sd: 0.01, n: 3 }, { variant: "AnB", k: 3, accuracy: 0.85, sd: 0.02, n: 3 }],
      layers: ["/conv1/Conv", "/conv2/Conv", "/conv3/Conv"], baseA: { accuracy: 0.95, sd: 0.01, n: 3 }, title: "t",
    }) as unknown as { layer: { mark?: { type: string }; encoding?: { x?: { axis?: { labelExpr?: string } } }; data?: { values: { label?: string }[] } }[]; title: { subtitle: string } };
    const line = spec.layer.find((l) => l.mark?.type === "line")!;
    expect(line.encoding!.x!.axis!.labelExpr).toContain('"3":"k=3 (conv3)"');
    expect(spec.layer.some((l) => l.mark?.type === "rule")).toBe(true); // the error bars
    expect(spec.layer.map((l) => l.data?.values[0]?.label).filter(Boolean)).toEqual(["baseB", "baseA (on task A)"]);
    expect(spec.title.subtitle).toContain("baseA on task A's test images: 95.0% ± 1.0");
    expect(spec.title.subtitle).toContain("mean ± 1 sd over 3 seeds");
    expect(transferSummaryTable({ cells: summarizeSweep([{ variant: "AnB", k: 3, accuracy: 0.85 }]), layers: ["a", "b", "/conv3/Conv"] })).toContain("| 3 (conv3) | 85.00% |");
  });
});
