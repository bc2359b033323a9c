/**
 * Graph questions on the jump graph of a generator Q (edge i→j iff Q_ij > 0, i ≠ j).
 */
import type { Csr } from "../linalg/csr.js";

/** Transposed adjacency (predecessors) of the positive off-diagonal pattern. */
function predecessors(Q: Csr): { ptr: Int32Array; idx: Int32Array } {
  const n = Q.n;
  const ptr = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    for (let p = Q.rowPtr[i]; p < Q.rowPtr[i + 1]; p++) {
      const j = Q.colIdx[p];
      if (j !== i && Q.values[p] > 0) ptr[j + 1]++;
    }
  }
  for (let i = 0; i < n; i++) ptr[i + 1] += ptr[i];
  const pos = ptr.slice(0, n);
  const idx = new Int32Array(ptr[n]);
  for (let i = 0; i < n; i++) {
    for (let p = Q.rowPtr[i]; p < Q.rowPtr[i + 1]; p++) {
      const j = Q.colIdx[p];
      if (j !== i && Q.values[p] > 0) idx[pos[j]++] = i;
    }
  }
  return { ptr, idx };
}

/** Marks (1) every node that can reach a node with seed[j] = 1 through positive jumps (seeds included). */
export function canReach(Q: Csr, seed: Uint8Array): Uint8Array {
  const n = Q.n;
  const { ptr, idx } = predecessors(Q);
  const mark = new Uint8Array(n);
  const stack = new Int32Array(n);
  let top = 0;
  for (let i = 0; i < n; i++) {
    if (seed[i]) {
      mark[i] = 1;
      stack[top++] = i;
    }
  }
  while (top > 0) {
    const j = stack[--top];
    for (let p = ptr[j]; p < ptr[j + 1]; p++) {
      const i = idx[p];
      if (!mark[i]) {
        mark[i] = 1;
        stack[top++] = i;
      }
    }
  }
  return mark;
}

/**
 * Nodes with infinite mean exit time: those that can reach (with positive probability) a live node from
 * which the absorbing set is unreachable. Returns a mask (1 = infinite).
 */
export function infiniteExitNodes(Q: Csr, absorbing: Uint8Array): Uint8Array {
  const n = Q.n;
  const reach = canReach(Q, absorbing);
  const trapped = new Uint8Array(n);
  let any = false;
  for (let i = 0; i < n; i++) {
    if (!reach[i]) {
      trapped[i] = 1;
      any = true;
    }
  }
  if (!any) return trapped;
  const inf = canReach(Q, trapped);
  for (let i = 0; i < n; i++) if (absorbing[i]) inf[i] = 0;
  return inf;
}
