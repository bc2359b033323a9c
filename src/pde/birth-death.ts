/**
 * Cancellation-free solve of −Q_D u = f for a 1-D (birth–death) generator, GTH-style: every pivot is formed as
 * a sum of non-negative rates, never as a difference, so exit times of 1e8 and beyond keep full relative
 * accuracy (a plain Thomas solve loses digits when rows almost sum to zero).
 */
import { NumericalError } from "../errors.js";
import type { Csr } from "../linalg/csr.js";

/**
 * Q: a 1-D generator (rates only to i±1). `fixed[i]` = 1 for nodes with u_i = 0 given (absorbing) and 2 for
 * nodes excluded as infinite (no positive rate may lead into them from solved nodes). f ≥ 0.
 * Returns u (0 on fixed nodes, +∞ on excluded nodes).
 */
export function solveBirthDeath(Q: Csr, fixed: Uint8Array, f: Float64Array): Float64Array {
  const n = Q.n;
  const alpha = new Float64Array(n);
  const beta = new Float64Array(n);
  const gamma = new Float64Array(n); // 1 − alpha, computed without cancellation
  const u = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (fixed[i]) {
      alpha[i] = 0;
      beta[i] = 0;
      gamma[i] = 1;
      continue;
    }
    let l = 0;
    let r = 0;
    for (let p = Q.rowPtr[i]; p < Q.rowPtr[i + 1]; p++) {
      const j = Q.colIdx[p];
      if (j === i - 1) l = Q.values[p];
      else if (j === i + 1) r = Q.values[p];
      else if (j !== i && Q.values[p] !== 0) throw new NumericalError("solveBirthDeath: not a 1-D generator");
    }
    const gPrev = i > 0 ? gamma[i - 1] : 0;
    const bPrev = i > 0 ? beta[i - 1] : 0;
    const d = r + l * gPrev;
    if (!(d > 0)) throw new NumericalError(`solveBirthDeath: node ${i} cannot reach the absorbing set`);
    alpha[i] = r / d;
    gamma[i] = (l * gPrev) / d;
    beta[i] = (f[i] + l * bPrev) / d;
  }
  for (let i = n - 1; i >= 0; i--) {
    if (fixed[i] === 1) u[i] = 0;
    else if (fixed[i] === 2) u[i] = Number.POSITIVE_INFINITY;
    else u[i] = beta[i] + alpha[i] * (i + 1 < n && fixed[i + 1] !== 2 ? u[i + 1] : 0);
  }
  return u;
}
