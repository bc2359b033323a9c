/**
 * Nested dissection ordering of a sparse matrix's graph (pattern of A + Aᵀ) into a separator tree.
 *
 * With a grid geometry (the matrix's unknowns are nodes of a structured 1-D/2-D/3-D grid, possibly a subset
 * such as the non-absorbing nodes), each set is cut by a plane across its longest axis at the median
 * coordinate, and the separator is every node on the far side of the plane with an edge across it: the
 * plane itself for 5/7/9/27-point stencils, a band as wide as the longest offset for wider (Selling)
 * stencils. Without geometry the cut is a breadth-first level set from a pseudo-peripheral node. Either
 * way the separator is a valid vertex separator of the actual graph, whatever the stencil. Sets of at most
 * `leafSize` unknowns are not cut (they become one dense front).
 *
 * The result numbers the unknowns in postorder of the tree: supernode t owns the new indices
 * superStart[t] .. superStart[t+1]−1, every child has a smaller id than its parent, and a subtree's
 * unknowns are contiguous.
 */
import { type Csr, symmetricAdjacency } from "./csr.js";

/** Where a matrix's unknowns sit on a structured grid. */
export interface GridGeometry {
  /** Nodes per axis (x fastest: grid index i0 + n0·(i1 + n1·i2)). */
  shape: readonly number[];
  /** Grid index of each unknown (row r of the matrix); default: row r is grid node r. */
  nodes?: Int32Array;
}

export interface SeparatorTree {
  /** perm[new] = old unknown. */
  perm: Int32Array;
  /** Supernode t owns new indices superStart[t] .. superStart[t+1]−1 (length = supernodes + 1). */
  superStart: Int32Array;
  /** Parent supernode (−1 for a root); parent[t] > t. */
  parent: Int32Array;
  /** "geometric" or "graph" (breadth-first level sets). */
  kind: "geometric" | "graph";
}

