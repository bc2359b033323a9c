/**
 * Small shared helpers of the landscape side: the input shape, seeded randomness, vector ops,
 * Hessian spectra and the noise seen at a point. Isomorphic, no I/O.
 */
import { symmetricEigen } from "../linalg/dense.js";
import { diffusionFromCovariance, diffusionTrace } from "../problem/diffusion.js";
import type { Box, Loss, NoiseModel } from "../problem/types.js";

/**
 * What the landscape needs from a problem. A full `Problem` satisfies it; tests and callers may
 * pass just `{ dim, loss }`. Noise-related outputs are omitted when `noise` is absent.
 * Conventions (DESIGN.md §1): Σ_B = batchScale·Σ, diffusion A = η Σ_B + 2δ I.
 */
export interface LandscapeProblem {
  readonly dim: number;
  readonly loss: Loss;
  readonly noise?: NoiseModel;
  readonly domain?: Box;
  /** η: the SDE's diffusion is A = η·batchScale·Σ + 2δI, and iterations = SDE time/η. */
  readonly lr: number;
  /** Σ_B = batchScale · Σ (default 1). */
  readonly batchScale?: number;
  /** Noisy-SGD δ (default 0). */
  readonly delta?: number;
  /** Default start point (used to seed searches when the domain is unbounded). */
  readonly start?: readonly number[];
  /** Heavy-ball momentum β (the landscape asymptotics model plain SGD: refused when > 0). */
  readonly momentum?: number;
}

export function norm(v: ArrayLike<number>, n = v.length): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}

export function dist(a: ArrayLike<number>, b: ArrayLike<number>, n = a.length): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    const t = a[i] - b[i];
    s += t * t;
  }
  return Math.sqrt(s);
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>, n = a.length): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i] * b[i];
  return s;
}

/**
 * Diameter of a box; `fallback` when the box is absent or unbounded (data-driven models have an
 * infinite default domain: callers pass a scale taken from their points).
 */
export function boxScale(domain: Box | undefined, fallback = 1): number {
  if (!domain || domain.length === 0) return fallback;
  let s = 0;
  for (const [lo, hi] of domain) s += (hi - lo) * (hi - lo);
  if (!Number.isFinite(s)) return fallback;
  return Math.max(Math.sqrt(s), 1e-300);
}

/** max(1, largest ‖x‖) over points: a length scale for unbounded problems. */
export function pointsScale(points: ArrayLike<number>[]): number {
  let m = 1;
  for (const x of points) m = Math.max(m, norm(x));
  return m;
}

/** Hessian spectrum at x: ascending eigenvalues, eigenvectors as rows (vectors[k] ↔ values[k]). */
export interface Spectrum {
  values: number[];
  vectors: number[][];
}

export function hessianMatrix(loss: Loss, x: Float64Array): Float64Array {
  const d = loss.dim;
  const h = new Float64Array(d * d);
  loss.hessian(x, h);
  for (let i = 0; i < d; i++) {
    for (let j = i + 1; j < d; j++) {
      const v = 0.5 * (h[i * d + j] + h[j * d + i]);
      h[i * d + j] = v;
      h[j * d + i] = v;
    }
  }
  return h;
}

export function spectrumOf(M: Float64Array, d: number): Spectrum {
  const e = symmetricEigen(M, d);
  const values = Array.from(e.values);
  const vectors: number[][] = [];
  for (let k = 0; k < d; k++) {
    const v = new Array<number>(d);
    for (let i = 0; i < d; i++) v[i] = e.vectors[i * d + k];
    vectors.push(v);
  }
  return { values, vectors };
}

/** Noise at a point (DESIGN.md §1): Σ per sample, Σ_B = batchScale·Σ, A = ηΣ_B + 2δI. */
export interface PointNoise {
  /** tr Σ(x) (per-sample gradient-noise covariance, loss-gradient units squared). */
  traceSigma: number;
  /** tr A(x) with A = η Σ_B + 2δ I, the diffusion matrix of the SDE (per unit SDE time). */
  traceDiffusion: number;
  /** Numerical rank of Σ(x): eigenvalues above 1e-10 · max(‖Σ‖, tiny). */
  rank: number;
  /** True when Σ(x) ≈ 0: tr Σ ≤ interpolationTol · (1 + |L(x)| + ‖∇²L(x)‖) — an interpolating point. */
  interpolating: boolean;
  /** Eigenvalues of Σ(x), ascending. */
  sigmaEigenvalues: number[];
}

export function covarianceAt(noise: NoiseModel, x: Float64Array, d: number): Float64Array {
  const S = new Float64Array(d * d);
  noise.covariance(x, S);
  for (let i = 0; i < d; i++) {
    for (let j = i + 1; j < d; j++) {
      const v = 0.5 * (S[i * d + j] + S[j * d + i]);
      S[i * d + j] = v;
      S[j * d + i] = v;
    }
  }
  return S;
}

/** Diffusion matrix A(x) = η·batchScale·Σ(x) + 2δI (zero matrix plus 2δI when no noise model). */
export function diffusionAt(p: LandscapeProblem, x: Float64Array): Float64Array {
  const d = p.dim;
  const A = p.noise ? covarianceAt(p.noise, x, d) : new Float64Array(d * d);
  return diffusionFromCovariance(p, d, A, A);
}

export function noiseAt(
  p: LandscapeProblem,
  x: Float64Array,
  lossValue: number,
  hessNorm: number,
  interpolationTol = 1e-10,
): PointNoise | undefined {
  if (!p.noise) return undefined;
  const d = p.dim;
  const S = covarianceAt(p.noise, x, d);
  let tr = 0;
  for (let i = 0; i < d; i++) tr += S[i * d + i];
  const ev = p.noise.kind === "none" ? new Array(d).fill(0) : Array.from(symmetricEigen(S, d).values);
  const top = Math.max(...ev.map(Math.abs), 0);
  const rank = top <= 1e-300 ? 0 : ev.filter((v) => v > 1e-10 * top).length;
  const interpolating = Math.abs(tr) <= interpolationTol * (1 + Math.abs(lossValue) + hessNorm);
  return {
    traceSigma: tr,
    traceDiffusion: diffusionTrace(p, tr, d),
    rank: interpolating ? 0 : rank,
    interpolating,
    sigmaEigenvalues: ev,
  };
}
