/**
 * One entry point for the sparse systems of the PDE side (exit times Q_D u = −1, committors,
 * stationary laws): `solveSparse(A, b, opts)`. It picks a method, runs mixed-precision iterative
 * refinement with an accurately computed residual, and always reports the achieved relative
 * residual ‖b − A x‖₂/‖b‖₂ recomputed at the end (compensated arithmetic, see residual.ts).
 *
 * About the 1e-10 target: rounding the exact solution to double precision already leaves a
 * relative residual of about u·‖|A||x|‖/‖b‖ (`roundingFloor`, u = 2^-53). For exit times ~1e5 on a
 * fine grid that is 1e-8 or more, so no double-precision x can reach 1e-10. The result is then
 * accepted (`limitedByRounding: true`) when the residual is within 2× that floor, i.e. the solution
 * is as accurate as its storage allows; pass `acceptRoundingFloor: false` to make this an error.
 */

import { NumericalError, SingularMatrixError, UserError } from "../errors.js";
import { amgPreconditioner } from "./amg.js";
import { bandedLu, bandedLuBytes, bandwidths, rcmOrdering } from "./banded.js";
import { type Csr, csrByteSize, csrToDense } from "./csr.js";
import { luFactor, luSolve } from "./dense.js";
import { bicgstab, gmres } from "./krylov.js";
import { type NdLu, ndLu } from "./nd-lu.js";
import { ilu0, type Preconditioner } from "./precond.js";
import { norm2, residualReport } from "./residual.js";
import { type IndependentSetReduction, independentSetReduction } from "./schur.js";
import { isTridiagonal, solveTridiagonal, tridiagonalBands } from "./tridiagonal.js";

export type SparseMethod =
  | "auto"
  | "dense"
  | "tridiagonal"
  | "banded-lu"
  | "nd-lu"
  | "amg-gmres"
  | "amg-bicgstab"
  | "ilu0-gmres"
  | "ilu0-bicgstab";

export interface SolveSparseOptions {
  /** Method, or "auto" (default): tridiagonal / dense for tiny n / AMG-BiCGSTAB, then fallbacks. */
  method?: SparseMethod;
  /** Methods to try in this order (overrides `method`), e.g. a direct method first. */
  plan?: Exclude<SparseMethod, "auto">[];
  /** Target relative residual ‖b − Ax‖₂/‖b‖₂. Default 1e-10. */
  tol?: number;
  /** Krylov iteration cap per inner solve. Default 300. */
  maxIter?: number;
  /** GMRES restart length. Default 40. */
  restart?: number;
  /** Initial guess (Krylov methods). */
  x0?: Float64Array;
  /**
   * Where the unknowns sit on a structured grid (grid index i + nx·(j + ny·k)); `nodes[r]` is the grid index of
   * unknown r when the matrix is a subset of the grid (e.g. `csrSubmatrix(...).keep`). Used by "nd-lu" for
   * geometric separators; without it nd-lu cuts the matrix graph by breadth-first level sets.
   */
  grid?: { nx: number; ny?: number; nz?: number; nodes?: Int32Array };
  /** Accept a residual at the double-precision rounding floor when tol is below it. Default true. */
  acceptRoundingFloor?: boolean;
  /**
   * AMG methods first eliminate an independent set exactly (Schur complement, see schur.ts) when it
   * holds ≥ 30% of the unknowns. Default true.
   */
  reduce?: boolean;
  /** Memory cap for the banded LU in bytes. Default 20 × the matrix's own size (min 64 MB). */
  maxBytes?: number;
  /** Memory cap for "nd-lu" in bytes (checked after its symbolic analysis, before factorising). Default 2 GiB. */
  directMaxBytes?: number;
}

/** What the direct nd-lu factorisation did (see nd-lu.ts). */
export interface DirectInfo {
  ordering: "geometric" | "graph";
  /** "none" (diagonally dominant Z-matrix) or the threshold of partial pivoting within fronts. */
  pivoting: string;
  interchanges: number;
  /** Smallest |pivot|/scale: 1/this ≈ how ill-conditioned the matrix is. */
  minRelativePivot: number;
  /** Pivots below 1e-8 of their scale. */
  smallPivots: number;
  factorEntries: number;
  flops: number;
  maxFront: number;
  seconds: { analysis: number; factor: number };
}

