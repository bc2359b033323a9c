import { describe, expect, it } from "vitest";
import { basinOf, labelGrid, labelSamples } from "../../src/landscape/basins.js";
import { findMinima } from "../../src/landscape/critical-points.js";
import { captureRadii, gradientFlow } from "../../src/landscape/flow.js";
import { findSaddles } from "../../src/landscape/saddles.js";
import { dist } from "../../src/landscape/util.js";
import { Rng } from "../../src/random/rng.js";
import { doubleWell1d, doubleWellND, makeProblem, mullerBrown } from "./fixtures.js";

/** Independent labelling: explicit Euler with step h, displacement capped at h, then nearest minimum. */
function eulerLabel(
  grad: (x: Float64Array, g: Float64Array) => void,
  x0: number[],
  mins: number[][],
  h: number,
  steps: number,
) {
  const x = Float64Array.from(x0);
  const g = new Float64Array(x.length);
  for (let k = 0; k < steps; k++) {
    grad(x, g);
    const s = Math.min(h, h / Math.hypot(...g));
    for (let i = 0; i < x.length; i++) x[i] -= s * g[i];
  }
  let best = -1;
  let bd = Infinity;
  mins.forEach((m, i) => {
    const r = dist(m, x);
    if (r < bd) {
      bd = r;
      best = i;
    }
  });
  return bd < 1e-3 ? best : -1;
}

describe("basins", () => {
  it("1-D double well grid: label = sign(x), the saddle node unlabelled", () => {
    const p = makeProblem(doubleWell1d, { domain: [[-2, 2]] });
    const mins = findMinima(p, { seed: 1, starts: 10 }).minima;
    const g = labelGrid(p, mins, { n: 81 });
    const neg = mins.findIndex((m) => m.x[0] < 0);
    for (let i = 0; i < 81; i++) {
      const x = -2 + (4 * i) / 80;
      if (i === 40) expect(g.labels[i]).toBe(-1);
      else expect(g.labels[i]).toBe(x < 0 ? neg : 1 - neg);
    }
    expect(g.fractions[0]).toBeCloseTo(40 / 81, 12);
  });

  it("Müller–Brown grid labels agree with a displacement-capped Euler flow", () => {
    const p = makeProblem(mullerBrown, {
      domain: [
        [-1.5, 1.2],
        [-0.5, 2],
      ],
    });
    const mins = findMinima(p, { seed: 2, starts: 40 }).minima;
    const sad = findSaddles(p, mins).saddles;
    const g = labelGrid(p, mins, { n: [11, 11], saddles: sad });
    const grad = (x: Float64Array, out: Float64Array) => mullerBrown.gradient(x, out);
    let agree = 0;
    let total = 0;
    for (let i = 0; i < 11; i++) {
      for (let j = 0; j < 11; j++) {
        const x0 = [-1.5 + (2.7 * i) / 10, -0.5 + (2.5 * j) / 10];
        const ref = eulerLabel(
          grad,
          x0,
          mins.map((m) => m.x),
          3e-4,
          15000,
        );
        total++;
        if (ref === g.labels[i * 11 + j]) agree++;
      }
    }
    // A node exactly on a separatrix could differ; on this grid none is.
    expect(agree).toBe(total);
    expect(new Set(g.labels).size).toBe(3);
    expect(g.fractions.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it("5-D double well samples: basin = sign(x1), mass split matches the sample fraction", () => {
    const d = 5;
    const p = makeProblem(doubleWellND(d), { domain: Array(d).fill([-2, 2]) });
    const mins = findMinima(p, { seed: 1, starts: 10 }).minima;
    const rng = new Rng(9);
    const n = 300;
    const xs = new Float64Array(n * d);
    let pos = 0;
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < d; i++) xs[j * d + i] = 0.3 + 2 * (rng.uniform() - 0.5) * (i === 0 ? 1.5 : 1);
      if (xs[j * d] > 0) pos++;
    }
    const r = labelSamples(p, xs, mins);
    const ip = mins.findIndex((m) => m.x[0] > 0);
    for (let j = 0; j < n; j++) expect(r.labels[j]).toBe(xs[j * d] > 0 ? ip : 1 - ip);
    expect(r.mass[ip]).toBeCloseTo(pos / n, 12);
    expect(basinOf(p, [-0.01, 1, 1, 1, 1], mins)).toBe(1 - ip);
  });

  it("a point on a saddle's stable manifold flows to the saddle (label −1) in few steps", () => {
    // L = (x²−1)²/4 + y²: from (0, 0.7) the flow runs down the y-axis into the saddle (0, 0).
    const p = makeProblem(doubleWellND(2, [2]), {
      domain: [
        [-2, 2],
        [-2, 2],
      ],
    });
    const centres = [
      [-1, 0],
      [1, 0],
    ];
    const x = Float64Array.from([0, 0.7]);
    const r = gradientFlow(p.loss, x, { centres, radii: captureRadii(centres) }, { lengthScale: 5.6 });
    expect(r.label).toBe(-1);
    expect(Math.hypot(x[0], x[1])).toBeLessThan(1e-8);
    expect(r.steps).toBeLessThan(500);
  });
});
