/**
 * Graph questions on the jump graph of a generator Q (edge i→j iff Q_ij > 0, i ≠ j).
 */
import type { Csr } from "../linalg/csr.js";

/** Transposed adjacency (predecessors) of the off-diagonal pattern with rates > minRate. */
function predecessors(Q: Csr, minRate = 0): { ptr: Int32Array; idx: Int32Array } {
  const n = Q.n;
  const ptr = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    for (let p = Q.rowPtr[i]; p < Q.rowPtr[i + 1]; p++) {
      const j = Q.colIdx[p];
      if (j !== i && Q.values[p] > minRate) ptr[j + 1]++;
    }
  }
  for (let i = 0; i < n; i++) ptr[i + 1] += ptr[i];
  const pos = ptr.slice(0, n);
  const idx = new Int32Array(ptr[n]);
  for (let i = 0; i < n; i++) {
    for (let p = Q.rowPtr[i]; p < Q.rowPtr[i + 1]; p++) {
      const j = Q.colIdx[p];
      if (j !== i && Q.values[p] > minRate) idx[pos[j]++] = i;
    }
  }
  return { ptr, idx };
}

/**
 * Marks (1) every node that can reach a node with seed[j] = 1 through jumps with rate > minRate (default 0: every
 * positive jump), seeds included.
 */
export function canReach(Q: Csr, seed: Uint8Array, minRate = 0): Uint8Array {
  const n = Q.n;
  const { ptr, idx } = predecessors(Q, minRate);
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

export interface SlowExit {
  /** 1 for live nodes that cannot reach the absorbing set through jumps with rate > minRate. */
  mask: Uint8Array;
  count: number;
  /** Max over those nodes of the total rate leaving the set (1/SDE time): only weak jumps leave it. */
  leak: number;
  /**
   * Lower bound on the mean exit time (SDE time) from any of those nodes: 1/leak (+∞ when leak = 0). The set is
   * closed under the strong jumps, so the chain leaves it — as it must to be absorbed — at a hazard ≤ leak.
   */
  minTime: number;
}

/**
 * Nodes whose exit needs a weak jump (rate ≤ minRate, e.g. 1e-12·‖Q‖∞ with `generatorNorm`): their mean exit time
 * is astronomically large (≥ `minTime`) and the linear system for it is ill-conditioned beyond double precision.
 * Report them with the lower bound instead of solving.
 */
export function slowExitNodes(Q: Csr, absorbing: Uint8Array, minRate: number): SlowExit {
  const n = Q.n;
  const strong = canReach(Q, absorbing, minRate);
  const mask = new Uint8Array(n);
  let count = 0;
  for (let i = 0; i < n; i++) {
    if (!absorbing[i] && !strong[i]) {
      mask[i] = 1;
      count++;
    }
  }
  let leak = 0;
  for (let i = 0; i < n; i++) {
    if (!mask[i]) continue;
    let r = 0;
    for (let p = Q.rowPtr[i]; p < Q.rowPtr[i + 1]; p++) {
      const j = Q.colIdx[p];
      if (j !== i && !mask[j] && Q.values[p] > 0) r += Q.values[p];
    }
    if (r > leak) leak = r;
  }
  return { mask, count, leak, minTime: leak > 0 ? 1 / leak : Number.POSITIVE_INFINITY };
}
