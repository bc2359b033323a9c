import { describe, expect, it } from "vitest";
import { csrFromTriplets, csrMatVec, csrToDense, csrTranspose } from "../../src/linalg/csr.js";
import { symmetricEigen } from "../../src/linalg/dense.js";
import { denseEigenvalues, eigsNearShift, nullVector, shiftDiagonal } from "../../src/linalg/eigs.js";
import { maxAbsDiff, randomDense, sgGenerator1d, sgGenerator2d } from "./fixtures.js";

function negate(Q: ReturnType<typeof sgGenerator1d>["Q"]) {
  return { ...Q, values: Q.values.map((v) => -v) };
}

function sortedPairs(re: ArrayLike<number>, im: ArrayLike<number>) {
  return Array.from(re, (r, i) => [r, im[i]] as [number, number]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
}

describe("dense nonsymmetric eigenvalues (Hessenberg + Francis QR)", () => {
  it("symmetric random matrix: same spectrum as Jacobi", () => {
    const n = 15;
    const R = randomDense(n, 3);
    const S = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) S[i * n + j] = R[i * n + j] + R[j * n + i];
    const { re, im } = denseEigenvalues(S, n);
    const ref = symmetricEigen(S, n).values;
    const got = Float64Array.from(re).sort();
    expect(maxAbsDiff(got, ref)).toBeLessThan(1e-12);
    for (const v of im) expect(Math.abs(v)).toBeLessThan(1e-12);
  });

  it("companion matrix of (z−1)(z−2)(z−3)(z²+2z+5): roots 1, 2, 3, −1±2i", () => {
    // z^5 − 4z^4 + 4z^3 − 14z^2 + 43z − 30  (checked at z=1: 1−4+4−14+43−30 = 0)
    const c = [-30, 43, -14, 4, -4]; // coefficients a0..a4 of the monic degree-5 polynomial
    const n = 5;
    const C = new Float64Array(n * n);
    for (let i = 1; i < n; i++) C[i * n + i - 1] = 1;
    for (let i = 0; i < n; i++) C[i * n + n - 1] = -c[i];
    const { re, im } = denseEigenvalues(C, n);
    const got = sortedPairs(re, im);
    const want = sortedPairs([-1, -1, 1, 2, 3], [-2, 2, 0, 0, 0]);
    for (let i = 0; i < n; i++) {
      expect(Math.abs(got[i][0] - want[i][0])).toBeLessThan(1e-10);
      expect(Math.abs(got[i][1] - want[i][1])).toBeLessThan(1e-10);
    }
  });

  it("random nonsymmetric: trace and determinant of the spectrum match", () => {
    const n = 20;
    const A = randomDense(n, 9);
    const { re, im } = denseEigenvalues(A, n);
    let tr = 0;
    for (let i = 0; i < n; i++) tr += A[i * n + i];
    expect(Math.abs(re.reduce((s, v) => s + v, 0) - tr)).toBeLessThan(1e-11);
    let ims = 0;
    for (const v of im) ims += v;
    expect(Math.abs(ims)).toBeLessThan(1e-11); // conjugate pairs
  });
});

