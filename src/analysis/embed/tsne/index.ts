/**
 * t-SNE, browser-safe, in composable stages as openTSNE: affinities → initialize → optimize, or
 * `tsne()` in one call, and `transform()` to place new points into a finished map. The threaded
 * Barnes–Hut gradient is Node-only: import it from "../../node/tsneParallel.js".
 */
export type { Repulsion, RepulsionMethod, SparseAffinities } from "./types.js";
export { affinities, conditionalAffinities, neighboursFor, symmetrize, type AffinityOptions, type ConditionalAffinities } from "./affinities.js";
export { initialize, pcaInit, randomInit, INIT_STD, type Initialization, type InitOptions } from "./init.js";
export { exactRepulsion } from "./exact.js";
export { createBarnesHutRepulsion, BARNES_HUT_DEFAULTS, type BarnesHutOptions } from "./barnesHut.js";
export { attraction, attractionRows, klDivergence, type AttractionMethod } from "./gradient.js";
export {
  autoLearningRate,
  createEmbedding,
  currentKl,
  descend,
  optimize,
  tsneObjective,
  DESCENT_DEFAULTS,
  type DescentOptions,
  type Objective,
  type OptimizeOptions,
  type ProgressCallback,
  type TsneEmbedding,
  type TsnePhase,
  type TsneProgress,
} from "./optimize.js";
export { tsne, chooseRepulsion, resolveMethod, EXACT_BELOW, FFT_FROM, TSNE_DEFAULTS, type TsneMethod, type TsneOptions, type TsneResult } from "./tsne.js";
export { transform, TRANSFORM_DEFAULTS, type TransformOptions, type TransformResult, type TsneMap } from "./transform.js";
export { decodeMap, encodeMap } from "./mapFile.js";
