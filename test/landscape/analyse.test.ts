import { describe, expect, it } from "vitest";
import { analyseLandscape } from "../../src/landscape/index.js";
import { problemFromSpec } from "../../src/problem/index.js";
import { loadReference } from "../reference.js";

const ref = loadReference("double-well-met.json") as {
  rows: { eps: number; kramers: number }[];
};

describe("analyseLandscape on problem files", () => {
  it("double well from a spec: symmetric pair, saddle, Kramers = reference, density verdict", () => {
    const p = problemFromSpec({
      name: "dw",
      loss: "x^4/4 - x^2/2",
      noise: { isotropic: 1 },
      lr: 0.2,
      batch: 1,
      domain: [[-3, 3]],
    });
    const r = analyseLandscape(p, { minima: { seed: 1, starts: 10 }, basinGrid: 61 });
    expect(r.minima.length).toBe(2);
    expect(r.classes.length).toBe(1);
    expect(r.classes[0].multiplicity).toBe(2);
    expect(r.saddles.length).toBe(1);
    expect(Math.abs(r.saddles[0].x[0])).toBeLessThan(1e-9);
    const row = ref.rows.find((q) => q.eps === 0.1)!; // ε = ησ²/(2B) = 0.1
    for (const k of r.kramers) expect(Math.abs(k.time / row.kramers - 1)).toBeLessThan(1e-6);
    expect(r.verdict.limit).toBe("density");
    expect(r.basins!.fractions[0]).toBeCloseTo(30 / 61, 12);
    expect(JSON.parse(JSON.stringify({ ...r, basins: undefined })).minima.length).toBe(2);
  });

  it("finite sum with an interpolating minimum (empirical noise): infinite exit, point-mass verdict", () => {
    // ℓ₁,₂ = (x²−1)²/4 ± 0.2(x−1)²: L = (x²−1)²/4, Σ = 0.16(x−1)² vanishes at x = 1 only.
    const p = problemFromSpec({
      name: "interp",
      loss: { samples: ["(x^2-1)^2/4 + 0.2*(x-1)^2", "(x^2-1)^2/4 - 0.2*(x-1)^2"] },
      noise: "empirical",
      lr: 0.1,
      batch: 1,
      domain: [[-3, 3]],
    });
    const r = analyseLandscape(p, { minima: { seed: 2, starts: 10 } });
    const right = r.minima.findIndex((m) => m.x[0] > 0);
    const left = 1 - right;
    expect(r.minima[right].noise!.interpolating).toBe(true);
    expect(r.minima[left].noise!.interpolating).toBe(false);
    expect(r.minima[left].noise!.traceSigma).toBeCloseTo(0.64, 9);
    expect(r.kramers[right].time).toBe(Number.POSITIVE_INFINITY);
    expect(r.kramers[left].regime).toBe("quasi-potential-1d");
    // Φ = ∫_{-1}^{0} 2L'/A with A = η·0.16(x−1)², L' = x³ − x = x(x−1)(x+1):
    // 2x(x+1)/(0.016(x−1)) integrated from −1 to 0 (closed form below).
    const F = (x: number) => (2 / 0.016) * ((x * x) / 2 + 2 * x + 2 * Math.log(1 - x));
    expect(r.kramers[left].exponent).toBeCloseTo(F(0) - F(-1), 8);
    expect(r.ou[right].collapses).toBe(true);
    expect(r.verdict.limit).toBe("point-masses");
    expect(r.verdict.atoms).toEqual([right]);
  });
});
