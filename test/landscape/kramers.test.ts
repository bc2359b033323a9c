import { describe, expect, it } from "vitest";
import { exitTimeBounds } from "../../src/landscape/bounds.js";
import { findMinima } from "../../src/landscape/critical-points.js";
import { exitTimeFromMinimum, eyringKramers } from "../../src/landscape/kramers.js";
import { findSaddles } from "../../src/landscape/saddles.js";
import { loadReference } from "../reference.js";
import { doubleWell1d, doubleWellND, isotropic, makeProblem, mullerBrown, noiseFrom } from "./fixtures.js";

const ref = loadReference("double-well-met.json") as {
  rows: { eps: number; to_saddle_x_gt_0: number; to_other_min_x_ge_1: number; kramers: number }[];
};

function landscape(p: ReturnType<typeof makeProblem>) {
  const mins = findMinima(p, { seed: 1, starts: 20 }).minima;
  const sad = findSaddles(p, mins).saddles;
  return { mins, sad };
}

describe("Eyring–Kramers", () => {
  it("reference double well: matches the closed form and exact/Kramers → 1 as ε → 0", () => {
    const ratios: number[] = [];
    for (const row of ref.rows) {
      // eps = lr·σ²/(2B) with σ² = 1, B = 1.
      const p = makeProblem(doubleWell1d, {
        noise: isotropic(1, 1),
        lr: 2 * row.eps,
        batch: 1,
        domain: [[-3, 3]],
      });
      const { mins, sad } = landscape(p);
      const m = mins.find((q) => q.x[0] < 0)!;
      const k = eyringKramers(p, m, sad[0]);
      expect(k.regime).toBe("isotropic");
      expect(k.epsilon).toBeCloseTo(row.eps, 14);
      expect(Math.abs(k.time / row.kramers - 1)).toBeLessThan(1e-6);
      expect(k.iterations).toBeCloseTo(k.time / (2 * row.eps), 6);
      expect(k.toSaddle.time).toBeCloseTo(k.time / 2, 9);
      expect(k.exponent).toBeCloseTo(0.25 / row.eps, 12);
      expect(k.applicable).toBe(k.exponent >= 1);
      ratios.push(row.to_other_min_x_ge_1 / k.time);
    }
    // The error is O(ε): it shrinks over the last three rows (halving ε each time) and is < 5% at ε = 0.025.
    const err = ratios.map((r) => Math.abs(r - 1));
    expect(err[2]).toBeLessThan(err[1]);
    expect(err[3]).toBeLessThan(err[2]);
    expect(err[3]).toBeLessThan(0.05);
    // First hitting of the saddle is about half.
    const last = ref.rows[3];
    expect(Math.abs(last.to_saddle_x_gt_0 / (last.kramers / 2) - 1)).toBeLessThan(0.05);
  });

  it("5-D double well, isotropic: prefactor 2π/√2 from the Hessian determinants", () => {
    const d = 5;
    const p = makeProblem(doubleWellND(d), {
      noise: isotropic(d, 1),
      lr: 0.1,
      batch: 2,
      domain: Array(d).fill([-2, 2]),
    });
    const { mins, sad } = landscape(p);
    const eps = (0.1 * 1) / (2 * 2);
    const k = exitTimeFromMinimum(p, mins, 0, sad);
    expect(k.prefactor).toBeCloseTo((2 * Math.PI) / Math.SQRT2, 9);
    expect(k.time / (((2 * Math.PI) / Math.SQRT2) * Math.exp(0.25 / eps)) - 1).toBeLessThan(1e-9);
    expect(k.channels.length).toBe(1);
  });

  it("constant anisotropic noise: reversible (commuting) case uses ΔU = ∫2A⁻¹∇L, non-commuting is not applicable", () => {
    // Separable L(x,y) = x⁴/4 − x²/2 + y²: ∇²L diagonal, commutes with a diagonal A.
    const d = 2;
    const loss = doubleWellND(2, [2]);
    const diag = noiseFrom(
      d,
      "diagonal",
      (_x, o) => {
        o.fill(0);
        o[0] = 0.3;
        o[3] = 2;
      },
      true,
    );
    const p = makeProblem(loss, {
      noise: diag,
      lr: 0.5,
      batch: 1,
      domain: [
        [-2, 2],
        [-2, 2],
      ],
    });
    const { mins, sad } = landscape(p);
    const k = eyringKramers(p, mins[0], sad[0]);
    expect(k.regime).toBe("anisotropic-reversible");
    // A_xx = η·σ_x² = 0.15, ΔU = 2·(1/4)/0.15 exactly (the y-part does not change along the MEP).
    expect(k.exponent).toBeCloseTo((2 * 0.25) / 0.15, 9);
    expect(k.applicable).toBe(true);
    // Müller–Brown with the same diagonal noise: ∇²L does not commute with A.
    const q = makeProblem(mullerBrown, {
      noise: diag,
      lr: 0.5,
      domain: [
        [-1.5, 1.2],
        [-0.5, 2],
      ],
    });
    const L2 = landscape(q);
    const k2 = eyringKramers(q, L2.mins[2], L2.sad[0]);
    expect(k2.regime).toBe("anisotropic-nonreversible");
    expect(k2.applicable).toBe(false);
    expect(k2.why).toMatch(/not reversible/);
  });

  it("interpolating minimum: infinite; rank-deficient noise: not applicable", () => {
    // Σ(x) = (x+1)² vanishes at the left minimum only.
    const noise = noiseFrom(1, "matrix", (x, o) => {
      o[0] = (x[0] + 1) ** 2;
    });
    const p = makeProblem(doubleWell1d, { noise, lr: 0.1, domain: [[-3, 3]] });
    const { mins, sad } = landscape(p);
    const left = mins.find((m) => m.x[0] < 0)!;
    const k = eyringKramers(p, left, sad[0]);
    expect(k.time).toBe(Number.POSITIVE_INFINITY);
    expect(k.infinite).toBe(true);
    expect(k.applicable).toBe(false);
    // Noisy SGD δ > 0 makes it finite again (state-dependent 1-D: quasi-potential).
    const pd = makeProblem(doubleWell1d, { noise, lr: 0.1, delta: 0.02, domain: [[-3, 3]] });
    const kd = eyringKramers(pd, left, sad[0]);
    expect(kd.regime).toBe("quasi-potential-1d");
    expect(Number.isFinite(kd.time)).toBe(true);
    // 2-D, noise only along y: singular at the minimum.
    const ny = noiseFrom(
      2,
      "matrix",
      (_x, o) => {
        o.fill(0);
        o[3] = 1;
      },
      true,
    );
    const q = makeProblem(doubleWellND(2, [1]), {
      noise: ny,
      domain: [
        [-2, 2],
        [-2, 2],
      ],
    });
    const L2 = landscape(q);
    const k2 = eyringKramers(q, L2.mins[0], L2.sad[0]);
    expect(k2.applicable).toBe(false);
    expect(k2.regime).toBe("degenerate");
    expect(Number.isNaN(k2.time)).toBe(true);
  });

  it("1-D state-dependent noise: quasi-potential exponent 2∫L'/A in closed form", () => {
    // Σ(x) = 1 + x², A = η(1 + x²):  Φ = (2/η)∫_{-1}^{0} (x³−x)/(1+x²) dx = (2/η)(ln 2 − 1/2).
    const noise = noiseFrom(1, "matrix", (x, o) => {
      o[0] = 1 + x[0] ** 2;
    });
    const eta = 0.05;
    const p = makeProblem(doubleWell1d, { noise, lr: eta, domain: [[-3, 3]] });
    const { mins, sad } = landscape(p);
    const k = eyringKramers(p, mins.find((m) => m.x[0] < 0)!, sad[0]);
    expect(k.regime).toBe("quasi-potential-1d");
    expect(k.exponent).toBeCloseTo((2 / eta) * (Math.LN2 - 0.5), 9);
    // prefactor 2π/√(2·1)·√(A(0)/A(−1)) = 2π/√2 · √(1/2) = π
    expect(k.prefactor).toBeCloseTo(Math.PI, 9);
  });

  it("1-D state-dependent noise: quasi-potential Kramers / rigorous exact bracket → 1 as η → 0", () => {
    const noise = noiseFrom(1, "matrix", (x, o) => {
      o[0] = 1 + x[0] ** 2;
    });
    const errs: number[] = [];
    for (const eta of [0.1, 0.05, 0.025]) {
      const p = makeProblem(doubleWell1d, { noise, lr: eta, domain: [[-3, 3]] });
      const { mins, sad } = landscape(p);
      const k = eyringKramers(p, mins.find((m) => m.x[0] < 0)!, sad[0]);
      const b = exitTimeBounds(p, { start: -1, absorb: 1, reflect: -3, targetGap: 1e-2 });
      // worst deviation of the ratio over the bracket
      errs.push(Math.max(Math.abs(k.time / b.lower - 1), Math.abs(k.time / b.upper - 1)));
    }
    expect(errs[1]).toBeLessThan(errs[0]);
    expect(errs[2]).toBeLessThan(errs[1]);
    expect(errs[2]).toBeLessThan(0.06);
  });
});
