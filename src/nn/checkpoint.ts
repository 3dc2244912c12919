import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { readNpy, writeNpy } from "../data/npy.js";
import { readModel, writeModel } from "../engine/onnx/io.js";
import type { ModelIR } from "../engine/onnx/ir.js";
import { writeFileAtomic } from "../util/atomic.js";

/**
 * A run folder's resumable state: checkpoint/last.onnx (parameters and running statistics),
 * checkpoint/optimizer/NNN.npy (optimizer state, named in state.json) and checkpoint/state.json,
 * written last, so a run killed mid-save resumes from the previous complete checkpoint.
 */

export interface EpochRecord {
  epoch: number;
  lr: number;
  train_loss: number;
  train_accuracy: number;
  val_loss: number | null;
  val_accuracy: number | null;
  seconds: number;
  images_per_second: number;
}

export interface CheckpointState {
  /** Epochs completed. */
  epoch: number;
  steps: number;
  history: EpochRecord[];
  bestValLoss: number | null;
  bestEpoch: number | null;
  epochsWithoutImprovement: number;
  optimizer: { name: string; file: string }[];
}

export function writeCheckpoint(run: string, model: ModelIR, optimizerState: Map<string, Float32Array>, state: Omit<CheckpointState, "optimizer">): void {
  const dir = join(run, "checkpoint");
  writeModel(join(dir, "last.onnx"), model);
  const optimizer: CheckpointState["optimizer"] = [];
  let i = 0;
  for (const [name, data] of optimizerState) {
    const file = join("optimizer", `${String(i++).padStart(4, "0")}.npy`);
    writeNpy(join(dir, file), { dtype: "float32", shape: [data.length], data });
    optimizer.push({ name, file });
  }
  writeFileAtomic(join(dir, "state.json"), `${JSON.stringify({ ...state, optimizer }, null, 1)}\n`);
}

export function hasCheckpoint(run: string): boolean {
  return existsSync(join(run, "checkpoint", "state.json"));
}

export function readCheckpoint(run: string): { model: ModelIR; optimizerState: Map<string, Float32Array>; state: CheckpointState } {
  const dir = join(run, "checkpoint");
  const state = JSON.parse(readFileSync(join(dir, "state.json"), "utf8")) as CheckpointState;
  const optimizerState = new Map(state.optimizer.map((o) => [o.name, readNpy(join(dir, o.file)).data as Float32Array]));
  return { model: readModel(join(dir, "last.onnx")), optimizerState, state };
}
