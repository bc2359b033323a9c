/**
 * analyze's escape stage: for one start (a non-global minimum, or the problem's own start) and target, every
 * applicable method through the one exit-time engine (src/exit), then a pairwise comparison that says where
 * methods disagree beyond their errors and why. Times are SDE time t; iterations t/η. Isomorphic: no I/O.
 */

import {
  AGREEMENT_TOLERANCE,
  compareRatio,
  compareWithLowerBound,
  type IntervalValue,
} from "../analysis/compare.js";
import {
  applicableMethods,
  type EnsembleRunner,
  type ExitEstimate,
  type ExitMethodName,
  exitTime,
  type LandscapeContext,
  type TransitionPath,
} from "../exit/index.js";
import type { Problem } from "../problem/types.js";

/** Why two methods may differ (report/prose.ts writes the explanation). */
export type ComparisonCause =
  | { kind: "sgd-vs-sde"; etaLambdaMax: number; finiteSum: boolean }
  | { kind: "sde-vs-reference"; dt: number }
  | { kind: "grid-vs-exact" }
  | { kind: "sgd-vs-reference" }
  | { kind: "asymptotic"; epsOverBarrier: number }
  | { kind: "reduced-model" }
  | { kind: "bounds"; lower: number; upper: number };

/**
 * How two methods relate (src/analysis/compare.ts): "agree" — the 95% interval of time(a)/time(b) lies within the
 * tolerance band [1/(1+τ), 1+τ]; "disagree" — it lies wholly outside the band; "not-resolved" — it straddles a
 * band edge (or both are censored lower bounds), see `resolution`; "bound" — a censored lower bound that the
 * other value reaches. Against a bracket ("bounds"): "agree" inside, "disagree" outside.
 */
export type ComparisonRelation = "agree" | "bound" | "disagree" | "not-resolved";

/** What limits a comparison: the interval reached and, for Monte Carlo, the sample size that would decide it. */
export interface ComparisonResolution {
  /** Relative half-width of the ratio's 95% interval: differences below ±this cannot be seen. */
  halfWidth: number;
  /** Monte Carlo runs per method behind the comparison (null: no Monte Carlo side). */
  particles: number | null;
  /** Runs per Monte Carlo method that would decide against τ if the measured ratio stayed (null: more runs cannot). */
  particlesNeeded: number | null;
  /** The ratio's interval excludes 1 (a difference is seen, its size relative to τ is not decided). */
  differs: boolean;
}

export interface Comparison {
  a: string;
  b: string;
  /** time(a) / time(b) (NaN against a bracket or between two lower bounds). */
  ratio: number;
  /** 95% interval of time(a)/time(b) (null against a bracket or a lower bound). */
  ratioInterval: [number, number] | null;
  /** Not "disagree". */
  consistent: boolean;
  relation: ComparisonRelation;
  /**
   * Relative tolerance τ of "agree" (band [1/(1+τ), 1+τ] on the ratio): AGREEMENT_TOLERANCE, or the stated band of
   * an approximate model (kramers, path-1d) when one side is one; null for bracket and lower-bound checks.
   */
  tolerance: number | null;
  /** Where τ comes from. */
  toleranceSource: "default" | "model-band" | null;
  /** What the comparison can resolve (null for bracket checks). */
  resolution: ComparisonResolution | null;
  /** The censored Monte Carlo method whose mean is only a lower bound, if one of the two is. */
  lowerBound: string | null;
  cause: ComparisonCause;
}

export interface EscapeResult {
  /** "minimum k" or "problem start". */
  label: string;
  from: number[];
  fromMinimum: number | null;
  /** Target region (expression in the problem's variables). */
  target: string;
  targetWhy: string;
  /** One estimate per method, in the engine's one result type. */
  estimates: ExitEstimate[];
  comparisons: Comparison[];
  /** The method whose number is the headline, and that number. */
  best: { method: string; time: number | null; iterations: number | null };
}

export interface EscapeSetup {
  label: string;
  from: number[];
  fromMinimum: number | null;
  target: string;
  targetWhy: string;
  /** η·λ_max(∇²L) at the start minimum (SGD stability), NaN unknown. */
  etaLambdaMax: number;
  /** Minimum-energy path from the start minimum to (at least) its lowest saddle, for the 1-D analysis along it. */
  path?: TransitionPath | null;
}

export interface EscapeOptions {
  particles: number;
  seed: number;
  /** Particle-step budget per Monte Carlo run. */
  budget: number;
  /** Points per axis for the PDE (undefined: automatic). */
  grid?: number;
  /** Time budget of the PDE's grid refinement (seconds; default: the engine's). */
  pdeSeconds?: number;
  /** Run grid methods (d ≤ 2). */
  pde: boolean;
  /** Fallback horizon (SDE time) when no method predicts the exit time. */
  fallbackHorizon: number;
  /** The landscape analyze already has (minima, saddles), so that kramers matches the target on the same facts. */
  landscape: LandscapeContext;
  runner?: EnsembleRunner;
  shouldStop?: () => boolean;
  onProgress?: (label: string, done: number, total: number) => void;
}

