/**
 * The 1-D mean exit time by quadrature of the exact double-integral formula (DESIGN.md §1), general A(x):
 *   scale density s = exp(φ), φ' = 2L'/A;  speed density m = 2/(A s);
 *   reflecting at a, absorbing at b:  E_x τ = ∫_x^b s(z) ∫_a^z m(y) dy dz;
 *   both ends absorbing:             E_x τ = (S(x)/S(b))·∫_a^b J − ∫_a^x J,  J = s·∫_a^· m, S = ∫_a^· s.
 * Evaluated overflow-free through J(z) = ∫_a^z (2/A(y)) e^{φ(z)−φ(y)} dy (a stable recursion), Simpson for φ,
 * trapezoid for the rest, on M and 2M cells with Richardson extrapolation (error estimate |T_2M − T_M|/3).
 * When A vanishes in the interval the speed measure is not integrable (e.g. A ~ (x−x*)² at a minimum): the
 * answer is infinite and reported as such (time null).
 */
import { UserError } from "../errors.js";
import { diffusionOfVariance } from "../problem/diffusion.js";
import { firstEntry1d } from "../problem/region-1d.js";
import type { Problem } from "../problem/types.js";
import type { RegionFn } from "./grid.js";

export interface Exact1dResult {
  method: "exact";
  /** SDE time, or null when infinite. */
  time: number | null;
  /** time/η, or null. */
  iterations: number | null;
  infinite: boolean;
  /** Richardson estimate of the quadrature error (SDE time). */
  error_estimate: number | null;
  /** Interval [a, b] of the formula and the type of each end. */
  interval: [number, number];
  ends: [string, string];
  /** false when the formula does not apply (noise vanishing where the drift does not). */
  applicable?: boolean;
  reason?: string;
}

/** Exact MET for a 1-D problem from `from` to `region` (reflecting at the domain walls). */
export function exactExitTimeEstimate(
  problem: Problem,
  from: readonly number[],
  region: RegionFn,
  opts: { cells?: number } = {},
): Exact1dResult {
  if (problem.dim !== 1) throw new UserError("the exact exit-time formula is 1-D only", { where: "methods" });
  const [lo, hi] = problem.domain[0];
  const x0 = from[0];
  const xv = new Float64Array(1);
  const inR = (y: number) => {
    xv[0] = y;
    return region(xv);
  };
  if (inR(x0)) {
    return {
      method: "exact",
      time: 0,
      iterations: 0,
      infinite: false,
      error_estimate: 0,
      interval: [x0, x0],
      ends: ["absorbing", "absorbing"],
    };
  }
  // Find the nearest region boundary on each side of x0 within the domain.
  const scan = 20000;
  const findSide = (dir: 1 | -1): number | null => firstEntry1d(region, x0, dir > 0 ? hi : lo, scan) ?? null;

  const right = findSide(1);
  const left = findSide(-1);
  if (right === null && left === null) {
    throw new UserError("the target region does not meet the domain on either side of the start point", {
      where: "to",
    });
  }
  const cov = new Float64Array(1);
  const g = new Float64Array(1);
  const dpr = (y: number) => {
    xv[0] = y;
    problem.loss.gradient(xv, g);
    return g[0];
  };
  const Afn = (y: number) => {
    xv[0] = y;
    problem.noise.covariance(xv, cov);
    return diffusionOfVariance(problem, cov[0]);
  };
  let a = left ?? lo;
  let b = right ?? hi;
  const ends: [string, string] = [
    left === null ? "reflecting" : "absorbing",
    right === null ? "reflecting" : "absorbing",
  ];
  let Lp = dpr;
  let Af = Afn;
  let x = x0;
  let leftAbs = left !== null;
  if (right === null) {
    // mirror y → −y so that the absorbing end is on the right
    Lp = (y) => -dpr(-y);
    Af = (y) => Afn(-y);
    [a, b] = [-b, -a];
    x = -x0;
    leftAbs = false;
  }
  // Degeneracy: A vanishing anywhere in [a, b].
  const zero = findZero(Af, a, b);
  const interval: [number, number] = right === null ? [-b, -a] : [a, b];
  if (zero?.identically) {
    // No noise at all on the interval: deterministic gradient flow ẋ = −L'(x) from x toward b.
    const t = flowTime(Lp, x, b);
    return {
      method: "exact",
      time: t,
      iterations: t === null ? null : t / problem.lr,
      infinite: t === null,
      error_estimate: t === null ? null : 0,
      interval,
      ends,
      reason:
        t === null
          ? "no noise: the gradient flow from the start stops at a critical point (or moves away) before the target"
          : "no noise: deterministic gradient-flow time ∫dx/|L'|",
    };
  }
  if (zero) {
    // Noise vanishing where the drift does not (|L'(x*)| large): the process crosses x* only along the drift;
    // the formula does not apply there.
    let gmax = 0;
    for (let k = 0; k <= 200; k++) gmax = Math.max(gmax, Math.abs(Lp(a + ((b - a) * k) / 200)));
    if (Math.abs(Lp(zero.x)) > 1e-6 * gmax) {
      return {
        method: "exact",
        time: null,
        iterations: null,
        infinite: false,
        applicable: false,
        error_estimate: null,
        interval,
        ends,
        reason: `diffusion A vanishes at x = ${(right === null ? -zero.x : zero.x).toPrecision(6)} where the drift does not: the process crosses it one way only; the quadrature formula is not applicable (use the pde or particle methods)`,
      };
    }
    return {
      method: "exact",
      time: null,
      iterations: null,
      infinite: true,
      error_estimate: null,
      interval,
      ends,
      reason: `diffusion A vanishes at x = ${(right === null ? -zero.x : zero.x).toPrecision(6)} inside the interval: the speed measure is not integrable there, the process cannot cross it (mean exit time infinite)`,
    };
  }
  const M = opts.cells ?? 200000;
  const t1 = met1d(Lp, Af, a, b, x, leftAbs, M);
  const t2 = met1d(Lp, Af, a, b, x, leftAbs, 2 * M);
  const time = t2 + (t2 - t1) / 3;
  if (!Number.isFinite(time)) {
    return {
      method: "exact",
      time: null,
      iterations: null,
      infinite: true,
      error_estimate: null,
      interval: [left ?? lo, right ?? hi],
      ends,
      reason: "the double integral overflows (exit time beyond double range)",
    };
  }
  return {
    method: "exact",
    time,
    iterations: time / problem.lr,
    infinite: false,
    error_estimate: Math.abs(t2 - t1) / 3,
    interval: [left ?? lo, right ?? hi],
    ends,
  };
}

