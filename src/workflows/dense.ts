import type { DenseBackend } from "../analysis/dense/backend.js";
import { ortBackend } from "../engine/dense/ortBackend.js";

/**
 * Runs `fn` with an onnxruntime dense backend (engine/dense: MatMul/Gemm and TopK on MLAS) and
 * releases its sessions afterwards, so workflows hand analysis/ its dense products without
 * analysis/ knowing ONNX.
 * @example const r = await withDenseBackend((dense) => embed(points, { method: "pca", dims: 2, dense }))
 */
export async function withDenseBackend<T>(fn: (dense: DenseBackend) => Promise<T>): Promise<T> {
  const dense = ortBackend();
  try {
    return await fn(dense);
  } finally {
    await dense.release();
  }
}