/** An estimate that can be compared: a point value with an interval (estimates and censored lower bounds). */
const comparable = (e: ExitEstimate | undefined): e is ExitEstimate =>
  e !== undefined &&
  (e.status === "estimate" || e.status === "lower-bound") &&
  e.time !== null &&
  e.interval !== null;

/** Monte Carlo runs behind an estimate (null for deterministic methods). */
const particlesOf = (e: ExitEstimate): number | null =>
  e.detail?.kind === "monte-carlo" && e.intervalKind === "ci95" ? e.detail.particles : null;

/**
 * Relative half-width τ of an approximate model's stated band [t/(1+τ), t(1+τ)] (kramers' asymptotic band,
 * path-1d's model band); 0 for estimates whose interval is an error of the same quantity.
 */
function modelBand(e: ExitEstimate): number {
  if (e.intervalKind !== "asymptotic-band" && e.intervalKind !== "model-band") return 0;
  const t = e.time as number;
  const [lo, hi] = e.interval as [number, number];
  const tau = Math.max(hi / t - 1, lo > 0 ? t / lo - 1 : Number.POSITIVE_INFINITY);
  return Number(tau.toPrecision(12)); // the band as stated (1.2, not 1.2000000000000002)
}

/** An estimate as a value with its 95% interval; a model band becomes the tolerance, not an error. */
function intervalValue(e: ExitEstimate): IntervalValue {
  const t = e.time as number;
  const band = modelBand(e) > 0;
  const [lo, hi] = e.interval as [number, number];
  // an end that is not known (NaN) is taken as unbounded: never a narrower interval than was stated
  const l = Number.isNaN(lo) ? 0 : lo;
  const h = Number.isNaN(hi) ? Number.POSITIVE_INFINITY : hi;
  return {
    value: t,
    interval: band ? [t, t] : [Math.min(l, t), Math.max(h, t)],
    samples: particlesOf(e),
  };
}

/**
 * Pairwise comparisons against the reference method (exact, else pde), each with the reason the two may differ;
 * `etaLambdaMax` (η·λ_max at the start minimum) and `finiteSum` only explain an SGD–SDE difference.
 */
export function compareEstimates(
  est: ExitEstimate[],
  ctx: { etaLambdaMax: number; finiteSum: boolean },
): Comparison[] {
  const by = (m: string) => {
    const e = est.find((x) => x.method === m);
    return comparable(e) ? e : undefined;
  };
  const out: Comparison[] = [];
  const push = (a: ExitEstimate, b: ExitEstimate, cause: ComparisonCause) => {
    const ta = a.time as number;
    const tb = b.time as number;
    // a ratio needs two positive finite times (an exit time of 0 means the start lies in the target)
    if (!(ta > 0 && tb > 0 && Number.isFinite(ta) && Number.isFinite(tb))) return;
    const lbA = a.status === "lower-bound";
    const lbB = b.status === "lower-bound";
    const base = { a: a.method, b: b.method, ratio: ta / tb, cause };
    if (lbA && lbB) {
      // two censored lower bounds say nothing about each other: recorded, so that every mode asks the same question
      out.push({
        ...base,
        ratio: Number.NaN,
        ratioInterval: null,
        consistent: true,
        relation: "not-resolved",
        tolerance: null,
        toleranceSource: null,
        resolution: {
          halfWidth: Number.POSITIVE_INFINITY,
          particles: particlesOf(a) ?? particlesOf(b),
          particlesNeeded: null,
          differs: false,
        },
        lowerBound: `${a.method}, ${b.method}`,
      });
      return;
    }
    if (lbA || lbB) {
      // a censored lower bound agrees with an estimate only if the estimate is at least the bound
      const [lb, other] = lbA ? [a, b] : [b, a];
      const relation = compareWithLowerBound(intervalValue(lb), intervalValue(other));
      out.push({
        ...base,
        ratioInterval: null,
        consistent: relation !== "disagree",
        relation,
        tolerance: null,
        toleranceSource: null,
        resolution: null,
        lowerBound: lb.method,
      });
      return;
    }
    // an approximate model's stated band is its tolerance (its value is the model's, not a noisy measurement)
    const band = Math.max(modelBand(a), modelBand(b));
    const tol = Math.max(AGREEMENT_TOLERANCE, band);
    const c = compareRatio(intervalValue(a), intervalValue(b), tol);
    out.push({
      ...base,
      ratioInterval: c.ratioInterval,
      consistent: c.relation !== "disagree",
      relation: c.relation,
      tolerance: c.tolerance,
      toleranceSource: band > AGREEMENT_TOLERANCE ? "model-band" : "default",
      resolution: {
        halfWidth: c.resolution,
        particles: c.samples,
        particlesNeeded: c.samplesNeeded,
        differs: c.differs,
      },
      lowerBound: null,
    });
  };
  const sgd = by("sgd");
  const sde = by("sde");
  const pde = by("pde");
  const exact = by("exact");
  const kr = by("kramers");
  const path1d = by("path-1d");
  const bounds = est.find((e) => e.method === "bounds" && e.status === "bracket");
  const ref = exact ?? pde;
  if (sgd && sde)
    push(sgd, sde, { kind: "sgd-vs-sde", etaLambdaMax: ctx.etaLambdaMax, finiteSum: ctx.finiteSum });
  if (sde && ref)
    push(sde, ref, {
      kind: "sde-vs-reference",
      dt: sde.detail?.kind === "monte-carlo" ? sde.detail.dt : Number.NaN,
    });
  if (pde && exact) push(pde, exact, { kind: "grid-vs-exact" });
  if (sgd && ref && !sde) push(sgd, ref, { kind: "sgd-vs-reference" });
  const refK = ref ?? sde;
  if (kr && refK) {
    const k = kr.detail?.kind === "kramers" ? kr.detail : null;
    push(kr, refK, {
      kind: "asymptotic",
      epsOverBarrier: k?.epsilon && k.barrier > 0 ? k.epsilon / k.barrier : Number.NaN,
    });
  }
  const r0 = ref ?? sde;
  if (path1d && r0) push(path1d, r0, { kind: "reduced-model" });
  if (bounds && ref && ref.time !== null && bounds.interval) {
    const [lo, hi] = bounds.interval;
    const inside = ref.time >= lo * (1 - 1e-6) && ref.time <= hi * (1 + 1e-6);
    out.push({
      a: ref.method,
      b: "bounds",
      ratio: Number.NaN,
      ratioInterval: null,
      consistent: inside,
      relation: inside ? "agree" : "disagree",
      tolerance: null,
      toleranceSource: null,
      resolution: null,
      lowerBound: null,
      cause: { kind: "bounds", lower: lo, upper: hi },
    });
  }
  return out;
}

