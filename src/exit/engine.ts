/**
 * The one exit-time engine (DESIGN.md §2, issue 11): `exitTime(problem, {from, to}, {methods, ...})` runs the
 * requested methods and returns one estimate per method, in the requested order. The CLI (`exit-time`),
 * `analyze`, sweeps and the web page all call this; none of them re-implements a method.
 *
 * - Before any work: the query and every method's requirements are checked; a method that cannot run at all
 *   on this problem (dimension, missing domain) is refused with a `UserError` naming it.
 * - Deterministic methods run first: with `particles.horizon: "auto"` the Monte Carlo horizon is 16× the first
 *   finite prediction among exact, pde, kramers (policy.ts), else the fallback — and the estimate says which.
 * - Per-method isolation: a method that fails yields an entry with status "failed" and its reason; the others
 *   stand. Bad input that a method finds itself (a `UserError`) is still refused as bad input while no Monte
 *   Carlo work would be lost. A stop request skips the methods not yet started and keeps every finished (or
 *   partial) result.
 */
import { formatNumber } from "../analysis/format.js";
import { UserError } from "../errors.js";
import { compileRegion } from "../problem/expr/index.js";
import type { Problem } from "../problem/types.js";
import { Interrupted } from "../stop.js";
import { type LandscapeContext, landscapeContext } from "./landscape-context.js";
import { dtCheckOf, monteCarloExitTime } from "./particles.js";
import { defaultSdeStep, HORIZON_FACTOR } from "./policy.js";
import { EXIT_METHOD_SPECS, isParticleMethod, type MethodInputs } from "./registry.js";
import { inProcessRunner } from "./runner.js";
import {
  EXIT_METHODS,
  type ExitEstimate,
  type ExitMethodName,
  type ExitQuery,
  type ExitTimeOptions,
  type ExitTimeResult,
  type MonteCarloDetail,
  type ParticleSettings,
} from "./types.js";

const fmt = (v: number, p = 4) => formatNumber(v, p);

const DEFAULT_PARTICLES: ParticleSettings = {
  particles: 2000,
  seed: 1,
  horizon: "auto",
  fallbackHorizon: 1000,
  dtCheck: false,
};

/**
 * Checks the query and the method list (names, duplicates, each method's requirements) before any work.
 * Throws a UserError naming the parameter and what would be valid.
 */
export function checkExitQuery(p: Problem, q: ExitQuery, methods: readonly string[]): void {
  if (methods.length === 0)
    throw new UserError("no method given", { where: "methods", hint: EXIT_METHODS.join(", ") });
  for (const m of methods) {
    if (!(EXIT_METHODS as readonly string[]).includes(m))
      throw new UserError(`unknown method '${m}'`, { where: "methods", hint: EXIT_METHODS.join(", ") });
  }
  const twice = methods.find((m, i) => methods.indexOf(m) !== i);
  if (twice) throw new UserError(`'${twice}' is listed twice`, { where: "methods" });
  if (q.from.length !== p.dim)
    throw new UserError(`the start point has ${q.from.length} coordinates, the problem has ${p.dim}`, {
      where: "from",
    });
  if (!q.from.every(Number.isFinite))
    throw new UserError("the start point must have finite coordinates", { where: "from" });
  const inside = compileRegion(q.to, p.varNames, "to");
  if (inside(Float64Array.from(q.from)))
    throw new UserError(
      `the start point (${q.from.join(", ")}) is already inside the target region "${q.to}"`,
      {
        where: "from",
        hint: "a start point outside the region",
      },
    );
  for (const m of methods as ExitMethodName[]) {
    const why = EXIT_METHOD_SPECS[m].cannotRun(p);
    if (why) throw new UserError(why, { where: `methods: ${m}` });
  }
  const gridMethods = (methods as ExitMethodName[]).filter(
    (m) => m === "pde" || m === "exact" || m === "bounds",
  );
  if (gridMethods.length > 0) {
    p.domain.forEach(([lo, hi], k) => {
      if (!(q.from[k] >= lo && q.from[k] <= hi))
        throw new UserError(
          `coordinate ${p.varNames[k]} = ${q.from[k]} of the start point is outside the domain [${lo}, ${hi}] of the grid methods (${gridMethods.join(", ")})`,
          { where: "from", hint: "a start point inside the problem's domain box" },
        );
    });
  }
}

/** The methods among `candidates` that can run on this problem, and why the others cannot. */
export function applicableMethods(
  p: Problem,
  candidates: readonly ExitMethodName[],
): { run: ExitMethodName[]; skipped: { method: ExitMethodName; reason: string }[] } {
  const run: ExitMethodName[] = [];
  const skipped: { method: ExitMethodName; reason: string }[] = [];
  for (const m of candidates) {
    const why = EXIT_METHOD_SPECS[m].cannotRun(p);
    if (why) skipped.push({ method: m, reason: why });
    else run.push(m);
  }
  return { run, skipped };
}

function failed(
  method: ExitMethodName,
  status: "failed" | "skipped",
  reason: string,
  seconds = 0,
): ExitEstimate {
  return {
    method,
    status,
    time: null,
    iterations: null,
    interval: null,
    intervalKind: null,
    uncertainty: "—",
    how: status === "skipped" ? "not run" : "the method failed",
    reason,
    seconds,
    detail: null,
  };
}

