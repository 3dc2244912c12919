import { DataType, type ModelIR } from "../engine/onnx/ir.js";
import { Session } from "../engine/runtime/session.js";

/**
 * The Gram matrix of a layer's centred features, XcXcᵀ (n×n), as one small onnxruntime graph
 * (ReduceMean, Sub, MatMul on MLAS): the dense product behind linear CKA (analysis/diagnose/cka.ts,
 * whose `centeredGram` is the same in JavaScript). A conv layer of 12,544 features over 2,000
 * images is 5·10¹⁰ multiply-adds: seconds in onnxruntime, minutes in JavaScript.
 */

const GRAM_INPUT = "features";
const GRAM_OUTPUT = "gram";

function gramModel(): ModelIR {
  const float = (name: string, shape: (string | number)[]) => ({ name, type: { kind: "tensor" as const, elemType: DataType.FLOAT, shape } });
  const node = (name: string, opType: string, inputs: string[], outputs: string[], attributes: ModelIR["graph"]["nodes"][number]["attributes"] = []) => ({ name, opType, domain: "", inputs, outputs, attributes });
  return {
    irVersion: 8, opsetImports: [{ domain: "", version: 13 }], producerName: "featurelens", producerVersion: "", domain: "", modelVersion: 1, docString: "", metadata: [],
    graph: {
      name: "centered-gram",
      nodes: [
        node("mean", "ReduceMean", [GRAM_INPUT], ["mean"], [{ name: "axes", value: { type: "ints", value: [0] } }, { name: "keepdims", value: { type: "int", value: 1 } }]),
        node("center", "Sub", [GRAM_INPUT, "mean"], ["centered"]),
        node("transpose", "Transpose", ["centered"], ["centeredT"], [{ name: "perm", value: { type: "ints", value: [1, 0] } }]),
        node("gram", "MatMul", ["centered", "centeredT"], [GRAM_OUTPUT]),
      ],
      initializers: [],
      inputs: [float(GRAM_INPUT, ["N", "D"])],
      outputs: [float(GRAM_OUTPUT, ["N", "N"])],
      valueInfo: [],
    },
  };
}

/** One session that turns n×d features into their centred n×n Gram, reused for every layer. */
export class GramSession {
  private constructor(private readonly session: Session) {}

  static async create(threads?: number): Promise<GramSession> {
    return new GramSession(await Session.create(gramModel(), { source: "Gram graph", ...(threads ? { threads } : {}) }));
  }

  /** XcXcᵀ of x (n×d, row-major), float32 n×n. */
  async centeredGram(x: Float32Array, n: number, d: number): Promise<Float32Array> {
    const out = await this.session.run({ [GRAM_INPUT]: { dtype: "float32", dims: [n, d], data: x } }, [GRAM_OUTPUT]);
    return out[GRAM_OUTPUT].data as Float32Array;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
