import { describe, expect, it } from "vitest";
import { exitTimeBounds } from "../../src/landscape/bounds.js";
import { loadReference } from "../reference.js";
import { doubleWell1d, isotropic, loss1d, makeProblem, noiseFrom } from "./fixtures.js";

const ref = loadReference("double-well-met.json") as {
  rows: { eps: number; to_saddle_x_gt_0: number; to_other_min_x_ge_1: number }[];
};
// The reference values themselves carry < 1e-4 relative error (their "how" field).
const REF_TOL = 1e-4;

/** Independent exact MET: composite Simpson for the inner and outer integrals of DESIGN.md §1. */
function exactMet(
  L: (x: number) => number,
  dL: (x: number) => number,
  A: (x: number) => number,
  alpha: number,
  x0: number,
  beta: number,
  n = 200000,
) {
  // ψ by Simpson on the same grid, then T = ∫_{x0}^{β} e^ψ ∫_α^z 2/(A e^ψ).
  const h = (beta - alpha) / n;
  const xs = Array.from({ length: n + 1 }, (_, i) => alpha + i * h);
  const g = xs.map((x) => (2 * dL(x)) / A(x));
  const psi = new Float64Array(n + 1);
  for (let i = 1; i <= n; i++) {
    const xm = xs[i - 1] + h / 2;
    psi[i] = psi[i - 1] + (h / 6) * (g[i - 1] + 4 * ((2 * dL(xm)) / A(xm)) + g[i]);
  }
  const m = xs.map((x, i) => 2 / (A(x) * Math.exp(psi[i])));
  const F = new Float64Array(n + 1);
  for (let i = 1; i <= n; i++) F[i] = F[i - 1] + (h / 2) * (m[i - 1] + m[i]);
  const i0 = Math.round((x0 - alpha) / h);
  let T = 0;
  for (let i = i0; i < n; i++) T += (h / 2) * (Math.exp(psi[i]) * F[i] + Math.exp(psi[i + 1]) * F[i + 1]);
  void L;
  return T;
}

describe("exit-time bounds (1-D)", () => {
  it("bracket the reference double-well METs at every noise level (to the saddle and to the other minimum)", () => {
    for (const row of ref.rows) {
      const p = makeProblem(doubleWell1d, {
        noise: isotropic(1, 1),
        lr: 2 * row.eps,
        batch: 1,
        domain: [[-3, 3]],
      });
      for (const [absorb, val] of [
        [0, row.to_saddle_x_gt_0],
        [1, row.to_other_min_x_ge_1],
      ]) {
        const b = exitTimeBounds(p, {
          start: -1,
          absorb,
          reflect: Number.NEGATIVE_INFINITY,
          targetGap: 1e-3,
        });
        expect(b.lower).toBeLessThanOrEqual(val * (1 + REF_TOL));
        expect(b.upper).toBeGreaterThanOrEqual(val * (1 - REF_TOL));
        expect(b.relativeGap).toBeLessThan(1e-3);
        expect(b.iterations.upper).toBeCloseTo(b.upper / (2 * row.eps), 6);
      }
    }
  });

  it("pure diffusion on (0, l), reflecting at 0: (l² − x²)/(2D) is bracketed", () => {
    const zero = loss1d(
      () => 0,
      () => 0,
      () => 0,
    );
    const D = 0.7;
    // A = η σ²/B = 2D with η = 1, σ² = 2D
    const p = makeProblem(zero, { noise: isotropic(1, 2 * D), lr: 1, domain: [[0, 2]] });
    for (const x of [0.1, 0.5, 1.5]) {
      const exact = (4 - x * x) / (2 * D);
      const b = exitTimeBounds(p, { start: x, absorb: 2, cells: 1000, targetGap: 1 });
      expect(b.lower).toBeLessThanOrEqual(exact);
      expect(b.upper).toBeGreaterThanOrEqual(exact);
      expect(b.relativeGap).toBeLessThan(1e-2);
    }
  });

  it("tilted well with state-dependent noise, both directions: brackets an independent Simpson solution", () => {
    const f = (x: number) => x ** 4 / 4 - x ** 2 / 2 + 0.15 * x;
    const f1 = (x: number) => x ** 3 - x + 0.15;
    const f2 = (x: number) => 3 * x ** 2 - 1;
    const loss = loss1d(f, f1, f2);
    const sig = (x: number) => 1 + Math.sin(3 * x) ** 2 + 0.5 * x * x;
    const noise = noiseFrom(1, "matrix", (x, o) => {
      o[0] = sig(x[0]);
    });
    const eta = 0.08;
    const delta = 0.01;
    const p = makeProblem(loss, { noise, lr: eta, delta, domain: [[-2.5, 2.5]] });
    const A = (x: number) => eta * sig(x) + 2 * delta;
    // minima of f near −1.07 and 0.92; local max near 0.15
    const right = exitTimeBounds(p, { start: -1, absorb: 0.9 });
    const exactR = exactMet(f, f1, A, -2.5, -1, 0.9);
    expect(right.lower).toBeLessThanOrEqual(exactR * (1 + 1e-7));
    expect(right.upper).toBeGreaterThanOrEqual(exactR * (1 - 1e-7));
    expect(right.relativeGap).toBeLessThan(1e-2);
    // Escape to the left from the right minimum, reflecting at the right domain edge (mirrored internally).
    const left = exitTimeBounds(p, { start: 0.9, absorb: -1 });
    const g = (u: number) => f(-u);
    const g1 = (u: number) => -f1(-u);
    const exactL = exactMet(g, g1, (u) => A(-u), -2.5, -0.9, 1);
    expect(left.lower).toBeLessThanOrEqual(exactL * (1 + 1e-7));
    expect(left.upper).toBeGreaterThanOrEqual(exactL * (1 - 1e-7));
    expect(left.reflect).toBe(2.5);
  });

  it("refinement keeps the bracket nested", () => {
    const p = makeProblem(doubleWell1d, { noise: isotropic(1, 1), lr: 0.2, domain: [[-3, 3]] });
    const a = exitTimeBounds(p, { start: -1, absorb: 0.5, cells: 2000, targetGap: 1 });
    const b = exitTimeBounds(p, { start: -1, absorb: 0.5, cells: 8000, targetGap: 1 });
    expect(b.lower).toBeGreaterThanOrEqual(a.lower);
    expect(b.upper).toBeLessThanOrEqual(a.upper);
    expect(b.relativeGap).toBeLessThan(a.relativeGap / 3);
  });
});
