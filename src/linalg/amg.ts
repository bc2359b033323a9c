/**
 * Classical (Ruge–Stüben) algebraic multigrid for M-matrices (positive diagonal, non-positive
 * off-diagonals, weakly diagonally dominant) — exactly the class of −Q_D for a monotone generator.
 * Used as a preconditioner (one V-cycle) inside GMRES/BiCGSTAB. Nonsymmetric matrices are handled
 * with Galerkin coarse operators A_c = Pᵀ A P (restriction Pᵀ), which is robust for the upwind /
 * Scharfetter–Gummel generators of moderate cell Péclet number; the outer Krylov method absorbs
 * the remaining nonsymmetry.
 *
 * Setup: strength |a_ij| ≥ θ·max_k |a_ik| over off-diagonals of sign opposite to the diagonal;
 * RS first-pass C/F splitting (bucket lists on the influence count); direct interpolation with the
 * row-sum-preserving weights w_ij = −(Σ_{k∈N_i} a_ik / Σ_{k∈C_i} a_ik)·a_ij/a_ii (so killing
 * rows interpolate with total weight < 1). Smoother: forward Gauss–Seidel before, backward after.
 * Coarsest level (≤ coarseSize unknowns): dense LU.
 */

import { NumericalError } from "../errors.js";
import { throwIfStopped } from "../stop.js";
import type { Csr } from "./csr.js";
import { type LuFactors, luFactor, luSolve } from "./dense.js";
import type { Preconditioner } from "./precond.js";

/** Rectangular CSR used inside the hierarchy (columns sorted). */
interface Mat {
  nrows: number;
  ncols: number;
  rowPtr: Int32Array;
  colIdx: Int32Array;
  values: Float64Array;
}

export interface AmgOptions {
  /** Strength threshold θ. Default 0.25. */
  theta?: number;
  /** Stop coarsening at this many unknowns (dense LU there). Default 400. */
  coarseSize?: number;
  /** Maximum number of levels. Default 25. */
  maxLevels?: number;
  /** Pre- and post-smoothing sweeps. Default 1 each. */
  sweeps?: number;
  /** Restriction from the interpolation of Aᵀ (true, default) or Pᵀ (false). */
  petrovGalerkin?: boolean;
  /** Drop interpolation weights below truncate·max|w| of their row (row sum kept). Default 0.2. */
  truncate?: number;
}

interface Level {
  A: Mat;
  invDiag: Float64Array;
  P?: Mat;
  R?: Mat;
  x: Float64Array;
  b: Float64Array;
  r: Float64Array;
}

export interface AmgHierarchy extends Preconditioner {
  /** Unknowns per level, finest first. */
  readonly sizes: number[];
  /** Nonzeros per level, finest first. */
  readonly nnz: number[];
  /** Σ nnz(A_l) / nnz(A_0). */
  readonly operatorComplexity: number;
}

function toMat(A: Csr): Mat {
  return { nrows: A.n, ncols: A.n, rowPtr: A.rowPtr, colIdx: A.colIdx, values: A.values };
}

function transposeMat(A: Mat): Mat {
  const { nrows, ncols, rowPtr, colIdx, values } = A;
  const nnz = rowPtr[nrows];
  const tPtr = new Int32Array(ncols + 1);
  for (let k = 0; k < nnz; k++) tPtr[colIdx[k] + 1]++;
  for (let i = 0; i < ncols; i++) tPtr[i + 1] += tPtr[i];
  const pos = tPtr.slice(0, ncols);
  const tCol = new Int32Array(nnz);
  const tVal = new Float64Array(nnz);
  for (let i = 0; i < nrows; i++) {
    for (let k = rowPtr[i]; k < rowPtr[i + 1]; k++) {
      const p = pos[colIdx[k]]++;
      tCol[p] = i;
      tVal[p] = values[k];
    }
  }
  return { nrows: ncols, ncols: nrows, rowPtr: tPtr, colIdx: tCol, values: tVal };
}

