/**
 * Uniform Cartesian, NODE-CENTRED grids over the problem's domain box (1-D, 2-D, 3-D).
 *
 * - Axis k has n_k nodes x_k = lo_k + i·h_k, i = 0..n_k−1, h_k = (hi_k − lo_k)/(n_k − 1); the box walls
 *   carry nodes. Linear index: i0 + n0·(i1 + n1·i2) (x fastest).
 * - Walls are reflecting: the generator mirrors jumps that would leave the box (Neumann ghost nodes), so a
 *   wall node owns half a cell per wall it touches. `volume[i]` is that control volume (trapezoid weight);
 *   densities are probabilities divided by `volume`.
 * - Absorbing sets are node masks from a region predicate (see `absorbingMask`).
 */
import { UserError } from "../errors.js";
import { diffusionTrace } from "../problem/diffusion.js";
import type { Box, Problem } from "../problem/types.js";

export interface Grid {
  readonly dim: number;
  /** Nodes per axis. */
  readonly shape: readonly number[];
  readonly lo: Float64Array;
  readonly hi: Float64Array;
  /** Spacing per axis. */
  readonly h: Float64Array;
  /** Total number of nodes. */
  readonly size: number;
  /** Index strides per axis (1, n0, n0·n1). */
  readonly strides: readonly number[];
  /** Control volume (trapezoid weight) of each node; sums to the box volume. */
  readonly volume: Float64Array;
}

/** Largest node counts accepted per dimension (memory guard). */
export const MAX_NODES: Record<number, number> = { 1: 2_000_001, 2: 4_200_000, 3: 2_200_000 };

/** Builds a node-centred grid over `domain` with `n` nodes per axis (a number or one per axis). */
export function makeGrid(domain: Box, n: number | readonly number[]): Grid {
  const dim = domain.length;
  if (dim < 1 || dim > 3) {
    throw new UserError(`grid methods need dimension 1, 2 or 3, the problem has ${dim}`, {
      hint: "use particles for d > 3",
    });
  }
  const shape = typeof n === "number" ? new Array(dim).fill(n) : [...n];
  if (shape.length !== dim) throw new UserError(`grid: ${shape.length} sizes given for a ${dim}-D domain`);
  const lo = new Float64Array(dim);
  const hi = new Float64Array(dim);
  const h = new Float64Array(dim);
  const strides: number[] = [];
  let size = 1;
  for (let k = 0; k < dim; k++) {
    const nk = shape[k];
    if (!Number.isInteger(nk) || nk < 3)
      throw new UserError(`grid: need an integer ≥ 3 points per axis, got ${nk}`, { where: "grid" });
    const [a, b] = domain[k];
    if (!(Number.isFinite(a) && Number.isFinite(b) && b > a)) {
      throw new UserError(`grid: domain axis ${k} is [${a}, ${b}], need finite lo < hi`, { where: "domain" });
    }
    lo[k] = a;
    hi[k] = b;
    h[k] = (b - a) / (nk - 1);
    strides.push(size);
    size *= nk;
  }
  if (size > MAX_NODES[dim]) {
    throw new UserError(`grid of ${shape.join("×")} = ${size} nodes is too large for ${dim}-D`, {
      where: "grid",
      hint: `at most ${MAX_NODES[dim]} nodes`,
    });
  }
  const volume = new Float64Array(size);
  const idx = new Int32Array(dim);
  for (let i = 0; i < size; i++) {
    let v = 1;
    for (let k = 0; k < dim; k++) {
      const ik = idx[k];
      v *= ik === 0 || ik === shape[k] - 1 ? h[k] / 2 : h[k];
    }
    volume[i] = v;
    for (let k = 0; k < dim; k++) {
      if (++idx[k] < shape[k]) break;
      idx[k] = 0;
    }
  }
  return { dim, shape, lo, hi, h, size, strides, volume };
}

/** Writes the coordinates of node `i` into `out`. */
export function nodeCoords(g: Grid, i: number, out: Float64Array): Float64Array {
  let r = i;
  for (let k = 0; k < g.dim; k++) {
    const nk = g.shape[k];
    const ik = r % nk;
    r = (r - ik) / nk;
    out[k] = g.lo[k] + ik * g.h[k];
  }
  return out;
}

/** Node index nearest to point x (clamped to the box). */
export function nearestNode(g: Grid, x: ArrayLike<number>): number {
  let i = 0;
  for (let k = 0; k < g.dim; k++) {
    let ik = Math.round((x[k] - g.lo[k]) / g.h[k]);
    ik = Math.max(0, Math.min(g.shape[k] - 1, ik));
    i += ik * g.strides[k];
  }
  return i;
}

/** Grid coordinates as one Float64Array per axis (for output). */
export function axisCoords(g: Grid): Float64Array[] {
  const out: Float64Array[] = [];
  for (let k = 0; k < g.dim; k++) {
    const a = new Float64Array(g.shape[k]);
    for (let i = 0; i < a.length; i++) a[i] = g.lo[k] + i * g.h[k];
    out.push(a);
  }
  return out;
}

/** A region predicate on x ∈ R^d (compiled region expression). */
export type RegionFn = (x: Float64Array) => boolean;

/** 1 where the node lies in the region, else 0. */
export function absorbingMask(g: Grid, region: RegionFn): Uint8Array {
  const m = new Uint8Array(g.size);
  const x = new Float64Array(g.dim);
  for (let i = 0; i < g.size; i++) m[i] = region(nodeCoords(g, i, x)) ? 1 : 0;
  return m;
}

