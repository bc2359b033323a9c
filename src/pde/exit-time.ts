/**
 * Mean exit time and committor on the discrete generator.
 *
 * Exit time: Q_D u = −1 on live nodes, u = 0 on the absorbing set; u in SDE time (iterations = u/η).
 * Nodes from which the process cannot surely exit (the jump graph leads with positive probability to nodes
 * that never reach the absorbing set — degenerate noise) get u = +∞ and are reported, never solved for.
 */
import { NumericalError, SingularMatrixError, UserError } from "../errors.js";
import { type Csr, csrSubmatrix } from "../linalg/csr.js";
import { residualReport } from "../linalg/residual.js";
import { solveBirthDeath } from "./birth-death.js";
import { exitTimeLowerBound, NEARLY_CLOSED_HOLDING_TIMES } from "./exit-lower-bound.js";
import type { DiscreteGenerator } from "./generator.js";
import { canReach, infiniteExitNodes } from "./reach.js";
import { type SolveInfo, sparseSolve } from "./solve.js";

export interface ExitTimeResult {
  /** Mean exit time per node (SDE time); 0 on absorbing nodes, +∞ where exit is not sure. */
  u: Float64Array;
  /** Number of live nodes with infinite exit time. */
  infiniteNodes: number;
  /** 1 where u = +∞. */
  infiniteMask: Uint8Array;
  solve: SolveInfo;
  /**
   * Set when the system was singular to double precision and `lowerBoundIfSingular` was asked: `u` is then only a
   * certified lower bound of the discrete exit time (exit-lower-bound.ts), not its value.
   */
  lowerBound?: {
    /** The solver's message about the singular system. */
    singular: string;
    /** Killing rate ε of the trial (1/SDE time), its ratio to the largest holding rate, and the certified c⁺. */
    shift: number;
    relativeShift: number;
    cPlus: number;
    maxRate: number;
  };
}

/**
 * Solves the exit-time problem on a generator built with an absorbing set. With `lowerBoundIfSingular` (d ≥ 2),
 * when the solve fails or is accepted only at the rounding floor with exit times beyond
 * NEARLY_CLOSED_HOLDING_TIMES holding times, a certified nodal lower bound is computed (exit-lower-bound.ts); if
 * it certifies such exit times (a nearly closed set of states: the system is singular to double precision), it is
 * returned with `lowerBound` set instead of the error or the unreliable solution.
 */
export function exitTime(
  gen: DiscreteGenerator,
  opts: { tol?: number; traps?: readonly number[]; lowerBoundIfSingular?: boolean } = {},
): ExitTimeResult {
  const { Q, absorbing } = gen;
  if (!absorbing) throw new UserError("exit time needs an absorbing region");
  let nAbs = 0;
  for (let i = 0; i < Q.n; i++) nAbs += absorbing[i];
  if (nAbs === 0) {
    throw new UserError("the target region contains no grid node", {
      where: "to",
      hint: "a region that meets the domain box, or a finer --grid",
    });
  }
  const inf = infiniteExitNodes(Q, absorbing);
  // Trap nodes (e.g. minima where the noise vanishes, see stationary.findTraps): the process that reaches them
  // never leaves in the continuum limit, so every node that can reach one has an infinite mean exit time.
  const traps = (opts.traps ?? []).filter((t) => !absorbing[t]);
  if (traps.length > 0) {
    const seed = new Uint8Array(Q.n);
    for (const t of traps) seed[t] = 1;
    const r = canReach(Q, seed);
    for (let i = 0; i < Q.n; i++) if (r[i] && !absorbing[i]) inf[i] = 1;
  }
  return solvePoisson(gen, absorbing, inf, null, opts.tol ?? 1e-10, opts.lowerBoundIfSingular ?? false);
}

/**
 * −Q_D u = f on nodes that are neither absorbing nor infinite (f = 1 if rhs null).
 * Shared by exit time and committor.
 */
