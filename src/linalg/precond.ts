/**
 * Preconditioners for the sparse solvers. A preconditioner applies z ≈ A⁻¹ r; it must be a fixed
 * linear operator (GMRES/BiCGSTAB here use right preconditioning, not the flexible variants).
 */

import { NumericalError } from "../errors.js";
import type { Csr } from "./csr.js";

export interface Preconditioner {
  /** Name for reports, e.g. "ilu0", "amg". */
  readonly name: string;
  /** z = M⁻¹ r (z and r distinct arrays of length n). Allocates nothing. */
  apply(r: Float64Array, z: Float64Array): void;
  /** Bytes held. */
  readonly bytes: number;
}

export function identityPreconditioner(): Preconditioner {
  return { name: "none", apply: (r, z) => z.set(r), bytes: 0 };
}

/** Diagonal (Jacobi) scaling. */
export function jacobiPreconditioner(A: Csr): Preconditioner {
  const { n, rowPtr, colIdx, values } = A;
  const inv = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let k = rowPtr[i]; k < rowPtr[i + 1]; k++) if (colIdx[k] === i) inv[i] = values[k];
    if (inv[i] === 0) throw new NumericalError(`jacobi: zero diagonal at row ${i}`);
    inv[i] = 1 / inv[i];
  }
  return {
    name: "jacobi",
    apply(r, z) {
      for (let i = 0; i < n; i++) z[i] = r[i] * inv[i];
    },
    bytes: inv.byteLength,
  };
}

/**
 * ILU(0): incomplete LU on the sparsity pattern of A (columns must be sorted, diagonal present).
 * For an M-matrix it exists and is stable (Meijerink–van der Vorst). Throws NumericalError on a
 * zero/non-finite pivot.
 */
export function ilu0(A: Csr): Preconditioner {
  const { n, rowPtr, colIdx } = A;
  const lu = Float64Array.from(A.values);
  const diagPos = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    for (let k = rowPtr[i]; k < rowPtr[i + 1]; k++) if (colIdx[k] === i) diagPos[i] = k;
    if (diagPos[i] < 0) throw new NumericalError(`ilu0: no diagonal entry in row ${i}`);
  }
  const pos = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    const s = rowPtr[i];
    const e = rowPtr[i + 1];
    for (let k = s; k < e; k++) pos[colIdx[k]] = k;
    for (let k = s; k < e; k++) {
      const j = colIdx[k];
      if (j >= i) break;
      const l = lu[k] / lu[diagPos[j]];
      lu[k] = l;
      for (let t = diagPos[j] + 1; t < rowPtr[j + 1]; t++) {
        const p = pos[colIdx[t]];
        if (p >= 0) lu[p] -= l * lu[t];
      }
    }
    for (let k = s; k < e; k++) pos[colIdx[k]] = -1;
    const d = lu[diagPos[i]];
    if (d === 0 || !Number.isFinite(d))
      throw new NumericalError(`ilu0: zero or non-finite pivot at row ${i}`);
  }
  return {
    name: "ilu0",
    apply(r, z) {
      for (let i = 0; i < n; i++) {
        let s = r[i];
        for (let k = rowPtr[i]; k < diagPos[i]; k++) s -= lu[k] * z[colIdx[k]];
        z[i] = s;
      }
      for (let i = n - 1; i >= 0; i--) {
        let s = z[i];
        const e = rowPtr[i + 1];
        for (let k = diagPos[i] + 1; k < e; k++) s -= lu[k] * z[colIdx[k]];
        z[i] = s / lu[diagPos[i]];
      }
    },
    bytes: lu.byteLength + diagPos.byteLength,
  };
}
