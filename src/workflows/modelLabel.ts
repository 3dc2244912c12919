import type { RunRecord } from "../store/runRecord.js";

/**
 * How pictures and the report name a run's model: its architecture when featurelens trained it,
 * else its file — with the folder it came from when the file has a generic name ("model.onnx").
 * @example modelLabel({ id: "r", model: { arch: null, source: "/models/resnet18/model.onnx" } }) // "resnet18/model.onnx"
 */
export function modelLabel(record: Pick<RunRecord, "id" | "model">): string {
  const m = record.model;
  if (m?.arch) return m.arch;
  if (!m?.source) return record.id;
  const parts = m.source.split(/[\\/]/).filter(Boolean);
  const file = parts.at(-1) ?? record.id;
  return /^(model|best|checkpoint|export)\.onnx$/i.test(file) && parts.length > 1 ? `${parts.at(-2)}/${file}` : file;
}
