import { describe, expect, it } from "vitest";
import { findMinima } from "../../src/landscape/critical-points.js";
import { findSaddles } from "../../src/landscape/saddles.js";
import { dist } from "../../src/landscape/util.js";
import { verdictFromLandscape } from "../../src/landscape/verdict.js";
import { solveDense } from "../../src/linalg/dense.js";
import { problemFromSpec } from "../../src/problem/index.js";
import { gaussianDesign } from "../../src/problem/models/index.js";

describe("data-driven models (d = tens)", () => {
  it("phase retrieval, d = 10: the planted ±x* found from starts around ±init, one class of multiplicity 2, interpolating", () => {
    const spec = {
      name: "phase",
      loss: { model: "phase-retrieval", data: { generate: "gaussian", n: 80, dim: 10, seed: 3, noise: 0 } },
      noise: "empirical",
      lr: 0.01,
      batch: 8,
    };
    const p = problemFromSpec(spec);
    const planted = gaussianDesign(80, 10, 3, 0, "phase").planted!;
    const r = findMinima(p, { around: [p.start!, p.start!.map((v) => -v)], spread: 1, starts: 16, seed: 5 });
    const plus = r.minima.find((m) => dist(m.x, planted) < 1e-8);
    const minus = r.minima.find(
      (m) =>
        dist(
          m.x,
          Array.from(planted, (v) => -v),
        ) < 1e-8,
    );
    expect(plus).toBeDefined();
    expect(minus).toBeDefined();
    expect(plus!.value).toBeLessThan(1e-20);
    expect(plus!.noise!.interpolating).toBe(true);
    const cls = r.classes.find((c) => c.members.includes(r.minima.indexOf(plus!)))!;
    expect(cls.multiplicity).toBe(2);
    expect(cls.members).toContain(r.minima.indexOf(minus!));
    // Global minima are interpolating: the verdict (δ = 0) puts point masses there.
    const v = verdictFromLandscape(p, r.minima);
    expect(["point-masses", "mixture"]).toContain(v.limit);
    expect(v.atoms).toContain(r.minima.indexOf(plus!));
  });

  it("linear regression, 30 features + intercept, N = 200: the least-squares solution, Σ of full rank", () => {
    const spec = {
      name: "lin",
      loss: { model: "linear", data: { generate: "gaussian", n: 200, dim: 30, seed: 2, noise: 0.3 } },
      noise: "empirical",
      lr: 0.01,
      batch: 10,
    };
    const p = problemFromSpec(spec);
    const data = gaussianDesign(200, 30, 2, 0.3, "linear");
    // normal equations ÃᵀÃ w = Ãᵀy with Ã = [X, 1] (the model appends an intercept; the loss scale
    // does not change the minimiser)
    const d = 31;
    expect(p.dim).toBe(d);
    const row = (i: number, a: number) => (a < 30 ? data.X[i * 30 + a] : 1);
    const XtX = new Float64Array(d * d);
    const Xty = new Float64Array(d);
    for (let i = 0; i < 200; i++) {
      for (let a = 0; a < d; a++) {
        Xty[a] += row(i, a) * data.y[i];
        for (let b = 0; b < d; b++) XtX[a * d + b] += row(i, a) * row(i, b);
      }
    }
    const w = solveDense(XtX, d, Xty);
    const r = findMinima(p, { around: [p.start!], spread: 0.5, starts: 3, seed: 1 });
    expect(r.minima.length).toBe(1);
    expect(dist(r.minima[0].x, w)).toBeLessThan(1e-9 * Math.max(1, Math.hypot(...w)));
    expect(r.minima[0].noise!.rank).toBe(31);
    expect(r.minima[0].noise!.interpolating).toBe(false);
    expect(findSaddles(p, r.minima).saddles.length).toBe(0);
  });
});

describe("unbounded domain defaults", () => {
  it("phase retrieval with no start options: clouds around ±start find both planted minima", () => {
    const p = problemFromSpec({
      name: "phase",
      loss: { model: "phase-retrieval", data: { generate: "gaussian", n: 60, dim: 6, seed: 8, noise: 0 } },
      noise: "empirical",
      lr: 0.01,
      batch: 4,
    });
    const planted = gaussianDesign(60, 6, 8, 0, "phase").planted!;
    const r = findMinima(p);
    expect(r.minima.some((m) => dist(m.x, planted) < 1e-8)).toBe(true);
    expect(
      r.minima.some(
        (m) =>
          dist(
            m.x,
            Array.from(planted, (v) => -v),
          ) < 1e-8,
      ),
    ).toBe(true);
  });
});
