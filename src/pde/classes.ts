/**
 * Communicating classes of a generator Q (a continuous-time Markov chain on the grid nodes): the strongly
 * connected components of its jump graph (edge i → j iff Q_ij > threshold, i ≠ j), which of them are closed (no
 * edge leaves them) and which nodes are transient (DESIGN.md §2, "Structure").
 *
 * Every closed class carries exactly one stationary law (supported on it) and one zero eigenvalue of Q; mass on
 * transient nodes ends, with probability one, in one of the closed classes (absorption probabilities,
 * absorption.ts). A closed class of one node is a point mass (a trap of the chain).
 *
 * Weak rates. With `minRate` > 0 the jumps with Q_ij ≤ minRate are not edges. A class that is closed only because
 * of that (its `leak` > 0) is left by the full chain, but no sooner than after a mean time 1/leak: the leaving
 * hazard from any node of the class is at most `leak` = max_i Σ_{j∉C} Q_ij, so P(τ > t) ≥ e^{−leak·t}. That is a
 * rigorous statement about the discrete chain; used with minRate = 1e-12·‖Q‖∞ it separates classes that exchange
 * mass only on time scales the double-precision eigenvalues and solves cannot resolve.
 *
 * Iterative Tarjan on CSR (no recursion: grids have 10⁵–10⁶ nodes), O(nnz) time, O(n) memory.
 */
import type { Csr } from "../linalg/csr.js";

export interface ClassStructure {
  /** Closed-class index per node, −1 for transient nodes. */
  classOf: Int32Array;
  /** Nodes of each closed class, ascending; classes ordered by their smallest node. */
  closed: Int32Array[];
  /**
   * Per closed class: max over its nodes of the total rate to nodes outside it (1/SDE time) in the full Q. 0 when
   * the class is closed in the full chain; > 0 when it is closed only up to jumps ≤ `minRate` (a lower bound on
   * the mean time to leave it is 1/leak).
   */
  leak: Float64Array;
  /** Number of transient nodes. */
  transient: number;
  /** Number of strongly connected components (closed or not). */
  components: number;
  /** Jumps with Q_ij ≤ minRate were not counted as edges (1/SDE time; 0: every positive rate counts). */
  minRate: number;
}

export interface ClassOptions {
  /** Nodes whose outgoing rates are ignored (forced traps, e.g. minima where the noise vanishes). */
  cut?: Uint8Array;
  /** Jumps with Q_ij ≤ minRate (1/SDE time) are not edges. Default 0. */
  minRate?: number;
}

/** ‖Q‖∞ = max_i Σ_j |Q_ij| (1/SDE time): the fastest rate of the chain. */
export function generatorNorm(Q: Csr): number {
  let norm = 0;
  for (let i = 0; i < Q.n; i++) {
    let s = 0;
    for (let p = Q.rowPtr[i]; p < Q.rowPtr[i + 1]; p++) s += Math.abs(Q.values[p]);
    if (s > norm) norm = s;
  }
  return norm;
}

