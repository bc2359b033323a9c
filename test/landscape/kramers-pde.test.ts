import { describe, expect, it } from "vitest";
import { analyseLandscape } from "../../src/landscape/index.js";
import { eyringKramers } from "../../src/landscape/kramers.js";
import { exitTime } from "../../src/pde/exit-time.js";
import { buildGenerator } from "../../src/pde/generator.js";
import { interpolate, makeGrid } from "../../src/pde/grid.js";
import { problemFromSpec } from "../../src/problem/index.js";

describe("Eyring–Kramers against the PDE in 2-D", () => {
  it("curved valley L = (x²−1)²/4 + (y + (x²−1)/2)²: PDE / Kramers-to-saddle → 1 as ε → 0", () => {
    // The target x > 0 passes through the saddle (0, 1/2) perpendicular to its unstable direction,
    // so the PDE exit time is the first hitting of the saddle: ≈ half the Kramers transition time.
    // Measured (grid 101², refinement to 201² changes < 0.2%): 1.250, 1.145, 1.058 at ε = 0.1, 0.05, 0.025.
    const errs: number[] = [];
    for (const eps of [0.1, 0.05, 0.025]) {
      const p = problemFromSpec({
        name: "valley",
        loss: "(x^2-1)^2/4 + (y + 0.5*(x^2-1))^2",
        noise: { isotropic: 1 },
        lr: 2 * eps,
        batch: 1,
        domain: [
          [-2.2, 0.6],
          [-2.4, 1.6],
        ],
      });
      const r = analyseLandscape(p, { minima: { seed: 1, starts: 20 } });
      expect(r.minima.length).toBe(2);
      expect(r.saddles.length).toBe(1);
      expect(r.saddles[0].x[0]).toBeCloseTo(0, 9);
      expect(r.saddles[0].x[1]).toBeCloseTo(0.5, 9);
      const k = eyringKramers(p, r.minima.find((m) => m.x[0] < 0)!, r.saddles[0]);
      expect(k.regime).toBe("isotropic");
      const g = makeGrid(p.domain, 101);
      const gen = buildGenerator(p, g, { absorbing: (x) => x[0] > 0 });
      const T = interpolate(g, exitTime(gen).u, [-1, 0]);
      errs.push(Math.abs(T / k.toSaddle.time - 1));
    }
    expect(errs[1]).toBeLessThan(errs[0]);
    expect(errs[2]).toBeLessThan(errs[1]);
    expect(errs[2]).toBeLessThan(0.08);
  });
});
