import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ModelError } from "../../util/errors.js";
import { fuzzParser } from "../../util/fuzz.testutil.js";
import { decodeModel, encodeModel } from "./codec.js";
import { attr, DataType, defaultOpset, type ModelIR } from "./ir.js";
import { parseModel, readModel } from "./io.js";
import { Reader, Writer } from "./wire.js";

const FIX = join(import.meta.dirname, "..", "fixtures");
const modelPath = (name: string) => join(FIX, name, "model.onnx");

describe("Reader/Writer", () => {
  it("Writer.varint(v) and Reader.varint() round-trip small, large and negative int64 values", () => {
    const values: (number | bigint)[] = [0, 1, 127, 128, 300, 2 ** 31, 2 ** 53 - 1, -1, -(2 ** 31), 9223372036854775807n, -9223372036854775808n];
    const w = new Writer();
    for (const v of values) w.varint(v);
    const r = new Reader(w.finish());
    for (const v of values) expect(r.varint()).toBe(v);
    expect(r.done).toBe(true);
  });
});

describe("decodeModel", () => {
  it("decodeModel(bytes) reads a PyTorch export: opset, nodes with attributes, initializers, inputs", () => {
    const m = readModel(modelPath("seed-cnn"));
    expect(m.irVersion).toBe(7);
    expect(defaultOpset(m)).toBe(13);
    expect(m.producerName).toBe("pytorch");
    expect(m.graph.inputs.map((i) => i.name)).toEqual(["input"]);
    expect(m.graph.inputs[0].type).toEqual({ kind: "tensor", elemType: DataType.FLOAT, shape: ["N", 1, 28, 28] });
    const conv = m.graph.nodes.find((n) => n.name === "/conv1/Conv")!;
    expect(conv.opType).toBe("Conv");
    expect(attr(conv, "kernel_shape", "ints")).toEqual([3, 3]);
    expect(attr(conv, "pads", "ints")).toEqual([1, 1, 1, 1]);
    const w = m.graph.initializers.find((t) => t.name === conv.inputs[1])!;
    expect(w.dims).toEqual([16, 1, 3, 3]);
    expect(w.raw.length).toBe(16 * 9 * 4);
    expect(attr(m.graph.nodes.at(-1)!, "axis", "int")).toBe(1);
  });

  it("encodeModel(decodeModel(bytes)) loses nothing: decoding again gives the same IR", () => {
    for (const name of ["seed-cnn", "mini-resnet18"]) {
      const bytes = readFileSync(modelPath(name));
      const once = decodeModel(bytes);
      const again = decodeModel(encodeModel(once));
      expect(again.graph.nodes).toEqual(once.graph.nodes);
      expect(again.graph.inputs).toEqual(once.graph.inputs);
      expect(again.graph.initializers.map((t) => [t.name, t.dims, t.dataType, Buffer.from(t.raw).toString("base64")])).toEqual(
        once.graph.initializers.map((t) => [t.name, t.dims, t.dataType, Buffer.from(t.raw).toString("base64")]),
      );
      // PyTorch writes fields in field-number order, as we do: the bytes come back identical.
      expect(Buffer.from(encodeModel(once)).equals(bytes)).toBe(true);
    }
  });

  it("encodeModel(model) keeps fields the IR does not model, and int64 attributes beyond 2^53", () => {
    const m: ModelIR = readModel(modelPath("seed-cnn"));
    const unknown = Uint8Array.from([0xa2, 0x01, 0x02, 0x08, 0x01]); // field 20 (training_info), 2 bytes
    m.extra = [unknown];
    m.graph.nodes[0].attributes.push({ name: "big", value: { type: "ints", value: [9223372036854775807n, -1, 5] } });
    const back = decodeModel(encodeModel(m));
    expect(back.extra).toEqual([unknown]);
    expect(back.graph.nodes[0].attributes.at(-1)!.value).toEqual({ type: "ints", value: [9223372036854775807n, -1, 5] });
  });
});

describe("parseModel errors", () => {
  it("parseModel(bytes) names a file that is not ONNX, empty or truncated", () => {
    expect(() => parseModel(new Uint8Array(0), "a.onnx")).toThrow(/a\.onnx: empty file, not an ONNX model/);
    const png = readFileSync(join(import.meta.dirname, "..", "..", "..", "docs", "samples-train.png"));
    expect(() => parseModel(png, "x.onnx")).toThrow(/x\.onnx: not an ONNX model/);
    const bytes = readFileSync(modelPath("seed-cnn"));
    expect(() => parseModel(bytes.subarray(0, bytes.length - 100), "t.onnx")).toThrow(/t\.onnx: truncated ONNX file/);
    expect(() => readModel("/no/such.onnx")).toThrow(new ModelError("/no/such.onnx: no such file or folder"));
  });

  it("parseModel(bytes) on 300 seeded corruptions throws ModelError or parses, never anything else", () => {
    const src = readFileSync(modelPath("seed-cnn")).subarray(0, 4000);
    const rejected = fuzzParser({ sources: [src], trials: 300, seed: 5, maxFlips: 5, parse: (b) => parseModel(b, "fuzz.onnx"), errorClass: ModelError });
    expect(rejected).toBeGreaterThan(150);
  });
});
