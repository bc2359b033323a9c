/**
 * The one exit-time engine's types (DESIGN.md §2): every method — particles of each dynamics, the grid
 * generator, the exact 1-D formula, Eyring–Kramers, bounds, the 1-D reduction along a transition path —
 * answers the same query with the same result type.
 *
 * Units: every time is SDE time t (one SGD iteration = η of SDE time); `iterations` = t/η.
 */
import type { ExitTimeStats } from "../analysis/exit-stats.js";
import { DYNAMICS, type DynamicsKind } from "../dynamics/kinds.js";
import type { SimulateOptions, SimulateResult } from "../dynamics/simulate.js";
import type { Problem } from "../problem/types.js";
import type { LandscapeContext } from "./landscape-context.js";

/** Every exit-time method, in the order a report lists them: each particle dynamics, then the deterministic ones. */
export const EXIT_METHODS = [...DYNAMICS, "pde", "exact", "kramers", "bounds", "path-1d"] as const;
export type ExitMethodName = (typeof EXIT_METHODS)[number];

/**
 * What a method's answer is:
 * - "estimate": `time` is the mean exit time, `interval` its uncertainty (see `intervalKind`);
 * - "lower-bound": `time` is only a lower bound, `interval` = [time, ∞) (censored Monte Carlo: some particles had
 *   not exited; pde/bounds: the exit-time system is singular to double precision and `time` is a certified lower
 *   bound of the discrete generator's value, intervalKind "discrete-lower-bound");
 * - "bracket": no point value, `interval` = [lower, upper] contains the mean exit time;
 * - "infinite": the process never reaches the target (`reason` says why);
 * - "not-applicable": the method does not apply to this problem/query (`reason`);
 * - "failed": the method ran and could not deliver (`reason`); other methods are unaffected;
 * - "skipped": not run, because a stop request came first.
 */
export type ExitStatus =
  | "estimate"
  | "lower-bound"
  | "bracket"
  | "infinite"
  | "not-applicable"
  | "failed"
  | "skipped";

/** What `interval` means. */
export type IntervalKind =
  | "ci95" // 95% confidence interval of a Monte Carlo mean
  | "error-estimate" // value ± an estimated discretisation/quadrature error
  | "bracket" // proven two-sided enclosure
  | "discrete-lower-bound" // [bound, ∞): certified for the grid's Markov chain; the discretisation error is not included
  | "asymptotic-band" // heuristic band of an asymptotic formula (comparisons only)
  | "model-band"; // heuristic band of a reduced model (comparisons only)

/** The query every method answers: the mean exit time from `from` into the region `to`. */
export interface ExitQuery {
  /** Start point (d coordinates). */
  from: readonly number[];
  /** Target region: a condition in the problem's variables, e.g. "x > 0". */
  to: string;
}

/** Monte Carlo details (sgd, sde, sde2, noisy-sgd, gd). */
export interface MonteCarloDetail {
  kind: "monte-carlo";
  dynamics: DynamicsKind;
  /** 95% interval of the mean (SDE time) and in iterations. */
  ci95: [number, number];
  iterationsCi95: [number, number];
  /** Particles simulated (less than asked when interrupted), exited by the horizon, diverged before exiting. */
  particles: number;
  exited: number;
  censored: boolean;
  diverged: number;
  /** Step (SDE time): η for discrete dynamics, dt for SDEs. */
  dt: number;
  /** Horizon (SDE time) and where it came from. */
  horizon: number;
  horizonWhy: string;
  seed: number;
  median: { time: number; ci95: [number, number]; censored: boolean };
  exponentialFit: { time: number; ci95: [number, number] };
  exponentiality: { statistic: number; pValue: number; verdict: string } | null;
  /** True when the run was interrupted: statistics of the particles that finished. */
  stopped: boolean;
  /** SDE runs: the same estimate at 2·dt (time-step bias check), when asked for. */
  dtCheck?: DtCheck;
  /** Which particle loop ran (same numbers either way). */
  loop: "generated" | "general";
  /** Per-particle exit times (SDE time; +Infinity = censored at the horizon; NaN = diverged). Not in JSON. */
  exitTimes: Float64Array;
  /** Full statistics (quantiles, ECDF, survival). Not in JSON. */
  stats: ExitTimeStats;
}

