import { describe, expect, it } from "vitest";
import { exitTimeStats, formatExitTimeStats } from "../../src/analysis/exit-stats.js";
import { wilsonInterval } from "../../src/analysis/intervals.js";
import { UserError } from "../../src/errors.js";
import { Rng } from "../../src/random/rng.js";

function expSample(rng: Rng, n: number, mean: number): Float64Array {
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = mean * rng.exponential();
  return x;
}

/** Censor at h: times > h become Infinity. */
function censor(x: Float64Array, h: number): Float64Array {
  return x.map((t) => (t > h ? Number.POSITIVE_INFINITY : t));
}

/** Asserts `p` lies in the 99.9% Wilson interval of k successes out of n (a coverage/level check). */
function expectRate(k: number, n: number, p: number): void {
  const [lo, hi] = wilsonInterval(k, n, 0.999);
  expect(p).toBeGreaterThanOrEqual(lo);
  expect(p).toBeLessThanOrEqual(hi);
}

describe("exitTimeStats on hand-made data", () => {
  it("uncensored: mean, t-interval, type-7 quantiles, iterations", () => {
    const t = Float64Array.from([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    const s = exitTimeStats(t, { horizon: 100, lr: 0.5, exponentiality: false });
    expect(s.n).toBe(10);
    expect(s.exited).toBe(10);
    expect(s.censored).toBe(false);
    expect(s.mean.kind).toBe("sample-mean");
    expect(s.mean.time).toBeCloseTo(5.5, 14);
    // numpy: np.arange(1, 11).std(ddof=1) = 3.0276503540974917; t_{0.975,9} = 2.262157162798205
    expect(s.mean.sd).toBeCloseTo(3.0276503540974917, 13);
    const half = (2.262157162798205 * 3.0276503540974917) / Math.sqrt(10);
    expect(s.mean.ci95[0]).toBeCloseTo(5.5 - half, 12);
    expect(s.mean.ci95[1]).toBeCloseTo(5.5 + half, 12);
    expect(s.mean.iterations).toBeCloseTo(11, 13);
    expect(s.mean.iterationsCi95[1]).toBeCloseTo((5.5 + half) / 0.5, 12);
    // numpy: np.percentile(np.arange(1, 11), [5, 25, 50, 75, 95]) = [1.45, 3.25, 5.5, 7.75, 9.55]
    const ref = [1.45, 3.25, 5.5, 7.75, 9.55];
    for (const [i, q] of s.quantiles.entries()) expect(q.time).toBeCloseTo(ref[i], 12);
    expect(s.median.time).toBeCloseTo(5.5, 12);
    // n = 10, median: classical ranks (2, 9), coverage 0.9785
    expect(s.median.ranks).toEqual([2, 9]);
    expect(s.median.ci95).toEqual([2, 9]);
    expect(s.median.coverage).toBeCloseTo(0.978515625, 12);
    // exponential MLE: mean 5.5, exact CI 2·55/χ²_{0.975,20}, 2·55/χ²_{0.025,20} (SciPy chi2.ppf)
    expect(s.exponentialMean.time).toBeCloseTo(5.5, 13);
    expect(s.exponentialMean.ci95[0]).toBeCloseTo(110 / 34.16960690283833, 10);
    expect(s.exponentialMean.ci95[1]).toBeCloseTo(110 / 9.590777392264867, 10);
    // ECDF: all points, cdf = i/n
    expect(Array.from(s.ecdf.time)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(s.ecdf.cdf[9]).toBe(1);
    expect(s.ecdf.iterations[3]).toBe(8);
    expect(s.survival).toBeUndefined();
  });

  it("censored: restricted mean is a flagged lower bound; model-based MLE; censored quantiles", () => {
    const t = Float64Array.from([2, Number.POSITIVE_INFINITY, 1, Number.POSITIVE_INFINITY, Number.NaN]);
    const s = exitTimeStats(t, { horizon: 5, lr: 0.1, exponentiality: false });
    expect(s.diverged).toBe(1);
    expect(s.n).toBe(4);
    expect(s.exited).toBe(2);
    expect(s.censored).toBe(true);
    expect(s.censoredFraction).toBe(0.5);
    expect(s.mean.kind).toBe("restricted-mean");
    expect(s.mean.lowerBound).toBe(true);
    expect(s.mean.time).toBeCloseTo((1 + 2 + 5 + 5) / 4, 14);
    // exponential MLE: time at risk 13 over 2 exits; CI [26/χ²_{0.975,6}, 26/χ²_{0.025,4}] (SciPy chi2.ppf)
    expect(s.exponentialMean.time).toBeCloseTo(6.5, 14);
    expect(s.exponentialMean.timeAtRisk).toBeCloseTo(13, 14);
    expect(s.exponentialMean.ci95[0]).toBeCloseTo(26 / 14.44937533544792, 10);
    expect(s.exponentialMean.ci95[1]).toBeCloseTo(26 / 0.4844185570879299, 9);
    // quantiles: q = 0.25 → 1 + 0.75·(2 − 1); median interpolates into the censored part
    expect(s.quantiles[1].time).toBeCloseTo(1.75, 14);
    expect(s.median.censored).toBe(true);
    expect(s.median.time).toBe(Number.POSITIVE_INFINITY);
    expect(s.survival).toBeDefined();
    expect(Array.from(s.survival!.survival)).toEqual([0.75, 0.5]);
    const [lo, hi] = wilsonInterval(2, 4);
    expect(s.survival!.lo[1]).toBe(lo);
    expect(s.survival!.hi[1]).toBe(hi);
    expect(s.exitProbability.value).toBe(0.5);
    expect(formatExitTimeStats(s)).toContain("lower bound");
  });

  it("degenerate inputs: no particles, nobody exited", () => {
    const e = exitTimeStats(new Float64Array(0), { horizon: 1, lr: 0.1 });
    expect(e.n).toBe(0);
    expect(Number.isNaN(e.mean.time)).toBe(true);
    expect(e.ecdf.time.length).toBe(0);
    const inf = Number.POSITIVE_INFINITY;
    const c = exitTimeStats(Float64Array.from([inf, inf, inf]), { horizon: 2, lr: 0.1 });
    expect(c.exited).toBe(0);
    expect(c.mean.time).toBe(2);
    expect(c.mean.lowerBound).toBe(true);
    expect(c.exponentialMean.time).toBe(inf);
    // no exit in time at risk 6: lower limit 2·6/χ²_{0.975,2} = 12/(−2 log 0.025)
    expect(c.exponentialMean.ci95[0]).toBeCloseTo(12 / (-2 * Math.log(0.025)), 12);
    expect(c.exponentialMean.ci95[1]).toBe(inf);
    expect(c.median.censored).toBe(true);
    expect(c.exponentiality!.verdict).toMatch(/too few exits/);
    expect(formatExitTimeStats(c)).toContain("censored");
  });

  it("rejects bad input with UserError", () => {
    expect(() => exitTimeStats(Float64Array.from([1, -1]), { horizon: 5, lr: 0.1 })).toThrow(UserError);
    expect(() => exitTimeStats(Float64Array.from([1]), { horizon: 5, lr: 0 })).toThrow(UserError);
    expect(() => exitTimeStats(Float64Array.from([1]), { horizon: -1, lr: 0.1 })).toThrow(UserError);
    expect(() =>
      exitTimeStats(Float64Array.from([1, Number.POSITIVE_INFINITY]), {
        horizon: Number.POSITIVE_INFINITY,
        lr: 0.1,
      }),
    ).toThrow(UserError);
  });

  it("downsamples the ECDF to at most 1000 points, keeping both ends", () => {
    const rng = new Rng(7, 0);
    const t = censor(expSample(rng, 5000, 2), 6);
    const s = exitTimeStats(t, { horizon: 6, lr: 0.01, exponentiality: false });
    expect(s.ecdf.time.length).toBe(1000);
    let min = Number.POSITIVE_INFINITY;
    let max = 0;
    for (const v of t) if (Number.isFinite(v)) [min, max] = [Math.min(min, v), Math.max(max, v)];
    expect(s.ecdf.time[0]).toBe(min);
    expect(s.ecdf.time[999]).toBe(max);
    expect(s.ecdf.cdf[999]).toBeCloseTo(s.exited / s.n, 15);
    for (let i = 1; i < 1000; i++) {
      expect(s.ecdf.time[i]).toBeGreaterThanOrEqual(s.ecdf.time[i - 1]);
      expect(s.ecdf.cdf[i]).toBeGreaterThan(s.ecdf.cdf[i - 1]);
    }
    expect(s.ecdf.iterations[500]).toBeCloseTo(s.ecdf.time[500] / 0.01, 9);
    // exit probability P(τ ≤ 6) = 1 − e^{−3} within its interval
    expect(s.exitProbability.ci95[0]).toBeLessThan(1 - Math.exp(-3));
    expect(s.exitProbability.ci95[1]).toBeGreaterThan(1 - Math.exp(-3));
  });
});

describe("coverage of the 95% intervals over many seeds (exponential times, mean 3)", () => {
  const theta = 3;
  const reps = 400;

  it("uncensored: t-interval, exact exponential interval and median interval", () => {
    let tCover = 0;
    let expCover = 0;
    let medCover = 0;
    let q95Cover = 0;
    const median = theta * Math.LN2;
    const q95 = -theta * Math.log(0.05);
    for (let r = 0; r < reps; r++) {
      const s = exitTimeStats(expSample(new Rng(1000 + r, 0), 300, theta), {
        horizon: 1e9,
        lr: 0.1,
        exponentiality: false,
      });
      if (s.mean.ci95[0] <= theta && theta <= s.mean.ci95[1]) tCover++;
      if (s.exponentialMean.ci95[0] <= theta && theta <= s.exponentialMean.ci95[1]) expCover++;
      if (s.median.ci95[0] <= median && median <= s.median.ci95[1]) medCover++;
      if (s.quantiles[4].ci95[0] <= q95 && q95 <= s.quantiles[4].ci95[1]) q95Cover++;
    }
    // t-interval on skewed data: slight undercoverage expected (~0.945 at n = 300)
    expectRate(tCover, reps, 0.95);
    expectRate(expCover, reps, 0.95); // exact pivot
    // order-statistic intervals are conservative: coverage ≥ 0.95 (exact coverage from the ranks)
    const cov = exitTimeStats(expSample(new Rng(1, 0), 300, theta), {
      horizon: 1e9,
      lr: 0.1,
      exponentiality: false,
    });
    expectRate(medCover, reps, cov.median.coverage);
    expectRate(q95Cover, reps, cov.quantiles[4].coverage);
  });

  it("censored at h = θ: restricted mean interval and the censored exponential interval", () => {
    const h = theta;
    const restricted = theta * (1 - Math.exp(-h / theta)); // E[min(τ, h)]
    let rCover = 0;
    let expCover = 0;
    let flagged = 0;
    for (let r = 0; r < reps; r++) {
      const s = exitTimeStats(censor(expSample(new Rng(5000 + r, 0), 300, theta), h), {
        horizon: h,
        lr: 0.1,
        exponentiality: false,
      });
      if (s.mean.lowerBound && s.censored) flagged++;
      if (s.mean.ci95[0] <= restricted && restricted <= s.mean.ci95[1]) rCover++;
      if (s.exponentialMean.ci95[0] <= theta && theta <= s.exponentialMean.ci95[1]) expCover++;
      // the restricted mean is below the true mean
      expect(s.mean.time).toBeLessThan(theta);
    }
    expect(flagged).toBe(reps);
    expectRate(rCover, reps, 0.95);
    // time-censored chi-square interval is (slightly) conservative: coverage in [0.95, 0.97]
    const [lo, hi] = wilsonInterval(expCover, reps, 0.999);
    expect(hi).toBeGreaterThanOrEqual(0.95);
    expect(lo).toBeLessThanOrEqual(0.975);
  });
});