function solvePoisson(
  gen: DiscreteGenerator,
  absorbing: Uint8Array,
  inf: Uint8Array,
  rhs: Float64Array | null,
  tol: number,
  lowerBoundIfSingular = false,
): ExitTimeResult {
  const { Q, grid } = gen;
  const n = Q.n;
  let nInf = 0;
  for (let i = 0; i < n; i++) nInf += inf[i];
  if (grid.dim === 1) {
    const fixed = new Uint8Array(n);
    const f = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      fixed[i] = absorbing[i] ? 1 : inf[i] ? 2 : 0;
      f[i] = rhs ? rhs[i] : 1;
    }
    const u = solveBirthDeath(Q, fixed, f);
    const res = residual1(gen, u, fixed, f);
    if (!(res.relativeResidual <= tol || res.limitedByRounding)) {
      throw new NumericalError(
        `birth–death solve: relative residual ${res.relativeResidual.toExponential(2)} above ${tol} and above the rounding floor`,
      );
    }
    return {
      u,
      infiniteNodes: nInf,
      infiniteMask: inf,
      solve: { method: "birth-death (GTH)", iterations: 1, ...res },
    };
  }
  const keep = new Uint8Array(n);
  for (let i = 0; i < n; i++) keep[i] = absorbing[i] || inf[i] ? 0 : 1;
  const sub = csrSubmatrix(Q, keep);
  const A = sub.matrix;
  for (let k = 0; k < A.values.length; k++) A.values[k] = -A.values[k];
  const b = new Float64Array(A.n);
  for (let r = 0; r < A.n; r++) b[r] = rhs ? rhs[sub.keep[r]] : 1;
  const u = new Float64Array(n);
  let info: SolveInfo = { method: "none", iterations: 0, relativeResidual: 0 };
  if (A.n > 0) {
    const sh = grid.shape;
    const hint = { nx: sh[0], ny: sh[1], nz: sh[2] };
    const fallback = lowerBoundIfSingular && rhs === null;
    let s: ReturnType<typeof sparseSolve> | null = null;
    let failure: NumericalError | null = null;
    try {
      s = sparseSolve(A, b, tol, { ...hint, nodes: sub.keep });
    } catch (e) {
      if (!(fallback && e instanceof NumericalError)) throw e;
      failure = e;
    }
    const huge = s !== null && s.info.limitedByRounding === true && beyondHoldingTimes(A, s.x);
    if (failure !== null || huge) {
      // the values of A are still −Q_D (the solvers work on copies); a failure not known to be singular gets one
      // attempt only (a hard but well-posed system fails the shifted solve as well)
      let lb: ReturnType<typeof exitTimeLowerBound> = null;
      try {
        const attempts = failure === null || failure instanceof SingularMatrixError ? 3 : 1;
        lb = exitTimeLowerBound(Q, absorbing, sub, A, hint, tol, attempts);
      } catch (e) {
        if (failure !== null) throw failure;
        throw e;
      }
      if (lb !== null && lb.maxLower * lb.maxRate >= NEARLY_CLOSED_HOLDING_TIMES) {
        for (let i = 0; i < n; i++) if (inf[i]) lb.lower[i] = Number.POSITIVE_INFINITY;
        return {
          u: lb.lower,
          infiniteNodes: nInf,
          infiniteMask: inf,
          solve: lb.solve,
          lowerBound: {
            singular:
              failure?.message ??
              `the solve (${s?.info.method}) was accepted only at the double-precision rounding floor (relative residual ${s?.info.relativeResidual.toExponential(2)}) with exit times beyond ${NEARLY_CLOSED_HOLDING_TIMES.toExponential(0)} holding times: not resolved`,
            shift: lb.shift,
            relativeShift: lb.relativeShift,
            cPlus: lb.cPlus,
            maxRate: lb.maxRate,
          },
        };
      }
      if (failure !== null) throw failure;
    }
    if (s === null) throw new NumericalError("exit-time solve: no solution");
    info = s.info;
    for (let r = 0; r < A.n; r++) u[sub.keep[r]] = s.x[r];
  }
  for (let i = 0; i < n; i++) if (inf[i]) u[i] = Number.POSITIVE_INFINITY;
  return { u, infiniteNodes: nInf, infiniteMask: inf, solve: info };
}