export interface SolveAttempt {
  method: string;
  relativeResidual: number;
  iterations: number;
  seconds?: number;
  note?: string;
}

export interface SolveSparseResult {
  x: Float64Array;
  /** Total Krylov iterations (0 for direct methods) including refinement steps. */
  iterations: number;
  /** ‖b − A x‖₂/‖b‖₂ of the returned x, recomputed accurately at the end. */
  relativeResidual: number;
  /** Relative residual that rounding x to double alone causes (see module doc). */
  roundingFloor: number;
  /** Normwise backward error ‖b − Ax‖∞/(‖A‖∞‖x‖∞ + ‖b‖∞). */
  backwardError: number;
  /** Method that produced x, e.g. "amg-gmres". */
  method: string;
  converged: boolean;
  /** True when accepted at the rounding floor rather than at tol. */
  limitedByRounding: boolean;
  /** Every method tried, in order, with its outcome. */
  tried: SolveAttempt[];
  /** Wall-clock seconds: building the preconditioner/factors (0 when reused), inner solves, residuals. */
  seconds: { setup: number; solve: number; residual: number };
  /** Bytes of solver data (preconditioner or factors) of the successful method. */
  bytes: number;
  /** Present when "nd-lu" produced x: its ordering, pivoting and smallest relative pivot. */
  direct?: DirectInfo;
}

interface Cache {
  amg?: Preconditioner;
  amgS?: Preconditioner;
  iluS?: Preconditioner;
  ilu?: Preconditioner;
  red?: IndependentSetReduction | false;
}

interface Inner {
  /** Approximately solves A d = r (d starts at zero or the given guess); returns iterations. */
  solve(r: Float64Array, d: Float64Array, relTol: number): { iterations: number; ok: boolean; note?: string };
  bytes: number;
  exact: boolean;
  direct?: NdLu;
}

function krylovInner(
  A: Csr,
  M: Preconditioner,
  kind: "gmres" | "bicgstab",
  maxIter: number,
  restart: number,
): Inner {
  return {
    exact: false,
    bytes: M.bytes + (kind === "gmres" ? (restart + 1) * A.n * 8 : 8 * A.n * 8),
    solve(r, d, relTol) {
      const res =
        kind === "gmres"
          ? gmres(A, r, d, M, { tol: relTol, maxIter, restart })
          : bicgstab(A, r, d, M, { tol: relTol, maxIter });
      return { iterations: res.iterations, ok: res.converged, note: res.reason };
    },
  };
}

/** Krylov on the independent-set Schur complement S (see schur.ts), then back-substitution. */
function reducedInner(red: IndependentSetReduction, inner: Inner): Inner {
  const nc = red.S.n;
  const rC = new Float64Array(nc);
  const dC = new Float64Array(nc);
  return {
    exact: false,
    bytes: inner.bytes + red.bytes + 16 * nc,
    solve(r, d, relTol) {
      red.reduceRhs(r, rC);
      dC.fill(0);
      const nr = norm2(r);
      const nrc = norm2(rC);
      // full residual = reduced residual on C rows (F rows are solved exactly)
      const tolC = nrc > 0 ? Math.min(0.5, (relTol * nr) / nrc) : relTol;
      const out = inner.solve(rC, dC, tolC);
      red.recover(dC, r, d);
      return out;
    },
  };
}

