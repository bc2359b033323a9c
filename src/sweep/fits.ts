/**
 * Least-squares fits of the scaling laws a sweep tests, with 95% intervals and a curvature check that says
 * when a straight law does not hold over the range swept.
 *
 * Intervals are Student-t intervals from the residual scatter (n − k degrees of freedom): with Monte Carlo
 * points they cover the sampling noise; with deterministic points (exact, pde) they measure how far the
 * points are from the law, i.e. the model error of the law itself.
 */
import { studentTCdf, studentTQuantile } from "../analysis/intervals.js";

export interface LinearFit {
  /** Coefficients, in the order of the regressors. */
  coef: number[];
  /** Standard errors and 95% intervals of the coefficients (NaN with no degree of freedom left). */
  se: number[];
  ci: [number, number][];
  /** Points, degrees of freedom, residuals (y − fit) and their root-mean-square. */
  n: number;
  dof: number;
  residuals: number[];
  rms: number;
}

/** Ordinary least squares y ≈ Σ coef_j · X_j (columns X_j), by QR (modified Gram–Schmidt on scaled columns). */
export function fitLinear(columns: readonly (readonly number[])[], y: readonly number[]): LinearFit {
  const k = columns.length;
  const n = y.length;
  const scale = columns.map((c) => Math.max(...c.map(Math.abs)) || 1);
  const Q = columns.map((c, j) => c.map((v) => v / scale[j]));
  const R = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let j = 0; j < k; j++) {
    for (let i = 0; i < j; i++) {
      let d = 0;
      for (let r = 0; r < n; r++) d += Q[i][r] * Q[j][r];
      R[i][j] = d;
      for (let r = 0; r < n; r++) Q[j][r] -= d * Q[i][r];
    }
    let norm = 0;
    for (let r = 0; r < n; r++) norm += Q[j][r] * Q[j][r];
    norm = Math.sqrt(norm);
    R[j][j] = norm;
    for (let r = 0; r < n; r++) Q[j][r] = norm > 0 ? Q[j][r] / norm : 0;
  }
  // R⁻¹ (upper triangular)
  const Ri = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let j = 0; j < k; j++) {
    Ri[j][j] = 1 / R[j][j];
    for (let i = j - 1; i >= 0; i--) {
      let s = 0;
      for (let m = i + 1; m <= j; m++) s += R[i][m] * Ri[m][j];
      Ri[i][j] = -s / R[i][i];
    }
  }
  const qty = Q.map((q) => q.reduce((s, v, r) => s + v * y[r], 0));
  const coefScaled = Ri.map((row) => row.reduce((s, v, m) => s + v * qty[m], 0));
  const coef = coefScaled.map((c, j) => c / scale[j]);
  const residuals = y.map((v, r) => v - columns.reduce((s, c, j) => s + coef[j] * c[r], 0));
  const rss = residuals.reduce((s, v) => s + v * v, 0);
  const dof = n - k;
  const s2 = dof > 0 ? rss / dof : Number.NaN;
  const tq = dof > 0 ? studentTQuantile(0.975, dof) : Number.NaN;
  const se = coef.map((_, j) => {
    let v = 0;
    for (let m = 0; m < k; m++) v += Ri[j][m] * Ri[j][m];
    return Math.sqrt(s2 * v) / scale[j];
  });
  return {
    coef,
    se,
    ci: coef.map((c, j) => [c - tq * se[j], c + tq * se[j]]),
    n,
    dof,
    residuals,
    rms: Math.sqrt(rss / n),
  };
}

/** A straight law y = a + b·x, checked for curvature by adding a term c·g(x). */
export interface LawFit {
  /** Distinct points used; points left out and why (lower bounds, non-finite). */
  n: number;
  excluded: string[];
  /** The straight fit: intercept a, slope b. */
  line: LinearFit;
  /** The fit with the curvature term (needs ≥ 4 points); its coefficient c with interval and two-sided p-value. */
  curved: LinearFit | null;
  curvatureP: number;
  /** True when the curvature term is significant (p < 0.05): the straight law does not hold over this range. */
  curvature: boolean;
  /** The fit whose slope and intercept are reported: the curved one when curvature is significant. */
  chosen: "line" | "curved";
  slope: number;
  slopeCi: [number, number];
  intercept: number;
  interceptCi: [number, number];
}

/**
 * Fits y = a + b·x and y = a + b·x + c·g(x); reports the curved fit's a and b when c is significant.
 * `g` is the first correction of the law (ε = 1/x for Arrhenius: log T = log K + ΔL/ε + c·ε; x² otherwise).
 */
export function fitLaw(
  x: readonly number[],
  y: readonly number[],
  g: (x: number) => number,
  excluded: string[] = [],
): LawFit | null {
  const n = x.length;
  if (n < 3) return null;
  const one = x.map(() => 1);
  const line = fitLinear([one, x], y);
  let curved: LinearFit | null = null;
  let p = Number.NaN;
  if (n >= 4) {
    curved = fitLinear([one, x, x.map(g)], y);
    const t = curved.coef[2] / curved.se[2];
    p = Number.isFinite(t) ? 2 * (1 - studentTCdf(Math.abs(t), curved.dof)) : Number.isNaN(t) ? 1 : 0;
  }
  const curvature = curved !== null && p < 0.05;
  const f = curvature && curved ? curved : line;
  return {
    n,
    excluded,
    line,
    curved,
    curvatureP: p,
    curvature,
    chosen: curvature ? "curved" : "line",
    slope: f.coef[1],
    slopeCi: f.ci[1],
    intercept: f.coef[0],
    interceptCi: f.ci[0],
  };
}
