/**
 * `analyze`: the three questions of the paper answered for one problem, in stages with typed inputs and outputs:
 *
 *   policy (policy.ts) → landscape (landscape-stage.ts) → grid set-up (grid-stage.ts, d ≤ 2)
 *   → first stage (first-stage.ts) → escapes (escape-stage.ts, through the exit-time engine)
 *   → convergence (convergence-stage.ts)
 *
 * Pure and isomorphic: plain inputs in, one plain `AnalysisResult` of numbers out (typed arrays only in `fields`,
 * the bulk data for figures). The words — the three answers — are written from it by `report/prose.ts`.
 * Times are SDE time t (iterations = t/η), DESIGN.md §1.
 */

import { UserError } from "../errors.js";
import type { EnsembleRunner } from "../exit/index.js";
import type { EntropyReport } from "../pde/index.js";
import type { Problem } from "../problem/types.js";
import { Interrupted } from "../stop.js";
import { type ConvergenceStage, convergenceStage } from "./convergence-stage.js";
import type { EscapeResult } from "./escape.js";
import { escapeSetups, escapeStage } from "./escape-stage.js";
import { type FirstStage, firstStage } from "./first-stage.js";
import { type GridStage, gridStage } from "./grid-stage.js";
import { type LandscapeSearch, landscapeStage, type MinimumInfo } from "./landscape-stage.js";
import { analyzePolicy, type TimeScale } from "./policy.js";

export type { MinimumInfo } from "./landscape-stage.js";

export interface AnalyzeOptions {
  /** Small settings so that every gallery example runs in a few seconds (CI). */
  quick?: boolean;
  seed?: number;
  /** Monte Carlo ensemble size per escape method (default 200 quick / 2000 full). */
  particles?: number;
  /** PDE points per axis (default: automatic, capped in quick mode). */
  grid?: number;
  /** Called at the start of each stage (for progress display). */
  onStage?: (stage: string) => void;
  /** Ensemble runner for the escape stage's Monte Carlo (default in-process; the CLI passes worker threads). */
  runner?: EnsembleRunner;
  /** Progress of long Monte Carlo runs: `done` of `total` particles under a label. */
  onProgress?: (label: string, done: number, total: number) => void;
  /** Polled by the escape Monte Carlo: true stops it, keeping the particles that finished (Ctrl-C). */
  shouldStop?: () => boolean;
}

export interface AnalysisResult {
  problem: {
    name: string;
    description?: string;
    dim: number;
    variables: string[];
    lr: number;
    batch: number;
    batchScale: number;
    replacement: boolean;
    delta: number;
    noise: string;
    samples: number | null;
    domain: [number, number][];
  };
  mode: "quick" | "full";
  settings: {
    seed: number;
    particles: number;
    driftParticles: number;
    sdeDtOverEta: number;
    stepBudget: number;
    grid: { shape: number[]; reason: string } | null;
    escapeGrid: number | "auto" | null;
    initialLaw: string;
    captureRadius: number;
    driftHorizon: number;
    longHorizon: number;
    /** Where the long horizon came from, and whether that time scale can be trusted. */
    longScale: TimeScale;
    reasons: string[];
  };
  notes: string[];
  landscape: {
    minima: MinimumInfo[];
    saddles: {
      x: number[];
      value: number;
      lambda1: number;
      connects: [number, number];
      path: { points: number[][]; values: number[]; arcLength: number[] };
    }[];
    barriers: { from: number; to: number; saddle: number; height: number }[];
    continuum: string | null;
    /** How the minima and saddles were found; whether their counts depend on the number of starts. */
    search: LandscapeSearch;
    log: string[];
  };
  /** The first stage: times, basin masses, concentration, spreads (FirstStage without the figure fields). */
  drift: Omit<
    FirstStage,
    | "entropy"
    | "clouds"
    | "projection"
    | "reasons"
    | "notes"
    | "initialLaw"
    | "captureRadius"
    | "driftHorizon"
    | "longHorizon"
    | "longScale"
  > & {
    iterations: number[];
  };
  escapes: EscapeResult[];
  longTime: ConvergenceStage & {
    /** Particle basin masses at the last time. */
    finalMass: number[];
  };
  timings: Record<string, number>;
  /** Bulk arrays for figures and files (not part of summary.json). */
  fields: AnalysisFields;
}

export interface AnalysisFields {
  /** Loss on a grid (1-D: n; 2-D: nx×ny, x fastest) for landscape plots; null for d > 2. */
  loss: { axes: number[][]; values: Float64Array } | null;
  /** Snapshots shown as clouds: times, particle coordinates (first ≤ 2 coordinates or the projection `projection`). */
  clouds: FirstStage["clouds"];
  /** Projection used for d > 2 (unit vector), null otherwise. */
  projection: FirstStage["projection"];
  /** PDE grid used for densities. */
  pdeGrid: { axes: number[][] } | null;
}

const now = () => (typeof performance !== "undefined" ? performance.now() : Date.now());

