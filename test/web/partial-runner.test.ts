/**
 * The live worker's ensemble runner (web/src/partial-runner.ts): the engine's estimate through it equals the one
 * through the core's in-process runner (same seed → the same runs, whatever the ranges), and it reports the
 * growing mean and interval of the finished runs on the way, each the engine's summary of those runs.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { exitTimeStats } from "../../src/analysis/index.js";
import { exitTime } from "../../src/exit/index.js";
import { type PartialExit, partialRunner } from "../../web/src/partial-runner.js";
import { buildProblem } from "../../web/src/spec.js";

describe("partial Monte Carlo runner", () => {
  it("same final estimate as the in-process runner; partial means of the first 50, 100, 150 runs", async () => {
    const text = readFileSync(join(import.meta.dirname, "../../examples/double-well.yaml"), "utf8");
    const p = buildProblem(text, { lr: 0.3, batch: 1, delta: 0, noise: "file" }, null, "");
    const q = { from: [-1], to: "x > 0" };
    const o = { methods: ["sgd"] as const, particles: { particles: 200, seed: 5, horizon: 400 } };
    const parts: PartialExit[] = [];
    const a = await exitTime(p, q, { ...o, runner: partialRunner(p.lr, (x) => parts.push(x)) });
    const b = await exitTime(p, q, o);
    const [ea, eb] = [a.estimates[0], b.estimates[0]];
    expect(ea.time).toBe(eb.time);
    expect(ea.interval).toEqual(eb.interval);
    expect(parts.map((x) => x.done)).toEqual([50, 100, 150]);
    // the partial of the first 100 runs is the summary of the final run's first 100 exit times
    const times = (eb.detail as { exitTimes: Float64Array }).exitTimes;
    const s = exitTimeStats(times.subarray(0, 100), {
      horizon: parts[1].step * Math.ceil(400 / p.lr),
      lr: p.lr,
    });
    expect(parts[1].time).toBeCloseTo(s.mean.time, 10);
    expect(parts[1].interval[0]).toBeLessThan(parts[1].time);
    expect(parts.every((x) => x.dynamics === "sgd" && x.total === 200 && x.step === p.lr)).toBe(true);
  });
});