/** Nested dissection of A's graph (see the module comment). `leafSize` default 24. */
export function nestedDissection(
  A: Csr,
  opts: { geometry?: GridGeometry; leafSize?: number } = {},
): SeparatorTree {
  const n = A.n;
  const leaf = Math.max(1, opts.leafSize ?? 24);
  const { ptr, adj } = symmetricAdjacency(A);
  const geo = opts.geometry;
  let coords: Int32Array[] | null = null;
  if (geo) {
    const shape = geo.shape;
    const d = shape.length;
    coords = [];
    for (let a = 0; a < d; a++) coords.push(new Int32Array(n));
    for (let r = 0; r < n; r++) {
      let g = geo.nodes ? geo.nodes[r] : r;
      for (let a = 0; a < d; a++) {
        coords[a][r] = g % shape[a];
        g = Math.floor(g / shape[a]);
      }
    }
  }
  const perm = new Int32Array(n);
  let next = 0;
  const starts: number[] = [0];
  const parents: number[] = [];
  const stamp = new Int32Array(n); // set membership: stamp[v] === current tag
  const side = new Int8Array(n); // 0 left, 1 right, 2 separator
  const level = new Int32Array(n);
  const queue = new Int32Array(n);
  let tag = 0;

  const newSuper = (set: Int32Array): number => {
    for (let q = 0; q < set.length; q++) perm[next++] = set[q];
    starts.push(next);
    parents.push(-1);
    return parents.length - 1;
  };

  /** Marks set members with a fresh tag. */
  const markSet = (set: Int32Array): number => {
    tag++;
    for (let q = 0; q < set.length; q++) stamp[set[q]] = tag;
    return tag;
  };

  const splitGeometric = (set: Int32Array, cs: Int32Array[]): boolean => {
    const d = cs.length;
    let axis = 0;
    let best = -1;
    let lo = 0;
    let hi = 0;
    for (let a = 0; a < d; a++) {
      let mn = 2 ** 31 - 1;
      let mx = -1;
      const c = cs[a];
      for (let q = 0; q < set.length; q++) {
        const v = c[set[q]];
        if (v < mn) mn = v;
        if (v > mx) mx = v;
      }
      if (mx - mn > best) {
        best = mx - mn;
        axis = a;
        lo = mn;
        hi = mx;
      }
    }
    if (best <= 0) return false;
    const c = cs[axis];
    const hist = new Int32Array(hi - lo + 1);
    for (let q = 0; q < set.length; q++) hist[c[set[q]] - lo]++;
    let cut = lo + 1;
    let below = hist[0];
    while (cut < hi && 2 * below < set.length) {
      below += hist[cut - lo];
      cut++;
    }
    const t = markSet(set);
    for (let q = 0; q < set.length; q++) side[set[q]] = c[set[q]] < cut ? 0 : 1;
    for (let q = 0; q < set.length; q++) {
      const v = set[q];
      if (side[v] !== 1) continue;
      for (let k = ptr[v]; k < ptr[v + 1]; k++) {
        const w = adj[k];
        if (stamp[w] === t && side[w] === 0) {
          side[v] = 2;
          break;
        }
      }
    }
    return true;
  };

  const bfs = (s: number, t: number): { count: number; last: number } => {
    let qh = 0;
    let qt = 0;
    queue[qt++] = s;
    level[s] = 0;
    stamp[s] = -t;
    while (qh < qt) {
      const v = queue[qh++];
      for (let k = ptr[v]; k < ptr[v + 1]; k++) {
        const w = adj[k];
        if (stamp[w] === t) {
          stamp[w] = -t;
          level[w] = level[v] + 1;
          queue[qt++] = w;
        }
      }
    }
    const last = queue[qt - 1];
    for (let q = 0; q < qt; q++) stamp[queue[q]] = t;
    return { count: qt, last };
  };

  const splitGraph = (set: Int32Array): void => {
    const t = markSet(set);
    const far = bfs(set[0], t).last;
    const root = bfs(far, t).last;
    const { count } = bfs(root, t);
    // visited ones are queue[0..count); level sizes
    const maxLevel = level[queue[count - 1]];
    const sizes = new Int32Array(maxLevel + 1);
    for (let q = 0; q < count; q++) sizes[level[queue[q]]]++;
    let cut = 0;
    let below = 0;
    while (cut < maxLevel && 2 * (below + sizes[cut]) < count) below += sizes[cut++];
    for (let q = 0; q < set.length; q++) side[set[q]] = 1; // unreached components go right
    for (let q = 0; q < count; q++) {
      const v = queue[q];
      side[v] = level[v] < cut ? 0 : level[v] === cut ? 2 : 1;
    }
  };

  const rec = (set: Int32Array): number => {
    if (set.length <= leaf) return newSuper(set);
    if (coords) {
      if (!splitGeometric(set, coords)) return newSuper(set);
    } else splitGraph(set);
    let nl = 0;
    let nr = 0;
    for (let q = 0; q < set.length; q++) {
      const s = side[set[q]];
      if (s === 0) nl++;
      else if (s === 1) nr++;
    }
    const left = new Int32Array(nl);
    const right = new Int32Array(nr);
    const sep = new Int32Array(set.length - nl - nr);
    nl = 0;
    nr = 0;
    let ns = 0;
    for (let q = 0; q < set.length; q++) {
      const v = set[q];
      const s = side[v];
      if (s === 0) left[nl++] = v;
      else if (s === 1) right[nr++] = v;
      else sep[ns++] = v;
    }
    if (left.length === set.length || right.length === set.length) return newSuper(set);
    const kids: number[] = [];
    if (left.length > 0) kids.push(rec(left));
    if (right.length > 0) kids.push(rec(right));
    const id = newSuper(sep);
    for (const k of kids) parents[k] = id;
    return id;
  };

  const all = new Int32Array(n);
  for (let i = 0; i < n; i++) all[i] = i;
  if (n > 0) rec(all);
  return {
    perm,
    superStart: Int32Array.from(starts),
    parent: Int32Array.from(parents),
    kind: coords ? "geometric" : "graph",
  };
}
