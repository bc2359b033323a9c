import { describe, expect, it } from "vitest";
import { findMinima } from "../../src/landscape/critical-points.js";
import { findSaddles } from "../../src/landscape/saddles.js";
import { dist } from "../../src/landscape/util.js";
import { doubleWellND, himmelblau, makeLoss, makeProblem, mullerBrown } from "./fixtures.js";

describe("findSaddles", () => {
  it("Müller–Brown: both literature saddles, barriers and the MEP through the intermediate minimum", () => {
    const p = makeProblem(mullerBrown, {
      domain: [
        [-1.5, 1.2],
        [-0.5, 2],
      ],
    });
    const mins = findMinima(p, { seed: 2, starts: 40 }).minima; // A (−146.70), C (−108.17), B (−80.77)
    const r = findSaddles(p, mins);
    expect(r.saddles.length).toBe(2);
    // Müller & Brown (1979); values to 2 decimals, positions to 3.
    const s1 = r.saddles.find((s) => dist(s.x, [-0.822, 0.624]) < 2e-3)!;
    const s2 = r.saddles.find((s) => dist(s.x, [0.212, 0.293]) < 2e-3)!;
    expect(s1).toBeDefined();
    expect(s2).toBeDefined();
    expect(Math.abs(s1.value + 40.66)).toBeLessThan(0.01);
    expect(Math.abs(s2.value + 72.25)).toBeLessThan(0.01);
    for (const s of [s1, s2]) {
      expect(s.index).toBe(1);
      expect(s.gradNorm).toBeLessThan(1e-7);
    }
    // S1 joins A (0) and B (2); S2 joins B (2) and C (1).
    expect([...s1.connects].sort()).toEqual([0, 2]);
    expect([...s2.connects].sort()).toEqual([1, 2]);
    // Barriers out of each minimum over its lowest saddle.
    expect(r.lowest[0]!.height).toBeCloseTo(-40.665 + 146.7, 1);
    expect(r.lowest[2]!.height).toBeCloseTo(-72.249 + 80.768, 1);
    expect(r.lowest[1]!.height).toBeCloseTo(-72.249 + 108.167, 1);
    // The MEP is a steepest-descent curve: the profile rises monotonically to the saddle and falls after.
    for (const s of [s1, s2]) {
      const v = s.path.values;
      const k = s.path.saddleIndex;
      for (let i = 1; i <= k; i++) expect(v[i]).toBeGreaterThanOrEqual(v[i - 1] - 1e-9);
      for (let i = k + 1; i < v.length; i++) expect(v[i]).toBeLessThanOrEqual(v[i - 1] + 1e-9);
      expect(Math.max(...v)).toBeCloseTo(s.value, 9);
      const ends = [s.path.points[0], s.path.points[s.path.points.length - 1]];
      expect(dist(ends[0], mins[s.connects[0]].x)).toBeLessThan(1e-9);
      expect(dist(ends[1], mins[s.connects[1]].x)).toBeLessThan(1e-9);
    }
  });

  it("Himmelblau: the four saddles between the four minima", () => {
    const p = makeProblem(himmelblau, {
      domain: [
        [-5, 5],
        [-5, 5],
      ],
    });
    const mins = findMinima(p, { seed: 3, starts: 40 }).minima;
    const r = findSaddles(p, mins);
    // Saddles of Himmelblau's function (roots of ∇L = 0 with index 1), values = L at those positions.
    const known = [
      { x: [0.08668, 2.8843], v: 67.72 },
      { x: [-3.07303, -0.08135], v: 104.02 },
      { x: [3.38515, 0.07385], v: 13.31 },
      { x: [-0.12796, -1.95371], v: 178.34 },
    ];
    expect(r.saddles.length).toBe(4);
    for (const k of known) {
      const s = r.saddles.find((q) => dist(q.x, k.x) < 1e-4);
      expect(s, `saddle near ${k.x}`).toBeDefined();
      expect(Math.abs(s!.value - k.v)).toBeLessThan(0.01);
    }
  });

  it("5-D double well: saddle at the origin, barrier 1/4 both ways, Hessian spectrum (−1, 1..4)", () => {
    const d = 5;
    const p = makeProblem(doubleWellND(d), { domain: Array(d).fill([-2, 2]) });
    const mins = findMinima(p, { seed: 1, starts: 20 }).minima;
    const r = findSaddles(p, mins);
    expect(r.saddles.length).toBe(1);
    expect(Math.hypot(...r.saddles[0].x)).toBeLessThan(1e-10);
    expect(r.saddles[0].eigenvalues[0]).toBeCloseTo(-1, 10);
    expect(r.barriers.length).toBe(2);
    for (const b of r.barriers) expect(b.height).toBeCloseTo(0.25, 12);
  });
});

