/**
 * The benchmark page: frames per second of the particle view with 10⁴ particles per cloud in 2-D (three wells,
 * η = 0.3), in two phases of SECONDS each:
 *   1. render only — the same positions drawn on both canvases every animation frame (the main thread's cost);
 *   2. step + render — the stream worker steps both clouds (1 SGD iteration, 10 SDE steps of η/10 per update)
 *      while the page draws the newest positions every animation frame; two pairs of Float32Arrays circulate
 *      between page and worker as transferables, so the frame loop never waits for a step and allocates nothing.
 * Frames per second are capped by the display's refresh rate; the page reports the draw time per frame, the
 * updates per second and the worker's time per update, and the particles that diverged.
 */
import { CloudCanvas } from "./draw.js";
import { GALLERY } from "./gallery.js";
import type { LandscapeView, Query } from "./live.js";
import StreamWorker from "./stream-worker.ts?worker&inline";

const PARTICLES = 10_000;
const SECONDS = Number(new URLSearchParams(location.search).get("seconds") ?? 5);
const out = document.getElementById("result") as HTMLElement;
const left = new CloudCanvas(document.getElementById("cloud-sgd") as HTMLCanvasElement);
const right = new CloudCanvas(document.getElementById("cloud-second") as HTMLCanvasElement);
const w = new StreamWorker();
let land: LandscapeView | null = null;
let query: Query | null = null;

interface Pair {
  sgd: Float32Array;
  second: Float32Array;
}
/** The pair on screen; the other pair is in the worker (or waiting while the worker is paused). */
let shown: Pair | null = null;
let spare: Pair | null = null;
let stepping = false;
let updates = 0;
let stepMs = 0;
let time = 0;
let diverged = { sgd: 0, second: 0 };

function draw(): number {
  const t0 = performance.now();
  if (!land || !query || !shown) return 0;
  const f = { land, clouds: null, frame: 0, start: query.from };
  left.draw({ ...f, which: "sgd", positions: shown.sgd, title: "SGD" });
  right.draw({ ...f, which: "second", positions: shown.second, title: "SDE" });
  return performance.now() - t0;
}

/** Draws every animation frame for SECONDS; resolves with frames per second and draw ms per frame. */
function phase(): Promise<{ fps: number; drawMs: number; frames: number; seconds: number }> {
  return new Promise((resolve) => {
    let frames = 0;
    let drawMs = 0;
    let start = -1;
    const loop = (now: number) => {
      if (start < 0) start = now;
      drawMs += draw();
      frames++;
      if (now - start < SECONDS * 1000) requestAnimationFrame(loop);
      else {
        const s = (now - start) / 1000;
        resolve({ fps: frames / s, drawMs: drawMs / frames, frames, seconds: s });
      }
    };
    requestAnimationFrame(loop);
  });
}

function send(p: Pair): void {
  w.postMessage({ type: "step", sgd: p.sgd, second: p.second }, [p.sgd.buffer, p.second.buffer]);
}

let firstPositions: (() => void) | null = null;
w.onmessage = async (ev) => {
  const m = ev.data;
  if (m.type === "error") {
    out.textContent = `failed: ${m.error.message}`;
    document.body.dataset.state = "error";
  } else if (m.type === "ready") {
    land = m.land;
    query = m.query;
    const make = (): Pair => ({
      sgd: new Float32Array(PARTICLES * 2),
      second: new Float32Array(PARTICLES * 2),
    });
    spare = make();
    send(make());
  } else if (m.type === "positions") {
    const next: Pair = { sgd: m.sgd, second: m.second };
    const old = shown;
    shown = next;
    time = m.time;
    diverged = m.diverged;
    if (stepping) {
      updates++;
      stepMs += m.ms;
    }
    // the pair that was on screen goes back to the worker (or waits while stepping is paused)
    const back = old ?? spare;
    if (!old) spare = null;
    if (stepping && back) send(back);
    else spare = back;
    firstPositions?.();
    firstPositions = null;
  }
};

async function main(): Promise<void> {
  await new Promise<void>((r) => {
    firstPositions = r;
  });
  const render = await phase();
  stepping = true;
  if (spare) {
    send(spare);
    spare = null;
  }
  const t0 = performance.now();
  const stream = await phase();
  const streamSeconds = (performance.now() - t0) / 1000;
  stepping = false;
  const ups = updates / streamSeconds;
  out.textContent =
    `Render only: ${render.fps.toFixed(1)} frames/s drawing 2 × ${PARTICLES} particles (2-D), ` +
    `${render.drawMs.toFixed(1)} ms per frame on the main thread. ` +
    `Step + render: ${stream.fps.toFixed(1)} frames/s, ${stream.drawMs.toFixed(1)} ms drawing per frame; ` +
    `the worker delivered ${ups.toFixed(1)} updates/s (${(stepMs / Math.max(updates, 1)).toFixed(1)} ms per update ` +
    `of both clouds: 1 SGD iteration + 10 SDE steps of η/10 for 10⁴ particles each). ` +
    `Phases of ${SECONDS} s each; frames per second are capped by the display's refresh rate. ` +
    `SDE time reached t = ${time.toPrecision(3)}; diverged: ${diverged.sgd} SGD, ${diverged.second} SDE particles.`;
  Object.assign(out.dataset, {
    fpsRender: render.fps.toFixed(2),
    fpsStream: stream.fps.toFixed(2),
    drawMs: render.drawMs.toFixed(2),
    drawMsStream: stream.drawMs.toFixed(2),
    updatesPerSecond: ups.toFixed(2),
    stepMs: (stepMs / Math.max(updates, 1)).toFixed(2),
  });
  document.body.dataset.state = "ready";
}
void main();

w.postMessage({
  type: "start",
  text: GALLERY["three-minima-2d"],
  overrides: { lr: 0.3, batch: 1, delta: 0, noise: "file" },
  start: null,
  second: "sde",
  particles: PARTICLES,
  seed: 1,
  iterations: 1,
});
