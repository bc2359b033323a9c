/**
 * Escape from one minimum (or from the problem's own start into its target) by every method that
 * applies: SGD and SDE Monte Carlo, the PDE generator (d ≤ 2), the exact 1-D formula, Eyring–Kramers
 * and rigorous 1-D bounds — then a pairwise comparison that says where methods disagree beyond their
 * errors and why. Times are SDE time t; iterations t/η (DESIGN.md §1). Isomorphic: no I/O.
 */

import { exitTimeStats } from "../analysis/index.js";
import { simulate } from "../dynamics/simulate.js";
import { exitTimeBounds } from "../landscape/index.js";
import { exactExitTimeEstimate, pdeExitTimeEstimate } from "../pde/index.js";
import { compileRegion } from "../problem/expr/index.js";
import { firstEntry1d } from "../problem/region-1d.js";
import type { Problem } from "../problem/types.js";

/** One exit-time estimate, in a common shape for every method. */
export interface EscapeEstimate {
  method: "sgd" | "sde" | "pde" | "exact" | "kramers" | "bounds" | "path-1d";
  /** Mean exit time (SDE time); null when not available; Infinity when the method says "never". */
  time: number | null;
  /** time/η (SGD iterations). */
  iterations: number | null;
  /** Interval used for comparisons (SDE time): 95% CI (Monte Carlo), ± error estimate (PDE, exact),
   * [lower, upper] (bounds), a heuristic asymptotic band (Kramers). */
  interval: [number, number] | null;
  /** What the interval means. */
  uncertainty: string;
  /** How the number was obtained. */
  how: string;
  applicable: boolean;
  /** Monte Carlo only: a censored run reports a lower bound. */
  lowerBound?: boolean;
  particles?: number;
  exited?: number;
  dt?: number;
  horizon?: number;
  grid?: number[];
  /** Monte Carlo only: survival curve P(τ > t) (subsampled) and the exponential fit mean. */
  survival?: { t: number[]; s: number[] };
  exponentialMean?: number;
  exponentiality?: { pValue: number; verdict: string } | null;
  /** Monte Carlo only: median exit time. */
  median?: number;
}

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
  estimates: EscapeEstimate[];
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
  /** Kramers prediction matched to this target (null: not available). */
  kramers: {
    time: number;
    applicable: boolean;
    why: string;
    epsilon?: number;
    barrier: number;
    infinite?: boolean;
  } | null;
  /** η·λ_max(∇²L) at the start minimum (SGD stability), NaN unknown. */
  etaLambdaMax: number;
  /** Minimum-energy path from the start minimum to (at least) its lowest saddle, for the 1-D analysis along it. */
  path?: { points: number[][]; values: number[]; saddleIndex: number } | null;
}

export interface EscapeOptions {
  particles: number;
  seed: number;
  /** Particle-step budget per Monte Carlo run. */
  budget: number;
  /** SDE step as a fraction of η. */
  dtFraction: number;
  /** Points per axis for the PDE (undefined: automatic). */
  grid?: number;
  /** Run grid methods (d ≤ 2). */
  pde: boolean;
  /** Fallback horizon (SDE time) when no method predicts the exit time. */
  fallbackHorizon: number;
}

const fmt = (v: number | null | undefined, p = 3) =>
  v === null || v === undefined ? "—" : Number.isFinite(v) ? Number(v.toPrecision(p)).toString() : String(v);

function subsampleSurvival(t: Float64Array, s: Float64Array, max = 200): { t: number[]; s: number[] } {
  const n = t.length;
  const step = Math.max(1, Math.ceil(n / max));
  const ot: number[] = [];
  const os: number[] = [];
  for (let i = 0; i < n; i += step) {
    ot.push(t[i]);
    os.push(s[i]);
  }
  if (n > 0 && (n - 1) % step !== 0) {
    ot.push(t[n - 1]);
    os.push(s[n - 1]);
  }
  return { t: ot, s: os };
}