function buildInner(
  A: Csr,
  method: Exclude<SparseMethod, "auto">,
  opts: SolveSparseOptions,
  maxBytes: number,
  cache: Cache,
): Inner {
  const maxIter = opts.maxIter ?? 300;
  const amg = () => (cache.amg ??= amgPreconditioner(A));
  // Independent-set reduction for the AMG methods (halves 5-point grid systems), unless disabled.
  const reduction = () => {
    if (cache.red === undefined)
      cache.red = (opts.reduce ?? true) && A.n > 400 ? (independentSetReduction(A) ?? false) : false;
    return cache.red;
  };
  const amgKrylov = (kind: "gmres" | "bicgstab"): Inner => {
    const red = reduction();
    if (!red) return krylovInner(A, amg(), kind, maxIter, restart);
    cache.amgS ??= amgPreconditioner(red.S);
    return reducedInner(red, krylovInner(red.S, cache.amgS, kind, maxIter, restart));
  };
  const iluKrylov = (kind: "gmres" | "bicgstab"): Inner => {
    const red = reduction();
    if (!red) return krylovInner(A, ilu(), kind, maxIter, restart);
    cache.iluS ??= ilu0(red.S);
    return reducedInner(red, krylovInner(red.S, cache.iluS, kind, maxIter, restart));
  };
  const ilu = () => (cache.ilu ??= ilu0(A));
  const restart = opts.restart ?? 40;
  switch (method) {
    case "dense": {
      if (A.n > 4000) throw new UserError(`dense solve refused for n=${A.n} > 4000`);
      const f = luFactor(csrToDense(A), A.n);
      if (f.singular) throw new NumericalError("dense LU: matrix is singular");
      return {
        exact: true,
        bytes: f.lu.byteLength,
        solve: (r, d) => {
          luSolve(f, r, d);
          return { iterations: 0, ok: true };
        },
      };
    }
    case "tridiagonal": {
      const { lower, diag, upper } = tridiagonalBands(A);
      return {
        exact: true,
        bytes: 4 * A.n * 8,
        solve: (r, d) => {
          solveTridiagonal(lower, diag, upper, r, d);
          return { iterations: 0, ok: true };
        },
      };
    }
    case "banded-lu": {
      const perm = rcmOrdering(A);
      const { lower, upper } = bandwidths(A, perm);
      const need = bandedLuBytes(A.n, lower, upper);
      if (need > maxBytes) {
        throw new NumericalError(
          `banded LU needs ${(need / 2 ** 20).toFixed(0)} MB (bandwidth ${lower}+${upper}) > cap ${(maxBytes / 2 ** 20).toFixed(0)} MB`,
        );
      }
      const f = bandedLu(A, perm);
      return {
        exact: true,
        bytes: f.bytes,
        solve: (r, d) => {
          f.solve(r, d);
          return { iterations: 0, ok: true };
        },
      };
    }
    case "nd-lu": {
      const g = opts.grid;
      const shape = g
        ? [g.nx, ...(g.ny !== undefined ? [g.ny] : []), ...(g.nz !== undefined ? [g.nz] : [])]
        : [];
      const cap = opts.directMaxBytes ?? 2 * 2 ** 30;
      // 3-D: refuse before the symbolic analysis (itself O(fill)) when the measured scaling says it cannot fit:
      // 2.08 GB at 64³ = 262 144 unknowns (7-point), growing like n^(4/3)
      if (g?.nz !== undefined && g.nz > 1) {
        const guess = 2.08e9 * (A.n / 262144) ** (4 / 3);
        if (guess > 2 * cap)
          throw new NumericalError(
            `nd-lu would need ~${(guess / 2 ** 20).toFixed(0)} MB for ${A.n} unknowns in 3-D (scaled from 2.08 GB at 64³) > cap ${(cap / 2 ** 20).toFixed(0)} MB`,
          );
      }
      const f = ndLu(A, { geometry: g ? { shape, nodes: g.nodes } : undefined, maxBytes: cap });
      return {
        exact: true,
        bytes: f.bytes,
        direct: f,
        solve: (r, d) => {
          f.solve(r, d);
          return { iterations: 0, ok: true };
        },
      };
    }
    case "amg-gmres":
      return amgKrylov("gmres");
    case "amg-bicgstab":
      return amgKrylov("bicgstab");
    case "ilu0-gmres":
      return iluKrylov("gmres");
    case "ilu0-bicgstab":
      return iluKrylov("bicgstab");
    default:
      throw new UserError(`unknown sparse method "${method as string}"`, {
        hint: "auto, dense, tridiagonal, banded-lu, nd-lu, amg-gmres, amg-bicgstab, ilu0-gmres, ilu0-bicgstab",
      });
  }
}

const now = () => (typeof performance !== "undefined" ? performance.now() : Date.now());

/** A solver bound to one matrix: preconditioners/factors are built once and reused across solves. */
export interface SparseSolver {
  /** Solves A x = b (see `solveSparse`). `x0` is an initial guess for Krylov methods. */
  solve(b: Float64Array, x0?: Float64Array): SolveSparseResult;
  /** The method that succeeded last (tried first next time), if any. */
  readonly preferred: string | undefined;
}

/**
 * Solves A x = b for a square sparse A (typically a nonsingular M-matrix such as −Q_D or Q_D).
 * Throws NumericalError listing every method tried if none reaches the target residual.
 */
