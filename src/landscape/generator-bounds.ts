/**
 * Certified two-sided bounds on the mean exit time of the DISCRETE generator Q (the PDE side's
 * Markov chain, DESIGN.md §2) from trial functions, in any dimension — the d > 1 hook of bounds.ts.
 *
 * The argument (discrete comparison principle). Let u solve (Q u)_i = −1 on live nodes, u = 0 on the
 * absorbing set. For a trial v with v = 0 on the absorbing set put c⁻ = min_live (−Qv)_i and
 * c⁺ = max_live (−Qv)_i.
 * - If c⁻ > 0 then w = v/c⁻ − u has Qw ≤ 0 on live nodes and w = 0 on the absorbing set; by optional
 *   stopping (w(X_{t∧τ}) is a supermartingale, τ < ∞ a.s. because Qv ≤ −c⁻ forbids a closed live class)
 *   w ≥ 0: u ≤ v/c⁻.
 * - If c⁺ > 0 then likewise u ≥ v/c⁺ (valid even where u = +∞).
 * Floating-point rounding of Qv is covered by widening each row by 1e-13·Σ_j |Q_ij v_j|.
 * The bracket is as good as the trial: the PDE solution itself gives a certificate of the solver
 * (tight), a 1-D profile along the escape coordinate gives an independent bracket (looser).
 * This brackets the discrete (PDE) value; its distance to the continuum is the grid error.
 */
import type { Csr } from "../linalg/csr.js";

export interface GeneratorBounds {
  method: "bounds";
  /** Bounds on u at the start node (SDE time). */
  lower: number;
  upper: number;
  /** c⁻ and c⁺ of the best trials. */
  cMin: number;
  cMax: number;
  /** Index of the trial giving the upper / lower bound (−1: trivial bound). */
  upperTrial: number;
  lowerTrial: number;
}

/**
 * c⁻ = min (−Qv)_i and c⁺ = max (−Qv)_i over live nodes (absorbing entries of v read as 0; rows of
 * nodes where v is not finite — e.g. the PDE's infinite-exit nodes, which no finite node can jump
 * to — are skipped, as are explicit zero rates). Then v/c⁺ ≤ u ≤ v/c⁻ nodewise (when c± > 0),
 * hence also for any non-negative combination of nodes (multilinear interpolation).
 */
export function comparisonConstants(
  Q: Csr,
  absorbing: Uint8Array,
  v: Float64Array,
): { cMin: number; cMax: number } {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < Q.n; i++) {
    if (absorbing[i] || !Number.isFinite(v[i])) continue;
    let s = 0;
    let mag = 0;
    for (let k = Q.rowPtr[i]; k < Q.rowPtr[i + 1]; k++) {
      const q0 = Q.values[k];
      if (q0 === 0) continue;
      const j = Q.colIdx[k];
      const q = q0 * (absorbing[j] ? 0 : v[j]);
      s += q;
      mag += Math.abs(q);
    }
    const r = -s;
    const e = 1e-13 * mag;
    if (r - e < lo) lo = r - e;
    if (r + e > hi) hi = r + e;
  }
  return { cMin: lo, cMax: hi };
}

/**
 * Bounds at node `start` from trial functions (each a nodal Float64Array; values on absorbing nodes
 * are ignored and taken as 0). `absorbing[i] = 1` marks absorbing nodes (empty rows of Q).
 */
export function generatorBounds(
  Q: Csr,
  absorbing: Uint8Array,
  start: number,
  trials: Float64Array[],
): GeneratorBounds {
  let lower = 0;
  let upper = Number.POSITIVE_INFINITY;
  let cMin = Number.NaN;
  let cMax = Number.NaN;
  let upperTrial = -1;
  let lowerTrial = -1;
  if (absorbing[start]) return { method: "bounds", lower: 0, upper: 0, cMin, cMax, upperTrial, lowerTrial };
  trials.forEach((v, t) => {
    const c = comparisonConstants(Q, absorbing, v);
    const vs = v[start];
    if (c.cMin > 0 && vs / c.cMin < upper) {
      upper = vs / c.cMin;
      cMin = c.cMin;
      upperTrial = t;
    }
    if (c.cMax > 0 && vs / c.cMax > lower) {
      lower = vs / c.cMax;
      cMax = c.cMax;
      lowerTrial = t;
    }
  });
  return { method: "bounds", lower, upper, cMin, cMax, upperTrial, lowerTrial };
}
