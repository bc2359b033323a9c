/**
 * The page's live computation for one state (runs in a Web Worker): for a 1-D or 2-D problem, a start point and
 * a target region,
 *   - the loss on the grid and its basins of attraction (the core's gridBasins),
 *   - the mean exit time by every applicable method through the one exit-time engine (particles with 95%
 *     intervals, the grid generator, the exact 1-D formula, Eyring–Kramers, bounds),
 *   - particle clouds of real SGD and of the chosen second dynamics at `frames` times, and the Fokker–Planck law
 *     of the SDE at the same times (same grid), with the mass per basin for both.
 * All times are SDE time t (iterations = t/η). Pure core calls; no DOM.
 */
import { simulate } from "../../src/dynamics/index.js";
import { UserError } from "../../src/errors.js";
import { applicableMethods } from "../../src/exit/engine.js";
import {
  type EnsembleRunner,
  type ExitEstimate,
  type ExitMethodName,
  exitTime,
} from "../../src/exit/index.js";
import { fokkerPlanckLaw, gridBasins, makeGrid, nearestNode, nodeCoords } from "../../src/pde/index.js";
import type { Problem } from "../../src/problem/index.js";

export type SecondDynamics = "sde" | "sde2" | "noisy-sgd" | "gd";

export interface LiveRequest {
  start: readonly number[] | null;
  /** Target region; "" = the default (see `defaultQuery`). */
  target: string;
  dynamics: SecondDynamics;
  seed: number;
  /** Particles per cloud. */
  particles: number;
  /** Monte Carlo runs per exit-time method. */
  exitParticles: number;
  frames: number;
}

/** Grid points per axis for the landscape, basins and Fokker–Planck (the exit-time grid is the engine's). */
export const VIEW_GRID = { 1: 301, 2: 41 } as const;
/** Points per axis of the exit-time grid methods (analyze --quick's choice). */
export const EXIT_GRID = { 1: 401, 2: 81 } as const;
/** Caps on the cloud runs: SGD iterations (the horizon) and SDE steps per particle (dt grows beyond it). */
export const MAX_ITERATIONS = 1000;
export const MAX_SDE_STEPS = 5000;
/**
 * Implicit Euler steps per frame of the 1-D Fokker–Planck law (order 1 in time; uniformization, exact in time,
 * costs ~10× more on the stiff 1-D double well). test/web/live.test.ts bounds the resulting basin-mass error.
 */
export const FP_SUBSTEPS = 4;

export interface LandscapeView {
  dim: number;
  varNames: string[];
  domain: [number, number][];
  shape: number[];
  /** Loss at the grid nodes (x fastest). */
  loss: Float64Array;
  /** Basin label per node and each basin's grid minimum, lowest first. */
  label: Int32Array;
  minima: { x: number[]; loss: number }[];
}

export interface Query {
  from: number[];
  to: string;
  /** Where start and target came from, in words. */
  why: string;
}

export interface CloudView {
  /** SDE times of the frames. */
  times: number[];
  sgd: Float32Array;
  second: Float32Array;
  secondName: SecondDynamics;
  /** Positions: frame f, particle j, coordinate i at [(f·m + j)·d + i]; NaN after divergence. */
  particles: number;
  /** SDE step of each run (η for discrete dynamics). */
  sgdStep: number;
  secondStep: number;
  /** Why the horizon is what it is. */
  horizonWhy: string;
  diverged: { sgd: number; second: number };
  /** Fokker–Planck node probabilities per frame (same grid as the landscape). */
  density: Float32Array[];
  densityMethod: string;
  /** Wall time (ms) of the two particle runs and of the Fokker–Planck law. */
  ms: { particles: number; fokkerPlanck: number };
  /** Basins (lowest first) the masses refer to: their grid minima. */
  basins: { x: number[]; loss: number }[];
  /** Basin masses per frame: particles (fraction and 95% half-width) and the Fokker–Planck law. */
  massSgd: number[][];
  massSgdHalf: number[][];
  massSecond: number[][];
  massPde: number[][];
}

/** The loss on the view grid and its basins. */
export function landscapeView(p: Problem): LandscapeView {
  const n = VIEW_GRID[p.dim as 1 | 2];
  const grid = makeGrid(p.domain, n);
  const loss = new Float64Array(grid.size);
  const x = new Float64Array(p.dim);
  for (let i = 0; i < grid.size; i++) loss[i] = p.loss.value(nodeCoords(grid, i, x));
  const b = gridBasins(grid, loss);
  return {
    dim: p.dim,
    varNames: [...p.varNames],
    domain: p.domain.map(([lo, hi]) => [lo, hi] as [number, number]),
    shape: [...grid.shape],
    loss,
    label: b.label,
    minima: b.minima.map((m) => ({ x: m.x, loss: m.loss })),
  };
}

const num = (v: number) => {
  const t = String(Number(v.toPrecision(4)));
  return v < 0 ? `(${t})` : t;
};

/**
 * Start and target: the request's, else the problem file's, else start at the highest grid minimum and target a
 * ball around the lowest other one (radius a quarter of their distance) — the words say which.
 */