export function solveSparse(A: Csr, b: Float64Array, opts: SolveSparseOptions = {}): SolveSparseResult {
  return sparseSolver(A, opts).solve(b, opts.x0);
}

/**
 * Prepares repeated solves with the same matrix (e.g. shift-invert eigenvalue iterations or
 * several right-hand sides): the preconditioner or factorisation of the method that works is kept.
 */
export function sparseSolver(A: Csr, opts: SolveSparseOptions = {}): SparseSolver {
  const n = A.n;
  const tol = opts.tol ?? 1e-10;
  const acceptFloor = opts.acceptRoundingFloor ?? true;
  const maxBytes = opts.maxBytes ?? Math.max(64 * 2 ** 20, 20 * csrByteSize(A));
  const method = opts.method ?? "auto";
  let plan: Exclude<SparseMethod, "auto">[];
  if (opts.plan && opts.plan.length > 0) plan = [...opts.plan];
  else if (method !== "auto") plan = [method];
  else if (n <= 2 || isTridiagonal(A)) plan = ["tridiagonal", "banded-lu"];
  else if (n <= 400) plan = ["dense"];
  else plan = ["amg-bicgstab", "amg-gmres", "nd-lu", "ilu0-gmres"];
  const r = new Float64Array(n);
  const d = new Float64Array(n);
  const cache: Cache = {};
  const inners = new Map<string, Inner | Error>();
  let preferred: Exclude<SparseMethod, "auto"> | undefined;

  const solve = (b: Float64Array, x0?: Float64Array): SolveSparseResult => {
    if (b.length !== n) throw new UserError(`solveSparse: b has length ${b.length}, matrix is ${n}×${n}`);
    const nb = norm2(b);
    if (nb === 0) {
      return {
        x: new Float64Array(n),
        iterations: 0,
        relativeResidual: 0,
        roundingFloor: 0,
        backwardError: 0,
        method: "trivial",
        converged: true,
        limitedByRounding: false,
        tried: [],
        bytes: 0,
        seconds: { setup: 0, solve: 0, residual: 0 },
      };
    }
    const order = preferred ? [preferred, ...plan.filter((m) => m !== preferred)] : plan;
    const tried: SolveAttempt[] = [];
    const tStart = now();
    let tSetup = 0;
    let tSolve = 0;
    for (const m of order) {
      const t0 = now();
      let inner: Inner;
      const cached = inners.get(m);
      if (cached instanceof Error) {
        tried.push({ method: m, relativeResidual: Number.NaN, iterations: 0, note: cached.message });
        continue;
      }
      if (cached) inner = cached;
      else {
        try {
          const tb = now();
          inner = buildInner(A, m, opts, maxBytes, cache);
          tSetup += (now() - tb) / 1000;
          inners.set(m, inner);
        } catch (e) {
          if (!(e instanceof NumericalError) || e instanceof SingularMatrixError) throw e;
          inners.set(m, e);
          tried.push({ method: m, relativeResidual: Number.NaN, iterations: 0, note: e.message });
          continue;
        }
      }
      const x = x0 && !inner.exact ? Float64Array.from(x0) : new Float64Array(n);
      let iterations = 0;
      let note = "";
      let prev = Number.POSITIVE_INFINITY;
      // ‖last correction‖∞/‖x‖∞: a floor-limited residual is accepted only once x has settled, so that
      // an inconsistent system (x diverging, residual "at the floor" of a huge x) is never accepted.
      let lastChange = Number.POSITIVE_INFINITY;
      let lastOk = false;
      let rep = { relativeResidual: Number.POSITIVE_INFINITY, roundingFloor: 0, backwardError: 0 };
      let fresh = false;
      const accept = (q: typeof rep) =>
        q.relativeResidual <= tol ||
        (acceptFloor &&
          q.relativeResidual <= 2 * q.roundingFloor &&
          (lastChange <= 1e-6 || (lastOk && !inner.exact)));
      // First solve, then up to 4 refinement steps with accurate residuals.
      for (let round = 0; round < 5; round++) {
        let rel: number;
        if (round === 0 && !x0) {
          r.set(b);
          rel = 1;
        } else {
          rep = residualReport(A, x, b, r);
          fresh = true;
          rel = rep.relativeResidual;
          if (!Number.isFinite(rel)) {
            note = "non-finite residual";
            break;
          }
          if (accept(rep)) break;
          if (round > 0 && rel > 0.5 * prev && (lastChange <= 1e-6 || !lastOk)) {
            note = lastOk ? "refinement stagnated" : `${note || "inner solve failed"}, no progress`;
            break;
          }
        }
        prev = rel;
        d.fill(0);
        // inner tolerance relative to ‖r‖ so that ‖b − A x‖ ≈ tol·‖b‖/4 after the update
        const relTol = Math.min(0.5, Math.max(1e-15, (0.25 * tol) / Math.max(rel, 1e-300)));
        const ts = now();
        const out = inner.solve(r, d, relTol);
        tSolve += (now() - ts) / 1000;
        iterations += out.iterations;
        if (!out.ok && out.note) note = out.note;
        lastOk = out.ok;
        fresh = false;
        let dmax = 0;
        let xmax = 0;
        for (let i = 0; i < n; i++) {
          x[i] += d[i];
          dmax = Math.max(dmax, Math.abs(d[i]));
          xmax = Math.max(xmax, Math.abs(x[i]));
        }
        lastChange = xmax > 0 ? dmax / xmax : dmax === 0 ? 0 : Number.POSITIVE_INFINITY;
      }
      if (!fresh) rep = residualReport(A, x, b, r);
      const ok = accept(rep);
      tried.push({
        method: m,
        relativeResidual: rep.relativeResidual,
        iterations,
        seconds: (now() - t0) / 1000,
        note: note || undefined,
      });
      const f = inner.direct;
      // A direct factorisation is backward stable (no pivoting is needed for dominant M-matrices; threshold
      // pivoting otherwise): when even refinement with exact residuals cannot settle its solution, the condition
      // number is beyond 1/u.
      if (!ok && f && Number.isFinite(rep.relativeResidual)) {
        let xmax = 0;
        let bmax = 0;
        for (let i = 0; i < n; i++) {
          xmax = Math.max(xmax, Math.abs(x[i]));
          bmax = Math.max(bmax, Math.abs(b[i]));
        }
        const ratio = xmax / bmax;
        throw new SingularMatrixError(
          `the matrix is singular to double precision: the direct solve (nd-lu, pivoting ${f.pivoting}) factorised it (smallest pivot ${f.minRelativePivot.toExponential(1)} of its scale), but the solution reaches ${ratio.toExponential(1)} × max|b| and iterative refinement cannot settle it (relative residual ${rep.relativeResidual.toExponential(2)}, target ${tol}); for an exit-time system −Q_D u = 1 this is a mean exit time of ~${ratio.toExponential(0)} SDE-time units or more, beyond what double precision resolves (a nearly closed set of states); tried ${tried
            .map((t) => `${t.method} (residual ${t.relativeResidual.toExponential(2)})`)
            .join(", ")}`,
          { unknown: -1, relativePivot: f.minRelativePivot },
        );
      }
      if (ok) {
        preferred = m;
        return {
          x,
          iterations,
          relativeResidual: rep.relativeResidual,
          roundingFloor: rep.roundingFloor,
          backwardError: rep.backwardError,
          method: m,
          converged: true,
          limitedByRounding: rep.relativeResidual > tol,
          tried,
          bytes: inner.bytes,
          direct: f
            ? {
                ordering: f.ordering,
                pivoting: f.pivoting,
                interchanges: f.interchanges,
                minRelativePivot: f.minRelativePivot,
                smallPivots: f.smallPivots,
                factorEntries: f.factorEntries,
                flops: f.flops,
                maxFront: f.maxFront,
                seconds: f.seconds,
              }
            : undefined,
          seconds: { setup: tSetup, solve: tSolve, residual: (now() - tStart) / 1000 - tSetup - tSolve },
        };
      }
    }
    throw new NumericalError(
      `solveSparse: no method reached relative residual ${tol} on the ${n}×${n} system; tried ` +
        tried
          .map(
            (t) =>
              `${t.method} (residual ${t.relativeResidual.toExponential(2)}, ${t.iterations} it${t.note ? `, ${t.note}` : ""})`,
          )
          .join("; "),
    );
  };
  return {
    solve,
    get preferred() {
      return preferred;
    },
  };
}
