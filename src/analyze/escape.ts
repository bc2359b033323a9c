/**
 * analyze's escape stage: for one start (a non-global minimum, or the problem's own start) and target, every
 * applicable method through the one exit-time engine (src/exit), then a pairwise comparison that says where
 * methods disagree beyond their errors and why. Times are SDE time t; iterations t/η. Isomorphic: no I/O.
 */

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

export interface Comparison {
  a: string;
  b: string;
  /** time(a) / time(b). */
  ratio: number;
  consistent: boolean;
  explanation: string;
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
  sentence: string;
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

const fmt = (v: number | null | undefined, p = 3) =>
  v === null || v === undefined ? "—" : Number.isFinite(v) ? Number(v.toPrecision(p)).toString() : String(v);

const fmtPt = (x: readonly number[]) =>
  x.length <= 4 ? `(${x.map((v) => fmt(v, 4)).join(", ")})` : `(${x.length}-dimensional point)`;

/** An estimate that can be compared: a point value with an interval (estimates and censored lower bounds). */
const comparable = (e: ExitEstimate | undefined): e is ExitEstimate =>
  e !== undefined &&
  (e.status === "estimate" || e.status === "lower-bound") &&
  e.time !== null &&
  e.interval !== null;

/** Pairwise comparisons against the reference method, with explanations. */
function compare(p: Problem, s: EscapeSetup, est: ExitEstimate[]): Comparison[] {
  const by = (m: string) => {
    const e = est.find((x) => x.method === m);
    return comparable(e) ? e : undefined;
  };
  const out: Comparison[] = [];
  const push = (a: ExitEstimate, b: ExitEstimate, why: (ratio: number) => string) => {
    const ta = a.time as number;
    const tb = b.time as number;
    const ia = a.interval as [number, number];
    const ib = b.interval as [number, number];
    const lbA = a.status === "lower-bound";
    const lbB = b.status === "lower-bound";
    if (lbA && lbB) return; // two lower bounds say nothing about each other
    const ratio = ta / tb;
    // A censored lower bound agrees with an estimate only if the estimate is at least the bound (allowing for the
    // bound's own Monte Carlo error: its lower 95% limit); otherwise intervals must overlap.
    const ok = lbA ? tb >= ia[0] : lbB ? ta >= ib[0] : ia[0] <= ib[1] && ib[0] <= ia[1];
    const bound = lbA ? a : lbB ? b : null;
    out.push({
      a: a.method,
      b: b.method,
      ratio,
      consistent: ok,
      explanation: ok
        ? bound
          ? `consistent, but only as a bound: the censored ${bound.method} mean is a lower bound (≥ ${fmt(bound.time)}) that the other value exceeds (ratio ${fmt(ratio)})`
          : `agree within their errors (ratio ${fmt(ratio)})`
        : bound
          ? `disagree: the censored ${bound.method} lower bound ${fmt(bound.time)} exceeds the other value ${fmt((bound === a ? b : a).time)} (ratio ${fmt(ratio)}); ${why(ratio)}`
          : why(ratio),
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
  if (sgd && sde) {
    push(sgd, sde, (r) => {
      const faster = r < 1;
      const k = faster ? 1 / r : r;
      const stab = Number.isFinite(s.etaLambdaMax)
        ? ` (η·λ_max = ${fmt(s.etaLambdaMax)} at the minimum)`
        : "";
      return `learning rate too large for the SDE${stab}: discrete SGD escapes ${fmt(k, 2)}× ${faster ? "faster" : "slower"} than its order-1 SDE — the SDE is only an O(η) weak approximation, and SGD's noise is ${p.loss.finiteSum ? "a non-Gaussian, multiplicative minibatch noise" : "applied once per step of size η"}`;
    });
  }
  if (sde && ref) {
    const dt = sde.detail?.kind === "monte-carlo" ? sde.detail.dt : Number.NaN;
    push(sde, ref, (r) =>
      r > 1
        ? `the SDE Monte Carlo is ${fmt(r, 3)}× slower than the ${ref.method} value: time-step bias (dt = ${fmt(dt)}) or too short a horizon`
        : `the SDE Monte Carlo is ${fmt(1 / r, 3)}× faster than the ${ref.method} value: time-step bias (dt = ${fmt(dt)}) or grid error of the ${ref.method} value`,
    );
  }
  if (pde && exact) {
    push(
      pde,
      exact,
      (r) =>
        `the grid solution is off by a factor ${fmt(r)}: the grid does not resolve the problem (refine --grid)`,
    );
  }
  if (sgd && ref && !sde) {
    push(
      sgd,
      ref,
      (r) =>
        `discrete SGD and the SDE (${ref.method}) differ by a factor ${fmt(r, 2)}: the learning rate is too large for the SDE picture`,
    );
  }
  const refK = ref ?? sde;
  if (kr && refK) {
    push(kr, refK, (r) => {
      const k = kr.detail?.kind === "kramers" ? kr.detail : null;
      const ratio = k?.epsilon && k.barrier > 0 ? k.epsilon / k.barrier : Number.NaN;
      return `Eyring–Kramers is asymptotic (ε/ΔL → 0)${Number.isFinite(ratio) ? `; here ε/ΔL = ${fmt(ratio)}` : ""}, so a factor ${fmt(r, 2)} from the ${refK.method} value is the size of its neglected corrections`;
    });
  }
  if (path1d && (ref ?? sde)) {
    const r0 = (ref ?? sde) as ExitEstimate;
    push(
      path1d,
      r0,
      (r) =>
        `the 1-D reduction along the minimum-energy path ignores the transverse directions and the curvature of the path; it is off by a factor ${fmt(r, 2)} from the ${r0.method} value`,
    );
  }
  if (bounds && ref && ref.time !== null && bounds.interval) {
    const [lo, hi] = bounds.interval;
    const inside = ref.time >= lo * (1 - 1e-6) && ref.time <= hi * (1 + 1e-6);
    out.push({
      a: ref.method,
      b: "bounds",
      ratio: Number.NaN,
      consistent: inside,
      explanation: inside
        ? `the ${ref.method} value lies inside the bounds [${fmt(lo)}, ${fmt(hi)}]`
        : `the ${ref.method} value ${fmt(ref.time)} lies OUTSIDE the bounds [${fmt(lo)}, ${fmt(hi)}]: this is a bug, please report it`,
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
      gridMethods: { grid: o.grid },
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
  const comparisons = compare(p, s, est);
  const order = ["exact", "pde", "sde", "sgd", "kramers"];
  const bestE = order
    .map((m) => est.find((e) => e.method === m && e.status === "estimate" && e.time !== null))
    .find((e) => e !== undefined);
  const sgd = est.find((e) => e.method === "sgd" && (e.status === "estimate" || e.status === "lower-bound"));
  const best = bestE
    ? { method: bestE.method, time: bestE.time, iterations: bestE.iterations }
    : { method: "none", time: null, iterations: null };
  const disagreements = comparisons.filter((c) => !c.consistent);
  let sentence = `${s.label === "problem start" ? `From ${fmtPt(s.from)}` : `From ${s.label} ${fmtPt(s.from)}`} to ${s.targetWhy}: `;
  if (sgd?.time !== null && sgd?.time !== undefined) {
    const d = sgd.detail?.kind === "monte-carlo" ? sgd.detail : null;
    sentence +=
      sgd.status === "lower-bound"
        ? `SGD had not always escaped within ${fmt(d?.horizon)} (SDE time): mean exit time ≥ ${fmt(sgd.time)} (≥ ${fmt(sgd.iterations)} iterations)`
        : `SGD escapes after ${fmt(sgd.time)} (SDE time) = ${fmt(sgd.iterations)} iterations on average (95% CI ${fmt(sgd.interval?.[0])}–${fmt(sgd.interval?.[1])})`;
  } else sentence += "SGD Monte Carlo unavailable";
  if (best.method !== "sgd" && best.time !== null)
    sentence += `; the SDE's mean exit time is ${fmt(best.time)} by the ${best.method} method`;
  const failedM = est.filter((e) => e.status === "failed");
  sentence += disagreements.length
    ? `. Disagreement: ${disagreements.map((c) => `${c.a} vs ${c.b} — ${c.explanation}`).join("; ")}.`
    : comparisons.length
      ? comparisons.some((c) => c.explanation.startsWith("consistent, but only as a bound"))
        ? `. All methods are consistent (${est
            .filter((e) => e.status === "lower-bound")
            .map((e) => e.method)
            .join(", ")} only as a censored lower bound).`
        : ". All methods agree within their errors."
      : ".";
  if (failedM.length) sentence += ` Failed: ${failedM.map((e) => `${e.method} (${e.reason})`).join("; ")}.`;
  return {
    label: s.label,
    from: s.from,
    fromMinimum: s.fromMinimum,
    target: s.target,
    targetWhy: s.targetWhy,
    estimates: est,
    comparisons,
    best,
    sentence,
  };
}
