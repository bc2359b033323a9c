import { describe, expect, it } from "vitest";
import { gridBasins } from "../../src/pde/basins.js";
import { buildGenerator, exitTime, makeGrid } from "../../src/pde/index.js";
import { basinQuasiStationary, quasiStationary, spectralGap } from "../../src/pde/spectral.js";
import { isotropic, makeProblem, region } from "./fixtures.js";

describe("spectrum of the generator", () => {
  it("1-D OU: eigenvalues of −𝓛 are 0, 1, 2, 3 (second-order convergence)", () => {
    const p = makeProblem({ loss: "x^2/2", dim: 1, noise: isotropic(1, 1), lr: 0.2, domain: [[-2.5, 2.5]] });
    const errs = [201, 401].map((n) => {
      const s = spectralGap(buildGenerator(p, makeGrid(p.domain, n)), { k: 4 });
      expect(s.zeroEigenvalues).toBe(1);
      const ev = s.re.slice().sort((a, b) => a - b);
      return [1, 2, 3].map((m) => Math.abs(ev[m] - m));
    });
    for (let m = 0; m < 3; m++) {
      expect(errs[1][m]).toBeLessThan(2e-3 * (m + 1));
      expect(errs[0][m] / errs[1][m]).toBeGreaterThan(3);
    }
  });
  it("2-D OU with Hessian diag(1, 3): gap 1, next 2, 3", () => {
    const p = makeProblem({
      loss: "x^2/2 + 3*y^2/2",
      dim: 2,
      noise: isotropic(2, 1),
      lr: 0.2,
      domain: [
        [-2, 2],
        [-1.5, 1.5],
      ],
    });
    const s = spectralGap(buildGenerator(p, makeGrid(p.domain, [81, 61])), { k: 4 });
    expect(s.gap!).toBeCloseTo(1, 2);
    expect(s.relaxationTimes[0]).toBeCloseTo(1, 2);
    const ev = s.re.slice().sort((a, b) => a - b);
    expect(ev[2]).toBeCloseTo(2, 1);
    expect(ev[3]).toBeCloseTo(3, 1);
  });
  it("quasi-stationary law: E_ν τ = 1/λ₀ exactly; ≈ MET from the minimum (Kramers regime)", () => {
    const p = makeProblem({
      loss: "x^4/4 - x^2/2",
      dim: 1,
      noise: isotropic(1, 1),
      lr: 0.1,
      domain: [[-3, 3]],
    });
    const gen = buildGenerator(p, makeGrid(p.domain, 1201), { absorbing: region("x > 0", 1) });
    const q = quasiStationary(gen);
    const u = exitTime(gen).u;
    let m = 0;
    let s = 0;
    for (let i = 0; i < u.length; i++) {
      m += q.qsd[i] * u[i];
      s += q.qsd[i];
    }
    expect(Math.abs(s - 1)).toBeLessThan(1e-12);
    expect(Math.abs(m / q.meanExitTime - 1)).toBeLessThan(1e-6);
    // reference MET from x = −1 at ε = 0.05 is 361.9; the QSD average is within a few %
    expect(Math.abs(q.meanExitTime / 361.9038 - 1)).toBeLessThan(0.05);
  });
  it("per-basin exit rates of the symmetric double well: equal up to the O(h) staircase, ≈ 1/MET to the saddle", () => {
    const p = makeProblem({
      loss: "x^4/4 - x^2/2",
      dim: 1,
      noise: isotropic(1, 1),
      lr: 0.2,
      domain: [[-3, 3]],
    });
    const g = makeGrid(p.domain, 1201);
    const b = gridBasins(g, buildGenerator(p, g).loss);
    expect(b.minima.map((m) => Math.round(m.x[0])).sort()).toEqual([-1, 1]);
    const r = [0, 1].map((k) => basinQuasiStationary(p, g, b, k));
    expect(Math.abs(r[0].exitRate / r[1].exitRate - 1)).toBeLessThan(0.02);
    // reference MET from the minimum to the saddle at ε = 0.1: 30.82 (the QSD start is spread toward the saddle: a few % shorter)
    for (const q of r) expect(Math.abs(q.meanExitTime / 30.8213 - 1)).toBeLessThan(0.05); // measured 2–3%
  });
});
