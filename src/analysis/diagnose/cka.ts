/**
 * Linear centred kernel alignment (Kornblith et al. 2019, ICML, "Similarity of Neural Network
 * Representations Revisited", §3 eq. 4 and §4 "Linear CKA"): how alike two layers' representations
 * of the same n images are, invariant to rotations and to scaling of either, from 0 (unrelated) to
 * 1 (the same up to a rotation and a scale).
 *
 * With X (n×p₁) and Y (n×p₂) centred column-wise, CKA = ‖YᵀX‖²_F / (‖XᵀX‖_F ‖YᵀY‖_F). The same number
 * comes from the n×n Gram matrices K = XXᵀ and L = YYᵀ of the centred features, as
 * ⟨K, L⟩_F / (‖K‖_F ‖L‖_F) (since ‖YᵀX‖²_F = tr(XXᵀYYᵀ)), at a cost that does not depend on the
 * layers' widths once the Grams exist: conv layers have thousands of features per image, so
 * featurelens compares layers through their Grams (one n×n matrix per layer). Browser-safe.
 */

/**
 * The Gram matrix XcXcᵀ (n×n, float64) of x (n×d, row-major) after centring each column; the Node
 * side computes the same with one onnxruntime MatMul (workflows/compareGram.ts).
 * @example centeredGram(Float32Array.of(1, 3), 2, 1) // Float64Array [1, -1, -1, 1]
 */
export function centeredGram(x: Float32Array, n: number, d: number): Float64Array {
  if (x.length !== n * d) throw new RangeError(`x holds ${x.length} values for ${n}×${d}`);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  const c = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) c[i * d + j] = x[i * d + j] - mean[j];
  const g = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = i; k < n; k++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += c[i * d + j] * c[k * d + j];
      g[i * n + k] = s;
      g[k * n + i] = s;
    }
  }
  return g;
}

/** ⟨K, L⟩_F = Σ K_ij L_ij, accumulated in float64. */
export function frobeniusDot(k: ArrayLike<number>, l: ArrayLike<number>): number {
  if (k.length !== l.length) throw new RangeError(`Gram matrices of different sizes: ${k.length} and ${l.length} entries`);
  let s0 = 0;
  let s1 = 0;
  let i = 0;
  for (; i + 1 < k.length; i += 2) {
    s0 += k[i] * l[i];
    s1 += k[i + 1] * l[i + 1];
  }
  if (i < k.length) s0 += k[i] * l[i];
  return s0 + s1;
}

/**
 * Linear CKA of two layers from the Grams of their centred features: ⟨K, L⟩ / (‖K‖ ‖L‖). A layer
 * that is constant over the images (a Gram of zeros) has no defined CKA: NaN.
 * @example ckaFromGrams(centeredGram(x, n, d), centeredGram(x, n, d)) // 1
 */
export function ckaFromGrams(k: ArrayLike<number>, l: ArrayLike<number>, normK = Math.sqrt(frobeniusDot(k, k)), normL = Math.sqrt(frobeniusDot(l, l))): number {
  if (!(normK > 0 && normL > 0)) return NaN;
  return frobeniusDot(k, l) / (normK * normL);
}

/**
 * Linear CKA straight from the features, in the N×D form ‖YᵀX‖²_F / (‖XᵀX‖_F ‖YᵀY‖_F) with centred
 * columns: cheaper than the Grams for narrow layers, and the reference the Gram form is tested against.
 */
export function linearCka(x: Float32Array, y: Float32Array, n: number, dx: number, dy: number): number {
  const cx = centerColumns(x, n, dx);
  const cy = centerColumns(y, n, dy);
  const cross = (a: Float64Array, da: number, b: Float64Array, db: number) => {
    let s = 0;
    for (let p = 0; p < da; p++) {
      for (let q = 0; q < db; q++) {
        let v = 0;
        for (let i = 0; i < n; i++) v += a[i * da + p] * b[i * db + q];
        s += v * v;
      }
    }
    return s;
  };
  const xy = cross(cy, dy, cx, dx);
  const xx = Math.sqrt(cross(cx, dx, cx, dx));
  const yy = Math.sqrt(cross(cy, dy, cy, dy));
  return xx > 0 && yy > 0 ? xy / (xx * yy) : NaN;
}

function centerColumns(x: Float32Array, n: number, d: number): Float64Array {
  if (x.length !== n * d) throw new RangeError(`features hold ${x.length} values for ${n}×${d}`);
  const out = Float64Array.from(x);
  for (let j = 0; j < d; j++) {
    let m = 0;
    for (let i = 0; i < n; i++) m += out[i * d + j];
    m /= n;
    for (let i = 0; i < n; i++) out[i * d + j] -= m;
  }
  return out;
}

/**
 * CKA between every Gram of `a` and every Gram of `b`: a row-major |a|×|b| matrix (row i = layer i
 * of model A). Each Gram's norm is computed once.
 */
export function ckaMatrix(a: readonly ArrayLike<number>[], b: readonly ArrayLike<number>[], onRow?: (done: number, total: number) => void): Float64Array {
  const na = a.map((k) => Math.sqrt(frobeniusDot(k, k)));
  const nb = b.map((l) => Math.sqrt(frobeniusDot(l, l)));
  const out = new Float64Array(a.length * b.length);
  for (let i = 0; i < a.length; i++) {
    for (let j = 0; j < b.length; j++) out[i * b.length + j] = ckaFromGrams(a[i], b[j], na[i], nb[j]);
    onRow?.(i + 1, a.length);
  }
  return out;
}
