/**
 * Critical points of L in any dimension: minima by seeded multi-start descent (L-BFGS with an
 * Armijo line search) polished by Newton's method, deduplicated, grouped into symmetry classes,
 * with the Hessian spectrum and the gradient noise Σ at each point (DESIGN.md §1).
 */

import { NumericalError, UserError } from "../errors.js";
import { Rng } from "../random/rng.js";
import { throwIfStopped } from "../stop.js";
import {
  boxScale,
  dist,
  hessianMatrix,
  type LandscapeProblem,
  noiseAt,
  norm,
  type PointNoise,
  pointsScale,
  type Spectrum,
  spectrumOf,
} from "./util.js";

/** A critical point ∇L(x) ≈ 0 with its local geometry and noise. */
export interface CriticalPoint {
  x: number[];
  /** L(x). */
  value: number;
  /** ‖∇L(x)‖ after polishing. */
  gradNorm: number;
  /** True when ‖∇L‖ ≤ gradTol · max(1, |L(x)|) was reached. */
  converged: boolean;
  /** Number of negative Hessian eigenvalues (below −zeroTol·‖H‖). */
  index: number;
  kind: "minimum" | "saddle" | "maximum" | "degenerate";
  /** Hessian eigenvalues ascending; eigenvectors[k] is the unit vector of eigenvalues[k]. */
  eigenvalues: number[];
  eigenvectors: number[][];
  /** Noise at x (absent when the problem has no noise model). */
  noise?: PointNoise;
  /** True when x lies inside problem.domain (or no domain was given). */
  inDomain: boolean;
}

/** Points that are copies of each other under a symmetry: same L, same spectrum, same tr Σ. */
export interface SymmetryClass {
  /** Index (into the point list) of the representative. */
  representative: number;
  multiplicity: number;
  members: number[];
  locations: number[][];
  value: number;
}

export interface MinimaResult {
  minima: CriticalPoint[];
  /** Symmetry classes of the minima (each minimum appears in exactly one class). */
  classes: SymmetryClass[];
  starts: number;
  /** Starts whose descent diverged or did not reach a minimum. */
  failed: number;
  /** Starts that ended at each minimum (same order as `minima`). */
  hits: number[];
  /**
   * Good–Turing estimate of the probability that one more start would find a new minimum:
   * (minima hit exactly once) / (successful starts). Near 0: the search has likely saturated.
   */
  unseenProbability: number;
}

export interface FindMinimaOptions {
  /**
   * Poll the stop check (stop.ts) before each start: Ctrl-C ends the search with `Interrupted` (the landscape
   * command). Off by default: analyze's landscape stage runs to the end and handles Ctrl-C at the particle stages.
   */
  stoppable?: boolean;
  /** Number of seeded uniform starts in problem.domain (default min(400, 20·d + 20)). */
  starts?: number;
  seed?: number;
  /** Explicit start points (used in addition to `around`, instead of the uniform box starts). */
  startPoints?: ArrayLike<number>[];
  /** For large d: starts x_c + spread·N(0, I) around each given centre. */
  around?: ArrayLike<number>[];
  spread?: number;
  /** Relative gradient tolerance of the Newton polish: ‖∇L‖ ≤ gradTol·max(1,|L|). Default 1e-10. */
  gradTol?: number;
  /** Maximum L-BFGS iterations per start (default 5000). */
  maxIter?: number;
  /** Points closer than dedupTol · scale are the same (scale = domain diameter, default 1e-6). */
  dedupTol?: number;
  /** Relative tolerance for symmetric copies (value, spectrum, tr Σ). Default 1e-6. */
  symmetryTol?: number;
}