describe("symmetric saddles", () => {
  it("L = (x²−1)²/4 + (y²−1)²/4: four minima ×4 and four saddles ×4 in one class each", () => {
    const loss = makeLoss(
      2,
      (v) => (v[0] ** 2 - 1) ** 2 / 4 + (v[1] ** 2 - 1) ** 2 / 4,
      (v, g) => {
        g[0] = v[0] ** 3 - v[0];
        g[1] = v[1] ** 3 - v[1];
      },
      (v, h) => {
        h[0] = 3 * v[0] ** 2 - 1;
        h[1] = h[2] = 0;
        h[3] = 3 * v[1] ** 2 - 1;
      },
    );
    const p = makeProblem(loss, {
      domain: [
        [-2, 2],
        [-2, 2],
      ],
    });
    const m = findMinima(p, { seed: 4, starts: 40 });
    expect(m.minima.length).toBe(4);
    expect(m.classes.length).toBe(1);
    expect(m.classes[0].multiplicity).toBe(4);
    const r = findSaddles(p, m.minima);
    // saddles (0, ±1), (±1, 0): spectrum (−1, 2), barrier 1/4; the maximum (0,0) is not an index-1 saddle
    expect(r.saddles.length).toBe(4);
    expect(r.classes.length).toBe(1);
    expect(r.classes[0].multiplicity).toBe(4);
    for (const s of r.saddles) {
      expect(s.eigenvalues[0]).toBeCloseTo(-1, 9);
      expect(s.eigenvalues[1]).toBeCloseTo(2, 9);
    }
    for (const b of r.barriers) expect(b.height).toBeCloseTo(0.25, 12);
    expect(r.barriers.length).toBe(8);
  });
});

describe("two channels between the same pair", () => {
  it("ring L = (r² − 1)² − 0.2x²: the straight band hits the central maximum, bent bands find both saddles", () => {
    // L = (x² + y² − 1)² − 0.2x²: minima (±√1.1, 0); saddles (0, ±1) with L = 0; the centre (0,0) is a maximum (L = 1).
    const loss = makeLoss(
      2,
      (v) => (v[0] ** 2 + v[1] ** 2 - 1) ** 2 - 0.2 * v[0] ** 2,
      (v, g) => {
        const q = v[0] ** 2 + v[1] ** 2 - 1;
        g[0] = 4 * q * v[0] - 0.4 * v[0];
        g[1] = 4 * q * v[1];
      },
      (v, h) => {
        const q = v[0] ** 2 + v[1] ** 2 - 1;
        h[0] = 4 * q + 8 * v[0] ** 2 - 0.4;
        h[1] = h[2] = 8 * v[0] * v[1];
        h[3] = 4 * q + 8 * v[1] ** 2;
      },
    );
    const p = makeProblem(loss, {
      domain: [
        [-2, 2],
        [-2, 2],
      ],
    });
    const m = findMinima(p, { seed: 1, starts: 30 });
    expect(m.minima.length).toBe(2);
    expect(Math.abs(m.minima[0].x[0])).toBeCloseTo(Math.sqrt(1.1), 9);
    const r = findSaddles(p, m.minima);
    expect(r.saddles.length).toBe(2);
    for (const s of r.saddles) {
      expect(Math.abs(s.x[0])).toBeLessThan(1e-9);
      expect(Math.abs(s.x[1])).toBeCloseTo(1, 9);
      expect(s.value).toBeCloseTo(0, 12);
    }
    expect(r.classes[0].multiplicity).toBe(2);
    // barrier L(z) − L(m) = 0 − L(m) = 0.21
    expect(r.lowest[0]!.height).toBeCloseTo(0.21, 9);
    expect(r.log.some((l) => /band top polished to index 2/.test(l.status))).toBe(true);
  });
});
