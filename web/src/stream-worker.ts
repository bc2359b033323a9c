/**
 * The stream worker (bench.html): holds a `ParticleStream` and, for each "step" message, advances both clouds by
 * one update and writes the positions into the two Float32Arrays it was sent, which it transfers back — the page
 * and the worker pass the same buffers to and fro (no copy, no allocation per frame on the page).
 */

import type { SecondDynamics } from "./live.js";
import { defaultQuery, landscapeView } from "./live.js";
import { buildProblem, errorInfo, type Overrides } from "./spec.js";
import { ParticleStream } from "./stream.js";

export type StreamMessage =
  | {
      type: "start";
      text: string;
      overrides: Overrides;
      start: number[] | null;
      second: SecondDynamics;
      particles: number;
      seed: number;
      /** SGD iterations per update. */
      iterations: number;
    }
  | { type: "step"; sgd: Float32Array; second: Float32Array };

let stream: ParticleStream | null = null;
const post = (m: unknown, transfer: Transferable[] = []) =>
  (self as unknown as Worker).postMessage(m, transfer);

self.onmessage = (ev: MessageEvent<StreamMessage>) => {
  const msg = ev.data;
  try {
    if (msg.type === "start") {
      const p = buildProblem(msg.text, msg.overrides, msg.start, "");
      const land = landscapeView(p);
      const query = defaultQuery(p, land, {
        start: msg.start,
        target: "",
        dynamics: msg.second,
        seed: msg.seed,
        particles: msg.particles,
        exitParticles: 0,
        frames: 0,
      });
      stream = new ParticleStream(p, query.from, msg.second, msg.particles, msg.seed, msg.iterations);
      post({ type: "ready", land, query, lr: p.lr });
    } else if (msg.type === "step") {
      if (!stream) throw new Error("internal: step before start");
      const t0 = performance.now();
      stream.step(msg.sgd, msg.second);
      post(
        {
          type: "positions",
          sgd: msg.sgd,
          second: msg.second,
          time: stream.time,
          updates: stream.updates,
          diverged: stream.diverged,
          ms: performance.now() - t0,
        },
        [msg.sgd.buffer, msg.second.buffer],
      );
    }
  } catch (e) {
    post({ type: "error", error: errorInfo(e) });
  }
};