/** C = A·B (Gustavson), columns sorted per row. */
function matMat(A: Mat, B: Mat): Mat {
  const n = A.nrows;
  const m = B.ncols;
  const marker = new Int32Array(m).fill(-1);
  const acc = new Float64Array(m);
  let cap = Math.max(16, A.rowPtr[n] * 2);
  let cCol = new Int32Array(cap);
  let cVal = new Float64Array(cap);
  const cPtr = new Int32Array(n + 1);
  let nnz = 0;
  for (let i = 0; i < n; i++) {
    const start = nnz;
    for (let ka = A.rowPtr[i]; ka < A.rowPtr[i + 1]; ka++) {
      const j = A.colIdx[ka];
      const a = A.values[ka];
      for (let kb = B.rowPtr[j]; kb < B.rowPtr[j + 1]; kb++) {
        const c = B.colIdx[kb];
        if (marker[c] < start) {
          marker[c] = nnz;
          if (nnz >= cap) {
            cap *= 2;
            const nc = new Int32Array(cap);
            nc.set(cCol);
            cCol = nc;
            const nv = new Float64Array(cap);
            nv.set(cVal);
            cVal = nv;
          }
          cCol[nnz++] = c;
          acc[c] = a * B.values[kb];
        } else acc[c] += a * B.values[kb];
      }
    }
    // insertion sort of the row's columns (rows are short)
    for (let p = start + 1; p < nnz; p++) {
      const c = cCol[p];
      let q = p - 1;
      while (q >= start && cCol[q] > c) {
        cCol[q + 1] = cCol[q];
        q--;
      }
      cCol[q + 1] = c;
    }
    for (let p = start; p < nnz; p++) cVal[p] = acc[cCol[p]];
    cPtr[i + 1] = nnz;
  }
  return { nrows: n, ncols: m, rowPtr: cPtr, colIdx: cCol.slice(0, nnz), values: cVal.slice(0, nnz) };
}

/** RS C/F splitting (1 = coarse), or undefined if coarsening makes no progress. */
function splitting(A: Mat, theta: number): Uint8Array | undefined {
  const n = A.nrows;
  const { rowPtr, colIdx, values } = A;
  // strength S (row i: points i strongly depends on)
  const sPtr = new Int32Array(n + 1);
  const sCol = new Int32Array(rowPtr[n]);
  let ns = 0;
  for (let i = 0; i < n; i++) {
    let d = 0;
    let mx = 0;
    for (let k = rowPtr[i]; k < rowPtr[i + 1]; k++) if (colIdx[k] === i) d = values[k];
    const sg = d >= 0 ? 1 : -1;
    for (let k = rowPtr[i]; k < rowPtr[i + 1]; k++) {
      if (colIdx[k] !== i) mx = Math.max(mx, -sg * values[k]);
    }
    if (mx > 0) {
      const thr = theta * mx;
      for (let k = rowPtr[i]; k < rowPtr[i + 1]; k++) {
        if (colIdx[k] !== i && -sg * values[k] >= thr) sCol[ns++] = colIdx[k];
      }
    }
    sPtr[i + 1] = ns;
  }
  // Sᵀ
  const tPtr = new Int32Array(n + 1);
  for (let k = 0; k < ns; k++) tPtr[sCol[k] + 1]++;
  for (let i = 0; i < n; i++) tPtr[i + 1] += tPtr[i];
  const tCol = new Int32Array(ns);
  const tp = tPtr.slice(0, n);
  for (let i = 0; i < n; i++) for (let k = sPtr[i]; k < sPtr[i + 1]; k++) tCol[tp[sCol[k]]++] = i;
  // RS first pass with bucket lists (doubly linked, one list per λ value; O(1) updates).
  // λ_i = |Sᵀ_i| + (number of its dependants made F) ≤ 2·|Sᵀ_i|. Ties: the most recently moved
  // node first (as in AMG1R5), which sweeps a regular front across grids.
  const U = 0;
  const C = 1;
  const F = 2;
  const state = new Uint8Array(n);
  const lambda = new Int32Array(n);
  let maxLam = 0;
  for (let i = 0; i < n; i++) {
    lambda[i] = tPtr[i + 1] - tPtr[i];
    if (lambda[i] > maxLam) maxLam = lambda[i];
  }
  const nb = 2 * maxLam + 2;
  const head = new Int32Array(nb).fill(-1);
  const next = new Int32Array(n).fill(-1);
  const prev = new Int32Array(n).fill(-1);
  const inList = new Uint8Array(n);
  const insert = (i: number) => {
    const l = lambda[i];
    const h = head[l];
    next[i] = h;
    prev[i] = -1;
    if (h >= 0) prev[h] = i;
    head[l] = i;
    inList[i] = 1;
  };
  const remove = (i: number) => {
    const p = prev[i];
    const q = next[i];
    if (p >= 0) next[p] = q;
    else head[lambda[i]] = q;
    if (q >= 0) prev[q] = p;
    inList[i] = 0;
  };
  for (let i = n - 1; i >= 0; i--) {
    if (sPtr[i + 1] === sPtr[i] && lambda[i] === 0)
      state[i] = F; // isolated: the smoother solves it
    else if (lambda[i] > 0) insert(i);
  }
  let top = nb - 1;
  for (;;) {
    while (top > 0 && head[top] < 0) top--;
    if (top <= 0) break;
    const i = head[top];
    remove(i);
    state[i] = C;
    for (let k = tPtr[i]; k < tPtr[i + 1]; k++) {
      const j = tCol[k];
      if (state[j] !== U) continue;
      if (inList[j]) remove(j);
      state[j] = F;
      for (let q = sPtr[j]; q < sPtr[j + 1]; q++) {
        const l = sCol[q];
        if (state[l] === U && inList[l] && lambda[l] < nb - 1) {
          remove(l);
          lambda[l]++;
          insert(l);
          if (lambda[l] > top) top = lambda[l];
        }
      }
    }
    for (let k = sPtr[i]; k < sPtr[i + 1]; k++) {
      const j = sCol[k];
      if (state[j] === U && inList[j]) {
        remove(j);
        lambda[j]--;
        if (lambda[j] > 0) insert(j);
      }
    }
  }
  // leftovers and F points without a strong C neighbour become C
  for (let i = 0; i < n; i++) {
    if (state[i] === C) continue;
    if (sPtr[i + 1] === sPtr[i]) {
      state[i] = F;
      continue;
    }
    let hasC = false;
    for (let k = sPtr[i]; k < sPtr[i + 1]; k++) if (state[sCol[k]] === C) hasC = true;
    state[i] = hasC ? F : C;
  }
  let nc = 0;
  for (let i = 0; i < n; i++) if (state[i] === C) nc++;
  if (nc === 0 || nc > 0.85 * n) return undefined;
  return state;
}

