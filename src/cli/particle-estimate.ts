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

/**
 * Time-step check of an SDE estimate: the same ensemble size at twice the step (independent seed).
 * Euler–Maruyama's error in a mean exit time is O(dt) (with the bridge correction), so T(dt) − T(2dt)
 * estimates the bias of T(dt) and 2T(dt) − T(2dt) removes its first-order part (Richardson). Intervals
 * treat the two runs as independent (they use different seeds): half-width 1.96·√(v₁ + v₂) for the
 * difference and 1.96·√(4v₁ + v₂) for the extrapolation, v = (CI half-width / 1.96)².
 */
export interface DtCheck {
  /** The coarser step (2·dt) and the mean exit time there. */
  dt: number;
  time: number;
  ci95: [number, number];
  seed: number;
  /** T(dt) − T(2dt): the estimated bias of the reported time, with its 95% interval. */
  bias_estimate: number;
  bias_ci95: [number, number];
  /** 2T(dt) − T(2dt), first-order Richardson extrapolation to dt → 0. */
  extrapolated: number;
  extrapolated_ci95: [number, number];
  /** The bias interval excludes 0: the time step visibly matters (use a smaller --dt). */
  significant: boolean;
  /** Why the check says nothing (censored or interrupted runs), else null. */
  not_assessable: string | null;
}

export function dtCheck(fine: ParticleEstimate, coarse: ParticleEstimate): DtCheck {
  const v = (e: ParticleEstimate) => ((e.ci95[1] - e.ci95[0]) / 2 / 1.96) ** 2;
  const diff = fine.time - coarse.time;
  const hwDiff = 1.96 * Math.sqrt(v(fine) + v(coarse));
  const ext = 2 * fine.time - coarse.time;
  const hwExt = 1.96 * Math.sqrt(4 * v(fine) + v(coarse));
  const why =
    fine.lower_bound || coarse.lower_bound
      ? "a censored run (its mean is only a lower bound): raise --max-time"
      : fine.stopped || coarse.stopped
        ? "the run was interrupted"
        : null;
  return {
    dt: coarse.dt,
    time: coarse.time,
    ci95: coarse.ci95,
    seed: coarse.seed,
    bias_estimate: diff,
    bias_ci95: [diff - hwDiff, diff + hwDiff],
    extrapolated: ext,
    extrapolated_ci95: [ext - hwExt, ext + hwExt],
    significant: why === null && Math.abs(diff) > hwDiff,
    not_assessable: why,
  };
}