/**
 * Deterministic time of ẋ = −L'(x) from x to b (> x), or null if L' ≥ 0 somewhere on [x, b] (the flow
 * stops or turns back). Midpoint rule on 2e5 cells of ∫ dx/(−L').
 */
function flowTime(Lp: (y: number) => number, x: number, b: number): number | null {
  const M = 200000;
  const dx = (b - x) / M;
  let t = 0;
  for (let k = 0; k <= M; k++) {
    if (!(-Lp(x + k * dx) > 0)) return null;
  }
  for (let k = 0; k < M; k++) t += dx / -Lp(x + (k + 0.5) * dx);
  return t;
}

/** A point where A ≤ 1e-13·max A on [a, b] (grid scan + golden-section polish), or null. */
function findZero(
  A: (y: number) => number,
  a: number,
  b: number,
): { x: number; identically?: boolean } | null {
  const K = 4000;
  let amax = 0;
  let amin = Number.POSITIVE_INFINITY;
  let kmin = 0;
  for (let k = 0; k <= K; k++) {
    const v = A(a + ((b - a) * k) / K);
    if (v > amax) amax = v;
    if (v < amin) {
      amin = v;
      kmin = k;
    }
  }
  if (!(amax > 0)) return { x: a, identically: true };
  let l = a + ((b - a) * Math.max(0, kmin - 1)) / K;
  let r = a + ((b - a) * Math.min(K, kmin + 1)) / K;
  const gr = (Math.sqrt(5) - 1) / 2;
  for (let it = 0; it < 100; it++) {
    const m1 = r - gr * (r - l);
    const m2 = l + gr * (r - l);
    if (A(m1) < A(m2)) r = m2;
    else l = m1;
  }
  const xs = 0.5 * (l + r);
  const v = Math.min(A(xs), amin);
  return v <= 1e-13 * amax ? { x: xs } : null;
}

/** Trapezoid/Simpson evaluation on M cells; absorbing at b, reflecting (or absorbing if leftAbs) at a. */
function met1d(
  Lp: (y: number) => number,
  A: (y: number) => number,
  a: number,
  b: number,
  x: number,
  leftAbs: boolean,
  M: number,
): number {
  const dz = (b - a) / M;
  const J = new Float64Array(M + 1);
  const phi = new Float64Array(M + 1);
  let fPrev = (2 * Lp(a)) / A(a);
  let aPrev = A(a);
  for (let k = 0; k < M; k++) {
    const y1 = a + (k + 1) * dz;
    const ym = y1 - 0.5 * dz;
    const Am = A(ym);
    const A1 = A(y1);
    const fm = (2 * Lp(ym)) / Am;
    const f1 = (2 * Lp(y1)) / A1;
    const dphi = (dz / 6) * (fPrev + 4 * fm + f1);
    phi[k + 1] = phi[k] + dphi;
    const e = Math.exp(dphi);
    J[k + 1] = e * J[k] + 0.5 * dz * ((2 / aPrev) * e + 2 / A1);
    fPrev = f1;
    aPrev = A1;
  }
  // ∫_a^x J and ∫_a^b J (trapezoid, partial cell by linear interpolation)
  const t = (x - a) / dz;
  const kx = Math.min(M - 1, Math.max(0, Math.floor(t)));
  const fr = t - kx;
  let intAx = 0;
  for (let k = 0; k < kx; k++) intAx += 0.5 * dz * (J[k] + J[k + 1]);
  const Jx = J[kx] + fr * (J[kx + 1] - J[kx]);
  intAx += 0.5 * fr * dz * (J[kx] + Jx);
  let intAb = 0;
  for (let k = 0; k < M; k++) intAb += 0.5 * dz * (J[k] + J[k + 1]);
  if (!leftAbs) return intAb - intAx;
  // both ends absorbing: S(x)/S(b) with s = e^{φ − max φ}
  let pmax = Number.NEGATIVE_INFINITY;
  for (let k = 0; k <= M; k++) if (phi[k] > pmax) pmax = phi[k];
  let Sx = 0;
  let Sb = 0;
  for (let k = 0; k < M; k++) {
    const s0 = Math.exp(phi[k] - pmax);
    const s1 = Math.exp(phi[k + 1] - pmax);
    const c = 0.5 * dz * (s0 + s1);
    Sb += c;
    if (k < kx) Sx += c;
    else if (k === kx) {
      const sx = s0 + fr * (s1 - s0);
      Sx += 0.5 * fr * dz * (s0 + sx);
    }
  }
  return (Sx / Sb) * intAb - intAx;
}
