/**
 * Eyring–Kramers for an exit-time query, with the target matched once for every caller: the start relaxes to
 * the minimum m its gradient flow reaches; a saddle z of m is a channel into the target when the target
 * begins at z (then the first hitting time of z, ≈ half the transition time, is used) or contains the minimum
 * on z's far side (the transition time). Channels are parallel: their rates add, 1/T = Σ_z 1/T_z. A target that
 * cuts a channel's minimum-energy path before the saddle makes the formula not applicable (no barrier crossing).
 */
import { formatNumber, formatPoint } from "../analysis/format.js";
import { eyringKramers } from "../landscape/index.js";
import { compileRegion } from "../problem/expr/index.js";
import type { Problem } from "../problem/types.js";
import { type LandscapeContext, startMinimum } from "./landscape-context.js";
import { orientPath, pathTargetCut } from "./path-1d.js";
import type { ExitEstimate, ExitQuery, KramersDetail } from "./types.js";

const fmt = (v: number, p = 4) => formatNumber(v, p);
const pt = (x: readonly number[]) => formatPoint(x);

/** x or a point within 1e-6·max(1, |x_i|) of it along a coordinate axis lies in the region (minima on boundaries like "x >= 1"). */
function nearlyInside(inside: (x: Float64Array) => boolean, x: readonly number[]): boolean {
  const y = Float64Array.from(x);
  if (inside(y)) return true;
  for (let i = 0; i < x.length; i++) {
    for (const s of [-1, 1]) {
      y[i] = x[i] + s * 1e-6 * Math.max(1, Math.abs(x[i]));
      if (inside(y)) return true;
      y[i] = x[i];
    }
  }
  return false;
}

/** The Eyring–Kramers estimate of the query's mean exit time. */
export function kramersExitTime(p: Problem, q: ExitQuery, land: LandscapeContext): ExitEstimate {
  const t0 = Date.now();
  const { minima, saddles } = land;
  const inside = compileRegion(q.to, p.varNames, "to");
  const na = (why: string): ExitEstimate => ({
    method: "kramers",
    status: "not-applicable",
    time: null,
    iterations: null,
    interval: null,
    intervalKind: null,
    uncertainty: "—",
    how: "Eyring–Kramers",
    reason: why,
    seconds: (Date.now() - t0) / 1000,
    detail: null,
  });
  const mi = startMinimum(p, land, q.from);
  if (mi < 0) return na("the start point does not flow to a known minimum");
  if (inside(Float64Array.from(minima[mi].x))) return na("the start's own minimum lies in the target region");
  let rate = 0;
  let best: ReturnType<typeof eyringKramers> | undefined;
  let bestMode = "";
  const channels: KramersDetail["channels"] = [];
  for (const s of saddles) {
    if (!s.connects.includes(mi) || s.connects[0] === s.connects[1]) continue;
    const other = s.connects[0] === mi ? s.connects[1] : s.connects[0];
    if (other < 0) continue;
    // A target that cuts the path before the barrier top is reached without crossing the barrier.
    const cut = pathTargetCut(orientPath(s.path, minima[mi].x), inside);
    if (cut.where === "before-saddle")
      return na(
        `the target region cuts the minimum-energy path to the saddle ${pt(s.x)} at ${fmt(100 * cut.fraction, 3)}% of its length, before the barrier top (at ${pt(cut.point)}): the exit is not a barrier crossing, so Eyring–Kramers does not apply`,
      );
    const k = eyringKramers(p, minima[mi], s);
    // Is the target's boundary at the saddle? Step a little past the saddle towards the other minimum.
    const v = s.x.map((z, i) => minima[other].x[i] - z);
    const nv = Math.hypot(...v) || 1;
    const h = 1e-6 * Math.max(1, nv);
    const past = Float64Array.from(s.x.map((z, i) => z + (h * v[i]) / nv));
    const atSaddle = inside(past) || inside(Float64Array.from(s.x));
    if (!atSaddle && !nearlyInside(inside, minima[other].x)) continue;
    const t = atSaddle ? k.toSaddle.time : k.time;
    channels.push({
      saddle: [...s.x],
      barrier: k.barrier,
      time: t,
      mode: atSaddle ? "to-saddle" : "transition",
    });
    if (!best || k.barrier < best.barrier) {
      best = k;
      bestMode = atSaddle
        ? "first hitting of the saddle (≈ half the transition time)"
        : "transition over the saddle into the target's basin";
    }
    rate += 1 / t;
  }
  if (!best) return na("no saddle of the start's minimum leads into the target region");
  const detail: KramersDetail = {
    kind: "kramers",
    barrier: best.barrier,
    minimum: [...minima[mi].x],
    regime: best.regime,
    exponent: best.exponent,
    epsilon: best.epsilon,
    channels,
  };
  const why = `${best.why}; ${bestMode}${channels.length > 1 ? `; rates of ${channels.length} channels added` : ""}; assumes the start relaxes to the minimum ${pt(minima[mi].x)} first`;
  if (best.infinite) {
    return {
      method: "kramers",
      status: "infinite",
      time: null,
      iterations: null,
      interval: null,
      intervalKind: null,
      uncertainty: "—",
      how: "Eyring–Kramers",
      reason: why,
      seconds: (Date.now() - t0) / 1000,
      detail,
    };
  }
  const time = 1 / rate;
  if (!best.applicable || !Number.isFinite(time)) {
    return { ...na(why), time: Number.isFinite(time) ? time : null, detail };
  }
  // Band for comparisons only: corrections are O(ε/ΔL); at least 15%.
  const qBand = best.epsilon && best.barrier > 0 ? Math.max(0.15, (3 * best.epsilon) / best.barrier) : 0.5;
  return {
    method: "kramers",
    status: "estimate",
    time,
    iterations: time / p.lr,
    interval: [time / (1 + qBand), time * (1 + qBand)],
    intervalKind: "asymptotic-band",
    uncertainty: `asymptotic formula: relative band ±${fmt(100 * qBand, 2)}% (≈ 3ε/ΔL, at least 15%) used for comparisons`,
    how: `Eyring–Kramers: ${why}`,
    reason: null,
    seconds: (Date.now() - t0) / 1000,
    detail,
  };
}
