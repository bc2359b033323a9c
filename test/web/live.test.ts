/**
 * The explorable's computations without a browser: the Fokker–Planck panels (implicit Euler, FP_SUBSTEPS steps
 * per frame) against the exact-in-time uniformization, the particle basin masses against the Fokker–Planck
 * masses, the default start/target of a problem without them, and the URL state round trip.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { simulate } from "../../src/dynamics/index.js";
import { fokkerPlanckLaw } from "../../src/pde/index.js";
import {
  defaultQuery,
  type LiveRequest,
  landscapeView,
  liveDensity,
  liveParticles,
} from "../../web/src/live.js";
import { buildProblem } from "../../web/src/spec.js";
import { galleryState, stateFromHash, stateToHash } from "../../web/src/state.js";

const example = (k: string) => readFileSync(join(import.meta.dirname, "../../examples", `${k}.yaml`), "utf8");
const req: LiveRequest = {
  start: null,
  target: "",
  dynamics: "sde",
  seed: 1,
  particles: 1000,
  exitParticles: 100,
  frames: 31,
};

describe("live panels", () => {
  it("double well: Fokker–Planck basin masses match uniformization; particles match Fokker–Planck", async () => {
    const p = buildProblem(example("double-well"), { lr: 0.2, batch: 1, delta: 0, noise: "file" }, null, "");
    const land = landscapeView(p);
    const q = defaultQuery(p, land, req);
    expect(q.from).toEqual([-1]);
    expect(q.to).toBe("x > 0");
    const clouds = await liveParticles(p, land, q, req, 30, "test");
    if (!clouds) throw new Error("the cloud run stopped");
    const c = liveDensity(p, land, q, clouds);
    expect(c.times.length).toBe(31);
    expect(c.times[30]).toBeCloseTo(30, 9);
    // exact in time (uniformization, tail 1e-14) on the same grid
    const exact = fokkerPlanckLaw(p, { init: { kind: "point", x: [-1] }, times: c.times, grid: land.shape });
    let worst = 0;
    c.massPde.forEach((m, f) => {
      const e = exact.evolution.snapshots[f].basinMass as number[];
      m.forEach((v, k) => {
        worst = Math.max(worst, Math.abs(v - e[k]));
      });
    });
    expect(worst).toBeLessThan(0.01);
    // SDE and SGD particles against the law: within their 95% interval plus the O(η) SGD/SDE and grid gaps
    const last = c.times.length - 1;
    for (const k of [0, 1]) {
      const pde = c.massPde[last][k];
      expect(Math.abs(c.massSecond[last][k] - pde)).toBeLessThan(1.96 * Math.sqrt(0.25 / 1000) + 0.02);
      expect(Math.abs(c.massSgd[last][k] - pde)).toBeLessThan(c.massSgdHalf[last][k] + 0.04);
    }
    // half the mass has not crossed by t = 30 ≈ the mean exit time 30.8 (1 − e^{-30/30.8} ≈ 0.62 would be an
    // upper bound on crossings; the left basin keeps more than 0.5 since some return)
    expect(c.massPde[last][0]).toBeGreaterThan(0.5);
    expect(c.massPde[last][0]).toBeLessThan(0.8);
  }, 20_000);

  it("clouds run in particle ranges equal one simulate run, and a stale run stops", async () => {
    const p = buildProblem(example("double-well"), { lr: 0.2, batch: 1, delta: 0, noise: "file" }, null, "");
    const land = landscapeView(p);
    const q = defaultQuery(p, land, req);
    const r = { ...req, particles: 600, frames: 5 };
    const c = await liveParticles(p, land, q, r, 4, "test");
    if (!c) throw new Error("the cloud run stopped");
    // the SGD cloud at 20 iterations (t = 4) by one call: particle p draws from stream (seed, p) either way
    const one = simulate(p, {
      dynamics: "sgd",
      particles: 600,
      steps: 20,
      seed: 1,
      init: { kind: "point", point: q.from },
      snapshotSteps: [20],
    });
    expect(Array.from(c.sgd.subarray(4 * 600))).toEqual(Array.from(Float32Array.from(one.snapshots)));
    let polls = 0;
    expect(await liveParticles(p, land, q, r, 4, "test", () => ++polls > 1)).toBeNull();
  });

  it("a 2-D problem without start and target: start at the highest minimum, target a ball around another", () => {
    const p = buildProblem(
      example("three-minima-2d"),
      { lr: 0.3, batch: 1, delta: 0, noise: "file" },
      null,
      "",
    );
    const land = landscapeView(p);
    const q = defaultQuery(p, land, req);
    // wells at (±1.2, 0) (depth 1) and (0, 1.5) (depth 0.8) in the bowl (x² + y²)/10: the last is highest
    expect(land.minima.length).toBe(3);
    expect(Math.abs(q.from[0])).toBeLessThan(0.11);
    expect(Math.abs(q.from[1] - 1.5)).toBeLessThan(0.2);
    // the ball's centre is a grid minimum of a (±1.2, 0) well: within one grid spacing (0.15) of it
    const m = /^\(x - \(?(-?[\d.]+)\)?\)\^2 \+ \(y - \(?(-?[\d.]+)\)?\)\^2 < ([\d.]+)$/.exec(q.to);
    expect(m).not.toBeNull();
    const [cx, cy] = [Number(m?.[1]), Number(m?.[2])];
    expect(Math.abs(Math.abs(cx) - 1.2)).toBeLessThan(0.16);
    expect(Math.abs(cy)).toBeLessThan(0.16);
    expect(q.why).toContain("highest grid minimum");
  });

  it("the URL state round trip keeps every field", () => {
    const s = { ...galleryState("three-minima-2d"), lr: 0.35, seed: 7, start: [0.5, -1.25], target: "x > 1" };
    expect(stateFromHash(stateToHash(s))).toEqual(s);
    const custom = { ...s, problem: "custom", text: 'name: é\nloss: "x^2"\n' };
    expect(stateFromHash(stateToHash(custom))).toEqual(custom);
  });
});
