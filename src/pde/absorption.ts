/**
 * Where the mass ends: absorption probabilities of the closed classes of a generator (classes.ts).
 *
 * For a closed class C, h_C(i) = P_i(the chain ends in C) is 1 on C, 0 on the other closed classes and harmonic
 * on the transient nodes T: −Q_TT h_C = Q_{T,C}·1 (an M-matrix system: every transient node reaches a closed
 * class). From an initial law p₀ the probability of ending in C is p₀(C) + Σ_{i∈T} p₀(i) h_C(i).
 * Solved per class with one reused solver (`sparseSolver`, src/linalg) when there are few classes; with many
 * classes (lines of traps) one transposed solve (−Q_TTᵀ y = p₀|_T) gives every class's probability at once and
 * h_C is solved only for the most likely classes. 1-D chains use the cancellation-free birth–death solve.
 */
import { NumericalError } from "../errors.js";
import { type Csr, csrSubmatrix, csrTranspose } from "../linalg/csr.js";
import { sparseSolver } from "../linalg/solve.js";
import { solveBirthDeath } from "./birth-death.js";
import type { ClassStructure } from "./classes.js";

export interface Absorption {
  /** Probability of ending in each closed class from the initial law (sums to 1). */
  fromInit: Float64Array;
  /**
   * Basin label per node: the class c with h_c(i) ≥ 0.5 (the class itself for its own nodes), −1 when no class
   * reaches ½ or its h_c was not computed.
   */
  basin: Int32Array;
  /** Per class: nodes with h_c ≥ 0.5 and nodes with h_c ≥ 1 − 1e-9 (class nodes included); −1 when not computed. */
  basinSize: number[];
  sureSize: number[];
  /** h_c per node, kept only with `keep: true` (null for classes not solved). */
  committors: (Float64Array | null)[] | null;
  /** max over transient nodes of |Σ_c h_c − 1| when every h_c was solved (a check of the solves), else null. */
  sumCheck: number | null;
  /** Solver used and worst relative residual. */
  method: string;
  relativeResidual: number;
}

export interface AbsorptionOptions {
  /** Birth–death chain (1-D grid): cancellation-free solve. */
  birthDeath?: boolean;
  /** Classes solved one by one up to this count (default 16); beyond, the transposed solve. */
  maxSolves?: number;
  /** Keep every solved h_c (memory: n doubles per class). */
  keep?: boolean;
  /** Relative residual target (default 1e-10). */
  tol?: number;
}

