import { createHash } from "node:crypto";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { Dataset } from "../data/dataset.js";
import { loadDataset } from "../data/load.js";
import { mlp } from "../engine/onnx/architectures.js";
import type { ModelIR } from "../engine/onnx/ir.js";
import { DEFAULT_PREPROCESS } from "../engine/onnx/modelInfo.js";
import { DataError } from "../util/errors.js";
import { type Checkpoint, findCheckpoint, readCheckpoint, type SaveStage, writeCheckpoint } from "./checkpoint.js";
import { OPTIMIZER_DEFAULTS } from "./optimizers.js";
import { train, type TrainOptions, type TrainResult } from "./trainer.js";

const tmp = () => mkdtempSync(join(tmpdir(), "ckpt-"));
const weights = (m: ModelIR) => m.graph.initializers.map((t) => [t.name, Buffer.from(t.raw).toString("base64")]);
const checkpointFolders = (run: string) => readdirSync(run).filter((n) => n.startsWith("checkpoint")).sort();

let ds: Dataset;
let base: Omit<TrainOptions, "out" | "epochs">;
/** 4 uninterrupted epochs. */
let whole: TrainResult;
/** The checkpoint after epoch 3, as a save that is then killed would write it. */
let third: Checkpoint;

beforeAll(async () => {
  ds = await loadDataset("sample:train", { limit: 200, seed: 5 });
  base = { model: mlp({ inputShape: [1, 28, 28], classes: 10, seed: 0, hidden: [32] }), train: ds, batchSize: 50, lr: 1e-3, optimizer: OPTIMIZER_DEFAULTS.adam, preprocess: DEFAULT_PREPROCESS, threads: 1, seed: 7 };
  whole = await train({ ...base, out: tmp(), epochs: 4 });
  const three = tmp();
  await train({ ...base, out: three, epochs: 3 });
  third = readCheckpoint(join(three, "checkpoint"));
});

/** A run folder holding the epoch-2 checkpoint. */
async function twoEpochs(): Promise<string> {
  const out = tmp();
  await train({ ...base, out, epochs: 2 });
  return out;
}

async function resumeTo4(out: string): Promise<TrainResult> {
  return train({ ...base, out, epochs: 4, resume: true });
}

describe("checkpoints are one unit", () => {
  for (const stage of ["written", "old-aside", "new-in"] as SaveStage[]) {
    it(`writeCheckpoint(…) killed after '${stage}': resume finds the complete epoch-3 checkpoint, numbers epochs right and ends where an uninterrupted run ends`, async () => {
      const out = await twoEpochs();
      const killed = () => writeCheckpoint(out, third, { afterStage: (s) => { if (s === stage) throw new Error("killed"); } });
      expect(killed).toThrow("killed");
      expect(findCheckpoint(out)!.state.epoch).toBe(3);
      const resumed = await resumeTo4(out);
      expect(resumed.history.map((h) => h.epoch)).toEqual([1, 2, 3, 4]);
      expect(resumed.history[3].train_loss).toBe(whole.history[3].train_loss);
      expect(weights(resumed.model)).toEqual(weights(whole.model));
      expect(checkpointFolders(out)).toEqual(["checkpoint"]); // the next save tidied up
    });
  }

  it("a save killed before its manifest (a .tmp folder with a torn file) is passed over: resume redoes epoch 3 from the epoch-2 checkpoint", async () => {
    const out = await twoEpochs();
    const scratch = tmp();
    writeCheckpoint(scratch, third);
    const torn = join(out, "checkpoint.tmp-999999");
    cpSync(join(scratch, "checkpoint"), torn, { recursive: true });
    writeFileSync(join(torn, "manifest.json"), readFileSync(join(torn, "manifest.json")).subarray(0, 40)); // the manifest half written
    truncateSync(join(torn, "last.onnx"), 100);
    expect(findCheckpoint(out)!.state.epoch).toBe(2);
    const resumed = await resumeTo4(out);
    expect(resumed.history.map((h) => h.epoch)).toEqual([1, 2, 3, 4]);
    expect(weights(resumed.model)).toEqual(weights(whole.model));
  });

  it("a checkpoint torn as in the issue (last.onnx of epoch 3, the rest of epoch 2) is refused: a DataError names the file and what to do", async () => {
    const out = await twoEpochs();
    const scratch = tmp();
    writeCheckpoint(scratch, third);
    cpSync(join(scratch, "checkpoint", "last.onnx"), join(out, "checkpoint", "last.onnx"));
    const err = await resumeTo4(out).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toBe(
      `${out}: no complete checkpoint to resume from: checkpoint/last.onnx: its SHA-256 differs from the manifest's (the file changed after the save); ` +
        "delete that folder to train from the start, or train into a new --out",
    );
  });

  it("writeCheckpoint(…) that cannot write throws a DataError naming the run folder and leaves no .tmp folder", () => {
    const dir = tmp();
    const run = join(dir, "run");
    writeFileSync(run, "a file where the run folder should be");
    expect(() => writeCheckpoint(run, third)).toThrow(DataError);
    expect(() => writeCheckpoint(run, third)).toThrow(`${run}: cannot save the checkpoint (a part of the path is not a folder); the previous one, if any, is kept`);
    expect(readdirSync(dir)).toEqual(["run"]);
  });

  it("findCheckpoint(run) with no checkpoint at all gives null (training starts from the model)", () => {
    expect(findCheckpoint(tmp())).toBeNull();
  });
});