/**
 * Time-step check of an SDE estimate: the same ensemble at twice the step (independent seed). The
 * Euler–Maruyama error of a mean exit time is O(dt) (with the bridge correction), so T(dt) − T(2dt) estimates
 * the bias of T(dt) and 2T(dt) − T(2dt) removes its first-order part (Richardson). Intervals treat the two
 * runs as independent: half-widths 1.96·√(v₁ + v₂) (difference) and 1.96·√(4v₁ + v₂) (extrapolation).
 */
export interface DtCheck {
  /** The coarser step (2·dt) and the mean exit time there. */
  dt: number;
  time: number;
  ci95: [number, number];
  seed: number;
  /** T(dt) − T(2dt): the estimated bias of the reported time, with its 95% interval. */
  biasEstimate: number;
  biasCi95: [number, number];
  /** 2T(dt) − T(2dt), first-order Richardson extrapolation to dt → 0. */
  extrapolated: number;
  extrapolatedCi95: [number, number];
  /** The bias interval excludes 0: the time step visibly matters. */
  significant: boolean;
  /** Why the check says nothing (censored or interrupted runs), else null. */
  notAssessable: string | null;
}

/** Grid generator details (pde): the fields of `pdeExitTimeEstimate`, camelCase. */
export interface PdeDetail {
  kind: "pde";
  grid: number[];
  errorEstimate: number | null;
  observedOrder: number | null;
  [field: string]: unknown;
}

/** Exact 1-D quadrature details. */
export interface ExactDetail {
  kind: "exact";
  errorEstimate: number | null;
  /** The x-interval integrated over and what its ends are (absorbing / reflecting). */
  integrationInterval: [number, number];
  ends: string[];
  [field: string]: unknown;
}

/** Eyring–Kramers details. */
export interface KramersDetail {
  kind: "kramers";
  /** Lowest barrier ΔL over the channels into the target, and the start's minimum. */
  barrier: number;
  minimum: number[];
  regime?: string;
  exponent?: number;
  /** Noise scale ε of the formula (A = 2εI), when isotropic. */
  epsilon?: number;
  /** Channels (saddles) into the target, each with its own time; the rates add. */
  channels: { saddle: number[]; barrier: number; time: number; mode: "to-saddle" | "transition" }[];
}

/** Bounds details. */
export interface BoundsDetail {
  kind: "bounds";
  /** Continuum bracket [lower, upper] of the MET, proven (1-D) or from a certified discrete bracket widened by the grid error. */
  lower: number;
  upper: number;
  [field: string]: unknown;
}

/** 1-D reduction along the minimum-energy path. */
export interface PathDetail {
  kind: "path-1d";
  segments: number;
  arcLength: number;
  /** Largest relative difference between the diffusion along the tangent and tr A/d. */
  anisotropy: number;
  /** Mean time to first hit the saddle (the transition takes about twice that); null when the target cuts the path before it. */
  toSaddle: number | null;
  /** Where the target meets the path: before the saddle, at it, or only beyond it (see `pathTargetCut`). */
  target: "before-saddle" | "at-saddle" | "beyond-saddle";
}

export type ExitDetail =
  | MonteCarloDetail
  | PdeDetail
  | ExactDetail
  | KramersDetail
  | BoundsDetail
  | PathDetail;

