/**
 * Exit-time estimates in the shape the CLI puts in `estimates` (times in SDE time, iterations = time/η).
 */
import { UserError } from "../errors.js";
import { compileRegion } from "../problem/expr/index.js";
import type { Problem } from "../problem/types.js";
import { Interrupted, stopRequested } from "../stop.js";
import { type Exact1dResult, exactExitTimeEstimate as exact1d } from "./exact-1d.js";
import { exitTime } from "./exit-time.js";
import { buildGenerator } from "./generator.js";
import { autoGridShape, interpolate, makeGrid, type RegionFn } from "./grid.js";
import { richardson } from "./richardson.js";
import { findTraps } from "./stationary.js";

export interface PdeExitEstimate {
  method: "pde";
  /** SDE time, or null when infinite. */
  time: number | null;
  iterations: number | null;
  /** The finest grid solved (points per axis). */
  grid: number[];
  /** Grid-error estimate of `time` from the last three grids (`richardson`, richardson.ts). */
  error_estimate: number | null;
  /** log2 r, when the last three grids converge monotonically. */
  observed_order: number | null;
  /** Richardson-extrapolated value (not reported as the estimate; for comparison). */
  extrapolated: number | null;
  /**
   * Every grid solved, coarsest first, with its value (null = infinite; on the last grid only a lower bound when
   * `lower_bound` is set) and solve seconds.
   */
  grids: number[][];
  grid_values: (number | null)[];
  grid_seconds: number[];
  /** Tolerance the refinement aimed at (null: no refinement, explicit --grid without --rtol). */
  rtol: number | null;
  /** Time budget (seconds). */
  max_seconds: number;
  /** error_estimate ≤ rtol·|time| reached. */
  converged: boolean;
  stop_reason:
    | "converged"
    | "time budget"
    | "grid cap"
    | "no refinement asked"
    | "infinite"
    | "singular"
    | "interrupted";
  /**
   * Set when the exit-time system of the finest grid was singular to double precision: `time` is then only a
   * certified lower bound of that grid's DISCRETE mean exit time (comparison principle, exit-lower-bound.ts; the
   * discretisation error is not included) and refinement stopped there.
   */
  lower_bound: {
    grid: number[];
    /** The bound at the start (SDE time) and in iterations. */
    time: number;
    iterations: number;
    /** Killing rate ε of the trial (1/SDE time), its ratio to the largest holding rate, and the certified c⁺. */
    shift: number;
    relative_shift: number;
    c_plus: number;
    max_rate: number;
    /** The solver's message about the singular system. */
    singular: string;
  } | null;
  /** What the user must know about the accuracy (tolerance reached or not, low order, relaxed stencil). */
  message: string;
  /** Nodes with a relaxed diffusion stencil on the finest grid (stencil.ts) and the largest relaxation μ/tr. */
  relaxed_nodes: number;
  max_relaxation: number;
  stencil_radius: number;
  /** The grid before the finest (null when only one grid was solved). */
  coarse_grid: number[] | null;
  coarse_time: number | null;
  infinite: boolean;
  /** Live nodes with infinite exit time on the fine grid. */
  infinite_nodes: number;
  reason?: string;
  grid_reason: string;
  solver: string;
  relative_residual: number;
  scheme: string;
}

function regionOf(problem: Problem, region: string | RegionFn): RegionFn {
  return typeof region === "string" ? compileRegion(region, problem.varNames, "to") : region;
}

function checkFrom(problem: Problem, from: readonly number[]): void {
  if (from.length !== problem.dim) {
    throw new UserError(`start point has ${from.length} coordinates, the problem has ${problem.dim}`, {
      where: "from",
    });
  }
  problem.domain.forEach(([lo, hi], k) => {
    if (!(from[k] >= lo && from[k] <= hi)) {
      throw new UserError(`start point coordinate ${from[k]} is outside the domain [${lo}, ${hi}]`, {
        where: "from",
      });
    }
  });
}

