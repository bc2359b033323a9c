/**
 * `path-1d`: the 1-D exit-time formula along the minimum-energy path from the start's minimum to its lowest
 * saddle (a reduced model; applicable only when the noise is nearly isotropic along the path).
 */
import { formatNumber as fmt } from "../analysis/format.js";
import { diffusionOfVariance, diffusionTrace } from "../problem/diffusion.js";
import { compileRegion } from "../problem/expr/index.js";
import type { Problem } from "../problem/types.js";
import type { LandscapeContext } from "./landscape-context.js";
import { startMinimum } from "./landscape-context.js";
import type { ExitEstimate, ExitQuery, PathDetail, TransitionPath } from "./types.js";

const dist = (a: readonly number[], b: readonly number[]) => Math.hypot(...a.map((v, i) => v - b[i]));

/** A saddle's path oriented to start at the minimum `at` (the path runs minimum → saddle → other minimum). */
export function orientPath(path: TransitionPath, at: readonly number[]): TransitionPath {
  const { points, values, saddleIndex } = path;
  if (dist(points[0], at) <= dist(points[points.length - 1], at)) return path;
  return {
    points: [...points].reverse(),
    values: [...values].reverse(),
    saddleIndex: points.length - 1 - saddleIndex,
  };
}

/** Where the target meets an oriented path (fraction of the arc length from the minimum to the saddle). */
export type PathCut =
  | { where: "before-saddle"; fraction: number; point: number[] }
  | { where: "at-saddle" }
  | { where: "beyond-saddle" };

/** Fraction of the arc to the saddle above which a first point in the target counts as "at the saddle". */
const AT_SADDLE = 0.98;

/**
 * Where the target region first meets the path from the minimum to the saddle, sampled at ≤ 1/400 of the arc:
 * before the barrier top (the exit is then not a barrier crossing), at the saddle (the target begins there, as
 * `x > 0` for a saddle at x = 0), or only beyond it (the target lies in the next basin).
 */
export function pathTargetCut(path: TransitionPath, inside: (x: Float64Array) => boolean): PathCut {
  const K = path.saddleIndex;
  const pts = path.points;
  let arc = 0;
  for (let k = 0; k < K; k++) arc += dist(pts[k + 1], pts[k]);
  const h = arc / 400;
  let s = 0;
  for (let k = 0; k < K; k++) {
    const a = pts[k];
    const b = pts[k + 1];
    const len = dist(b, a);
    const m = Math.max(1, Math.ceil(len / (h || 1)));
    for (let q = 0; q < m; q++) {
      const x = a.map((v, i) => v + ((b[i] - v) * q) / m);
      const f = arc > 0 ? (s + (len * q) / m) / arc : 1;
      if (!inside(Float64Array.from(x))) continue;
      return f >= AT_SADDLE ? { where: "at-saddle" } : { where: "before-saddle", fraction: f, point: x };
    }
    s += len;
  }
  const z = pts[K];
  if (inside(Float64Array.from(z))) return { where: "at-saddle" };
  if (K + 1 < pts.length) {
    const next = pts[K + 1];
    const v = next.map((c, i) => c - z[i]);
    const nv = Math.hypot(...v) || 1;
    const eps = 1e-6 * Math.max(1, nv);
    if (inside(Float64Array.from(z.map((c, i) => c + (eps * v[i]) / nv)))) return { where: "at-saddle" };
  }
  return { where: "beyond-saddle" };
}

/** The MEP through the lowest saddle of the start's minimum, oriented to start at that minimum (null: none). */
export function pathFromStart(
  p: Problem,
  land: LandscapeContext,
  from: readonly number[],
): TransitionPath | null {
  const i = startMinimum(p, land, from);
  if (i < 0) return null;
  const cands = land.saddles.filter((z) => z.connects.includes(i) && z.connects[0] !== z.connects[1]);
  if (!cands.length) return null;
  const z = cands.reduce((b, c) => (c.value < b.value ? c : b));
  return orientPath(z.path, land.minima[i].x);
}

function na(why: string, t0: number): ExitEstimate {
  return {
    method: "path-1d",
    status: "not-applicable",
    time: null,
    iterations: null,
    interval: null,
    intervalKind: null,
    uncertainty: "—",
    how: "1-D formula along the minimum-energy path",
    reason: why,
    seconds: (Date.now() - t0) / 1000,
    detail: null,
  };
}

/** The path-1d estimate for a query (the path from `path`, or from the landscape). */
export function pathExitTime(
  p: Problem,
  q: ExitQuery,
  land: LandscapeContext | null,
  path?: TransitionPath | null,
): ExitEstimate {
  const t0 = Date.now();
  const pth = path ?? (land ? pathFromStart(p, land, q.from) : null);
  if (!pth || pth.saddleIndex <= 0) return na("no transition path out of the start's minimum was found", t0);
  const cut = pathTargetCut(pth, compileRegion(q.to, p.varNames, "to"));
  return pathAnalysis(p, pth, cut, t0);
}

