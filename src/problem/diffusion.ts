/**
 * The one diffusion formula of the order-1 SDE (DESIGN.md §1): A(x) = η·batchScale·Σ(x) + 2δI, with Σ the
 * per-sample gradient-noise covariance and Σ_B = batchScale·Σ the batch covariance. Every side — particles, PDE
 * generator, exact 1-D formula, landscape, bounds, path-1d — reads A through these functions.
 */
import type { Problem } from "./types.js";

/** What the formula reads from a problem. `batchScale` absent means 1 (Σ is then the batch covariance). */
export interface DiffusionParams {
  /** η (learning rate); SDE time t = η × iterations. */
  readonly lr: number;
  /** Σ_B = batchScale·Σ (1 when absent). */
  readonly batchScale?: number;
  /** Noisy-SGD δ (0 when absent). */
  readonly delta?: number;
}

/** c = η·batchScale: A = c·Σ + 2δI. */
export function noiseScale(p: DiffusionParams): number {
  return p.lr * (p.batchScale ?? 1);
}

/** The diffusion along a unit direction τ (or in 1-D) from the noise variance v = τᵀΣτ: a = c·v + 2δ. */
export function diffusionOfVariance(p: DiffusionParams, v: number): number {
  return noiseScale(p) * v + 2 * (p.delta ?? 0);
}

/** tr A from tr Σ in dimension d: c·tr Σ + 2dδ. */
export function diffusionTrace(p: DiffusionParams, traceSigma: number, d: number): number {
  return noiseScale(p) * traceSigma + 2 * d * (p.delta ?? 0);
}

/** Turns Σ (row-major d×d, in `cov`) into A = c·Σ + 2δI, written into `out` (may be `cov` itself). */
export function diffusionFromCovariance(
  p: DiffusionParams,
  d: number,
  cov: ArrayLike<number>,
  out: Float64Array,
): Float64Array {
  const c = noiseScale(p);
  for (let k = 0; k < d * d; k++) out[k] = c * cov[k];
  const twoDelta = 2 * (p.delta ?? 0);
  if (twoDelta > 0) for (let i = 0; i < d; i++) out[i * d + i] += twoDelta;
  return out;
}

/** Writes A(x) = η·batchScale·Σ(x) + 2δI (row-major d×d) into out. */
export function diffusionMatrix(p: Problem, x: Float64Array, out: Float64Array): void {
  p.noise.covariance(x, out);
  diffusionFromCovariance(p, p.dim, out, out);
}

/**
 * Writes a factor F of the batch covariance, Σ_B(x) = F Fᵀ (row-major d×rank), into out.
 * `work` must have length ≥ p.noise.workSize.
 */
export function batchCovarianceFactor(
  p: Problem,
  x: Float64Array,
  out: Float64Array,
  work: Float64Array,
): void {
  p.noise.factor(x, out, work);
  const s = Math.sqrt(p.batchScale);
  const n = p.dim * p.noise.rank;
  for (let k = 0; k < n; k++) out[k] *= s;
}
