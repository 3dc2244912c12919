import type { GradRule } from "../types.js";
import { CONV_RULES } from "./conv.js";
import { ELEMENTWISE_RULES } from "./elementwise.js";
import { MATMUL_RULES } from "./matmul.js";
import { POOL_RULES } from "./pool.js";
import { SHAPE_RULES } from "./shape.js";

/** One gradient rule per ONNX op (STYLE.md §5): the table `backward` looks ops up in. */
export const GRAD_RULES: Record<string, GradRule> = {
  ...ELEMENTWISE_RULES,
  ...MATMUL_RULES,
  ...SHAPE_RULES,
  ...CONV_RULES,
  ...POOL_RULES,
};
