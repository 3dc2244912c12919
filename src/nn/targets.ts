// The label checks below stay RangeErrors: train() refuses labels the model has no output for
// (a DataError naming the set) before it makes targets.

/**
 * Target distributions for softmax cross-entropy: one-hot rows, with label smoothing as PyTorch's
 * CrossEntropyLoss(label_smoothing=ε) applies it — (1 − ε)·onehot + ε/K (Szegedy et al. 2016, §7).
 */
export function oneHotTargets(labels: ArrayLike<number>, k: number, smoothing = 0): Float32Array {
  if (!(smoothing >= 0 && smoothing < 1)) throw new RangeError(`label smoothing must be in [0, 1), got ${smoothing}`);
  const out = new Float32Array(labels.length * k).fill(smoothing / k);
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (!(y >= 0 && y < k)) throw new RangeError(`label ${y} at index ${i} is outside 0..${k - 1}`);
    out[i * k + y] += 1 - smoothing;
  }
  return out;
}

/**
 * Targets for binary cross-entropy (a one-unit sigmoid head): the probability of class 1 per
 * image, N×1, with label smoothing as Keras' BinaryCrossentropy applies it — y·(1 − ε) + ε/2.
 * @example binaryTargets([0, 1], 0.1) // Float32Array [0.05, 0.95]
 */
export function binaryTargets(labels: ArrayLike<number>, smoothing = 0): Float32Array {
  if (!(smoothing >= 0 && smoothing < 1)) throw new RangeError(`label smoothing must be in [0, 1), got ${smoothing}`);
  const out = new Float32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (y !== 0 && y !== 1) throw new RangeError(`label ${y} at index ${i} is not 0 or 1; a one-unit sigmoid head is for two classes`);
    out[i] = y * (1 - smoothing) + smoothing / 2;
  }
  return out;
}

/** The targets a training graph with `units` classifier outputs takes: one-hot rows, or binary targets for one unit. */
export function targetsFor(labels: ArrayLike<number>, units: number, smoothing = 0): Float32Array {
  return units === 1 ? binaryTargets(labels, smoothing) : oneHotTargets(labels, units, smoothing);
}