/** Polishes x in place by Newton on ∇L = 0 (any index). Returns the final gradient norm. */
export function newtonPolish(loss: LandscapeProblem["loss"], x: Float64Array, gradTol = 1e-10, maxIter = 50) {
  const d = loss.dim;
  const g = new Float64Array(d);
  const y = new Float64Array(d);
  const gy = new Float64Array(d);
  let val = loss.gradient(x, g);
  let gn = norm(g);
  let converged = gn <= gradTol * Math.max(1, Math.abs(val));
  for (let it = 0; it < maxIter && !converged; it++) {
    const H = hessianMatrix(loss, x);
    const sp = spectrumOf(H, d);
    const hmax = Math.max(...sp.values.map(Math.abs), 1e-300);
    // Newton step p = −H⁻¹g in the eigenbasis, tiny eigenvalues regularised.
    const step = new Float64Array(d);
    for (let k = 0; k < d; k++) {
      let lam = sp.values[k];
      if (Math.abs(lam) < 1e-12 * hmax) lam = lam < 0 ? -1e-12 * hmax : 1e-12 * hmax;
      let c = 0;
      for (let i = 0; i < d; i++) c += sp.vectors[k][i] * g[i];
      for (let i = 0; i < d; i++) step[i] -= (c / lam) * sp.vectors[k][i];
    }
    let t = 1;
    let accepted = false;
    for (let ls = 0; ls < 30; ls++) {
      for (let i = 0; i < d; i++) y[i] = x[i] + t * step[i];
      const vy = loss.gradient(y, gy);
      const gny = norm(gy);
      if (Number.isFinite(gny) && gny < gn) {
        x.set(y);
        g.set(gy);
        val = vy;
        gn = gny;
        accepted = true;
        break;
      }
      t *= 0.5;
    }
    converged = gn <= gradTol * Math.max(1, Math.abs(val));
    if (!accepted) break;
  }
  return { gradNorm: gn, value: val, converged };
}

/**
 * L-BFGS descent with Armijo backtracking from x (in place). Stops at ‖∇L‖ ≤ tol·max(1,|L|),
 * on divergence (‖x‖ > bound) or after maxIter. Returns false when it diverged.
 */
export function descend(
  loss: LandscapeProblem["loss"],
  x: Float64Array,
  opts: { tol?: number; maxIter?: number; bound?: number; memory?: number } = {},
): boolean {
  const d = loss.dim;
  const tol = opts.tol ?? 1e-8;
  const maxIter = opts.maxIter ?? 5000;
  const bound = opts.bound ?? Number.POSITIVE_INFINITY;
  const m = opts.memory ?? 8;
  const S = Array.from({ length: m }, () => new Float64Array(d));
  const Y = Array.from({ length: m }, () => new Float64Array(d));
  const rho = new Float64Array(m);
  const alpha = new Float64Array(m);
  let count = 0;
  let head = 0;
  const g = new Float64Array(d);
  const gn = new Float64Array(d);
  const p = new Float64Array(d);
  const xn = new Float64Array(d);
  let f = loss.gradient(x, g);
  if (!Number.isFinite(f)) return false;
  for (let it = 0; it < maxIter; it++) {
    const gnorm = norm(g);
    if (gnorm <= tol * Math.max(1, Math.abs(f))) return true;
    // two-loop recursion: p = −H_k g
    p.set(g);
    for (let j = 0; j < count; j++) {
      const k = (head - 1 - j + m) % m;
      let s = 0;
      for (let i = 0; i < d; i++) s += S[k][i] * p[i];
      alpha[k] = rho[k] * s;
      for (let i = 0; i < d; i++) p[i] -= alpha[k] * Y[k][i];
    }
    let gamma = 1 / Math.max(gnorm, 1e-300);
    if (count > 0) {
      const k = (head - 1 + m) % m;
      let sy = 0;
      let yy = 0;
      for (let i = 0; i < d; i++) {
        sy += S[k][i] * Y[k][i];
        yy += Y[k][i] * Y[k][i];
      }
      gamma = sy / yy;
    }
    for (let i = 0; i < d; i++) p[i] *= gamma;
    for (let j = count - 1; j >= 0; j--) {
      const k = (head - 1 - j + m) % m;
      let s = 0;
      for (let i = 0; i < d; i++) s += Y[k][i] * p[i];
      const beta = rho[k] * s;
      for (let i = 0; i < d; i++) p[i] += (alpha[k] - beta) * S[k][i];
    }
    for (let i = 0; i < d; i++) p[i] = -p[i];
    let slope = 0;
    for (let i = 0; i < d; i++) slope += p[i] * g[i];
    if (!(slope < 0)) {
      // not a descent direction: reset memory, use steepest descent
      count = 0;
      for (let i = 0; i < d; i++) p[i] = -g[i] / gnorm;
      slope = -gnorm;
    }
    let t = 1;
    let fn = Number.NaN;
    let ok = false;
    for (let ls = 0; ls < 60; ls++) {
      for (let i = 0; i < d; i++) xn[i] = x[i] + t * p[i];
      fn = loss.gradient(xn, gn);
      if (Number.isFinite(fn) && fn <= f + 1e-4 * t * slope) {
        ok = true;
        break;
      }
      t *= 0.5;
    }
    if (!ok) return true; // no further decrease possible at double precision: hand over to Newton
    const k = head;
    let sy = 0;
    for (let i = 0; i < d; i++) {
      S[k][i] = xn[i] - x[i];
      Y[k][i] = gn[i] - g[i];
      sy += S[k][i] * Y[k][i];
    }
    if (sy > 1e-300) {
      rho[k] = 1 / sy;
      head = (head + 1) % m;
      count = Math.min(count + 1, m);
    }
    x.set(xn);
    g.set(gn);
    f = fn;
    if (norm(x) > bound) return false;
  }
  return true;
}

