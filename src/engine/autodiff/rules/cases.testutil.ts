import { ELEMENTWISE_CASES } from "./casesElementwise.testutil.js";
import { LAYER_CASES } from "./casesLayers.testutil.js";
import { SHAPE_CASES } from "./casesShape.testutil.js";
import type { GradCase } from "./gradCheck.testutil.js";

/** Every gradient-check case, by table; names are unique (the PyTorch fixtures are keyed by them). */
export const ALL_CASES: GradCase[] = [...ELEMENTWISE_CASES, ...LAYER_CASES, ...SHAPE_CASES];
