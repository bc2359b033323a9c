/**
 * Where the target meets the minimum-energy path decides what path-1d and Kramers report: the time to hit the
 * saddle when the target begins there, the transition (≈ twice that) when it lies beyond, a hitting time of the
 * cut when it cuts the path before the saddle — and then Kramers does not apply. References: the exact 1-D
 * formula on the separable x-part of L = (x²−1)²/4 + y²/2 (isotropic noise: x and y are independent).
 */
import { describe, expect, it } from "vitest";
import { exitTime } from "../../src/exit/index.js";
import { problemFromSpec } from "../../src/problem/index.js";

// ΔL/ε = 0.25/0.025 = 10: the harmonic continuation behind the minimum is then accurate to a few %.
const spec = { noise: { isotropic: 1 }, lr: 0.05, batch: 1 } as const;
const plane = problemFromSpec({
  ...spec,
  name: "separable double well",
  loss: "(x^2-1)^2/4 + y^2/2",
  domain: [
    [-2.5, 2.5],
    [-2, 2],
  ],
});
const line = problemFromSpec({ ...spec, name: "x-part", loss: "(x^2-1)^2/4", domain: [[-2.5, 2.5]] });

async function one(p: typeof plane, from: number[], to: string, method: string) {
  return (await exitTime(p, { from, to }, { methods: [method as "exact"] })).estimates[0];
}

describe("path-1d and Kramers read where the target meets the path", () => {
  it("target beginning at the saddle: path-1d gives the time to hit it (the exact 1-D value), not twice that", async () => {
    const exact = (await one(line, [-1], "x > 0", "exact")).time as number;
    const path = await one(plane, [-1, 0], "x > 0", "path-1d");
    expect(path.status).toBe("estimate");
    expect(path.detail?.kind === "path-1d" && path.detail.target).toBe("at-saddle");
    expect(Math.abs((path.time as number) / exact - 1)).toBeLessThan(0.1);
  });

  it("target beyond the saddle: path-1d gives about twice the time to hit the saddle", async () => {
    const exact = (await one(line, [-1], "x > 1", "exact")).time as number;
    const path = await one(plane, [-1, 0], "x > 1", "path-1d");
    expect(path.detail?.kind === "path-1d" && path.detail.target).toBe("beyond-saddle");
    expect(Math.abs((path.time as number) / exact - 1)).toBeLessThan(0.5);
  });

  it("target cutting the path before the saddle: path-1d gives the hitting time of the cut; Kramers is not applicable", async () => {
    const exact = (await one(line, [-1], "x > -0.5", "exact")).time as number;
    const path = await one(plane, [-1, 0], "x > -0.5", "path-1d");
    expect(path.detail?.kind === "path-1d" && path.detail.target).toBe("before-saddle");
    expect(Math.abs((path.time as number) / exact - 1)).toBeLessThan(0.1);
    const k = await one(plane, [-1, 0], "x > -0.5", "kramers");
    expect(k.status).toBe("not-applicable");
    expect(k.reason).toMatch(/before the barrier top/);
    // … while a target at the saddle keeps Kramers applicable
    expect((await one(plane, [-1, 0], "x > 0", "kramers")).status).toBe("estimate");
  });
});