describe("eigsNearShift (shift-invert Arnoldi)", () => {
  it("1-D reversible generator: matches the symmetrised dense spectrum; λ0 = 0, gap", () => {
    const n = 150;
    const eps = 0.1;
    const L = (x: number) => x ** 4 / 4 - x ** 2 / 2;
    const { Q, x } = sgGenerator1d(L, -2, 2, n, eps);
    // −Q is similar to the symmetric D^{1/2}(−Q)D^{−1/2}, D = diag(π), π ∝ exp(−L/ε)
    const D = csrToDense(Q);
    const s = Float64Array.from(x, (v) => Math.exp(-L(v) / (2 * eps)));
    const Sym = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) Sym[i * n + j] = (-D[i * n + j] * s[i]) / s[j];
    const ref = symmetricEigen(Sym, n).values;
    const res = eigsNearShift(negate(Q), 4);
    expect(res.converged).toBe(true);
    for (let k = 0; k < 4; k++) {
      expect(Math.abs(res.im[k])).toBeLessThan(1e-9);
      expect(Math.abs(res.re[k] - ref[k])).toBeLessThan(1e-8 * Math.max(1, Math.abs(ref[k])));
    }
    expect(Math.abs(res.re[0])).toBeLessThan(1e-9);
    // metastable: gap ≪ third eigenvalue
    expect(res.re[1]).toBeLessThan(0.1 * res.re[2]);
    // λ0's right eigenvector is constant
    const v0 = res.vectorsRe[0];
    expect(maxAbsDiff(v0, new Float64Array(n).fill(1 / Math.sqrt(n)))).toBeLessThan(1e-8);
  });

  it("2-D non-reversible generator (rotational drift): complex eigenvalues match a dense QR", () => {
    // drift b = −∇(|x|²/2) + 3·(−y, x) via upwind rates; small grid
    const N = 14;
    const h = 2 / (N - 1);
    const rows: number[] = [];
    const cols: number[] = [];
    const vals: number[] = [];
    const eps = 0.2;
    for (let j = 0; j < N; j++)
      for (let i = 0; i < N; i++) {
        const k = i + N * j;
        const x = -1 + i * h;
        const y = -1 + j * h;
        const bx = -x - 3 * y;
        const by = -y + 3 * x;
        let d = 0;
        const add = (l: number, rate: number) => {
          rows.push(k);
          cols.push(l);
          vals.push(rate);
          d -= rate;
        };
        if (i > 0) add(k - 1, eps / h ** 2 + Math.max(-bx, 0) / h);
        if (i < N - 1) add(k + 1, eps / h ** 2 + Math.max(bx, 0) / h);
        if (j > 0) add(k - N, eps / h ** 2 + Math.max(-by, 0) / h);
        if (j < N - 1) add(k + N, eps / h ** 2 + Math.max(by, 0) / h);
        rows.push(k);
        cols.push(k);
        vals.push(d);
      }
    const Q = csrFromTriplets(N * N, rows, cols, vals, rows.length);
    const A = negate(Q);
    const dense = denseEigenvalues(csrToDense(A), A.n);
    const order = Array.from(dense.re.keys()).sort(
      (a, b) => Math.hypot(dense.re[a], dense.im[a]) - Math.hypot(dense.re[b], dense.im[b]),
    );
    const res = eigsNearShift(A, 5);
    expect(res.converged).toBe(true);
    let complexSeen = false;
    for (let q = 0; q < 5; q++) {
      const d = order.map((i) => Math.hypot(dense.re[i] - res.re[q], dense.im[i] - res.im[q]));
      expect(Math.min(...d)).toBeLessThan(1e-8);
      if (Math.abs(res.im[q]) > 1e-3) complexSeen = true;
      expect(res.residuals[q]).toBeLessThan(1e-10);
    }
    expect(complexSeen).toBe(true);
    // the 5 returned are the 5 nearest 0 (up to ties of a conjugate pair at the boundary)
    const r5 = Math.hypot(dense.re[order[4]], dense.im[order[4]]);
    for (let q = 0; q < 5; q++) expect(Math.hypot(res.re[q], res.im[q])).toBeLessThanOrEqual(r5 * (1 + 1e-9));
  });

  it("shiftDiagonal adds to existing and missing diagonals", () => {
    const A = csrFromTriplets(3, [0, 1, 2], [1, 1, 0], [5, 2, 7], 3);
    expect(Array.from(csrToDense(shiftDiagonal(A, 1)))).toEqual([1, 5, 0, 0, 3, 0, 7, 0, 1]);
  });
});

describe("nullVector (stationary law)", () => {
  it("1-D SG generator: π ∝ exp(−L/ε) exactly (detailed balance), even for ε = 0.025", () => {
    for (const eps of [0.2, 0.025]) {
      const n = 400;
      const L = (x: number) => x ** 4 / 4 - x ** 2 / 2 + 0.1 * x;
      const { Q, x } = sgGenerator1d(L, -2, 2, n, eps);
      const res = nullVector(csrTranspose(Q));
      const w = Float64Array.from(x, (v) => Math.exp(-(L(v) - L(-1)) / eps));
      const s = w.reduce((a, b) => a + b, 0);
      let maxRel = 0;
      for (let i = 0; i < n; i++)
        if (w[i] / s > 1e-250) maxRel = Math.max(maxRel, Math.abs(res.x[i] - w[i] / s) / (w[i] / s));
      expect(maxRel).toBeLessThan(1e-7);
      expect(res.residual).toBeLessThan(1e-12);
      expect(res.negativeMass).toBeLessThan(1e-14);
    }
  });

  it("2-D SG generator: stationary law matches the Gibbs density; Qᵀπ ≈ 0", () => {
    const N = 30;
    const eps = 0.1;
    runGibbs2d(N, eps);
  });

  it("2-D, ε = 0.03 (π spans 1e60): anchored at the mode, still matches Gibbs", () => {
    runGibbs2d(40, 0.03);
  });
});

function runGibbs2d(N: number, eps: number) {
  const L = (x: number, y: number) => (x * x - 1) ** 2 / 4 + (y * y) / 2;
  const { Q, X, Y } = sgGenerator2d(L, [-2, 2, -2, 2], N, N, eps);
  const res = nullVector(csrTranspose(Q));
  const w = Float64Array.from(X, (xv, i) => Math.exp(-L(xv, Y[i]) / eps));
  const s = w.reduce((a, b) => a + b, 0);
  let maxRel = 0;
  for (let i = 0; i < w.length; i++) {
    if (w[i] / s > 1e-250) maxRel = Math.max(maxRel, Math.abs(res.x[i] - w[i] / s) / (w[i] / s));
  }
  // SG rates satisfy detailed balance with exp(−L/ε) exactly: only round-off remains
  expect(maxRel).toBeLessThan(1e-9);
  const r = csrMatVec(csrTranspose(Q), res.x, new Float64Array(Q.n));
  expect(Math.max(...r.map(Math.abs))).toBeLessThan(1e-10);
  expect(res.negativeMass).toBe(0);
}
