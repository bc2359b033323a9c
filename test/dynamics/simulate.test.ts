import { describe, expect, it } from "vitest";
import { mergeResults, type SimulateResult, simulate } from "../../src/dynamics/simulate.js";
import { UserError } from "../../src/errors.js";
import { problemFromSpec } from "../../src/problem/index.js";
import { loadReference } from "../reference.js";

const DWREF = loadReference("double-well-met.json");
const OUREF = loadReference("ornstein-uhlenbeck.json");

function meanAndHalfWidth(v: Float64Array): { mean: number; hw: number } {
  let s = 0;
  for (const t of v) s += t;
  const mean = s / v.length;
  let ss = 0;
  for (const t of v) ss += (t - mean) ** 2;
  const sd = Math.sqrt(ss / (v.length - 1));
  return { mean, hw: (1.96 * sd) / Math.sqrt(v.length) };
}

function column(res: { snapshots: Float64Array; to: number; from: number; dim: number }, s: number, i = 0) {
  const m = res.to - res.from;
  return res.snapshots.subarray((s * res.dim + i) * m, (s * res.dim + i + 1) * m);
}

describe("OU process: exact moments of the Euler–Maruyama chain and of SGD", () => {
  it("mean and variance at step k match the closed form within 99.9% CIs", () => {
    // L = a x²/2, Σ = c: X_{k+1} = (1 − a h) X_k + sqrt(η h c / B) Z
    const a = 1.5;
    const p = problemFromSpec({
      name: "ou",
      loss: `${a}*x^2/2`,
      noise: { isotropic: 2 },
      lr: 0.1,
      batch: 4,
      domain: [[-5, 5]],
    });
    const h = 0.02;
    const K = 60;
    const res = simulate(p, {
      dynamics: "sde",
      particles: 40000,
      steps: K,
      dt: h,
      seed: 1,
      init: { kind: "point", point: [1] },
      snapshotSteps: [K],
    });
    const q = 1 - a * h;
    const mean = q ** K;
    const s2 = (0.1 * h * 2) / 4;
    const variance = (s2 * (1 - q ** (2 * K))) / (1 - q * q);
    const xs = column(res, 0);
    const { mean: m } = meanAndHalfWidth(xs);
    let v = 0;
    for (const x of xs) v += (x - m) ** 2;
    v /= xs.length - 1;
    const n = xs.length;
    expect(Math.abs(m - mean)).toBeLessThan(3.29 * Math.sqrt(variance / n));
    expect(Math.abs(v - variance)).toBeLessThan(3.29 * variance * Math.sqrt(2 / (n - 1)));
  });

  it.each(OUREF.stationary_variance_quadratic.rows as Array<{ eta: number; sde: number; sgd: number }>)(
    "stationary variance of SGD and of the SDE on a quadratic (η = $eta)",
    ({ eta, sde, sgd }) => {
      const p = problemFromSpec({
        name: "q",
        loss: "x^2/2",
        noise: { isotropic: 1 },
        lr: eta,
        batch: 1,
        domain: [[-5, 5]],
      });
      const burn = Math.ceil(30 / eta);
      const sg = simulate(p, {
        dynamics: "sgd",
        particles: 20000,
        steps: burn,
        seed: 2,
        init: { kind: "point", point: [0] },
        snapshotSteps: [burn],
      });
      const xs = column(sg, 0);
      let v = 0;
      for (const x of xs) v += x * x;
      v /= xs.length;
      expect(Math.abs(v - sgd)).toBeLessThan(3.29 * sgd * Math.sqrt(2 / xs.length));
      // SDE with dt = η/20: the EM chain's stationary variance is η c h/(1 − (1 − h)²) → η c/2 as h → 0
      const h = eta / 20;
      const K = Math.ceil(30 / h);
      const sd = simulate(p, {
        dynamics: "sde",
        particles: 20000,
        steps: K,
        dt: h,
        seed: 3,
        init: { kind: "point", point: [0] },
        snapshotSteps: [K],
      });
      const ys = column(sd, 0);
      let w = 0;
      for (const y of ys) w += y * y;
      w /= ys.length;
      const emExact = (eta * h) / (1 - (1 - h) ** 2);
      expect(Math.abs(w - emExact)).toBeLessThan(3.29 * emExact * Math.sqrt(2 / ys.length));
      expect(Math.abs(emExact - sde) / sde).toBeLessThan(0.03); // the EM bias h/2 is the only gap
    },
  );
});

