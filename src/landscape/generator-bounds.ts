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
 * Bounds at node `start` from trial functions (each a nodal Float64Array; values on absorbing nodes
 * are ignored and taken as 0). `absorbing[i] = 1` marks absorbing nodes (empty rows of Q).
 */
export function generatorBounds(
  Q: Csr,
  absorbing: Uint8Array,
  start: number,
  trials: Float64Array[],
): GeneratorBounds {
  const n = Q.n;
  let lower = 0;
  let upper = Number.POSITIVE_INFINITY;
  let cMin = Number.NaN;
  let cMax = Number.NaN;
  let upperTrial = -1;
  let lowerTrial = -1;
  if (absorbing[start]) return { method: "bounds", lower: 0, upper: 0, cMin, cMax, upperTrial, lowerTrial };
  trials.forEach((v, t) => {
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      if (absorbing[i]) continue;
      let s = 0;
      let mag = 0;
      for (let k = Q.rowPtr[i]; k < Q.rowPtr[i + 1]; k++) {
        const j = Q.colIdx[k];
        const vj = absorbing[j] ? 0 : v[j];
        const q = Q.values[k] * vj;
        s += q;
        mag += Math.abs(q);
      }
      const r = -s;
      const e = 1e-13 * mag;
      if (r - e < lo) lo = r - e;
      if (r + e > hi) hi = r + e;
    }
    const vs = v[start];
    if (lo > 0 && vs / lo < upper) {
      upper = vs / lo;
      cMin = lo;
      upperTrial = t;
    }
    if (hi > 0 && vs / hi > lower) {
      lower = vs / hi;
      cMax = hi;
      lowerTrial = t;
    }
  });
  return { method: "bounds", lower, upper, cMin, cMax, upperTrial, lowerTrial };
}
