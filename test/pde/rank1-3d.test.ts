import { describe, expect, it } from "vitest";
import { exactExitTimeEstimate } from "../../src/pde/exact-1d.js";
import { exitTime } from "../../src/pde/exit-time.js";
import { buildGenerator, checkGenerator } from "../../src/pde/generator.js";
import { interpolate, makeGrid } from "../../src/pde/grid.js";
import { isotropic, makeProblem, noiseFrom, region } from "./fixtures.js";

describe("rank-1 noise in 3-D along (1,1,1)/√3", () => {
  it("exit time to {x > 0.4} from 0 matches the exact 1-D reduction, converging at order ≈ 1.7", () => {
    // dX = −X dt + √η v dW stays on the line R·v; x > 0.4 ⇔ u > 0.4·√3
    const p = makeProblem({
      loss: "(x^2+y^2+z^2)/2",
      dim: 3,
      noise: noiseFrom(3, (_x, o) => o.fill(1 / 3, 0, 9), true),
      lr: 0.5,
      domain: [
        [-1.5, 1.5],
        [-1.5, 1.5],
        [-1.5, 1.5],
      ],
    });
    const q = makeProblem({ loss: "x^2/2", dim: 1, noise: isotropic(1, 1), lr: 0.5, domain: [[-4, 2]] });
    const exact = exactExitTimeEstimate(q, [0], region(`x > ${0.4 * Math.sqrt(3)}`, 1)).time!;
    const err = (n: number) => {
      const g = makeGrid(p.domain, n);
      const gen = buildGenerator(p, g, { absorbing: region("x > 0.4", 3) });
      expect(checkGenerator(gen.Q).minOffDiagonal).toBeGreaterThanOrEqual(0);
      return Math.abs(interpolate(g, exitTime(gen).u, [0, 0, 0]) / exact - 1);
    };
    const e1 = err(17);
    const e2 = err(33);
    expect(e2).toBeLessThan(2.5e-2); // error 3.5% at 21³, 1.04% at 41³, 0.52% at 61³
    expect(Math.log2(e1 / e2)).toBeGreaterThan(1.4);
  });
});