/** One exit-time solve on an n-per-axis grid (or a shape); value at `from` by multilinear interpolation. */
export function pdeExitTimeAt(
  problem: Problem,
  from: readonly number[],
  region: RegionFn,
  shape: number | number[],
  opts: { order2?: boolean; lowerBoundIfSingular?: boolean } = {},
) {
  const g = makeGrid(problem.domain, shape);
  const gen = buildGenerator(problem, g, { absorbing: region, order2: opts.order2 });
  const traps = findTraps(problem, gen)
    .map((t) => t.node)
    .filter((i) => !gen.absorbing![i]);
  const r = exitTime(gen, { traps, lowerBoundIfSingular: opts.lowerBoundIfSingular });
  const t = interpolate(g, r.u, from);
  return { t, res: r, grid: g, gen, traps };
}

/** Default relative tolerance of the refinement (error estimate / value). */
export const DEFAULT_RTOL = 0.01;
/** Default wall-clock budget of the refinement (seconds). */
export const DEFAULT_PDE_SECONDS = 30;
/** Largest grids the refinement goes to (nodes; memory of the generator and the solver). */
export const REFINE_MAX_NODES: Record<number, number> = { 1: 2_000_001, 2: 1_050_000, 3: 2_200_000 };
/** Predicted cost ratio of the next grid (×2 points per axis) to the last solve, per dimension. */
const COST_GROWTH: Record<number, number> = { 1: 2.5, 2: 5, 3: 10 };

export interface PdeEstimateOptions {
  /** Points per axis of the finest of the first three grids (default autoGridShape). */
  grid?: number;
  order2?: boolean;
  /**
   * Refine (×2 points per axis) until error_estimate ≤ rtol·|time|. Default 0.01 with the automatic grid; with an
   * explicit `grid` and no `rtol` only the three grids up to `grid` are solved.
   */
  rtol?: number;
  /** Wall-clock budget of the refinement in seconds (default 30): no grid is started whose predicted end is later. */
  maxSeconds?: number;
  /** Clock in milliseconds (default Date.now; injectable for tests). */
  now?: () => number;
}

/**
 * Mean exit time from `from` into `region` on the discrete generator, with a Richardson error estimate from the
 * last three of a sequence of grids (each with about twice the points per axis of the one before), refined until
 * the estimate is within `rtol` of the value or the time budget / node cap stops it — `converged`,
 * `stop_reason` and `message` say which.
 */