describe("double-well exit times against the exact double integral (test/fixtures/reference)", () => {
  const rows = (
    DWREF.rows as Array<{ eps: number; to_saddle_x_gt_0: number; to_other_min_x_ge_1: number }>
  ).filter((r) => r.eps >= 0.1);
  it.each(rows)(
    "ε = $eps: to the saddle (x > 0) and to the other minimum (x ≥ 1)",
    ({ eps, to_saddle_x_gt_0, to_other_min_x_ge_1 }) => {
      const p = problemFromSpec({
        name: "dw",
        loss: "x^4/4 - x^2/2",
        noise: { isotropic: 1 },
        lr: 2 * eps,
        batch: 1,
        domain: [[-3, 3]],
      });
      const dt = 0.005;
      const run = (target: string, exact: number, seed: number, M: number) => {
        const res = simulate(p, {
          dynamics: "sde",
          particles: M,
          steps: Math.ceil((40 * exact) / dt),
          dt,
          seed,
          init: { kind: "point", point: [-1] },
          target,
        });
        expect(res.exitTime.every(Number.isFinite)).toBe(true);
        const { mean, hw } = meanAndHalfWidth(res.exitTime);
        // 99.9% interval (3.29/1.96 × the 95% half-width) plus the O(dt) bias of Euler–Maruyama (≤ 1%)
        expect(Math.abs(mean - exact)).toBeLessThan((3.29 / 1.96) * hw + 0.01 * exact);
      };
      run("x > 0", to_saddle_x_gt_0, 10, eps === 0.25 ? 4000 : 1500);
      run("x >= 1", to_other_min_x_ge_1, 11, eps === 0.25 ? 2000 : 800);
    },
  );
});

describe("Brownian-bridge exit correction", () => {
  it("removes the O(√dt) bias of discrete monitoring (pure diffusion on an interval)", () => {
    // generator D u'' with D = A/2 = ησ²/2: η = 1, σ² = 1 → D = 1/2; T(x) = x(l − x)/(2D) = 0.25 at x = 0.5, l = 1
    const p = problemFromSpec({
      name: "bm",
      loss: "0*x",
      noise: { isotropic: 1 },
      lr: 1,
      batch: 1,
      domain: [[0, 1]],
    });
    const exact = 0.25;
    const dt = 0.004;
    const common = {
      dynamics: "sde" as const,
      particles: 20000,
      steps: 100000,
      dt,
      init: { kind: "point" as const, point: [0.5] },
      target: "x <= 0 || x >= 1",
    };
    const naive = meanAndHalfWidth(simulate(p, { ...common, seed: 5, bridge: false }).exitTime);
    const fixed = meanAndHalfWidth(simulate(p, { ...common, seed: 6, bridge: true }).exitTime);
    // the naive estimate is biased upward by ≈ 2·0.5826·√dt·(l/2)/(2D) ≈ 0.037 (Siegmund's overshoot constant)
    expect(naive.mean - exact).toBeGreaterThan(0.02);
    expect(Math.abs(fixed.mean - exact)).toBeLessThan((3.29 / 1.96) * fixed.hw + 0.002);
  });
});

