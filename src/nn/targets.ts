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
