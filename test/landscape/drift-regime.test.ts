import { describe, expect, it } from "vitest";
import { findMinima } from "../../src/landscape/critical-points.js";
import { driftRegime } from "../../src/landscape/drift-regime.js";
import { makeRng } from "../../src/landscape/util.js";
import { doubleWell1d, isotropic, makeProblem } from "./fixtures.js";

describe("drift regime", () => {
  it("1-D double well: mass split and (1−δ)-quantile entry times match the closed-form flow", () => {
    // ẋ = x − x³ has x(t)² = 1/(1 + (1/x0² − 1) e^{−2t}); |x(t)| reaches 1 − r at
    // t = ½ ln((1/x0² − 1)/(1/(1−r)² − 1)) for 0 < |x0| < 1 − r (and symmetric above 1 + r).
    const p = makeProblem(doubleWell1d, { noise: isotropic(1, 1), lr: 0.05, domain: [[-2, 2]] });
    const mins = findMinima(p, { seed: 1, starts: 10 }).minima;
    const rng = makeRng(5);
    const n = 400;
    const xs = new Float64Array(n);
    for (let i = 0; i < n; i++) xs[i] = -0.6 + 1.4 * rng(); // in (−0.6, 0.8): inside |x| < 1 − r
    const r = 0.05;
    const delta = 0.1;
    const res = driftRegime(p, xs, mins, { radius: r, fraction: delta });
    const tExact = (x0: number) => 0.5 * Math.log((1 / (x0 * x0) - 1) / (1 / (1 - r) ** 2 - 1));
    for (const b of res.basins) {
      const sign = Math.sign(mins[b.minimum].x[0]);
      const mine = Array.from(xs).filter((x) => Math.sign(x) === sign);
      expect(b.count).toBe(mine.length);
      expect(b.mass).toBeCloseTo(mine.length / n, 12);
      const times = mine.map(tExact).sort((a, c) => a - c);
      const q = times[Math.ceil((1 - delta) * times.length) - 1];
      // RK3(2) with rtol 1e-6: relative error ≪ 1e-3
      expect(Math.abs(b.time / q - 1)).toBeLessThan(1e-3);
      expect(b.iterations).toBeCloseTo(b.time / 0.05, 6);
      // OU spread: ε/L''(±1) with A = ησ² → S = ησ²/(2·2)
      expect(b.spread).toBeCloseTo(Math.sqrt(0.05 / 4), 12);
      expect(b.radiusBelowSpread).toBe(true);
    }
    // every per-sample entry time matches the closed form
    for (let i = 0; i < n; i += 37) expect(res.entryTimes[i]).toBeCloseTo(tExact(xs[i]), 3);
    expect(res.unlabelled).toBe(0);
  });
});