/**
 * Multilinear interpolation of a nodal field at point x (clamped to the box). Returns +∞ if any
 * contributing node with positive weight is +∞.
 */
export function interpolate(g: Grid, field: Float64Array, x: ArrayLike<number>): number {
  const d = g.dim;
  const base = new Int32Array(d);
  const frac = new Float64Array(d);
  for (let k = 0; k < d; k++) {
    let t = (x[k] - g.lo[k]) / g.h[k];
    t = Math.max(0, Math.min(g.shape[k] - 1, t));
    let ik = Math.floor(t);
    if (ik >= g.shape[k] - 1) ik = g.shape[k] - 2;
    base[k] = ik;
    frac[k] = t - ik;
  }
  let s = 0;
  for (let c = 0; c < 1 << d; c++) {
    let w = 1;
    let idx = 0;
    for (let k = 0; k < d; k++) {
      const bit = (c >> k) & 1;
      w *= bit ? frac[k] : 1 - frac[k];
      idx += (base[k] + bit) * g.strides[k];
    }
    if (w === 0) continue;
    s += w * field[idx];
  }
  return s;
}

export interface AutoGrid {
  shape: number[];
  reason: string;
}

/**
 * Chooses points per axis from the noise scale and the landscape, over the region that carries mass
 * (L ≤ min L + 25·D): the spacing must resolve the equilibrium width √(D/|∇²L|) (≥ 6 nodes across it) and
 * keep the cell Péclet number |∇L|h/D ≤ 4 where the noise is non-degenerate, within the memory caps (1-D ≤ 8001, 2-D ≤ 401², 3-D ≤ 65³) and at
 * least 4001 / 81 / 33 points per axis (1-D solves take milliseconds: accuracy first).
 */
export function autoGridShape(problem: Problem): AutoGrid {
  const d = problem.dim;
  const caps: Record<number, [number, number]> = { 1: [4001, 8001], 2: [81, 401], 3: [33, 65] };
  const [nmin, nmax] = caps[d] ?? [0, 0];
  if (!nmax) throw new UserError(`grid methods need dimension 1, 2 or 3, the problem has ${d}`);
  // Sample the box coarsely: typical diffusion D = tr(A)/(2d), curvature and gradient scales.
  const m = d === 1 ? 401 : d === 2 ? 41 : 13;
  const g = makeGrid(problem.domain, m);
  const x = new Float64Array(d);
  const grad = new Float64Array(d);
  const hess = new Float64Array(d * d);
  const cov = new Float64Array(d * d);
  let dmax = 0;
  let curvMax = 0;
  let pecletNeed = 0; // max over relevant nodes with D > 0 of |∇L|/D
  // Relevant region: where the stationary weight e^{−(L−Lmin)/D} is not negligible (L ≤ Lmin + 25·D).
  let lmin = Number.POSITIVE_INFINITY;
  let dTyp = 0;
  for (let i = 0; i < g.size; i++) {
    nodeCoords(g, i, x);
    lmin = Math.min(lmin, problem.loss.value(x));
    problem.noise.covariance(x, cov);
    let trSigma = 0;
    for (let k = 0; k < d; k++) trSigma += cov[k * d + k];
    const tr = diffusionTrace(problem, trSigma, d);
    dTyp = Math.max(dTyp, tr / (2 * d));
  }
  for (let i = 0; i < g.size; i++) {
    nodeCoords(g, i, x);
    if (dTyp > 0 && problem.loss.value(x) > lmin + 25 * dTyp) continue;
    problem.loss.gradient(x, grad);
    problem.loss.hessian(x, hess);
    problem.noise.covariance(x, cov);
    let trSigma = 0;
    let gn = 0;
    let hn = 0;
    for (let k = 0; k < d; k++) {
      trSigma += cov[k * d + k];
      gn += grad[k] * grad[k];
      hn = Math.max(hn, Math.abs(hess[k * d + k]));
    }
    const D = diffusionTrace(problem, trSigma, d) / (2 * d);
    dmax = Math.max(dmax, D);
    curvMax = Math.max(curvMax, hn);
    // (where the noise nearly vanishes the exponentially fitted rates are upwind anyway: no Péclet limit)
    if (D >= 0.01 * dTyp && D > 0 && Number.isFinite(gn))
      pecletNeed = Math.max(pecletNeed, Math.sqrt(gn) / D);
  }
  const shape: number[] = [];
  const reasons: string[] = [];
  for (let k = 0; k < d; k++) {
    const len = problem.domain[k][1] - problem.domain[k][0];
    let h = len / nmin;
    let why = `minimum ${nmin} points`;
    if (dmax > 0 && curvMax > 0) {
      const width = Math.sqrt(dmax / curvMax);
      if (width / 6 < h) {
        h = width / 6;
        why = `equilibrium width √(D/|L''|) = ${width.toPrecision(3)} resolved by 6 cells`;
      }
    }
    if (pecletNeed > 0 && 4 / pecletNeed < h) {
      h = 4 / pecletNeed;
      why = "cell Péclet number |∇L|h/D ≤ 4";
    }
    let n = Math.ceil(len / h) + 1;
    if (n > nmax) {
      n = nmax;
      why += ` (capped at ${nmax} points: memory)`;
    }
    shape.push(Math.max(n, nmin));
    reasons.push(`axis ${problem.varNames[k] ?? k}: ${Math.max(n, nmin)} points, ${why}`);
  }
  return { shape, reason: reasons.join("; ") };
}
