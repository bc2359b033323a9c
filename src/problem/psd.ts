/**
 * Small positive-semidefinite factorisations used per step by the noise models: allocation-free,
 * for the d ≤ ~50 matrices of analytic problems.
 */

/**
 * In-place cyclic Jacobi eigen-decomposition of a symmetric n×n matrix `a` (row-major, destroyed).
 * Writes eigenvalues into `values` (unsorted) and eigenvectors as the columns of `v` (row-major).
 */
export function jacobiEigenInPlace(a: Float64Array, n: number, values: Float64Array, v: Float64Array): void {
  v.fill(0, 0, n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    let diag = 0;
    for (let p = 0; p < n; p++) {
      diag += a[p * n + p] * a[p * n + p];
      for (let q = p + 1; q < n; q++) off += a[p * n + q] * a[p * n + q];
    }
    if (off <= 1e-30 * diag || off === 0) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        const app = a[p * n + p];
        const aqq = a[q * n + q];
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  for (let i = 0; i < n; i++) values[i] = a[i * n + i];
}

/**
 * Factor G (row-major n×n) with S = G Gᵀ for a symmetric S, by eigen-decomposition with negative
 * eigenvalues clipped to 0 (the PSD projection). Returns the most negative eigenvalue (before clipping)
 * so callers can decide whether S was truly PSD. `work` needs length ≥ 2n² + n.
 */
export function psdFactor(s: Float64Array, n: number, g: Float64Array, work: Float64Array): number {
  const a = work.subarray(0, n * n);
  const v = work.subarray(n * n, 2 * n * n);
  const w = work.subarray(2 * n * n, 2 * n * n + n);
  a.set(s.subarray(0, n * n));
  jacobiEigenInPlace(a, n, w, v);
  let minEig = Number.POSITIVE_INFINITY;
  for (let k = 0; k < n; k++) {
    if (w[k] < minEig) minEig = w[k];
    const r = w[k] > 0 ? Math.sqrt(w[k]) : 0;
    for (let i = 0; i < n; i++) g[i * n + k] = v[i * n + k] * r;
  }
  return minEig;
}

/** Scratch length needed by psdFactor for dimension n. */
export function psdWorkSize(n: number): number {
  return 2 * n * n + n;
}