/** Absorption probabilities of the closed classes of `s` from the initial node probabilities `init`. */
export function absorption(
  Q: Csr,
  s: ClassStructure,
  init: Float64Array,
  opts: AbsorptionOptions = {},
): Absorption {
  const n = Q.n;
  const K = s.closed.length;
  const { classOf } = s;
  const fromInit = new Float64Array(K);
  for (let i = 0; i < n; i++) if (classOf[i] >= 0) fromInit[classOf[i]] += init[i];
  const basin = Int32Array.from(classOf);
  const best = new Float64Array(n); // largest h_c seen per transient node
  const basinSize = s.closed.map((c) => c.length);
  const sureSize = s.closed.map((c) => c.length);
  const committors: (Float64Array | null)[] | null = opts.keep ? new Array(K).fill(null) : null;
  if (s.transient === 0 || K === 0) {
    if (committors)
      for (let c = 0; c < K; c++) committors[c] = Float64Array.from(classOf, (k) => (k === c ? 1 : 0));
    return {
      fromInit,
      basin,
      basinSize,
      sureSize,
      committors,
      sumCheck: 0,
      method: "none (no transient node)",
      relativeResidual: 0,
    };
  }
  const tol = opts.tol ?? 1e-10;
  const maxSolves = opts.maxSolves ?? 16;
  const sum = new Float64Array(n);
  let solvedAll = true;
  let method = "";
  let worst = 0;
  /** Records h (full length n, values on transient nodes) for class c. */
  const record = (c: number, h: Float64Array, addToInit: boolean) => {
    let p = 0;
    for (let i = 0; i < n; i++) {
      if (classOf[i] >= 0) continue;
      const v = Math.min(1, Math.max(0, h[i]));
      sum[i] += v;
      if (addToInit) p += init[i] * v;
      if (v >= 0.5) basinSize[c]++;
      if (v >= 1 - 1e-9) sureSize[c]++;
      if (v >= 0.5 && v > best[i]) {
        best[i] = v;
        basin[i] = c;
      }
    }
    if (addToInit) fromInit[c] += p;
    if (committors) {
      const full = new Float64Array(n);
      for (let i = 0; i < n; i++)
        full[i] = classOf[i] === c ? 1 : classOf[i] >= 0 ? 0 : Math.min(1, Math.max(0, h[i]));
      committors[c] = full;
    }
  };
  if (opts.birthDeath) {
    const fixed = new Uint8Array(n);
    for (let i = 0; i < n; i++) fixed[i] = classOf[i] >= 0 ? 1 : 0;
    const f = new Float64Array(n);
    for (let c = 0; c < K; c++) {
      f.fill(0);
      for (let i = 0; i < n; i++) {
        if (classOf[i] >= 0) continue;
        for (let p = Q.rowPtr[i]; p < Q.rowPtr[i + 1]; p++)
          if (classOf[Q.colIdx[p]] === c) f[i] += Q.values[p];
      }
      record(c, solveBirthDeath(Q, fixed, f), true);
    }
    method = "birth-death (GTH)";
  } else {
    const keepT = new Uint8Array(n);
    for (let i = 0; i < n; i++) keepT[i] = classOf[i] < 0 ? 1 : 0;
    const sub = csrSubmatrix(Q, keepT);
    const A = sub.matrix;
    for (let q = 0; q < A.values.length; q++) A.values[q] = -A.values[q];
    const m = A.n;
    /** b_c: rates from each transient node into class c. */
    const rhs = (c: number) => {
      const b = new Float64Array(m);
      for (let r = 0; r < m; r++) {
        const i = sub.keep[r];
        for (let p = Q.rowPtr[i]; p < Q.rowPtr[i + 1]; p++)
          if (classOf[Q.colIdx[p]] === c) b[r] += Q.values[p];
      }
      return b;
    };
    const solver = sparseSolver(A, { tol });
    const solveRow = (c: number, addToInit: boolean) => {
      const r = solver.solve(rhs(c));
      if (!r.converged)
        throw new NumericalError(
          `absorption probabilities: the solve for class ${c} reached relative residual ${r.relativeResidual.toExponential(2)} only`,
        );
      method = r.method;
      worst = Math.max(worst, r.relativeResidual);
      const h = new Float64Array(n);
      for (let q = 0; q < m; q++) h[sub.keep[q]] = r.x[q];
      record(c, h, addToInit);
    };
    if (K <= maxSolves) {
      for (let c = 0; c < K; c++) solveRow(c, true);
    } else {
      solvedAll = false;
      // every class at once: y = (−Q_TT)^{−T} p₀|_T, P_c += Σ_T y_i (Q_{T,C_c}·1)_i
      const y0 = new Float64Array(m);
      for (let r = 0; r < m; r++) y0[r] = init[sub.keep[r]];
      const rt = sparseSolver(csrTranspose(A), { tol }).solve(y0);
      if (!rt.converged)
        throw new NumericalError(
          `absorption probabilities (${K} classes, transposed solve): relative residual ${rt.relativeResidual.toExponential(2)} only`,
        );
      worst = rt.relativeResidual;
      for (let r = 0; r < m; r++) {
        const i = sub.keep[r];
        for (let p = Q.rowPtr[i]; p < Q.rowPtr[i + 1]; p++) {
          const c = classOf[Q.colIdx[p]];
          if (c >= 0) fromInit[c] += rt.x[r] * Q.values[p];
        }
      }
      const order = Array.from(fromInit.keys()).sort((a, b) => fromInit[b] - fromInit[a]);
      for (let c = 0; c < K; c++) if (!order.slice(0, maxSolves).includes(c)) basinSize[c] = sureSize[c] = -1;
      for (const c of order.slice(0, maxSolves)) solveRow(c, false);
      method = `${rt.method} (transposed, all classes) + ${method}`;
    }
  }
  let sumCheck: number | null = null;
  if (solvedAll) {
    sumCheck = 0;
    for (let i = 0; i < n; i++) if (classOf[i] < 0) sumCheck = Math.max(sumCheck, Math.abs(sum[i] - 1));
  }
  return { fromInit, basin, basinSize, sureSize, committors, sumCheck, method, relativeResidual: worst };
}