describe("determinism and divergence", () => {
  it("the same seed gives bit-identical paths however the particles are split", () => {
    const p = problemFromSpec({
      name: "dw2",
      loss: "(x^2-1)^2/4 + y^2/2",
      noise: {
        matrix: [
          ["1 + y^2", "0.3"],
          ["0.3", "1"],
        ],
      },
      lr: 0.1,
      batch: 2,
      domain: [
        [-2, 2],
        [-2, 2],
      ],
    });
    const base = {
      dynamics: "sde2" as const,
      particles: 300,
      steps: 200,
      seed: 42,
      init: { kind: "gaussian" as const, mean: [-1, 0], std: [0.3, 0.3] },
      snapshotSteps: [0, 50, 200],
      target: "x > 0.5",
    };
    const whole = simulate(p, base);
    const parts = mergeResults([
      simulate(p, { ...base, range: [170, 300] }),
      simulate(p, { ...base, range: [0, 170] }),
    ]);
    expect(Buffer.from(parts.snapshots.buffer).equals(Buffer.from(whole.snapshots.buffer))).toBe(true);
    expect(Buffer.from(parts.exitTime.buffer).equals(Buffer.from(whole.exitTime.buffer))).toBe(true);
    const other = simulate(p, { ...base, seed: 43 });
    expect(Buffer.from(other.snapshots.buffer).equals(Buffer.from(whole.snapshots.buffer))).toBe(false);
  });

  it("reports divergence with its step: GD on a quadratic with η > 2/a", () => {
    const p = problemFromSpec({
      name: "q",
      loss: "3*x^2/2",
      noise: "none",
      lr: 0.8,
      batch: 1,
      domain: [[-1, 1]],
    });
    // x_k = (1 − 2.4)^k x0 = (−1.4)^k; exceeds the bound 1e6 when 1.4^k > 1e6 → k = 42
    const res = simulate(p, {
      dynamics: "gd",
      particles: 3,
      steps: 100,
      seed: 1,
      init: { kind: "point", point: [1] },
    });
    expect(Array.from(res.divergedStep)).toEqual([42, 42, 42]);
    const ok = simulate(p, {
      dynamics: "gd",
      particles: 1,
      steps: 100,
      seed: 1,
      init: { kind: "point", point: [1] },
      bound: 1e300,
    });
    expect(ok.divergedStep[0]).toBe(-1);
  });
});

describe("the generated fast kernel", () => {
  const dw2 = "(x^2-1)^2/4 + y^2/2 + sin(x*y)/3";
  it.each([
    ["sde", { isotropic: 0.7 }, undefined, dw2],
    ["sgd", { diagonal: [0.5, 2] }, "x > -0.2", dw2],
    ["gd", { isotropic: 1 }, undefined, dw2],
    ["noisy-sgd", { isotropic: 1 }, "x^2 + y^2 > 4", dw2],
    // SDE exits with the Brownian-bridge correction (level functions min/max of two pieces), δ > 0
    ["sde", { isotropic: 0.7 }, "x > -0.2 && y < 0.5", dw2],
    ["sde", { diagonal: [0.5, 2] }, "x^2 + y^2 > 2.5 || x > 1", dw2],
    // state-dependent diagonal noise (expressions), with and without a bridge target
    ["sde", { diagonal: ["0.3 + 0.5*x^2", "0.2 + 0.1*sin(x*y)^2"] }, undefined, dw2],
    ["sde", { diagonal: ["0.3 + 0.5*x^2", "0.2*(1 + y^2)"] }, "x > -0.2 && y < 0.5", dw2],
    ["sgd", { diagonal: ["0.3 + 0.5*x^2", "0.2*(1 + y^2)"] }, "x > -0.2", dw2],
    // the helpers generated code may call (sigmoid, softplus) are bound in the kernel
    ["sde", { isotropic: 1 }, "x > 0", "softplus(x^2 - 1) + y^2/2 - sigmoid(3*y)"],
  ] as const)("is bit-identical to the general loop (%s, %j, target %s)", (dynamics, noise, target, loss) => {
    const p = problemFromSpec({
      name: "k",
      loss,
      noise,
      lr: 0.05,
      batch: 2,
      delta: 0.01,
      domain: [
        [-2, 2],
        [-2, 2],
      ],
    });
    const o = {
      dynamics,
      particles: 400,
      steps: 300,
      seed: 7,
      init: { kind: "gaussian" as const, mean: [-1, 0], std: [0.5, 0.5] },
      snapshotSteps: [0, 17, 300],
      target,
    };
    const fast = simulate(p, o);
    const general = simulate(p, { ...o, general: true });
    expect(fast.loop).toBe("generated");
    expect(general.loop).toBe("general");
    if (target !== undefined) {
      // the comparison means something only if particles exit, and (with the bridge) some between steps
      const exited = Array.from(fast.exitTime).filter((t) => Number.isFinite(t));
      expect(exited.length).toBeGreaterThan(20);
      if (dynamics === "sde") {
        expect(fast.bridge).toBe(true);
        expect(exited.some((t) => Math.abs(t / fast.stepSize - Math.round(t / fast.stepSize)) > 1e-9)).toBe(
          true,
        );
      }
    }
    expect(Buffer.from(fast.snapshots.buffer).equals(Buffer.from(general.snapshots.buffer))).toBe(true);
    expect(Buffer.from(fast.exitTime.buffer).equals(Buffer.from(general.exitTime.buffer))).toBe(true);
    expect(Buffer.from(fast.final.buffer).equals(Buffer.from(general.final.buffer))).toBe(true);
    expect(Array.from(fast.divergedStep)).toEqual(Array.from(general.divergedStep));
  });
});

