/**
 * Is a sample of exit times exponential? Metastable escapes (many failed attempts before the
 * successful one) give nearly exponential exit times; a clear rejection says the exit is dominated
 * by a deterministic transit (e.g. sliding down a slope) or by a delay before escapes start.
 *
 * Test: Kolmogorov–Smirnov distance to the exponential law with the mean estimated from the data
 * (Lilliefors 1969 for the exponential). Its null law does not depend on the unknown mean, so the
 * p-value is computed exactly up to Monte Carlo error by a seeded parametric bootstrap:
 * p = (1 + #{D* ≥ D}) / (B + 1), the replicates drawn already sorted by Rényi's representation of
 * exponential order statistics (O(n) per replicate, no sort). For n above `maxSampleSize` the replicates
 * are smaller and compared on Stephens' n-free scale (see the option).
 * Right-censored data (type I, every unfinished particle censored at the same horizon h): D is the
 * sup over [0, h] of |F_n − F_θ̂| with θ̂ the censored MLE, and the bootstrap redraws censored samples at θ̂
 * (approximately pivotal; the null law now depends on h/θ).
 * Plus, without censoring, the coefficient of variation sd/mean (1 for an exponential) with a
 * delta-method interval on the log scale using the sample third and fourth moments.
 */

import { Rng } from "../random/rng.js";
import { type Interval, normalQuantile } from "./intervals.js";

export interface ExponentialityOptions {
  /** Bootstrap replicates B (default 999); reduced so that B·n ≤ maxWork. */
  bootstrap?: number;
  /** Bound on the random draws of the bootstrap (default 4e6, ≈ 0.4 s). B never drops below 99. */
  maxWork?: number;
  /**
   * Largest bootstrap sample size (default 4000). For larger n the replicates have this size and are
   * compared with the data on Stephens' (1974) scale (D − 0.2/n)(√n + 0.26 + 0.5/√n), whose null law
   * is nearly free of n (an approximation; exact Monte Carlo test when n ≤ maxSampleSize).
   */
  maxSampleSize?: number;
  /** Seed of the bootstrap stream (default 1). */
  seed?: number;
  /** Level of the test (default 0.05). */
  alpha?: number;
}

export interface ExponentialityTest {
  method: "lilliefors-ks-exponential";
  /** Particles and exits used. */
  n: number;
  exited: number;
  /** Whether the censored variant was used (some particles did not exit by the horizon). */
  censored: boolean;
  /** Estimated mean of the fitted exponential (same time unit as the input). */
  fittedMean: number;
  /** KS statistic D = sup |F_n − F_θ̂| (over [0, horizon] when censored). NaN when not computed. */
  statistic: number;
  /** Parametric-bootstrap p-value (1 + #{D* ≥ D})/(B + 1). NaN when not computed. */
  pValue: number;
  /** Bootstrap replicates used, their sample size, and the seed. */
  bootstrap: number;
  bootstrapSampleSize: number;
  seed: number;
  /** Bootstrap estimate of the (1 − alpha) quantile of D under the null (for this n). */
  criticalValue: number;
  alpha: number;
  /** True when p ≤ alpha. */
  rejected: boolean;
  /** Coefficient of variation sd/mean and its 95% interval (null under censoring or n < 3). */
  cv: number | null;
  cvCi95: Interval | null;
  /** One readable sentence. */
  verdict: string;
}

/**
 * KS distance between the empirical CDF of n observations (the `count` exits sorted in `sorted`, the
 * remaining n − count censored at `horizon`) and the exponential CDF with mean `mean`, over [0, horizon].
 */
export function ksExponentialStatistic(
  sorted: Float64Array,
  count: number,
  n: number,
  mean: number,
  horizon = Number.POSITIVE_INFINITY,
): number {
  if (count === 0) return n === 0 ? Number.NaN : Number.isFinite(horizon) ? -Math.expm1(-horizon / mean) : 1;
  const rate = 1 / mean;
  let d = 0;
  for (let i = 0; i < count; i++) {
    const f = -Math.expm1(-sorted[i] * rate);
    const above = (i + 1) / n - f;
    const below = f - i / n;
    if (above > d) d = above;
    if (below > d) d = below;
  }
  if (count < n) {
    const fh = Number.isFinite(horizon) ? -Math.expm1(-horizon * rate) : 1;
    const gap = fh - count / n;
    if (gap > d) d = gap;
  }
  return d;
}

/**
 * Lilliefors-type KS test of exponentiality with a parametric-bootstrap p-value, plus the CV.
 * `sorted`: the exit times in increasing order (first `exited` entries); `n`: all particles, the
 * n − exited others censored at `horizon` (pass Infinity or n = exited for no censoring).
 */
