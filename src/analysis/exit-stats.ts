/**
 * Statistics of exit (first-passage) times of an ensemble, with honest uncertainty.
 *
 * Input: one time per particle in SDE time t = k·η (DESIGN.md §1). A particle that had not exited by
 * the horizon has time = Infinity: it is right-censored at `horizon` (type I censoring, one common
 * censoring time). NaN marks a particle that diverged; it is excluded and counted. Every time is also
 * reported in iterations, t/η.
 *
 * - Mean: without censoring, the sample mean with a Student-t 95% interval. With censoring the mean is
 *   not identifiable from the data; the result is the restricted mean E[min(τ, h)] (= the area under
 *   the Kaplan–Meier curve up to h) with its t-interval, flagged `lowerBound: true` — the true mean is
 *   larger. Alongside, the exponential-model MLE θ̂ = (time at risk)/(exits) with a chi-square interval
 *   (exact Gamma pivot 2nθ̂/θ ~ χ²_{2n} without censoring; with censoring the conventional
 *   time-truncated interval [2T/χ²_{0.975,2r+2}, 2T/χ²_{0.025,2r}]). It is model-based: trust it only
 *   when the exponentiality test does not reject.
 * - Quantiles 0.05, 0.25, 0.5, 0.75, 0.95: point estimate by linear interpolation of order statistics
 *   (Hyndman–Fan type 7, NumPy's default), distribution-free 95% interval from binomial order
 *   statistics. A quantile beyond the horizon is reported as Infinity with `censored: true`.
 * - Empirical CDF (and, with censoring, the Kaplan–Meier survival, which for a single censoring time is
 *   1 − ECDF, with pointwise Wilson 95% intervals), downsampled to ≤ 1000 points.
 */

import { UserError } from "../errors.js";
import { type ExponentialityOptions, type ExponentialityTest, exponentialityTest } from "./exponentiality.js";
import {
  chiSquareQuantile,
  formatWithCi,
  type Interval,
  quantileRankInterval,
  tInterval,
  wilsonInterval,
} from "./intervals.js";

export interface ExitTimeOptions {
  /** Censoring time (SDE time): particles with time = Infinity had not exited by then. */
  horizon: number;
  /** Learning rate η, to convert SDE time to iterations (t/η). */
  lr: number;
  /** Maximum number of points of the output ECDF / survival curve (default 1000). */
  maxCurvePoints?: number;
  /** Options of the exponentiality test, or false to skip it. */
  exponentiality?: ExponentialityOptions | false;
}

/** A time estimate in SDE time and in iterations (t/η). Interval ends may be ±Infinity or NaN (undefined). */
export interface TimeEstimate {
  time: number;
  ci95: Interval;
  iterations: number;
  iterationsCi95: Interval;
}

export interface MeanExitTime extends TimeEstimate {
  /** "sample-mean" without censoring; "restricted-mean" E[min(τ, horizon)] with censoring. */
  kind: "sample-mean" | "restricted-mean";
  /** True when censored: the true mean exit time is larger than `time` (and than ci95[0]). */
  lowerBound: boolean;
  /** Sample standard deviation of the times (of min(τ, horizon) when censored). */
  sd: number;
}

export interface ExponentialMeanExitTime extends TimeEstimate {
  /** Model-based: valid if the exit time is exponential. */
  model: "exponential";
  /** Total time at risk Σ min(τ_i, horizon) (SDE time). */
  timeAtRisk: number;
  /** How the interval was obtained. */
  method: "chi-square (exact, uncensored)" | "chi-square (time-censored, 2r and 2r+2 dof)";
}

export interface QuantileExitTime extends TimeEstimate {
  q: number;
  /** True when the point estimate lies beyond the horizon (time = Infinity). */
  censored: boolean;
  /** 1-based ranks of the order statistics bounding the interval (0 or n+1 mean unbounded). */
  ranks: [number, number];
  /** Exact distribution-free coverage of the rank interval. */
  coverage: number;
}

export interface ExitCurve {
  /** Exit times (SDE time), increasing. */
  time: Float64Array;
  /** The same in iterations. */
  iterations: Float64Array;
  /** ECDF at `time`: fraction of all (non-diverged) particles exited by then. */
  cdf: Float64Array;
}

export interface SurvivalCurve {
  time: Float64Array;
  iterations: Float64Array;
  /** Kaplan–Meier survival S(t) = P(τ > t) (equals 1 − ECDF for a single censoring time). */
  survival: Float64Array;
  /** Pointwise Wilson 95% interval. */
  lo: Float64Array;
  hi: Float64Array;
}

