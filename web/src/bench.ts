/** The benchmark page: frames per second of the particle view for 10⁴ particles per cloud in 2-D. */
import { CloudCanvas } from "./draw.js";
import { GALLERY } from "./gallery.js";
import type { CloudView, LandscapeView, Query } from "./live.js";
import LiveWorker from "./live-worker.ts?worker&inline";

const PARTICLES = 10_000;
const SECONDS = 5;
const out = document.getElementById("result") as HTMLElement;
const left = new CloudCanvas(document.getElementById("cloud-sgd") as HTMLCanvasElement);
const right = new CloudCanvas(document.getElementById("cloud-second") as HTMLCanvasElement);
const w = new LiveWorker();
let land: LandscapeView | null = null;
let query: Query | null = null;
const t0 = performance.now();
w.onmessage = (ev) => {
  const m = ev.data;
  if (m.type === "landscape") {
    land = m.land;
    query = m.query;
  } else if (m.type === "error") {
    out.textContent = `failed: ${m.error.message}`;
    document.body.dataset.state = "error";
  } else if (m.type === "clouds") {
    const c = m.clouds as CloudView;
    const simMs = performance.now() - t0;
    let frames = 0;
    let drawMs = 0;
    const start = performance.now();
    const loop = (now: number) => {
      const f = frames % c.times.length;
      const d0 = performance.now();
      left.draw({
        land: land as LandscapeView,
        clouds: c,
        which: "sgd",
        frame: f,
        start: (query as Query).from,
        title: "SGD",
      });
      right.draw({
        land: land as LandscapeView,
        clouds: c,
        which: "second",
        frame: f,
        start: (query as Query).from,
        title: "SDE",
      });
      drawMs += performance.now() - d0;
      frames++;
      if (now - start < SECONDS * 1000) requestAnimationFrame(loop);
      else {
        const fps = (frames * 1000) / (now - start);
        out.textContent = `${fps.toFixed(1)} frames per second drawing 2 × ${PARTICLES} particles (2-D, ${frames} frames in ${((now - start) / 1000).toFixed(1)} s; the display refresh rate caps it); drawing both panels took ${(drawMs / frames).toFixed(1)} ms per frame on the main thread. Computing the clouds, exit times and Fokker–Planck law took ${(simMs / 1000).toFixed(1)} s in the worker (${c.times.length} frames, horizon t = ${c.times[c.times.length - 1].toPrecision(4)}).`;
        out.dataset.fps = fps.toFixed(2);
        out.dataset.drawMs = (drawMs / frames).toFixed(2);
        document.body.dataset.state = "ready";
      }
    };
    requestAnimationFrame(loop);
  }
};
w.postMessage({
  type: "run",
  id: 1,
  text: GALLERY["three-minima-2d"],
  overrides: { lr: 0.3, batch: 1, delta: 0, noise: "file" },
  request: {
    start: null,
    target: "",
    dynamics: "sde",
    seed: 1,
    particles: PARTICLES,
    exitParticles: 200,
    frames: 120,
  },
});
