/**
 * Entropy decay of the discrete law toward the stationary law π (π from `stationary`):
 *   H(t) = Σ p log(p/π) (nats);
 *   entropy production (discrete Fisher information) 𝓘(p) = ½ Σ_{i≠j} π_i Q_ij (f_j − f_i)(log f_j − log f_i),
 *   f = p/π — equal to −dH/dt for a reversible chain; for A = 2εI it approximates ε·∫ρ|∇log(ρ/ρ_∞)|², so
 *   `fisher` = 𝓘/ε is reported when the noise is isotropic and constant;
 *   fitted exponential rate r of H from least squares of log H over the late half of the fit window — the
 *   snapshots where H is well above its round-off floor (H > max(1e-12·H(0), 1e-13): H is a sum of p·log(p/π)
 *   whose rounding leaves ≈ 1e-15) and still strictly decreasing (H decreases for every Markov chain, so a
 *   value that does not is round-off). Asymptotically H ≈ ½χ² decays at 2λ (λ the spectral gap within the
 *   class) when the initial law excites the slowest mode;
 *   the Bakry–Émery rate 2λ when A = 2εI and ∇²L ≥ λI > 0 on the grid (H(t) ≤ e^{−2λt}H(0)).
 */
import type { Csr } from "../linalg/csr.js";
import { diffusionFromCovariance } from "../problem/diffusion.js";
import type { Problem } from "../problem/types.js";
import type { Snapshot } from "./fokker-planck.js";
import { type Grid, nodeCoords } from "./grid.js";

/** Discrete entropy production 𝓘(p) (1/SDE time). */
export function entropyProduction(Q: Csr, p: Float64Array, pi: Float64Array): number {
  let s = 0;
  for (let i = 0; i < Q.n; i++) {
    if (!(pi[i] > 0)) continue;
    const fi = p[i] / pi[i];
    for (let q = Q.rowPtr[i]; q < Q.rowPtr[i + 1]; q++) {
      const j = Q.colIdx[q];
      if (j === i || !(pi[j] > 0)) continue;
      const fj = p[j] / pi[j];
      const df = fj - fi;
      if (df === 0) continue;
      const dl = fi > 0 && fj > 0 ? Math.log(fj / fi) : Math.sign(df) * 745;
      s += pi[i] * Q.values[q] * df * dl;
    }
  }
  return 0.5 * s;
}

export interface EntropyReport {
  t: number[];
  H: number[];
  production: number[];
  /** production/ε when A = 2εI constant, else null entries. */
  fisher: (number | null)[];
  /** Exponential decay rate of H (1/SDE time) fitted over `fitWindow`; ≈ 2× the law's rate (H ≈ ½χ²). */
  fittedRate: number | null;
  /** Snapshots used by the fit: times [from, to] (SDE time) and how many. */
  fitWindow: { from: number; to: number; points: number } | null;
  /** H values at or below this were not used (round-off floor). */
  floor: number;
  /** Where the fit window ends and why, or why there is no fit. */
  fitNote: string;
  /** 2λ with λ = min eigenvalue of ∇²L over the grid (only when isotropic constant noise and λ > 0). */
  bakryEmeryRate: number | null;
  lambdaMin: number;
}

export function entropyDecay(
  problem: Problem,
  grid: Grid,
  Q: Csr,
  snapshots: readonly Snapshot[],
  pi: Float64Array,
): EntropyReport {
  const t = snapshots.map((s) => s.t);
  const H = snapshots.map((s) => s.relEntropy ?? Number.NaN);
  const production = snapshots.map((s) => entropyProduction(Q, s.p, pi));
  const eps = isotropicEps(problem);
  const fisher = production.map((v) => (eps ? v / eps : null));
  const fit = fitEntropyRate(t, H);
  const lambdaMin = minHessianEig(problem, grid);
  const bakryEmeryRate = eps && lambdaMin > 0 ? 2 * lambdaMin : null;
  return {
    t,
    H,
    production,
    fisher,
    fittedRate: fit.rate,
    fitWindow: fit.window,
    floor: fit.floor,
    fitNote: fit.note,
    bakryEmeryRate,
    lambdaMin,
  };
}

/** Relative H(t) above the round-off floor: 1e-12 of H(0), and never below 1e-13 (absolute, nats). */
export const ENTROPY_FLOOR = { relative: 1e-12, absolute: 1e-13 };

/**
 * Fits log H = a − r·t on the late half (at least 2 points) of the window of snapshots where H is above the
 * round-off floor and strictly decreasing. Returns the rate r (1/SDE time), the window and a note.
 */