function monteCarlo(
  p: Problem,
  s: EscapeSetup,
  kind: "sgd" | "sde",
  horizon: number,
  o: EscapeOptions,
): EscapeEstimate {
  const h = kind === "sde" ? p.lr * o.dtFraction : p.lr;
  const maxSteps = Math.max(10, Math.floor(o.budget / o.particles));
  const want = Math.ceil(horizon / h - 1e-9);
  const steps = Math.min(want, maxSteps);
  const r = simulate(p, {
    dynamics: kind,
    particles: o.particles,
    steps,
    dt: kind === "sde" ? h : undefined,
    seed: o.seed,
    init: { kind: "point", point: s.from },
    target: s.target,
  });
  const T = steps * h;
  const st = exitTimeStats(r.exitTime, { horizon: T, lr: p.lr });
  const surv = st.survival ?? null;
  const budgetCut = steps < want;
  const how =
    kind === "sgd"
      ? `real SGD (η = ${p.lr}, B = ${p.batch}${p.loss.finiteSum ? ", true minibatches" : ", Gaussian gradient noise Σ_B"}), ${o.particles} independent runs from ${fmtPt(s.from)}, horizon ${fmt(T)}${budgetCut ? " (cut by the step budget)" : ""}`
      : `order-1 SDE by Euler–Maruyama, dt = ${fmt(h)} (η/${fmt(1 / o.dtFraction)}) with Brownian-bridge crossing correction, ${o.particles} paths, horizon ${fmt(T)}${budgetCut ? " (cut by the step budget)" : ""}`;
  const m = st.mean;
  return {
    method: kind,
    time: m.time,
    iterations: m.time / p.lr,
    interval: m.lowerBound ? [m.time, Number.POSITIVE_INFINITY] : [m.ci95[0], m.ci95[1]],
    uncertainty: m.lowerBound
      ? `censored: ${st.censoredCount} of ${st.n} runs had not exited by t = ${fmt(T)}; the restricted mean is a lower bound`
      : "95% t-interval of the sample mean",
    how,
    applicable: true,
    lowerBound: m.lowerBound,
    particles: st.n,
    exited: st.exited,
    dt: h,
    horizon: T,
    survival: surv
      ? subsampleSurvival(surv.time, surv.survival)
      : subsampleSurvival(
          st.ecdf.time,
          st.ecdf.cdf.map((c) => 1 - c),
        ),
    exponentialMean: st.exponentialMean.time,
    exponentiality: st.exponentiality
      ? { pValue: st.exponentiality.pValue, verdict: st.exponentiality.verdict }
      : null,
    median: st.median.time,
  };
}

const fmtPt = (x: readonly number[]) =>
  x.length <= 4 ? `(${x.map((v) => fmt(v, 4)).join(", ")})` : `(${x.length}-dimensional point)`;

/** Nearest point of the region's boundary from x0 along the real line within [lo, hi] (1-D). */
function boundaryPoint(inside: (x: Float64Array) => boolean, x0: number, end: number): number | undefined {
  return firstEntry1d(inside, x0, end, 4000);
}

function intervalOf(e: EscapeEstimate): [number, number] | null {
  if (!e.applicable || e.interval === null) return null;
  return e.interval;
}

