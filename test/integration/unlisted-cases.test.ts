import { describe, expect, it } from "vitest";
import { exitTimeStats } from "../../src/analysis/index.js";
import { simulate } from "../../src/dynamics/simulate.js";
import { exactExitTimeEstimate, pdeExitTimeEstimate } from "../../src/pde/index.js";
import { compileRegion, problemFromSpec } from "../../src/problem/index.js";

/**
 * Exit times on cases that no other test lists (QA of issue 2, "cases not listed here with other losses and
 * state-dependent noise"): particles against an independent value.
 *
 * Tolerance: the 95% t-interval half-width of the particle mean plus the discretisation bias of the method,
 * where the bias is derived independently of this code:
 * - SDE (Euler–Maruyama + Brownian-bridge exit test) in 1-D: the mean exit time of the scheme itself was
 *   computed by solving the Markov chain of one EM step (Gaussian kernel with the bridge kill probability
 *   exp(−2d₀d₁/(A dt)) and the interpolated exit time), discretised on 3000 nodes, with NumPy. The bias is
 *   |T_scheme − T_exact|, rounded up. The particle ensembles reproduced those scheme values to within their
 *   intervals (QA report). The chains are in unlisted-cases.chains.py.
 * - SGD with real minibatches: the independent value is the mean exit time of the SGD Markov chain itself
 *   (x ← x − η·g_batch(x), all batches enumerated with their probabilities), solved with NumPy/SciPy on
 *   2·10⁴ and 4·10⁴ nodes with linear interpolation (the two agree to 1e-4 relative).
 */
function particleMean(
  p: ReturnType<typeof problemFromSpec>,
  o: {
    dynamics: "sde" | "sgd";
    from: number[];
    to: string;
    dt?: number;
    M: number;
    horizon: number;
    seed: number;
  },
) {
  const h = o.dynamics === "sde" ? (o.dt as number) : p.lr;
  const steps = Math.ceil(o.horizon / h);
  const r = simulate(p, {
    dynamics: o.dynamics,
    particles: o.M,
    steps,
    dt: o.dynamics === "sde" ? h : undefined,
    seed: o.seed,
    init: { kind: "point", point: o.from },
    target: o.to,
  });
  const s = exitTimeStats(r.exitTime, { horizon: steps * h, lr: p.lr, exponentiality: false });
  expect(s.censored).toBe(false);
  expect(s.diverged).toBe(0);
  return { mean: s.mean.time, hw: (s.mean.ci95[1] - s.mean.ci95[0]) / 2 };
}

describe("3-D separable loss, state-dependent diagonal noise: exit along one coordinate", () => {
  it("SDE particles in 3-D match the 1-D exact formula of the x-marginal", () => {
    // x evolves on its own: dx = (x − x³)dt + sqrt(η(0.4 + 0.2x²)) dW; y, z (with noise depending on the
    // other coordinates) do not influence the exit through x > 0.
    const p3 = problemFromSpec({
      name: "separable 3-D",
      loss: "x^4/4 - x^2/2 + y^2/2 + z^2",
      noise: { diagonal: ["0.4 + 0.2*x^2", "1 + 0.5*z^2", "0.5 + y^2"] },
      lr: 0.5,
      batch: 1,
      domain: [
        [-2.5, 2.5],
        [-3, 3],
        [-3, 3],
      ],
    });
    const p1 = problemFromSpec({
      name: "x-marginal",
      loss: "x^4/4 - x^2/2",
      noise: { diagonal: ["0.4 + 0.2*x^2"] },
      lr: 0.5,
      batch: 1,
      domain: [[-2.5, 2.5]],
    });
    const ex = exactExitTimeEstimate(p1, [-1], compileRegion("x > 0", p1.varNames));
    const exact = ex.time as number; // 18.746
    // EM + bridge chain at dt = 0.025: 18.463, i.e. −1.5% (−3.3% at dt = 0.05 = η/10).
    const bias = 0.02 * exact;
    const mc = particleMean(p3, {
      dynamics: "sde",
      from: [-1, 0.5, -0.5],
      to: "x > 0",
      dt: 0.025,
      M: 3000,
      horizon: 400,
      seed: 11,
    });
    expect(Math.abs(mc.mean - exact)).toBeLessThan(mc.hw + bias);
  });
});

