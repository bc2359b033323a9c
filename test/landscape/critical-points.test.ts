import { describe, expect, it } from "vitest";
import { findMinima } from "../../src/landscape/critical-points.js";
import { dist } from "../../src/landscape/util.js";
import {
  doubleWellND,
  himmelblau,
  isotropic,
  makeProblem,
  mullerBrown,
  noiseFrom,
  rosenbrock,
} from "./fixtures.js";

describe("findMinima", () => {
  it("finds Himmelblau's four minima (L = 0) with their Hessians", () => {
    const p = makeProblem(himmelblau, {
      domain: [
        [-5, 5],
        [-5, 5],
      ],
    });
    const r = findMinima(p, { seed: 3, starts: 60 });
    // Known minima (closed form for (3,2); the others are roots of a cubic, 6 digits in the literature).
    const known = [
      [3, 2],
      [-2.805118, 3.131312],
      [-3.77931, -3.283186],
      [3.584428, -1.848126],
    ];
    expect(r.minima.length).toBe(4);
    for (const k of known) {
      const m = r.minima.find((q) => dist(q.x, k) < 1e-5);
      expect(m, `minimum near ${k}`).toBeDefined();
      expect(m!.value).toBeLessThan(1e-18);
      expect(m!.converged).toBe(true);
      expect(m!.kind).toBe("minimum");
    }
    // (3,2): Hessian [[74, 20], [20, 34]] exactly; eigenvalues 54 ± sqrt(800).
    const m0 = r.minima.find((q) => dist(q.x, [3, 2]) < 1e-8)!;
    expect(m0.eigenvalues[0]).toBeCloseTo(54 - Math.sqrt(800), 8);
    expect(m0.eigenvalues[1]).toBeCloseTo(54 + Math.sqrt(800), 8);
    // Same loss value but different spectra: four classes of multiplicity 1.
    expect(r.classes.length).toBe(4);
    expect(r.classes.every((c) => c.multiplicity === 1)).toBe(true);
  });

  it("finds Rosenbrock's minimum (1,1) to 1e-8", () => {
    const p = makeProblem(rosenbrock, {
      domain: [
        [-2, 2],
        [-1, 3],
      ],
    });
    const r = findMinima(p, { seed: 1, starts: 10 });
    expect(r.minima.length).toBe(1);
    expect(dist(r.minima[0].x, [1, 1])).toBeLessThan(1e-8);
    // Hessian at (1,1) = [[802,−400],[−400,200]]: eigenvalues 501 ∓ sqrt(301²+400²).
    const s = Math.hypot(301, 400);
    expect(r.minima[0].eigenvalues[0]).toBeCloseTo(501 - s, 6);
    expect(r.minima[0].eigenvalues[1]).toBeCloseTo(501 + s, 6);
  });

  it("5-D symmetric double well: two minima, one class of multiplicity 2, noise reported", () => {
    const d = 5;
    const p = makeProblem(doubleWellND(d), {
      noise: isotropic(d, 0.5),
      lr: 0.1,
      batch: 2,
      domain: Array(d).fill([-2, 2]),
    });
    const r = findMinima(p, { seed: 7, starts: 40 });
    expect(r.minima.length).toBe(2);
    for (const m of r.minima) {
      expect(Math.abs(Math.abs(m.x[0]) - 1)).toBeLessThan(1e-10);
      expect(Math.hypot(...m.x.slice(1))).toBeLessThan(1e-10);
      expect(m.eigenvalues).toEqual([1, 2, 2, 3, 4].map((v) => expect.closeTo(v, 9)));
      expect(m.noise!.traceSigma).toBeCloseTo(2.5, 12);
      expect(m.noise!.traceDiffusion).toBeCloseTo(0.1 * 0.5 * 2.5, 12);
      expect(m.noise!.rank).toBe(5);
      expect(m.noise!.interpolating).toBe(false);
    }
    expect(r.classes.length).toBe(1);
    expect(r.classes[0].multiplicity).toBe(2);
    expect(r.classes[0].locations.map((x) => Math.sign(x[0])).sort()).toEqual([-1, 1]);
  });

  it("Müller–Brown: the three literature minima", () => {
    const p = makeProblem(mullerBrown, {
      domain: [
        [-1.5, 1.2],
        [-0.5, 2],
      ],
    });
    const r = findMinima(p, { seed: 2, starts: 60 });
    // Müller & Brown (1979): values to 2 decimals.
    const known = [
      { x: [-0.558, 1442e-3], v: -146.7 },
      { x: [0.623, 0.028], v: -108.17 },
      { x: [-0.05, 0.467], v: -80.77 },
    ];
    expect(r.minima.length).toBe(3);
    known.forEach((k, i) => {
      expect(dist(r.minima[i].x, k.x)).toBeLessThan(2e-3);
      expect(Math.abs(r.minima[i].value - k.v)).toBeLessThan(0.01);
    });
  });

  it("marks an interpolating minimum (Σ vanishing there) and rank-deficient noise", () => {
    // L = (x²+y²)/2, Σ(x) = diag(x², 0) ·2: zero at the minimum, rank 1 elsewhere.
    const loss = doubleWellND(2, [1]);
    const noise = noiseFrom(2, "matrix", (x, out) => {
      out.fill(0);
      out[0] = 2 * (x[0] - Math.sign(x[0])) ** 2 + 1e-3 * (x[0] > 0 ? 1 : 0);
    });
    const r = findMinima(
      makeProblem(loss, {
        noise,
        domain: [
          [-2, 2],
          [-2, 2],
        ],
      }),
      { seed: 4, starts: 20 },
    );
    const neg = r.minima.find((m) => m.x[0] < 0)!;
    const pos = r.minima.find((m) => m.x[0] > 0)!;
    expect(neg.noise!.interpolating).toBe(true);
    expect(neg.noise!.rank).toBe(0);
    expect(pos.noise!.interpolating).toBe(false);
    expect(pos.noise!.rank).toBe(1);
    // different noise: not symmetric copies
    expect(r.classes.length).toBe(2);
  });
});

describe("search saturation", () => {
  it("hit counts sum to the successful starts; Good–Turing estimate is 0 when every minimum is hit twice or more", () => {
    const p = makeProblem(himmelblau, {
      domain: [
        [-5, 5],
        [-5, 5],
      ],
    });
    const r = findMinima(p, { seed: 3, starts: 60 });
    expect(r.hits.reduce((a, b) => a + b, 0)).toBe(r.starts - r.failed);
    expect(r.hits.every((h) => h >= 2)).toBe(true);
    expect(r.unseenProbability).toBe(0);
    const one = findMinima(p, { startPoints: [[3.1, 2.1]] });
    expect(one.unseenProbability).toBe(1);
  });
});
