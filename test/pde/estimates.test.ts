import { describe, expect, it } from "vitest";
import {
  buildGenerator,
  exactExitTimeEstimate,
  makeGrid,
  pdeExitTimeEstimate,
  stationary,
} from "../../src/pde/index.js";
import { problemFromSpec } from "../../src/problem/index.js";
import { loadReference } from "../reference.js";

const ref = loadReference("double-well-met.json");

describe("CLI estimates on problems built from specs", () => {
  it("double well (spec) at two noise levels, both targets: pde and exact within 0.5%", () => {
    for (const row of ref.rows.filter((r: { eps: number }) => r.eps === 0.1 || r.eps === 0.05)) {
      const p = problemFromSpec({
        name: "dw",
        loss: "x^4/4 - x^2/2",
        noise: { isotropic: 1 },
        lr: 2 * row.eps,
        batch: 1,
        domain: [[-3, 3]],
      });
      for (const [to, want] of [
        ["x > 0", row.to_saddle_x_gt_0],
        ["x >= 1", row.to_other_min_x_ge_1],
      ]) {
        const e = pdeExitTimeEstimate(p, [-1], to, { grid: 1001 });
        expect(e.method).toBe("pde");
        expect(Math.abs(e.time! / want - 1)).toBeLessThan(5e-3);
        // the error estimate bounds the true error
        expect(Math.abs(e.time! - want)).toBeLessThan(e.error_estimate! + 1e-4 * want);
        expect(e.iterations).toBeCloseTo(e.time! / p.lr, 6);
        const x = exactExitTimeEstimate(p, [-1], to, { cells: 20000 });
        expect(x.infinite).toBe(false);
        expect(Math.abs(x.time! / want - 1)).toBeLessThan(2e-4);
      }
    }
  });
  it("noise vanishing at a minimum (Σ ∝ L): infinite exit time, point-mass limit", () => {
    // L = x²/2 + x⁴/4 ... Σ = L vanishes at the interpolating minimum x* = 0
    const p = problemFromSpec({
      name: "interp",
      loss: "x^2/2",
      noise: { loss: 2 },
      lr: 0.5,
      batch: 1,
      domain: [[-2, 2.1]],
    });
    const e = pdeExitTimeEstimate(p, [1], "x < -1", { grid: 200 });
    expect(e.infinite).toBe(true);
    expect(e.time).toBeNull();
    expect(e.reason).toMatch(/vanishes/);
    const x = exactExitTimeEstimate(p, [1], "x < -1");
    expect(x.infinite).toBe(true);
    expect(x.time).toBeNull();
    expect(x.reason).toMatch(/A vanishes at x = /);
    // same side as the start: the minimum is not on the way to x > 1.5 ... but the process started at 1 is
    // attracted to 0 and never comes back: still infinite
    expect(pdeExitTimeEstimate(p, [1], "x > 1.5", { grid: 200 }).infinite).toBe(true);
    const g = makeGrid(p.domain, 200);
    const st = stationary(p, buildGenerator(p, g));
    expect(st.normalisable).toBe(false);
    expect(st.pointMasses.length).toBe(1);
    expect(Math.abs(st.pointMasses[0].x[0])).toBeLessThan(1e-9);
    expect(st.pointMasses[0].fraction).toBeCloseTo(1, 8);
  });
  it("noisy SGD (δ > 0) on the same loss: finite exit time, pde agrees with exact", () => {
    const p = problemFromSpec({
      name: "interp-noisy",
      loss: "x^2/2",
      noise: { loss: 2 },
      lr: 0.5,
      batch: 1,
      delta: 0.2,
      domain: [[-2, 2]],
    });
    const x = exactExitTimeEstimate(p, [0], "x > 1");
    const e = pdeExitTimeEstimate(p, [0], "x > 1", { grid: 801 });
    expect(x.infinite).toBe(false);
    expect(Math.abs(e.time! / x.time! - 1)).toBeLessThan(1e-3);
  });
  it("bad input gives UserError", () => {
    const p = problemFromSpec({
      name: "q",
      loss: "x^2",
      noise: { isotropic: 1 },
      lr: 0.1,
      batch: 1,
      domain: [[-1, 1]],
    });
    expect(() => pdeExitTimeEstimate(p, [5], "x > 0.5")).toThrow(/outside the domain/);
    expect(() => pdeExitTimeEstimate(p, [0, 1], "x > 0.5")).toThrow(/coordinates/);
    expect(() => pdeExitTimeEstimate(p, [0], "x > 7", { grid: 51 })).toThrow(/no grid node/);
  });
});

describe("reasons for infinite exit times", () => {
  it("rank-1 noise that cannot reach the target: unreachable in the jump graph, not a trap", () => {
    // noise only along y, drift −x pulls x to 0: the target x > 1 is never reached from x = 0
    const p = problemFromSpec({
      name: "stuck",
      loss: "x^2/2 + y^2/2",
      noise: { diagonal: [0, 1] },
      lr: 0.5,
      batch: 1,
      domain: [
        [-2, 2],
        [-2, 2],
      ],
    });
    const e = pdeExitTimeEstimate(p, [0, 0], "x > 1", { grid: 41 });
    expect(e.infinite).toBe(true);
    expect(e.reason).toMatch(/unreachable/);
    expect(e.infinite_nodes).toBeGreaterThan(0);
    // the same noise reaches y > 1 in finite time
    expect(pdeExitTimeEstimate(p, [0, 0], "y > 1", { grid: 41 }).infinite).toBe(false);
  });
});

describe("state-dependent noise", () => {
  it("1-D double well with Σ = 0.5 + x²: generator converges at second order to the exact formula", () => {
    const p = problemFromSpec({
      name: "sd",
      loss: "x^4/4 - x^2/2",
      noise: { diagonal: ["0.5 + x^2"] },
      lr: 0.1,
      batch: 1,
      domain: [[-3, 3]],
    });
    const x = exactExitTimeEstimate(p, [-1], "x > 0");
    const errs = [301, 601].map((n) =>
      Math.abs(pdeExitTimeEstimate(p, [-1], "x > 0", { grid: n }).time! / x.time! - 1),
    );
    expect(errs[1]).toBeLessThan(2e-3);
    expect(Math.log2(errs[0] / errs[1])).toBeGreaterThan(1.7);
  });
});

describe("exact formula edge cases", () => {
  it("no noise: deterministic gradient-flow time, or infinite when the flow stops first", () => {
    const p = problemFromSpec({
      name: "gd",
      loss: "x^2/2",
      noise: "none",
      lr: 0.1,
      batch: 1,
      domain: [[-3, 3]],
    });
    // ẋ = −x from 2 to x < 1: t = ln 2
    const e = exactExitTimeEstimate(p, [2], "x < 1");
    expect(e.infinite).toBe(false);
    expect(e.time!).toBeCloseTo(Math.log(2), 6);
    expect(exactExitTimeEstimate(p, [2], "x < -1").infinite).toBe(true);
    // the generator agrees (pure upwind chain: first order)
    const g = pdeExitTimeEstimate(p, [2], "x < 1", { grid: 601 });
    expect(Math.abs(g.time! / Math.log(2) - 1)).toBeLessThan(0.02);
    expect(pdeExitTimeEstimate(p, [2], "x < -1", { grid: 601 }).infinite).toBe(true);
  });
});
