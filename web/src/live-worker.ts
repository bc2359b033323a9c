/**
 * The live worker: receives the page state, validates it with the core's parser, and posts results stage by
 * stage (landscape → each exit-time estimate → clouds and Fokker–Planck). A newer request stops the current one
 * (the engine polls `shouldStop` between particle ranges).
 */
import type { ExitEstimate } from "../../src/exit/index.js";
import {
  cloudHorizon,
  defaultQuery,
  type LiveRequest,
  landscapeView,
  liveDensity,
  liveExit,
  liveParticles,
} from "./live.js";
import { partialRunner } from "./partial-runner.js";
import { buildProblem, errorInfo, type Overrides } from "./spec.js";

export interface RunMessage {
  type: "run";
  id: number;
  text: string;
  overrides: Overrides;
  request: LiveRequest;
}

let latest = 0;

/** Estimates without the bulk per-particle arrays, except the exit times the histogram needs (as Float32). */
function slim(e: ExitEstimate) {
  if (e.detail?.kind !== "monte-carlo") return e;
  const { exitTimes, stats: _stats, ...rest } = e.detail;
  return { ...e, detail: { ...rest, exitTimes: Float64Array.from(exitTimes) } };
}

const post = (m: unknown) => (self as unknown as Worker).postMessage(m);

self.onmessage = async (ev: MessageEvent<RunMessage>) => {
  const msg = ev.data;
  if (msg.type !== "run") return;
  const id = msg.id;
  latest = id;
  const stale = () => latest !== id;
  const t0 = performance.now();
  try {
    const p = buildProblem(msg.text, msg.overrides, msg.request.start, msg.request.target);
    const land = landscapeView(p);
    const q = defaultQuery(p, land, msg.request);
    post({ type: "landscape", id, land, query: q, lr: p.lr, name: p.name });
    await new Promise((r) => setTimeout(r, 0));
    if (stale()) return;
    const estimates: ExitEstimate[] = [];
    const { result, skipped } = await liveExit(
      p,
      q,
      msg.request,
      (e) => {
        estimates.push(e);
        if (!stale()) post({ type: "estimate", id, estimate: slim(e) });
      },
      stale,
      // Monte Carlo methods report their growing mean and interval every 50 runs
      partialRunner(p.lr, (part) => {
        if (!stale()) post({ type: "partial", id, partial: part });
      }),
    );
    if (stale()) return;
    post({ type: "exit-done", id, skipped, interrupted: result.interrupted, ms: performance.now() - t0 });
    const h = cloudHorizon(estimates, p.lr);
    await new Promise((r) => setTimeout(r, 0));
    if (stale()) return;
    const clouds = await liveParticles(p, land, q, msg.request, h.horizon, h.why, stale);
    if (!clouds || stale()) return;
    post({ type: "clouds", id, clouds, ms: performance.now() - t0, density: false });
    await new Promise((r) => setTimeout(r, 0));
    if (stale()) return;
    const full = liveDensity(p, land, q, clouds);
    if (stale()) return;
    post({ type: "clouds", id, clouds: full, ms: performance.now() - t0, density: true });
  } catch (e) {
    if (!stale()) post({ type: "error", id, error: errorInfo(e) });
  }
};
