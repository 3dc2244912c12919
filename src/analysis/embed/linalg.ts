/**
 * Dense linear algebra on flat Float64Arrays for PCA (analysis/embed/pca.ts): register-tiled dot
 * products, Gram–Schmidt, and the symmetric eigensolver (Householder + implicit QL). Browser-safe.
 */
/**
 * out[outOff + i·outStride + j] += Σ_t a[aOff + i·aStride + t] · b[bOff + j·bStride + t] for i < na,
 * j < nb (only j ≥ i − 3 when `upper`, for a Gram matrix of one set with itself). The hot loop of
 * every solver: 4×4 register tiles, the vectors read contiguously.
 */
export function crossDots(
  a: Float64Array, aOff: number, aStride: number, na: number,
  b: Float64Array, bOff: number, bStride: number, nb: number,
  len: number, out: Float64Array, outOff: number, outStride: number, upper: boolean,
): void {
  const na4 = na - (na % 4);
  const nb4 = nb - (nb % 4);
  for (let i = 0; i < na4; i += 4) {
    const a0 = aOff + i * aStride;
    const a1 = a0 + aStride;
    const a2 = a1 + aStride;
    const a3 = a2 + aStride;
    for (let j = upper ? i : 0; j < nb4; j += 4) {
      const b0 = bOff + j * bStride;
      const b1 = b0 + bStride;
      const b2 = b1 + bStride;
      const b3 = b2 + bStride;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      let s20 = 0, s21 = 0, s22 = 0, s23 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0;
      for (let t = 0; t < len; t++) {
        const x0 = a[a0 + t], x1 = a[a1 + t], x2 = a[a2 + t], x3 = a[a3 + t];
        const y0 = b[b0 + t], y1 = b[b1 + t], y2 = b[b2 + t], y3 = b[b3 + t];
        s00 += x0 * y0; s01 += x0 * y1; s02 += x0 * y2; s03 += x0 * y3;
        s10 += x1 * y0; s11 += x1 * y1; s12 += x1 * y2; s13 += x1 * y3;
        s20 += x2 * y0; s21 += x2 * y1; s22 += x2 * y2; s23 += x2 * y3;
        s30 += x3 * y0; s31 += x3 * y1; s32 += x3 * y2; s33 += x3 * y3;
      }
      const o0 = outOff + i * outStride + j;
      const o1 = o0 + outStride;
      const o2 = o1 + outStride;
      const o3 = o2 + outStride;
      out[o0] += s00; out[o0 + 1] += s01; out[o0 + 2] += s02; out[o0 + 3] += s03;
      out[o1] += s10; out[o1 + 1] += s11; out[o1 + 2] += s12; out[o1 + 3] += s13;
      out[o2] += s20; out[o2 + 1] += s21; out[o2 + 2] += s22; out[o2 + 3] += s23;
      out[o3] += s30; out[o3 + 1] += s31; out[o3 + 2] += s32; out[o3 + 3] += s33;
    }
    for (let j = nb4; j < nb; j++) {
      const bj = bOff + j * bStride;
      for (let r = 0; r < 4; r++) out[outOff + (i + r) * outStride + j] += dot(a, a0 + r * aStride, b, bj, len);
    }
  }
  for (let i = na4; i < na; i++) {
    const ai = aOff + i * aStride;
    for (let j = upper ? i : 0; j < nb; j++) out[outOff + i * outStride + j] += dot(a, ai, b, bOff + j * bStride, len);
  }
}

export function dot(a: Float64Array, ao: number, b: Float64Array, bo: number, len: number): number {
  let s0 = 0, s1 = 0;
  let t = 0;
  for (; t + 1 < len; t += 2) {
    s0 += a[ao + t] * b[bo + t];
    s1 += a[ao + t + 1] * b[bo + t + 1];
  }
  if (t < len) s0 += a[ao + t] * b[bo + t];
  return s0 + s1;
}

/**
 * Orthonormalises l vectors of length m in place: modified Gram–Schmidt, twice ("twice is enough",
 * Giraud et al. 2005). A vector that collapses (numerically in the span of the earlier ones) becomes 0.
 */
export function orthonormalize(v: Float64Array, l: number, m: number): void {
  for (let c = 0; c < l; c++) {
    const o = c * m;
    const before = Math.sqrt(dot(v, o, v, o, m));
    for (let pass = 0; pass < 2; pass++) {
      for (let p = 0; p < c; p++) {
        const po = p * m;
        const w = dot(v, o, v, po, m);
        if (w !== 0) for (let j = 0; j < m; j++) v[o + j] -= w * v[po + j];
      }
    }
    const norm = Math.sqrt(dot(v, o, v, o, m));
    const scale = norm > before * 1e-12 && norm > 0 ? 1 / norm : 0;
    for (let j = 0; j < m; j++) v[o + j] *= scale;
  }
}

