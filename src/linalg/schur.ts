/**
 * Static condensation of an independent set: pick F = a maximal set of unknowns with no matrix
 * entries between them (a checkerboard on 5-point grids), so that A_FF is diagonal, and reduce
 *   S = A_CC − A_CF A_FF⁻¹ A_FC,   S x_C = b_C − A_CF A_FF⁻¹ b_F,   x_F = A_FF⁻¹ (b_F − A_FC x_C).
 * Exact (no approximation). The Schur complement of an M-matrix is an M-matrix, so S keeps the
 * structure the AMG expects while halving the unknowns on 5-point grids.
 */
import type { Csr } from "./csr.js";

export interface IndependentSetReduction {
  /** The reduced matrix on the C unknowns. */
  S: Csr;
  /** Old index → position in C (≥ 0) or −1 for F unknowns. */
  cIndex: Int32Array;
  /** C position → old index. */
  cNodes: Int32Array;
  /** Number of eliminated (F) unknowns. */
  eliminated: number;
  /** bC = b_C − A_CF A_FF⁻¹ b_F (bC has length S.n). */
  reduceRhs(b: Float64Array, bC: Float64Array): void;
  /** Full x from x_C: x_C scattered, x_F = A_FF⁻¹ (b_F − A_FC x_C). */
  recover(xC: Float64Array, b: Float64Array, x: Float64Array): void;
  bytes: number;
}

/**
 * Builds the reduction; returns undefined when fewer than `minFraction` of the unknowns can be
 * eliminated (default 0.3) or a diagonal entry is zero.
 */
export function independentSetReduction(A: Csr, minFraction = 0.3): IndependentSetReduction | undefined {
  const { n, rowPtr, colIdx, values } = A;
  const diag = new Float64Array(n);
  for (let i = 0; i < n; i++)
    for (let k = rowPtr[i]; k < rowPtr[i + 1]; k++) if (colIdx[k] === i) diag[i] += values[k];
  const isF = new Uint8Array(n);
  const blocked = new Uint8Array(n);
  let nf = 0;
  // i joins F if no earlier F node is in row i (a_ik ≠ 0) and i is not in an earlier F row
  // (a_ki ≠ 0): no entries between F nodes in either direction, without forming Aᵀ.
  outer: for (let i = 0; i < n; i++) {
    if (blocked[i] || diag[i] === 0) continue;
    for (let k = rowPtr[i]; k < rowPtr[i + 1]; k++) if (isF[colIdx[k]] && colIdx[k] !== i) continue outer;
    isF[i] = 1;
    nf++;
    for (let k = rowPtr[i]; k < rowPtr[i + 1]; k++) blocked[colIdx[k]] = 1;
  }
  if (nf < minFraction * n) return undefined;
  const cIndex = new Int32Array(n).fill(-1);
  const nc = n - nf;
  const cNodes = new Int32Array(nc);
  let c = 0;
  for (let i = 0; i < n; i++) {
    if (!isF[i]) {
      cIndex[i] = c;
      cNodes[c++] = i;
    }
  }
  const invD = new Float64Array(n);
  for (let i = 0; i < n; i++) if (isF[i]) invD[i] = 1 / diag[i];
  // S by rows (Gustavson with a marker array)
  const marker = new Int32Array(nc).fill(-1);
  const acc = new Float64Array(nc);
  let cap = rowPtr[n] * 2 + 16;
  let sCol = new Int32Array(cap);
  let sVal = new Float64Array(cap);
  const sPtr = new Int32Array(nc + 1);
  let nnz = 0;
  for (let r = 0; r < nc; r++) {
    const i = cNodes[r];
    const start = nnz;
    // make room for the worst case of this row
    let worst = 0;
    for (let k = rowPtr[i]; k < rowPtr[i + 1]; k++) {
      const j = colIdx[k];
      worst += isF[j] ? rowPtr[j + 1] - rowPtr[j] : 1;
    }
    if (nnz + worst > cap) {
      cap = 2 * (nnz + worst);
      const a2 = new Int32Array(cap);
      a2.set(sCol);
      sCol = a2;
      const b2 = new Float64Array(cap);
      b2.set(sVal);
      sVal = b2;
    }
    for (let k = rowPtr[i]; k < rowPtr[i + 1]; k++) {
      const j = colIdx[k];
      const a = values[k];
      if (!isF[j]) {
        const col = cIndex[j];
        if (marker[col] < start) {
          marker[col] = nnz;
          sCol[nnz++] = col;
          acc[col] = a;
        } else acc[col] += a;
      } else {
        const f = a * invD[j];
        for (let q = rowPtr[j]; q < rowPtr[j + 1]; q++) {
          const l = colIdx[q];
          if (l === j) continue;
          const col = cIndex[l];
          const v = -f * values[q];
          if (marker[col] < start) {
            marker[col] = nnz;
            sCol[nnz++] = col;
            acc[col] = v;
          } else acc[col] += v;
        }
      }
    }
    for (let p = start + 1; p < nnz; p++) {
      const col = sCol[p];
      let q = p - 1;
      while (q >= start && sCol[q] > col) {
        sCol[q + 1] = sCol[q];
        q--;
      }
      sCol[q + 1] = col;
    }
    for (let p = start; p < nnz; p++) sVal[p] = acc[sCol[p]];
    sPtr[r + 1] = nnz;
  }
  const S: Csr = { n: nc, rowPtr: sPtr, colIdx: sCol.slice(0, nnz), values: sVal.slice(0, nnz) };
  return {
    S,
    cIndex,
    cNodes,
    eliminated: nf,
    bytes: S.rowPtr.byteLength + S.colIdx.byteLength + S.values.byteLength + 16 * n,
    reduceRhs(b, bC) {
      for (let r = 0; r < nc; r++) {
        const i = cNodes[r];
        let s = b[i];
        for (let k = rowPtr[i]; k < rowPtr[i + 1]; k++) {
          const j = colIdx[k];
          if (isF[j]) s -= values[k] * invD[j] * b[j];
        }
        bC[r] = s;
      }
    },
    recover(xC, b, x) {
      for (let r = 0; r < nc; r++) x[cNodes[r]] = xC[r];
      for (let j = 0; j < n; j++) {
        if (!isF[j]) continue;
        let s = b[j];
        for (let k = rowPtr[j]; k < rowPtr[j + 1]; k++) {
          const l = colIdx[k];
          if (l !== j) s -= values[k] * x[l];
        }
        x[j] = s * invD[j];
      }
    },
  };
}
