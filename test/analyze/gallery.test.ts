/**
 * The examples gallery, each analysed in --quick mode (fixed seed 1), checking that its verdict is the
 * right one against independent values: the reference double-well table, closed-form facts about each
 * landscape, and agreement between methods within their stated errors.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type AnalysisResult, analyze } from "../../src/analyze/index.js";
import type { ExitEstimate, MonteCarloDetail } from "../../src/exit/index.js";
import { loadProblem } from "../../src/io/load-problem.js";
import { loadReference } from "../reference.js";

const ex = (name: string) => join(__dirname, "../../examples", `${name}.yaml`);
const run = (name: string): Promise<AnalysisResult> =>
  analyze(loadProblem(ex(name)).problem, { quick: true, seed: 1 });
const est = (r: AnalysisResult, k: number, m: string): ExitEstimate => {
  const e = r.escapes[k].estimates.find((x) => x.method === m);
  if (!e) throw new Error(`no ${m}`);
  return e;
};
const contains = (iv: [number, number] | null, v: number) => iv !== null && iv[0] <= v && v <= iv[1];
/** v within the 95% interval widened to ≈ 3.3 standard errors (a fixed seed must not sit on a 5% coin flip). */
const near = (e: ExitEstimate, v: number) => {
  if (!e.interval || e.time === null) return false;
  if (e.status === "lower-bound") return e.time <= v * 1.05;
  const half = (e.interval[1] - e.interval[0]) / 2;
  return Math.abs(e.time - v) <= 1.7 * half;
};
const ref = loadReference("double-well-met.json");

