/**
 * k-nearest neighbours. Node-only as a whole: `knn` starts worker threads and `approx` loads the
 * USearch native addon. Browser code imports the browser-safe parts directly: `exact.ts` (exact
 * search on one thread), `types.ts`, `recall.ts`.
 */
export type { KnnGraph, Metric, Points } from "../neighbors/types.js";
export { autoGoesApprox, knn, knnQuery, KNN_DEFAULTS, type KnnMethod, type KnnOptions } from "./knn.js";
export { exactKnn, exactKnnQuery, type ExactOptions } from "../neighbors/exact.js";
export { APPROX_DEFAULTS } from "./approx.js";
export { recall } from "../neighbors/recall.js";
