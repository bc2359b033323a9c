/**
 * Square sparse matrices in compressed sparse row (CSR) form on typed arrays.
 * Row i holds entries k = rowPtr[i] .. rowPtr[i+1]-1 with column colIdx[k] (sorted ascending,
 * no duplicates) and value values[k]. Used for the discrete generator Q of the PDE side.
 */
import { UserError } from "../errors.js";

export interface Csr {
  n: number;
  rowPtr: Int32Array;
  colIdx: Int32Array;
  values: Float64Array;
}

/**
 * Builds an n×n CSR matrix from COO triplets (rows[k], cols[k], vals[k]) for k < nnz.
 * Duplicates are summed; explicit zeros are kept (so the pattern is predictable). Columns sorted.
 */
export function csrFromTriplets(
  n: number,
  rows: ArrayLike<number>,
  cols: ArrayLike<number>,
  vals: ArrayLike<number>,
  nnz: number = rows.length,
): Csr {
  if (!Number.isInteger(n) || n < 0) throw new UserError(`csrFromTriplets: bad size n=${n}`);
  if (rows.length < nnz || cols.length < nnz || vals.length < nnz) {
    throw new UserError(`csrFromTriplets: triplet arrays shorter than nnz=${nnz}`);
  }
  // Counting sort by row, then by column within each row (two passes: by column, then stable by row).
  const count = new Int32Array(n + 1);
  for (let k = 0; k < nnz; k++) {
    const r = rows[k];
    const c = cols[k];
    if (!(r >= 0 && r < n && c >= 0 && c < n) || !Number.isInteger(r) || !Number.isInteger(c)) {
      throw new UserError(`csrFromTriplets: entry ${k} at (${r}, ${c}) outside ${n}×${n}`);
    }
    count[c + 1]++;
  }
  for (let i = 0; i < n; i++) count[i + 1] += count[i];
  const byCol = new Int32Array(nnz);
  const pos = count.slice(0, n);
  for (let k = 0; k < nnz; k++) byCol[pos[cols[k]]++] = k;
  const rcount = new Int32Array(n + 1);
  for (let k = 0; k < nnz; k++) rcount[rows[k] + 1]++;
  for (let i = 0; i < n; i++) rcount[i + 1] += rcount[i];
  const order = new Int32Array(nnz);
  const rpos = rcount.slice(0, n);
  for (let t = 0; t < nnz; t++) {
    const k = byCol[t];
    order[rpos[rows[k]]++] = k;
  }
  // Merge duplicates.
  const rowPtr = new Int32Array(n + 1);
  const colTmp = new Int32Array(nnz);
  const valTmp = new Float64Array(nnz);
  let m = 0;
  for (let i = 0; i < n; i++) {
    rowPtr[i] = m;
    let last = -1;
    for (let t = rcount[i]; t < rcount[i + 1]; t++) {
      const k = order[t];
      const c = cols[k];
      if (c === last) valTmp[m - 1] += vals[k];
      else {
        colTmp[m] = c;
        valTmp[m] = vals[k];
        m++;
        last = c;
      }
    }
  }
  rowPtr[n] = m;
  return { n, rowPtr, colIdx: colTmp.slice(0, m), values: valTmp.slice(0, m) };
}

/** y = A x. */
export function csrMatVec(A: Csr, x: Float64Array, y: Float64Array): Float64Array {
  const { n, rowPtr, colIdx, values } = A;
  for (let i = 0; i < n; i++) {
    let s = 0;
    const end = rowPtr[i + 1];
    for (let k = rowPtr[i]; k < end; k++) s += values[k] * x[colIdx[k]];
    y[i] = s;
  }
  return y;
}

/** y = Aᵀ x (without forming Aᵀ). */
export function csrTransposeMatVec(A: Csr, x: Float64Array, y: Float64Array): Float64Array {
  const { n, rowPtr, colIdx, values } = A;
  y.fill(0, 0, n);
  for (let i = 0; i < n; i++) {
    const xi = x[i];
    if (xi === 0) continue;
    const end = rowPtr[i + 1];
    for (let k = rowPtr[i]; k < end; k++) y[colIdx[k]] += values[k] * xi;
  }
  return y;
}

/** Aᵀ as a new CSR matrix (columns sorted). */
export function csrTranspose(A: Csr): Csr {
  const { n, rowPtr, colIdx, values } = A;
  const nnz = rowPtr[n];
  const tPtr = new Int32Array(n + 1);
  for (let k = 0; k < nnz; k++) tPtr[colIdx[k] + 1]++;
  for (let i = 0; i < n; i++) tPtr[i + 1] += tPtr[i];
  const pos = tPtr.slice(0, n);
  const tCol = new Int32Array(nnz);
  const tVal = new Float64Array(nnz);
  for (let i = 0; i < n; i++) {
    for (let k = rowPtr[i]; k < rowPtr[i + 1]; k++) {
      const p = pos[colIdx[k]]++;
      tCol[p] = i;
      tVal[p] = values[k];
    }
  }
  return { n, rowPtr: tPtr, colIdx: tCol, values: tVal };
}

