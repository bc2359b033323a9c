import { describe, expect, it } from "vitest";
import { NumericalError } from "../../src/errors.js";
import {
  det,
  luFactor,
  luSolve,
  matMul,
  matVec,
  solveDense,
  symmetricEigen,
  transpose,
} from "../../src/linalg/dense.js";
import { maxAbsDiff, randomDense } from "./fixtures.js";

describe("dense LU", () => {
  it("solves random systems to round-off (residual and known solution)", () => {
    for (const n of [1, 2, 5, 17, 40]) {
      const A = randomDense(n, 100 + n);
      const xTrue = randomDense(n, 7 + n).subarray(0, n);
      const b = matVec(A, xTrue, n);
      const x = solveDense(A, n, b);
      const r = matVec(A, x, n);
      expect(maxAbsDiff(r, b)).toBeLessThan(1e-12 * n);
      // random matrices have condition numbers ~ n: error bound cond·eps
      expect(maxAbsDiff(x, xTrue)).toBeLessThan(1e-9);
    }
  });

  it("needs pivoting: zero leading entry", () => {
    const A = Float64Array.from([0, 1, 1, 0]);
    const x = solveDense(A, 2, Float64Array.from([3, 5]));
    expect(Array.from(x)).toEqual([5, 3]);
    expect(det(A, 2)).toBe(-1);
  });

  it("det equals product of eigenvalues / closed forms", () => {
    expect(det(Float64Array.from([2, 1, 1, 3]), 2)).toBeCloseTo(5, 14);
    // triangular: product of diagonal
    const T = Float64Array.from([2, 5, 7, 0, 3, 11, 0, 0, -4]);
    expect(det(T, 3)).toBeCloseTo(-24, 12);
    // det(AB) = det A det B
    const A = randomDense(6, 1);
    const B = randomDense(6, 2);
    const dAB = det(matMul(A, B, 6), 6);
    expect(Math.abs(dAB - det(A, 6) * det(B, 6))).toBeLessThan(1e-12 * Math.max(1, Math.abs(dAB)));
  });

  it("singular matrix: det 0 and luSolve throws NumericalError", () => {
    const A = Float64Array.from([1, 2, 2, 4]);
    expect(det(A, 2)).toBe(0);
    const f = luFactor(A, 2);
    expect(f.singular).toBe(true);
    expect(() => luSolve(f, Float64Array.from([1, 1]))).toThrow(NumericalError);
  });

  it("matMul/transpose on rectangular shapes", () => {
    const A = Float64Array.from([1, 2, 3, 4, 5, 6]); // 2×3
    const At = transpose(A, 2, 3); // 3×2
    expect(Array.from(At)).toEqual([1, 4, 2, 5, 3, 6]);
    const AAt = matMul(A, At, 2, 3, 2);
    expect(Array.from(AAt)).toEqual([14, 32, 32, 77]);
  });
});

describe("symmetricEigen (Jacobi)", () => {
  it("2×2 closed form", () => {
    const { values, vectors } = symmetricEigen(Float64Array.from([2, 1, 1, 2]), 2);
    expect(values[0]).toBeCloseTo(1, 14);
    expect(values[1]).toBeCloseTo(3, 14);
    expect(Math.abs(vectors[0])).toBeCloseTo(Math.SQRT1_2, 14);
    expect(vectors[0] * vectors[2]).toBeCloseTo(-0.5, 14); // (1,-1)/√2 for λ=1
  });

  it("1-D Laplacian spectrum 2−2cos(kπ/(n+1)) and A V = V Λ, VᵀV = I", () => {
    const n = 30;
    const A = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      A[i * n + i] = 2;
      if (i > 0) A[i * n + i - 1] = -1;
      if (i < n - 1) A[i * n + i + 1] = -1;
    }
    const { values, vectors } = symmetricEigen(A, n);
    for (let k = 1; k <= n; k++) {
      expect(Math.abs(values[k - 1] - (2 - 2 * Math.cos((k * Math.PI) / (n + 1))))).toBeLessThan(1e-13);
    }
    const AV = matMul(A, vectors, n);
    for (let i = 0; i < n; i++)
      for (let k = 0; k < n; k++) {
        expect(Math.abs(AV[i * n + k] - values[k] * vectors[i * n + k])).toBeLessThan(1e-13);
      }
    const VtV = matMul(transpose(vectors, n), vectors, n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        expect(Math.abs(VtV[i * n + j] - (i === j ? 1 : 0))).toBeLessThan(1e-13);
      }
  });

  it("random symmetric: reconstruction V Λ Vᵀ = A, trace and det preserved", () => {
    const n = 12;
    const R = randomDense(n, 5);
    const A = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) A[i * n + j] = R[i * n + j] + R[j * n + i];
    const { values, vectors } = symmetricEigen(A, n);
    for (let k = 1; k < n; k++) expect(values[k]).toBeGreaterThanOrEqual(values[k - 1]);
    const VL = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) VL[i * n + k] = vectors[i * n + k] * values[k];
    const rec = matMul(VL, transpose(vectors, n), n);
    expect(maxAbsDiff(rec, A)).toBeLessThan(1e-12);
    let tr = 0;
    let prod = 1;
    for (let k = 0; k < n; k++) {
      tr += A[k * n + k];
      prod *= values[k];
    }
    expect(Math.abs(values.reduce((s, v) => s + v, 0) - tr)).toBeLessThan(1e-12);
    expect(Math.abs(prod - det(A, n)) / Math.abs(prod)).toBeLessThan(1e-11);
  });

  it("degenerate eigenvalues and PSD rank-1 matrix", () => {
    const v = Float64Array.from([1, 2, 2]);
    const A = new Float64Array(9);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) A[i * 3 + j] = v[i] * v[j];
    const { values } = symmetricEigen(A, 3);
    expect(Math.abs(values[0])).toBeLessThan(1e-14);
    expect(Math.abs(values[1])).toBeLessThan(1e-14);
    expect(values[2]).toBeCloseTo(9, 13);
  });
});
