/**
 * The core's default ensemble runner: in-process, in particle ranges of ~100 ms, yielding to the event loop
 * between ranges so that a stop request (Ctrl-C in a CLI, a button in a page) is seen promptly. Isomorphic.
 * Results are those of one `simulate` call (particle p's randomness is the stream (seed, p)).
 */
import { mergeResults, type SimulateResult, simulate } from "../dynamics/simulate.js";
import type { EnsembleRunner } from "./types.js";

const tick = () => new Promise<void>((r) => setTimeout(r, 0));

export const inProcessRunner: EnsembleRunner = async (problem, options, hooks) => {
  // validate once up front so that bad options fail before any work
  const empty = simulate(problem, { ...options, range: [0, 0] });
  const parts: SimulateResult[] = [];
  let at = 0;
  let size = 16;
  while (at < options.particles) {
    if (hooks.shouldStop?.()) break;
    await tick();
    const range: [number, number] = [at, Math.min(options.particles, at + size)];
    const t0 = Date.now();
    const res = simulate(problem, {
      ...options,
      range,
      shouldStop: hooks.shouldStop,
      onProgress: hooks.onProgress ? (n) => hooks.onProgress?.(range[0] + n) : undefined,
    });
    const ms = Date.now() - t0;
    parts.push(res);
    if (res.stopped) break;
    at = range[1];
    size = Math.max(1, Math.min(size * 4, Math.round((size * 100) / Math.max(ms, 1))));
  }
  if (parts.length === 0) return { ...empty, stopped: true };
  const merged = mergeResults(parts);
  return { ...merged, stopped: merged.stopped || merged.completed < options.particles };
};
