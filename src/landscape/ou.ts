/**
 * Ornstein–Uhlenbeck (linearised) stationary covariance at a minimum x* with Hessian H
 * (DESIGN.md §1), with A = η Σ_B(x*) + 2δI the SDE diffusion matrix:
 * - SDE (continuous Lyapunov):  H S + S H = A;
 * - discrete SGD (Noisy SGD adds N(0, 2δηI) per step):  S = (I − ηH) S (I − ηH)ᵀ + η² Σ_B + 2δη I
 *   = M S Mᵀ + η A with M = I − ηH.
 * Both are solved in the eigenbasis of the symmetric H (Bartels–Stewart with a diagonal Schur form):
 * S̃_ij = Ã_ij / (λ_i + λ_j) and S̃_ij = η Ã_ij / (1 − μ_i μ_j), μ = 1 − ηλ, Ã = Qᵀ A Q.
 * Units: S in parameter units squared. If A(x*) = 0 the spread collapses: the parameters converge
 * to x* (for SGD when |1 − ηλ| < 1 for every eigenvalue λ of H).
 */
import type { CriticalPoint } from "./critical-points.js";
import { diffusionAt, hessianMatrix, type LandscapeProblem, spectrumOf } from "./util.js";

export interface OuSolution {
  /** Row-major d×d covariance (NaN entries when unstable). */
  covariance: number[];
  trace: number;
  /** Standard deviations along the Hessian eigenvectors (√ of the diagonal of S̃). */
  eigenStd: number[];
  stable: boolean;
}

export interface OuCovariance {
  point: number[];
  /** Continuous-time (SDE) answer. */
  sde: OuSolution;
  /** Discrete SGD answer and its contraction factor max_i |1 − ηλ_i|. */
  sgd: OuSolution & { spectralRadius: number };
  /** True when A(x*) = 0: the law collapses to the point x*. */
  collapses: boolean;
  why: string;
}

/** Solves both Lyapunov equations at x* (a minimum from findMinima, or a raw point). */
export function ouCovariance(p: LandscapeProblem, at: CriticalPoint | ArrayLike<number>): OuCovariance {
  const d = p.dim;
  const eta = p.lr;
  const xs = Float64Array.from(
    "x" in at && !(at instanceof Float64Array) ? (at as CriticalPoint).x : (at as ArrayLike<number>),
  );
  const H = hessianMatrix(p.loss, xs);
  const sp = spectrumOf(H, d);
  const A = diffusionAt(p, xs);
  // Ã = Qᵀ A Q with Q's columns the eigenvectors.
  const Q = sp.vectors; // Q[k] is eigenvector k
  const At = new Float64Array(d * d);
  const tmp = new Float64Array(d * d);
  for (let k = 0; k < d; k++)
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let i = 0; i < d; i++) s += Q[k][i] * A[i * d + j];
      tmp[k * d + j] = s;
    }
  for (let k = 0; k < d; k++)
    for (let l = 0; l < d; l++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += tmp[k * d + j] * Q[l][j];
      At[k * d + l] = s;
    }
  let trA = 0;
  let maxA = 0;
  for (let i = 0; i < d; i++) trA += A[i * d + i];
  for (let i = 0; i < d * d; i++) maxA = Math.max(maxA, Math.abs(A[i]));
  // Σ_B(x*) = 0 up to rounding (relative to the Hessian scale, with units of A = length²/time).
  const collapses = maxA <= 1e-14 * Math.max(1, ...sp.values.map(Math.abs));
  const lam = sp.values;
  const mu = lam.map((l) => 1 - eta * l);
  const back = (St: Float64Array): number[] => {
    const S = new Array<number>(d * d).fill(0);
    for (let i = 0; i < d; i++)
      for (let j = 0; j < d; j++) {
        let s = 0;
        for (let k = 0; k < d; k++) for (let l = 0; l < d; l++) s += Q[k][i] * St[k * d + l] * Q[l][j];
        S[i * d + j] = s;
      }
    return S;
  };
  const solve = (den: (k: number, l: number) => number, scale: number, stable: boolean): OuSolution => {
    const St = new Float64Array(d * d);
    for (let k = 0; k < d; k++)
      for (let l = 0; l < d; l++) {
        St[k * d + l] = At[k * d + l] === 0 ? 0 : stable ? (scale * At[k * d + l]) / den(k, l) : Number.NaN;
      }
    const S = back(St);
    let tr = 0;
    for (let i = 0; i < d; i++) tr += S[i * d + i];
    const eigenStd = lam.map((_, k) => Math.sqrt(St[k * d + k]));
    return { covariance: S, trace: tr, eigenStd, stable };
  };
  const sdeStable = lam.every((l) => l > 0);
  const rho = Math.max(...mu.map(Math.abs));
  const sgdStable = rho < 1;
  const sde = solve((k, l) => lam[k] + lam[l], 1, sdeStable);
  const sgd = { ...solve((k, l) => 1 - mu[k] * mu[l], eta, sgdStable), spectralRadius: rho };
  let why: string;
  if (collapses) {
    why = sgdStable
      ? "A = ηΣ_B(x*) + 2δI vanishes at x* (interpolating minimum, δ = 0): the spread collapses, parameters converge to x* (SGD contracts by max|1 − ηλ| = " +
        rho.toPrecision(4) +
        " per step)"
      : `A vanishes at x* but SGD is unstable there (max|1 − ηλ| = ${rho.toPrecision(4)} ≥ 1): it does not converge to x*`;
  } else if (!sdeStable) {
    why = "H is not positive definite at x*: no stationary OU law";
  } else if (!sgdStable) {
    why = `SGD is linearly unstable at x* (max|1 − ηλ| = ${rho.toPrecision(4)} ≥ 1, i.e. η·λ_max ≥ 2): the discrete covariance does not exist`;
  } else {
    why = `OU stationary covariance; tr A = ${trA.toPrecision(4)}; SDE and SGD differ by O(ηλ_max) = ${(eta * lam[d - 1]).toPrecision(3)}`;
  }
  return { point: Array.from(xs), sde, sgd, collapses, why };
}