/** Full description of a critical point at x (Hessian spectrum, index, noise). */
export function describePoint(
  p: LandscapeProblem,
  x: Float64Array,
  polish: { gradNorm: number; converged: boolean },
): CriticalPoint {
  const d = p.dim;
  const H = hessianMatrix(p.loss, x);
  const sp: Spectrum = spectrumOf(H, d);
  const hmax = Math.max(...sp.values.map(Math.abs), 0);
  const zt = 1e-8 * Math.max(hmax, 1e-300);
  const neg = sp.values.filter((v) => v < -zt).length;
  const zero = sp.values.filter((v) => Math.abs(v) <= zt).length;
  const value = p.loss.value(x);
  let kind: CriticalPoint["kind"];
  if (zero > 0) kind = neg === 0 ? "degenerate" : "saddle";
  else if (neg === 0) kind = "minimum";
  else if (neg === d) kind = "maximum";
  else kind = "saddle";
  // A degenerate point with no negative direction is still reported as a (degenerate) minimum class.
  let inDomain = true;
  if (p.domain) {
    for (let i = 0; i < d; i++) {
      const [lo, hi] = p.domain[i];
      const pad = 1e-9 * (hi - lo);
      if (x[i] < lo - pad || x[i] > hi + pad) inDomain = false;
    }
  }
  return {
    x: Array.from(x),
    value,
    gradNorm: polish.gradNorm,
    converged: polish.converged,
    index: neg,
    kind,
    eigenvalues: sp.values,
    eigenvectors: sp.vectors,
    noise: noiseAt(p, x, value, hmax),
    inDomain,
  };
}

/** Groups points into symmetry classes: equal L, Hessian spectrum and tr Σ within relative tol. */
export function symmetryClasses(points: CriticalPoint[], tol = 1e-6): SymmetryClass[] {
  const classes: SymmetryClass[] = [];
  const same = (a: CriticalPoint, b: CriticalPoint) => {
    if (Math.abs(a.value - b.value) > tol * Math.max(1, Math.abs(a.value))) return false;
    const s = Math.max(1e-300, ...a.eigenvalues.map(Math.abs));
    for (let k = 0; k < a.eigenvalues.length; k++) {
      if (Math.abs(a.eigenvalues[k] - b.eigenvalues[k]) > tol * s) return false;
    }
    if (a.noise && b.noise) {
      const ts = Math.max(1e-300, Math.abs(a.noise.traceSigma), Math.abs(b.noise.traceSigma));
      if (Math.abs(a.noise.traceSigma - b.noise.traceSigma) > tol * ts && ts > 1e-12) return false;
    }
    return a.index === b.index;
  };
  points.forEach((pt, i) => {
    const c = classes.find((k) => same(points[k.representative], pt));
    if (c) {
      c.members.push(i);
      c.locations.push(pt.x);
      c.multiplicity++;
    } else {
      classes.push({ representative: i, multiplicity: 1, members: [i], locations: [pt.x], value: pt.value });
    }
  });
  return classes;
}

/** Adds pt to list unless a point within tol already exists; returns its index. */
export function addUnique(list: CriticalPoint[], pt: CriticalPoint, tol: number): number {
  for (let i = 0; i < list.length; i++) if (dist(list[i].x, pt.x) <= tol) return i;
  list.push(pt);
  return list.length - 1;
}

