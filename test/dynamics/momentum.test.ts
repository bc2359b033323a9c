/**
 * Heavy-ball momentum against closed forms on a quadratic L = a x²/2 with additive gradient noise of variance c:
 * - momentum SGD, v' = βv − η(ax + ξ), x' = x + v': stationary Var x = ηc(1 + β) / (a(1 − β)(2(1 + β) − ηa))
 *   (the discrete Lyapunov equation of (x, v); checked against scipy.linalg.solve_discrete_lyapunov: 0.103448…
 *   at a = 1, η = 0.1, β = 0.5, c = 1);
 * - its SDE (Li–Tai–E), dX = −aX/(1 − β) dt + √(ηc)/(1 − β) dW, by Euler–Maruyama with step h: the scheme's own
 *   stationary variance (ηc/(1 − β)²)·h / (1 − (1 − ah/(1 − β))²) (→ ηc/(2a(1 − β)) as h → 0).
 */
import { describe, expect, it } from "vitest";
import { simulate } from "../../src/dynamics/index.js";
import { exitTime } from "../../src/exit/index.js";
import { problemFromSpec } from "../../src/problem/index.js";

const a = 1;
const c = 1;
const eta = 0.1;
const beta = 0.5;
const problem = problemFromSpec({
  name: "quadratic with momentum",
  loss: `${a}*x^2/2`,
  noise: { isotropic: c },
  lr: eta,
  batch: 1,
  momentum: beta,
  domain: [[-5, 5]],
});

function finalVariance(dynamics: "sgd" | "sde", steps: number, dt?: number): { v: number; se: number } {
  const M = 20000;
  const r = simulate(problem, {
    dynamics,
    particles: M,
    steps,
    dt,
    seed: 7,
    init: { kind: "point", point: [0] },
  });
  let s = 0;
  for (let j = 0; j < M; j++) s += r.final[j] ** 2;
  const v = s / M; // mean 0 by symmetry
  return { v, se: v * Math.sqrt(2 / M) };
}

describe("heavy-ball momentum", () => {
  it("momentum SGD: the stationary spread of the discrete chain", () => {
    const exact = (eta * c * (1 + beta)) / (a * (1 - beta) * (2 * (1 + beta) - eta * a));
    expect(exact).toBeCloseTo(0.10344827586, 9);
    const { v, se } = finalVariance("sgd", 400);
    expect(Math.abs(v - exact)).toBeLessThan(4 * se);
    // and it is not plain SGD's η²c/(1 − (1 − ηa)²) = 0.0526
    expect(Math.abs(v - (eta * eta * c) / (1 - (1 - eta * a) ** 2))).toBeGreaterThan(10 * se);
  });

  it("the momentum SDE (Li–Tai–E): Euler–Maruyama's stationary variance at its step", () => {
    const h = eta / 10;
    const k = (a * h) / (1 - beta);
    const exact = ((eta * c) / (1 - beta) ** 2) * (h / (1 - (1 - k) ** 2));
    const { v, se } = finalVariance("sde", 2000, h); // t = 20 ≫ relaxation time (1 − β)/a = 0.5
    expect(Math.abs(v - exact)).toBeLessThan(4 * se);
  });

  it("grid and landscape methods refuse momentum instead of answering for plain SGD", async () => {
    await expect(exitTime(problem, { from: [0], to: "x > 1" }, { methods: ["sde", "pde"] })).rejects.toThrow(
      /pde: not implemented for heavy-ball momentum/,
    );
  });
});
