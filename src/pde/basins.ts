/**
 * Basins of attraction of the gradient flow ẋ = −∇L on the grid: every node follows its steepest descending
 * neighbour (axis and diagonal neighbours, slope ΔL/distance) down to a grid local minimum. Used to report the
 * mass in each basin per Fokker–Planck snapshot. Plateaus (equal values) stop the descent: they become their
 * own minima.
 */
import { type Grid, nodeCoords } from "./grid.js";

export interface Basins {
  /** Basin index per node (index into `minima`). */
  label: Int32Array;
  /** Node index and coordinates of each basin's grid minimum, sorted by L. */
  minima: { node: number; x: number[]; loss: number }[];
}

/** Labels each node with the basin of the grid local minimum its steepest-descent path reaches. */
export function gridBasins(grid: Grid, L: Float64Array): Basins {
  const n = grid.size;
  const d = grid.dim;
  const next = new Int32Array(n);
  const idx = new Int32Array(d);
  const nOff = 3 ** d;
  for (let i = 0; i < n; i++) {
    let r = i;
    for (let k = 0; k < d; k++) {
      idx[k] = r % grid.shape[k];
      r = (r - idx[k]) / grid.shape[k];
    }
    let best = i;
    let bestSlope = 0;
    for (let o = 0; o < nOff; o++) {
      let t = o;
      let j = 0;
      let dist2 = 0;
      let ok = true;
      for (let k = 0; k < d; k++) {
        const s = (t % 3) - 1;
        t = (t - (t % 3)) / 3;
        const v = idx[k] + s;
        if (v < 0 || v >= grid.shape[k]) {
          ok = false;
          break;
        }
        j += v * grid.strides[k];
        dist2 += s * s * grid.h[k] * grid.h[k];
      }
      if (!ok || j === i) continue;
      const slope = (L[j] - L[i]) / Math.sqrt(dist2);
      if (slope < bestSlope) {
        bestSlope = slope;
        best = j;
      }
    }
    next[i] = best;
  }
  // follow pointers to the root (path halving)
  const root = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let j = i;
    while (next[j] !== j) {
      next[j] = next[next[j]];
      j = next[j];
    }
    root[i] = j;
  }
  const roots = new Map<number, number>();
  const list: number[] = [];
  for (let i = 0; i < n; i++) if (root[i] === i) list.push(i);
  list.sort((a, b) => L[a] - L[b]);
  list.forEach((r, k) => {
    roots.set(r, k);
  });
  const label = new Int32Array(n);
  for (let i = 0; i < n; i++) label[i] = roots.get(root[i])!;
  const x = new Float64Array(d);
  return {
    label,
    minima: list.map((node) => ({ node, x: Array.from(nodeCoords(grid, node, x)), loss: L[node] })),
  };
}