/** The mean exit time from `query.from` into `query.to` by each requested method. */
export async function exitTime(p: Problem, query: ExitQuery, o: ExitTimeOptions): Promise<ExitTimeResult> {
  checkExitQuery(p, query, o.methods);
  const ps: ParticleSettings = { ...DEFAULT_PARTICLES, ...o.particles };
  if (!Number.isInteger(ps.particles) || ps.particles < 1)
    throw new UserError(`must be a whole number ≥ 1, got ${ps.particles}`, { where: "particles" });
  if (ps.horizon !== "auto" && !(ps.horizon > 0 && Number.isFinite(ps.horizon)))
    throw new UserError(`must be a positive number, got ${ps.horizon}`, { where: "horizon" });
  if (ps.dt !== undefined && !(ps.dt > 0 && Number.isFinite(ps.dt)))
    throw new UserError(`must be a positive number, got ${ps.dt}`, { where: "dt" });
  const stop = o.shouldStop ?? (() => false);
  const runner = o.runner ?? inProcessRunner;
  let land: LandscapeContext | null = o.landscape ?? null;
  const inputs: MethodInputs = {
    grid: o.gridMethods ?? {},
    landscape: () => {
      land ??= landscapeContext(p);
      return land;
    },
    path: o.path,
  };
  const done = new Map<ExitMethodName, ExitEstimate>();
  const finish = (e: ExitEstimate) => {
    done.set(e.method, e);
    o.onEstimate?.(e);
  };
  let interrupted = false;
  const det = o.methods.filter((m) => !isParticleMethod(m));
  const mc = o.methods.filter(isParticleMethod);
  for (const m of det) {
    // yield to the event loop between methods, so that a stop request (a newer state in a page, Ctrl-C) is seen
    if (det.length > 1 && m !== det[0]) await new Promise<void>((r) => setTimeout(r, 0));
    if (stop()) {
      interrupted = true;
      break;
    }
    const t0 = Date.now();
    const run = EXIT_METHOD_SPECS[m].run;
    try {
      if (!run) throw new Error(`${m} has no deterministic run`);
      finish(run(p, query, inputs));
    } catch (e) {
      if (e instanceof Interrupted) {
        finish(
          failed(m, "skipped", `${e.message}, before any result of it finished`, (Date.now() - t0) / 1000),
        );
        interrupted = true;
        break;
      }
      // bad input found by a method (e.g. a target with no grid node): refused before any particle has run
      if (e instanceof UserError) throw e;
      finish(failed(m, "failed", (e as Error).message, (Date.now() - t0) / 1000));
    }
  }
  // Monte Carlo horizon: given, or 16× the first finite deterministic prediction.
  let horizon: number;
  let horizonWhy: string;
  if (ps.horizon !== "auto") {
    horizon = ps.horizon;
    horizonWhy = "the horizon asked for";
  } else {
    const pred = (["exact", "pde", "kramers"] as const)
      .map((m) => done.get(m))
      .find((e) => e && e.status === "estimate" && e.time !== null && e.time > 0 && Number.isFinite(e.time));
    if (pred?.time) {
      horizon = HORIZON_FACTOR * pred.time;
      horizonWhy = `${HORIZON_FACTOR}× the ${pred.method} prediction ${fmt(pred.time)}`;
    } else {
      horizon = ps.fallbackHorizon;
      horizonWhy = "the fallback horizon (no deterministic prediction was available)";
    }
  }
  for (const m of mc) {
    if (interrupted || stop()) {
      interrupted = true;
      break;
    }
    const t0 = Date.now();
    try {
      const sde = m === "sde" || m === "sde2";
      const run = (label: string, dt: number | undefined, seed: number) =>
        monteCarloExitTime(p, {
          dynamics: m,
          from: query.from,
          to: query.to,
          particles: ps.particles,
          horizon,
          horizonWhy,
          dt,
          seed,
          maxParticleSteps: ps.maxParticleSteps,
          runner,
          onProgress: o.onProgress ? (n) => o.onProgress?.(label, n, ps.particles) : undefined,
          shouldStop: stop,
        });
      const dt = sde ? (ps.dt ?? defaultSdeStep(p.lr)) : undefined;
      const est = await run(`${m} particles`, dt, ps.seed);
      const d = est.detail as MonteCarloDetail | null;
      if (sde && ps.dtCheck && d && !d.stopped && !stop()) {
        // the same estimate at 2·dt with an independent seed: T(dt) − T(2dt) estimates the O(dt) bias
        const coarse = await run(`${m} particles at 2·dt (time-step check)`, 2 * d.dt, ps.seed + 1);
        if (coarse.detail) d.dtCheck = dtCheckOf(est, coarse);
        est.seconds = (Date.now() - t0) / 1000;
      }
      if (d?.stopped) interrupted = true;
      finish(est);
    } catch (e) {
      // bad input refused before any Monte Carlo work is lost; after that, the method fails alone
      if (e instanceof UserError && ![...done.values()].some((x) => x.detail?.kind === "monte-carlo"))
        throw e;
      finish(failed(m, "failed", (e as Error).message, (Date.now() - t0) / 1000));
    }
  }
  if (stop()) interrupted = true;
  const estimates = o.methods.map(
    (m) => done.get(m) ?? failed(m, "skipped", "the run was interrupted first"),
  );
  return {
    problem: p.name,
    from: [...query.from],
    to: query.to,
    lr: p.lr,
    batch: p.batch,
    estimates,
    interrupted,
  };
}