/** Strongly connected components of the graph of rates > minRate, closed classes and transient nodes. */
export function communicatingClasses(Q: Csr, opts: ClassOptions = {}): ClassStructure {
  const n = Q.n;
  const { rowPtr, colIdx, values } = Q;
  const cut = opts.cut;
  const thr = opts.minRate ?? 0;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack = new Int32Array(n); // Tarjan's component stack
  const callNode = new Int32Array(n); // explicit DFS stack: node and next edge position
  const callEdge = new Int32Array(n);
  const comp = new Int32Array(n).fill(-1);
  let counter = 0;
  let sp = 0;
  let nComp = 0;
  for (let s = 0; s < n; s++) {
    if (index[s] >= 0) continue;
    let ct = 0;
    index[s] = low[s] = counter++;
    stack[sp++] = s;
    onStack[s] = 1;
    callNode[ct] = s;
    callEdge[ct] = rowPtr[s];
    ct++;
    while (ct > 0) {
      const v = callNode[ct - 1];
      let p = callEdge[ct - 1];
      const end = cut?.[v] ? p : rowPtr[v + 1];
      let pushed = false;
      while (p < end) {
        const w = colIdx[p];
        const q = values[p];
        p++;
        if (w === v || !(q > thr)) continue;
        if (index[w] < 0) {
          callEdge[ct - 1] = p;
          index[w] = low[w] = counter++;
          stack[sp++] = w;
          onStack[w] = 1;
          callNode[ct] = w;
          callEdge[ct] = rowPtr[w];
          ct++;
          pushed = true;
          break;
        }
        if (onStack[w] && index[w] < low[v]) low[v] = index[w];
      }
      if (pushed) continue;
      if (low[v] === index[v]) {
        let w: number;
        do {
          w = stack[--sp];
          onStack[w] = 0;
          comp[w] = nComp;
        } while (w !== v);
        nComp++;
      }
      ct--;
      if (ct > 0) {
        const u = callNode[ct - 1];
        if (low[v] < low[u]) low[u] = low[v];
      }
    }
  }
  // a component is closed when no edge leaves it
  const open = new Uint8Array(nComp);
  for (let i = 0; i < n; i++) {
    if (cut?.[i]) continue;
    for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) {
      const j = colIdx[p];
      if (j !== i && values[p] > thr && comp[j] !== comp[i]) {
        open[comp[i]] = 1;
        break;
      }
    }
  }
  // closed classes numbered by their smallest node
  const label = new Int32Array(nComp).fill(-1);
  const sizes: number[] = [];
  const classOf = new Int32Array(n).fill(-1);
  let transient = 0;
  for (let i = 0; i < n; i++) {
    const c = comp[i];
    if (open[c]) {
      transient++;
      continue;
    }
    if (label[c] < 0) {
      label[c] = sizes.length;
      sizes.push(0);
    }
    classOf[i] = label[c];
    sizes[label[c]]++;
  }
  const closed = sizes.map((m) => new Int32Array(m));
  const fill = new Int32Array(sizes.length);
  const leak = new Float64Array(sizes.length);
  for (let i = 0; i < n; i++) {
    const k = classOf[i];
    if (k < 0) continue;
    closed[k][fill[k]++] = i;
    if (cut?.[i]) continue;
    let r = 0;
    for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) {
      const j = colIdx[p];
      if (j !== i && values[p] > 0 && classOf[j] !== k) r += values[p];
    }
    if (r > leak[k]) leak[k] = r;
  }
  return { classOf, closed, leak, transient, components: nComp, minRate: thr };
}

/**
 * The generator of the chain restricted to a closed class C: Q_CC with its diagonal reset to minus the
 * off-diagonal row sums (jumps that leave C — only weak ones, for a class found with a threshold — are dropped),
 * so the result is conservative. Rows of cut nodes are zero. Local index r is node nodes[r].
 */
export function restrictToClass(Q: Csr, nodes: Int32Array, cut?: Uint8Array, scratch?: Int32Array): Csr {
  const m = nodes.length;
  // node → local index; a caller restricting to many classes passes one scratch array (all −1, restored here)
  const local = scratch ?? new Int32Array(Q.n).fill(-1);
  for (let r = 0; r < m; r++) local[nodes[r]] = r;
  const rp = new Int32Array(m + 1);
  let nnz = 0;
  for (let r = 0; r < m; r++) {
    const i = nodes[r];
    nnz++; // diagonal
    if (cut?.[i]) continue;
    for (let p = Q.rowPtr[i]; p < Q.rowPtr[i + 1]; p++) {
      const j = Q.colIdx[p];
      if (j !== i && local[j] >= 0 && Q.values[p] > 0) nnz++;
    }
  }
  const ci = new Int32Array(nnz);
  const va = new Float64Array(nnz);
  let q = 0;
  for (let r = 0; r < m; r++) {
    const i = nodes[r];
    rp[r] = q;
    // nodes ascending and Q's columns sorted: local columns come out sorted; the diagonal goes in its place
    let diagPos = -1;
    let sum = 0;
    if (!cut?.[i]) {
      for (let p = Q.rowPtr[i]; p < Q.rowPtr[i + 1]; p++) {
        const j = Q.colIdx[p];
        const c = local[j];
        if (j === i || c < 0 || !(Q.values[p] > 0)) continue;
        if (diagPos < 0 && c > r) {
          diagPos = q;
          ci[q++] = r;
        }
        ci[q] = c;
        va[q++] = Q.values[p];
        sum += Q.values[p];
      }
    }
    if (diagPos < 0) {
      diagPos = q;
      ci[q++] = r;
    }
    va[diagPos] = -sum;
  }
  rp[m] = q;
  for (let r = 0; r < m; r++) local[nodes[r]] = -1;
  return { n: m, rowPtr: rp, colIdx: ci, values: va };
}
