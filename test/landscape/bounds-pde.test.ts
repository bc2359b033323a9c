import { describe, expect, it } from "vitest";
import { exitTimeBounds } from "../../src/landscape/bounds.js";
import { exactExitTimeEstimate, pdeExitTimeEstimate } from "../../src/pde/estimates.js";
import { problemFromSpec } from "../../src/problem/index.js";

// Every noise model that is non-degenerate on the escape interval, both escape directions.
const cases = [
  {
    spec: { name: "iso", loss: "x^4/4 - x^2/2", noise: { isotropic: 1 }, lr: 0.1, batch: 1 },
    from: -1,
    to: "x > 0",
    ab: 0,
  },
  {
    spec: { name: "iso-far", loss: "x^4/4 - x^2/2", noise: { isotropic: 1 }, lr: 0.2, batch: 1 },
    from: -1,
    to: "x >= 1",
    ab: 1,
  },
  {
    spec: {
      name: "tilted-left",
      loss: "x^4/4 - x^2/2 + 0.1*x",
      noise: { isotropic: 0.5 },
      lr: 0.3,
      batch: 1,
    },
    from: 1,
    to: "x < -0.5",
    ab: -0.5,
  },
  {
    spec: { name: "loss-noise", loss: "x^4/4 - x^2/2 + 0.5", noise: { loss: 1 }, lr: 0.3, batch: 1 },
    from: -1,
    to: "x > 0",
    ab: 0,
  },
  {
    spec: {
      name: "hessian-noise+δ",
      loss: "x^4/4 - x^2/2",
      noise: { hessian: 1 },
      lr: 0.2,
      delta: 0.03,
      batch: 2,
    },
    from: -1,
    to: "x >= 1",
    ab: 1,
  },
  {
    spec: {
      name: "matrix-noise",
      loss: "x^4/4 - x^2/2 + 0.15*x",
      noise: { matrix: [["1 + sin(3*x)^2 + 0.5*x^2"]] },
      lr: 0.08,
      batch: 1,
    },
    from: -1,
    to: "x > 0.9",
    ab: 0.9,
  },
];

describe("1-D bounds bracket the exact quadrature and the refined PDE value", () => {
  it.each(cases)("$spec.name", (c) => {
    const p = problemFromSpec({ ...c.spec, domain: [[-3, 3]] });
    const b = exitTimeBounds(p, { start: c.from, absorb: c.ab, targetGap: 1e-2 });
    expect(b.relativeGap).toBeLessThan(1e-2);
    // pde/exact-1d.ts: an independent quadrature of the same formula (error estimate ≪ gap)
    const ex = exactExitTimeEstimate(p, [c.from], c.to, { cells: 40000 });
    expect(ex.error_estimate).toBeLessThan(1e-3 * (b.upper - b.lower));
    expect(ex.time).toBeGreaterThanOrEqual(b.lower);
    expect(ex.time).toBeLessThanOrEqual(b.upper);
    // the discrete generator on a fine grid (its own error estimate is below the gap there)
    const pde = pdeExitTimeEstimate(p, [c.from], c.to, { grid: 4001 });
    expect(pde.error_estimate!).toBeLessThan(0.5 * (b.upper - b.lower));
    expect(pde.time!).toBeGreaterThanOrEqual(b.lower);
    expect(pde.time!).toBeLessThanOrEqual(b.upper);
  });
});
