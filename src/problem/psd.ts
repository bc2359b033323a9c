import { jacobiInPlace } from "../linalg/dense.js";

/**
 * Small positive-semidefinite factorisations used per step by the noise models: allocation-free,
 * for the d ≤ ~50 matrices of analytic problems.
 */

const views = new WeakMap<Float64Array, { n: number; a: Float64Array; v: Float64Array; w: Float64Array }>();

/**
 * Factor G (row-major n×n) with S = G Gᵀ for a symmetric S, by eigen-decomposition with negative
 * eigenvalues clipped to 0 (the PSD projection). Returns the most negative eigenvalue (before clipping)
 * so callers can decide whether S was truly PSD. `work` needs length ≥ 2n² + n.
 */
export function psdFactor(s: Float64Array, n: number, g: Float64Array, work: Float64Array): number {
  // views of the caller's scratch, made once per (scratch, n): no allocation per call (hot loops call this)
  let vw = views.get(work);
  if (vw === undefined || vw.n !== n) {
    vw = {
      n,
      a: work.subarray(0, n * n),
      v: work.subarray(n * n, 2 * n * n),
      w: work.subarray(2 * n * n, 2 * n * n + n),
    };
    views.set(work, vw);
  }
  const { a, v, w } = vw;
  for (let k = 0; k < n * n; k++) a[k] = s[k];
  jacobiInPlace(a, n, v);
  for (let k = 0; k < n; k++) w[k] = a[k * n + k];
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
