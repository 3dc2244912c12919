export type { KnnGraph, Metric, Points } from "./types.js";
export { knn, knnQuery, KNN_DEFAULTS, type KnnMethod, type KnnOptions } from "./knn.js";
export { exactKnn, exactKnnQuery, type ExactOptions } from "./exact.js";
export { APPROX_DEFAULTS } from "./approx.js";
export { recall } from "./recall.js";
