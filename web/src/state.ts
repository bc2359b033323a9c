/**
 * The page's whole state and its URL form (the part after '#'): problem (a gallery key, or the edited file's text),
 * η, B, δ, noise model, second dynamics, seed, particles, start point, target, and the frame shown. Opening the
 * same link reruns the same seeded computation, so it shows the same numbers.
 */
import { GALLERY } from "./gallery.js";
import type { SecondDynamics } from "./live.js";
import { NOISE_CHOICES, type NoiseChoice, parseProblemText } from "./spec.js";

export interface AppState {
  /** Gallery key, or "custom" when `text` was edited. */
  problem: string;
  text: string;
  lr: number;
  batch: number;
  delta: number;
  noise: NoiseChoice;
  dynamics: SecondDynamics;
  seed: number;
  particles: number;
  /** Monte Carlo runs per exit-time method. */
  runs: number;
  start: number[] | null;
  target: string;
  frame: number;
  /** Run analyze --quick in the background for the three answers and the report (slow: seconds to a minute). */
  answers: boolean;
}

export const DYNAMICS_CHOICES: Record<SecondDynamics, string> = {
  sde: "SDE (order 1, Euler–Maruyama, dt = η/10)",
  sde2: "SDE (order 2 modified equation)",
  "noisy-sgd": "Noisy SGD (needs δ > 0; SGD then also adds δ)",
  gd: "gradient descent (no noise)",
};

/** The state of a gallery problem with the file's own η, B, δ. */
export function galleryState(key: string): AppState {
  const text = GALLERY[key] ?? GALLERY["double-well"];
  const spec = parseProblemText(text);
  return {
    problem: GALLERY[key] ? key : "double-well",
    text,
    lr: typeof spec.lr === "number" ? spec.lr : 0.1,
    batch: typeof spec.batch === "number" ? spec.batch : 1,
    delta: typeof spec.delta === "number" ? spec.delta : 0,
    noise: "file",
    dynamics: "sde",
    seed: 1,
    particles: 2000,
    runs: 400,
    start: null,
    target: "",
    frame: 30,
    answers: true,
  };
}

/** base64url of UTF-8 text. */
function b64(s: string): string {
  const bytes = new TextEncoder().encode(s);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
function unb64(s: string): string {
  const bin = atob(s.replace(/-/g, "+").replace(/_/g, "/"));
  return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
}

export function stateToHash(s: AppState): string {
  const q = new URLSearchParams();
  q.set("p", s.problem);
  if (s.problem === "custom") q.set("text", b64(s.text));
  q.set("lr", String(s.lr));
  q.set("B", String(s.batch));
  q.set("delta", String(s.delta));
  q.set("noise", s.noise);
  q.set("dyn", s.dynamics);
  q.set("seed", String(s.seed));
  q.set("n", String(s.particles));
  q.set("mc", String(s.runs));
  if (s.start) q.set("start", s.start.map((v) => String(Number(v.toPrecision(6)))).join(","));
  if (s.target) q.set("to", s.target);
  q.set("frame", String(s.frame));
  if (!s.answers) q.set("an", "0");
  return `#${q.toString()}`;
}

const numOr = (v: string | null, d: number, ok: (x: number) => boolean) => {
  if (v === null) return d;
  const x = Number(v);
  return Number.isFinite(x) && ok(x) ? x : d;
};

/** The state a link describes; missing or unreadable fields fall back to the gallery problem's values. */
export function stateFromHash(hash: string): AppState {
  const q = new URLSearchParams(hash.replace(/^#/, ""));
  const key = q.get("p") ?? "double-well";
  const s = galleryState(key === "custom" ? "double-well" : key);
  if (key === "custom") {
    s.problem = "custom";
    try {
      s.text = unb64(q.get("text") ?? "");
    } catch {
      s.text = "";
    }
  }
  s.lr = numOr(q.get("lr"), s.lr, (x) => x > 0);
  s.batch = numOr(q.get("B"), s.batch, (x) => x >= 1 && Number.isInteger(x));
  s.delta = numOr(q.get("delta"), s.delta, (x) => x >= 0);
  const noise = q.get("noise");
  if (noise && noise in NOISE_CHOICES) s.noise = noise as NoiseChoice;
  const dyn = q.get("dyn");
  if (dyn && dyn in DYNAMICS_CHOICES) s.dynamics = dyn as SecondDynamics;
  s.seed = numOr(q.get("seed"), s.seed, (x) => Number.isInteger(x) && x >= 0);
  s.particles = numOr(q.get("n"), s.particles, (x) => Number.isInteger(x) && x >= 10 && x <= 20000);
  s.runs = numOr(q.get("mc"), s.runs, (x) => Number.isInteger(x) && x >= 20 && x <= 20000);
  const st = q.get("start");
  if (st) {
    const v = st.split(",").map(Number);
    s.start = v.every(Number.isFinite) ? v : null;
  }
  s.target = q.get("to") ?? "";
  s.frame = numOr(q.get("frame"), s.frame, (x) => Number.isInteger(x) && x >= 0);
  s.answers = q.get("an") !== "0";
  return s;
}
