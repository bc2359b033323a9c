// Comparison of sgdscope's exit-time estimates with the committed independent references
// (validation/reference/results/<id>.json, written by validation/reference/reference.py). Pure functions: used by
// `npm run validate` (validation/run.mjs) and by the CI subset (test/validation/validation.test.ts).
//
// Verdicts per method (all times in SDE time):
//   pde    — within: [pde ± its error estimate] meets the reference interval of the SDE's mean exit time (particles
//            at dt_ref, widened by the measured time-step bias); for an infinite reference, pde must say infinite;
//            for a lower-bound reference (0 or few exits by the horizon), pde's upper end must reach the bound. A pde
//            that states only a certified lower bound of the discrete MET (status lower-bound: the system is singular
//            to double precision) claims MET ≥ bound: it must not exceed the reference interval's upper end (any
//            lower-bound or infinite reference is consistent with it).
//   sde    — the tool's plain mean at its dt (η/10) against the reference's independent run at the same step
//            (2·dt_ref = η/10): |difference| ≤ 1.96·√(se₁² + se₂²) (a 95% two-sample test: ~1 in 20 misses by chance).
//   sgd    — the same test against NumPy Markov chains of the SGD scheme itself.
//   exact  — |tool − reference quadrature| ≤ the sum of both stated errors.
//   bounds — the bracket meets the reference interval; a lower bound (status lower-bound) as for pde.
//   kramers— no coverage claim (asymptotic formula): the ratio to the reference is reported.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const validationDir = dirname(fileURLToPath(import.meta.url));

/** The cases file. */
export function loadCases() {
  return JSON.parse(readFileSync(join(validationDir, "cases.json"), "utf8")).cases;
}

/** The committed reference of a case, or null when it has not been computed. */
export function loadReference(id) {
  const f = join(validationDir, "reference", "results", `${id}.json`);
  return existsSync(f) ? JSON.parse(readFileSync(f, "utf8")) : null;
}

const se95 = (ci) => (ci[1] - ci[0]) / (2 * 1.96);
const pct = (v) => `${(100 * v).toPrecision(2)}%`;
const meets = (a, b) => a[0] <= b[1] && b[0] <= a[1];

/**
 * What the reference says the MET is: {kind: "value", interval, value} | {kind: "infinite", why} |
 * {kind: "lower-bound", bound, why} | {kind: "none", why}.
 */
export function referenceTruth(ref) {
  if (!ref) return { kind: "none", why: "no reference computed" };
  const ex = ref.exact;
  if (ex?.kind === "absorption" && ex.infinite)
    return {
      kind: "infinite",
      why: `the noise vanishes at x = ${ex.noise_zero_at.toPrecision(6)} and the target is reached with probability ${ex.p_reach_target.toPrecision(3)} < 1 (exact scale function)`,
    };
  if (ex?.kind === "met") {
    const e = Math.max(ex.error_estimate, 1e-9 * ex.time);
    return {
      kind: "value",
      value: ex.time,
      interval: [ex.time - e, ex.time + e],
      source: "exact 1-D quadrature",
    };
  }
  const s = ref.sde;
  if (s?.reference_interval)
    return {
      kind: "value",
      value: s.reference,
      interval: s.reference_interval,
      source: `NumPy Euler–Maruyama + bridge, ${s.fine.particles} paths, dt ${s.dt} (bias-widened 95% interval)`,
    };
  if (s?.fine?.censored)
    return {
      kind: "lower-bound",
      bound: s.fine.mean_lower_bound_95,
      why: `${s.fine.exited} of ${s.fine.particles} NumPy SDE paths exited by t = ${s.fine.horizon}: E τ ≥ ${s.fine.horizon}·P(τ > ${s.fine.horizon}) ≥ ${s.fine.mean_lower_bound_95.toPrecision(4)} (95%)`,
    };
  return { kind: "none", why: "the reference has no usable value" };
}

/**
 * A certified lower bound (pde or bounds with status lower-bound: MET ≥ bound) against the reference truth:
 * consistent unless the bound exceeds a finite reference interval.
 */
