/**
 * `bounds`: a two-sided bracket of the mean exit time. 1-D: rigorous bounds on the continuum MET (absorbing at
 * the nearest target boundary, reflecting at the domain edge; landscape/bounds.ts). d = 2, 3: the certified
 * bracket of the discrete generator's value on the pde grid (comparison principle, landscape/generator-bounds.ts).
 */
import { comparisonConstants } from "../landscape/generator-bounds.js";
import { exitTimeBounds } from "../landscape/index.js";
import { pdeExitTimeAt } from "../pde/estimates.js";
import { autoGridShape } from "../pde/grid.js";
import { compileRegion } from "../problem/expr/index.js";
import { firstEntry1d } from "../problem/region-1d.js";
import type { Problem } from "../problem/types.js";
import type { BoundsDetail, ExitEstimate, ExitQuery, GridSettings } from "./types.js";

const fmt = (v: number, p = 4) => (Number.isFinite(v) ? Number(v.toPrecision(p)).toString() : String(v));

function result(
  t0: number,
  status: ExitEstimate["status"],
  how: string,
  reason: string | null,
  detail: BoundsDetail | null,
  lr: number,
): ExitEstimate {
  const ok = status === "bracket" && detail !== null;
  return {
    method: "bounds",
    status,
    time: null,
    iterations: null,
    interval: ok ? [detail.lower, detail.upper] : null,
    intervalKind: ok ? "bracket" : null,
    uncertainty: ok
      ? `bracket [${fmt(detail.lower)}, ${fmt(detail.upper)}] = [${fmt(detail.lower / lr)}, ${fmt(detail.upper / lr)}] iterations`
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
  const shape = g.grid !== undefined ? new Array(p.dim).fill(g.grid) : autoGridShape(p).shape;
  const r = pdeExitTimeAt(p, q.from, inside, shape);
  if (!Number.isFinite(r.t))
    return {
      ...result(
        t0,
        "infinite",
        "discrete generator",
        "the PDE exit time is infinite (traps or unreachable target)",
        null,
        p.lr,
      ),
    };
  const c = comparisonConstants(r.gen.Q, r.gen.absorbing as Uint8Array, r.res.u);
  if (!(c.cMin > 0 && c.cMax > 0))
    return result(
      t0,
      "failed",
      "discrete generator",
      "the comparison constants are not positive (solver did not converge?)",
      null,
      p.lr,
    );
  const detail: BoundsDetail = { kind: "bounds", lower: r.t / c.cMax, upper: r.t / c.cMin, grid: shape };
  return result(
    t0,
    "bracket",
    `certified bracket of the discrete generator's exit time on grid ${shape.join("×")} (comparison principle)`,
    "the grid error is not included: compare with the pde method's error estimate",
    detail,
    p.lr,
  );
}
