import { describe, expect, it } from "vitest";
import { exactExitTimeEstimate } from "../../src/pde/exact-1d.js";
import { exitTime } from "../../src/pde/exit-time.js";
import { buildGenerator } from "../../src/pde/generator.js";
import { interpolate, makeGrid } from "../../src/pde/grid.js";
import { isotropic, makeProblem, region } from "./fixtures.js";

describe("small noise: exit times of 1e8 and beyond", () => {
  it("1-D double well at ε = 0.014 (T ≈ 2.6e8): birth–death solve matches the exact formula", () => {
    const eps = 0.014;
    const p = makeProblem({
      loss: "x^4/4 - x^2/2",
      dim: 1,
      noise: isotropic(1, 1),
      lr: 2 * eps,
      domain: [[-2, 2]],
    });
    const exact = exactExitTimeEstimate(p, [-1], region("x > 0", 1), { cells: 40000 });
    expect(exact.time!).toBeGreaterThan(1e8);
    const g = makeGrid(p.domain, 2001);
    const r = exitTime(buildGenerator(p, g, { absorbing: region("x > 0", 1) }));
    // ≤ 1e-10, or at the double-precision rounding floor (no stored u can do better at T ~ 1e8)
    expect(r.solve.relativeResidual <= 1e-10 || r.solve.limitedByRounding === true).toBe(true);
    expect(Math.abs(interpolate(g, r.u, [-1]) / exact.time! - 1)).toBeLessThan(5e-3);
  });
  it("2-D separable double well at ε = 0.025 (T ≈ 5e4): sparse solve matches the 1-D reference", () => {
    const eps = 0.025;
    const p = makeProblem({
      loss: "(x^2-1)^2/4 + y^2/2",
      dim: 2,
      noise: isotropic(2, 1),
      lr: 2 * eps,
      domain: [
        [-2, 2],
        [-1, 1],
      ],
    });
    const g = makeGrid(p.domain, [201, 51]);
    const r = exitTime(buildGenerator(p, g, { absorbing: region("x > 0", 2) }));
    expect(r.solve.relativeResidual <= 1e-10 || r.solve.limitedByRounding === true).toBe(true);
    // double-well-met.json, eps = 0.025, to_saddle_x_gt_0
    expect(Math.abs(interpolate(g, r.u, [-1, 0]) / 51050.7 - 1)).toBeLessThan(1e-2);
  });
});