/** The three questions for one problem, as data (see the module comment for the stages). */
export async function analyze(problem: Problem, options: AnalyzeOptions = {}): Promise<AnalysisResult> {
  const p = problem;
  if (p.momentum > 0)
    throw new UserError(
      "analyze compares particles with the grid and landscape methods, which model plain SGD; heavy-ball momentum is supported by the particle methods only",
      { where: "momentum", hint: "momentum 0, or `simulate` / `exit-time --method sgd,sde`" },
    );
  const d = p.dim;
  const pol = analyzePolicy(p, options);
  const timings: Record<string, number> = {};
  const notes: string[] = [];
  let t0 = 0;
  const stage = (name: string) => {
    options.onStage?.(name);
    t0 = now();
  };
  const bounded = p.domain.every(([lo, hi]) => Number.isFinite(lo) && Number.isFinite(hi));
  const gridOk = d <= 2 && bounded;
  if (!gridOk)
    notes.push(
      d > 2
        ? `d = ${d} > 2: grid methods (PDE exit times, Fokker–Planck densities, stationary law, spectral gap, entropy) are replaced by particles, the landscape (Kramers along the transition paths) and the 1-D exact analysis is not available; the report says which numbers are missing.`
        : "the domain is unbounded: grid methods need a finite box (give `domain` in the problem file).",
    );

  stage("landscape");
  const land = landscapeStage(p, pol, gridOk);
  notes.push(...land.notes);
  timings.landscape = now() - t0;

  stage("pde setup");
  let gs: GridStage | null = null;
  if (gridOk) {
    try {
      gs = gridStage(p, pol, options.grid);
      notes.push(...gs.notes);
    } catch (e) {
      // Ctrl-C inside a grid solve: the grid results are left out, the stages after run without them
      if (!(e instanceof Interrupted)) throw e;
      notes.push(
        `${e.message} (Ctrl-C) in the grid stage: no grid results (PDE densities, stationary law, spectral gap, grid exit times)`,
      );
    }
  }
  const st = gs?.stationary ?? null;
  timings.pdeSetup = now() - t0;

  stage("first stage");
  const fs = firstStage(p, pol, land, gs, st);
  notes.push(...fs.notes);
  timings.drift = now() - t0;

  stage("escapes");
  const { setups, notes: escNotes } = escapeSetups(p, pol, land, fs.captureRadius);
  notes.push(...escNotes);
  const escapes = await escapeStage(p, pol, land, setups, {
    gridOk,
    fallbackHorizon: fs.longHorizon,
    runner: options.runner,
    shouldStop: options.shouldStop,
    onProgress: options.onProgress,
  });
  timings.escapes = now() - t0;

  stage("long-time verdict");
  const conv = convergenceStage(p, land, gs, st, fs.entropy as EntropyReport | null, escapes, fs.longHorizon);
  timings.verdict = now() - t0;

  return {
    problem: {
      name: p.name,
      description: p.description,
      dim: d,
      variables: [...p.varNames],
      lr: p.lr,
      batch: p.batch,
      batchScale: p.batchScale,
      replacement: p.replacement,
      delta: p.delta,
      noise: p.noise.kind,
      samples: p.loss.finiteSum?.n ?? null,
      domain: p.domain.map(([lo, hi]) => [lo, hi]),
    },
    mode: pol.quick ? "quick" : "full",
    settings: {
      seed: pol.seed,
      particles: pol.particles,
      driftParticles: pol.driftParticles,
      sdeDtOverEta: pol.sdeDt / p.lr,
      stepBudget: pol.escapeBudget,
      grid: gs?.info ?? null,
      escapeGrid: gridOk ? (pol.escapeGrid ?? "auto") : null,
      initialLaw: fs.initialLaw,
      captureRadius: fs.captureRadius,
      driftHorizon: fs.driftHorizon,
      longHorizon: fs.longHorizon,
      longScale: fs.longScale,
      reasons: [...pol.reasons, ...fs.reasons],
    },
    notes,
    landscape: {
      minima: land.info,
      saddles: land.saddles.map((s) => ({
        x: s.x,
        value: s.value,
        lambda1: s.eigenvalues[0],
        connects: s.connects,
        path: { points: s.path.points, values: s.path.values, arcLength: s.path.arcLength },
      })),
      barriers: land.barriers,
      continuum: land.continuum,
      search: land.search,
      log: land.log,
    },
    drift: {
      times: fs.times,
      iterations: fs.times.map((t) => t / p.lr),
      particleMass: fs.particleMass,
      particleMassHalfWidth: fs.particleMassHalfWidth,
      pdeMass: fs.pdeMass,
      basins: fs.basins,
      unlabelled: fs.unlabelled,
      spread: fs.spread,
      diverged: fs.diverged,
      valley: fs.valley,
    },
    escapes,
    longTime: { ...conv, finalMass: fs.particleMass[fs.particleMass.length - 1] },
    timings,
    fields: {
      loss: lossField(p, gridOk),
      clouds: fs.clouds,
      projection: fs.projection,
      pdeGrid: gs
        ? {
            axes: Array.from({ length: d }, (_, k) =>
              Array.from({ length: gs.grid.shape[k] }, (_, i) => gs.grid.lo[k] + i * gs.grid.h[k]),
            ),
          }
        : null,
    },
  };
}

/** The loss on a regular grid over the domain for the landscape figure (1-D: 401 points; 2-D: 81², x fastest). */
function lossField(p: Problem, gridOk: boolean): AnalysisFields["loss"] {
  if (!gridOk) return null;
  const d = p.dim;
  const n = d === 1 ? 401 : 81;
  const axes = p.domain.map(([lo, hi]) =>
    Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1)),
  );
  const vals = new Float64Array(d === 1 ? n : n * n);
  const x = new Float64Array(d);
  for (let q = 0; q < vals.length; q++) {
    x[0] = axes[0][q % n];
    if (d === 2) x[1] = axes[1][Math.floor(q / n)];
    vals[q] = p.loss.value(x);
  }
  return { axes, values: vals };
}
