import { describe, expect, it } from "vitest";
import { simulate } from "../../src/dynamics/simulate.js";
import { findMinima } from "../../src/landscape/critical-points.js";
import { basinCovariance, driftRegime, massByBasin } from "../../src/landscape/drift-regime.js";
import { ouCovariance } from "../../src/landscape/ou.js";
import { problemFromSpec } from "../../src/problem/index.js";
import { Rng } from "../../src/random/rng.js";
import { doubleWell1d, isotropic, makeProblem } from "./fixtures.js";

describe("drift regime", () => {
  it("1-D double well: mass split and (1−δ)-quantile entry times match the closed-form flow", () => {
    // ẋ = x − x³ has x(t)² = 1/(1 + (1/x0² − 1) e^{−2t}); |x(t)| reaches 1 − r at
    // t = ½ ln((1/x0² − 1)/(1/(1−r)² − 1)) for 0 < |x0| < 1 − r (and symmetric above 1 + r).
    const p = makeProblem(doubleWell1d, { noise: isotropic(1, 1), lr: 0.05, domain: [[-2, 2]] });
    const mins = findMinima(p, { seed: 1, starts: 10 }).minima;
    const rng = new Rng(5);
    const n = 400;
    const xs = new Float64Array(n);
    for (let i = 0; i < n; i++) xs[i] = -0.6 + 1.4 * rng.uniform(); // in (−0.6, 0.8): inside |x| < 1 − r
    const r = 0.05;
    const delta = 0.1;
    const res = driftRegime(p, xs, mins, { radius: r, fraction: delta });
    const tExact = (x0: number) => 0.5 * Math.log((1 / (x0 * x0) - 1) / (1 / (1 - r) ** 2 - 1));
    for (const b of res.basins) {
      const sign = Math.sign(mins[b.minimum].x[0]);
      const mine = Array.from(xs).filter((x) => Math.sign(x) === sign);
      expect(b.count).toBe(mine.length);
      expect(b.mass).toBeCloseTo(mine.length / n, 12);
      const times = mine.map(tExact).sort((a, c) => a - c);
      const q = times[Math.ceil((1 - delta) * times.length) - 1];
      // RK3(2) with rtol 1e-6: relative error ≪ 1e-3
      expect(Math.abs(b.time / q - 1)).toBeLessThan(1e-3);
      expect(b.iterations).toBeCloseTo(b.time / 0.05, 6);
      // OU spread: ε/L''(±1) with A = ησ² → S = ησ²/(2·2)
      expect(b.spread).toBeCloseTo(Math.sqrt(0.05 / 4), 12);
      expect(b.radiusBelowSpread).toBe(true);
    }
    // every per-sample entry time matches the closed form
    for (let i = 0; i < n; i += 37) expect(res.entryTimes[i]).toBeCloseTo(tExact(xs[i]), 3);
    expect(res.unlabelled).toBe(0);
  });
});

describe("drift regime vs particles and PDE", () => {
  it("OU prediction (discrete Lyapunov) vs SGD particles on a rotated quadratic with anisotropic noise", () => {
    // L = x² + xy + y² (H = [[2,1],[1,2]]), Σ = [[1, 0.3], [0.3, 0.5]], η = 0.1, B = 1: the SGD chain is
    // linear-Gaussian, so its stationary covariance is exactly S = (I−ηH)S(I−ηH)ᵀ + η²Σ.
    const p = problemFromSpec({
      name: "quad",
      loss: "x^2 + x*y + y^2",
      noise: {
        matrix: [
          ["1", "0.3"],
          ["0.3", "0.5"],
        ],
      },
      lr: 0.1,
      batch: 1,
      domain: [
        [-2, 2],
        [-2, 2],
      ],
    });
    const ou = ouCovariance(p, [0, 0]);
    const S = ou.sgd.covariance;
    const n = 4000;
    // 150 steps: the transient decays like 0.9^{2k} < 1e-13
    const sim = simulate(p, {
      dynamics: "sgd",
      particles: n,
      steps: 150,
      seed: 3,
      init: { kind: "point", point: [0, 0] },
    });
    const xs = new Float64Array(2 * n);
    for (let j = 0; j < n; j++) {
      xs[2 * j] = sim.final[j];
      xs[2 * j + 1] = sim.final[n + j];
    }
    const c = basinCovariance(xs, 2, new Int32Array(n), 0);
    // standard errors of sample (co)variances of a Gaussian: √((S_aa S_bb + S_ab²)/(n−1)); 4 SE
    for (const [a, b] of [
      [0, 0],
      [0, 1],
      [1, 1],
    ]) {
      const se = Math.sqrt((S[a * 3] * S[b * 3] + S[a * 2 + b] ** 2) / (n - 1));
      expect(Math.abs(c.covariance[a * 2 + b] - S[a * 2 + b])).toBeLessThan(4 * se);
    }
    // and the SDE answer differs from SGD by O(ηλ): here visibly (λ_max = 3, η = 0.1)
    expect(Math.abs(ou.sde.trace / ou.sgd.trace - 1)).toBeGreaterThan(0.05);
  });

  it("massByBasin of a nodal law on the basin grid", () => {
    const labels = Int32Array.from([0, 0, 1, -1, 1]);
    const probs = [0.1, 0.2, 0.3, 0.15, 0.25];
    expect(massByBasin(labels, probs, 2).map((v) => Number(v.toFixed(12)))).toEqual([0.3, 0.55, 0.15]);
  });
});
