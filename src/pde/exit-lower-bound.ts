/**
 * A certified lower bound of the DISCRETE mean exit time when the exit-time system −Q_D u = 1 is singular to
 * double precision (linalg's SingularMatrixError: a nearly closed set of states whose exit time exceeds what
 * double precision resolves, ~1e13 holding times 1/|q_ii| and more).
 *
 * The argument (discrete comparison principle for the chain with the stored off-diagonal rates q_ij ≥ 0 and
 * exact zero row sums). For a trial v with v = 0 on the absorbing set and any c⁺ > 0 with (−Qv)_i ≤ c⁺ on every
 * live node, w = u − v/c⁺ has −Qw ≥ 0 on live nodes and w = 0 on the absorbing set, so w(X_{t∧τ}) is a
 * supermartingale and w ≥ 0: u ≥ v/c⁺ nodewise (trivially where u = +∞), hence also for any non-negative
 * combination of nodes (multilinear interpolation).
 *
 * The trial solves the killed system (−Q_D + εI) v = 1, a non-singular M-matrix for ε > 0 (condition about
 * max|q_ii|/ε): v_i = E[(1 − e^{−ετ})/ε] ≈ min(u_i, 1/ε) and (−Qv)_i = 1 − εv_i ≤ 1 in exact arithmetic. The bound
 * does not rely on v being accurate: c⁺ is evaluated from the stored v in the difference form
 * (−Qv)_i = Σ_{j≠i} q_ij (v_i − v_j) (no cancellation against a rounded diagonal; v_j = 0 on absorbing nodes),
 * each row widened by max(1e-13, (m + 2)·2.3e-16)·Σ_j |q_ij (v_i − v_j)| for its m terms — more than the
 * worst-case rounding of the subtractions, products and the sum. ε starts at 1e-14·max|q_ii| and grows 10× per
 * attempt (up to 1e-12·max|q_ii|) until the solve succeeds; the bound is then about 1/ε where the chain is
 * nearly closed, and about u where it is not (v ≈ u when ετ ≪ 1).
 *
 * Since v ≤ u, a bound beyond `NEARLY_CLOSED_HOLDING_TIMES` holding times 1/max|q_ii| certifies that the chain has
 * a nearly closed set of states: its exit time is beyond what a double-precision solve of −Q_D u = 1 resolves.
 *
 * What it does not certify: the distance between the discrete chain and the SDE (the discretisation error).
 */
import { NumericalError } from "../errors.js";
import type { Csr, CsrSubmatrix } from "../linalg/csr.js";
import { type SolveInfo, sparseSolve } from "./solve.js";

export interface ExitLowerBound {
  /** Nodal lower bound of the discrete mean exit time (SDE time): v/c⁺ on solved nodes, 0 on the absorbing set. */
  lower: Float64Array;
  /** Killing rate ε of the trial's system (1/SDE time) and its ratio to max|q_ii|. */
  shift: number;
  relativeShift: number;
  /** Certified c⁺ ≥ max over live nodes of (−Qv)_i (dimensionless: the trial's right-hand side is 1). */
  cPlus: number;
  /** Largest holding rate max|q_ii| over the solved nodes (1/SDE time). */
  maxRate: number;
  /** Largest nodal bound (SDE time): beyond NEARLY_CLOSED_HOLDING_TIMES/maxRate, a nearly closed set is certified. */
  maxLower: number;
  /** The shifted solve that produced the trial. */
  solve: SolveInfo;
  /** Relative shifts tried before, with why each failed. */
  failed: { relativeShift: number; why: string }[];
}

/** Relative killing rates ε/max|q_ii| tried in turn (the bound is about 1/ε). */
const RELATIVE_SHIFTS = [1e-14, 1e-13, 1e-12];

/**
 * Exit times beyond this many holding times 1/max|q_ii| are beyond what a double-precision solve of −Q_D u = 1
 * resolves (its condition number exceeds ~1/u there): the state is nearly closed.
 */
export const NEARLY_CLOSED_HOLDING_TIMES = 1e11;

