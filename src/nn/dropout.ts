import { attr, DataType, type Dim, type GraphIR, type NodeIR, type TensorIR } from "../engine/onnx/ir.js";
import type { Tensor } from "../engine/tensor.js";
import { ModelError } from "../util/errors.js";
import type { Rng } from "../util/rng.js";

/**
 * Dropout in the training graph with its mask drawn here, from our seeded RNG, and fed as a graph
 * input: y = x · mask with mask = (u ≥ ratio) / (1 − ratio), u uniform in [0, 1) — inverted dropout
 * as ONNX and PyTorch scale it (Srivastava et al. 2014). onnxruntime's Dropout kernel keeps its
 * random state inside the session where no checkpoint can reach it; a mask from our RNG resumes
 * exactly. The backward pass is the Mul rule's: dx = dy · mask, the same mask.
 * Inference graphs keep their Dropout nodes (the identity at inference).
 */

export interface DropoutMask {
  /** Graph input the mask is fed to. */
  input: string;
  /** Probability of dropping a unit. */
  ratio: number;
  /** Shape of the mask: numbers, and `batch` for the batch size. */
  shape: (number | string)[];
  /** The symbolic batch dim in `shape`. */
  batch: string;
}

/**
 * The node that replaces a Dropout node in the training graph (Mul by a mask input, or Identity
 * for a ratio of 0) and the mask input it needs. `shape` is the inferred shape of the node's input.
 */
export function dropoutAsMask(graph: GraphIR, node: NodeIR, shape: Dim[] | undefined, batch: string, maskName: string): { node: NodeIR; mask?: DropoutMask } {
  const ratio = dropoutRatio(graph, node);
  const x = node.inputs[0];
  const out = node.outputs[0];
  const maskOutput = node.outputs[1];
  if (maskOutput && graph.nodes.some((n) => n.inputs.includes(maskOutput))) {
    throw new ModelError(`Dropout node '${node.name}': its mask output is used by the model, which training here cannot reproduce; export the model without using the mask`);
  }
  if (ratio === 0) return { node: { ...node, opType: "Identity", inputs: [x], outputs: [out], attributes: [] } };
  if (!shape || shape.some((d) => typeof d !== "number" && d !== batch)) {
    throw new ModelError(
      `Dropout node '${node.name}': the shape of its input '${x}' is ${shape ? `[${shape.join(", ")}]` : "unknown"}, and training needs it fixed but for the batch to draw the dropout mask; export the model with fixed sizes (dynamic_axes on the batch only)`,
    );
  }
  return { node: { ...node, opType: "Mul", inputs: [x, maskName], outputs: [out], attributes: [] }, mask: { input: maskName, ratio, shape: shape as (number | string)[], batch } };
}

/** One mask per Dropout node for a batch of `n`, drawn in order from `rng`. */
export function drawMasks(masks: readonly DropoutMask[], n: number, rng: Rng): Record<string, Tensor<"float32">> {
  const out: Record<string, Tensor<"float32">> = {};
  for (const m of masks) {
    const dims = m.shape.map((d) => (d === m.batch ? n : (d as number)));
    const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
    const keep = 1 / (1 - m.ratio);
    for (let i = 0; i < data.length; i++) data[i] = rng.next() >= m.ratio ? keep : 0;
    out[m.input] = { dtype: "float32", dims, data };
  }
  return out;
}

/** The drop probability: the `ratio` input (opset ≥ 12; initializer or Constant), the attribute (older opsets), else 0.5. */
function dropoutRatio(graph: GraphIR, node: NodeIR): number {
  const name = node.inputs[1];
  let ratio: number | undefined = 0.5;
  if (name) ratio = scalarOf(graph, name);
  else {
    const a = node.attributes.find((x) => x.name === "ratio");
    if (a) ratio = a.value.type === "float" ? a.value.value : undefined;
  }
  if (ratio === undefined || !(ratio >= 0 && ratio < 1)) {
    throw new ModelError(`Dropout node '${node.name}': its ratio ${ratio === undefined ? "is computed in the graph" : `is ${ratio}`}; training here needs a constant in [0, 1)`);
  }
  return ratio;
}

function scalarOf(graph: GraphIR, name: string): number | undefined {
  const t: TensorIR | undefined =
    graph.initializers.find((i) => i.name === name) ?? constantTensor(graph.nodes.find((n) => n.opType === "Constant" && n.outputs[0] === name));
  if (!t || t.dims.reduce((a, b) => a * b, 1) !== 1) return undefined;
  const dv = new DataView(t.raw.buffer, t.raw.byteOffset, t.raw.byteLength);
  if (t.dataType === DataType.FLOAT && t.raw.byteLength === 4) return dv.getFloat32(0, true);
  if (t.dataType === DataType.DOUBLE && t.raw.byteLength === 8) return dv.getFloat64(0, true);
  return undefined;
}

function constantTensor(node: NodeIR | undefined): TensorIR | undefined {
  if (!node) return undefined;
  const f = attr(node, "value_float", "float");
  return f !== undefined ? { name: "", dataType: DataType.FLOAT, dims: [], raw: new Uint8Array(Float32Array.of(f).buffer) } : attr(node, "value", "tensor");
}
