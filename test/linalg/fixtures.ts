/** Shared fixtures for the linalg tests: seeded RNG, random matrices, small generators. */
import { type Csr, csrFromTriplets } from "../../src/linalg/csr.js";

/** mulberry32: deterministic uniform [0,1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomDense(n: number, seed: number): Float64Array {
  const r = rng(seed);
  const A = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) A[i] = 2 * r() - 1;
  return A;
}

/** Random sparse nonsymmetric M-matrix: off-diagonals ≤ 0, diagonal = row sum of |off| + margin. */
export function randomMMatrix(n: number, perRow: number, seed: number, margin = 0.1): Csr {
  const r = rng(seed);
  const rows: number[] = [];
  const cols: number[] = [];
  const vals: number[] = [];
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let t = 0; t < perRow; t++) {
      const j = Math.floor(r() * n);
      if (j === i) continue;
      const v = r();
      rows.push(i);
      cols.push(j);
      vals.push(-v);
      s += v;
    }
    rows.push(i);
    cols.push(i);
    vals.push(s + margin * (0.5 + r()));
  }
  return csrFromTriplets(n, rows, cols, vals, rows.length);
}

/**
 * 1-D Scharfetter–Gummel generator of dX = −L'(X)dt + sqrt(2ε)dW on a uniform grid of [a,b]
 * with reflecting ends: rate i→i±1 = (ε/h²)·B(±(L_{i±1}−L_i)/ε), B(z)=z/(e^z−1).
 * Detailed balance with π ∝ exp(−L/ε) holds exactly.
 */
export function sgGenerator1d(L: (x: number) => number, a: number, b: number, n: number, eps: number) {
  const h = (b - a) / (n - 1);
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = a + i * h;
  const B = (z: number) => (Math.abs(z) < 1e-12 ? 1 - z / 2 : z / Math.expm1(z));
  const rows: number[] = [];
  const cols: number[] = [];
  const vals: number[] = [];
  for (let i = 0; i < n; i++) {
    let diag = 0;
    for (const j of [i - 1, i + 1]) {
      if (j < 0 || j >= n) continue;
      const rate = (eps / (h * h)) * B((L(x[j]) - L(x[i])) / eps);
      rows.push(i);
      cols.push(j);
      vals.push(rate);
      diag -= rate;
    }
    rows.push(i);
    cols.push(i);
    vals.push(diag);
  }
  return { Q: csrFromTriplets(n, rows, cols, vals, rows.length), x, h };
}

/**
 * 2-D generator on an nx×ny grid of [ax,bx]×[ay,by] (index i + nx*j), SG rates along each axis
 * for dX = −∇L dt + sqrt(2ε) dW, reflecting walls.
 */
export function sgGenerator2d(
  L: (x: number, y: number) => number,
  box: [number, number, number, number],
  nx: number,
  ny: number,
  eps: number,
) {
  const [ax, bx, ay, by] = box;
  const hx = (bx - ax) / (nx - 1);
  const hy = (by - ay) / (ny - 1);
  const B = (z: number) => (Math.abs(z) < 1e-12 ? 1 - z / 2 : z / Math.expm1(z));
  const n = nx * ny;
  const Lv = new Float64Array(n);
  const X = new Float64Array(n);
  const Y = new Float64Array(n);
  for (let j = 0; j < ny; j++)
    for (let i = 0; i < nx; i++) {
      const k = i + nx * j;
      X[k] = ax + i * hx;
      Y[k] = ay + j * hy;
      Lv[k] = L(X[k], Y[k]);
    }
  const rows = new Int32Array(5 * n);
  const cols = new Int32Array(5 * n);
  const vals = new Float64Array(5 * n);
  let m = 0;
  for (let j = 0; j < ny; j++)
    for (let i = 0; i < nx; i++) {
      const k = i + nx * j;
      let diag = 0;
      const nb: Array<[number, number]> = [];
      if (i > 0) nb.push([k - 1, hx]);
      if (i < nx - 1) nb.push([k + 1, hx]);
      if (j > 0) nb.push([k - nx, hy]);
      if (j < ny - 1) nb.push([k + nx, hy]);
      for (const [l, h] of nb) {
        const rate = (eps / (h * h)) * B((Lv[l] - Lv[k]) / eps);
        rows[m] = k;
        cols[m] = l;
        vals[m] = rate;
        m++;
        diag -= rate;
      }
      rows[m] = k;
      cols[m] = k;
      vals[m] = diag;
      m++;
    }
  return { Q: csrFromTriplets(n, rows, cols, vals, m), X, Y, hx, hy };
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

export function norm2(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return Math.sqrt(s);
}
