import { describe, expect, it } from "vitest";
import { exitTime } from "../../src/pde/exit-time.js";
import { buildGenerator, checkGenerator } from "../../src/pde/generator.js";
import { interpolate, makeGrid } from "../../src/pde/grid.js";
import { isotropic, makeProblem, region } from "./fixtures.js";

describe("pure diffusion in the unit disc: T(r) = (R² − r²)/(4D)", () => {
  // D = 1 ⇔ A = 2I: σ² = 1, lr = 2, B = 1.
  const p = makeProblem({
    loss: "0*x + 0*y",
    dim: 2,
    noise: isotropic(2, 1),
    lr: 2,
    domain: [
      [-1.2, 1.2],
      [-1.2, 1.2],
    ],
  });
  const target = region("x^2 + y^2 >= 1", 2);
  function solve(n: number) {
    const g = makeGrid(p.domain, n);
    const gen = buildGenerator(p, g, { absorbing: target });
    const r = exitTime(gen);
    return { g, gen, r, T0: interpolate(g, r.u, [0, 0]), T5: interpolate(g, r.u, [0.3, 0.4]) };
  }
  it("second-order convergence with cut cells", () => {
    const a = solve(61);
    const b = solve(121);
    const ea = Math.abs(a.T0 - 0.25);
    const eb = Math.abs(b.T0 - 0.25);
    expect(eb).toBeLessThan(2e-4 * 0.25 * 10);
    // observed order ≥ 1.5 (stated 2; cut-cell boundary makes the error slightly irregular)
    expect(Math.log2(ea / eb)).toBeGreaterThan(1.5);
    expect(Math.abs(b.T5 - (1 - 0.25) / 4)).toBeLessThan(2e-3);
    const chk = checkGenerator(b.gen.Q);
    expect(chk.minOffDiagonal).toBeGreaterThanOrEqual(0);
    expect(b.r.solve.relativeResidual).toBeLessThan(1e-10);
  });
});
