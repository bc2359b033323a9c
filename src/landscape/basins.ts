/**
 * Basins of attraction of the gradient flow ẋ = −∇L: the label of a point is the index of the
 * minimum its flow converges to (−1 when it stalls at another critical point, e.g. on a
 * saddle's stable manifold, or leaves the search). Grids for 1-D/2-D, samples in any dimension.
 */
import type { CriticalPoint } from "./critical-points.js";
import { captureRadii, gradientFlow } from "./flow.js";
import { boxScale, type LandscapeProblem, pointsScale } from "./util.js";

export interface BasinOptions {
  /** Saddles (or other critical points) to keep capture balls away from. */
  saddles?: { x: ArrayLike<number> }[];
  /** Local error tolerance of the flow integration (default 1e-6). */
  rtol?: number;
  maxSteps?: number;
}

function setup(p: LandscapeProblem, minima: { x: ArrayLike<number> }[], opts: BasinOptions) {
  const centres = minima.map((m) => m.x);
  const radii = captureRadii(
    centres,
    (opts.saddles ?? []).map((s) => s.x),
  );
  return { centres, radii, scale: boxScale(p.domain, pointsScale(centres)) };
}

/** Label of one point (index into `minima`, or −1). */
export function basinOf(
  p: LandscapeProblem,
  x: ArrayLike<number>,
  minima: { x: ArrayLike<number> }[],
  opts: BasinOptions = {},
): number {
  const s = setup(p, minima, opts);
  const y = Float64Array.from(x);
  return gradientFlow(p.loss, y, s, { lengthScale: s.scale, rtol: opts.rtol, maxSteps: opts.maxSteps }).label;
}

export interface BasinGrid {
  /** Grid points per axis: axis k has n[k] nodes from lo[k] to hi[k] inclusive. */
  n: number[];
  lo: number[];
  hi: number[];
  /** Labels, row-major with the last axis fastest (index i0·n1 + i1 in 2-D). */
  labels: Int32Array;
  /** Fraction of grid nodes in each basin (last entry: unlabelled). */
  fractions: number[];
}

/** Labels a uniform grid over problem.domain (or `box`) in 1-D or 2-D. */
export function labelGrid(
  p: LandscapeProblem,
  minima: CriticalPoint[] | { x: ArrayLike<number> }[],
  opts: BasinOptions & { n?: number | number[]; box?: ReadonlyArray<readonly [number, number]> } = {},
): BasinGrid {
  const d = p.dim;
  if (d > 2) throw new RangeError("labelGrid: grids only in 1-D or 2-D; use labelSamples");
  const box = opts.box ?? p.domain;
  if (!box) throw new RangeError("labelGrid: need a box");
  const n = Array.isArray(opts.n) ? opts.n : Array(d).fill(opts.n ?? (d === 1 ? 401 : 101));
  const lo = box.map((b) => b[0]);
  const hi = box.map((b) => b[1]);
  const s = setup(p, minima, opts);
  const total = n.reduce((a: number, b: number) => a * b, 1);
  const labels = new Int32Array(total);
  const counts = new Array(minima.length + 1).fill(0);
  const x = new Float64Array(d);
  for (let idx = 0; idx < total; idx++) {
    let r = idx;
    for (let k = d - 1; k >= 0; k--) {
      const i = r % n[k];
      r = Math.floor(r / n[k]);
      x[k] = n[k] === 1 ? lo[k] : lo[k] + ((hi[k] - lo[k]) * i) / (n[k] - 1);
    }
    const lab = gradientFlow(p.loss, x, s, {
      lengthScale: s.scale,
      rtol: opts.rtol,
      maxSteps: opts.maxSteps,
    }).label;
    labels[idx] = lab;
    counts[lab >= 0 ? lab : minima.length]++;
  }
  return { n, lo, hi, labels, fractions: counts.map((c) => c / total) };
}

/**
 * Label of the grid node nearest to x in a `labelGrid` result (row-major, last axis fastest); −1 more than half
 * a cell outside the box or for non-finite x.
 */
export function basinLabelAt(g: BasinGrid, x: ArrayLike<number>): number {
  let idx = 0;
  for (let k = 0; k < g.n.length; k++) {
    const nk = g.n[k];
    const f = nk === 1 ? 0 : ((x[k] - g.lo[k]) / (g.hi[k] - g.lo[k])) * (nk - 1);
    const i = Math.round(f);
    if (!(i >= 0 && i <= nk - 1)) return -1;
    idx = idx * nk + i;
  }
  return g.labels[idx];
}

export interface SampleLabels {
  labels: Int32Array;
  /** Mass fraction in each basin (weights normalised); last entry: unlabelled. */
  mass: number[];
}

/**
 * Labels samples (row-major count×d) by gradient flow; `weights` optional (default equal).
 */
export function labelSamples(
  p: LandscapeProblem,
  samples: ArrayLike<number>,
  minima: { x: ArrayLike<number> }[],
  opts: BasinOptions & { weights?: ArrayLike<number> } = {},
): SampleLabels {
  const d = p.dim;
  const count = Math.floor(samples.length / d);
  const s = setup(p, minima, opts);
  const labels = new Int32Array(count);
  const mass = new Array(minima.length + 1).fill(0);
  const x = new Float64Array(d);
  let wsum = 0;
  for (let j = 0; j < count; j++) {
    for (let i = 0; i < d; i++) x[i] = samples[j * d + i];
    const lab = gradientFlow(p.loss, x, s, {
      lengthScale: s.scale,
      rtol: opts.rtol,
      maxSteps: opts.maxSteps,
    }).label;
    labels[j] = lab;
    const w = opts.weights ? opts.weights[j] : 1;
    mass[lab >= 0 ? lab : minima.length] += w;
    wsum += w;
  }
  return { labels, mass: mass.map((m) => m / (wsum || 1)) };
}