export function exponentialityTest(
  sorted: Float64Array,
  exited: number,
  n: number,
  horizon: number,
  opts: ExponentialityOptions = {},
): ExponentialityTest {
  const alpha = opts.alpha ?? 0.05;
  const seed = opts.seed ?? 1;
  const censored = exited < n;
  let total = 0;
  for (let i = 0; i < exited; i++) total += sorted[i];
  if (censored) total += (n - exited) * horizon;
  const fittedMean = exited > 0 ? total / exited : Number.POSITIVE_INFINITY;
  const base = {
    method: "lilliefors-ks-exponential" as const,
    n,
    exited,
    censored,
    fittedMean,
    seed,
    alpha,
  };
  const cvPart = coefficientOfVariation(sorted, exited, censored);
  if (exited < 5) {
    return {
      ...base,
      statistic: Number.NaN,
      pValue: Number.NaN,
      bootstrap: 0,
      bootstrapSampleSize: 0,
      criticalValue: Number.NaN,
      rejected: false,
      ...cvPart,
      verdict: `too few exits (${exited}) to test exponentiality`,
    };
  }
  const d = ksExponentialStatistic(sorted, exited, n, fittedMean, horizon);
  // Bootstrap sample size: n, or at most maxSampleSize with Stephens' modification making D
  // comparable across sample sizes.
  const nb = Math.min(n, Math.max(50, Math.floor(opts.maxSampleSize ?? 4000)));
  const dMod = stephensModified(d, n);
  const maxWork = opts.maxWork ?? 4e6;
  const perReplicate = censored ? Math.min(nb, Math.ceil((nb * exited) / n) + 1) : nb;
  const b = Math.max(99, Math.min(opts.bootstrap ?? 999, Math.floor(maxWork / perReplicate)));
  // censored replicates: same horizon and fitted mean, so the same censoring fraction as the data
  const rng = new Rng(seed, 0);
  const buf = new Float64Array(nb);
  const stats = new Float64Array(b);
  let exceed = 0;
  for (let rep = 0; rep < b; rep++) {
    let ds: number;
    if (!censored) {
      // sorted Exp(1) sample via Rényi: E_(i) = Σ_{j ≤ i} Z_j / (n − j + 1)
      let e = 0;
      let s = 0;
      for (let i = 0; i < nb; i++) {
        e += rng.exponential() / (nb - i);
        buf[i] = e;
        s += e;
      }
      ds = ksExponentialStatistic(buf, nb, nb, s / nb);
    } else {
      let e = 0;
      let s = 0;
      let r = 0;
      for (let i = 0; i < nb; i++) {
        e += (fittedMean * rng.exponential()) / (nb - i);
        if (e > horizon) break;
        buf[i] = e;
        s += e;
        r++;
      }
      const m = r > 0 ? (s + (nb - r) * horizon) / r : Number.POSITIVE_INFINITY;
      ds = r > 0 ? ksExponentialStatistic(buf, r, nb, m, horizon) : 0;
    }
    // compare on Stephens' scale (a monotone map, so identical to comparing D when nb = n)
    const dsMod = stephensModified(ds, nb);
    stats[rep] = dsMod;
    if (dsMod >= dMod) exceed++;
  }
  stats.sort();
  const criticalValue = stephensInverse(stats[Math.min(b - 1, Math.ceil((1 - alpha) * (b + 1)) - 1)], n);
  const pValue = (1 + exceed) / (b + 1);
  const rejected = pValue <= alpha;
  const pText = pValue < 0.001 ? pValue.toExponential(1) : pValue.toFixed(3);
  const head = rejected
    ? `not exponential at the ${alpha * 100}% level`
    : `consistent with an exponential law at the ${alpha * 100}% level`;
  const ksText = `Lilliefors KS D = ${d.toPrecision(3)}, p = ${pText} (parametric bootstrap, B = ${b}${censored ? ", censored" : ""})`;
  const cvText =
    cvPart.cv !== null && cvPart.cvCi95 !== null
      ? `CV = ${cvPart.cv.toFixed(2)} [${cvPart.cvCi95[0].toFixed(2)}, ${cvPart.cvCi95[1].toFixed(2)}] (1 for an exponential)`
      : "CV not estimable under censoring";
  return {
    ...base,
    statistic: d,
    pValue,
    bootstrap: b,
    bootstrapSampleSize: nb,
    criticalValue,
    rejected,
    ...cvPart,
    verdict: `${head}: ${ksText}; ${cvText}`,
  };
}

/** Stephens' (1974) modification for the exponential with estimated mean: nearly n-free null law. */
export function stephensModified(d: number, n: number): number {
  const r = Math.sqrt(n);
  return (d - 0.2 / n) * (r + 0.26 + 0.5 / r);
}

function stephensInverse(dm: number, n: number): number {
  const r = Math.sqrt(n);
  return dm / (r + 0.26 + 0.5 / r) + 0.2 / n;
}

/** CV = s/mean with a 95% delta-method interval on log CV; null when censored or fewer than 3 values. */
function coefficientOfVariation(
  x: Float64Array,
  n: number,
  censored: boolean,
): { cv: number | null; cvCi95: Interval | null } {
  if (censored || n < 3) return { cv: null, cvCi95: null };
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i];
  mean /= n;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = x[i] - mean;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  m2 /= n;
  m3 /= n;
  m4 /= n;
  const sd = Math.sqrt((m2 * n) / (n - 1));
  const cv = sd / mean;
  if (!(m2 > 0) || !(mean > 0)) return { cv, cvCi95: null };
  // Var(log ĉ) ≈ (1/n)[(μ4 − σ⁴)/(4σ⁴) + σ²/μ² − μ3/(σ²μ)]  (delta method; = 1/n for an exponential)
  const varLog = ((m4 - m2 * m2) / (4 * m2 * m2) + m2 / (mean * mean) - m3 / (m2 * mean)) / n;
  const z = normalQuantile(0.975);
  const h = z * Math.sqrt(Math.max(varLog, 0));
  return { cv, cvCi95: [cv * Math.exp(-h), cv * Math.exp(h)] };
}
