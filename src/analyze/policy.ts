/**
 * analyze's budgets, sizes and horizons, decided in one place from the problem and the mode. Everything here is
 * deterministic (no timing), so that results do not depend on the machine; every choice is recorded with its
 * reason in the result's `settings`.
 */
import { defaultSdeStep } from "../exit/index.js";
import type { Problem } from "../problem/types.js";

export interface AnalyzePolicy {
  quick: boolean;
  seed: number;
  /** Monte Carlo runs per escape method. */
  particles: number;
  /** Particles of the first-stage (drift) run. */
  driftParticles: number;
  /** Relative cost of one particle step (1 ≈ 0.1 µs: an analytic 1-D step); scales every budget. */
  stepCost: number;
  /** Particle-steps per escape Monte Carlo run. */
  escapeBudget: number;
  /** Particle-steps of the first-stage run: caps its horizon. */
  driftBudget: number;
  /** SDE step of the escape SDE runs (the engine's policy, η/10). */
  sdeDt: number;
  /** Multi-start count of the minimum search. */
  landscapeStarts: number;
  /** Saddle search skipped (quick mode, d > 10). */
  skipSaddles: boolean;
  /** Points per axis at most for the long-time grid (d ≤ 2). */
  gridCap: number;
  /** Points per axis of the escape PDE (undefined: automatic). */
  escapeGrid: number | undefined;
  /** Time budget (seconds) of each escape PDE's grid refinement. */
  escapePdeSeconds: number;
  /** Escapes analysed at most (non-global minima). */
  maxEscapes: number;
  /** Samples whose gradient flow gives the mass split; samples labelled by flow when d ≤ 2 without a basin grid. */
  flowSamples: number;
  labelSamples: number;
  /** Fokker–Planck: uniformization when its work (rate × horizon × nonzeros) is below this, else implicit Euler. */
  uniformizationWork: number;
  implicitSteps: number;
  reasons: string[];
}

export interface PolicyOptions {
  quick?: boolean;
  seed?: number;
  particles?: number;
  grid?: number;
}

/** The policy for a problem and mode. */
export function analyzePolicy(p: Problem, o: PolicyOptions): AnalyzePolicy {
  const d = p.dim;
  const quick = o.quick ?? false;
  const big = d > 10;
  // Large d: fewer particles so that the step budget buys longer horizons.
  const particles = o.particles ?? (quick ? (big ? 100 : 200) : big ? 300 : 2000);
  const driftParticles = quick ? (big ? 100 : 400) : big ? 1000 : 4000;
  // deterministic cost model: ~0.1 µs per analytic 1-D step; finite sums cost B·d per step
  const stepCost = p.loss.finiteSum ? Math.max(1, 2.5 * p.batch * d) : Math.max(1, d / 4);
  const reasons = [
    `${particles} Monte Carlo runs per escape method${o.particles !== undefined ? " (as asked)" : quick ? " (--quick)" : ""}; ${driftParticles} particles in the first-stage run`,
  ];
  return {
    quick,
    seed: o.seed ?? 1,
    particles,
    driftParticles,
    stepCost,
    escapeBudget: (quick ? 1e7 : 2e8) / stepCost,
    driftBudget: (quick ? 4e6 : 8e7) / stepCost,
    sdeDt: defaultSdeStep(p.lr),
    landscapeStarts: quick ? Math.min(60, 10 * d + 20) : Math.min(400, 20 * d + 20),
    skipSaddles: quick && big,
    gridCap: quick ? (d === 1 ? 401 : 61) : d === 1 ? 2001 : 161,
    escapeGrid: o.grid ?? (quick ? (d === 1 ? 401 : 81) : undefined),
    escapePdeSeconds: quick ? 5 : 15,
    maxEscapes: quick ? 2 : 6,
    flowSamples: Math.min(driftParticles, quick ? (d > 2 ? 10 : 200) : d > 2 ? 100 : 1000),
    labelSamples: d > 2 ? Math.min(driftParticles, quick ? 60 : 400) : driftParticles,
    uniformizationWork: quick ? 1e8 : 4e9,
    implicitSteps: quick ? (d === 1 ? 200 : 60) : d === 1 ? 1000 : 400,
    reasons,
  };
}

/** A time scale and whether it can be trusted to set a horizon. */
export interface TimeScale {
  value: number;
  source: "spectral-gap" | "kramers" | "first-stage" | "none";
  trusted: boolean;
  why: string;
}

/**
 * The long horizon of the first-stage run (SDE time): 3 relaxation times when the spectral gap describes the
 * whole law (one closed class), else 2× the slowest finite Kramers time, else 10× the drift horizon — and said
 * so — then capped by the particle-step budget.
 */
export function longHorizon(
  gap: { value: number; unique: boolean } | null,
  kramersTimes: number[],
  driftHorizon: number,
  cap: number,
): { horizon: number; scale: TimeScale; capped: boolean } {
  const kr = kramersTimes.filter((t) => Number.isFinite(t) && t > 0);
  let scale: TimeScale;
  if (gap && gap.value > 0 && gap.unique)
    scale = {
      value: 1 / gap.value,
      source: "spectral-gap",
      trusted: true,
      why: "3 relaxation times 3/gap of the PDE generator",
    };
  else if (kr.length)
    scale = {
      value: Math.max(...kr),
      source: "kramers",
      trusted: false,
      why: `2× the slowest Kramers time${gap && !gap.unique ? " (the generator has several closed classes: its gap is not the relaxation rate of the whole law)" : ""}`,
    };
  else
    scale = {
      value: driftHorizon,
      source: "none",
      trusted: false,
      why: "10× the drift horizon: no measured or bounded time scale of the long-time regime is available",
    };
  const raw =
    scale.source === "spectral-gap"
      ? 3 * scale.value
      : scale.source === "kramers"
        ? 2 * scale.value
        : 10 * driftHorizon;
  const capped = raw > cap;
  return { horizon: Math.max(capped ? cap : raw, 2 * driftHorizon), scale, capped };
}