/**
 * Direct interpolation for the splitting `isC` (1 = coarse), rows of M: for F-point i with strong
 * coarse neighbours C_i (strength θ relative to the row's largest opposite-sign entry),
 * w_ij = −(Σ_{k∈N_i} a_ik / Σ_{k∈C_i} a_ik)·a_ij/ã_ii, ã_ii = a_ii + same-sign off-diagonals;
 * weights below truncate·max|w| are dropped and the rest rescaled (row sum kept).
 */
function directInterpolation(M: Mat, isC: Uint8Array, theta: number, truncate: number): Mat {
  const n = M.nrows;
  const { rowPtr, colIdx, values } = M;
  const cIndex = new Int32Array(n).fill(-1);
  let nc = 0;
  for (let i = 0; i < n; i++) if (isC[i]) cIndex[i] = nc++;
  const pPtr = new Int32Array(n + 1);
  let cap = 4 * n + 16;
  let pCol = new Int32Array(cap);
  let pVal = new Float64Array(cap);
  let np = 0;
  for (let i = 0; i < n; i++) {
    const rs = rowPtr[i];
    const re = rowPtr[i + 1];
    if (np + (re - rs) + 1 > cap) {
      cap = 2 * cap + re - rs + 1;
      const c2 = new Int32Array(cap);
      c2.set(pCol);
      pCol = c2;
      const v2 = new Float64Array(cap);
      v2.set(pVal);
      pVal = v2;
    }
    if (isC[i]) {
      pCol[np] = cIndex[i];
      pVal[np++] = 1;
      pPtr[i + 1] = np;
      continue;
    }
    let d = 0;
    for (let k = rs; k < re; k++) if (colIdx[k] === i) d += values[k];
    const sg = d >= 0 ? 1 : -1;
    let mx = 0;
    for (let k = rs; k < re; k++) if (colIdx[k] !== i) mx = Math.max(mx, -sg * values[k]);
    const thr = theta * mx;
    let sumN = 0;
    let sumC = 0;
    let sumNpos = 0;
    for (let k = rs; k < re; k++) {
      const j = colIdx[k];
      if (j === i) continue;
      const a = values[k];
      if (-sg * a > 0) {
        sumN += a;
        if (isC[j] && -sg * a >= thr) sumC += a;
      } else sumNpos += a;
    }
    const dd = d + sumNpos; // lump same-sign off-diagonals into the diagonal
    if (sumC !== 0 && dd !== 0) {
      const alpha = sumN / sumC;
      const start = np;
      let wmax = 0;
      let wsum = 0;
      for (let k = rs; k < re; k++) {
        const j = colIdx[k];
        if (j === i || !isC[j]) continue;
        const a = values[k];
        if (-sg * a < thr || -sg * a <= 0) continue;
        const wgt = (-alpha * a) / dd;
        pCol[np] = cIndex[j];
        pVal[np++] = wgt;
        wmax = Math.max(wmax, Math.abs(wgt));
        wsum += wgt;
      }
      if (truncate > 0 && np - start > 1) {
        let keptSum = 0;
        let q = start;
        for (let t = start; t < np; t++) {
          if (Math.abs(pVal[t]) >= truncate * wmax) {
            pCol[q] = pCol[t];
            pVal[q] = pVal[t];
            keptSum += pVal[q];
            q++;
          }
        }
        np = q;
        if (keptSum !== 0) for (let t = start; t < np; t++) pVal[t] *= wsum / keptSum;
      }
    }
    // columns stay sorted: M's columns are sorted and cIndex is monotone
    pPtr[i + 1] = np;
  }
  return { nrows: n, ncols: nc, rowPtr: pPtr, colIdx: pCol.slice(0, np), values: pVal.slice(0, np) };
}

