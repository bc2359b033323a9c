/**
 * One cell of a sweep: the problem at (η, B, δ), the exit-time engine on it, one row per method. A pure
 * function of (problem spec, plan, cell): the same rows whoever runs it (a thread, a shard, a queue worker).
 */
import { type EnsembleRunner, type ExitEstimate, exitTime, type MonteCarloDetail } from "../exit/index.js";
import { isotropicEps } from "../pde/index.js";
import { type ProblemContext, problemFromSpec } from "../problem/index.js";
import type { Problem } from "../problem/types.js";
import type { SweepCell, SweepPlan } from "./plan.js";

/** One row of the sweep table: one cell and one method. Times are SDE time (t = η × iterations). */
export interface SweepRow {
  cell: number;
  lr: number;
  batch: number;
  /** Noisy-SGD δ of the cell's problem. */
  delta: number;
  /** Seed of a Monte Carlo row; NaN for deterministic methods. */
  seed: number;
  method: string;
  /** The engine's status (estimate, lower-bound, bracket, infinite, not-applicable, failed, skipped). */
  status: string;
  /** Mean exit time (a lower bound when status is lower-bound); NaN without a point value. */
  time: number;
  /** Interval of `time` (kind in intervalKind: ci95 for Monte Carlo); NaN when none. */
  low: number;
  high: number;
  intervalKind: string;
  /** Particles simulated, exited, censored at the horizon, diverged (Monte Carlo rows; NaN otherwise). */
  n: number;
  exited: number;
  censored: number;
  diverged: number;
  /** Monte Carlo horizon (SDE time), NaN otherwise. */
  horizon: number;
  /** Noise scale ε with A = 2εI (isotropic constant noise: ε = (η·batchScale·σ² + 2δ)/2); NaN otherwise. */
  epsilon: number;
  /** Why the status is not "estimate", or a caveat; "" when none. */
  reason: string;
}

/** A cell's rows and the wall time of each (seconds; not part of the reproducible table). */
export interface CellResult {
  cell: number;
  rows: SweepRow[];
  seconds: number[];
}

/** The problem of a cell: the spec with the cell's η, B (and δ) substituted, built like a problem file. */
export function cellProblem(spec: unknown, ctx: ProblemContext, cell: SweepCell): Problem {
  const base = (spec ?? {}) as Record<string, unknown>;
  const s: Record<string, unknown> = { ...base, lr: cell.lr, batch: cell.batch };
  if (cell.delta !== null) s.delta = cell.delta;
  return problemFromSpec(s, ctx);
}

/** ε with A = 2εI when the diffusion is isotropic and constant; NaN otherwise. */
export function isotropicEpsilon(p: Problem): number {
  if (p.momentum !== 0) return Number.NaN;
  return isotropicEps(p) ?? Number.NaN;
}

function rowOf(cell: SweepCell, p: Problem | null, e: ExitEstimate, eps: number): SweepRow {
  const mc = e.detail?.kind === "monte-carlo" ? (e.detail as MonteCarloDetail) : null;
  const nan = Number.NaN;
  return {
    cell: cell.index,
    lr: cell.lr,
    batch: cell.batch,
    delta: p ? p.delta : (cell.delta ?? nan),
    seed: mc ? mc.seed : nan,
    method: e.method,
    status: e.status,
    time: e.time ?? nan,
    low: e.interval ? e.interval[0] : nan,
    high: e.interval ? e.interval[1] : nan,
    intervalKind: e.intervalKind ?? "",
    n: mc ? mc.particles : nan,
    exited: mc ? mc.exited : nan,
    censored: mc ? mc.particles - mc.exited - mc.diverged : nan,
    diverged: mc ? mc.diverged : nan,
    horizon: mc ? mc.horizon : nan,
    epsilon: eps,
    reason: e.reason ?? "",
  };
}

export interface CellHooks {
  runner?: EnsembleRunner;
  shouldStop?: () => boolean;
  /** Particles done of the cell's Monte Carlo work. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Runs one cell. A failure of the cell (its problem cannot be built, a method throws) becomes rows with status
 * "failed" and the reason, so that one bad cell never blocks a sweep.
 */
export async function runCell(
  spec: unknown,
  ctx: ProblemContext,
  plan: SweepPlan,
  cell: SweepCell,
  hooks: CellHooks = {},
): Promise<CellResult> {
  const t0 = Date.now();
  let p: Problem | null = null;
  try {
    p = cellProblem(spec, ctx, cell);
    const eps = isotropicEpsilon(p);
    const secs: number[] = [];
    const res = await exitTime(
      p,
      { from: plan.from, to: plan.to },
      {
        methods: cell.methods,
        particles: {
          particles: plan.particles,
          seed: cell.seed,
          horizon: plan.horizon,
          fallbackHorizon: plan.fallbackHorizon,
          dtCheck: false,
        },
        gridMethods: plan.grid !== null ? { grid: plan.grid } : {},
        runner: hooks.runner,
        shouldStop: hooks.shouldStop,
        onProgress: hooks.onProgress ? (_l, done, total) => hooks.onProgress?.(done, total) : undefined,
      },
    );
    for (const e of res.estimates) secs.push(e.seconds);
    const q = p;
    return { cell: cell.index, rows: res.estimates.map((e) => rowOf(cell, q, e, eps)), seconds: secs };
  } catch (e) {
    return failedCell(cell, p, `the cell failed: ${(e as Error).message}`, (Date.now() - t0) / 1000);
  }
}

/** A cell that could not run: one row per method with status "failed" and the reason. */
export function failedCell(cell: SweepCell, p: Problem | null, reason: string, secs = 0): CellResult {
  const rows = cell.methods.map((m) =>
    rowOf(
      cell,
      p,
      {
        method: m,
        status: "failed",
        time: null,
        iterations: null,
        interval: null,
        intervalKind: null,
        uncertainty: "—",
        how: "the cell failed",
        reason,
        seconds: 0,
        detail: null,
      },
      p ? isotropicEpsilon(p) : Number.NaN,
    ),
  );
  return { cell: cell.index, rows, seconds: rows.map(() => secs) };
}
