import { describe, expect, it } from "vitest";
import { gridBasins } from "../../src/pde/basins.js";
import { entropyDecay } from "../../src/pde/entropy.js";
import { fokkerPlanck, initialDistribution } from "../../src/pde/fokker-planck.js";
import { buildGenerator } from "../../src/pde/generator.js";
import { makeGrid } from "../../src/pde/grid.js";
import { stationary } from "../../src/pde/stationary.js";
import { loadReference } from "../reference.js";
import { isotropic, makeProblem, noiseFrom, region } from "./fixtures.js";

const ou = loadReference("ornstein-uhlenbeck.json").entropy_decay;

describe("Ornstein–Uhlenbeck entropy decay (reference table)", () => {
  // dX = −X dt + √(2ε) dW, ε = 0.1: loss x²/2, σ² = 1, B = 1, lr = 2ε = 0.2
  const p = makeProblem({ loss: "x^2/2", dim: 1, noise: isotropic(1, 1), lr: 0.2, domain: [[-2.5, 3]] });
  const times = ou.rows.map((r: { t: number }) => r.t) as number[];
  function run(n: number) {
    const g = makeGrid(p.domain, n);
    const gen = buildGenerator(p, g);
    const st = stationary(p, gen);
    const p0 = initialDistribution(g, { kind: "gaussian", mean: [1], cov: [0.01] });
    const fp = fokkerPlanck(gen, p0, times, { stationary: st.probabilities! });
    return { g, gen, st, fp };
  }
  it("KL(ρ_t|ρ_∞) matches the closed form, converging at second order; mass and positivity hold", () => {
    const a = run(551);
    const b = run(1101);
    ou.rows.forEach((row: { t: number; kl: number; bound: number }, k: number) => {
      const ea = Math.abs(a.fp.snapshots[k].relEntropy! - row.kl);
      const eb = Math.abs(b.fp.snapshots[k].relEntropy! - row.kl);
      expect(eb / row.kl).toBeLessThan(2e-3);
      // second order: halving h divides the error by ≈4 (allow ≥ 2.5 where the error is above round-off)
      // (the table is rounded to 1e-6: only errors well above that show the order)
      if (ea > 1e-5) expect(ea / eb).toBeGreaterThan(3);
      expect(b.fp.snapshots[k].relEntropy!).toBeLessThanOrEqual(row.bound * (1 + 1e-3));
    });
    for (const s of b.fp.snapshots) {
      expect(Math.abs(s.mass - 1)).toBeLessThan(1e-12);
      expect(s.minValue).toBeGreaterThanOrEqual(0);
    }
    // mean e^{−t}, variance ε + (0.01 − ε)e^{−2t}
    const s1 = b.fp.snapshots[2];
    expect(s1.mean[0]).toBeCloseTo(Math.exp(-1), 4);
    expect(s1.cov[0]).toBeCloseTo(0.1 + (0.01 - 0.1) * Math.exp(-2), 4);
    const ent = entropyDecay(p, b.g, b.gen.Q, b.fp.snapshots, b.st.probabilities!);
    expect(ent.bakryEmeryRate).toBeCloseTo(2, 10);
    // late-time decay of KL is e^{−2t} for OU with a = 1 (mean and variance relax at rates 1 and 2; KL ~ mean²)
    expect(Math.abs(ent.fittedRate! - 2)).toBeLessThan(0.1);
    // entropy production = −dH/dt: compare with a centred difference at t = 1
    const fp2 = fokkerPlanck(
      b.gen,
      initialDistribution(b.g, { kind: "gaussian", mean: [1], cov: [0.01] }),
      [0.99, 1.01],
      {
        stationary: b.st.probabilities!,
      },
    );
    const dHdt = (fp2.snapshots[1].relEntropy! - fp2.snapshots[0].relEntropy!) / 0.02;
    expect(Math.abs(ent.production[2] + dHdt) / ent.production[2]).toBeLessThan(1e-3);
  });
  it("stationary law is exactly ∝ exp(−L/ε) at the nodes", () => {
    const { g, st } = run(301);
    const x0 = g.lo[0];
    let c = 0;
    for (let i = 0; i < g.size; i++) {
      const x = x0 + i * g.h[0];
      const ratio = st.density![i] / Math.exp(-(x * x) / 2 / 0.1);
      if (i === 0) c = ratio;
      expect(Math.abs(ratio / c - 1)).toBeLessThan(1e-9);
    }
  });
  it("implicit Euler converges at order 1 in time to the uniformization result", () => {
    const g = makeGrid(p.domain, 201);
    const gen = buildGenerator(p, g);
    const p0 = initialDistribution(g, { kind: "point", x: [1] });
    const exact = fokkerPlanck(gen, p0, [0.5]).snapshots[0].p;
    const err = (dt: number) => {
      const q = fokkerPlanck(gen, p0, [0.5], { method: "implicit-euler", dt }).snapshots[0];
      expect(Math.abs(q.mass - 1)).toBeLessThan(1e-12);
      expect(q.minValue).toBeGreaterThanOrEqual(0);
      let e = 0;
      for (let i = 0; i < g.size; i++) e += Math.abs(q.p[i] - exact[i]);
      return e;
    };
    const e1 = err(0.01);
    const e2 = err(0.005);
    expect(Math.log2(e1 / e2)).toBeGreaterThan(0.85);
    expect(Math.log2(e1 / e2)).toBeLessThan(1.15);
  });
});

