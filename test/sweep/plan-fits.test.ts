import { describe, expect, it } from "vitest";
import {
  fitLaw,
  fitLinear,
  parseShard,
  parseSweepList,
  type SweepPlan,
  shardCells,
  sweepCells,
} from "../../src/sweep/index.js";

describe("sweep lists", () => {
  it("reads a,b,c and a:b:n (log-spaced, ends included, batch sizes rounded)", () => {
    expect(parseSweepList("0.1, 0.2,0.4", "--lr", { min: 0, positive: true })).toEqual([0.1, 0.2, 0.4]);
    expect(parseSweepList("0.05:0.4:4", "--lr", { min: 0, positive: true })).toEqual([0.05, 0.1, 0.2, 0.4]);
    expect(parseSweepList("1:100:3", "--batch", { min: 1, integer: true })).toEqual([1, 10, 100]);
  });
  it("refuses bad lists naming the flag", () => {
    expect(() => parseSweepList("0.1,,0.2", "--lr", { min: 0, positive: true })).toThrow(/--lr: .*empty/);
    expect(() => parseSweepList("0:1:3", "--lr", { min: 0, positive: true })).toThrow(
      /--lr: log-spaced ends must be positive/,
    );
    expect(() => parseSweepList("1:2:5", "--batch", { min: 1, integer: true })).toThrow(
      /--batch: .*twice.*rounding/,
    );
    expect(() => parseSweepList("1.5", "--batch", { min: 1, integer: true })).toThrow(
      /--batch: 1.5 is not a whole number/,
    );
    expect(() => parseSweepList("0", "--lr", { min: 0, positive: true })).toThrow(/--lr: 0 is out of range/);
    expect(() => parseSweepList("1:2", "--lr", { min: 0, positive: true })).toThrow(
      /--lr: "1:2" is not a list/,
    );
  });
});

describe("sweep cells and shards", () => {
  const plan: SweepPlan = {
    lr: [0.1, 0.2],
    batch: [1, 2, 4],
    delta: null,
    seeds: [7, 8],
    methods: ["sgd", "exact"],
    particles: 10,
    horizon: "auto",
    fallbackHorizon: 1000,
    grid: null,
    from: [-1],
    to: "x > 0",
  };
  const cells = sweepCells(plan);
  it("orders cells batch-major, η, then seed; deterministic methods only with the first seed", () => {
    expect(cells).toHaveLength(12);
    expect(cells.slice(0, 3).map((c) => [c.lr, c.batch, c.seed, c.methods.join()])).toEqual([
      [0.1, 1, 7, "sgd,exact"],
      [0.1, 1, 8, "sgd"],
      [0.2, 1, 7, "sgd,exact"],
    ]);
    expect(cells.map((c) => c.index)).toEqual([...Array(12).keys()]);
  });
  it("shards partition the cells", () => {
    const parts = [0, 1, 2, 3, 4].map((i) => shardCells(cells, i, 5).map((c) => c.index));
    expect(parts.flat().sort((a, b) => a - b)).toEqual([...Array(12).keys()]);
    expect(parseShard("2/5")).toEqual({ index: 2, count: 5 });
    expect(() => parseShard("5/5")).toThrow(/--shard/);
    expect(() => parseShard("a/b")).toThrow(/--shard/);
  });
});

describe("fits", () => {
  // reference: NumPy lstsq and SciPy t quantiles on the same data (values printed by that computation)
  const x = [1, 2, 3, 4, 5, 6];
  const y = [1.1, 2.9, 5.2, 7.1, 8.8, 11.3];
  it("ordinary least squares matches NumPy/SciPy (coefficients, standard errors, t interval)", () => {
    const f = fitLinear([x.map(() => 1), x], y);
    expect(f.coef[0]).toBeCloseTo(-0.99333333, 7);
    expect(f.coef[1]).toBeCloseTo(2.01714286, 7);
    expect(f.se[0]).toBeCloseTo(0.19089597, 7);
    expect(f.se[1]).toBeCloseTo(0.04901756, 7);
    expect(f.ci[1][0]).toBeCloseTo(1.8810482954418957, 6);
    expect(f.ci[1][1]).toBeCloseTo(2.153237418843821, 6);
  });
  it("the curvature test: not significant on near-straight data (SciPy p = 0.633), significant on a parabola", () => {
    const f = fitLaw(x, y, (v) => v * v);
    expect(f?.curvatureP).toBeCloseTo(0.6327725142734619, 5);
    expect(f?.curvature).toBe(false);
    expect(f?.chosen).toBe("line");
    const g = fitLaw(
      x,
      x.map((v, i) => 1 + 2 * v + 0.5 * v * v + (i % 2 ? 0.01 : -0.01)),
      (v) => v * v,
    );
    expect(g?.curvature).toBe(true);
    expect(g?.chosen).toBe("curved");
    expect(g?.slopeCi[0]).toBeLessThan(2);
    expect(g?.slopeCi[1]).toBeGreaterThan(2);
  });
});
