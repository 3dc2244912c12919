import type { GradRule } from "../types.js";
import { ACTIVATION_RULES } from "./activation.js";
import { CONV_RULES } from "./conv.js";
import { ELEMENTWISE_RULES } from "./elementwise.js";
import { MATH_RULES } from "./math.js";
import { MATMUL_RULES } from "./matmul.js";
import { NORM_RULES } from "./norm.js";
import { POOL_RULES } from "./pool.js";
import { REDUCE_RULES } from "./reduce.js";
import { SHAPE_RULES } from "./shape.js";
import { SLICE_RULES } from "./slice.js";
import { SOFTMAX_RULES } from "./softmax.js";

/** One gradient rule per ONNX op (STYLE.md §5): the table `backward` looks ops up in. */
export const GRAD_RULES: Record<string, GradRule> = {
  ...ELEMENTWISE_RULES,
  ...ACTIVATION_RULES,
  ...MATH_RULES,
  ...SOFTMAX_RULES,
  ...REDUCE_RULES,
  ...MATMUL_RULES,
  ...SHAPE_RULES,
  ...SLICE_RULES,
  ...CONV_RULES,
  ...POOL_RULES,
  ...NORM_RULES,
};
