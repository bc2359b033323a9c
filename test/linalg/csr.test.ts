import { describe, expect, it } from "vitest";
import {
  csrByteSize,
  csrDiagonal,
  csrFromDense,
  csrFromTriplets,
  csrMatVec,
  csrSubmatrix,
  csrToDense,
  csrTranspose,
  csrTransposeMatVec,
} from "../../src/linalg/csr.js";
import { matVec, transpose } from "../../src/linalg/dense.js";
import { maxAbsDiff, randomDense, randomMMatrix, rng } from "./fixtures.js";

describe("CSR", () => {
  it("builds from unsorted triplets, summing duplicates, columns sorted", () => {
    const A = csrFromTriplets(3, [2, 0, 0, 2, 1, 0], [0, 2, 0, 0, 1, 2], [1, 2, 3, 4, 5, 6], 6);
    expect(Array.from(A.rowPtr)).toEqual([0, 2, 3, 4]);
    expect(Array.from(A.colIdx)).toEqual([0, 2, 1, 0]);
    expect(Array.from(A.values)).toEqual([3, 8, 5, 5]);
    expect(Array.from(csrToDense(A))).toEqual([3, 0, 8, 0, 5, 0, 5, 0, 0]);
    expect(csrByteSize(A)).toBe(4 * 4 + 4 * 4 + 4 * 8);
  });

  it("rejects out-of-range triplets", () => {
    expect(() => csrFromTriplets(2, [0], [2], [1], 1)).toThrow(/outside/);
  });

  it("matvec, transpose matvec and transpose agree with dense", () => {
    const n = 40;
    const r = rng(3);
    const D = randomDense(n, 11);
    for (let i = 0; i < n * n; i++) if (r() < 0.8) D[i] = 0;
    const A = csrFromDense(D, n);
    const x = randomDense(n, 12).subarray(0, n);
    const y = csrMatVec(A, x, new Float64Array(n));
    expect(maxAbsDiff(y, matVec(D, x, n))).toBeLessThan(1e-14);
    const Dt = transpose(D, n);
    const yt = csrTransposeMatVec(A, x, new Float64Array(n));
    expect(maxAbsDiff(yt, matVec(Dt, x, n))).toBeLessThan(1e-14);
    const At = csrTranspose(A);
    expect(Array.from(csrToDense(At))).toEqual(Array.from(Dt));
    for (let i = 0; i < n; i++)
      for (let k = At.rowPtr[i] + 1; k < At.rowPtr[i + 1]; k++)
        expect(At.colIdx[k]).toBeGreaterThan(At.colIdx[k - 1]);
    const d = csrDiagonal(A);
    for (let i = 0; i < n; i++) expect(d[i]).toBe(D[i * n + i]);
  });

  it("submatrix keeps the principal block and index maps", () => {
    const n = 30;
    const A = randomMMatrix(n, 4, 9);
    const D = csrToDense(A);
    const mask = new Uint8Array(n);
    for (let i = 0; i < n; i++) mask[i] = i % 3 === 0 ? 0 : 1;
    const { matrix, keep, newIndex } = csrSubmatrix(A, mask);
    expect(matrix.n).toBe(20);
    const S = csrToDense(matrix);
    for (let a = 0; a < matrix.n; a++) {
      expect(newIndex[keep[a]]).toBe(a);
      for (let b = 0; b < matrix.n; b++) expect(S[a * matrix.n + b]).toBe(D[keep[a] * n + keep[b]]);
    }
    expect(newIndex[0]).toBe(-1);
  });
});
