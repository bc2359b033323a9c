import { describe, expect, it } from "vitest";
import { exactExitTimeEstimate } from "../../src/pde/exact-1d.js";
import { committor, exitTime } from "../../src/pde/exit-time.js";
import { buildGenerator, checkGenerator } from "../../src/pde/generator.js";
import { absorbingMask, interpolate, makeGrid } from "../../src/pde/grid.js";
import { isotropic, makeProblem, noiseFrom, region } from "./fixtures.js";

describe("committor", () => {
  it("1-D double well: q(x) = ∫_{-1}^x e^{L/ε} / ∫_{-1}^{1} e^{L/ε}", () => {
    const eps = 0.1;
    const p = makeProblem({
      loss: "x^4/4 - x^2/2",
      dim: 1,
      noise: isotropic(1, 1),
      lr: 2 * eps,
      domain: [[-2, 2]],
    });
    const g = makeGrid(p.domain, 801);
    const both = region("x <= -1 || x >= 1", 1);
    const gen = buildGenerator(p, g, { absorbing: both });
    const inA = absorbingMask(g, region("x >= 1", 1));
    const q = committor(gen, inA).q;
    // reference by fine trapezoid quadrature
    const M = 200000;
    const L = (x: number) => x ** 4 / 4 - x ** 2 / 2;
    const cum = new Float64Array(M + 1);
    for (let k = 0; k < M; k++) {
      const a = -1 + (2 * k) / M;
      const b = a + 2 / M;
      cum[k + 1] = cum[k] + (1 / M) * (Math.exp(L(a) / eps) + Math.exp(L(b) / eps));
    }
    for (const x of [-0.5, 0, 0.25, 0.7]) {
      const want = cum[Math.round(((x + 1) * M) / 2)] / cum[M];
      expect(Math.abs(interpolate(g, q, [x]) - want)).toBeLessThan(2e-4);
    }
  });
  it("2-D symmetric double well: q = ½ on the symmetry axis", () => {
    const p = makeProblem({
      loss: "(x^2-1)^2/4 + y^2/2",
      dim: 2,
      noise: isotropic(2, 1),
      lr: 0.2,
      domain: [
        [-2, 2],
        [-1.5, 1.5],
      ],
    });
    const g = makeGrid(p.domain, 61);
    const gen = buildGenerator(p, g, {
      absorbing: region("(x+1)^2 + y^2 < 0.09 || (x-1)^2 + y^2 < 0.09", 2),
    });
    const inA = absorbingMask(g, region("(x-1)^2 + y^2 < 0.09", 2));
    const r = committor(gen, inA);
    expect(r.unreachableNodes).toBe(0);
    for (const y of [-0.5, 0, 0.7]) expect(interpolate(g, r.q, [0, y])).toBeCloseTo(0.5, 8);
    expect(interpolate(g, r.q, [0.5, 0])).toBeGreaterThan(0.5);
  });
});

describe("anisotropic constant diffusion (Selling stencil): exit from the ellipsoid xᵀD⁻¹x < 1 takes (1 − xᵀD⁻¹x)/(2d)", () => {
  function ellipsoid(d: number, D: number[], n: number) {
    // generator tr(D∇²u): A = 2D ⇒ Σ = 2D with lr = 1, B = 1
    const p = makeProblem({
      loss: d === 2 ? "0*x + 0*y" : "0*x + 0*y + 0*z",
      dim: d,
      noise: noiseFrom(
        d,
        (_x, o) => {
          for (let k = 0; k < d * d; k++) o[k] = 2 * D[k];
        },
        true,
      ),
      lr: 1,
      domain: new Array(d).fill([-1.6, 1.6]),
    });
    const inv = invert(D, d);
    const form = (x: Float64Array) => {
      let s = 0;
      for (let k = 0; k < d; k++) for (let l = 0; l < d; l++) s += x[k] * inv[k * d + l] * x[l];
      return s;
    };
    const g = makeGrid(p.domain, n);
    const gen = buildGenerator(p, g, { absorbing: (x) => form(x) >= 1 });
    const chk = checkGenerator(gen.Q);
    expect(chk.minOffDiagonal).toBeGreaterThanOrEqual(0);
    return { t0: interpolate(g, exitTime(gen).u, new Array(d).fill(0)), gen };
  }
  it("2-D, correlation 0.9 (9-point stencil would not be monotone)", () => {
    const D = [1, 0.9, 0.9, 1];
    const a = ellipsoid(2, D, 41).t0;
    const b = ellipsoid(2, D, 81).t0;
    expect(Math.abs(b - 0.25) / 0.25).toBeLessThan(0.01);
    expect(Math.abs(b - 0.25)).toBeLessThan(Math.abs(a - 0.25));
  });
  it("3-D, strong off-diagonal terms", () => {
    const D = [1, 0.6, 0.3, 0.6, 1, 0.5, 0.3, 0.5, 0.8];
    const r = ellipsoid(3, D, 33);
    expect(Math.abs(r.t0 - 1 / 6) / (1 / 6)).toBeLessThan(0.03);
  });
});

describe("order-2 drift correction", () => {
  it("1-D: exit time with −(η/4)∇|∇L|² equals the exact formula for the modified loss L + (η/4)L'²", () => {
    const eta = 0.2;
    const p = makeProblem({
      loss: "x^4/4 - x^2/2",
      dim: 1,
      noise: isotropic(1, 1),
      lr: eta,
      domain: [[-3, 3]],
    });
    const pm = makeProblem({
      loss: `x^4/4 - x^2/2 + ${eta / 4}*(x^3 - x)^2`,
      dim: 1,
      noise: isotropic(1, 1),
      lr: eta,
      domain: [[-3, 3]],
    });
    const g = makeGrid(p.domain, 1201);
    const gen = buildGenerator(p, g, { absorbing: region("x > 0", 1), order2: true });
    const t = interpolate(g, exitTime(gen).u, [-1]);
    const want = exactExitTimeEstimate(pm, [-1], region("x > 0", 1), { cells: 20000 }).time!;
    const plain = exactExitTimeEstimate(p, [-1], region("x > 0", 1), { cells: 20000 }).time!;
    expect(Math.abs(t / want - 1)).toBeLessThan(3e-3);
    expect(Math.abs(plain / want - 1)).toBeGreaterThan(0.02); // the correction is visible
  });
});

function invert(D: number[], d: number): number[] {
  if (d === 2) {
    const det = D[0] * D[3] - D[1] * D[2];
    return [D[3] / det, -D[1] / det, -D[2] / det, D[0] / det];
  }
  const [a, b, c, dd, e, f, g, h, i] = D;
  const det = a * (e * i - f * h) - b * (dd * i - f * g) + c * (dd * h - e * g);
  return [
    e * i - f * h,
    c * h - b * i,
    b * f - c * e,
    f * g - dd * i,
    a * i - c * g,
    c * dd - a * f,
    dd * h - e * g,
    b * g - a * h,
    a * e - b * dd,
  ].map((v) => v / det);
}