/** Pairwise comparisons against the reference method, with explanations. */
function compare(p: Problem, s: EscapeSetup, est: EscapeEstimate[]): Comparison[] {
  const by = (m: string) => est.find((e) => e.method === m && e.applicable && e.time !== null);
  const out: Comparison[] = [];
  const overlap = (a: [number, number], b: [number, number]) => a[0] <= b[1] && b[0] <= a[1];
  const push = (a: EscapeEstimate, b: EscapeEstimate, why: (ratio: number) => string) => {
    const ia = intervalOf(a);
    const ib = intervalOf(b);
    if (!ia || !ib || a.time === null || b.time === null) return;
    const ratio = a.time / b.time;
    const ok = overlap(ia, ib);
    out.push({
      a: a.method,
      b: b.method,
      ratio,
      consistent: ok,
      explanation: ok
        ? a.lowerBound || b.lowerBound
          ? `consistent, but only as a bound: the censored ${a.lowerBound ? a.method : b.method} mean is a lower bound (≥ ${fmt((a.lowerBound ? a : b).time ?? Number.NaN)}) that the other value exceeds (ratio ${fmt(ratio)})`
          : `agree within their errors (ratio ${fmt(ratio)})`
        : a.lowerBound || b.lowerBound
          ? `disagree: a censored Monte Carlo lower bound exceeds the other value (ratio ${fmt(ratio)}); ${why(ratio)}`
          : why(ratio),
    });
  };
  const sgd = by("sgd");
  const sde = by("sde");
  const pde = by("pde");
  const exact = by("exact");
  const kr = by("kramers");
  const path1d = by("path-1d");
  const bounds = est.find((e) => e.method === "bounds" && e.applicable);
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
    push(sde, ref, (r) =>
      r > 1
        ? `the SDE Monte Carlo is ${fmt(r, 3)}× slower than the ${ref.method} value: time-step bias (dt = ${fmt(sde.dt)}) or too short a horizon`
        : `the SDE Monte Carlo is ${fmt(1 / r, 3)}× faster than the ${ref.method} value: time-step bias (dt = ${fmt(sde.dt)}) or grid error of the ${ref.method} value`,
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
      const ratio =
        s.kramers?.epsilon && s.kramers.barrier > 0 ? s.kramers.epsilon / s.kramers.barrier : Number.NaN;
      return `Eyring–Kramers is asymptotic (ε/ΔL → 0)${Number.isFinite(ratio) ? `; here ε/ΔL = ${fmt(ratio)}` : ""}, so a factor ${fmt(r, 2)} from the ${refK.method} value is the size of its neglected corrections`;
    });
  }
  if (path1d && (ref ?? sde)) {
    const r0 = (ref ?? sde) as EscapeEstimate;
    push(
      path1d,
      r0,
      (r) =>
        `the 1-D reduction along the minimum-energy path ignores the transverse directions and the curvature of the path; it is off by a factor ${fmt(r, 2)} from the ${r0.method} value`,
    );
  }
  if (bounds && ref && ref.time !== null && bounds.interval) {
    const inside = ref.time >= bounds.interval[0] * (1 - 1e-6) && ref.time <= bounds.interval[1] * (1 + 1e-6);
    out.push({
      a: ref.method,
      b: "bounds",
      ratio: Number.NaN,
      consistent: inside,
      explanation: inside
        ? `the ${ref.method} value lies inside the rigorous bounds [${fmt(bounds.interval[0])}, ${fmt(bounds.interval[1])}]`
        : `the ${ref.method} value ${fmt(ref.time)} lies OUTSIDE the rigorous bounds [${fmt(bounds.interval[0])}, ${fmt(bounds.interval[1])}]: this is a bug, please report it`,
    });
  }
  return out;
}