describe("readCheckpoint refuses a corrupt checkpoint with a DataError naming the file", () => {
  const corrupt = async (file: string, bytes: string) => {
    const out = tmp();
    writeCheckpoint(out, third);
    writeFileSync(join(out, "checkpoint", file), bytes);
    return out;
  };

  it("readCheckpoint(dir) with a manifest.json that is not JSON names it and says to delete the folder or train into a new --out", async () => {
    const out = await corrupt("manifest.json", '{"format": "featurelens-checkpoint/1", "epo');
    const err = (() => { try { readCheckpoint(join(out, "checkpoint")); } catch (e) { return e; } })();
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).file).toBe(join(out, "checkpoint", "manifest.json"));
    expect((err as Error).message).toMatch(/checkpoint\/manifest\.json: not valid JSON \(.+\); delete the checkpoint folder to train from the start, or train into a new --out$/);
    const resumed = await resumeTo4(out).catch((e: unknown) => e);
    expect(resumed).toBeInstanceOf(DataError);
    expect((resumed as Error).message).toMatch(/no complete checkpoint to resume from: checkpoint\/manifest\.json: not valid JSON .*; delete that folder to train from the start, or train into a new --out$/);
  });

  it("readCheckpoint(dir) with a state.json that is not JSON, even one its manifest vouches for, names state.json", async () => {
    const out = await corrupt("state.json", "{ not json");
    expect(() => readCheckpoint(join(out, "checkpoint"))).toThrow(/checkpoint\/state\.json: 10 bytes, the manifest says \d+ \(a torn write\); delete the checkpoint folder/);
    // The same bytes with a manifest that matches them: the JSON itself is refused.
    const manifestPath = join(out, "checkpoint", "manifest.json");
    const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as { files: { path: string; bytes: number; sha256: string }[] };
    const entry = manifest.files.find((f) => f.path === "state.json")!;
    Object.assign(entry, { bytes: 10, sha256: createHash("sha256").update("{ not json").digest("hex") });
    writeFileSync(manifestPath, JSON.stringify(manifest));
    expect(() => readCheckpoint(join(out, "checkpoint"))).toThrow(DataError);
    expect(() => readCheckpoint(join(out, "checkpoint"))).toThrow(/checkpoint\/state\.json: not valid JSON .*; delete the checkpoint folder to train from the start, or train into a new --out$/);
  });

  it("a checkpoint from before manifests (state.json, no manifest.json) is named as incomplete, not resumed", async () => {
    const out = tmp();
    writeCheckpoint(out, third);
    rmSync(join(out, "checkpoint", "manifest.json"));
    expect(() => findCheckpoint(out)).toThrow(/checkpoint\/manifest\.json: no such file or folder \(a save that did not finish, or one by an older featurelens\)/);
  });
});