export interface ExitTimeStats {
  /** Particles with a usable time (excluding diverged ones). */
  n: number;
  /** Particles that exited by the horizon. */
  exited: number;
  /** Particles still inside at the horizon. */
  censoredCount: number;
  censoredFraction: number;
  /** True when at least one particle was censored: the mean is then a lower bound. */
  censored: boolean;
  /** Particles whose time was NaN (diverged), excluded from everything else. */
  diverged: number;
  horizon: number;
  horizonIterations: number;
  lr: number;
  /** P(τ ≤ horizon) with its Wilson 95% interval. */
  exitProbability: { value: number; ci95: Interval };
  mean: MeanExitTime;
  exponentialMean: ExponentialMeanExitTime;
  median: QuantileExitTime;
  quantiles: QuantileExitTime[];
  ecdf: ExitCurve;
  /** Present when censored. */
  survival?: SurvivalCurve;
  /** Absent when disabled by the options. */
  exponentiality?: ExponentialityTest;
}

const QUANTILES = [0.05, 0.25, 0.5, 0.75, 0.95];

function toIterations(t: number, lr: number): number {
  return t / lr;
}

function estimate(time: number, ci: Interval, lr: number): TimeEstimate {
  return {
    time,
    ci95: ci,
    iterations: toIterations(time, lr),
    iterationsCi95: [toIterations(ci[0], lr), toIterations(ci[1], lr)],
  };
}

/**
 * Summary statistics of exit times (SDE time; Infinity = not exited by `horizon`; NaN = diverged).
 * Finite times beyond the horizon are treated as censored at the horizon.
 * Throws UserError for negative times, a non-positive horizon or learning rate.
 */
export function exitTimeStats(times: Float64Array, opts: ExitTimeOptions): ExitTimeStats {
  const { horizon, lr } = opts;
  if (!(horizon > 0)) throw new UserError(`horizon must be > 0, got ${horizon}`, { where: "horizon" });
  if (!(lr > 0) || !Number.isFinite(lr)) throw new UserError(`lr must be > 0, got ${lr}`, { where: "lr" });
  const maxPoints = Math.max(2, Math.floor(opts.maxCurvePoints ?? 1000));

  // split: diverged (NaN), exited (≤ horizon), censored
  let diverged = 0;
  let exited = 0;
  for (let i = 0; i < times.length; i++) {
    const t = times[i];
    if (Number.isNaN(t)) diverged++;
    else if (t < 0) throw new UserError(`exit time ${i} is negative (${t})`, { where: "times" });
    else if (t <= horizon && t < Number.POSITIVE_INFINITY) exited++;
  }
  const n = times.length - diverged;
  const censoredCount = n - exited;
  const censored = censoredCount > 0;
  if (censored && !Number.isFinite(horizon)) {
    throw new UserError("particles without an exit time need a finite horizon", { where: "horizon" });
  }
  const sorted = new Float64Array(exited);
  {
    let k = 0;
    for (let i = 0; i < times.length; i++) {
      const t = times[i];
      if (t <= horizon && t < Number.POSITIVE_INFINITY) sorted[k++] = t;
    }
    sorted.sort();
  }
  const h = censored ? horizon : 0;

  // mean (restricted when censored): values min(τ, h)
  let sum = 0;
  for (let i = 0; i < exited; i++) sum += sorted[i];
  const timeAtRisk = sum + censoredCount * h;
  const m = n > 0 ? timeAtRisk / n : Number.NaN;
  let ss = 0;
  for (let i = 0; i < exited; i++) ss += (sorted[i] - m) ** 2;
  ss += censoredCount * (h - m) ** 2;
  const sd = n > 1 ? Math.sqrt(ss / (n - 1)) : Number.NaN;
  const mean: MeanExitTime = {
    ...estimate(m, tInterval(m, sd, n), lr),
    kind: censored ? "restricted-mean" : "sample-mean",
    lowerBound: censored,
    sd,
  };

  // exponential MLE with chi-square interval
  let expMean: number;
  let expCi: Interval;
  if (!censored) {
    expMean = n > 0 ? timeAtRisk / n : Number.NaN;
    expCi =
      n > 0
        ? [
            (2 * timeAtRisk) / chiSquareQuantile(0.975, 2 * n),
            (2 * timeAtRisk) / chiSquareQuantile(0.025, 2 * n),
          ]
        : [Number.NaN, Number.NaN];
  } else {
    expMean = exited > 0 ? timeAtRisk / exited : Number.POSITIVE_INFINITY;
    expCi = [
      (2 * timeAtRisk) / chiSquareQuantile(0.975, 2 * exited + 2),
      exited > 0 ? (2 * timeAtRisk) / chiSquareQuantile(0.025, 2 * exited) : Number.POSITIVE_INFINITY,
    ];
  }
  const exponentialMean: ExponentialMeanExitTime = {
    ...estimate(expMean, expCi, lr),
    model: "exponential",
    timeAtRisk,
    method: censored ? "chi-square (time-censored, 2r and 2r+2 dof)" : "chi-square (exact, uncensored)",
  };

  // quantiles: order statistics of all n, censored ones = +Infinity beyond sorted[exited − 1]
  const orderStat = (rank1: number): number =>
    rank1 < 1 ? 0 : rank1 > exited ? Number.POSITIVE_INFINITY : sorted[rank1 - 1];
  const quantiles: QuantileExitTime[] = QUANTILES.map((q) => {
    let value = Number.NaN;
    if (n > 0) {
      const pos = (n - 1) * q; // 0-based type-7 position
      const j = Math.floor(pos);
      const frac = pos - j;
      const a = orderStat(j + 1);
      const b = frac > 0 ? orderStat(j + 2) : a;
      value = b === Number.POSITIVE_INFINITY ? Number.POSITIVE_INFINITY : a + frac * (b - a);
    }
    const r = quantileRankInterval(n, q);
    const ci: Interval = n > 0 ? [orderStat(r.lower), orderStat(r.upper)] : [Number.NaN, Number.NaN];
    return {
      q,
      ...estimate(value, ci, lr),
      censored: value === Number.POSITIVE_INFINITY,
      ranks: [r.lower, r.upper],
      coverage: r.coverage,
    };
  });

  // ECDF / survival, downsampled to ≤ maxPoints exit times (first and last kept)
  const npts = Math.min(exited, maxPoints);
  const idx = new Int32Array(npts);
  for (let j = 0; j < npts; j++) idx[j] = npts === exited ? j : Math.round((j * (exited - 1)) / (npts - 1));
  const ecdf: ExitCurve = {
    time: new Float64Array(npts),
    iterations: new Float64Array(npts),
    cdf: new Float64Array(npts),
  };
  for (let j = 0; j < npts; j++) {
    const i = idx[j];
    ecdf.time[j] = sorted[i];
    ecdf.iterations[j] = toIterations(sorted[i], lr);
    ecdf.cdf[j] = (i + 1) / n;
  }
  let survival: SurvivalCurve | undefined;
  if (censored) {
    survival = {
      time: ecdf.time,
      iterations: ecdf.iterations,
      survival: new Float64Array(npts),
      lo: new Float64Array(npts),
      hi: new Float64Array(npts),
    };
    for (let j = 0; j < npts; j++) {
      const alive = n - (idx[j] + 1);
      const [lo, hi] = wilsonInterval(alive, n);
      survival.survival[j] = alive / n;
      survival.lo[j] = lo;
      survival.hi[j] = hi;
    }
  }

  const result: ExitTimeStats = {
    n,
    exited,
    censoredCount,
    censoredFraction: n > 0 ? censoredCount / n : Number.NaN,
    censored,
    diverged,
    horizon,
    horizonIterations: toIterations(horizon, lr),
    lr,
    exitProbability: { value: n > 0 ? exited / n : Number.NaN, ci95: wilsonInterval(exited, n) },
    mean,
    exponentialMean,
    median: quantiles[2],
    quantiles,
    ecdf,
  };
  if (survival) result.survival = survival;
  if (opts.exponentiality !== false) {
    result.exponentiality = exponentialityTest(sorted, exited, n, horizon, opts.exponentiality ?? {});
  }
  return result;
}