/**
 * Local minima of L by multi-start descent + Newton polish. Starts: `startPoints`, Gaussian
 * clouds `around` given centres (large d), seeded uniform points in a bounded problem.domain, or
 * (unbounded domain, e.g. data-driven models) clouds around ±problem.start.
 * Points converging to a saddle (a negative Hessian eigenvalue) are pushed off along it and
 * descended again. Sorted by L ascending.
 */
export function findMinima(p: LandscapeProblem, opts: FindMinimaOptions = {}): MinimaResult {
  const d = p.dim;
  const rng = new Rng(opts.seed ?? 1);
  const starts: Float64Array[] = [];
  let around = opts.around ?? [];
  let spread = opts.spread ?? 0.1;
  const bounded = !!p.domain && p.domain.every(([lo, hi]) => Number.isFinite(lo) && Number.isFinite(hi));
  if (!opts.startPoints?.length && !around.length && !bounded) {
    // Unbounded domain (data-driven models): clouds around ±start (sign flips are a common symmetry).
    if (!p.start)
      throw new UserError("findMinima: the domain is unbounded; give startPoints/around or a start point", {
        where: "domain",
      });
    const s0 = Array.from(p.start);
    around = [s0, s0.map((v) => -v)];
    spread = opts.spread ?? Math.max(0.1, norm(s0) / Math.sqrt(d));
  }
  for (const s of opts.startPoints ?? []) starts.push(Float64Array.from(s));
  const nAround = Math.max(1, Math.floor((opts.starts ?? 10 * around.length) / Math.max(1, around.length)));
  for (const c of around) {
    for (let k = 0; k < nAround; k++) {
      const x = Float64Array.from(c);
      if (k > 0) for (let i = 0; i < d; i++) x[i] += spread * rng.normal();
      starts.push(x);
    }
  }
  if (starts.length === 0 && p.domain) {
    const n = opts.starts ?? (d <= 3 ? 100 * d : Math.min(400, 20 * d + 20));
    for (let k = 0; k < n; k++) {
      const x = new Float64Array(d);
      for (let i = 0; i < d; i++) {
        const [lo, hi] = p.domain[i];
        x[i] = lo + (hi - lo) * rng.uniform();
      }
      starts.push(x);
    }
  }
  const scale = boxScale(p.domain, pointsScale(starts));
  const dedup = (opts.dedupTol ?? 1e-6) * Math.max(1, scale);
  const gradTol = opts.gradTol ?? 1e-10;
  const bound = 1e3 * Math.max(1, scale, ...starts.map((s) => norm(s)));
  const minima: CriticalPoint[] = [];
  const hitCount: number[] = [];
  let failed = 0;
  for (let s = 0; s < starts.length; s++) {
    const x = starts[s];
    if (opts.stoppable)
      throwIfStopped(`the multi-start search for minima (${s} of ${starts.length} starts done)`);
    let ok = false;
    for (let attempt = 0; attempt < 4; attempt++) {
      if (!descend(p.loss, x, { tol: 1e-8, maxIter: opts.maxIter ?? 5000, bound })) break;
      const pol = newtonPolish(p.loss, x, gradTol);
      const pt = describePoint(p, x, pol);
      if (pt.index === 0) {
        if (!Number.isFinite(pt.value)) break;
        const k = addUnique(minima, pt, dedup);
        hitCount[k] = (hitCount[k] ?? 0) + 1;
        ok = true;
        break;
      }
      // Stalled at a saddle: step off along the most negative direction, both signs tried in turn.
      const v = pt.eigenvectors[0];
      const h = 1e-3 * Math.max(1, scale) * (attempt % 2 === 0 ? 1 : -1);
      for (let i = 0; i < d; i++) x[i] += h * v[i];
    }
    if (!ok) failed++;
  }
  if (minima.length === 0)
    throw new NumericalError(`findMinima: no minimum found from ${starts.length} starts`);
  const order = minima.map((_, i) => i).sort((a, b) => minima[a].value - minima[b].value);
  const sorted = order.map((i) => minima[i]);
  const hits = order.map((i) => hitCount[i] ?? 0);
  const ok = starts.length - failed;
  const unseenProbability = ok > 0 ? hits.filter((h) => h === 1).length / ok : 1;
  return {
    minima: sorted,
    classes: symmetryClasses(sorted, opts.symmetryTol),
    starts: starts.length,
    failed,
    hits,
    unseenProbability,
  };
}