/** Dense row-major copy (for tests and tiny problems). */
export function csrToDense(A: Csr): Float64Array {
  const { n, rowPtr, colIdx, values } = A;
  const D = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let k = rowPtr[i]; k < rowPtr[i + 1]; k++) D[i * n + colIdx[k]] += values[k];
  return D;
}

/** Diagonal entries (0 where the pattern has none). */
export function csrDiagonal(A: Csr, out?: Float64Array): Float64Array {
  const { n, rowPtr, colIdx, values } = A;
  const d = out ?? new Float64Array(n);
  d.fill(0, 0, n);
  for (let i = 0; i < n; i++) {
    for (let k = rowPtr[i]; k < rowPtr[i + 1]; k++) if (colIdx[k] === i) d[i] += values[k];
  }
  return d;
}

/** Restriction of A to the rows/columns with keepMask[i] ≠ 0, plus the index maps. */
export interface CsrSubmatrix {
  matrix: Csr;
  /** New index → old index (length = kept count). */
  keep: Int32Array;
  /** Old index → new index, or −1 if dropped. */
  newIndex: Int32Array;
}

/**
 * Principal submatrix A[K, K] for K = { i : keepMask[i] ≠ 0 }. For a generator Q and K the
 * non-absorbed nodes, the mean exit time solves Q_D u = −1 with Q_D = csrSubmatrix(Q, K).matrix
 * (entries to dropped columns, i.e. jumps into the absorbing set, are simply removed).
 */
export function csrSubmatrix(A: Csr, keepMask: ArrayLike<number | boolean>): CsrSubmatrix {
  const { n, rowPtr, colIdx, values } = A;
  if (keepMask.length < n) throw new UserError(`csrSubmatrix: mask length ${keepMask.length} < n=${n}`);
  const newIndex = new Int32Array(n);
  let m = 0;
  for (let i = 0; i < n; i++) newIndex[i] = keepMask[i] ? m++ : -1;
  const keep = new Int32Array(m);
  let nnz = 0;
  for (let i = 0; i < n; i++) {
    if (newIndex[i] < 0) continue;
    keep[newIndex[i]] = i;
    for (let k = rowPtr[i]; k < rowPtr[i + 1]; k++) if (newIndex[colIdx[k]] >= 0) nnz++;
  }
  const rp = new Int32Array(m + 1);
  const ci = new Int32Array(nnz);
  const va = new Float64Array(nnz);
  let p = 0;
  for (let r = 0; r < m; r++) {
    const i = keep[r];
    rp[r] = p;
    for (let k = rowPtr[i]; k < rowPtr[i + 1]; k++) {
      const c = newIndex[colIdx[k]];
      if (c >= 0) {
        ci[p] = c;
        va[p] = values[k];
        p++;
      }
    }
  }
  rp[m] = p;
  return { matrix: { n: m, rowPtr: rp, colIdx: ci, values: va }, keep, newIndex };
}

/** Bytes held by the matrix's arrays. */
export function csrByteSize(A: Csr): number {
  return A.rowPtr.byteLength + A.colIdx.byteLength + A.values.byteLength;
}

/** Sparse matrix from a dense row-major n×n array, dropping exact zeros (tests, tiny problems). */
export function csrFromDense(D: Float64Array, n: number): Csr {
  const rows: number[] = [];
  const cols: number[] = [];
  const vals: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const v = D[i * n + j];
      if (v !== 0) {
        rows.push(i);
        cols.push(j);
        vals.push(v);
      }
    }
  }
  return csrFromTriplets(n, rows, cols, vals, rows.length);
}

/** Symmetrised adjacency (pattern of A + Aᵀ without the diagonal, duplicates allowed). */
export function symmetricAdjacency(A: Csr): { ptr: Int32Array; adj: Int32Array } {
  const { n, rowPtr, colIdx } = A;
  const deg = new Int32Array(n + 1);
  for (let i = 0; i < n; i++)
    for (let k = rowPtr[i]; k < rowPtr[i + 1]; k++) {
      const j = colIdx[k];
      if (j !== i) {
        deg[i + 1]++;
        deg[j + 1]++;
      }
    }
  for (let i = 0; i < n; i++) deg[i + 1] += deg[i];
  const ptr = deg;
  const adj = new Int32Array(ptr[n]);
  const fill = ptr.slice(0, n);
  for (let i = 0; i < n; i++)
    for (let k = rowPtr[i]; k < rowPtr[i + 1]; k++) {
      const j = colIdx[k];
      if (j !== i) {
        adj[fill[i]++] = j;
        adj[fill[j]++] = i;
      }
    }
  return { ptr, adj };
}
