import { ModelError } from "../../../util/errors.js";
import type { NodeIR } from "../../onnx/ir.js";

/** What to do about a gradient that needs a size the model leaves dynamic. */
export const FIXED_SIZES = "export the model with fixed sizes (dynamic_axes on the batch only)";

/**
 * The error a rule throws for a node of a model it cannot differentiate as the node is set up:
 * names the op, the node and the setting, and what to export instead. A model comes from a file
 * the user gave, so this is theirs to fix; inference of the model is not affected.
 * @example untrainable(node, "its gradient with ceil_mode 1 is not implemented", "export it with ceil_mode=False").message
 * // "AveragePool node '/pool/AveragePool': its gradient with ceil_mode 1 is not implemented, so this model cannot be trained here (inference still works); export it with ceil_mode=False"
 */
export function untrainable(node: NodeIR, problem: string, fix: string): ModelError {
  return new ModelError(`${node.opType} node '${node.name}': ${problem}, so this model cannot be trained here (inference still works); ${fix}`);
}

/** The error for a node that lacks an attribute or input the ONNX spec requires: the model file is broken. */
export function missingAttribute(node: NodeIR, name: string): ModelError {
  return new ModelError(`${node.opType} node '${node.name}': it has no '${name}', which the ONNX spec requires; re-export the model`);
}