describe("the generated kernel's two interleaved particles (lanes)", () => {
  // divergence (outward drift, bound 6), exits with the bridge and an odd count / odd range start: every lane
  // ends differently, and the last pair of an odd range has one particle
  const p = problemFromSpec({
    name: "lanes",
    loss: "-x^2/2 + y^2/8",
    noise: { isotropic: 2 },
    lr: 0.1,
    batch: 1,
    domain: [
      [-2, 2],
      [-2, 2],
    ],
  });
  const o = {
    dynamics: "sde" as const,
    particles: 260,
    steps: 200,
    seed: 3,
    init: { kind: "gaussian" as const, mean: [0, 0], std: [0.02, 0.5] },
    snapshotSteps: [0, 5, 200],
    target: "y > 0.9",
    bound: 6,
    range: [3, 204] as const,
  };
  const same = (a: SimulateResult, b: SimulateResult) => {
    expect(a.loop).toBe("generated");
    expect(b.loop).toBe("general");
    expect(a.completed).toBe(b.completed);
    expect(Buffer.from(a.snapshots.buffer).equals(Buffer.from(b.snapshots.buffer))).toBe(true);
    expect(Buffer.from(a.exitTime.buffer).equals(Buffer.from(b.exitTime.buffer))).toBe(true);
    expect(Buffer.from(a.final.buffer).equals(Buffer.from(b.final.buffer))).toBe(true);
    expect(Array.from(a.divergedStep)).toEqual(Array.from(b.divergedStep));
  };
  it("are bit-identical to the general loop with divergences, exits and an odd range", () => {
    const fast = simulate(p, o);
    const general = simulate(p, { ...o, general: true });
    const div = Array.from(fast.divergedStep).filter((k) => k > 0).length;
    const exits = Array.from(fast.exitTime).filter((t) => Number.isFinite(t)).length;
    expect(div).toBeGreaterThan(10);
    expect(exits).toBeGreaterThan(10);
    expect(fast.completed).toBe(201);
    same(fast, general);
  });
  it("a stop request keeps the same particles in both loops", () => {
    const stopAfter = (n: number) => {
      let calls = 0;
      return () => ++calls > n;
    };
    const fast = simulate(p, { ...o, shouldStop: stopAfter(2) });
    const general = simulate(p, { ...o, general: true, shouldStop: stopAfter(2) });
    expect(fast.stopped).toBe(true);
    expect(fast.completed).toBe(128);
    same(fast, general);
  });
});

