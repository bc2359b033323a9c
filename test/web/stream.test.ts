/**
 * The streamed clouds of bench.html (web/src/stream.ts): stepping a little at a time from the previous positions
 * must give the law of the dynamics. On L = a x²/2 with isotropic noise σ² (B = 1), SGD is the AR(1) recursion
 * x ← (1 − ηa)x + ησz and Euler–Maruyama with dt = η/10 is x ← (1 − a dt)x + √(η dt)σz, so after k steps from
 * x₀ the mean is ρᵏx₀ and the variance s²(1 − ρ²ᵏ)/(1 − ρ²) (closed forms, not the code's own numbers).
 */
import { describe, expect, it } from "vitest";
import { buildProblem } from "../../web/src/spec.js";
import { ParticleStream, SDE_SUBSTEPS } from "../../web/src/stream.js";

const text = (loss: string) =>
  `name: q\nloss: "${loss}"\nnoise: { isotropic: 1 }\nlr: 0.1\nbatch: 1\ndomain: [[-5, 5]]\n`;

function moments(x: Float32Array) {
  let s = 0;
  let s2 = 0;
  for (const v of x) s += v;
  const mean = s / x.length;
  for (const v of x) s2 += (v - mean) ** 2;
  return { mean, variance: s2 / (x.length - 1) };
}

describe("streamed particle clouds", () => {
  it("SGD and the SDE stepped update by update follow their closed-form laws on a quadratic", () => {
    const a = 2;
    const eta = 0.1;
    const p = buildProblem(
      text(`${a / 2}*x^2`),
      { lr: eta, batch: 1, delta: 0, noise: "isotropic:1" },
      null,
      "",
    );
    const m = 20_000;
    const s = new ParticleStream(p, [1.5], "sde", m, 7, 2);
    const sgd = new Float32Array(m);
    const sde = new Float32Array(m);
    const U = 6;
    for (let u = 0; u < U; u++) s.step(sgd, sde);
    expect(s.time).toBeCloseTo(U * 2 * eta, 12);
    const law = (rho: number, s2: number, k: number) => ({
      mean: rho ** k * 1.5,
      variance: (s2 * (1 - rho ** (2 * k))) / (1 - rho ** 2),
    });
    const dt = eta / SDE_SUBSTEPS;
    for (const [x, want] of [
      [sgd, law(1 - eta * a, eta * eta, U * 2)],
      [sde, law(1 - dt * a, eta * dt, U * 2 * SDE_SUBSTEPS)],
    ] as const) {
      const got = moments(x);
      // 4 standard errors of the mean; the variance's relative standard error is √(2/m) = 1%
      expect(Math.abs(got.mean - want.mean)).toBeLessThan(4 * Math.sqrt(want.variance / m));
      expect(Math.abs(got.variance / want.variance - 1)).toBeLessThan(4 * Math.sqrt(2 / m));
    }
    expect(s.diverged).toEqual({ sgd: 0, second: 0 });
  });

  it("same seed → same positions; diverged particles stay NaN and are counted", () => {
    const p = buildProblem(text("x^4"), { lr: 0.9, batch: 1, delta: 0, noise: "isotropic:1" }, null, "");
    const run = () => {
      const s = new ParticleStream(p, [3], "gd", 200, 3);
      const a = new Float32Array(200);
      const b = new Float32Array(200);
      for (let u = 0; u < 5; u++) s.step(a, b);
      return { a, b, div: s.diverged };
    };
    const r1 = run();
    const r2 = run();
    expect(Array.from(r1.a)).toEqual(Array.from(r2.a));
    // GD from x = 3 with η = 0.9 on x⁴: x − 0.9·4·27 = −94.2, then beyond any bound → all diverge
    expect(r1.div.second).toBe(200);
    expect(r1.b.every((v) => Number.isNaN(v))).toBe(true);
    expect(r1.div.sgd).toBe(r1.a.filter((v) => Number.isNaN(v)).length);
    expect(r1.div.sgd).toBeGreaterThan(150);
  });
});