/**
 * Certified c⁺ ≥ max over solved rows of (−Qv)_i in the difference form (see the file comment). `newIndex` maps
 * a node of Q to its solved unknown (−1 otherwise); `v` is indexed by unknown. Returns NaN when a solved row jumps
 * to a node that is neither solved nor absorbing (then no bound follows).
 */
export function certifiedRowMax(
  Q: Csr,
  absorbing: Uint8Array,
  keep: Int32Array,
  newIndex: Int32Array,
  v: Float64Array,
): number {
  let cPlus = Number.NEGATIVE_INFINITY;
  for (let r = 0; r < keep.length; r++) {
    const i = keep[r];
    const vi = v[r];
    let s = 0;
    let mag = 0;
    let m = 0;
    for (let k = Q.rowPtr[i]; k < Q.rowPtr[i + 1]; k++) {
      const j = Q.colIdx[k];
      const q = Q.values[k];
      if (j === i || q === 0) continue;
      let vj: number;
      if (absorbing[j]) vj = 0;
      else if (newIndex[j] >= 0) vj = v[newIndex[j]];
      else return Number.NaN;
      const t = q * (vi - vj);
      s += t;
      mag += Math.abs(t);
      m++;
    }
    const up = s + Math.max(1e-13, (m + 2) * 2.3e-16) * mag;
    if (up > cPlus) cPlus = up;
  }
  return cPlus;
}

/**
 * Lower bound of the discrete exit time on the unknowns of `sub` (the live, finite-exit nodes of Q), where
 * `A` = −Q_D restricted to them (as the exit-time solve built it). Null when none of the first `maxAttempts`
 * shifted solves succeeded with a positive certificate.
 */
export function exitTimeLowerBound(
  Q: Csr,
  absorbing: Uint8Array,
  sub: CsrSubmatrix,
  A: Csr,
  hint: { nx: number; ny?: number; nz?: number },
  tol: number,
  maxAttempts = RELATIVE_SHIFTS.length,
): ExitLowerBound | null {
  const n = A.n;
  const diagPos = new Int32Array(n).fill(-1);
  let maxRate = 0;
  for (let r = 0; r < n; r++)
    for (let k = A.rowPtr[r]; k < A.rowPtr[r + 1]; k++)
      if (A.colIdx[k] === r) {
        diagPos[r] = k;
        maxRate = Math.max(maxRate, Math.abs(A.values[k]));
      }
  if (!(maxRate > 0) || diagPos.some((p) => p < 0)) return null;
  const b = new Float64Array(n).fill(1);
  const failed: { relativeShift: number; why: string }[] = [];
  for (const rel of RELATIVE_SHIFTS.slice(0, maxAttempts)) {
    const eps = rel * maxRate;
    const values = Float64Array.from(A.values);
    for (let r = 0; r < n; r++) values[diagPos[r]] += eps;
    let x: Float64Array;
    let info: SolveInfo;
    try {
      const s = sparseSolve({ n, rowPtr: A.rowPtr, colIdx: A.colIdx, values }, b, tol, {
        ...hint,
        nodes: sub.keep,
      });
      x = s.x;
      info = s.info;
    } catch (e) {
      if (!(e instanceof NumericalError)) throw e;
      failed.push({ relativeShift: rel, why: e.message.slice(0, 200) });
      continue;
    }
    const cPlus = certifiedRowMax(Q, absorbing, sub.keep, sub.newIndex, x);
    if (!(cPlus > 0) || !Number.isFinite(cPlus)) {
      failed.push({ relativeShift: rel, why: `certificate c⁺ = ${cPlus} is not a positive number` });
      continue;
    }
    const lower = new Float64Array(Q.n);
    let maxLower = 0;
    for (let r = 0; r < n; r++) {
      const l = Math.max(0, x[r] / cPlus);
      lower[sub.keep[r]] = l;
      if (l > maxLower) maxLower = l;
    }
    return { lower, shift: eps, relativeShift: rel, cPlus, maxRate, maxLower, solve: info, failed };
  }
  return null;
}