export function defaultQuery(p: Problem, land: LandscapeView, req: LiveRequest): Query {
  const mins = land.minima;
  let from: number[] | null = req.start ? [...req.start] : p.start ? [...p.start] : null;
  let why = req.start ? "start clicked" : p.start ? "start from the problem file" : "";
  if (!from) {
    if (mins.length < 2 && req.target === "" && !p.target)
      throw new UserError("the landscape has one basin on the grid: give a target region or click a start", {
        where: "target",
      });
    from = mins[mins.length - 1].x;
    why = "start at the highest grid minimum";
  }
  if (req.target !== "") return { from, to: req.target, why: `${why}; target as typed` };
  if (p.target) return { from, to: p.target, why: `${why}; target from the problem file` };
  const grid = makeGrid(p.domain, land.shape);
  const home = land.label[nearestNode(grid, from)];
  const other = mins.map((_, k) => k).filter((k) => k !== home);
  if (other.length === 0)
    throw new UserError("the landscape has one basin on the grid: give a target region", { where: "target" });
  const c = mins[other[0]].x;
  const r = 0.25 * Math.hypot(...c.map((v, i) => v - from[i]));
  const to = `${p.varNames.map((v, i) => `(${v} - ${num(c[i])})^2`).join(" + ")} < ${num(r * r)}`;
  return { from, to, why: `${why}; target a ball (radius ${num(r)}) around the lowest other minimum` };
}

/** The table's row order: particles first, then the grid, the exact formula and landscape theory. */
export function displayOrder(second: SecondDynamics): ExitMethodName[] {
  return [...new Set<ExitMethodName>(["sgd", second, "pde", "exact", "kramers", "bounds"])];
}

/**
 * Methods the page runs, in the order they run — cheapest first, so that the first answer comes soon: the grid
 * generator (≈ 0.1 s in 1-D, ≈ 0.8 s on the 2-D 81×81 grid on the loaded test machine), Eyring–Kramers, the
 * bounds, the exact 1-D integral (≈ 1 s there), then the particles — and why the others cannot run here. (The
 * engine's numbers do not depend on this order.)
 */
export function liveMethods(p: Problem, second: SecondDynamics) {
  const wanted: ExitMethodName[] = ["pde", "kramers", "bounds", "exact", "sgd", second];
  return applicableMethods(p, [...new Set(wanted)]);
}

/** Exit times by method (the engine), each estimate reported as soon as it is done. */
export async function liveExit(
  p: Problem,
  q: Query,
  req: LiveRequest,
  onEstimate: (e: ExitEstimate) => void,
  shouldStop: () => boolean,
  runner?: EnsembleRunner,
) {
  const { run, skipped } = liveMethods(p, req.dynamics);
  const r = await exitTime(
    p,
    { from: q.from, to: q.to },
    {
      methods: run,
      particles: { particles: req.exitParticles, seed: req.seed, maxParticleSteps: 4e7 },
      gridMethods: { grid: EXIT_GRID[p.dim as 1 | 2] },
      onEstimate,
      shouldStop,
      runner,
    },
  );
  return { result: r, skipped };
}

/** 95% half-width of a binomial fraction (normal approximation; 0 when m = 0). */
const half = (f: number, m: number) => (m > 0 ? 1.96 * Math.sqrt(Math.max(f * (1 - f), 1 / m) / m) : 0);

/** Fractions of the particles of one frame in each basin (by the nearest grid node); diverged ones in none. */
function massOf(
  pos: Float32Array,
  f: number,
  m: number,
  d: number,
  label: Int32Array,
  nb: number,
  grid: ReturnType<typeof makeGrid>,
) {
  const c = new Array(nb).fill(0);
  const x = new Float64Array(d);
  for (let j = 0; j < m; j++) {
    let ok = true;
    for (let i = 0; i < d; i++) {
      x[i] = pos[(f * m + j) * d + i];
      if (!Number.isFinite(x[i])) ok = false;
    }
    if (ok) c[label[nearestNode(grid, x)]]++;
  }
  return c.map((v) => v / m);
}

/** Particles per range of the cloud runs: the worker yields between ranges and stops when the state changed. */
const CLOUD_RANGE = 250;
const tick = () => new Promise<void>((r) => setTimeout(r, 0));

/**
 * Clouds of SGD and the second dynamics over [0, horizon] (`frames` snapshots) and their basin masses, run in
 * ranges of CLOUD_RANGE particles (the same numbers as one run: particle p draws from stream (seed, p)); yields
 * to the event loop between ranges and returns null as soon as `shouldStop()` is true.
 */