describe("the generated kernel with a noise factor (empirical, Hessian, loss, matrix) and for sde2", () => {
  const dw2 = "(x^2-1)^2/4 + y^2/2 + sin(x*y)/3";
  const dw3 = "(x^2-1)^2/4 + y^2/2 + z^2 + x*z/4";
  const box = (d: number) => Array.from({ length: d }, () => [-2, 2] as [number, number]);
  const fam = Array.from(
    { length: 6 },
    (_, i) => `${dw2} + (${(1.5 * Math.sin(i + 1)).toFixed(3)})*x*y + (${(1.2 * Math.cos(i)).toFixed(3)})*y`,
  );
  // more samples than the kernel unrolls (EMPIRICAL_UNROLL_MAX = 16): the looped empirical noise
  const fam20 = Array.from(
    { length: 20 },
    (_, i) => `${dw2} + (${(1.5 * Math.sin(i + 1)).toFixed(3)})*x*y + (${(1.2 * Math.cos(i)).toFixed(3)})*y`,
  );
  it.each([
    ["sde", dw2, { hessian: 0.5 }, "x > -0.6 && y < 0.5"],
    ["sde", dw2, { loss: 2 }, "x > -0.6"],
    [
      "sde",
      dw2,
      {
        matrix: [
          ["0.4 + 0.1*x^2", "0.1*x*y"],
          ["0.1*x*y", "0.3 + 0.1*y^2"],
        ],
      },
      "x > -0.6",
    ],
    ["sde", dw3, { hessian: 0.5 }, "x > -0.6"],
    ["sde", dw3, { loss: 1 }, "x > -0.6"],
    [
      "sde",
      dw3,
      {
        matrix: [
          ["0.5", "0.1*x", "0"],
          ["0.1*x", "0.4", "0.05"],
          ["0", "0.05", "0.3 + 0.1*z^2"],
        ],
      },
      undefined,
    ],
    ["sgd", dw2, { hessian: 0.5 }, "x > -0.6"],
    ["sde", { samples: fam }, undefined, "x > -0.6"],
    ["sde", { samples: fam20 }, undefined, "x > -0.6"],
    ["sde2", dw2, { isotropic: 0.7 }, "x > -0.6"],
    ["sde2", dw3, { hessian: 0.5 }, undefined],
    ["sde2", { samples: fam }, undefined, "x > -0.6"],
  ] as const)(
    "is bit-identical to the general loop (%s, %j, %j, target %s)",
    (dynamics, loss, noise, target) => {
      const d = typeof loss === "string" && loss.includes("z") ? 3 : 2;
      const p = problemFromSpec({
        name: "k",
        loss,
        ...(noise !== undefined ? { noise } : {}),
        lr: 0.2,
        batch: 1,
        delta: 0.01,
        domain: box(d),
      } as Parameters<typeof problemFromSpec>[0]);
      const o = {
        dynamics,
        particles: 200,
        steps: 300,
        seed: 5,
        init: { kind: "gaussian" as const, mean: [-1, ...Array(d - 1).fill(0)], std: Array(d).fill(0.4) },
        snapshotSteps: [0, 17],
        target,
      };
      const fast = simulate(p, o);
      const general = simulate(p, { ...o, general: true });
      expect(fast.loop).toBe("generated");
      expect(general.loop).toBe("general");
      if (target !== undefined) {
        const exited = Array.from(fast.exitTime).filter((t) => t > 0 && Number.isFinite(t));
        expect(exited.length).toBeGreaterThan(10);
        if (dynamics !== "sgd") {
          // some exits between grid times: the bridge ran with this noise
          expect(exited.some((t) => Math.abs(t / fast.stepSize - Math.round(t / fast.stepSize)) > 1e-9)).toBe(
            true,
          );
        }
      }
      expect(Buffer.from(fast.snapshots.buffer).equals(Buffer.from(general.snapshots.buffer))).toBe(true);
      expect(Buffer.from(fast.exitTime.buffer).equals(Buffer.from(general.exitTime.buffer))).toBe(true);
      expect(Buffer.from(fast.final.buffer).equals(Buffer.from(general.final.buffer))).toBe(true);
      expect(Array.from(fast.divergedStep)).toEqual(Array.from(general.divergedStep));
    },
  );
  it("a matrix noise that is not PSD stops both loops with the same located error", () => {
    const p = problemFromSpec({
      name: "npsd",
      loss: "x^2/2 + y^2/2",
      noise: {
        matrix: [
          ["1", "x"],
          ["x", "1"],
        ],
      },
      lr: 0.1,
      batch: 1,
      domain: box(2),
    });
    const o = {
      dynamics: "sde" as const,
      particles: 3,
      steps: 10,
      seed: 1,
      init: { kind: "point" as const, point: [1.5, 0] },
    };
    const message = (general: boolean) => {
      try {
        simulate(p, { ...o, general });
      } catch (e) {
        expect(e).toBeInstanceOf(UserError);
        return (e as Error).message;
      }
      return "no error";
    };
    expect(message(false)).toMatch(/not positive semi-definite/);
    expect(message(false)).toBe(message(true));
  });
  it("in 3-D too (the unrolled Jacobi sweeps): the same located error from both loops", () => {
    const p = problemFromSpec({
      name: "npsd3",
      loss: "x^2/2 + y^2/2 + z^2/2",
      noise: {
        matrix: [
          ["1", "x", "0.1"],
          ["x", "1", "0"],
          ["0.1", "0", "1"],
        ],
      },
      lr: 0.1,
      batch: 1,
      domain: box(3),
    });
    const o = {
      dynamics: "sde" as const,
      particles: 3,
      steps: 10,
      seed: 1,
      init: { kind: "point" as const, point: [1.5, 0, 0] },
    };
    const message = (general: boolean) => {
      try {
        simulate(p, { ...o, general });
      } catch (e) {
        expect(e).toBeInstanceOf(UserError);
        return (e as Error).message;
      }
      return "no error";
    };
    expect(message(false)).toMatch(/not positive semi-definite/);
    expect(message(false)).toBe(message(true));
  });
});

