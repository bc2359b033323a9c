/**
 * `bounds`: a two-sided bracket of the mean exit time. 1-D: rigorous bounds on the continuum MET (absorbing at
 * the nearest target boundary, reflecting at the domain edge; landscape/bounds.ts) — intervalKind "bracket".
 * d = 2, 3: the certified bracket of the DISCRETE generator's value on the pde method's final grid (comparison
 * principle, landscape/generator-bounds.ts; kept as `detail.discreteCertificate`), widened by the pde method's
 * estimated grid error e: [T_h/c⁺ − e, T_h/c⁻ + e]. That brackets the MET only as far as the error estimate
 * covers the grid error, so it is an estimate, not a proof: intervalKind "error-estimate", `detail.rigorous`
 * false. Without an error estimate there is no useful bound, and the entry says so ([0, ∞] is never returned as
 * a bracket). When the exit-time system is singular to double precision (a nearly closed state) the entry is
 * status "lower-bound": the pde method's certified lower bound of the discrete value (intervalKind
 * "discrete-lower-bound", interval [bound, ∞); pde/exit-lower-bound.ts), not a bound on the SDE's MET.
 */
import { formatNumber } from "../analysis/format.js";
import { comparisonConstants } from "../landscape/generator-bounds.js";
import { exitTimeBounds } from "../landscape/index.js";
import { pdeExitTimeAt, pdeExitTimeEstimate } from "../pde/estimates.js";
import { compileRegion } from "../problem/expr/index.js";
import { firstEntry1d } from "../problem/region-1d.js";
import type { Problem } from "../problem/types.js";
import type { BoundsDetail, ExitEstimate, ExitQuery, GridSettings } from "./types.js";

const fmt = (v: number, p = 4) => formatNumber(v, p);

function result(
  t0: number,
  status: ExitEstimate["status"],
  how: string,
  reason: string | null,
  detail: BoundsDetail | null,
  lr: number,
): ExitEstimate {
  const ok = status === "bracket" && detail !== null;
  const proven = ok && detail.rigorous !== false;
  return {
    method: "bounds",
    status,
    time: null,
    iterations: null,
    interval: ok ? [detail.lower, detail.upper] : null,
    intervalKind: ok ? (proven ? "bracket" : "error-estimate") : null,
    uncertainty: ok
      ? `${proven ? "rigorous bracket" : "bracket from the discrete certificate ± the estimated grid error (not a proof)"} [${fmt(detail.lower)}, ${fmt(detail.upper)}] = [${fmt(detail.lower / lr)}, ${fmt(detail.upper / lr)}] iterations`
      : "—",
    how,
    reason,
    seconds: (Date.now() - t0) / 1000,
    detail,
  };
}

