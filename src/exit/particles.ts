/**
 * Monte Carlo exit times: an ensemble of one dynamics (sgd, sde, sde2, noisy-sgd, gd) from a point, each
 * particle stopped on entering the target; the mean with its 95% interval, censoring, divergence, the median,
 * an exponential fit and a test of exponentiality (src/analysis). SDE time throughout, iterations = t/η.
 */
import { exitTimeStats } from "../analysis/exit-stats.js";
import { formatNumber, formatPoint } from "../analysis/format.js";
import type { DynamicsKind } from "../dynamics/simulate.js";
import type { Problem } from "../problem/types.js";
import { defaultSdeStep } from "./policy.js";
import type { DtCheck, EnsembleRunner, ExitEstimate, MonteCarloDetail } from "./types.js";

export interface MonteCarloRun {
  dynamics: DynamicsKind;
  from: readonly number[];
  to: string;
  particles: number;
  /** Horizon (SDE time) and why it was chosen (in words, for the report). */
  horizon: number;
  horizonWhy: string;
  /** SDE step (sde/sde2; default the policy's η/10). */
  dt?: number;
  seed: number;
  /** Particle-step cap: the horizon is cut to fit (and the estimate says so). */
  maxParticleSteps?: number;
  runner: EnsembleRunner;
  onProgress?: (done: number) => void;
  shouldStop?: () => boolean;
}

const isSdeKind = (k: DynamicsKind) => k === "sde" || k === "sde2";

const fmt = (v: number, p = 4) => formatNumber(v, p);

/** Steps of size h needed to cover the horizon T (at least one). */
export function stepsToCover(T: number, h: number): number {
  return Math.max(1, Math.ceil(T / h - 1e-9));
}

/** One Monte Carlo estimate. */
export async function monteCarloExitTime(p: Problem, o: MonteCarloRun): Promise<ExitEstimate> {
  const t0 = Date.now();
  const sde = isSdeKind(o.dynamics);
  const h = sde ? (o.dt ?? defaultSdeStep(p.lr)) : p.lr;
  const want = stepsToCover(o.horizon, h);
  const cap = o.maxParticleSteps ? Math.max(10, Math.floor(o.maxParticleSteps / o.particles)) : want;
  const steps = Math.min(want, cap);
  const res = await o.runner(
    p,
    {
      dynamics: o.dynamics,
      particles: o.particles,
      steps,
      dt: sde ? h : undefined,
      seed: o.seed,
      init: { kind: "point", point: [...o.from] },
      target: o.to,
    },
    { onProgress: o.onProgress, shouldStop: o.shouldStop },
  );
  const horizon = steps * h;
  const times = res.exitTime.subarray(0, res.completed);
  if (res.completed === 0) {
    return {
      method: o.dynamics,
      status: "skipped",
      time: null,
      iterations: null,
      interval: null,
      intervalKind: null,
      uncertainty: "—",
      how: "interrupted before any particle finished",
      reason: "interrupted before any particle finished",
      seconds: (Date.now() - t0) / 1000,
      detail: null,
    };
  }
  const stats = exitTimeStats(times, { horizon, lr: p.lr });
  const m = stats.mean;
  const cut = steps < want;
  const horizonWhy = cut
    ? `${o.horizonWhy}, cut to ${fmt(horizon)} by the particle-step budget`
    : o.horizonWhy;
  const e = stats.exponentiality;
  const detail: MonteCarloDetail = {
    kind: "monte-carlo",
    dynamics: o.dynamics,
    ci95: m.ci95,
    iterationsCi95: m.iterationsCi95,
    particles: res.completed,
    exited: stats.exited,
    censored: stats.censored,
    diverged: stats.diverged,
    dt: h,
    horizon,
    horizonWhy,
    seed: o.seed,
    median: { time: stats.median.time, ci95: stats.median.ci95, censored: stats.median.censored },
    exponentialFit: { time: stats.exponentialMean.time, ci95: stats.exponentialMean.ci95 },
    exponentiality: e ? { statistic: e.statistic, pValue: e.pValue, verdict: e.verdict } : null,
    stopped: res.stopped,
    loop: res.loop,
    exitTimes: Float64Array.from(times),
    stats,
  };
  const how =
    o.dynamics === "sgd"
      ? `real SGD (η = ${p.lr}, B = ${p.batch}${p.loss.finiteSum ? ", true minibatches" : ", Gaussian gradient noise Σ_B"}), ${res.completed} independent runs from ${fmtPt(o.from)}, horizon ${fmt(horizon)}`
      : sde
        ? `${o.dynamics === "sde2" ? "order-2" : "order-1"} SDE by Euler–Maruyama, dt = ${fmt(h)} with Brownian-bridge crossing correction, ${res.completed} paths, horizon ${fmt(horizon)}`
        : `${o.dynamics}, ${res.completed} runs, horizon ${fmt(horizon)}`;
  const divergedNote =
    stats.diverged > 0
      ? `${stats.diverged} of ${res.completed} particles diverged before reaching the region: the statistics are over the others, i.e. the mean exit time given no divergence`
      : null;
  const notes = [
    m.lowerBound
      ? `censored: ${stats.censoredCount} of ${stats.n} runs had not exited by t = ${fmt(horizon)} (${horizonWhy}); the restricted mean is a lower bound`
      : null,
    divergedNote,
    res.stopped ? "interrupted: statistics of the particles that finished" : null,
  ].filter((s): s is string => s !== null);
  return {
    method: o.dynamics,
    status: m.lowerBound ? "lower-bound" : "estimate",
    time: m.time,
    iterations: m.iterations,
    interval: m.lowerBound ? [m.time, Number.POSITIVE_INFINITY] : [m.ci95[0], m.ci95[1]],
    intervalKind: "ci95",
    uncertainty: m.lowerBound
      ? "censored: the restricted mean is a lower bound"
      : `95% t-interval of the sample mean (${stats.n} particles)`,
    how,
    reason: notes.length ? notes.join("; ") : null,
    seconds: (Date.now() - t0) / 1000,
    detail,
  };
}

/** The time-step check from the estimate at dt and the one at 2·dt (see `DtCheck`). */
export function dtCheckOf(fine: ExitEstimate, coarse: ExitEstimate): DtCheck {
  const f = fine.detail as MonteCarloDetail;
  const c = coarse.detail as MonteCarloDetail;
  const v = (d: MonteCarloDetail) => ((d.ci95[1] - d.ci95[0]) / 2 / 1.96) ** 2;
  const tf = fine.time as number;
  const tc = coarse.time as number;
  const diff = tf - tc;
  const hwDiff = 1.96 * Math.sqrt(v(f) + v(c));
  const ext = 2 * tf - tc;
  const hwExt = 1.96 * Math.sqrt(4 * v(f) + v(c));
  const why =
    fine.status === "lower-bound" || coarse.status === "lower-bound"
      ? "a censored run (its mean is only a lower bound): raise the horizon"
      : f.stopped || c.stopped
        ? "the run was interrupted"
        : null;
  return {
    dt: c.dt,
    time: tc,
    ci95: c.ci95,
    seed: c.seed,
    biasEstimate: diff,
    biasCi95: [diff - hwDiff, diff + hwDiff],
    extrapolated: ext,
    extrapolatedCi95: [ext - hwExt, ext + hwExt],
    significant: why === null && Math.abs(diff) > hwDiff,
    notAssessable: why,
  };
}

const fmtPt = (x: readonly number[]) => formatPoint(x);