export async function liveParticles(
  p: Problem,
  land: LandscapeView,
  q: Query,
  req: LiveRequest,
  horizon: number,
  horizonWhy: string,
  shouldStop: () => boolean = () => false,
): Promise<CloudView | null> {
  const d = p.dim;
  const F = req.frames;
  const eta = p.lr;
  const run = async (dyn: "sgd" | SecondDynamics) => {
    const discrete = dyn === "sgd" || dyn === "gd" || dyn === "noisy-sgd";
    let dt = discrete ? eta : eta / 10;
    let steps = Math.max(F, Math.round(horizon / dt));
    const cap = discrete ? MAX_ITERATIONS : MAX_SDE_STEPS;
    if (steps > cap) {
      steps = cap;
      if (!discrete) dt = horizon / cap;
    }
    const snapshotSteps = Array.from({ length: F }, (_, f) => Math.round((f * steps) / (F - 1)));
    const m = req.particles;
    const out = new Float32Array(F * m * d);
    let div = 0;
    let times: number[] = [];
    let step = 0;
    for (let from = 0; from < m; from += CLOUD_RANGE) {
      await tick();
      if (shouldStop()) return null;
      const to = Math.min(m, from + CLOUD_RANGE);
      const r = simulate(p, {
        dynamics: dyn,
        particles: m,
        range: [from, to],
        steps,
        dt: discrete ? undefined : dt,
        seed: req.seed,
        init: { kind: "point", point: q.from },
        snapshotSteps,
      });
      // coordinate-major per snapshot (local particle j of the range) → particle-major Float32 frames
      const k = to - from;
      for (let f = 0; f < F; f++)
        for (let i = 0; i < d; i++)
          for (let j = 0; j < k; j++) out[(f * m + from + j) * d + i] = r.snapshots[(f * d + i) * k + j];
      for (let j = 0; j < k; j++) if (r.divergedStep[j] >= 0) div++;
      times = r.snapshotTimes;
      step = r.stepSize;
    }
    return { pos: out, times, step, diverged: div };
  };
  const t0 = performance.now();
  const a = await run("sgd");
  if (!a) return null;
  const b = await run(req.dynamics);
  if (!b) return null;
  const grid = makeGrid(p.domain, land.shape);
  const nb = land.minima.length;
  const m = req.particles;
  const massSgd: number[][] = [];
  const massSgdHalf: number[][] = [];
  const massSecond: number[][] = [];
  for (let f = 0; f < F; f++) {
    const ms = massOf(a.pos, f, m, d, land.label, nb, grid);
    massSgd.push(ms);
    massSgdHalf.push(ms.map((v) => half(v, m)));
    massSecond.push(massOf(b.pos, f, m, d, land.label, nb, grid));
  }
  return {
    times: a.times,
    sgd: a.pos,
    second: b.pos,
    secondName: req.dynamics,
    particles: m,
    sgdStep: a.step,
    secondStep: b.step,
    horizonWhy,
    diverged: { sgd: a.diverged, second: b.diverged },
    density: [],
    densityMethod: "",
    massSgd,
    massSgdHalf,
    massSecond,
    massPde: [],
    ms: { particles: performance.now() - t0, fokkerPlanck: 0 },
    basins: land.minima,
  };
}

/**
 * The Fokker–Planck law of the SDE at the clouds' times on the panels' grid, with its mass per basin (the same
 * gridBasins labels as the particles'). 1-D: implicit Euler, FP_SUBSTEPS steps per frame (tridiagonal solves);
 * 2-D: uniformization, exact in time.
 */
export function liveDensity(p: Problem, land: LandscapeView, q: Query, c: CloudView): CloudView {
  const t0 = performance.now();
  const times = c.times;
  const F = times.length;
  const fpDt = times[F - 1] / (FP_SUBSTEPS * (F - 1));
  const fp = fokkerPlanckLaw(p, {
    init: { kind: "point", x: q.from },
    times: times.map((t) => Math.max(t, 0)),
    grid: land.shape,
    ...(p.dim === 1
      ? { method: "implicit-euler" as const, dt: fpDt }
      : { method: "uniformization" as const }),
  });
  if (fp.basins.minima.length !== land.minima.length)
    throw new Error("internal: the Fokker–Planck basins differ from the panels' basins");
  return {
    ...c,
    density: fp.evolution.snapshots.map((s) => Float32Array.from(s.p)),
    densityMethod:
      p.dim === 1
        ? `${fp.evolution.method}, dt = ${num(fpDt)} (${FP_SUBSTEPS} steps per frame)`
        : fp.evolution.method,
    massPde: fp.evolution.snapshots.map((s) => s.basinMass ?? []),
    ms: { ...c.ms, fokkerPlanck: performance.now() - t0 },
  };
}

/** The horizon of the clouds: 2× the first finite deterministic mean exit time, else 200 iterations. */
export function cloudHorizon(
  estimates: readonly ExitEstimate[],
  eta: number,
): { horizon: number; why: string } {
  for (const m of ["exact", "pde", "kramers"] as const) {
    const e = estimates.find((x) => x.method === m);
    if (e && e.status === "estimate" && e.time !== null && Number.isFinite(e.time) && e.time > 0) {
      const h = Math.min(2 * e.time, MAX_ITERATIONS * eta);
      return {
        horizon: h,
        why:
          h < 2 * e.time
            ? `capped at ${MAX_ITERATIONS} iterations (2× the ${m} mean exit time would be ${num(2 * e.time)})`
            : `2× the ${m} mean exit time`,
      };
    }
  }
  return { horizon: 200 * eta, why: "200 iterations (no deterministic exit time to scale by)" };
}
