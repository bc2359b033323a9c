/**
 * Monte Carlo exit-time estimates ("sgd", "sde", ...) in the JSON shape of `exit-time --json`.
 */
import { type ExitTimeStats, exitTimeStats } from "../analysis/index.js";
import type { DynamicsKind } from "../dynamics/simulate.js";
import type { LoadedProblem } from "../io/load-problem.js";
import { runEnsemble } from "../parallel/ensemble.js";

export interface ParticleEstimateOptions {
  dynamics: DynamicsKind;
  from: number[];
  to: string;
  particles: number;
  /** Horizon (SDE time). */
  maxTime: number;
  /** SDE step (sde/sde2 only; default η). */
  dt?: number;
  seed: number;
  threads: number;
  onProgress?: (done: number) => void;
  shouldStop?: () => boolean;
}

export interface ParticleEstimate {
  method: DynamicsKind;
  /** Mean exit time (SDE time); a lower bound (restricted mean) when censored. */
  time: number;
  ci95: [number, number];
  iterations: number;
  iterations_ci95: [number, number];
  particles: number;
  exited: number;
  censored: boolean;
  lower_bound: boolean;
  diverged: number;
  dt: number;
  horizon: number;
  seed: number;
  median: { time: number; ci95: [number, number]; censored: boolean };
  exponential_fit: { time: number; ci95: [number, number] };
  exponentiality: { statistic: number; p_value: number; verdict: string } | null;
  stopped: boolean;
  /** The full statistics (quantiles, ECDF, survival): not printed by --json, used by reports. */
  stats: ExitTimeStats;
}

export async function particleEstimate(
  lp: LoadedProblem,
  o: ParticleEstimateOptions,
): Promise<ParticleEstimate> {
  const p = lp.problem;
  const isSde = o.dynamics === "sde" || o.dynamics === "sde2";
  const h = isSde ? (o.dt ?? p.lr) : p.lr;
  const steps = Math.ceil(o.maxTime / h - 1e-9);
  const res = await runEnsemble(p, lp.spec, lp.path.replace(/[/\\][^/\\]*$/, ""), {
    dynamics: o.dynamics,
    particles: o.particles,
    steps,
    dt: isSde ? h : undefined,
    seed: o.seed,
    init: { kind: "point", point: o.from },
    target: o.to,
    threads: o.threads,
    onProgress: o.onProgress,
    shouldStop: o.shouldStop,
  });
  const horizon = steps * h;
  const stats = exitTimeStats(res.exitTime, { horizon, lr: p.lr });
  const e = stats.exponentiality;
  return {
    method: o.dynamics,
    time: stats.mean.time,
    ci95: stats.mean.ci95,
    iterations: stats.mean.iterations,
    iterations_ci95: stats.mean.iterationsCi95,
    particles: res.completed,
    exited: stats.exited,
    censored: stats.censored,
    lower_bound: stats.mean.lowerBound,
    diverged: stats.diverged,
    dt: h,
    horizon,
    seed: o.seed,
    median: { time: stats.median.time, ci95: stats.median.ci95, censored: stats.median.censored },
    exponential_fit: { time: stats.exponentialMean.time, ci95: stats.exponentialMean.ci95 },
    exponentiality: e ? { statistic: e.statistic, p_value: e.pValue, verdict: e.verdict } : null,
    stopped: res.stopped,
    stats,
  };
}
