/**
 * The Arrhenius fit of a sweep recovers the barrier ΔL = 1/4 of the symmetric double well L = x⁴/4 − x²/2
 * within its interval, from the exact 1-D method, and the Eyring–Kramers prefactor π/√(L''(−1)|L''(0)|) = π/√2.
 */
import { describe, expect, it } from "vitest";
import {
  analyzeSweep,
  cellProblem,
  runCell,
  type SweepPlan,
  sweepCells,
  sweepContext,
} from "../../src/sweep/index.js";

const spec = {
  name: "dw",
  loss: "x^4/4 - x^2/2",
  noise: { isotropic: 1 },
  lr: 0.2,
  batch: 1,
  domain: [[-3, 3]],
};

describe("sweep fits on the double well (exact method)", () => {
  it("the Arrhenius slope's 95% interval contains ΔL = 1/4; the prefactor's contains π/√2", async () => {
    const plan: SweepPlan = {
      lr: [0.05, 0.1, 0.2, 0.4],
      batch: [2, 16],
      delta: null,
      seeds: [1],
      methods: ["exact"],
      particles: 1,
      horizon: "auto",
      fallbackHorizon: 1000,
      grid: null,
      from: [-1],
      to: "x > 0",
    };
    const cells = sweepCells(plan);
    const rows = [];
    for (const c of cells) rows.push(...(await runCell(spec, {}, plan, c)).rows);
    expect(rows.every((r) => r.status === "estimate")).toBe(true);
    // ε = η/(2B): 7 distinct values from 1/640 to 1/10
    expect(new Set(rows.map((r) => r.epsilon)).size).toBe(7);
    const ctx = await sweepContext(cellProblem(spec, {}, cells[0]), plan);
    expect(ctx.barrier).toBeCloseTo(0.25, 10);
    const a = analyzeSweep(rows, plan, ctx);
    const arr = a.laws.find((l) => l.law === "arrhenius" && l.method === "exact");
    expect(arr).toBeDefined();
    const f = arr!.fit;
    expect(f.slopeCi[0]).toBeLessThanOrEqual(0.25);
    expect(f.slopeCi[1]).toBeGreaterThanOrEqual(0.25);
    expect(f.slopeCi[1] - f.slopeCi[0]).toBeLessThan(0.01);
    const k = Math.PI / Math.SQRT2;
    expect(arr!.prefactor!.ci[0]).toBeLessThanOrEqual(k);
    expect(arr!.prefactor!.ci[1]).toBeGreaterThanOrEqual(k);
    expect(arr!.text).toMatch(/landscape barrier ΔL 0.25 lies inside/);
  });
});
