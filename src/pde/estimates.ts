/**
 * Exit-time estimates in the shape the CLI puts in `estimates` (times in SDE time, iterations = time/η).
 */
import { UserError } from "../errors.js";
import { compileRegion } from "../problem/expr/index.js";
import type { Problem } from "../problem/types.js";
import { type Exact1dResult, exactExitTimeEstimate as exact1d } from "./exact-1d.js";
import { exitTime } from "./exit-time.js";
import { buildGenerator } from "./generator.js";
import { autoGridShape, interpolate, makeGrid, type RegionFn } from "./grid.js";
import { findTraps } from "./stationary.js";

export interface PdeExitEstimate {
  method: "pde";
  /** SDE time, or null when infinite. */
  time: number | null;
  iterations: number | null;
  grid: number[];
  /**
   * Grid-error estimate from grids with 1, 1/2, 1/4 of the points per axis: 1.5× the Richardson estimate
   * |T_f − T_c|/(r − 1), r = (T_c − T_cc)/(T_f − T_c) ≈ 2^order (r capped at 4), the factor 1.5 covering the
   * ±20% scatter of Richardson seen in the tests; 2|T_f − T_c| when r < 1.5 (not yet converging).
   */
  error_estimate: number | null;
  /** log2 r, when the three grids converge monotonically. */
  observed_order: number | null;
  coarse_grid: number[];
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
  opts: { order2?: boolean } = {},
) {
  const g = makeGrid(problem.domain, shape);
  const gen = buildGenerator(problem, g, { absorbing: region, order2: opts.order2 });
  const traps = findTraps(problem, gen)
    .map((t) => t.node)
    .filter((i) => !gen.absorbing![i]);
  const r = exitTime(gen, { traps });
  const t = interpolate(g, r.u, from);
  return { t, res: r, grid: g, gen, traps };
}

/**
 * Mean exit time from `from` into `region` on the discrete generator, with an error estimate from a second
 * grid with half the points per axis. `opts.grid`: points per axis (default: autoGridShape).
 */
export function pdeExitTimeEstimate(
  problem: Problem,
  from: readonly number[],
  region: string | RegionFn,
  opts: { grid?: number; order2?: boolean } = {},
): PdeExitEstimate {
  checkFrom(problem, from);
  const fn = regionOf(problem, region);
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
  const coarse = shape.map((n) => Math.max(3, Math.floor((n - 1) / 2) + 1));
  const coarser = coarse.map((n) => Math.max(3, Math.floor((n - 1) / 2) + 1));
  const fine = pdeExitTimeAt(problem, from, fn, shape, opts);
  const crs = pdeExitTimeAt(problem, from, fn, coarse, opts);
  const inf = !Number.isFinite(fine.t);
  // Error estimate by Richardson: observed ratio r = (T_c − T_cc)/(T_f − T_c) ≈ 2^p on three grids.
  let errorEstimate: number | null = null;
  let observedOrder: number | null = null;
  if (!inf && Number.isFinite(crs.t)) {
    const d1 = fine.t - crs.t;
    const cc = coarser.every((n, k) => n < coarse[k])
      ? pdeExitTimeAt(problem, from, fn, coarser, opts).t
      : Number.NaN;
    const d2 = crs.t - cc;
    const r = d1 !== 0 && Number.isFinite(d2) ? d2 / d1 : Number.NaN;
    if (r >= 1.5) {
      observedOrder = Math.log2(r);
      errorEstimate = (1.5 * Math.abs(d1)) / (Math.min(r, 4) - 1);
    } else {
      // not (yet) converging monotonically: report twice the last difference
      errorEstimate = 2 * Math.abs(d1);
    }
  }
  const scheme =
    "node-centred grid, Scharfetter–Gummel drift, Selling diffusion stencil, cut-cell absorbing boundary" +
    (opts.order2 ? ", order-2 drift correction" : "");
  return {
    method: "pde",
    time: inf ? null : fine.t,
    iterations: inf ? null : fine.t / problem.lr,
    grid: shape,
    error_estimate: errorEstimate,
    observed_order: observedOrder,
    coarse_grid: coarse,
    coarse_time: Number.isFinite(crs.t) ? crs.t : null,
    infinite: inf,
    infinite_nodes: fine.res.infiniteNodes,
    reason: inf
      ? fine.traps.length > 0
        ? "the noise vanishes at a minimum the process reaches before the target: it converges there and never exits"
        : "the target is unreachable from the start in the jump graph (degenerate noise)"
      : undefined,
    grid_reason: why,
    solver: fine.res.solve.method,
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