/** True when some |x_r|·max|A_rr| exceeds NEARLY_CLOSED_HOLDING_TIMES (exit times beyond that many holding times). */
function beyondHoldingTimes(A: Csr, x: Float64Array): boolean {
  let rate = 0;
  for (let r = 0; r < A.n; r++)
    for (let k = A.rowPtr[r]; k < A.rowPtr[r + 1]; k++)
      if (A.colIdx[k] === r) rate = Math.max(rate, Math.abs(A.values[k]));
  let xmax = 0;
  for (let r = 0; r < x.length; r++) xmax = Math.max(xmax, Math.abs(x[r]));
  return xmax * rate > NEARLY_CLOSED_HOLDING_TIMES;
}

/**
 * Accurate (compensated) relative residual of −Q_D u = f on the solved nodes, and whether it sits at the
 * double-precision rounding floor u·‖|A||x|‖/‖b‖ (for exit times ≳ 1e6 no stored x can do better than that).
 */
function residual1(
  gen: DiscreteGenerator,
  u: Float64Array,
  fixed: Uint8Array,
  f: Float64Array,
): { relativeResidual: number; limitedByRounding: boolean } {
  const keep = new Uint8Array(gen.Q.n);
  for (let i = 0; i < keep.length; i++) keep[i] = fixed[i] ? 0 : 1;
  const sub = csrSubmatrix(gen.Q, keep);
  const A = sub.matrix;
  for (let k = 0; k < A.values.length; k++) A.values[k] = -A.values[k];
  const x = new Float64Array(A.n);
  const b = new Float64Array(A.n);
  for (let r = 0; r < A.n; r++) {
    x[r] = u[sub.keep[r]];
    b[r] = f[sub.keep[r]];
  }
  if (A.n === 0) return { relativeResidual: 0, limitedByRounding: false };
  const rep = residualReport(A, x, b);
  return {
    relativeResidual: rep.relativeResidual,
    limitedByRounding: rep.relativeResidual <= 2 * rep.roundingFloor,
  };
}

export interface CommittorResult {
  /** q_i = P(reach A before B | start at node i); 1 on A, 0 on B. NaN where neither is reachable. */
  q: Float64Array;
  unreachableNodes: number;
  solve: SolveInfo;
}

/**
 * Committor q with Q q = 0 off A ∪ B, q = 1 on A, q = 0 on B. `gen` must be built with absorbing = A ∪ B
 * (so that cut cells are used at both), and `inA` marks the nodes of A.
 */
export function committor(
  gen: DiscreteGenerator,
  inA: Uint8Array,
  opts: { tol?: number } = {},
): CommittorResult {
  const { Q, absorbing } = gen;
  if (!absorbing) throw new UserError("committor needs a generator built with absorbing = A ∪ B");
  const n = Q.n;
  // Nodes unable to reach A ∪ B: undefined committor.
  const inf = infiniteExitNodes(Q, absorbing);
  // rhs: f_i = Σ_{j∈A} Q_ij (the rate of jumping into A), so −Q_D q = f.
  const f = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (absorbing[i]) continue;
    for (let p = Q.rowPtr[i]; p < Q.rowPtr[i + 1]; p++) if (inA[Q.colIdx[p]]) f[i] += Q.values[p];
  }
  // Nodes in `inf` may still have a well-defined committor only if they reach A∪B surely; treat as NaN.
  const res = solvePoisson(gen, absorbing, inf, f, opts.tol ?? 1e-10);
  const q = res.u;
  let un = 0;
  for (let i = 0; i < n; i++) {
    if (absorbing[i]) q[i] = inA[i] ? 1 : 0;
    else if (inf[i]) {
      q[i] = Number.NaN;
      un++;
    }
  }
  return { q, unreachableNodes: un, solve: res.solve };
}
