import { describe, expect, it } from "vitest";
import { normalCdf, wilsonInterval } from "../../src/analysis/intervals.js";
import {
  binEdges,
  coordinateViews,
  snapshotStats,
  snapshotStatsOverTime,
} from "../../src/analysis/moments.js";
import { UserError } from "../../src/errors.js";
import { Rng } from "../../src/random/rng.js";

/** M samples of N(mu, C) in 2-D by Cholesky, SoA. */
function gaussian2(
  seed: number,
  m: number,
  mu: [number, number],
  c: [number, number, number],
): Float64Array[] {
  const [c11, c12, c22] = c;
  const l11 = Math.sqrt(c11);
  const l21 = c12 / l11;
  const l22 = Math.sqrt(c22 - l21 * l21);
  const rng = new Rng(seed, 0);
  const x = new Float64Array(m);
  const y = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const z1 = rng.normal();
    const z2 = rng.normal();
    x[i] = mu[0] + l11 * z1;
    y[i] = mu[1] + l21 * z1 + l22 * z2;
  }
  return [x, y];
}

const MU: [number, number] = [1, -2];
const C: [number, number, number] = [2, 0.6, 0.5];
const M = 20000;
const Z = 4.5; // ~1e-5 two-sided false-failure probability per check

describe("snapshotStats", () => {
  it("exact on a small hand-made snapshot, NaN/Inf particles excluded and counted", () => {
    const xs = [
      Float64Array.from([0, 1, 2, Number.NaN, 4]),
      Float64Array.from([1, 3, 2, 0, Number.POSITIVE_INFINITY]),
    ];
    const s = snapshotStats(xs);
    expect(s.particles).toBe(5);
    expect(s.valid).toBe(3);
    expect(s.diverged).toBe(2);
    // points (0,1), (1,3), (2,2): mean (1, 2); cov: var x = 1, var y = 1, cov = (−1·−1 + 0 + 1·0)/2 = 0.5
    expect(Array.from(s.mean)).toEqual([1, 2]);
    expect(Array.from(s.cov)).toEqual([1, 0.5, 0.5, 1]);
    // t-interval: 1 ± t_{0.975,2}·1/√3, t_{0.975,2} = 4.302652729749462 (SciPy)
    expect(s.meanHi[0]).toBeCloseTo(1 + 4.302652729749462 / Math.sqrt(3), 12);
  });

  it("mean and covariance of a correlated Gaussian within their sampling error", () => {
    const s = snapshotStats(gaussian2(1, M, MU, C));
    const cm = [C[0], C[1], C[1], C[2]];
    for (let k = 0; k < 2; k++) {
      expect(Math.abs(s.mean[k] - MU[k])).toBeLessThan(Z * Math.sqrt(cm[3 * k] / M));
      expect(s.meanLo[k]).toBeLessThan(s.mean[k]);
      expect(s.meanHi[k] - s.mean[k]).toBeCloseTo(1.96 * Math.sqrt(s.cov[3 * k] / M), 4);
    }
    for (let a = 0; a < 2; a++) {
      for (let b = 0; b < 2; b++) {
        // Var(S_ab) = (σ_aa σ_bb + σ_ab²)/(M − 1) for Gaussian data
        const se = Math.sqrt((cm[3 * a] * cm[3 * b] + cm[2 * a + b] ** 2) / (M - 1));
        expect(Math.abs(s.cov[2 * a + b] - cm[2 * a + b])).toBeLessThan(Z * se);
      }
    }
  });

  it("1-D histograms: counts match normal bin probabilities; uniform and explicit edges agree", () => {
    const xs = gaussian2(2, M, MU, C);
    const sx = Math.sqrt(C[0]);
    const s = snapshotStats(xs, { bins: [{ lo: -2, hi: 4, bins: 12 }, null] });
    expect(s.histograms.length).toBe(1);
    const h = s.histograms[0];
    expect(h.dim).toBe(0);
    let inRange = 0;
    for (let j = 0; j < 12; j++) {
      const p = normalCdf((h.edges[j + 1] - MU[0]) / sx) - normalCdf((h.edges[j] - MU[0]) / sx);
      expect(Math.abs(h.counts[j] - M * p)).toBeLessThan(Z * Math.sqrt(M * p * (1 - p)) + 1);
      inRange += h.counts[j];
    }
    expect(inRange + h.underflow + h.overflow).toBe(M);
    let mass = 0;
    for (let j = 0; j < 12; j++) mass += h.density[j] * (h.edges[j + 1] - h.edges[j]);
    expect(mass).toBeCloseTo(inRange / M, 12);
    const pUnder = normalCdf((-2 - MU[0]) / sx);
    expect(Math.abs(h.underflow - M * pUnder)).toBeLessThan(Z * Math.sqrt(M * pUnder) + 1);
    const e = snapshotStats(xs, { bins: [{ edges: binEdges({ lo: -2, hi: 4, bins: 12 }) }] });
    expect(Array.from(e.histograms[0].counts)).toEqual(Array.from(h.counts));
  });

  it("bin boundaries: left-closed bins, last bin closed, out-of-range counted", () => {
    const xs = [Float64Array.from([0, 0.5, 1, 1.5, 2, -0.1, 2.1, 0.1 + 0.2])];
    const s = snapshotStats(xs, { bins: [{ lo: 0, hi: 2, bins: 4 }] });
    expect(Array.from(s.histograms[0].counts)).toEqual([2, 1, 1, 2]);
    expect(s.histograms[0].underflow).toBe(1);
    expect(s.histograms[0].overflow).toBe(1);
    const t = snapshotStats(xs, { bins: [{ edges: [0, 0.3, 2] }] });
    // 0.1 + 0.2 = 0.30000000000000004 ≥ 0.3 goes to the second bin
    expect(Array.from(t.histograms[0].counts)).toEqual([1, 5]);
  });

  it("2-D joint histogram: orthant probability of the bivariate normal, marginals consistent", () => {
    const xs = gaussian2(3, M, MU, C);
    const s = snapshotStats(xs, {
      bins: [{ lo: -20, hi: 20, bins: 2 }],
      joint: { x: { edges: [-20, MU[0], 20] }, y: { edges: [-20, MU[1], 20] } },
    });
    const j = s.joint!;
    expect(j.outside).toBe(0);
    // P(X > μx, Y > μy) = 1/4 + arcsin(ρ)/(2π)
    const rho = C[1] / Math.sqrt(C[0] * C[2]);
    const p = 0.25 + Math.asin(rho) / (2 * Math.PI);
    expect(Math.abs(j.counts[3] - M * p)).toBeLessThan(Z * Math.sqrt(M * p * (1 - p)));
    expect(Math.abs(j.counts[0] - M * p)).toBeLessThan(Z * Math.sqrt(M * p * (1 - p)));
    // marginal in x of the joint equals the x histogram with the same edges
    const hx = snapshotStats(xs, { bins: [{ edges: [-20, MU[0], 20] }] }).histograms[0];
    expect(j.counts[0] + j.counts[1]).toBe(hx.counts[0]);
    expect(j.counts[2] + j.counts[3]).toBe(hx.counts[1]);
    expect(j.density[3]).toBeCloseTo(j.counts[3] / (M * (20 - MU[0]) * (20 - MU[1])), 14);
  });

  it("region mass: matches the normal tail, and the Wilson interval covers at ~95% over seeds", () => {
    const sx = Math.sqrt(C[0]);
    const p = 1 - normalCdf(1); // P(X > μ + σ)
    const region = { name: "x > mu + sd", test: (x: Float64Array) => x[0] > MU[0] + sx };
    const s = snapshotStats(gaussian2(4, M, MU, C), { regions: [region] });
    const r = s.regions[0];
    expect(r.name).toBe("x > mu + sd");
    expect(Math.abs(r.fraction - p)).toBeLessThan(Z * Math.sqrt((p * (1 - p)) / M));
    expect(r.ci95).toEqual(wilsonInterval(r.count, M));
    const reps = 400;
    let cover = 0;
    for (let k = 0; k < reps; k++) {
      const q = snapshotStats(gaussian2(100 + k, 150, MU, C), { regions: [region] }).regions[0];
      if (q.ci95[0] <= p && p <= q.ci95[1]) cover++;
    }
    const [lo, hi] = wilsonInterval(cover, reps, 0.999);
    // Wilson coverage at n = 150, p = 0.16 is close to nominal (within ~1.5%)
    expect(lo).toBeLessThanOrEqual(0.95 + 0.015);
    expect(hi).toBeGreaterThanOrEqual(0.95 - 0.015);
  });

  it("over time: echoes SDE time and iterations", () => {
    const snaps = [
      { time: 0, xs: [Float64Array.from([0, 1])] },
      { time: 1.5, xs: [Float64Array.from([2, 4])] },
    ];
    const out = snapshotStatsOverTime(snaps, { lr: 0.5 });
    expect(out.map((o) => o.time)).toEqual([0, 1.5]);
    expect(out.map((o) => o.iterations)).toEqual([0, 3]);
    expect(out[1].mean[0]).toBe(3);
  });

  it("coordinateViews reads the coordinate-major snapshot layout without copying", () => {
    // 2 snapshots, d = 2, m = 3: value(s, i, j) = 100 s + 10 i + j
    const flat = new Float64Array(12);
    for (let s = 0; s < 2; s++)
      for (let i = 0; i < 2; i++)
        for (let j = 0; j < 3; j++) flat[(s * 2 + i) * 3 + j] = 100 * s + 10 * i + j;
    const v = coordinateViews(flat, 2, 3, 1);
    expect(Array.from(v[0])).toEqual([100, 101, 102]);
    expect(Array.from(v[1])).toEqual([110, 111, 112]);
    expect(v[1].buffer).toBe(flat.buffer);
    expect(() => coordinateViews(flat, 2, 3, 2)).toThrow(UserError);
  });

  it("bad input raises UserError", () => {
    expect(() => snapshotStats([new Float64Array(3), new Float64Array(2)])).toThrow(UserError);
    expect(() => snapshotStats([new Float64Array(3)], { bins: [{ lo: 1, hi: 0, bins: 3 }] })).toThrow(
      UserError,
    );
    expect(() => snapshotStats([new Float64Array(3)], { bins: [{ edges: [0, 0, 1] }] })).toThrow(UserError);
    expect(() =>
      snapshotStats([new Float64Array(3)], {
        joint: { x: { lo: 0, hi: 1, bins: 2 }, y: { lo: 0, hi: 1, bins: 2 } },
      }),
    ).toThrow(UserError);
    expect(() => snapshotStats([])).toThrow(UserError);
  });
});