function invDiagonal(A: Mat): Float64Array {
  const d = new Float64Array(A.nrows);
  for (let i = 0; i < A.nrows; i++) {
    for (let k = A.rowPtr[i]; k < A.rowPtr[i + 1]; k++) if (A.colIdx[k] === i) d[i] += A.values[k];
    if (d[i] === 0 || !Number.isFinite(d[i])) throw new NumericalError(`amg: zero diagonal at row ${i}`);
    d[i] = 1 / d[i];
  }
  return d;
}

function gsForward(A: Mat, invD: Float64Array, b: Float64Array, x: Float64Array): void {
  const { nrows, rowPtr, colIdx, values } = A;
  for (let i = 0; i < nrows; i++) {
    let s = b[i];
    const e = rowPtr[i + 1];
    for (let k = rowPtr[i]; k < e; k++) s -= values[k] * x[colIdx[k]];
    x[i] += s * invD[i];
  }
}

/** First forward Gauss–Seidel sweep from x = 0: only the strictly lower part contributes. */
function gsForwardFromZero(A: Mat, invD: Float64Array, b: Float64Array, x: Float64Array): void {
  const { nrows, rowPtr, colIdx, values } = A;
  for (let i = 0; i < nrows; i++) {
    let s = b[i];
    const e = rowPtr[i + 1];
    for (let k = rowPtr[i]; k < e; k++) {
      const j = colIdx[k];
      if (j >= i) break;
      s -= values[k] * x[j];
    }
    x[i] = s * invD[i];
  }
}

function gsBackward(A: Mat, invD: Float64Array, b: Float64Array, x: Float64Array): void {
  const { rowPtr, colIdx, values } = A;
  for (let i = A.nrows - 1; i >= 0; i--) {
    let s = b[i];
    const e = rowPtr[i + 1];
    for (let k = rowPtr[i]; k < e; k++) s -= values[k] * x[colIdx[k]];
    x[i] += s * invD[i];
  }
}

function matVecInto(A: Mat, x: Float64Array, y: Float64Array): void {
  const { nrows, rowPtr, colIdx, values } = A;
  for (let i = 0; i < nrows; i++) {
    let s = 0;
    const e = rowPtr[i + 1];
    for (let k = rowPtr[i]; k < e; k++) s += values[k] * x[colIdx[k]];
    y[i] = s;
  }
}

function matBytes(A: Mat): number {
  return A.rowPtr.byteLength + A.colIdx.byteLength + A.values.byteLength;
}