describe("gallery (--quick)", () => {
  it("symmetric double well: escape times agree across methods and with the reference table", async () => {
    const r = await run("double-well");
    const T = ref.rows.find((q: { eps: number }) => q.eps === 0.1).to_saddle_x_gt_0 as number; // 30.8213
    expect(r.escapes[0].label).toBe("problem start");
    const exact = est(r, 0, "exact");
    expect(Math.abs((exact.time as number) - T) / T).toBeLessThan(1e-4);
    const pde = est(r, 0, "pde");
    expect(Math.abs((pde.time as number) - T)).toBeLessThan(
      Math.max(3 * (pde.interval![1] - (pde.time as number)), 0.005 * T),
    );
    expect(near(est(r, 0, "sde"), T)).toBe(true);
    expect(contains(est(r, 0, "bounds").interval, T)).toBe(true);
    // SGD: within 3.3 standard errors plus an O(η) weak-error allowance of 15%
    const sgd = est(r, 0, "sgd");
    const mc = sgd.detail as MonteCarloDetail;
    const sgdHalf = 1.96 * ((sgd.time as number) / Math.sqrt(mc.particles)); // exponential: sd = mean
    expect(mc.exited).toBeGreaterThanOrEqual(0.98 * mc.particles); // 16× horizon
    expect(Math.abs((sgd.time as number) - T)).toBeLessThan(1.7 * sgdHalf + 0.15 * T);
    // the deterministic methods agree with each other
    expect(r.escapes[0].comparisons.filter((c) => ["pde", "exact"].includes(c.a) && !c.consistent)).toEqual(
      [],
    );
    expect(r.longTime.verdict.limit).toBe("density");
    // symmetric: the PDE keeps half the mass in each basin; particles agree within their intervals
    const last = r.drift.particleMass.length - 1;
    expect(Math.abs(r.drift.pdeMass![last][0] - 0.5)).toBeLessThan(0.01);
    expect(Math.abs(r.drift.particleMass[last][0] - 0.5)).toBeLessThan(
      r.drift.particleMassHalfWidth[last][0] + 0.02,
    );
  });

  it("tilted double well: escape from the shallow right minimum; the deep left well wins in the long run", async () => {
    const r = await run("tilted-double-well");
    expect(r.landscape.minima.length).toBe(2);
    expect(r.landscape.minima[0].x[0]).toBeLessThan(0); // deepest first
    const e = r.escapes.find((x) => x.fromMinimum === 1)!;
    expect(e).toBeDefined();
    const exact = est(r, r.escapes.indexOf(e), "exact").time as number;
    expect(contains(est(r, r.escapes.indexOf(e), "bounds").interval, exact)).toBe(true);
    expect(near(est(r, r.escapes.indexOf(e), "sde"), exact)).toBe(true);
    // the 1-D analysis along the minimum-energy path (used for d > 2) is close to the exact value in 1-D
    const path = est(r, r.escapes.indexOf(e), "path-1d");
    expect(path.status).toMatch(/^(estimate|lower-bound|bracket)$/);
    expect(Math.abs((path.time as number) / exact - 1)).toBeLessThan(0.15);
    expect(r.longTime.verdict.limit).toBe("density");
    // Gibbs weights: the stationary mass in the left basin is larger
    const last = r.drift.pdeMass!.length - 1;
    expect(r.drift.pdeMass![last][0]).toBeGreaterThan(r.drift.pdeMass![last][1]);
  });

  it("three wells in 2-D with anisotropic noise: 3 minima, 2 saddles, particles and PDE agree on the escape", async () => {
    const r = await run("three-minima-2d");
    expect(r.landscape.minima.length).toBe(3);
    expect(r.landscape.saddles.length).toBeGreaterThanOrEqual(2);
    const k = r.escapes.findIndex((x) => x.fromMinimum === 2);
    expect(k).toBeGreaterThanOrEqual(0);
    const pde = est(r, k, "pde").time as number;
    const sgd = est(r, k, "sgd");
    expect(Number.isFinite(pde)).toBe(true);
    // anisotropic noise: the 1-D reduction along the path is reported but flagged as not applicable
    expect(est(r, k, "path-1d").status).toBe("not-applicable");
    // the SDE Monte Carlo within 20% of the grid value (dt = η/5 bias + 95% CI), SGD within 35% (O(η))
    expect(Math.abs((est(r, k, "sde").time as number) / pde - 1)).toBeLessThan(0.2);
    expect(Math.abs((sgd.time as number) / pde - 1)).toBeLessThan(0.35);
    expect(r.longTime.verdict.limit).toBe("density");
  });

  it("state-dependent noise: exact, PDE and bounds agree; SDE particles within their interval", async () => {
    const r = await run("state-dependent-noise");
    const exact = est(r, 0, "exact").time as number;
    expect(Number.isFinite(exact)).toBe(true);
    expect(Math.abs((est(r, 0, "pde").time as number) / exact - 1)).toBeLessThan(0.01);
    expect(contains(est(r, 0, "bounds").interval, exact)).toBe(true);
    expect(near(est(r, 0, "sde"), exact)).toBe(true);
    expect(r.longTime.verdict.limit).toBe("density");
  });

  it("interpolating global minimum: SGD leaves the local minimum and converges to the point x = −1", async () => {
    const r = await run("interpolating");
    const m0 = r.landscape.minima[0];
    expect(Math.abs(m0.x[0] + 1)).toBeLessThan(1e-6);
    expect(m0.interpolating).toBe(true);
    expect(r.landscape.minima[1].interpolating).toBe(false);
    const k = r.escapes.findIndex((x) => x.fromMinimum === 1);
    const sgd = est(r, k, "sgd").detail as MonteCarloDetail;
    expect(sgd.exited).toBeGreaterThan(0.5 * sgd.particles);
    expect(Number.isFinite(est(r, k, "exact").time as number)).toBe(true);
    expect(["point-masses", "mixture"]).toContain(r.longTime.verdict.limit);
    expect(r.longTime.verdict.atoms).toContain(0);
    expect(r.longTime.stationary?.normalisable).toBe(false);
    // at the interpolating minimum the particles collapse to the point (OU spread 0)
    // (particles still arriving from the leaky minimum keep the RMS above 0 at a finite time)
    const s0 = r.drift.spread.find((s) => s.minimum === 0)!;
    const s1 = r.drift.spread.find((s) => s.minimum === 1)!;
    expect(r.landscape.minima[0].ou.collapses).toBe(true);
    expect(s0.particles!.value).toBeLessThan(0.3 * s1.particles!.value);
  });

  it("over-parameterised linear regression: one connected set of interpolating minima, convergence to a point", async () => {
    const r = await run("overparameterised-linear");
    expect(r.problem.dim).toBeGreaterThan(5);
    expect(r.landscape.continuum).not.toBeNull();
    expect(r.landscape.minima[0].interpolating).toBe(true);
    expect(r.landscape.minima[0].flatDirections).toBeGreaterThan(0);
    expect(r.longTime.verdict.limit).toBe("point-masses");
    expect(r.escapes.length).toBe(0);
  });

  it("phase retrieval: ±x* both interpolating, point-mass limit split between them", async () => {
    const r = await run("phase-retrieval");
    const m = r.landscape.minima;
    expect(m.length).toBe(2);
    for (let i = 0; i < m[0].x.length; i++) expect(m[0].x[i]).toBeCloseTo(-m[1].x[i], 6);
    expect(m.every((q) => q.interpolating)).toBe(true);
    expect(r.longTime.verdict.limit).toBe("point-masses");
    const last = r.drift.particleMass[r.drift.particleMass.length - 1];
    expect(last[0]).toBeGreaterThan(0.2);
    expect(last[1]).toBeGreaterThan(0.2);
  });

  it("MLP on two moons (d = 22): grid methods replaced and said so; no interpolation", async () => {
    const r = await run("mlp-two-moons");
    expect(r.problem.dim).toBe(22);
    expect(r.notes.some((n) => n.includes("d = 22 > 2"))).toBe(true);
    for (const e of r.escapes) {
      expect(est(r, r.escapes.indexOf(e), "pde").status).toBe("not-applicable");
      expect(est(r, r.escapes.indexOf(e), "sgd").status).toMatch(/^(estimate|lower-bound|bracket)$/);
    }
    expect(r.landscape.minima.every((q) => !q.interpolating)).toBe(true);
    expect(r.longTime.verdict.limit).not.toBe("point-masses");
  });

  it("large learning rate: SGD escapes several times faster than the SDE, and the report says why", async () => {
    const r = await run("large-lr-heavy-tails");
    const c = r.escapes[0].comparisons.find((q) => q.a === "sgd" && q.b === "sde")!;
    expect(c.consistent).toBe(false);
    expect(c.ratio).toBeLessThan(0.5);
    expect(c.explanation).toContain("learning rate too large for the SDE");
    expect(c.explanation).toContain("faster");
    // heavy tails: SGD iterates diverge or are far from Gaussian, and the convergence answer says so
    const k0 = r.drift.spread.find((q) => q.minimum === 0)!;
    expect(k0.particles!.value).toBeGreaterThan(2 * k0.ouSgd);
    expect(r.answers.convergence).toContain("Discrete SGD does not converge");
    // the SDE side is self-consistent (PDE vs SDE Monte Carlo within 30%)
    const pde = est(r, 0, "pde").time as number;
    expect(Math.abs((est(r, 0, "sde").time as number) / pde - 1)).toBeLessThan(0.3);
  });
});