export function fitEntropyRate(
  t: readonly number[],
  H: readonly number[],
): {
  rate: number | null;
  window: { from: number; to: number; points: number } | null;
  floor: number;
  note: string;
} {
  let first = -1;
  for (let k = 0; k < H.length; k++) {
    if (Number.isFinite(H[k]) && H[k] > 0) {
      first = k;
      break;
    }
  }
  if (first < 0) return { rate: null, window: null, floor: Number.NaN, note: "no finite positive H(t)" };
  const floor = Math.max(ENTROPY_FLOOR.relative * H[first], ENTROPY_FLOOR.absolute);
  let last = first;
  let note = "the last snapshot";
  for (let k = first + 1; k < H.length; k++) {
    if (!(Number.isFinite(H[k]) && H[k] > floor)) {
      note = `H(${t[k]}) = ${H[k].toExponential(2)} is at the round-off floor (≤ ${floor.toExponential(1)})`;
      break;
    }
    if (!(H[k] < H[last])) {
      note = `H stops decreasing at t = ${t[k]} (round-off)`;
      break;
    }
    last = k;
  }
  const m = last - first + 1;
  if (m < 2)
    return { rate: null, window: null, floor, note: `fewer than two snapshots above the floor: ${note}` };
  const from = m >= 4 ? first + Math.floor(m / 2) : first;
  let n = 0;
  let mt = 0;
  let my = 0;
  for (let k = from; k <= last; k++) {
    n++;
    mt += t[k];
    my += Math.log(H[k]);
  }
  mt /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  for (let k = from; k <= last; k++) {
    sxy += (t[k] - mt) * (Math.log(H[k]) - my);
    sxx += (t[k] - mt) * (t[k] - mt);
  }
  if (!(sxx > 0)) return { rate: null, window: null, floor, note: "the fit window has no time extent" };
  return {
    rate: -sxy / sxx,
    window: { from: t[from], to: t[last], points: n },
    floor,
    note: `window ends at ${note}`,
  };
}

/** ε when A = ηΣ_B + 2δI is 2εI and constant, else null. */
export function isotropicEps(problem: Problem): number | null {
  const d = problem.dim;
  if (!problem.noise.constant) return null;
  const cov = new Float64Array(d * d);
  problem.noise.covariance(new Float64Array(d), cov);
  diffusionFromCovariance(problem, d, cov, cov);
  const a = cov[0];
  for (let k = 0; k < d; k++) {
    for (let l = 0; l < d; l++) {
      const v = cov[k * d + l];
      if (Math.abs(v - (k === l ? a : 0)) > 1e-14 * Math.abs(a)) return null;
    }
  }
  return a > 0 ? a / 2 : null;
}

/** Smallest eigenvalue of ∇²L over the grid nodes (d ≤ 3, closed forms). */
export function minHessianEig(problem: Problem, grid: Grid): number {
  const d = grid.dim;
  const x = new Float64Array(d);
  const H = new Float64Array(d * d);
  let lam = Number.POSITIVE_INFINITY;
  for (let i = 0; i < grid.size; i++) {
    problem.loss.hessian(nodeCoords(grid, i, x), H);
    lam = Math.min(lam, minEig(H, d));
  }
  return lam;
}

function minEig(H: Float64Array, d: number): number {
  if (d === 1) return H[0];
  if (d === 2) {
    const tr = H[0] + H[3];
    const det = H[0] * H[3] - H[1] * H[2];
    return tr / 2 - Math.sqrt(Math.max(0, (tr * tr) / 4 - det));
  }
  // symmetric 3×3: trigonometric formula
  const [a, b, c, , e, f, , , i] = H;
  const p1 = b * b + c * c + f * f;
  const q = (a + e + i) / 3;
  if (p1 === 0) return Math.min(a, e, i);
  const p2 = (a - q) ** 2 + (e - q) ** 2 + (i - q) ** 2 + 2 * p1;
  const p = Math.sqrt(p2 / 6);
  const B = [(a - q) / p, b / p, c / p, b / p, (e - q) / p, f / p, c / p, f / p, (i - q) / p];
  const detB =
    B[0] * (B[4] * B[8] - B[5] * B[7]) -
    B[1] * (B[3] * B[8] - B[5] * B[6]) +
    B[2] * (B[3] * B[7] - B[4] * B[6]);
  const r = Math.max(-1, Math.min(1, detB / 2));
  const phi = Math.acos(r) / 3;
  return q + 2 * p * Math.cos(phi + (2 * Math.PI) / 3);
}
