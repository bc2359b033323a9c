/**
 * Tridiagonal solve (Thomas algorithm) for 1-D problems: rows
 *   lower[i]·x[i−1] + diag[i]·x[i] + upper[i]·x[i+1] = rhs[i],   i = 0..n−1
 * (lower[0] and upper[n−1] are ignored). No pivoting: stable for diagonally dominant matrices,
 * which includes every Q_D of a 1-D generator with at least one absorbing or killing node.
 */

import { NumericalError, UserError } from "../errors.js";
import type { Csr } from "./csr.js";

/**
 * Solves the tridiagonal system; writes into `out` if given. Throws NumericalError naming the row
 * if a pivot vanishes or is not finite (singular matrix, e.g. a generator with no absorbing node).
 */
export function solveTridiagonal(
  lower: ArrayLike<number>,
  diag: ArrayLike<number>,
  upper: ArrayLike<number>,
  rhs: ArrayLike<number>,
  out?: Float64Array,
): Float64Array {
  const n = diag.length;
  if (lower.length < n || upper.length < n || rhs.length < n) {
    throw new UserError(`solveTridiagonal: band arrays must have length ≥ n=${n}`);
  }
  const x = out ?? new Float64Array(n);
  if (n === 0) return x;
  const c = new Float64Array(n);
  // scale for the "pivot vanished" test: relative to the row's size
  let pivot = diag[0];
  checkPivot(pivot, 0, Math.abs(diag[0]) + Math.abs(upper[0]));
  c[0] = upper[0] / pivot;
  x[0] = rhs[0] / pivot;
  for (let i = 1; i < n; i++) {
    const l = lower[i];
    pivot = diag[i] - l * c[i - 1];
    checkPivot(pivot, i, Math.abs(diag[i]) + Math.abs(l) + (i < n - 1 ? Math.abs(upper[i]) : 0));
    c[i] = i < n - 1 ? upper[i] / pivot : 0;
    x[i] = (rhs[i] - l * x[i - 1]) / pivot;
  }
  for (let i = n - 2; i >= 0; i--) x[i] -= c[i] * x[i + 1];
  return x;
}

function checkPivot(p: number, i: number, scale: number): void {
  if (!Number.isFinite(p) || Math.abs(p) <= 1e-300 || Math.abs(p) <= 4e-16 * scale * 1e-3) {
    throw new NumericalError(
      `solveTridiagonal: pivot ${p} at row ${i} vanishes (matrix singular or not diagonally dominant; ` +
        "for an exit-time problem: is any node absorbing?)",
    );
  }
}

/** Extracts the three bands of a tridiagonal CSR matrix; throws UserError if it has other entries. */
export function tridiagonalBands(A: Csr): { lower: Float64Array; diag: Float64Array; upper: Float64Array } {
  const { n, rowPtr, colIdx, values } = A;
  const lower = new Float64Array(n);
  const diag = new Float64Array(n);
  const upper = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let k = rowPtr[i]; k < rowPtr[i + 1]; k++) {
      const j = colIdx[k];
      if (j === i) diag[i] += values[k];
      else if (j === i - 1) lower[i] += values[k];
      else if (j === i + 1) upper[i] += values[k];
      else if (values[k] !== 0) throw new UserError(`tridiagonalBands: entry (${i}, ${j}) outside the band`);
    }
  }
  return { lower, diag, upper };
}

/** True if every nonzero of A lies within |i−j| ≤ 1. */
export function isTridiagonal(A: Csr): boolean {
  const { n, rowPtr, colIdx, values } = A;
  for (let i = 0; i < n; i++)
    for (let k = rowPtr[i]; k < rowPtr[i + 1]; k++)
      if (Math.abs(colIdx[k] - i) > 1 && values[k] !== 0) return false;
  return true;
}
