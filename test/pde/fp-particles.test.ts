import { describe, expect, it } from "vitest";
import { fokkerPlanck, initialDistribution } from "../../src/pde/fokker-planck.js";
import { buildGenerator } from "../../src/pde/generator.js";
import { makeGrid } from "../../src/pde/grid.js";
import { Rng } from "../../src/random/rng.js";
import { makeProblem, noiseFrom, region } from "./fixtures.js";

/**
 * Fokker–Planck on the grid vs Euler–Maruyama particles for state-dependent, correlated 2-D noise
 * Σ = GGᵀ, G = [[1, 0], [0.8 tanh x, 0.6]] on L = (x²−1)²/4 + y²/2 (η = 0.2): mean, variance of x and
 * the mass in {x > 0} at t = 1.5.
 */
describe("Fokker–Planck vs particles, state-dependent anisotropic 2-D noise", () => {
  it("moments and region mass agree within the Monte Carlo CI plus grid error", () => {
    const eta = 0.2;
    const p = makeProblem({
      loss: "(x^2-1)^2/4 + y^2/2",
      dim: 2,
      noise: noiseFrom(2, (x, o) => {
        const t = Math.tanh(x[0]);
        o[0] = 1;
        o[1] = 0.8 * t;
        o[2] = 0.8 * t;
        o[3] = 0.64 * t * t + 0.36;
      }),
      lr: eta,
      domain: [
        [-2.5, 2.5],
        [-2, 2],
      ],
    });
    const T = 1.5;
    const run = (n: number) => {
      const g = makeGrid(p.domain, [n, Math.round(((n - 1) * 4) / 5) + 1]);
      const gen = buildGenerator(p, g);
      const p0 = initialDistribution(g, { kind: "gaussian", mean: [-0.6, 0], cov: [0.01, 0, 0, 0.01] });
      return fokkerPlanck(gen, p0, [T], { regions: [{ name: "right", fn: region("x > 0", 2) }] })
        .snapshots[0];
    };
    const a = run(51);
    const b = run(101);
    // particles
    const rng = new Rng(7);
    const M = 20000;
    const dt = 2e-3;
    const sq = Math.sqrt(eta * dt);
    let s1 = 0;
    let s2 = 0;
    let sy = 0;
    let right = 0;
    for (let k = 0; k < M; k++) {
      rng.reseed(7, k);
      let x = -0.6 + 0.1 * rng.normal();
      let y = 0.1 * rng.normal();
      for (let t = 0; t < T / dt - 1e-9; t++) {
        const th = Math.tanh(x);
        const w1 = rng.normal() * sq;
        const w2 = rng.normal() * sq;
        const gx = x * x * x - x;
        const nx = x - gx * dt + w1;
        y = y - y * dt + 0.8 * th * w1 + 0.6 * w2;
        x = nx;
      }
      s1 += x;
      s2 += x * x;
      sy += y;
      if (x > 0) right++;
    }
    const mx = s1 / M;
    const vx = s2 / M - mx * mx;
    const pr = right / M;
    const seMean = Math.sqrt(vx / M);
    const seVar = vx * Math.sqrt(2 / M) * 1.5; // (non-Gaussian tails: 1.5× the Gaussian value)
    const seP = Math.sqrt((pr * (1 - pr)) / M);
    const grid = (u: number, v: number) => Math.abs(u - v); // refinement difference as grid error
    // Euler–Maruyama bias at dt = 2e-3 is O(dt) ≈ 1e-3 on these quantities
    expect(Math.abs(b.mean[0] - mx)).toBeLessThan(4 * seMean + grid(a.mean[0], b.mean[0]) + 2e-3);
    expect(Math.abs(b.mean[1] - sy / M)).toBeLessThan(
      4 * Math.sqrt(0.2 / M) + grid(a.mean[1], b.mean[1]) + 2e-3,
    );
    expect(Math.abs(b.cov[0] - vx)).toBeLessThan(4 * seVar + grid(a.cov[0], b.cov[0]) + 2e-3);
    expect(Math.abs(b.regionMass.right - pr)).toBeLessThan(
      4 * seP + grid(a.regionMass.right, b.regionMass.right) + 2e-3,
    );
    expect(Math.abs(b.mass - 1)).toBeLessThan(1e-12);
    expect(b.minValue).toBeGreaterThanOrEqual(0);
  });
});