/**
 * The 1-D analysis along the minimum-energy path: arc length s from the minimum (s = 0) to the saddle
 * (s = s_z), loss profile L(s), diffusion along the path a(s) = τᵀA(x(s))τ (A = ηΣ_B + 2δI, τ the unit
 * tangent). The 1-D mean time to hit the saddle, with the well continued harmonically behind the minimum (the
 * path has no "other side"), is E τ_z = ∫₀^{s_z} e^{Φ(y)} [∫₀^{y} (2/a) e^{−Φ} + (2/a₀)·½√(πa₀/λ_τ)] dy, Φ(y) = ∫₀^y 2L'/a
 * (scale density e^{Φ}, speed density 2e^{−Φ}/a; DESIGN.md §1); only when the noise is nearly isotropic
 * along the path (otherwise escapes need not follow the MEP and the estimate is reported as not applicable).
 * What is reported depends on where the target meets the path: at the saddle, E τ_z itself; only beyond it,
 * the transition into the next basin, about twice that (half the paths that reach the saddle return); before
 * the saddle, the same integral up to the first point of the path in the target (a hitting time of that point,
 * no barrier crossing). Trapezoid rule on the path's own points (midpoint a, L' by differences).
 */
function pathAnalysis(p: Problem, path: TransitionPath, cut: PathCut, t0: number): ExitEstimate {
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
    const A = diffusionOfVariance(p, q);
    let tr = 0;
    for (let i = 0; i < d; i++) tr += cov[i * d + i];
    const iso = diffusionTrace(p, tr, d) / d;
    if (iso > 0) aniso = Math.max(aniso, Math.abs(A - iso) / iso);
    ds.push(len);
    aMid.push(A);
    dL.push(Lv[k + 1] - Lv[k]);
  }
  if (aMid.some((a) => !(a > 0)))
    return na("the noise along the path vanishes somewhere: the 1-D reduction gives an infinite time", t0);
  // Φ at the nodes (Φ(0) = 0), cell-wise constant a: ∫ 2L'/a = 2ΔL/a
  const n = ds.length;
  const phi = new Float64Array(n + 1);
  for (let k = 0; k < n; k++) phi[k + 1] = phi[k] + (2 * dL[k]) / aMid[k];
  // a target cutting the path before the saddle: integrate only up to its first point
  let cutAt = n;
  if (cut.where === "before-saddle") {
    const arcTotal = ds.reduce((u, v) => u + v, 0);
    let acc = 0;
    cutAt = 0;
    while (cutAt < n && acc < cut.fraction * arcTotal) acc += ds[cutAt++];
    cutAt = Math.max(1, cutAt);
  }
  const shift = Math.max(...phi.subarray(0, cutAt + 1));
  // inner integral I(y) = ∫₀^y e^{−Φ} (trapezoid), total = I(s_z)
  const inner = new Float64Array(n + 1);
  for (let k = 0; k < n; k++)
    inner[k + 1] = inner[k] + (2 / aMid[k]) * 0.5 * ds[k] * (Math.exp(-phi[k]) + Math.exp(-phi[k + 1]));
  // The path starts at the minimum: the law on the far side of it is replaced by its harmonic (Gaussian) part,
  // ∫_{−∞}^0 e^{−Φ} ≈ ½·√(π a₀/λ_τ), λ_τ = τᵀ∇²L(m)τ along the first tangent.
  const tan0 = path.points[1].map((v, i) => v - path.points[0][i]);
  const n0 = Math.hypot(...tan0) || 1;
  const H = new Float64Array(d * d);
  p.loss.hessian(Float64Array.from(path.points[0]), H);
  let lam = 0;
  for (let i = 0; i < d; i++)
    for (let j = 0; j < d; j++) lam += (tan0[i] / n0) * H[i * d + j] * (tan0[j] / n0);
  const total = lam > 0 ? (2 / aMid[0]) * 0.5 * Math.sqrt((Math.PI * aMid[0]) / lam) : inner[n];
  let T = 0;
  for (let k = 0; k < cutAt; k++) {
    const f0 = Math.exp(phi[k] - shift) * (inner[k] + total);
    const f1 = Math.exp(phi[k + 1] - shift) * (inner[k + 1] + total);
    T += 0.5 * ds[k] * (f0 + f1);
  }
  T *= Math.exp(shift);
  const time = cut.where === "beyond-saddle" ? 2 * T : T;
  const arcLength = ds.reduce((u, v) => u + v, 0);
  const detail: PathDetail = {
    kind: "path-1d",
    segments: n,
    arcLength,
    anisotropy: aniso,
    toSaddle: cut.where === "before-saddle" ? null : T,
    target: cut.where,
  };
  const what =
    cut.where === "beyond-saddle"
      ? `transition ≈ 2 × the time to hit the saddle (${fmt(T)}), the target lies beyond the saddle`
      : cut.where === "at-saddle"
        ? "the time to hit the saddle, where the target begins"
        : `the time to hit the target where it cuts the path at ${fmt(100 * cut.fraction, 3)}% of the way to the saddle (no barrier crossing)`;
  const how = `1-D exit-time formula along the minimum-energy path (${n} segments after resampling, arc length ${fmt(arcLength)}, diffusion a(s) = τᵀAτ along the tangent, harmonic continuation behind the minimum): ${what}`;
  if (aniso > 0.25)
    return {
      ...na(
        `the noise is anisotropic along the path (the diffusion along the tangent differs from tr A/d by up to ${fmt(100 * aniso, 2)}%), so the escape need not follow the minimum-energy path`,
        t0,
      ),
      time,
      iterations: time / p.lr,
      how,
      detail,
    };
  return {
    method: "path-1d",
    status: "estimate",
    time,
    iterations: time / p.lr,
    interval: [time / 1.5, time * 1.5],
    intervalKind: "model-band",
    uncertainty: "model error of the 1-D reduction: ±50% band used for comparisons",
    how,
    reason: null,
    seconds: (Date.now() - t0) / 1000,
    detail,
  };
}
