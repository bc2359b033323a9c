import { describe, expect, it } from "vitest";
import { exactExitTimeEstimate } from "../../src/pde/exact-1d.js";
import { exitTime } from "../../src/pde/exit-time.js";
import { buildGenerator, checkGenerator } from "../../src/pde/generator.js";
import { interpolate, makeGrid } from "../../src/pde/grid.js";
import { Rng } from "../../src/random/rng.js";
import { isotropic, makeProblem, noiseFrom, region } from "./fixtures.js";

/**
 * Rank-1 noise along v = (cos θ, sin θ) on L = |x|²/2: dX = −X dt + √η v dW. From the origin the process stays
 * on the line R·v and is the 1-D OU u with A = η, so the exit time to {x > 0.5} is the 1-D exit time to
 * u > 0.5/cos θ — an exact, independent reference. The grid scheme must not leak mass off the line.
 */
function rank1(theta: number) {
  const c = Math.cos(theta);
  const s = Math.sin(theta);
  const p = makeProblem({
    loss: "(x^2+y^2)/2",
    dim: 2,
    noise: noiseFrom(
      2,
      (_x, o) => {
        o[0] = c * c;
        o[1] = c * s;
        o[2] = c * s;
        o[3] = s * s;
      },
      true,
    ),
    lr: 0.5,
    domain: [
      [-2, 2],
      [-2, 2],
    ],
  });
  const q = makeProblem({ loss: "x^2/2", dim: 1, noise: isotropic(1, 1), lr: 0.5, domain: [[-4, 2]] });
  const exact = exactExitTimeEstimate(q, [0], region(`x > ${0.5 / c}`, 1)).time!;
  const pde = (n: number) => {
    const g = makeGrid(p.domain, n);
    const gen = buildGenerator(p, g, { absorbing: region("x > 0.5", 2) });
    const chk = checkGenerator(gen.Q);
    expect(chk.minOffDiagonal).toBeGreaterThanOrEqual(0);
    expect(chk.maxRowSum).toBeLessThan(1e-12);
    return { t: interpolate(g, exitTime(gen).u, [0, 0]), gen };
  };
  return { p, exact, pde, c, s };
}

describe("rank-1 anisotropic noise in 2-D", () => {
  it("lattice direction (45°): Selling stencil + projected drift, second-order convergence", () => {
    const { exact, pde } = rank1(Math.PI / 4);
    const e1 = Math.abs(pde(41).t / exact - 1);
    const e2 = Math.abs(pde(81).t / exact - 1);
    expect(e2).toBeLessThan(5e-3); // measured 0.33% (1.3% at 41², 0.08% at 161²)
    expect(Math.log2(e1 / e2)).toBeGreaterThan(1.7);
  });
  it("irrational direction (30°): relaxed Selling, first-order convergence, agrees with particles", () => {
    const { p, exact, pde, c, s } = rank1(Math.PI / 6);
    const a = pde(81);
    const b = pde(161);
    expect(b.gen.relaxedNodes).toBeGreaterThan(0);
    const e1 = Math.abs(a.t / exact - 1);
    const e2 = Math.abs(b.t / exact - 1);
    expect(e2).toBeLessThan(0.02);
    expect(Math.log2(e1 / e2)).toBeGreaterThan(0.8);
    // Euler–Maruyama particles (independent of the grid), with the continuity correction 0.5826·σ√dt
    const rng = new Rng(12345);
    const npart = 4000;
    const dt = 5e-4;
    const sq = Math.sqrt(p.lr * dt);
    const bnd = 0.5 - 0.5826 * Math.sqrt(p.lr) * c * Math.sqrt(dt);
    let sum = 0;
    let sum2 = 0;
    for (let k = 0; k < npart; k++) {
      rng.reseed(12345, k);
      let x = 0;
      let y = 0;
      let t = 0;
      while (x <= bnd) {
        const w = rng.normal() * sq;
        x += -x * dt + c * w;
        y += -y * dt + s * w;
        t += dt;
      }
      sum += t;
      sum2 += t * t;
    }
    const mean = sum / npart;
    const se = Math.sqrt((sum2 / npart - mean * mean) / npart);
    expect(Math.abs(mean - exact)).toBeLessThan(4 * se);
    expect(Math.abs(b.t - mean)).toBeLessThan(4 * se + 0.02 * exact);
  });
});
