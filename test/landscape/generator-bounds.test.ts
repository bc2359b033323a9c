import { describe, expect, it } from "vitest";
import { generatorBounds } from "../../src/landscape/generator-bounds.js";
import { exitTime } from "../../src/pde/exit-time.js";
import { buildGenerator } from "../../src/pde/generator.js";
import { makeGrid, nearestNode, nodeCoords } from "../../src/pde/grid.js";
import { problemFromSpec } from "../../src/problem/index.js";

/** Exact 1-D MET to x > 0 for dX = −L'dt + √(2ε)dW, reflecting at a: Simpson-free trapezoid on a fine grid. */
function exact1d(L: (x: number) => number, eps: number, a: number, x0: number, b: number, n = 40000) {
  const h = (b - a) / n;
  let F = 0;
  const Fs = new Float64Array(n + 1);
  for (let i = 1; i <= n; i++) {
    const y0 = a + (i - 1) * h;
    const y1 = a + i * h;
    F += ((h / 2) * (Math.exp(-L(y0) / eps) + Math.exp(-L(y1) / eps))) / eps;
    Fs[i] = F;
  }
  let T = 0;
  for (let i = 0; i < n; i++) {
    const y0 = a + i * h;
    if (y0 < x0 - 1e-12) continue;
    T += (h / 2) * (Math.exp(L(y0) / eps) * Fs[i] + Math.exp(L(y0 + h) / eps) * Fs[i + 1]);
  }
  return T;
}

describe("certified bounds on the discrete generator (d > 1)", () => {
  it("2-D separable double well: the PDE value is bracketed by the solver certificate and by the 1-D escape profile", () => {
    const eps = 0.1;
    const p = problemFromSpec({
      name: "dw2",
      loss: "x^4/4 - x^2/2 + y^2/2",
      noise: { isotropic: 1 },
      lr: 2 * eps,
      batch: 1,
      domain: [
        [-2.5, 2.5],
        [-2, 2],
      ],
    });
    const g = makeGrid(p.domain, [100, 41]); // no node on the boundary x = 0
    const target = (x: Float64Array) => x[0] > 0;
    const gen = buildGenerator(p, g, { absorbing: target });
    const r = exitTime(gen);
    const start = nearestNode(g, [-1, 0]);
    const uStart = r.u[start];
    // (a) certificate of the solver's own answer: tight
    const a = generatorBounds(gen.Q, gen.absorbing!, start, [r.u]);
    expect(a.lower).toBeLessThanOrEqual(uStart);
    expect(a.upper).toBeGreaterThanOrEqual(uStart);
    expect((a.upper - a.lower) / uStart).toBeLessThan(1e-6);
    // (b) independent trial: the exact 1-D profile along the escape coordinate x
    const L = (x: number) => x ** 4 / 4 - x ** 2 / 2;
    const v = new Float64Array(g.size);
    const xy = new Float64Array(2);
    const prof = new Map<number, number>();
    for (let i = 0; i < g.size; i++) {
      nodeCoords(g, i, xy);
      if (xy[0] > 0) continue;
      const key = Math.round(xy[0] * 1e6);
      if (!prof.has(key)) prof.set(key, exact1d(L, eps, -2.5, xy[0], 0));
      v[i] = prof.get(key)!;
    }
    const b = generatorBounds(gen.Q, gen.absorbing!, start, [v]);
    expect(b.lower).toBeLessThanOrEqual(uStart);
    expect(b.upper).toBeGreaterThanOrEqual(uStart);
    // valid but loose: the scheme's O(1) consistency error at high-Péclet wall nodes sets c⁻, c⁺
    expect(b.upper / b.lower).toBeLessThan(3);
    // and the continuum value lies within the grid error of the bracket
    expect(Math.abs(uStart / exact1d(L, eps, -2.5, -1, 0) - 1)).toBeLessThan(0.05);
  });

  it("pure diffusion in the disc: closed-form trial brackets the PDE value", () => {
    const p = problemFromSpec({
      name: "disc",
      loss: "0*x + 0*y",
      noise: { isotropic: 1 },
      lr: 2,
      batch: 1,
      domain: [
        [-1.2, 1.2],
        [-1.2, 1.2],
      ],
    });
    const g = makeGrid(p.domain, 61);
    const target = (x: Float64Array) => x[0] * x[0] + x[1] * x[1] >= 1;
    const gen = buildGenerator(p, g, { absorbing: target });
    const r = exitTime(gen);
    const start = nearestNode(g, [0, 0]);
    const v = new Float64Array(g.size);
    const xy = new Float64Array(2);
    for (let i = 0; i < g.size; i++) {
      nodeCoords(g, i, xy);
      v[i] = Math.max(0, (1 - xy[0] ** 2 - xy[1] ** 2) / 4);
    }
    const b = generatorBounds(gen.Q, gen.absorbing!, start, [v, r.u]);
    expect(b.lower).toBeLessThanOrEqual(r.u[start]);
    expect(b.upper).toBeGreaterThanOrEqual(r.u[start]);
    // the trivial trial 0 is never better than a real one; the closed form alone is already informative
    const c = generatorBounds(gen.Q, gen.absorbing!, start, [v]);
    expect(c.lower).toBeGreaterThan(0.2);
    expect(c.lower).toBeLessThanOrEqual(r.u[start]);
  });
});
