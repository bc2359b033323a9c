/**
 * The grid methods of the engine: `pde` (the discrete generator Q on a grid, with its error estimate from
 * refinement) and `exact` (the 1-D double-integral formula by quadrature). Both need a bounded domain.
 */
import { formatNumber } from "../analysis/format.js";
import { exactExitTimeEstimate, pdeExitTimeEstimate } from "../pde/estimates.js";
import type { Problem } from "../problem/types.js";
import type { ExactDetail, ExitEstimate, ExitQuery, GridSettings, PdeDetail } from "./types.js";

const fmt = (v: number, p = 4) => formatNumber(v, p);

/** snake_case keys → camelCase (one level). */
function camel(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())] = v;
  return out;
}

export function pdeExitTime(p: Problem, q: ExitQuery, g: GridSettings = {}): ExitEstimate {
  const t0 = Date.now();
  const e = pdeExitTimeEstimate(p, q.from, q.to, { grid: g.grid, rtol: g.rtol, maxSeconds: g.maxSeconds });
  const { method: _m, time, iterations, reason, ...rest } = e as unknown as Record<string, unknown>;
  const detail = { kind: "pde", ...camel(rest) } as PdeDetail;
  const t = time as number | null;
  const err = detail.errorEstimate;
  const how = `discrete generator on a ${detail.grid.join("×")} grid (${String(detail.scheme)}); solver ${String(detail.solver)}, residual ${fmt(detail.relativeResidual as number, 2)}; grid: ${String(detail.gridReason)}`;
  if (e.infinite)
    return {
      method: "pde",
      status: "infinite",
      time: null,
      iterations: null,
      interval: null,
      intervalKind: null,
      uncertainty: "—",
      how,
      reason: (reason as string | undefined) ?? "the target is unreachable",
      seconds: (Date.now() - t0) / 1000,
      detail,
    };
  const lb = e.lower_bound;
  if (lb !== null)
    return {
      method: "pde",
      status: "lower-bound",
      time: lb.time,
      iterations: lb.iterations,
      interval: [lb.time, Number.POSITIVE_INFINITY],
      intervalKind: "discrete-lower-bound",
      uncertainty: `certified lower bound of the discrete generator's mean exit time on the ${lb.grid.join("×")} grid (comparison principle); the discretisation error is not included`,
      how: `${how}; ${e.message}`,
      reason: `the generator is singular to double precision: the state is nearly closed; MET ≥ ${fmt(lb.time, 3)} SDE time (${fmt(lb.iterations, 3)} iterations), certified for the discrete chain on ${lb.grid.join("×")} (not for the SDE: the grid error is not bounded); where the noise is degenerate (rank-deficient or vanishing) the chain crosses only by the grid's numerical diffusion, so the true MET may be far larger or infinite`,
      seconds: (Date.now() - t0) / 1000,
      detail,
    };
  return {
    method: "pde",
    status: "estimate",
    time: t,
    iterations: iterations as number | null,
    interval: t !== null && err !== null ? [t - err, t + err] : null,
    intervalKind: err !== null ? "error-estimate" : null,
    uncertainty:
      err !== null
        ? `± grid-error estimate from ${e.grids.length} grids (${detail.observedOrder !== null ? `observed order ${fmt(detail.observedOrder, 2)}` : "no clean convergence order"}; ${e.converged ? `within rtol ${fmt(e.rtol ?? 0, 2)}` : e.stop_reason === "no refinement asked" ? "no tolerance asked" : `rtol ${fmt(e.rtol ?? 0, 2)} NOT reached: ${e.stop_reason}`})`
        : e.stop_reason === "interrupted"
          ? "no error estimate (interrupted before a second grid finished)"
          : "no error estimate (the coarse grids failed)",
    how: `${how}; ${e.message}`,
    reason:
      e.stop_reason === "interrupted"
        ? `${e.message}${err === null ? "; no error estimate: the value's accuracy is not known" : ""}`
        : err === null
          ? "no error estimate: the value's accuracy is not known"
          : e.converged || e.stop_reason === "no refinement asked"
            ? ((reason as string | undefined) ?? null)
            : e.message,
    seconds: (Date.now() - t0) / 1000,
    detail,
  };
}

export function exactExitTime(p: Problem, q: ExitQuery): ExitEstimate {
  const t0 = Date.now();
  const e = exactExitTimeEstimate(p, q.from, q.to);
  const detail: ExactDetail = {
    kind: "exact",
    errorEstimate: e.error_estimate,
    integrationInterval: e.interval,
    ends: [...e.ends],
  };
  const how = `exact 1-D double integral E τ = ∫ s ∫ m (scale/speed densities of A(x) = ηΣ_B(x)${p.delta > 0 ? " + 2δ" : ""}) on [${e.interval.map((v) => fmt(v)).join(", ")}] (${e.ends.join(", ")})`;
  const base = { method: "exact" as const, how, seconds: (Date.now() - t0) / 1000, detail };
  if (e.infinite)
    return {
      ...base,
      status: "infinite",
      time: null,
      iterations: null,
      interval: null,
      intervalKind: null,
      uncertainty: "—",
      reason: e.reason ?? "the speed measure is not integrable: the process never reaches the target",
    };
  if (e.applicable === false || e.time === null)
    return {
      ...base,
      status: "not-applicable",
      time: null,
      iterations: null,
      interval: null,
      intervalKind: null,
      uncertainty: "—",
      reason: e.reason ?? "the formula does not apply",
    };
  const err = Math.max(e.error_estimate ?? 0, 1e-9 * e.time);
  return {
    ...base,
    status: "estimate",
    time: e.time,
    iterations: e.time / p.lr,
    interval: [e.time - err, e.time + err],
    intervalKind: "error-estimate",
    uncertainty: "± Richardson estimate of the quadrature error",
    reason: e.reason ?? null,
  };
}
