import { describe, expect, it } from "vitest";
import { csrTransposeMatVec } from "../../src/linalg/csr.js";
import { exactExitTimeEstimate } from "../../src/pde/exact-1d.js";
import { exitTime } from "../../src/pde/exit-time.js";
import { buildGenerator, checkGenerator } from "../../src/pde/generator.js";
import { interpolate, makeGrid } from "../../src/pde/grid.js";
import { loadReference } from "../reference.js";
import { isotropic, makeProblem, region } from "./fixtures.js";

const ref = loadReference("double-well-met.json");

function dw(eps: number) {
  // eps = lr·σ²/(2B) with σ² = 1, B = 1 ⇒ lr = 2ε
  return makeProblem({
    loss: "x^4/4 - x^2/2",
    dim: 1,
    noise: isotropic(1, 1),
    lr: 2 * eps,
    domain: [[-3, 3]],
  });
}

describe("1-D double well exit times vs reference", () => {
  for (const row of ref.rows as { eps: number; to_saddle_x_gt_0: number; to_other_min_x_ge_1: number }[]) {
    it(`exact quadrature, eps=${row.eps}`, () => {
      const p = dw(row.eps);
      const a = exactExitTimeEstimate(p, [-1], region("x > 0", 1), { cells: 20000 });
      const b = exactExitTimeEstimate(p, [-1], region("x >= 1", 1), { cells: 20000 });
      expect(a.infinite).toBe(false);
      expect(Math.abs(a.time! / row.to_saddle_x_gt_0 - 1)).toBeLessThan(2e-4);
      expect(Math.abs(b.time! / row.to_other_min_x_ge_1 - 1)).toBeLessThan(2e-4);
      expect(a.iterations).toBeCloseTo(a.time! / p.lr, 6);
    });
  }
  for (const row of (
    ref.rows as { eps: number; to_saddle_x_gt_0: number; to_other_min_x_ge_1: number }[]
  ).filter((r) => r.eps >= 0.025)) {
    it(`PDE generator (Scharfetter–Gummel + cut cells), eps=${row.eps}`, () => {
      const p = dw(row.eps);
      for (const [src, want] of [
        ["x > 0", row.to_saddle_x_gt_0],
        ["x >= 1", row.to_other_min_x_ge_1],
      ] as const) {
        const g = makeGrid(p.domain, 1201);
        const gen = buildGenerator(p, g, { absorbing: region(src, 1) });
        const chk = checkGenerator(gen.Q);
        expect(chk.minOffDiagonal).toBeGreaterThanOrEqual(0);
        expect(chk.maxRowSum).toBeLessThan(1e-13);
        const r = exitTime(gen);
        const t = interpolate(g, r.u, [-1]);
        expect(r.infiniteNodes).toBe(0);
        expect(Math.abs(t / want - 1)).toBeLessThan(5e-3);
      }
    });
  }
});

describe("detailed balance", () => {
  it("isotropic constant noise: Qᵀπ = 0 for π = volume·exp(−L/ε) exactly", () => {
    const eps = 0.1;
    const p = dw(eps);
    const g = makeGrid(p.domain, 301);
    const gen = buildGenerator(p, g);
    const pi = new Float64Array(g.size);
    for (let i = 0; i < g.size; i++) pi[i] = g.volume[i] * Math.exp(-gen.loss[i] / eps);
    const r = csrTransposeMatVec(gen.Q, pi, new Float64Array(g.size));
    let rmax = 0;
    let scale = 0;
    for (let i = 0; i < g.size; i++) {
      rmax = Math.max(rmax, Math.abs(r[i]));
      scale = Math.max(scale, Math.abs(pi[i] * gen.Q.values[gen.Q.rowPtr[i]]));
    }
    expect(rmax / scale).toBeLessThan(1e-12);
  });
});

describe("pure diffusion on an interval", () => {
  // generator D·u'' with D = 1: A = 2 ⇒ σ² = 1, lr = 2 (B = 1), loss 0
  const D = 1;
  const p = makeProblem({ loss: "0*x", dim: 1, noise: isotropic(1, 1), lr: 2 * D, domain: [[-0.5, 1.5]] });
  it("both ends absorbing: T = x(l−x)/(2D)", () => {
    const l = 1;
    const g = makeGrid(p.domain, 161);
    const gen = buildGenerator(p, g, { absorbing: region("x <= 0 || x >= 1", 1) });
    const r = exitTime(gen);
    for (const x of [0.1, 0.375, 0.5, 0.9]) {
      expect(interpolate(g, r.u, [x])).toBeCloseTo((x * (l - x)) / (2 * D), 10);
    }
    const ex = exactExitTimeEstimate(p, [0.37], region("x <= 0 || x >= 1", 1), { cells: 2000 });
    expect(ex.time!).toBeCloseTo((0.37 * 0.63) / 2, 8);
  });
  it("reflecting at 0, absorbing at l: T = (l²−x²)/(2D)", () => {
    const q = makeProblem({ loss: "0*x", dim: 1, noise: isotropic(1, 1), lr: 2 * D, domain: [[0, 2]] });
    const g = makeGrid(q.domain, 201);
    const gen = buildGenerator(q, g, { absorbing: region("x >= 1.013", 1) });
    const r = exitTime(gen);
    const l = 1.013;
    for (const x of [0, 0.3, 0.8]) {
      expect(interpolate(g, r.u, [x])).toBeCloseTo((l * l - x * x) / (2 * D), 6);
    }
  });
});
