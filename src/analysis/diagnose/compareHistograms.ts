/**
 * A layer's activations over many images summarised in one pass — mean, spread, exact zeros,
 * channels that never fire — with a fine histogram of the values that are not exactly 0, which two
 * models' summaries can later share bins from (one x axis, overlaid): the feature-extraction
 * article's "the network trained on 50K images has more zeros than the one trained on 10K".
 * Browser-safe.
 */

export const LAYER_PROFILE_DEFAULTS = { fineBins: 512, bins: 40 } as const;

/** One layer's activations over n images. */
export interface LayerProfile {
  count: number;
  mean: number;
  std: number;
  /** Share of values exactly 0. */
  zeros: number;
  min: number;
  max: number;
  /** For maps (channels first): channels exactly 0 on every image and position, of `channels`. */
  deadChannels: number | null;
  channels: number | null;
  /** Counts of the non-zero values in `fine.counts.length` equal bins of [lo, hi]. */
  fine: { lo: number; hi: number; counts: number[] };
}

/**
 * Profiles a layer's values for n images (n × perImage, row-major; `channels` > 0 for maps laid out
 * channels first, so that dead channels can be counted).
 * @example profileLayer(Float32Array.of(0, 1, 0, 3), 2, 2, 2).deadChannels // 1 (channel 0 is 0 on both images)
 */
export function profileLayer(values: Float32Array, n: number, perImage: number, channels = 0, fineBins: number = LAYER_PROFILE_DEFAULTS.fineBins): LayerProfile {
  if (values.length !== n * perImage) throw new RangeError(`values hold ${values.length} for ${n}×${perImage}`);
  let sum = 0;
  let sq = 0;
  let zeros = 0;
  let min = Infinity;
  let max = -Infinity;
  let finite = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    finite++;
    sum += v;
    sq += v * v;
    if (v === 0) zeros++;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = finite ? sum / finite : NaN;
  const counts = new Float64Array(fineBins);
  const lo = Number.isFinite(min) ? min : 0;
  const hi = Number.isFinite(max) && max > lo ? max : lo + 1;
  const width = (hi - lo) / fineBins;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v) || v === 0) continue;
    counts[Math.min(fineBins - 1, Math.floor((v - lo) / width))]++;
  }
  let dead: number | null = null;
  if (channels > 0 && perImage % channels === 0) {
    const size = perImage / channels;
    const alive = new Uint8Array(channels);
    for (let i = 0; i < n; i++) for (let c = 0; c < channels; c++) {
      if (alive[c]) continue;
      const off = i * perImage + c * size;
      for (let p = 0; p < size; p++) if (values[off + p] !== 0) {
        alive[c] = 1;
        break;
      }
    }
    dead = channels - alive.reduce((s, a) => s + a, 0);
  }
  return {
    count: finite, mean, std: finite ? Math.sqrt(Math.max(0, sq / finite - mean * mean)) : NaN, zeros: finite ? zeros / finite : NaN, min: finite ? min : NaN, max: finite ? max : NaN,
    deadChannels: dead, channels: channels > 0 ? channels : null, fine: { lo, hi, counts: Array.from(counts) },
  };
}

/** Two layers' histograms on shared bins: each bin's share of all the layer's values; exact zeros apart. */
export interface SharedHistogram {
  /** bins + 1 edges. */
  edges: number[];
  a: number[];
  b: number[];
  zerosA: number;
  zerosB: number;
}

/**
 * Rebins two profiles' fine histograms into `bins` equal bins over the range both cover; each fine
 * bin's count is split between the bins it overlaps in proportion to the overlap (values assumed
 * spread evenly inside a fine bin, 1/512 of a layer's range), so no bin gets a share too many.
 */
export function sharedHistogram(a: LayerProfile, b: LayerProfile, bins: number = LAYER_PROFILE_DEFAULTS.bins): SharedHistogram {
  const lo = Math.min(a.fine.lo, b.fine.lo);
  const hi = Math.max(a.fine.hi, b.fine.hi);
  const width = (hi - lo) / bins || 1;
  const rebin = (p: LayerProfile) => {
    const out = new Float64Array(bins);
    const fw = (p.fine.hi - p.fine.lo) / p.fine.counts.length;
    p.fine.counts.forEach((c, j) => {
      if (c === 0) return;
      const f0 = p.fine.lo + j * fw;
      const f1 = f0 + fw;
      const first = Math.max(0, Math.floor((f0 - lo) / width));
      const last = Math.min(bins - 1, Math.floor((f1 - lo) / width));
      for (let t = first; t <= last; t++) {
        const overlap = Math.min(f1, lo + (t + 1) * width) - Math.max(f0, lo + t * width);
        if (overlap > 0) out[t] += (c * overlap) / fw;
      }
    });
    return Array.from(out, (c) => (p.count ? c / p.count : 0));
  };
  return { edges: Array.from({ length: bins + 1 }, (_, j) => lo + j * width), a: rebin(a), b: rebin(b), zerosA: a.zeros, zerosB: b.zeros };
}