/** Runs every applicable method for one escape. */
export function analyseEscape(p: Problem, s: EscapeSetup, o: EscapeOptions): EscapeResult {
  const est: EscapeEstimate[] = [];
  const inside = compileRegion(s.target, p.varNames, "target");
  // Deterministic methods first: they set the Monte Carlo horizon.
  if (p.dim === 1) {
    try {
      const e = exactExitTimeEstimate(p, s.from, inside);
      const t = e.infinite ? Number.POSITIVE_INFINITY : e.time;
      const err = e.error_estimate ?? 0;
      est.push({
        method: "exact",
        time: t,
        iterations: t === null ? null : t / p.lr,
        interval:
          t !== null && Number.isFinite(t)
            ? [t - Math.max(err, 1e-9 * t), t + Math.max(err, 1e-9 * t)]
            : null,
        uncertainty: "± Richardson estimate of the quadrature error",
        how: `exact 1-D double integral E τ = ∫ s ∫ m (scale/speed densities of A(x) = ηΣ_B(x)${p.delta > 0 ? " + 2δ" : ""}) on [${e.interval.map((v) => fmt(v)).join(", ")}] (${e.ends.join(", ")})${e.reason ? `; ${e.reason}` : ""}`,
        applicable: true,
      });
    } catch (err) {
      est.push(na("exact", `exact formula failed: ${(err as Error).message}`));
    }
  } else est.push(na("exact", "the exact quadrature formula exists only in 1-D"));
  if (o.pde && p.dim <= 2) {
    try {
      const e = pdeExitTimeEstimate(p, s.from, inside, { grid: o.grid });
      const t = e.infinite ? Number.POSITIVE_INFINITY : e.time;
      const err = e.error_estimate;
      est.push({
        method: "pde",
        time: t,
        iterations: t === null ? null : t / p.lr,
        interval: t !== null && Number.isFinite(t) ? [t - (err ?? 0.5 * t), t + (err ?? 0.5 * t)] : null,
        uncertainty:
          err !== null
            ? `± |T(grid) − T(coarse grid ${e.coarse_grid.join("×")})|`
            : "no error estimate (coarse grid failed): ±50% assumed",
        how: `discrete generator on a ${e.grid.join("×")} grid (${e.scheme}); solver ${e.solver}, residual ${fmt(e.relative_residual, 2)}; grid: ${e.grid_reason}${e.reason ? `; ${e.reason}` : ""}`,
        applicable: true,
        grid: e.grid,
      });
    } catch (err) {
      est.push(na("pde", `PDE solve failed: ${(err as Error).message}`));
    }
  } else est.push(na("pde", p.dim > 2 ? `grid methods need d ≤ 2 here (d = ${p.dim})` : "skipped"));
  if (s.kramers) {
    const k = s.kramers;
    const t = k.infinite ? Number.POSITIVE_INFINITY : k.time;
    const q = k.epsilon && k.barrier > 0 ? Math.max(0.15, (3 * k.epsilon) / k.barrier) : 0.5;
    est.push({
      method: "kramers",
      time: Number.isNaN(t) ? null : t,
      iterations: Number.isNaN(t) ? null : t / p.lr,
      interval: Number.isFinite(t) && k.applicable ? [t / (1 + q), t * (1 + q)] : null,
      uncertainty: `asymptotic formula: relative band ±${fmt(100 * q, 2)}% (≈ 3ε/ΔL, at least 15%) used for comparisons`,
      how: `Eyring–Kramers: ${k.why}`,
      applicable: k.applicable && !Number.isNaN(t),
    });
  } else est.push(na("kramers", "no saddle out of this minimum into the target was found"));
  if (p.dim === 1) {
    try {
      const [lo, hi] = p.domain[0];
      const x0 = s.from[0];
      const right = boundaryPoint(inside, x0, hi);
      const left = boundaryPoint(inside, x0, lo);
      if (right !== undefined && left !== undefined) {
        est.push(
          na("bounds", "the target lies on both sides of the start: two absorbing ends are not implemented"),
        );
      } else if (right === undefined && left === undefined) {
        est.push(na("bounds", "the target is not reached inside the domain"));
      } else {
        const absorb = (right ?? left) as number;
        const b = exitTimeBounds(p, { start: x0, absorb, reflect: right !== undefined ? lo : hi });
        est.push({
          method: "bounds",
          time: null,
          iterations: null,
          interval: b.applicable ? [b.lower, b.upper] : null,
          uncertainty: "rigorous two-sided enclosure",
          how: `${b.why} (absorbing at ${fmt(absorb, 4)}, reflecting at ${fmt(b.reflect, 4)}, ${b.cells} cells)`,
          applicable: b.applicable,
        });
      }
    } catch (err) {
      est.push(na("bounds", `bounds failed: ${(err as Error).message}`));
    }
  } else est.push(na("bounds", "rigorous bounds are implemented along 1-D coordinates only"));
  if (s.path && s.path.saddleIndex > 0) {
    try {
      est.push(pathAnalysis(p, s.path));
    } catch (err) {
      est.push(na("path-1d", `1-D analysis along the path failed: ${(err as Error).message}`));
    }
  }
  // Monte Carlo horizon: 16× the best deterministic prediction (P(τ > 16 E τ) ≈ 1e-7 for exponential escapes,
  // so a run of a few thousand particles is rarely censored; the survivors alone pay for the longer horizon).
  const pred = ["exact", "pde", "kramers"]
    .map((m) => est.find((e) => e.method === m && e.applicable))
    .find((e) => e?.time !== null && e?.time !== undefined && Number.isFinite(e.time) && e.time > 0);
  const horizon = pred?.time ? 16 * pred.time : o.fallbackHorizon;
  for (const kind of ["sgd", "sde"] as const) {
    try {
      est.push(monteCarlo(p, s, kind, horizon, o));
    } catch (err) {
      est.push(na(kind, `Monte Carlo failed: ${(err as Error).message}`));
    }
  }
  const comparisons = compare(p, s, est);
  const order = ["exact", "pde", "sde", "sgd", "kramers"];
  const bestE = order
    .map((m) => est.find((e) => e.method === m && e.applicable && e.time !== null && !e.lowerBound))
    .find((e) => e !== undefined);
  const sgd = est.find((e) => e.method === "sgd" && e.applicable);
  const best = bestE
    ? { method: bestE.method, time: bestE.time, iterations: bestE.iterations }
    : { method: "none", time: null, iterations: null };
  const disagreements = comparisons.filter((c) => !c.consistent);
  let sentence = `${s.label === "problem start" ? `From ${fmtPt(s.from)}` : `From ${s.label} ${fmtPt(s.from)}`} to ${s.targetWhy}: `;
  if (sgd?.time !== null && sgd?.time !== undefined) {
    sentence += sgd.lowerBound
      ? `SGD had not always escaped within ${fmt(sgd.horizon)} (SDE time): mean exit time ≥ ${fmt(sgd.time)} (≥ ${fmt(sgd.iterations)} iterations)`
      : `SGD escapes after ${fmt(sgd.time)} (SDE time) = ${fmt(sgd.iterations)} iterations on average (95% CI ${fmt(sgd.interval?.[0])}–${fmt(sgd.interval?.[1])})`;
  } else sentence += "SGD Monte Carlo unavailable";
  if (best.method !== "sgd" && best.time !== null)
    sentence += `; the SDE's mean exit time is ${fmt(best.time)} by the ${best.method} method`;
  sentence += disagreements.length
    ? `. Disagreement: ${disagreements.map((c) => `${c.a} vs ${c.b} — ${c.explanation}`).join("; ")}.`
    : comparisons.length
      ? comparisons.some((c) => c.explanation.startsWith("consistent, but only as a bound"))
        ? `. All methods are consistent (${est
            .filter((e) => e.lowerBound)
            .map((e) => e.method)
            .join(", ")} only as a censored lower bound).`
        : ". All methods agree within their errors."
      : ".";
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

function na(method: EscapeEstimate["method"], why: string): EscapeEstimate {
  return {
    method,
    time: null,
    iterations: null,
    interval: null,
    uncertainty: "—",
    how: why,
    applicable: false,
  };
}

/**
 * The 1-D analysis along the minimum-energy path: arc length s from the minimum (s = 0) to the saddle
 * (s = s_z), loss profile L(s), diffusion along the path a(s) = τᵀA(x(s))τ (A = ηΣ_B + 2δI, τ the unit
 * tangent). The 1-D mean time to hit the saddle, with the well continued harmonically behind the minimum (the
 * path has no "other side"), is E τ_z = ∫₀^{s_z} e^{Φ(y)} [∫₀^{y} (2/a) e^{−Φ} + (2/a₀)·½√(πa₀/λ_τ)] dy, Φ(y) = ∫₀^y 2L'/a
 * (scale density e^{Φ}, speed density 2e^{−Φ}/a; DESIGN.md §1); only when the noise is nearly isotropic
 * along the path (otherwise escapes need not follow the MEP and the estimate is reported as not applicable);
 * the transition into the next basin takes about twice that (half the paths that reach the saddle
 * return). Trapezoid rule on the path's own points (midpoint a, L' by differences).
 */
function pathAnalysis(
  p: Problem,
  path: { points: number[][]; values: number[]; saddleIndex: number },
): EscapeEstimate {
  const d = p.dim;
  const K = path.saddleIndex;
  const cov = new Float64Array(d * d);
  const x = new Float64Array(d);
  const ds: number[] = [];
  const aMid: number[] = [];
  const dL: number[] = [];
  // Resample the polyline (NEB/MEP points are sparse near the minima) to ≤ arc/400 steps, L evaluated exactly.
  const pts: number[][] = [];
  let arc = 0;
  for (let k = 0; k < K; k++) arc += Math.hypot(...path.points[k + 1].map((v, i) => v - path.points[k][i]));
  const hMax = arc / 400;
  for (let k = 0; k < K; k++) {
    const a = path.points[k];
    const b = path.points[k + 1];
    const len = Math.hypot(...b.map((v, i) => v - a[i]));
    const m = Math.max(1, Math.ceil(len / hMax));
    for (let q = 0; q < m; q++) pts.push(a.map((v, i) => v + ((b[i] - v) * q) / m));
  }
  pts.push(path.points[K]);
  const Lv = pts.map((q) => p.loss.value(Float64Array.from(q)));
  let aniso = 0;
  for (let k = 0; k + 1 < pts.length; k++) {
    const a = pts[k];
    const b = pts[k + 1];
    let len = 0;
    for (let i = 0; i < d; i++) len += (b[i] - a[i]) ** 2;
    len = Math.sqrt(len);
    if (!(len > 0)) continue;
    for (let i = 0; i < d; i++) x[i] = 0.5 * (a[i] + b[i]);
    p.noise.covariance(x, cov);
    let q = 0;
    for (let i = 0; i < d; i++)
      for (let j = 0; j < d; j++) q += ((b[i] - a[i]) / len) * cov[i * d + j] * ((b[j] - a[j]) / len);
    const A = p.lr * p.batchScale * q + 2 * p.delta;
    let tr = 0;
    for (let i = 0; i < d; i++) tr += cov[i * d + i];
    const iso = (p.lr * p.batchScale * tr) / d + 2 * p.delta;
    if (iso > 0) aniso = Math.max(aniso, Math.abs(A - iso) / iso);
    ds.push(len);
    aMid.push(A);
    dL.push(Lv[k + 1] - Lv[k]);
  }
  if (aMid.some((a) => !(a > 0)))
    return na(
      "path-1d",
      "the noise along the path vanishes somewhere: the 1-D reduction gives an infinite time",
    );
  // Φ at the nodes (Φ(0) = 0), cell-wise constant a: ∫ 2L'/a = 2ΔL/a
  const n = ds.length;
  const phi = new Float64Array(n + 1);
  for (let k = 0; k < n; k++) phi[k + 1] = phi[k] + (2 * dL[k]) / aMid[k];
  const shift = Math.max(...phi);
  // inner integral I(y) = ∫₀^y e^{−Φ} (trapezoid), total = I(s_z)
  const inner = new Float64Array(n + 1);
  for (let k = 0; k < n; k++)
    inner[k + 1] = inner[k] + (2 / aMid[k]) * 0.5 * ds[k] * (Math.exp(-phi[k]) + Math.exp(-phi[k + 1]));
  // The path starts at the minimum: the law on the far side of it is replaced by its harmonic (Gaussian) part,
  // ∫_{−∞}^0 e^{−Φ} ≈ ½·√(π a₀/λ_τ), λ_τ = τᵀ∇²L(m)τ along the first tangent.
  const t0 = path.points[1].map((v, i) => v - path.points[0][i]);
  const n0 = Math.hypot(...t0) || 1;
  const H = new Float64Array(d * d);
  p.loss.hessian(Float64Array.from(path.points[0]), H);
  let lam = 0;
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) lam += (t0[i] / n0) * H[i * d + j] * (t0[j] / n0);
  const total = lam > 0 ? (2 / aMid[0]) * 0.5 * Math.sqrt((Math.PI * aMid[0]) / lam) : inner[n];
  let T = 0;
  for (let k = 0; k < n; k++) {
    const f0 = Math.exp(phi[k] - shift) * (inner[k] + total);
    const f1 = Math.exp(phi[k + 1] - shift) * (inner[k + 1] + total);
    T += 0.5 * ds[k] * (f0 + f1);
  }
  T *= Math.exp(shift);
  const time = 2 * T;
  return {
    method: "path-1d",
    time,
    iterations: time / p.lr,
    interval: aniso <= 0.25 ? [time / 1.5, time * 1.5] : null,
    uncertainty: "model error of the 1-D reduction: ±50% band used for comparisons",
    how: `1-D exit-time formula along the minimum-energy path (${n} segments after resampling, arc length ${fmt(ds.reduce((u, v) => u + v, 0))}, diffusion a(s) = τᵀAτ along the tangent, harmonic continuation behind the minimum), transition ≈ 2 × the time to hit the saddle (${fmt(T)})`,
    applicable: aniso <= 0.25,
    ...(aniso > 0.25
      ? {
          uncertainty: `not applicable: the noise is anisotropic along the path (the diffusion along the tangent differs from tr A/d by up to ${fmt(100 * aniso, 2)}%), so the escape need not follow the minimum-energy path`,
        }
      : {}),
  };
}
