/**
 * Initial laws of an ensemble. Particle p draws its initial point from its own stream (seed, p)
 * before any step, so the whole path of particle p is a function of (seed, p) alone.
 */
import { UserError } from "../errors.js";
import type { Rng } from "../random/rng.js";

export type InitialLaw =
  | { kind: "point"; point: readonly number[] }
  /** Independent coordinates N(mean_i, std_i²). */
  | { kind: "gaussian"; mean: readonly number[]; std: readonly number[] }
  | { kind: "uniform"; box: ReadonlyArray<readonly [number, number]> }
  /** Particle p starts at sample (p mod count); samples row-major count×d. */
  | { kind: "samples"; samples: Float64Array; count: number };

/** Checks an initial law against the dimension; throws UserError naming the offending field. */
export function checkInitialLaw(law: InitialLaw, d: number): void {
  const len = (v: readonly unknown[], what: string) => {
    if (v.length !== d) {
      throw new UserError(`has ${v.length} coordinate(s) but the problem has dimension ${d}`, {
        where: what,
      });
    }
  };
  switch (law.kind) {
    case "point":
      len(law.point, "initial point");
      if (law.point.some((v) => !Number.isFinite(v)))
        throw new UserError("must be finite", { where: "initial point" });
      break;
    case "gaussian":
      len(law.mean, "gaussian mean");
      len(law.std, "gaussian std");
      if (law.std.some((s) => !(s >= 0)))
        throw new UserError("standard deviations must be ≥ 0", { where: "gaussian std" });
      break;
    case "uniform":
      len(law.box, "uniform box");
      if (law.box.some(([lo, hi]) => !(lo <= hi) || !Number.isFinite(lo) || !Number.isFinite(hi))) {
        throw new UserError("each interval must be finite with lo ≤ hi", { where: "uniform box" });
      }
      break;
    case "samples":
      if (law.count < 1 || law.samples.length !== law.count * d) {
        throw new UserError(`expected count×${d} numbers, got ${law.samples.length}`, {
          where: "initial samples",
        });
      }
      for (const v of law.samples)
        if (!Number.isFinite(v)) throw new UserError("non-finite value", { where: "initial samples" });
      break;
  }
}

/** Writes particle p's initial point into x, drawing from rng (already seeded for particle p). */
export function drawInitial(law: InitialLaw, p: number, rng: Rng, x: Float64Array, d: number): void {
  switch (law.kind) {
    case "point":
      for (let i = 0; i < d; i++) x[i] = law.point[i];
      return;
    case "gaussian":
      for (let i = 0; i < d; i++) x[i] = law.mean[i] + law.std[i] * rng.normal();
      return;
    case "uniform":
      for (let i = 0; i < d; i++) {
        const [lo, hi] = law.box[i];
        x[i] = lo + (hi - lo) * rng.uniform();
      }
      return;
    case "samples": {
      const o = (p % law.count) * d;
      for (let i = 0; i < d; i++) x[i] = law.samples[o + i];
      return;
    }
  }
}
