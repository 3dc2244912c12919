import { describe, expect, it } from "vitest";
import { GraphBuilder } from "../engine/onnx/builder.js";
import type { ModelIR } from "../engine/onnx/ir.js";
import { ModelError } from "../util/errors.js";
import { buildTrainGraph } from "./trainGraph.js";
import { defaultTrainable } from "./trainSession.js";

const SGD = { kind: "sgd", momentum: 0, nesterov: false, weightDecay: 0 } as const;

/**
 * input [N, 16] → fc1 → ReLU → fc2 → softmax, with the ReLU made a custom op 'MyOp' of domain
 * com.example, unnamed, writing 'y' (as an exporter's custom op can come out).
 */
function customOpModel(): ModelIR {
  const b = new GraphBuilder({ seed: 1 });
  const x = b.relu(b.dense(b.input("input", ["N", 16]), { name: "fc1", units: 8 }), { name: "relu" });
  b.output(b.softmax(b.dense(x, { name: "fc2", units: 3 }), { name: "softmax" }), "output");
  const m = b.build();
  const relu = m.graph.nodes.find((n) => n.opType === "Relu")!;
  const before = relu.outputs[0];
  Object.assign(relu, { opType: "MyOp", domain: "com.example", name: "", outputs: ["y"] });
  for (const n of m.graph.nodes) n.inputs = n.inputs.map((i) => (i === before ? "y" : i));
  m.opsetImports.push({ domain: "com.example", version: 1 });
  return m;
}

const trainError = (m: ModelIR, trainable = defaultTrainable(m)) => {
  try {
    buildTrainGraph(m, { trainable, optimizer: SGD });
  } catch (err) {
    return err;
  }
  return undefined;
};

describe("buildTrainGraph refuses custom ops by name", () => {
  it("buildTrainGraph(model with a custom op between trained layers) names the op, its domain and node, and says custom ops cannot be trained", () => {
    const err = trainError(customOpModel());
    expect(err).toBeInstanceOf(ModelError);
    expect((err as Error).message).toBe(
      "custom op 'MyOp' (domain 'com.example', the unnamed node computing 'y'): the gradient has to flow back through it. Custom ops cannot be trained here " +
        "(featurelens knows neither their gradients nor their output shapes); inference still works. Train a model exported with standard ONNX ops",
    );
  });

  it("buildTrainGraph(…) with only the layer after the custom op trained names the custom op whose output shape a gradient needs", () => {
    const err = trainError(customOpModel(), ["fc2.weight", "fc2.bias"]);
    expect(err).toBeInstanceOf(ModelError);
    expect((err as Error).message).toMatch(
      /^custom op 'MyOp' \(domain 'com\.example', the unnamed node computing 'y'\): the gradient of Gemm node '\/fc2\/Gemm' needs the shape of '[^']+', which depends on it and cannot be inferred\. Custom ops cannot be trained here/,
    );
  });
});
