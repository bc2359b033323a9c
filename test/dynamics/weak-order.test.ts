import { describe, expect, it } from "vitest";
import { simulate } from "../../src/dynamics/simulate.js";
import { problemFromSpec } from "../../src/problem/index.js";

/**
 * Weak order of the stochastic modified equations against real minibatch SGD (Li–Tai–E):
 * |E φ(x_k) − E φ(X_{kη})| = O(η) for the order-1 SME and O(η²) for the order-2 SME, on a smooth
 * finite sum. The SMEs are integrated by Euler–Maruyama with dt = η²/2, whose own O(dt) = O(η²) error
 * leaves both slopes intact. Small sample spread keeps the Monte Carlo error (reported) far below the
 * differences measured.
 */
describe("weak order of the modified equations against real SGD", () => {
  it("order 1 for sde, order 2 for sde2 (slopes of log error vs log η)", () => {
    const a = [-0.015, -0.005, 0.01, 0.01];
    const samples = a.map((ai) => `(x - ${ai})^2/2 + 0.4*cos(2*x)`);
    const T = 1;
    const mean = (v: Float64Array) => v.reduce((s, x) => s + x, 0) / v.length;
    const se = (v: Float64Array) => {
      const m = mean(v);
      return Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / (v.length - 1) / v.length);
    };
    const etas = [0.2, 0.1, 0.05];
    const err1: number[] = [];
    const err2: number[] = [];
    for (const eta of etas) {
      const p = problemFromSpec({ name: "w", loss: { samples }, lr: eta, batch: 1, domain: [[-3, 3]] });
      const init = { kind: "point" as const, point: [1.2] };
      const K = Math.round(T / eta);
      const fin = (r: { final: Float64Array }) => r.final;
      const sgd = fin(simulate(p, { dynamics: "sgd", particles: 40000, steps: K, seed: 1, init }));
      const dt = (eta * eta) / 2;
      const Ks = Math.round(T / dt);
      const s1 = fin(simulate(p, { dynamics: "sde", particles: 6000, steps: Ks, dt, seed: 2, init }));
      const s2 = fin(simulate(p, { dynamics: "sde2", particles: 6000, steps: Ks, dt, seed: 3, init }));
      const mcErr = 3 * Math.hypot(se(sgd), se(s2));
      const e1 = Math.abs(mean(sgd) - mean(s1));
      const e2 = Math.abs(mean(sgd) - mean(s2));
      // the order-2 error must be resolved by the sample sizes
      expect(e2).toBeGreaterThan(mcErr);
      err1.push(e1);
      err2.push(e2);
    }
    const slope = (e: number[], i: number) => Math.log(e[i] / e[i + 1]) / Math.log(etas[i] / etas[i + 1]);
    for (let i = 0; i < 2; i++) {
      expect(slope(err1, i)).toBeGreaterThan(0.7);
      expect(slope(err1, i)).toBeLessThan(1.4);
      expect(slope(err2, i)).toBeGreaterThan(1.6);
      expect(slope(err2, i)).toBeLessThan(2.6);
      expect(err2[i]).toBeLessThan(err1[i]);
    }
  });
});
