import { readFileSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import { ModelError } from "../../util/errors.js";
import { writeFileAtomic } from "../../util/atomic.js";
import { describeFsError } from "../../util/files.js";
import { decodeModel, encodeModel } from "./codec.js";
import type { GraphIR, ModelIR, TensorIR } from "./ir.js";
import { WireError } from "./wire.js";

/**
 * Parses ONNX bytes. `source` names the model in errors.
 * @example parseModel(readFileSync("resnet18.onnx")).graph.nodes.length // 49
 */
export function parseModel(bytes: Uint8Array, source = "<onnx>"): ModelIR {
  if (bytes.length === 0) throw new ModelError(`${source}: empty file, not an ONNX model`);
  try {
    return decodeModel(bytes);
  } catch (err) {
    if (!(err instanceof WireError)) throw err;
    const truncated = /truncated|past the end/.test(err.message);
    throw new ModelError(
      truncated
        ? `${source}: truncated ONNX file (${err.message}); export or copy it again`
        : `${source}: not an ONNX model (${err.message}); export one with torch.onnx.export, tf2onnx or featurelens train`,
    );
  }
}

/** Reads an `.onnx` file, pulling in weights kept in external data files beside it. */
export function readModel(path: string): ModelIR {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new ModelError(`${path}: ${describeFsError(err)}`);
  }
  const model = parseModel(bytes, path);
  inlineExternalData(model.graph, dirname(path), path);
  return model;
}

/** Writes a model as an `.onnx` file, atomically. */
export function writeModel(path: string, model: ModelIR): void {
  writeFileAtomic(path, encodeModel(model));
}

/** Serialises a model to bytes. */
export function serializeModel(model: ModelIR): Uint8Array {
  return encodeModel(model);
}

/** Replaces external-data references (ONNX "external data" spec: location, offset, length) by the bytes. */
function inlineExternalData(graph: GraphIR, dir: string, source: string): void {
  const cache = new Map<string, Buffer>();
  const inline = (t: TensorIR) => {
    if (!t.external) return;
    const get = (k: string) => t.external!.find((e) => e.key === k)?.value;
    const location = get("location");
    if (!location || isAbsolute(location) || location.split(/[\\/]/).includes("..")) {
      throw new ModelError(`${source}: tensor '${t.name}' has a bad external data location '${location ?? ""}'`);
    }
    let file = cache.get(location);
    if (!file) {
      try {
        file = readFileSync(join(dir, location));
      } catch (err) {
        throw new ModelError(`${source}: external data '${location}' of tensor '${t.name}': ${describeFsError(err)}; keep it beside the model`);
      }
      cache.set(location, file);
    }
    const offset = Number(get("offset") ?? 0);
    const length = get("length") !== undefined ? Number(get("length")) : file.length - offset;
    if (offset + length > file.length) throw new ModelError(`${source}: external data '${location}' is shorter than tensor '${t.name}' needs`);
    t.raw = Uint8Array.from(file.subarray(offset, offset + length));
    delete t.external;
  };
  graph.initializers.forEach(inline);
  for (const n of graph.nodes) {
    for (const a of n.attributes) {
      if (a.value.type === "tensor") inline(a.value.value);
      if (a.value.type === "graph") inlineExternalData(a.value.value, dir, source);
    }
  }
}