export function pdeExitTimeEstimate(
  problem: Problem,
  from: readonly number[],
  region: string | RegionFn,
  opts: PdeEstimateOptions = {},
): PdeExitEstimate {
  checkFrom(problem, from);
  if (opts.rtol !== undefined && !(opts.rtol > 0))
    throw new UserError(`rtol must be a positive number, got ${opts.rtol}`, {
      where: "rtol",
      hint: "e.g. 0.01",
    });
  if (opts.maxSeconds !== undefined && !(opts.maxSeconds > 0))
    throw new UserError(`the PDE time budget must be positive seconds, got ${opts.maxSeconds}`, {
      where: "maxSeconds",
    });
  const fn = regionOf(problem, region);
  const now = opts.now ?? Date.now;
  const t0 = now();
  let shape: number[];
  let why: string;
  if (opts.grid !== undefined) {
    shape = new Array(problem.dim).fill(opts.grid);
    why = `--grid ${opts.grid}`;
  } else {
    const a = autoGridShape(problem);
    shape = a.shape;
    why = a.reason;
  }
  const refine = opts.rtol !== undefined || opts.grid === undefined;
  const rtol = opts.rtol ?? DEFAULT_RTOL;
  const budget = opts.maxSeconds ?? DEFAULT_PDE_SECONDS;
  const d = problem.dim;
  const coarse = shape.map((n) => Math.max(3, Math.floor((n - 1) / 2) + 1));
  const coarser = coarse.map((n) => Math.max(3, Math.floor((n - 1) / 2) + 1));
  const grids: number[][] = [];
  const values: number[] = [];
  const seconds: number[] = [];
  const solveAt = (sh: number[]) => {
    const s0 = now();
    const r = pdeExitTimeAt(problem, from, fn, sh, { ...opts, lowerBoundIfSingular: true });
    grids.push(sh);
    values.push(r.t);
    seconds.push((now() - s0) / 1000);
    return r;
  };
  // the first three grids; a grid whose system is singular to double precision ends the sequence (finer grids
  // have less numerical diffusion: their exit times are larger still). A stop request (Ctrl-C) during a grid keeps
  // the grids that finished: the finest of them is the value, with the error estimate those grids allow; with none
  // finished there is nothing to keep
  let interruptedAt: number[] | null = null;
  let fine: ReturnType<typeof solveAt> | undefined;
  const trySolve = (sh: number[]): boolean => {
    if (fine !== undefined && stopRequested()) {
      interruptedAt = sh;
      return false;
    }
    try {
      fine = solveAt(sh);
      return true;
    } catch (e) {
      if (!(e instanceof Interrupted) || fine === undefined) throw e;
      interruptedAt = sh;
      return false;
    }
  };
  const singular = () => (fine as NonNullable<typeof fine>).res.lowerBound !== undefined;
  const first = coarser.every((n, k) => n < coarse[k]) ? [coarser, coarse, shape] : [coarse, shape];
  for (const sh of first) {
    if (fine !== undefined && singular()) break;
    if (!trySolve(sh)) break;
  }
  if (fine === undefined) throw new Error("no grid solved"); // unreachable: trySolve rethrows
  let est = richardson(values);
  let stop: PdeExitEstimate["stop_reason"] = interruptedAt !== null ? "interrupted" : "no refinement asked";
  const inf = () => !Number.isFinite((fine as NonNullable<typeof fine>).t);
  if (inf()) stop = "infinite";
  else if (singular()) stop = "singular";
  else if (refine && interruptedAt === null) {
    for (;;) {
      est = richardson(values);
      if (est.errorEstimate <= rtol * Math.abs(est.value)) {
        stop = "converged";
        break;
      }
      const next = grids[grids.length - 1].map((n) => 2 * n - 1);
      const nodes = next.reduce((a, b) => a * b, 1);
      if (nodes > REFINE_MAX_NODES[d]) {
        stop = "grid cap";
        break;
      }
      const predicted = seconds[seconds.length - 1] * COST_GROWTH[d];
      if ((now() - t0) / 1000 + predicted > budget) {
        stop = "time budget";
        break;
      }
      if (!trySolve(next)) {
        stop = "interrupted";
        break;
      }
      if (inf()) {
        stop = "infinite";
        break;
      }
      if (singular()) {
        stop = "singular";
        break;
      }
    }
  }
  const infinite = inf();
  const lb = infinite ? undefined : fine.res.lowerBound;
  est = richardson(lb ? values.slice(0, -1) : values);
  const nf = values.length;
  const err = infinite || lb || !Number.isFinite(est.errorEstimate) ? null : est.errorEstimate;
  const finest = grids[nf - 1];
  const rel = err !== null && fine.t !== 0 ? err / Math.abs(fine.t) : null;
  const pct = (v: number) => `${(100 * v).toPrecision(2)}%`;
  const notes: string[] = [];
  if (lb) {
    notes.push(
      `the exit-time system on ${finest.join("×")} is singular to double precision (the state is nearly closed): the discrete chain's MET is certified ≥ ${fine.t.toPrecision(3)} SDE time (${(fine.t / problem.lr).toPrecision(3)} iterations) by the comparison principle (trial from the killed system with rate ${lb.shift.toPrecision(2)}/SDE time, c⁺ = ${lb.cPlus.toPrecision(4)}); where the noise is degenerate (rank-deficient or vanishing) the chain crosses only by the grid's numerical diffusion, which vanishes under refinement, so the SDE's MET may be far larger or infinite; the discretisation error is not included in the bound`,
    );
  } else if (!infinite) {
    const errText = rel !== null ? `error estimate ${pct(rel)} of the value` : "no error estimate";
    if (stop === "converged") notes.push(`${errText} ≤ rtol ${pct(rtol)} after ${nf} grids`);
    else if (stop === "time budget")
      notes.push(
        `NOT converged to rtol ${pct(rtol)}: ${errText} on ${finest.join("×")}; the next grid would exceed the ${budget} s budget (--pde-seconds)`,
      );
    else if (stop === "interrupted")
      notes.push(
        `INTERRUPTED before or while solving the ${(interruptedAt as number[] | null)?.join("×")} grid: the value of the finest finished grid ${finest.join("×")}, ${errText} from ${nf} grid${nf > 1 ? "s" : ""}`,
      );
    else if (stop === "grid cap")
      notes.push(
        `NOT converged to rtol ${pct(rtol)}: ${errText} on ${finest.join("×")}, the largest grid allowed (${REFINE_MAX_NODES[d]} nodes)`,
      );
    else notes.push(`${errText} from ${nf} grids up to the requested --grid (no refinement without --rtol)`);
    if (est.observedOrder !== null && est.observedOrder < 1)
      notes.push(
        `observed order ${est.observedOrder.toFixed(2)} < 1: slow convergence, the error estimate is less reliable`,
      );
    if (!est.monotone && nf >= 3)
      notes.push(
        "the last three grids do not converge monotonically: the error estimate is twice the last change",
      );
  }
  const relaxed = fine.gen.relaxedNodes;
  if (relaxed > 0)
    notes.push(
      `degenerate noise off the lattice: ${relaxed} nodes use a relaxed diffusion stencil (relaxation ≤ ${fine.gen.maxRelaxation.toPrecision(2)}·tr, radius ${fine.gen.stencil.radius} cells; vanishes under refinement)`,
    );
  const scheme =
    "node-centred grid, Scharfetter–Gummel drift, Selling diffusion stencil (relaxed where degenerate off the lattice), cut-cell absorbing boundary" +
    (opts.order2 ? ", order-2 drift correction" : "");
  return {
    method: "pde",
    time: infinite ? null : fine.t,
    iterations: infinite ? null : fine.t / problem.lr,
    grid: finest,
    error_estimate: err,
    observed_order: infinite || lb ? null : est.observedOrder,
    extrapolated: infinite || lb ? null : est.extrapolated,
    grids,
    grid_values: values.map((v) => (Number.isFinite(v) ? v : null)),
    grid_seconds: seconds,
    rtol: refine ? rtol : null,
    max_seconds: budget,
    converged: stop === "converged",
    stop_reason: stop,
    lower_bound: lb
      ? {
          grid: finest,
          time: fine.t,
          iterations: fine.t / problem.lr,
          shift: lb.shift,
          relative_shift: lb.relativeShift,
          c_plus: lb.cPlus,
          max_rate: lb.maxRate,
          singular: lb.singular,
        }
      : null,
    message: notes.join("; "),
    relaxed_nodes: relaxed,
    max_relaxation: fine.gen.maxRelaxation,
    stencil_radius: fine.gen.stencil.radius,
    coarse_grid: nf >= 2 ? grids[nf - 2] : null,
    coarse_time: Number.isFinite(values[nf - 2]) ? values[nf - 2] : null,
    infinite,
    infinite_nodes: fine.res.infiniteNodes,
    reason: infinite
      ? fine.traps.length > 0
        ? "the noise vanishes at a minimum the process reaches before the target: it converges there and never exits"
        : "the target is unreachable from the start in the jump graph (degenerate noise)"
      : undefined,
    grid_reason: why,
    solver: lb
      ? `${fine.res.solve.method} (on the killed system of the lower-bound certificate)`
      : fine.res.solve.method,
    relative_residual: fine.res.solve.relativeResidual,
    scheme,
  };
}

/** The exact 1-D quadrature (DESIGN.md §1) for `exit-time --method exact`. */
export function exactExitTimeEstimate(
  problem: Problem,
  from: readonly number[],
  region: string | RegionFn,
  opts: { cells?: number } = {},
): Exact1dResult {
  checkFrom(problem, from);
  return exact1d(problem, from, regionOf(problem, region), opts);
}
