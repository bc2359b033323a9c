import { describe, expect, it } from "vitest";
import { exitTimeStats } from "../../src/analysis/exit-stats.js";
import { exponentialityTest, ksExponentialStatistic } from "../../src/analysis/exponentiality.js";
import { quantileRankInterval, wilsonInterval } from "../../src/analysis/intervals.js";
import { Rng } from "../../src/random/rng.js";

function sortedExp(rng: Rng, n: number, mean: number): Float64Array {
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = mean * rng.exponential();
  return x.sort();
}

/** Asserts `p` lies in the 99.9% Wilson interval of k out of n. */
function expectRate(k: number, n: number, p: number): void {
  const [lo, hi] = wilsonInterval(k, n, 0.999);
  expect(p).toBeGreaterThanOrEqual(lo);
  expect(p).toBeLessThanOrEqual(hi);
}

describe("Lilliefors KS test of exponentiality", () => {
  it("statistic equals SciPy's KS distance to the fitted exponential", () => {
    // SciPy 1.17.1: x = [0.3,1.7,0.2,2.9,0.8,4.1,0.05,1.1,0.6,2.2,0.4,3.3];
    //   stats.kstest(x, 'expon', args=(0, x.mean())).statistic = 0.11077603563461758
    const x = Float64Array.from([0.3, 1.7, 0.2, 2.9, 0.8, 4.1, 0.05, 1.1, 0.6, 2.2, 0.4, 3.3]).sort();
    const mean = x.reduce((a, b) => a + b, 0) / x.length;
    expect(ksExponentialStatistic(x, x.length, x.length, mean)).toBeCloseTo(0.11077603563461758, 14);
    const t = exponentialityTest(x, x.length, x.length, Number.POSITIVE_INFINITY);
    expect(t.statistic).toBeCloseTo(0.11077603563461758, 14);
    expect(t.pValue).toBeGreaterThan(0.1);
  });

  it("bootstrap critical value agrees with Stephens' (1974) table for the exponential, mean estimated", () => {
    // Stephens (1974) / Davis & Stephens AS 248: (D − 0.2/n)(√n + 0.26 + 0.5/√n) has 5% point 1.094.
    // We bootstrap the null law of D at n = 100 and take its 95% quantile with a distribution-free CI;
    // Stephens' approximation is good to about 1%, so the CI widened by 1% must contain 1.094.
    const n = 100;
    const b = 4000;
    const x = sortedExp(new Rng(3, 0), n, 1);
    const t = exponentialityTest(x, n, n, Number.POSITIVE_INFINITY, { bootstrap: b, seed: 11 });
    expect(t.bootstrap).toBe(b);
    const modify = (d: number) => (d - 0.2 / n) * (Math.sqrt(n) + 0.26 + 0.5 / Math.sqrt(n));
    // reproduce the replicates' spread: the critical value's own rank interval
    const ranks = quantileRankInterval(b, 0.95);
    const halfWidthRanks = (ranks.upper - ranks.lower) / 2;
    // the density of D near its 95% point: ≈ 0.05 / (d95 − d90); use a second run to get d90
    const t90 = exponentialityTest(x, n, n, Number.POSITIVE_INFINITY, { bootstrap: b, seed: 11, alpha: 0.1 });
    const se = (halfWidthRanks / b) * ((t.criticalValue - t90.criticalValue) / 0.05);
    const c = modify(t.criticalValue);
    const tol = modify(t.criticalValue + se) - c + 0.011 * 1.094;
    expect(Math.abs(c - 1.094)).toBeLessThan(tol);
    // and the 10% point against Stephens' 0.995
    expect(Math.abs(modify(t90.criticalValue) - 0.995)).toBeLessThan(tol);
  });

  it("is calibrated: rejects ~5% of exponential samples over many seeds (uncensored)", () => {
    const reps = 500;
    let rejected = 0;
    for (let r = 0; r < reps; r++) {
      const x = sortedExp(new Rng(20000 + r, 0), 60, 2.5);
      const t = exponentialityTest(x, 60, 60, Number.POSITIVE_INFINITY, { bootstrap: 199, seed: r });
      if (t.rejected) rejected++;
    }
    expectRate(rejected, reps, 0.05);
  });

  it("is calibrated with censoring (h = mean, ~37% censored)", () => {
    const reps = 400;
    let rejected = 0;
    const n = 80;
    for (let r = 0; r < reps; r++) {
      const x = sortedExp(new Rng(40000 + r, 0), n, 1.5);
      let exited = 0;
      while (exited < n && x[exited] <= 1.5) exited++;
      const t = exponentialityTest(x, exited, n, 1.5, { bootstrap: 199, seed: r });
      expect(t.censored).toBe(true);
      if (t.rejected) rejected++;
    }
    expectRate(rejected, reps, 0.05);
  });

  it("stays calibrated when replicates are smaller than the sample (Stephens' scale)", () => {
    // n = 2000 data, bootstrap samples of 400: the p-value relies on the n-free modified statistic
    const reps = 300;
    let rejected = 0;
    let rejectedCensored = 0;
    for (let r = 0; r < reps; r++) {
      const x = sortedExp(new Rng(80000 + r, 0), 2000, 1);
      const opts = { bootstrap: 199, seed: r, maxSampleSize: 400 };
      const t = exponentialityTest(x, 2000, 2000, Number.POSITIVE_INFINITY, opts);
      expect(t.bootstrapSampleSize).toBe(400);
      if (t.rejected) rejected++;
      let k = 0;
      while (x[k] <= 0.7) k++;
      if (exponentialityTest(x, k, 2000, 0.7, opts).rejected) rejectedCensored++;
    }
    expectRate(rejected, reps, 0.05);
    expectRate(rejectedCensored, reps, 0.05);
  });

  it("rejects clearly non-exponential samples", () => {
    const rng = new Rng(99, 0);
    const n = 200;
    // uniform on (0, 1): CV = 1/√3
    const u = new Float64Array(n);
    for (let i = 0; i < n; i++) u[i] = rng.uniform();
    u.sort();
    const tu = exponentialityTest(u, n, n, Number.POSITIVE_INFINITY);
    expect(tu.rejected).toBe(true);
    expect(tu.pValue).toBeLessThan(0.01);
    expect(tu.cvCi95![0]).toBeLessThan(1 / Math.sqrt(3));
    expect(tu.cvCi95![1]).toBeGreaterThan(1 / Math.sqrt(3));
    expect(tu.cvCi95![1]).toBeLessThan(1);
    expect(tu.verdict).toMatch(/^not exponential/);
    // a deterministic transit plus a short exponential delay (shifted exponential): 1 + Exp(0.3)
    const s = new Float64Array(n);
    for (let i = 0; i < n; i++) s[i] = 1 + 0.3 * rng.exponential();
    s.sort();
    expect(exponentialityTest(s, n, n, Number.POSITIVE_INFINITY).pValue).toBeLessThan(0.01);
    // censored uniform sample, horizon 0.8
    let r = 0;
    while (u[r] <= 0.8) r++;
    const tc = exponentialityTest(u, r, n, 0.8);
    expect(tc.censored).toBe(true);
    expect(tc.pValue).toBeLessThan(0.01);
    expect(tc.cv).toBeNull();
  });

  it("CV interval covers 1 for exponential samples at ~95%", () => {
    const reps = 400;
    let cover = 0;
    for (let r = 0; r < reps; r++) {
      const x = sortedExp(new Rng(60000 + r, 0), 400, 1);
      const t = exponentialityTest(x, 400, 400, Number.POSITIVE_INFINITY, { bootstrap: 99 });
      if (t.cvCi95![0] <= 1 && 1 <= t.cvCi95![1]) cover++;
    }
    // delta method with estimated 4th moment: allow coverage down to 0.92
    const [lo, hi] = wilsonInterval(cover, reps, 0.999);
    expect(hi).toBeGreaterThanOrEqual(0.92);
    expect(lo).toBeLessThanOrEqual(0.95);
  });

  it("is wired into exitTimeStats, deterministic in the seed, and handles few exits", () => {
    const rng = new Rng(5, 0);
    const x = new Float64Array(300);
    for (let i = 0; i < 300; i++) x[i] = 4 * rng.exponential();
    const a = exitTimeStats(x, { horizon: 1e6, lr: 0.2 });
    const b = exitTimeStats(x, { horizon: 1e6, lr: 0.2 });
    expect(a.exponentiality!.pValue).toBe(b.exponentiality!.pValue);
    expect(a.exponentiality!.verdict).toMatch(/^consistent with an exponential/);
    const few = exitTimeStats(Float64Array.from([1, 2, Number.POSITIVE_INFINITY]), { horizon: 3, lr: 1 });
    expect(few.exponentiality!.verdict).toMatch(/too few exits/);
    expect(Number.isNaN(few.exponentiality!.pValue)).toBe(true);
  });
});