/** Runs every applicable method for one escape through the exit-time engine. */
export async function analyseEscape(p: Problem, s: EscapeSetup, o: EscapeOptions): Promise<EscapeResult> {
  const candidates: ExitMethodName[] = ["exact", "pde", "kramers", "bounds", "path-1d", "sgd", "sde"];
  const { run, skipped } = applicableMethods(p, candidates);
  const why = new Map<ExitMethodName, string>(skipped.map((x) => [x.method, x.reason]));
  const methods = run.filter((m) => {
    if (m === "pde" && !(o.pde && p.dim <= 2)) {
      why.set(m, p.dim > 2 ? `analyze runs grid methods for d ≤ 2 (d = ${p.dim})` : "skipped");
      return false;
    }
    if (m === "bounds" && p.dim !== 1) {
      why.set(m, "rigorous bounds on the continuum value are implemented along 1-D coordinates only");
      return false;
    }
    if (m === "path-1d" && !(s.path && s.path.saddleIndex > 0)) {
      why.set(m, "no transition path out of this minimum");
      return false;
    }
    return true;
  });
  const r = await exitTime(
    p,
    { from: s.from, to: s.target },
    {
      methods,
      particles: {
        particles: o.particles,
        seed: o.seed,
        horizon: "auto",
        fallbackHorizon: o.fallbackHorizon,
        maxParticleSteps: o.budget,
      },
      gridMethods: { grid: o.grid, maxSeconds: o.pdeSeconds },
      landscape: o.landscape,
      path: s.path ?? null,
      runner: o.runner,
      shouldStop: o.shouldStop,
      onProgress: o.onProgress,
    },
  );
  const est: ExitEstimate[] = [];
  for (const m of candidates) {
    const e = r.estimates.find((x) => x.method === m);
    if (e) est.push(e);
    else if (m !== "path-1d" || s.path)
      est.push({
        method: m,
        status: "not-applicable",
        time: null,
        iterations: null,
        interval: null,
        intervalKind: null,
        uncertainty: "—",
        how: "not run",
        reason: why.get(m) ?? "not applicable",
        seconds: 0,
        detail: null,
      });
  }
  const comparisons = compareEstimates(est, {
    etaLambdaMax: s.etaLambdaMax,
    finiteSum: p.loss.finiteSum !== undefined,
  });
  const order = ["exact", "pde", "sde", "sgd", "kramers"];
  const bestE = order
    .map((m) => est.find((e) => e.method === m && e.status === "estimate" && e.time !== null))
    .find((e) => e !== undefined);
  const best = bestE
    ? { method: bestE.method, time: bestE.time, iterations: bestE.iterations }
    : { method: "none", time: null, iterations: null };
  return {
    label: s.label,
    from: s.from,
    fromMinimum: s.fromMinimum,
    target: s.target,
    targetWhy: s.targetWhy,
    estimates: est,
    comparisons,
    best,
  };
}
