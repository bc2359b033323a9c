/**
 * The diffusion matrix of the order-1 SDE: A(x) = η·Σ_B(x) + 2δI with Σ_B = batchScale·Σ
 * (DESIGN.md §1). Shared by the PDE engine and the landscape so that all sides use one convention.
 */
import type { Problem } from "./types.js";

/** Writes A(x) = η·batchScale·Σ(x) + 2δI (row-major d×d) into out. */
export function diffusionMatrix(p: Problem, x: Float64Array, out: Float64Array): void {
  const d = p.dim;
  p.noise.covariance(x, out);
  const c = p.lr * p.batchScale;
  for (let k = 0; k < d * d; k++) out[k] *= c;
  if (p.delta > 0) for (let i = 0; i < d; i++) out[i * d + i] += 2 * p.delta;
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