/** A few readable lines summarising exit-time statistics (for CLIs and logs). */
export function formatExitTimeStats(s: ExitTimeStats): string {
  const lines: string[] = [];
  const pct = (x: number) =>
    Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : "not known: no particle left";
  lines.push(
    `particles ${s.n}, exited ${s.exited} by t = ${s.horizon} (${pct(s.exitProbability.value)})` +
      (s.diverged > 0 ? `, diverged ${s.diverged} (excluded)` : ""),
  );
  const it = (e: TimeEstimate) => formatWithCi(e.iterations, e.iterationsCi95);
  if (s.censored) {
    lines.push(
      `mean exit time ≥ ${formatWithCi(s.mean.time, s.mean.ci95)} (restricted mean, censored: a lower bound)` +
        ` = ${it(s.mean)} iterations`,
    );
  } else {
    lines.push(
      `mean exit time ${formatWithCi(s.mean.time, s.mean.ci95)} = ${it(s.mean)} iterations (95% CI)`,
    );
  }
  lines.push(
    `exponential-model mean ${formatWithCi(s.exponentialMean.time, s.exponentialMean.ci95)} (model-based)`,
  );
  const med = s.median;
  lines.push(
    `median ${med.censored ? `> ${s.horizon} (censored)` : formatWithCi(med.time, med.ci95)}` +
      `; quantiles ${s.quantiles.map((q) => `${q.q}: ${q.censored ? "censored" : Number.isFinite(q.time) ? q.time.toPrecision(4) : "not known"}`).join(", ")}`,
  );
  if (s.exponentiality) lines.push(`exponentiality: ${s.exponentiality.verdict}`);
  return lines.join("\n");
}