/** Builds the AMG hierarchy; `apply` runs one V-cycle from a zero initial guess. */
export function amgPreconditioner(A0: Csr, opts: AmgOptions = {}): AmgHierarchy {
  const theta = opts.theta ?? 0.25;
  const coarseSize = opts.coarseSize ?? 400;
  const maxLevels = opts.maxLevels ?? 25;
  const sweeps = opts.sweeps ?? 1;
  const truncate = opts.truncate ?? 0.2;
  const petrov = opts.petrovGalerkin ?? true;
  const levels: Level[] = [];
  let A = toMat(A0);
  for (;;) {
    const n = A.nrows;
    const lvl: Level = {
      A,
      invDiag: invDiagonal(A),
      x: new Float64Array(n),
      b: new Float64Array(n),
      r: new Float64Array(n),
    };
    levels.push(lvl);
    if (n <= coarseSize || levels.length >= maxLevels) break;
    throwIfStopped("the multigrid setup");
    const split = splitting(A, theta);
    if (!split) break;
    const isC = new Uint8Array(n);
    for (let i = 0; i < n; i++) isC[i] = split[i] === 1 ? 1 : 0;
    const P = directInterpolation(A, isC, theta, truncate);
    // Petrov–Galerkin restriction: the same interpolation built on Aᵀ. For a reversible generator
    // (π_i a_ij = π_j a_ji) this is ≈ Π_c⁻¹ Pᵀ Π, i.e. Galerkin in the π-weighted inner product.
    const R = transposeMat(petrov ? directInterpolation(transposeMat(A), isC, theta, truncate) : P);
    throwIfStopped("the multigrid setup");
    lvl.P = P;
    lvl.R = R;
    A = matMat(R, matMat(A, P));
  }
  const last = levels[levels.length - 1];
  let coarseLu: LuFactors | undefined;
  if (last.A.nrows <= 3000) {
    const m = last.A.nrows;
    const D = new Float64Array(m * m);
    for (let i = 0; i < m; i++)
      for (let k = last.A.rowPtr[i]; k < last.A.rowPtr[i + 1]; k++)
        D[i * m + last.A.colIdx[k]] += last.A.values[k];
    coarseLu = luFactor(D, m);
    if (coarseLu.singular) coarseLu = undefined;
  }
  const coarseSolve = (lvl: Level) => {
    if (coarseLu) luSolve(coarseLu, lvl.b, lvl.x);
    else {
      lvl.x.fill(0);
      for (let s = 0; s < 20; s++) {
        gsForward(lvl.A, lvl.invDiag, lvl.b, lvl.x);
        gsBackward(lvl.A, lvl.invDiag, lvl.b, lvl.x);
      }
    }
  };
  const vcycle = (l: number) => {
    const lvl = levels[l];
    if (l === levels.length - 1) {
      coarseSolve(lvl);
      return;
    }
    const { A, invDiag, x, b, r } = lvl;
    gsForwardFromZero(A, invDiag, b, x);
    for (let s = 1; s < sweeps; s++) gsForward(A, invDiag, b, x);
    matVecInto(A, x, r);
    for (let i = 0; i < A.nrows; i++) r[i] = b[i] - r[i];
    const next = levels[l + 1];
    matVecInto(lvl.R!, r, next.b);
    vcycle(l + 1);
    // x += P x_c
    const P = lvl.P!;
    const xc = next.x;
    for (let i = 0; i < P.nrows; i++) {
      let s = 0;
      for (let k = P.rowPtr[i]; k < P.rowPtr[i + 1]; k++) s += P.values[k] * xc[P.colIdx[k]];
      x[i] += s;
    }
    for (let s = 0; s < sweeps; s++) gsBackward(A, invDiag, b, x);
  };
  let bytes = 0;
  let nnzAll = 0;
  for (const lvl of levels) {
    if (lvl !== levels[0]) bytes += matBytes(lvl.A);
    if (lvl.P) bytes += matBytes(lvl.P) + matBytes(lvl.R!);
    bytes += 4 * 8 * lvl.A.nrows;
    nnzAll += lvl.A.rowPtr[lvl.A.nrows];
  }
  if (coarseLu) bytes += coarseLu.lu.byteLength;
  const fine = levels[0];
  return {
    name: "amg",
    sizes: levels.map((l) => l.A.nrows),
    nnz: levels.map((l) => l.A.rowPtr[l.A.nrows]),
    operatorComplexity: nnzAll / Math.max(1, A0.rowPtr[A0.n]),
    bytes,
    apply(r: Float64Array, z: Float64Array) {
      fine.b.set(r);
      vcycle(0);
      z.set(fine.x);
    },
  };
}
