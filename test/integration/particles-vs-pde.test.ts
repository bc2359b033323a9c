import { describe, expect, it } from "vitest";
import { exitTimeStats } from "../../src/analysis/index.js";
import { simulate } from "../../src/dynamics/simulate.js";
import { exactExitTimeEstimate, pdeExitTimeEstimate } from "../../src/pde/index.js";
import { compileRegion, problemFromSpec } from "../../src/problem/index.js";

/**
 * Cross-checks of independent methods on problems that are not in the reference tables: particle Monte
 * Carlo of the SDE (Euler–Maruyama with the bridge correction) against the exact 1-D quadrature with
 * state-dependent noise, and against the grid generator in 2-D with anisotropic state-dependent noise.
 * Tolerance: the 99.9% Monte Carlo interval + 1.5% for the O(dt) time-step bias + the grid's own error
 * estimate.
 */
function mcMean(
  p: ReturnType<typeof problemFromSpec>,
  from: number[],
  to: string,
  dt: number,
  M: number,
  horizon: number,
) {
  const r = simulate(p, {
    dynamics: "sde",
    particles: M,
    steps: Math.ceil(horizon / dt),
    dt,
    seed: 21,
    init: { kind: "point", point: from },
    target: to,
  });
  const s = exitTimeStats(r.exitTime, { horizon, lr: p.lr, exponentiality: false });
  expect(s.censored).toBe(false);
  return { mean: s.mean.time, hw: (s.mean.ci95[1] - s.mean.ci95[0]) / 2 };
}

describe("particles vs exact 1-D formula, state-dependent noise", () => {
  it("tilted double well with Σ(x) = 0.5 + 0.5x²", () => {
    const p = problemFromSpec({
      name: "tilted",
      loss: "x^4/4 - x^2/2 + 0.1*x",
      noise: { diagonal: ["0.5 + 0.5*x^2"] },
      lr: 0.4,
      batch: 1,
      domain: [[-3, 3]],
    });
    const to = "x > 0.2";
    const ex = exactExitTimeEstimate(p, [-1], compileRegion(to, p.varNames));
    expect(ex.infinite).toBe(false);
    const exact = ex.time as number;
    const mc = mcMean(p, [-1], to, p.lr / 20, 3000, 40 * exact);
    expect(Math.abs(mc.mean - exact)).toBeLessThan((3.29 / 1.96) * mc.hw + 0.015 * exact);
  });
});

describe("particles vs the grid generator in 2-D, anisotropic state-dependent noise", () => {
  it("escape from the left well of (x²−1)²/4 + y²/2 + 0.3xy", () => {
    const p = problemFromSpec({
      name: "aniso",
      loss: "(x^2-1)^2/4 + y^2/2 + 0.3*x*y",
      noise: {
        matrix: [
          ["1 + 0.5*y^2", "0.4"],
          ["0.4", "0.6"],
        ],
      },
      lr: 0.4,
      batch: 1,
      domain: [
        [-2.5, 2.5],
        [-2.5, 2.5],
      ],
    });
    const to = "x > 0";
    const pde = pdeExitTimeEstimate(p, [-1, 0.3], to, { grid: 81 });
    expect(pde.infinite).toBe(false);
    const t = pde.time as number;
    const mc = mcMean(p, [-1, 0.3], to, p.lr / 10, 2000, 40 * t);
    expect(Math.abs(mc.mean - t)).toBeLessThan((3.29 / 1.96) * mc.hw + 0.015 * t + (pde.error_estimate ?? 0));
  });
});