export function compareLowerBound(est, truth) {
  const b = est.time;
  const what = `lower bound ${b.toPrecision(3)} (certified for the discrete chain${est.intervalKind === "discrete-lower-bound" ? "" : `, ${est.intervalKind}`})`;
  if (truth.kind === "infinite")
    return { ok: true, boundOnly: true, verdict: `${what}, consistent with an infinite MET` };
  if (truth.kind === "lower-bound")
    return {
      ok: true,
      boundOnly: true,
      lowerBoundOnly: true,
      verdict: `${what}; the reference is only ≥ ${truth.bound.toPrecision(4)}: consistent (two lower bounds cannot contradict)`,
    };
  return b <= truth.interval[1]
    ? {
        ok: true,
        boundOnly: true,
        verdict: `${what} ≤ the reference's upper end ${truth.interval[1].toPrecision(4)}`,
      }
    : {
        ok: false,
        verdict: `MISS: ${what} above the reference interval ${truth.interval.map((v) => v.toPrecision(4)).join("–")}`,
      };
}

/** Verdict of the pde estimate against the reference truth. */
export function comparePde(est, truth) {
  if (!est || est.status === "failed" || est.status === "skipped")
    return { ok: false, verdict: `no value (${est?.status ?? "absent"}: ${est?.reason ?? ""})` };
  if (truth.kind === "none") return { ok: null, verdict: "no reference" };
  if (est.status === "lower-bound" && est.time !== null) return compareLowerBound(est, truth);
  if (truth.kind === "infinite")
    return est.status === "infinite"
      ? { ok: true, verdict: "infinite, as the reference" }
      : { ok: false, verdict: `finite ${est.time?.toPrecision(4)} but the reference is infinite` };
  if (est.status === "infinite")
    return truth.kind === "lower-bound"
      ? { ok: true, lowerBoundOnly: true, verdict: "infinite; consistent with the reference's lower bound" }
      : { ok: false, verdict: "infinite but the reference is finite" };
  if (est.interval === null || est.time === null)
    return { ok: false, verdict: "no stated error: coverage cannot hold" };
  if (truth.kind === "lower-bound")
    return est.interval[1] >= truth.bound
      ? {
          ok: true,
          lowerBoundOnly: true,
          verdict: `consistent with the lower bound ${truth.bound.toPrecision(4)}`,
        }
      : {
          ok: false,
          verdict: `upper end ${est.interval[1].toPrecision(4)} below the lower bound ${truth.bound.toPrecision(4)}`,
        };
  const ok = meets(est.interval, truth.interval);
  const off = (est.time - truth.value) / truth.value;
  const stated = (est.interval[1] - est.time) / truth.value;
  const refHalf = (truth.interval[1] - truth.interval[0]) / 2 / truth.value;
  // a reference wider than the stated error tests the claim only to the reference's own precision: say so
  const coarse = refHalf > stated ? ` (reference ±${pct(refHalf)}: tested only to that precision)` : "";
  return {
    ok,
    coarseReference: refHalf > stated,
    verdict: `${ok ? "within" : "MISS"}: ${pct(off)} off, stated ±${pct(stated)}${coarse}`,
  };
}

/** Two independent Monte Carlo means: a 95% two-sample test. `a` is the tool's detail, `b` the reference summary. */
export function compareMc(est, b) {
  if (!est || !["estimate", "lower-bound"].includes(est.status))
    return { ok: false, verdict: `no value (${est?.status ?? "absent"})` };
  if (!b) return { ok: null, verdict: "no reference" };
  const d = est.detail;
  if (b.censored || d.censored) {
    // compare the fractions exited by the common horizon is not possible in general: report only
    if (b.censored && d.censored) {
      const pTool = d.exited / d.particles;
      const [lo, hi] = b.p_exit_by_horizon_ci95;
      const sameHorizon = Math.abs(d.horizon - b.horizon) <= 0.01 * b.horizon;
      if (!sameHorizon) return { ok: null, verdict: "both censored at different horizons" };
      const ok =
        pTool >= lo - 1.96 * Math.sqrt((pTool * (1 - pTool)) / d.particles) - 1e-12 &&
        pTool <= hi + 1.96 * Math.sqrt((pTool * (1 - pTool)) / d.particles) + 1e-12;
      return {
        ok,
        verdict: `${d.exited}/${d.particles} exited by t = ${d.horizon} vs reference ${b.exited}/${b.particles}`,
      };
    }
    return {
      ok: null,
      verdict: `censored (${d.exited}/${d.particles} exited by t = ${d.horizon}); reference ${b.censored ? "censored" : b.mean.toPrecision(4)}`,
    };
  }
  const z =
    Math.abs(d.ci95[0] + d.ci95[1] - b.ci95[0] - b.ci95[1]) / 2 / Math.sqrt(se95(d.ci95) ** 2 + b.se ** 2);
  const ok = z <= 1.96;
  return { ok, verdict: `${ok ? "agrees" : "DIFFERS"}: z = ${z.toFixed(2)}` };
}