/** One method's answer. */
export interface ExitEstimate {
  method: ExitMethodName;
  status: ExitStatus;
  /** Mean exit time (SDE time); a lower bound when status is "lower-bound"; null without a point value. */
  time: number | null;
  /** time/η. */
  iterations: number | null;
  /** Uncertainty of `time` (or the bracket), SDE time; null when none. */
  interval: [number, number] | null;
  intervalKind: IntervalKind | null;
  /** What the interval means, in words. */
  uncertainty: string;
  /** How the number was obtained, in words. */
  how: string;
  /** Why the status is not "estimate" (or a caveat), else null. */
  reason: string | null;
  /** Wall time of the method (seconds). */
  seconds: number;
  detail: ExitDetail | null;
}

/** Options shared by the particle methods. */
export interface ParticleSettings {
  /** Particles per Monte Carlo method. */
  particles: number;
  seed: number;
  /**
   * Horizon (SDE time); particles still out are censored. "auto": 16× the first finite deterministic
   * prediction (exact, pde, kramers) when one ran, else `fallbackHorizon`.
   */
  horizon: number | "auto";
  /** Horizon when "auto" finds no prediction (SDE time). */
  fallbackHorizon: number;
  /** SDE step for sde/sde2 (SDE time); default the policy's (η/10). */
  dt?: number;
  /** Run sde/sde2 a second time at 2·dt to estimate the time-step bias. Default false. */
  dtCheck?: boolean;
  /** Cap on particle-steps per run (the horizon is cut, and the estimate says so). */
  maxParticleSteps?: number;
}

/** Options of the grid methods. */
export interface GridSettings {
  /** Points per axis (default automatic; explicit: the finest of the first three grids). */
  grid?: number;
  /** pde: refine until error_estimate ≤ rtol·|time| (default 0.01 with the automatic grid; see pdeExitTimeEstimate). */
  rtol?: number;
  /** pde: wall-clock budget of the refinement, seconds (default 30). */
  maxSeconds?: number;
}

/**
 * Runs an ensemble: the engine's only way to simulate. The core's default runs in-process; Node injects
 * worker threads, a browser Web Workers, a queue remote workers. Results must be those of `simulate`
 * (bit-identical for any split, since particle p's randomness is the stream (seed, p)).
 */
export type EnsembleRunner = (
  problem: Problem,
  options: Omit<SimulateOptions, "range" | "onProgress" | "shouldStop">,
  hooks: { onProgress?: (done: number) => void; shouldStop?: () => boolean },
) => Promise<SimulateResult>;

/** Progress of a long method: `done` of `total` units (particles), under a label. */
export type ProgressFn = (label: string, done: number, total: number) => void;

export interface ExitTimeOptions {
  /** Methods to run, in this order (deterministic ones run first when particles use an "auto" horizon). */
  methods: readonly ExitMethodName[];
  particles?: Partial<ParticleSettings>;
  gridMethods?: GridSettings;
  /** Ensemble runner (default: in-process). */
  runner?: EnsembleRunner;
  onProgress?: ProgressFn;
  /** Polled between and inside methods; when true, finished results are kept and the rest is skipped. */
  shouldStop?: () => boolean;
  /** Called with each estimate as soon as it is finished. */
  onEstimate?: (e: ExitEstimate) => void;
  /**
   * Minimum-energy path from the start's minimum to its lowest saddle (for path-1d); computed from the
   * landscape when absent and path-1d is asked for.
   */
  path?: TransitionPath | null;
  /** Minima and saddles (kramers, path-1d); computed once from the problem when absent. */
  landscape?: LandscapeContext;
}

/** A minimum-energy path as points from the minimum (index 0) to the saddle (index `saddleIndex`) and beyond. */
export interface TransitionPath {
  points: number[][];
  values: number[];
  saddleIndex: number;
}

export interface ExitTimeResult {
  problem: string;
  from: number[];
  to: string;
  lr: number;
  batch: number;
  estimates: ExitEstimate[];
  /** True when a stop request cut the run short (some methods were skipped or partial). */
  interrupted: boolean;
}
