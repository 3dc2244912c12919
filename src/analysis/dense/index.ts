export type { DenseBackend, DenseKnnRequest, DenseMetric, Matrix, MatmulOptions } from "./backend.js";
export { productShape } from "./backend.js";
export { jsBackend, matmulJs } from "./jsBackend.js";