/** Exact 1-D formula against the reference quadrature. */
export function compareExact(est, ref) {
  if (!est) return { ok: null, verdict: "—" };
  const ex = ref?.exact;
  if (!ex) return { ok: null, verdict: "no reference" };
  if (ex.kind === "absorption")
    return (est.status === "infinite") === ex.infinite
      ? { ok: true, verdict: `${est.status}, as the reference` }
      : { ok: false, verdict: `${est.status} but the reference says ${ex.infinite ? "infinite" : "finite"}` };
  if (est.status !== "estimate") return { ok: false, verdict: `${est.status}: ${est.reason}` };
  const e = (est.interval[1] - est.interval[0]) / 2;
  const diff = Math.abs(est.time - ex.time);
  const ok = diff <= e + ex.error_estimate + 1e-9 * ex.time;
  return {
    ok,
    verdict: `${ok ? "within" : "MISS"}: relative difference ${(diff / ex.time).toExponential(1)}`,
  };
}

/** Bounds bracket against the reference truth. */
export function compareBounds(est, truth) {
  if (!est || est.status === "failed" || est.status === "skipped")
    return { ok: false, verdict: `no bracket (${est?.status ?? "absent"}: ${est?.reason ?? ""})` };
  if (truth.kind === "none") return { ok: null, verdict: "no reference" };
  if (est.status === "infinite")
    return truth.kind === "value"
      ? { ok: false, verdict: "says infinite, the reference is finite" }
      : { ok: true, verdict: "infinite, consistent" };
  if (est.status === "lower-bound" && est.time !== null) return compareLowerBound(est, truth);
  if (est.status !== "bracket" || !est.interval) return { ok: null, verdict: `${est.status}: ${est.reason}` };
  if (truth.kind === "infinite")
    return est.interval[1] === null || !Number.isFinite(est.interval[1])
      ? { ok: true, verdict: "unbounded above, consistent" }
      : { ok: false, verdict: "finite bracket but the MET is infinite" };
  if (truth.kind === "lower-bound")
    return est.interval[1] === null || est.interval[1] >= truth.bound
      ? { ok: true, lowerBoundOnly: true, verdict: "consistent with the lower bound" }
      : { ok: false, verdict: "upper end below the reference's lower bound" };
  const hi = est.interval[1] ?? Number.POSITIVE_INFINITY;
  const ok = meets([est.interval[0], hi], truth.interval);
  return { ok, verdict: ok ? "contains the reference" : "MISSES the reference" };
}

/** Kramers: the ratio to the reference (no coverage claim). */
export function compareKramers(est, truth) {
  if (est?.status !== "estimate" || est.time === null)
    return { ok: null, verdict: est ? `${est.status}` : "—" };
  if (truth.kind !== "value")
    return { ok: null, verdict: `${est.time.toPrecision(4)} (reference not finite)` };
  return { ok: null, verdict: `ratio to reference ${(est.time / truth.value).toFixed(2)}` };
}

/** All verdicts of one case. */
export function compareCase(estimates, ref) {
  const by = Object.fromEntries(estimates.map((e) => [e.method, e]));
  const truth = referenceTruth(ref);
  const sdeCoarse = ref?.sde?.coarse_2dt;
  return {
    truth,
    pde: comparePde(by.pde, truth),
    sde: compareMc(by.sde, sdeCoarse),
    sgd: compareMc(by.sgd, ref?.sgd),
    exact: by.exact ? compareExact(by.exact, ref) : null,
    bounds: compareBounds(by.bounds, truth),
    kramers: compareKramers(by.kramers, truth),
  };
}