describe("implicit Euler in 2-D (sparse solves, solver reused across steps)", () => {
  it("first order in time against uniformization; mass and positivity", () => {
    const p = makeProblem({
      loss: "(x^2-1)^2/4 + y^2/2",
      dim: 2,
      noise: isotropic(2, 1),
      lr: 0.2,
      domain: [
        [-2, 2],
        [-2, 2],
      ],
    });
    const g = makeGrid(p.domain, 41);
    const gen = buildGenerator(p, g);
    const p0 = initialDistribution(g, { kind: "point", x: [-1, 0] });
    const ex = fokkerPlanck(gen, p0, [0.6]).snapshots[0].p;
    const err = (dt: number) => {
      const s = fokkerPlanck(gen, p0, [0.6], { method: "implicit-euler", dt }).snapshots[0];
      expect(Math.abs(s.mass - 1)).toBeLessThan(1e-12);
      expect(s.minValue).toBeGreaterThanOrEqual(0);
      let e = 0;
      for (let i = 0; i < g.size; i++) e += Math.abs(s.p[i] - ex[i]);
      return e;
    };
    const r = Math.log2(err(0.04) / err(0.02));
    expect(r).toBeGreaterThan(0.8);
    expect(r).toBeLessThan(1.2);
  });
});

describe("mass and positivity", () => {
  it("drift-dominated 2-D double well with tiny noise (cell Péclet ≫ 1)", () => {
    const p = makeProblem({
      loss: "(x^2-1)^2 + 2*y^2",
      dim: 2,
      noise: isotropic(2, 1),
      lr: 1e-4,
      domain: [
        [-2, 2],
        [-1.5, 1.5],
      ],
    });
    const g = makeGrid(p.domain, 41);
    const gen = buildGenerator(p, g);
    const p0 = initialDistribution(g, { kind: "uniform" });
    const fp = fokkerPlanck(gen, p0, [0.05, 0.5], { regions: [{ name: "left", fn: region("x < 0", 2) }] });
    for (const s of fp.snapshots) {
      expect(Math.abs(s.mass - 1)).toBeLessThan(1e-12);
      expect(s.minValue).toBeGreaterThanOrEqual(0);
    }
    // basins of the gradient flow: two minima (±1, 0), masses add up to 1, match the half-planes
    const b = gridBasins(g, gen.loss);
    expect(b.minima.length).toBe(2);
    expect(Math.abs(Math.abs(b.minima[0].x[0]) - 1)).toBeLessThan(1e-12);
    const fpb = fokkerPlanck(gen, p0, [0.5], {
      basins: b,
      regions: [{ name: "left", fn: region("x < 0", 2) }],
    });
    const bm = fpb.snapshots[0].basinMass!;
    expect(Math.abs(bm[0] + bm[1] - 1)).toBeLessThan(1e-12);
    const leftBasin = b.minima[0].x[0] < 0 ? 0 : 1;
    // nodes on x = 0 go to one basin: the difference is at most the mass on that line
    expect(Math.abs(bm[leftBasin] - fpb.snapshots[0].regionMass.left)).toBeLessThan(0.05);
    // symmetric landscape and initial law: half the mass on each side (node x = 0 splits evenly)
    expect(fp.snapshots[1].regionMass.left).toBeGreaterThan(0.45);
    expect(fp.snapshots[1].regionMass.left).toBeLessThan(0.5);
  });
  it("noise vanishing at the minimum: point-mass limit, positivity, mass", () => {
    // Σ(x) = x²: A = η x² vanishes at the minimum 0 of L = x²/2
    const p = makeProblem({
      loss: "x^2/2",
      dim: 1,
      noise: noiseFrom(1, (x, o) => {
        o[0] = x[0] * x[0];
      }),
      lr: 0.5,
      domain: [[-2, 2]],
    });
    const g = makeGrid(p.domain, 201);
    const gen = buildGenerator(p, g);
    const st = stationary(p, gen);
    expect(st.normalisable).toBe(false);
    expect(st.pointMasses.length).toBe(1);
    expect(Math.abs(st.pointMasses[0].x[0])).toBeLessThan(1e-12);
    expect(st.pointMasses[0].fraction).toBeCloseTo(1, 10);
    expect(st.message).toMatch(/point mass at x\* = \(/);
    const p0 = initialDistribution(g, { kind: "point", x: [1.3] });
    const fp = fokkerPlanck(gen, p0, [1, 5], { method: "implicit-euler", dt: 0.01 });
    for (const s of fp.snapshots) {
      expect(Math.abs(s.mass - 1)).toBeLessThan(1e-12);
      expect(s.minValue).toBeGreaterThanOrEqual(0);
    }
    // the mean decays like e^{−t} (drift −x, martingale noise)
    expect(fp.snapshots[0].mean[0]).toBeCloseTo(1.3 * Math.exp(-1), 1);
  });
});