/**
 * All eigenpairs of a symmetric m×m matrix (row-major; only read): Householder tridiagonalisation
 * and the implicit QL algorithm (Wilkinson & Reinsch 1971, tred2/tql2 as in JAMA). Eigenvalues
 * ascending; eigenvector j is vectors[j·m … j·m + m). Works on the transposed storage so that every
 * inner loop runs over contiguous memory.
 */
export function eigSymmetric(matrix: Float64Array, m: number): { values: Float64Array; vectors: Float64Array } {
  const v = Float64Array.from(matrix); // v[j·m + k] holds JAMA's V[k][j]
  const d = new Float64Array(m);
  const e = new Float64Array(m);
  tred2(v, d, e, m);
  tql2(v, d, e, m);
  return { values: d, vectors: v };
}

function tred2(v: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  // V[k][j] ≡ v[j * n + k]
  for (let j = 0; j < n; j++) d[j] = v[j * n + n - 1];
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]);
    if (scale === 0) {
      e[i] = d[i - 1];
      for (let j = 0; j < i; j++) {
        d[j] = v[j * n + i - 1];
        v[j * n + i] = 0;
        v[i * n + j] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] /= scale;
        h += d[k] * d[k];
      }
      let f = d[i - 1];
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j];
        v[i * n + j] = f;
        const col = j * n;
        g = e[j] + v[col + j] * f;
        for (let k = j + 1; k <= i - 1; k++) {
          g += v[col + k] * d[k];
          e[k] += v[col + k] * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] /= h;
        f += e[j] * d[j];
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] -= hh * d[j];
      for (let j = 0; j < i; j++) {
        f = d[j];
        g = e[j];
        const col = j * n;
        for (let k = j; k <= i - 1; k++) v[col + k] -= f * e[k] + g * d[k];
        d[j] = v[col + i - 1];
        v[col + i] = 0;
      }
    }
    d[i] = h;
  }
  for (let i = 0; i < n - 1; i++) {
    v[i * n + n - 1] = v[i * n + i];
    v[i * n + i] = 1;
    const h = d[i + 1];
    const next = (i + 1) * n;
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = v[next + k] / h;
      for (let j = 0; j <= i; j++) {
        const col = j * n;
        let g = 0;
        for (let k = 0; k <= i; k++) g += v[next + k] * v[col + k];
        for (let k = 0; k <= i; k++) v[col + k] -= g * d[k];
      }
    }
    for (let k = 0; k <= i; k++) v[next + k] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = v[j * n + n - 1];
    v[j * n + n - 1] = 0;
  }
  v[(n - 1) * n + n - 1] = 1;
  e[0] = 0;
}

function tql2(v: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n - 1 && Math.abs(e[m]) > eps * tst1) m++;
    if (m > l) {
      for (let iter = 0; ; iter++) {
        if (iter > 100) throw new Error(`eigSymmetric: QL did not converge for eigenvalue ${l} of ${n}`);
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        p = d[m];
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1];
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          const ci = i * n;
          const ci1 = ci + n;
          for (let k = 0; k < n; k++) {
            const hk = v[ci1 + k];
            v[ci1 + k] = s * v[ci + k] + c * hk;
            v[ci + k] = c * v[ci + k] - s * hk;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
        if (!(Math.abs(e[l]) > eps * tst1)) break;
      }
    }
    d[l] += f;
    e[l] = 0;
  }
  // Sort ascending (selection sort, moving the vectors along).
  for (let i = 0; i < n - 1; i++) {
    let k = i;
    let p = d[i];
    for (let j = i + 1; j < n; j++) if (d[j] < p) [k, p] = [j, d[j]];
    if (k === i) continue;
    d[k] = d[i];
    d[i] = p;
    for (let t = 0; t < n; t++) {
      const tmp = v[i * n + t];
      v[i * n + t] = v[k * n + t];
      v[k * n + t] = tmp;
    }
  }
}

function hypot(a: number, b: number): number {
  const x = Math.abs(a);
  const y = Math.abs(b);
  const big = Math.max(x, y);
  if (big === 0) return 0;
  const small = Math.min(x, y) / big;
  return big * Math.sqrt(1 + small * small);
}

