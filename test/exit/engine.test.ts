/**
 * The one exit-time engine: Kramers target matching on a minimum with two channels (pinned against the
 * Eyring–Kramers closed form), per-method isolation, refusal before work, stop requests, the auto horizon.
 */
import { describe, expect, it } from "vitest";
import {
  type EnsembleRunner,
  exitTime,
  inProcessRunner,
  type MonteCarloDetail,
} from "../../src/exit/index.js";
import { problemFromSpec } from "../../src/problem/index.js";

// Triple well L = x⁶/6 − 5x⁴/4 + 2x², L' = x(x²−1)(x²−4): minima 0, ±2; saddles (maxima) ±1.
// L''(0) = 4, L''(±1) = −6, ΔL = L(1) − L(0) = 1/6 − 5/4 + 2 = 11/12.
const eps = 0.15; // A = 2ε = η σ²/B with σ² = 1, B = 1 → η = 2ε
const triple = problemFromSpec({
  name: "triple well",
  loss: "x^6/6 - 5*x^4/4 + 2*x^2",
  noise: { isotropic: 1 },
  lr: 2 * eps,
  batch: 1,
  domain: [[-3, 3]],
});
const single = ((2 * Math.PI) / Math.sqrt(4 * 6)) * Math.exp(11 / 12 / eps); // one channel, transition

describe("Kramers target matching (decided once in the engine)", () => {
  it("two channels into the target: the rates add (T = T₁/2); one channel: T₁; to the saddles: T₁/4", async () => {
    const run = async (to: string) =>
      (await exitTime(triple, { from: [0], to }, { methods: ["kramers"] })).estimates[0];
    const both = await run("x > 1.5 || x < -1.5");
    expect(both.status).toBe("estimate");
    expect((both.time as number) / (single / 2)).toBeCloseTo(1, 6);
    expect(both.detail?.kind === "kramers" && both.detail.channels.length).toBe(2);
    const right = await run("x > 1.5");
    expect((right.time as number) / single).toBeCloseTo(1, 6);
    const saddles = await run("x > 1 || x < -1");
    expect((saddles.time as number) / (single / 4)).toBeCloseTo(1, 6);
    // and the exact 1-D formula with both ends absorbing agrees with the two-channel value to O(ε/ΔL)
    const ex = (await exitTime(triple, { from: [0], to: "x > 1.5 || x < -1.5" }, { methods: ["exact"] }))
      .estimates[0];
    expect(Math.abs((ex.time as number) / (both.time as number) - 1)).toBeLessThan(0.5);
  });
});

const dw = problemFromSpec({
  name: "dw",
  loss: "x^4/4 - x^2/2",
  noise: { isotropic: 1 },
  lr: 0.5,
  batch: 1,
  domain: [[-3, 3]],
});

describe("engine behaviour", () => {
  it("a failing method yields an entry with its reason; the others stand", async () => {
    const broken: EnsembleRunner = async (p, o, h) => {
      if (o.dynamics === "sgd") throw new Error("worker crashed");
      return inProcessRunner(p, o, h);
    };
    const r = await exitTime(
      dw,
      { from: [-1], to: "x > 0" },
      { methods: ["sgd", "exact", "sde"], particles: { particles: 200 }, runner: broken },
    );
    expect(r.estimates.map((e) => e.method)).toEqual(["sgd", "exact", "sde"]);
    expect(r.estimates[0].status).toBe("failed");
    expect(r.estimates[0].reason).toContain("worker crashed");
    expect(r.estimates[1].status).toBe("estimate");
    expect(r.estimates[2].status).toMatch(/estimate|lower-bound/);
  });

  it("refuses a method that cannot run before any particle runs", async () => {
    let calls = 0;
    const counting: EnsembleRunner = async (p, o, h) => {
      calls++;
      return inProcessRunner(p, o, h);
    };
    const p5 = problemFromSpec({
      name: "5-d",
      loss: "x1^2 + x2^2 + x3^2 + x4^2 + x5^2",
      noise: { isotropic: 1 },
      lr: 0.1,
      batch: 1,
      domain: [
        [-1, 1],
        [-1, 1],
        [-1, 1],
        [-1, 1],
        [-1, 1],
      ],
    });
    await expect(
      exitTime(
        p5,
        { from: [0, 0, 0, 0, 0], to: "x1 > 0.5" },
        { methods: ["sgd", "sde", "pde"], runner: counting },
      ),
    ).rejects.toThrow(/methods: pde: grid methods need d ≤ 3/);
    expect(calls).toBe(0);
  });

  it("a stop request keeps what finished and marks the rest skipped", async () => {
    let stop = false;
    const r = await exitTime(
      dw,
      { from: [-1], to: "x > 0" },
      {
        methods: ["exact", "sgd", "sde"],
        particles: { particles: 100 },
        shouldStop: () => stop,
        onEstimate: () => {
          stop = true;
        },
      },
    );
    expect(r.interrupted).toBe(true);
    expect(r.estimates[0].status).toBe("estimate");
    expect(r.estimates[1].status).toBe("skipped");
    expect(r.estimates[2].status).toBe("skipped");
  });

  it("auto horizon: 16× the exact prediction, and the estimate says so", async () => {
    const r = await exitTime(
      dw,
      { from: [-1], to: "x > 0" },
      { methods: ["exact", "sde"], particles: { particles: 100 } },
    );
    const T = r.estimates[0].time as number;
    const d = r.estimates[1].detail as MonteCarloDetail;
    expect(Math.abs(d.horizon / (16 * T) - 1)).toBeLessThan(d.dt / (16 * T) + 1e-12);
    expect(d.horizonWhy).toContain("16× the exact prediction");
  });
});
