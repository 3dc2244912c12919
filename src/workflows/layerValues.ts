import { globalAveragePool } from "../analysis/diagnose/layerSeparation.js";
import type { Points } from "../analysis/neighbors/types.js";
import type { Dataset } from "../data/dataset.js";
import { imageSize } from "../data/dataset.js";
import { findHead, type Layer, listLayers, resolveLayer } from "../engine/onnx/surgery.js";
import { inferShapes } from "../engine/onnx/shapeInference.js";
import { collectValues, type OpenedModel } from "../nn/infer.js";

/**
 * Every layer's values for a set of images, one vector per image and layer: the pixels as the
 * model sees them (after preprocessing), conv maps C×H×W pooled to C channel means, dense layers
 * as they are — gathered batch by batch so that only the pooled values are kept — and each
 * channel's largest value, for the dead units of ReLU layers.
 */

/** Layers that repeat their input's values (Flatten, Dropout) or are the probabilities are left out. */
const SKIPPED_KINDS = new Set(["reshape", "dropout", "softmax"]);
/** Float32 values held at once while a batch is pooled (128 MB). */
const MAX_FLOATS = 32 * 1024 * 1024;

/** One measured layer. */
export interface LayerValues {
  position: number;
  /** The layer as `featurelens layers` lists it (undefined for the input). */
  layer: Layer | undefined;
  name: string;
  value: string;
  /** One image's value shape (without the batch dimension), as collected. */
  shape: number[];
  pooling: "pixels" | "global average" | "none";
  role: "input" | "penultimate" | "logits" | null;
  points: Points;
  /** Each channel's largest value over the images (for ReLU layers), else null. */
  max: Float32Array | null;
}

/** The layers measured: the input, then every layer but Flatten/Reshape, Dropout and Softmax. */
export function layersToMeasure(opened: OpenedModel): { layer: Layer | undefined; value: string; name: string; role: LayerValues["role"] }[] {
  const layers = listLayers(opened.model, inferShapes(opened.model));
  const head = findHead(opened.model);
  const input = resolveLayer(opened.model, "input", layers).value;
  const out: ReturnType<typeof layersToMeasure> = [{ layer: undefined, value: input, name: "input (pixels)", role: "input" }];
  for (const l of layers) {
    if (SKIPPED_KINDS.has(l.kind) || l.output === head.output) continue;
    out.push({ layer: l, value: l.output, name: l.name, role: l.output === head.penultimate ? "penultimate" : l.output === head.logits ? "logits" : null });
  }
  return out;
}

/**
 * Runs the model over `ds` in batches and keeps each layer's pooled values.
 * @example (await pooledLayerValues(opened, ds)).map((l) => [l.name, l.points.d]) // [["input (pixels)", 784], ["/conv1/Conv", 16], …]
 */
export async function pooledLayerValues(
  opened: OpenedModel,
  ds: Dataset,
  o: { threads?: number; onProgress?: (label: string, done: number, total: number) => void } = {},
): Promise<LayerValues[]> {
  const plan = layersToMeasure(opened);
  const values = plan.map((p) => p.value);
  // One batch first, to learn each value's shape; then batches sized to the memory budget.
  const first = Math.min(ds.n, 16);
  const head = await collectValues(opened, view(ds, 0, first), values, o.threads ? { threads: o.threads } : {});
  const shapes = values.map((v) => head.get(v)!.dims.slice(1));
  const perImage = shapes.reduce((s, dims) => s + dims.reduce((a, b) => a * b, 1), 0);
  const batch = Math.max(16, Math.min(1024, Math.floor(MAX_FLOATS / Math.max(1, perImage))));
  const result: LayerValues[] = plan.map((p, j) => {
    const dims = shapes[j];
    const pooling: LayerValues["pooling"] = p.role === "input" ? "pixels" : dims.length >= 2 ? "global average" : "none";
    const d = pooling === "global average" ? dims[0] : dims.reduce((a, b) => a * b, 1);
    const relu = p.layer !== undefined && (p.layer.op === "Relu" || p.layer.op === "Clip");
    return {
      position: j, layer: p.layer, name: p.name, value: p.value, shape: dims, pooling, role: p.role,
      points: { n: ds.n, d, data: new Float32Array(ds.n * d) }, max: relu ? new Float32Array(pooling === "global average" ? dims[0] : d).fill(-Infinity) : null,
    };
  });
  const keep = (got: Map<string, { dims: number[]; data: Float32Array }>, start: number, n: number) => {
    for (const r of result) {
      const v = got.get(r.value)!;
      if (r.pooling === "global average") {
        const c = r.shape[0];
        const pooled = globalAveragePool(v.data, n, c, v.data.length / (n * c), r.max ?? undefined);
        r.points.data.set(pooled.data, start * c);
      } else {
        r.points.data.set(v.data, start * r.points.d);
        if (r.max) for (let i = 0; i < v.data.length; i++) if (v.data[i] > r.max[i % r.points.d]) r.max[i % r.points.d] = v.data[i];
      }
    }
  };
  keep(head, 0, first);
  for (let start = first; start < ds.n; start += batch) {
    const n = Math.min(batch, ds.n - start);
    keep(await collectValues(opened, view(ds, start, n), values, o.threads ? { threads: o.threads } : {}), start, n);
    o.onProgress?.("layers", start + n, ds.n);
  }
  return result;
}

/** Images [start, start + n) of a dataset, without copying. */
function view(ds: Dataset, start: number, n: number): Dataset {
  const size = imageSize(ds);
  return { ...ds, n, images: ds.images.subarray(start * size, (start + n) * size), labels: ds.labels.subarray(start, start + n), ...(ds.indices ? { indices: ds.indices.subarray(start, start + n) } : {}) };
}
