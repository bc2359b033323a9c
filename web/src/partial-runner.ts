/**
 * An ensemble runner for the live worker that reports the Monte Carlo exit times as they grow: it runs the
 * particles in ranges (as the core's in-process runner does, yielding between ranges so that a newer state
 * stops it) and after each range calls `onPartial` with the mean exit time of the runs finished so far and its
 * 95% interval (`exitTimeStats`, the engine's own summary: a restricted mean, a lower bound, while some runs are
 * censored at the horizon). The result is the merge of the ranges — bit-identical to one `simulate` call, since
 * particle p draws from stream (seed, p) — so the engine's final estimate does not depend on this runner.
 */
import { exitTimeStats } from "../../src/analysis/index.js";
import { mergeResults, type SimulateResult, simulate } from "../../src/dynamics/simulate.js";
import type { EnsembleRunner } from "../../src/exit/index.js";

/** Runs per range: small enough for a first interval within a fraction of a second. */
const RANGE = 50;

export interface PartialExit {
  /** The dynamics of the runs (the engine's method name for them). */
  dynamics: string;
  /** Runs finished so far, of `total`. */
  done: number;
  total: number;
  /** SDE step of the runs: a time-step check reruns an SDE at 2·dt. */
  step: number;
  /** Mean exit time so far (SDE time), its 95% interval, and whether it is a lower bound (censored runs). */
  time: number;
  interval: [number, number];
  lowerBound: boolean;
}

const tick = () => new Promise<void>((r) => setTimeout(r, 0));

export function partialRunner(lr: number, onPartial: (p: PartialExit) => void): EnsembleRunner {
  return async (problem, options, hooks) => {
    const empty = simulate(problem, { ...options, range: [0, 0] });
    const parts: SimulateResult[] = [];
    const horizon = options.steps * empty.stepSize;
    for (let at = 0; at < options.particles; ) {
      if (hooks.shouldStop?.()) break;
      await tick();
      const range: [number, number] = [at, Math.min(options.particles, at + RANGE)];
      const res = simulate(problem, { ...options, range, shouldStop: hooks.shouldStop });
      parts.push(res);
      if (res.stopped) break;
      at = range[1];
      hooks.onProgress?.(at);
      const merged = mergeResults(parts);
      if (at < options.particles && horizon > 0) {
        const s = exitTimeStats(merged.exitTime.subarray(0, merged.completed), { horizon, lr });
        if (s.n >= 2)
          onPartial({
            dynamics: options.dynamics,
            done: at,
            total: options.particles,
            step: empty.stepSize,
            time: s.mean.time,
            interval: s.mean.ci95,
            lowerBound: s.mean.lowerBound,
          });
      }
    }
    if (parts.length === 0) return { ...empty, stopped: true };
    const merged = mergeResults(parts);
    return { ...merged, stopped: merged.stopped || merged.completed < options.particles };
  };
}
