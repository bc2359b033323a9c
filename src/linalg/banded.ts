/**
 * Direct sparse fallback: reverse Cuthill–McKee ordering + banded LU without pivoting.
 * No pivoting is needed (and none is done) for nonsingular M-matrices and for diagonally
 * dominant matrices: all pivots stay positive and elimination is backward stable. Other
 * matrices are attempted and a vanishing pivot throws NumericalError. Memory is
 * (lower + upper + 1)·n doubles: check `bandedLuBytes` before calling on large grids
 * (an N×N grid has bandwidth ≈ N after RCM).
 */

import { NumericalError } from "../errors.js";
import { type Csr, symmetricAdjacency } from "./csr.js";

/** Reverse Cuthill–McKee permutation (perm[newIndex] = oldIndex) of the symmetrised pattern. */
export function rcmOrdering(A: Csr): Int32Array {
  const n = A.n;
  const { ptr: adjPtr, adj } = symmetricAdjacency(A);
  const deg = new Int32Array(n);
  for (let i = 0; i < n; i++) deg[i] = adjPtr[i + 1] - adjPtr[i];
  const visited = new Uint8Array(n);
  const order = new Int32Array(n);
  const level = new Int32Array(n);
  let head = 0;
  const bfsFarthest = (s: number, mark: Uint8Array): number => {
    // returns the last node of a BFS (a far node), using a scratch queue in `order` beyond `head`
    const q = new Int32Array(n);
    let qh = 0;
    let qt = 0;
    q[qt++] = s;
    mark[s] = 1;
    let last = s;
    while (qh < qt) {
      const v = q[qh++];
      last = v;
      for (let k = adjPtr[v]; k < adjPtr[v + 1]; k++) {
        const w = adj[k];
        if (!mark[w]) {
          mark[w] = 1;
          q[qt++] = w;
        }
      }
    }
    for (let t = 0; t < qt; t++) mark[q[t]] = 0;
    return last;
  };
  const scratch = new Uint8Array(n);
  for (let s0 = 0; s0 < n; s0++) {
    if (visited[s0]) continue;
    // pseudo-peripheral start: two BFS sweeps
    const s = bfsFarthest(bfsFarthest(s0, scratch), scratch);
    const start = head;
    order[head++] = s;
    visited[s] = 1;
    level[s] = 0;
    let qh = start;
    while (qh < head) {
      const v = order[qh++];
      const first = head;
      for (let k = adjPtr[v]; k < adjPtr[v + 1]; k++) {
        const w = adj[k];
        if (!visited[w]) {
          visited[w] = 1;
          order[head++] = w;
        }
      }
      // sort the newly added by degree (insertion sort: few entries)
      for (let p = first + 1; p < head; p++) {
        const w = order[p];
        let q = p - 1;
        while (q >= first && deg[order[q]] > deg[w]) {
          order[q + 1] = order[q];
          q--;
        }
        order[q + 1] = w;
      }
    }
  }
  order.reverse();
  return order;
}

/** Lower/upper bandwidths of A under the permutation perm (perm[new] = old). */
export function bandwidths(A: Csr, perm: Int32Array): { lower: number; upper: number } {
  const inv = new Int32Array(A.n);
  for (let i = 0; i < A.n; i++) inv[perm[i]] = i;
  let lower = 0;
  let upper = 0;
  for (let i = 0; i < A.n; i++)
    for (let k = A.rowPtr[i]; k < A.rowPtr[i + 1]; k++) {
      const d = inv[A.colIdx[k]] - inv[i];
      if (d > upper) upper = d;
      if (-d > lower) lower = -d;
    }
  return { lower, upper };
}

/** Bytes a banded LU of A under RCM would need. */
export function bandedLuBytes(n: number, lower: number, upper: number): number {
  return (lower + upper + 1) * n * 8;
}

export interface BandedLu {
  n: number;
  lower: number;
  upper: number;
  perm: Int32Array;
  /** Row-major band: entry (i, j) at i*(w) + (j − i + lower), w = lower + upper + 1. */
  band: Float64Array;
  /** z = A⁻¹ r (permutes internally). */
  solve(r: Float64Array, z: Float64Array): void;
  bytes: number;
}

/** RCM + banded LU without pivoting. Throws NumericalError on a vanishing pivot. */
export function bandedLu(A: Csr, perm: Int32Array = rcmOrdering(A)): BandedLu {
  const n = A.n;
  const { lower: p, upper: q0 } = bandwidths(A, perm);
  // fill stays within the band; U gets upper bandwidth q0 (no pivoting)
  const q = q0;
  const w = p + q + 1;
  const band = new Float64Array(n * w);
  const inv = new Int32Array(n);
  for (let i = 0; i < n; i++) inv[perm[i]] = i;
  let scale = 0;
  for (let i = 0; i < n; i++) {
    const old = perm[i];
    for (let k = A.rowPtr[old]; k < A.rowPtr[old + 1]; k++) {
      const j = inv[A.colIdx[k]];
      band[i * w + (j - i + p)] += A.values[k];
      scale = Math.max(scale, Math.abs(A.values[k]));
    }
  }
  const tiny = scale * 1e-300 + Number.MIN_VALUE;
  for (let k = 0; k < n; k++) {
    const piv = band[k * w + p];
    if (!(Math.abs(piv) > tiny) || !Number.isFinite(piv)) {
      throw new NumericalError(
        `banded LU: pivot ${piv} at step ${k} of ${n} (matrix singular or needs pivoting)`,
      );
    }
    const inv0 = 1 / piv;
    const iend = Math.min(n - 1, k + p);
    const jend = Math.min(n - 1, k + q);
    const rk = k * w + p - k; // (k, j) at rk + j
    for (let i = k + 1; i <= iend; i++) {
      const ri = i * w + p - i;
      const l = band[ri + k] * inv0;
      if (l === 0) continue;
      band[ri + k] = l;
      for (let j = k + 1; j <= jend; j++) band[ri + j] -= l * band[rk + j];
    }
  }
  const y = new Float64Array(n);
  return {
    n,
    lower: p,
    upper: q,
    perm,
    band,
    bytes: band.byteLength + perm.byteLength + y.byteLength,
    solve(r: Float64Array, z: Float64Array) {
      for (let i = 0; i < n; i++) {
        let s = r[perm[i]];
        const ri = i * w + p - i;
        for (let j = Math.max(0, i - p); j < i; j++) s -= band[ri + j] * y[j];
        y[i] = s;
      }
      for (let i = n - 1; i >= 0; i--) {
        let s = y[i];
        const ri = i * w + p - i;
        const jend = Math.min(n - 1, i + q);
        for (let j = i + 1; j <= jend; j++) s -= band[ri + j] * y[j];
        y[i] = s / band[ri + i];
      }
      for (let i = 0; i < n; i++) z[perm[i]] = y[i];
    },
  };
}
