import { describe, expect, it } from "vitest";
import type { Dataset } from "../data/dataset.js";
import { mlp } from "../engine/onnx/architectures.js";
import type { ModelIR } from "../engine/onnx/ir.js";
import { DataError, ModelError } from "../util/errors.js";
import { openModel } from "./infer.js";
import { inspectImage } from "./inspect.js";

/** Two 4×4 gray images of classes 0 and 2 of a three-class set. */
const ds: Dataset = {
  name: "three.npy", classes: ["a", "b", "c"], n: 2, height: 4, width: 4, channels: 1,
  images: new Uint8Array(32).fill(50), labels: Int32Array.of(0, 2),
};

/** The model with every weight of the first layer set to NaN. */
function broken(model: ModelIR): ModelIR {
  const initializers = model.graph.initializers.map((t) => (t.name === "fc1.weight" ? { ...t, raw: new Uint8Array(new Float32Array(t.raw.length / 4).fill(NaN).buffer) } : t));
  return { ...model, graph: { ...model.graph, initializers } };
}

describe("inspectImage", () => {
  it("inspectImage(two-class model, image of class 2) throws a DataError naming the image, its class and --only", async () => {
    const opened = openModel(mlp({ inputShape: [1, 4, 4], classes: 2, hidden: [3] }));
    expect((await inspectImage(opened, ds, 0, { threads: 1 })).label).toBe(0);
    const err = await inspectImage(opened, ds, 1, { threads: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toBe("three.npy: image #1 is of class 2 (c), but the model has 2 classes; pick an image of the model's classes, or keep those with --only");
  });

  it("inspectImage(model with NaN weights, …) throws a ModelError saying its output is not finite", async () => {
    const opened = openModel(broken(mlp({ inputShape: [1, 4, 4], classes: 3, hidden: [3] })));
    const err = await inspectImage(opened, ds, 0, { threads: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect((err as Error).message).toMatch(/^the model's output for image #0 of three\.npy holds 3 NaN or infinite value\(s\) of 3; its weights are probably broken/);
  });
});