describe("the generated kernel for real minibatch SGD on a finite sum", () => {
  // samples L + c1·x + c2·y + c3·x·y (one family: only literals differ, as in bench/finite-sum.js); `mixed`
  // adds 0.01·x^(2 + i mod 3), so that the samples differ in syntax (a switch on the index, or calls)
  const samples = (n: number, mixed = false) =>
    Array.from({ length: n }, (_, i) => {
      const c = [Math.sin(i + 1), Math.cos(2 * i + 1), 0.5 * Math.sin(3 * i + 2)].map((v) => v.toFixed(3));
      const extra = mixed ? ` + 0.01*x^${2 + (i % 3)}` : "";
      return `(x^2-1)^2/4 + y^2/2 + ${c[0]}*x + ${c[1]}*y + ${c[2]}*x*y${extra}`;
    });
  const run = (spec: Record<string, unknown>, o: Record<string, unknown>) => {
    const p = problemFromSpec({
      name: "fs",
      lr: 0.1,
      domain: [
        [-2, 2],
        [-2, 2],
      ],
      ...spec,
    } as Parameters<typeof problemFromSpec>[0]);
    const opts = {
      dynamics: "sgd" as const,
      particles: 300,
      steps: 300,
      seed: 11,
      init: { kind: "gaussian" as const, mean: [-1, 0], std: [0.3, 0.3] },
      snapshotSteps: [0, 1, 37],
      ...o,
    } as Parameters<typeof simulate>[1];
    return { fast: simulate(p, opts), general: simulate(p, { ...opts, general: true }) };
  };
  const same = (fast: SimulateResult, general: SimulateResult) => {
    expect(fast.loop).toBe("generated");
    expect(general.loop).toBe("general");
    expect(Buffer.from(fast.snapshots.buffer).equals(Buffer.from(general.snapshots.buffer))).toBe(true);
    expect(Buffer.from(fast.exitTime.buffer).equals(Buffer.from(general.exitTime.buffer))).toBe(true);
    expect(Buffer.from(fast.final.buffer).equals(Buffer.from(general.final.buffer))).toBe(true);
    expect(Array.from(fast.divergedStep)).toEqual(Array.from(general.divergedStep));
  };
  it.each([
    [1, true],
    [2, true],
    [8, true],
    [1, false],
    [2, false],
    [8, false],
  ])(
    "is bit-identical to the general loop (B = %i of 13, with replacement %s, target near the minimum)",
    (batch, replacement) => {
      const { fast, general } = run(
        { loss: { samples: samples(13) }, batch, replacement },
        { target: batch === 8 ? "x > -0.93" : "x > -0.75", steps: 200 },
      );
      same(fast, general);
      // one draw over all batches and a gather where there are ≤ 2¹⁶ of them (13⁸ ordered tuples are too many)
      expect(fast.batchMean).toEqual(general.batchMean);
      expect(fast.batchMean?.path).toBe(batch === 8 && replacement ? "per-sample" : "tabulated");
      // particles exit after a while (so exit times are compared), and the particles' paths differ
      expect(Array.from(fast.exitTime).filter((t) => t > 0 && Number.isFinite(t)).length).toBeGreaterThan(20);
      expect(new Set(Array.from(fast.final.subarray(0, 300))).size).toBeGreaterThan(100);
    },
  );
  it("is bit-identical with Noisy SGD's added noise, 5 out of 13 samples of different syntax (a switch)", () => {
    const { fast, general } = run(
      { loss: { samples: samples(13, true) }, batch: 5, replacement: false, delta: 0.05 },
      { dynamics: "noisy-sgd", target: "x^2 + y^2 > 1.8" },
    );
    same(fast, general);
    // particle p's path depends on (seed, p) only: ranges as threads would run them give the same result
    const p = problemFromSpec({
      name: "fs",
      loss: { samples: samples(13, true) },
      lr: 0.1,
      batch: 5,
      replacement: false,
      delta: 0.05,
      domain: [
        [-2, 2],
        [-2, 2],
      ],
    });
    const o = {
      dynamics: "noisy-sgd" as const,
      particles: 300,
      steps: 300,
      seed: 11,
      init: { kind: "gaussian" as const, mean: [-1, 0], std: [0.3, 0.3] },
      snapshotSteps: [0, 1, 37],
      target: "x^2 + y^2 > 1.8",
    };
    const split = mergeResults([
      simulate(p, { ...o, range: [137, 300] }),
      simulate(p, { ...o, range: [0, 137] }),
    ]);
    same(split, general);
    expect(Array.from(fast.exitTime).filter((t) => Number.isFinite(t)).length).toBeGreaterThan(20);
  });
  it("is bit-identical when particles diverge (a divergence bound of 1.3 on |x|, |y|)", () => {
    const { fast, general } = run({ loss: { samples: samples(8) }, batch: 1 }, { steps: 100, bound: 1.3 });
    same(fast, general);
    const diverged = Array.from(fast.divergedStep).filter((k) => k >= 0).length;
    expect(diverged).toBeGreaterThan(10);
    expect(diverged).toBeLessThan(300);
  });
  it("calls the per-sample gradients instead of inlining them for a large sum (400 samples), same numbers", () => {
    const { fast, general } = run(
      { loss: { samples: samples(400, true) }, batch: 8, replacement: false },
      {
        particles: 100,
        steps: 100,
      },
    );
    same(fast, general);
  });
});

describe("state-dependent diagonal noise in the generated kernel", () => {
  it("a negative variance stops the run with the same clear error as the general loop", () => {
    const p = problemFromSpec({
      name: "neg",
      loss: "x^2/2",
      noise: { diagonal: ["x + 0.5"] },
      lr: 0.1,
      batch: 1,
      domain: [[-3, 3]],
    });
    const o = {
      dynamics: "sde" as const,
      particles: 5,
      steps: 50,
      seed: 1,
      init: { kind: "point" as const, point: [-1] },
    };
    const message = (general: boolean) => {
      try {
        simulate(p, { ...o, general });
      } catch (e) {
        expect(e).toBeInstanceOf(UserError);
        return (e as Error).message;
      }
      return "no error";
    };
    const fast = message(false);
    expect(fast).toMatch(/variance 1 is -0\.5 at x = \(-1\); variances must be ≥ 0/);
    expect(fast).toBe(message(true));
  });
});