describe("finite sum with empirical state-dependent noise, batch 2 without replacement", () => {
  // ℓ_i − L = a_i x + b_i x² with (a, b) = (2, 0), (−2, 0.4), (0, −0.4): Σ(x) = (8 − 3.2x + 1.28x²)/3 > 0.
  const spec = {
    name: "finite sum",
    loss: { samples: ["x^4/4 - x^2/2 + 2*x", "x^4/4 - x^2/2 - 2*x + 0.4*x^2", "x^4/4 - x^2/2 - 0.4*x^2"] },
    noise: "empirical",
    lr: 0.2,
    batch: 2,
    replacement: false,
    domain: [[-3, 3]],
  };

  it("SDE: Σ_B = Σ(N−B)/(B(N−1)) = Σ/4, so η = 0.2, B = 2 has the exit time of η = 0.05, B = 1", () => {
    const p = problemFromSpec(spec);
    const p1 = problemFromSpec({ ...spec, lr: 0.05, batch: 1, replacement: true });
    const region = compileRegion("x > 0", p.varNames);
    const exact = exactExitTimeEstimate(p1, [-1], region).time as number; // 43.439
    expect(Math.abs((exactExitTimeEstimate(p, [-1], region).time as number) - exact)).toBeLessThan(
      1e-6 * exact,
    );
    // EM + bridge chain at dt = η/10 = 0.02: 42.977, i.e. −1.1%.
    const bias = 0.015 * exact;
    const mc = particleMean(p, {
      dynamics: "sde",
      from: [-1],
      to: "x > 0",
      dt: 0.02,
      M: 2000,
      horizon: 800,
      seed: 5,
    });
    expect(Math.abs(mc.mean - exact)).toBeLessThan(mc.hw + bias);
  });

  it("real minibatch SGD matches its own Markov chain (≈ 2× the SDE value: η = 0.2 is outside the SDE regime)", () => {
    const p = problemFromSpec(spec);
    // SGD chain: x ← x − η·(ℓ'_i + ℓ'_j)/2 over the 3 equally likely pairs, exit at the first iterate > 0.
    const chain = 89.488;
    const mc = particleMean(p, { dynamics: "sgd", from: [-1], to: "x > 0", M: 2000, horizon: 1600, seed: 5 });
    expect(Math.abs(mc.mean - chain)).toBeLessThan(mc.hw + 1e-3 * chain);
    // and it is not the SDE's answer: the order-1 modified equation fails for this η (43.4).
    expect(mc.mean - mc.hw).toBeGreaterThan(1.5 * 43.44);
  });
});

describe("2-D loss with a matrix noise of expression entries (anisotropic, state-dependent, off-diagonal)", () => {
  it("SDE particles match the grid generator into a half-plane", () => {
    const p = problemFromSpec({
      name: "curved valley",
      loss: "(x^2-1)^2/4 + (y - 0.5*x^2 + 0.5)^2/2",
      noise: {
        matrix: [
          ["0.8 + 0.2*y^2", "0.3*tanh(x)"],
          ["0.3*tanh(x)", "0.5 + 0.3*x^2"],
        ],
      },
      lr: 0.4,
      batch: 1,
      domain: [
        [-2.5, 2.5],
        [-2.5, 2.5],
      ],
    });
    const to = "x + 0.3*y > 0.2";
    const pde = pdeExitTimeEstimate(p, [-1, 0], to, { grid: 121 });
    expect(pde.infinite).toBe(false);
    const t = pde.time as number; // 17.67 on 235², error estimate 0.007
    // dt = 0.01 = η/40. Bias measured by dt refinement on this problem (disc target around (1, 0), 2 seeds ×
    // 2000 particles): −3.3 ± 2.7% at dt = 0.04, +0.2 ± 4% at dt = 0.01; EM + bridge bias is O(dt), so ≈ 1% at
    // dt = 0.01. Tolerance: 95% half-width + 1% + the grid's own error estimate.
    const mc = particleMean(p, {
      dynamics: "sde",
      from: [-1, 0],
      to,
      dt: 0.01,
      M: 2000,
      horizon: 300,
      seed: 3,
    });
    expect(Math.abs(mc.mean - t)).toBeLessThan(mc.hw + 0.01 * t + (pde.error_estimate as number));
  });
});
