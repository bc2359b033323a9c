/**
 * Particle clouds stepped a little at a time (for the animation and bench.html), not precomputed: each update
 * advances every particle of SGD and of the second dynamics by `iterations` SGD iterations (SDE time
 * `iterations`·η; the SDE by `iterations`·10 steps of η/10) with the core's `simulate` (its generated kernel),
 * starting from the positions of the previous update. Positions are written into a caller's Float32Array
 * (particle-major, x fastest), so the worker can transfer one buffer back and forth: no allocation per frame on
 * the page. The randomness of update u is the stream (seed·2²⁰ + u, particle): a pure function of the seed,
 * but a different sample path than the precomputed frames of live.ts (which draw a whole path per stream).
 * Diverged particles stay diverged (NaN) and are counted. Pure core calls; no DOM.
 */
import { simulate } from "../../src/dynamics/index.js";
import { UserError } from "../../src/errors.js";
import type { Problem } from "../../src/problem/index.js";
import type { SecondDynamics } from "./live.js";

/** SDE steps per SGD iteration of the second dynamics when it is an SDE (dt = η/10, as in live.ts). */
export const SDE_SUBSTEPS = 10;
/** Updates per seed before the per-update seed would wrap (2²⁰). */
const MAX_UPDATES = 1 << 20;

/** One cloud's state: positions (row-major m×d, the `samples` initial law) and which particles diverged. */
class Cloud {
  readonly samples: Float64Array;
  readonly dead: Uint8Array;
  diverged = 0;
  constructor(
    readonly dynamics: "sgd" | SecondDynamics,
    readonly m: number,
    readonly start: readonly number[],
  ) {
    const d = start.length;
    this.samples = new Float64Array(m * d);
    for (let j = 0; j < m; j++) for (let i = 0; i < d; i++) this.samples[j * d + i] = start[i];
    this.dead = new Uint8Array(m);
  }
}

export class ParticleStream {
  private readonly clouds: [Cloud, Cloud];
  /** Updates done so far; SDE time = updates · iterations · η. */
  updates = 0;
  constructor(
    readonly problem: Problem,
    start: readonly number[],
    readonly second: SecondDynamics,
    readonly particles: number,
    readonly seed: number,
    readonly iterations = 1,
  ) {
    if (!Number.isInteger(iterations) || iterations < 1)
      throw new UserError(`must be a whole number ≥ 1, got ${iterations}`, { where: "iterations per frame" });
    if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32)
      throw new UserError(`must be a whole number in [0, 2^32), got ${seed}`, { where: "seed" });
    this.clouds = [new Cloud("sgd", particles, start), new Cloud(second, particles, start)];
  }

  /** SDE time of the positions last written. */
  get time(): number {
    return this.updates * this.iterations * this.problem.lr;
  }

  get diverged(): { sgd: number; second: number } {
    return { sgd: this.clouds[0].diverged, second: this.clouds[1].diverged };
  }

  /**
   * Advances both clouds by one update and writes their positions into `sgd` and `second` (length m·d each,
   * particle-major; NaN for diverged particles).
   */
  step(sgd: Float32Array, second: Float32Array): void {
    const d = this.problem.dim;
    const m = this.particles;
    if (sgd.length !== m * d || second.length !== m * d)
      throw new Error(`internal: position buffers must hold ${m}×${d} numbers`);
    if (this.updates >= MAX_UPDATES) throw new UserError("the stream ran 2^20 updates: restart it", {});
    const seed = this.seed * MAX_UPDATES + this.updates;
    for (let c = 0; c < 2; c++) {
      const cloud = this.clouds[c];
      const out = c === 0 ? sgd : second;
      const sde = cloud.dynamics === "sde" || cloud.dynamics === "sde2";
      const r = simulate(this.problem, {
        dynamics: cloud.dynamics,
        particles: m,
        steps: sde ? this.iterations * SDE_SUBSTEPS : this.iterations,
        dt: sde ? this.problem.lr / SDE_SUBSTEPS : undefined,
        seed,
        init: { kind: "samples", samples: cloud.samples, count: m },
      });
      // r.final is coordinate-major (i·m + j)
      const s = cloud.samples;
      for (let j = 0; j < m; j++) {
        let ok = cloud.dead[j] === 0 && r.divergedStep[j] < 0;
        if (ok) for (let i = 0; i < d; i++) if (!Number.isFinite(r.final[i * m + j])) ok = false;
        if (!ok) {
          if (cloud.dead[j] === 0) {
            cloud.dead[j] = 1;
            cloud.diverged++;
          }
          // a diverged particle restarts from the start point only to keep `samples` finite: never drawn
          for (let i = 0; i < d; i++) {
            s[j * d + i] = cloud.start[i];
            out[j * d + i] = Number.NaN;
          }
          continue;
        }
        for (let i = 0; i < d; i++) {
          const v = r.final[i * m + j];
          s[j * d + i] = v;
          out[j * d + i] = v;
        }
      }
    }
    this.updates++;
  }
}