export function boundsExitTime(p: Problem, q: ExitQuery, g: GridSettings = {}): ExitEstimate {
  const t0 = Date.now();
  const inside = compileRegion(q.to, p.varNames, "to");
  if (p.dim === 1) {
    const [lo, hi] = p.domain[0];
    const x0 = q.from[0];
    const right = firstEntry1d(inside, x0, hi);
    const left = firstEntry1d(inside, x0, lo);
    if (right !== undefined && left !== undefined)
      return result(
        t0,
        "not-applicable",
        "1-D bounds",
        "the target lies on both sides of the start: two absorbing ends are not implemented",
        null,
        p.lr,
      );
    if (right === undefined && left === undefined)
      return result(
        t0,
        "not-applicable",
        "1-D bounds",
        "the target is not reached inside the domain",
        null,
        p.lr,
      );
    const absorb = (right ?? left) as number;
    const b = exitTimeBounds(p, { start: x0, absorb, reflect: right !== undefined ? lo : hi });
    const how = `${b.why} (absorbing at ${fmt(absorb)}, reflecting at ${fmt(b.reflect)}, ${b.cells} cells)`;
    const detail: BoundsDetail = {
      kind: "bounds",
      lower: b.lower,
      upper: b.upper,
      reflect: b.reflect,
      absorb: b.absorb,
      cells: b.cells,
      relativeGap: b.relativeGap,
      assumptions: b.assumptions,
    };
    return b.applicable
      ? result(t0, "bracket", `rigorous two-sided enclosure of the continuum MET: ${how}`, null, detail, p.lr)
      : result(t0, "not-applicable", how, b.why, null, p.lr);
  }
  if (p.dim > 3)
    return result(
      t0,
      "not-applicable",
      "bounds",
      "bounds need the 1-D formula or a grid generator (d ≤ 3)",
      null,
      p.lr,
    );
  const est = pdeExitTimeEstimate(p, q.from, inside, {
    grid: g.grid,
    rtol: g.rtol,
    maxSeconds: g.maxSeconds,
  });
  if (est.infinite)
    return result(
      t0,
      "infinite",
      "discrete generator",
      `the PDE exit time is infinite: ${est.reason ?? "traps or unreachable target"}`,
      null,
      p.lr,
    );
  const lb = est.lower_bound;
  if (lb !== null) {
    const detail: BoundsDetail = {
      kind: "bounds",
      lower: lb.time,
      upper: Number.POSITIVE_INFINITY,
      rigorous: false,
      grid: lb.grid,
      discreteCertificate: { lower: lb.time, upper: Number.POSITIVE_INFINITY, grid: lb.grid },
      errorEstimate: null,
      observedOrder: null,
    };
    return {
      method: "bounds",
      status: "lower-bound",
      time: lb.time,
      iterations: lb.iterations,
      interval: [lb.time, Number.POSITIVE_INFINITY],
      intervalKind: "discrete-lower-bound",
      uncertainty: `certified lower bound [${fmt(lb.time, 3)}, ∞) of the discrete generator's mean exit time on the ${lb.grid.join("×")} grid (comparison principle); no upper side, the discretisation error is not included`,
      how: `discrete generator on ${lb.grid.join("×")}: ${est.message}`,
      reason: `no two-sided bracket: the generator is singular to double precision (the state is nearly closed); the discrete chain's MET ≥ ${fmt(lb.time, 3)} SDE time (${fmt(lb.iterations, 3)} iterations); the true MET may be far larger or infinite`,
      seconds: (Date.now() - t0) / 1000,
      detail,
    };
  }
  const shape = est.grid;
  const r = pdeExitTimeAt(p, q.from, inside, shape);
  const c = comparisonConstants(r.gen.Q, r.gen.absorbing as Uint8Array, r.res.u);
  if (!(c.cMin > 0 && c.cMax > 0 && Number.isFinite(r.t)))
    return result(
      t0,
      "failed",
      "discrete generator",
      "no useful bound: the comparison constants of the discrete certificate are not positive (the linear solve is not accurate enough)",
      null,
      p.lr,
    );
  const certificate = { lower: r.t / c.cMax, upper: r.t / c.cMin, grid: shape };
  const e = est.error_estimate;
  if (e === null || !Number.isFinite(e))
    return result(
      t0,
      "not-applicable",
      `discrete certificate [${fmt(certificate.lower, 6)}, ${fmt(certificate.upper, 6)}] on grid ${shape.join("×")}`,
      "no useful bound: the PDE's grid error is not estimated, so the discrete certificate says nothing about the MET itself",
      null,
      p.lr,
    );
  const lower = Math.max(0, certificate.lower - e);
  const upper = certificate.upper + e;
  const detail: BoundsDetail = {
    kind: "bounds",
    lower,
    upper,
    rigorous: false,
    grid: shape,
    discreteCertificate: certificate,
    errorEstimate: e,
    observedOrder: est.observed_order,
  };
  return result(
    t0,
    "bracket",
    `certified bracket [${fmt(certificate.lower, 6)}, ${fmt(certificate.upper, 6)}] of the discrete generator's exit time on grid ${shape.join("×")} (comparison principle), widened by the pde method's estimated grid error ±${fmt(e, 3)} (${est.observed_order !== null ? `Richardson, observed order ${fmt(est.observed_order, 3)}` : "grids not yet converging: twice the last difference"})`,
    `a bracket of the MET only as far as the grid error estimate holds — not a proof${lower === 0 ? "; its lower side is trivial" : ""}`,
    detail,
    p.lr,
  );
}
