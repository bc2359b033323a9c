/**
 * `path-1d`: the 1-D exit-time formula along the minimum-energy path from the start's minimum to its lowest
 * saddle (a reduced model; applicable only when the noise is nearly isotropic along the path).
 */
import { formatNumber as fmt } from "../analysis/format.js";
import type { Problem } from "../problem/types.js";
import type { LandscapeContext } from "./landscape-context.js";
import { startMinimum } from "./landscape-context.js";
import type { ExitEstimate, ExitQuery, PathDetail, TransitionPath } from "./types.js";

const dist = (a: readonly number[], b: readonly number[]) => Math.hypot(...a.map((v, i) => v - b[i]));

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
  let pts = z.path.points;
  let vals = z.path.values;
  let si = z.path.saddleIndex;
  if (dist(pts[0], land.minima[i].x) > dist(pts[pts.length - 1], land.minima[i].x)) {
    pts = [...pts].reverse();
    vals = [...vals].reverse();
    si = pts.length - 1 - si;
  }
  return { points: pts, values: vals, saddleIndex: si };
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
  return pathAnalysis(p, pth, t0);
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
function pathAnalysis(p: Problem, path: TransitionPath, t0: number): ExitEstimate {
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
    return na("the noise along the path vanishes somewhere: the 1-D reduction gives an infinite time", t0);
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
  const tan0 = path.points[1].map((v, i) => v - path.points[0][i]);
  const n0 = Math.hypot(...tan0) || 1;
  const H = new Float64Array(d * d);
  p.loss.hessian(Float64Array.from(path.points[0]), H);
  let lam = 0;
  for (let i = 0; i < d; i++)
    for (let j = 0; j < d; j++) lam += (tan0[i] / n0) * H[i * d + j] * (tan0[j] / n0);
  const total = lam > 0 ? (2 / aMid[0]) * 0.5 * Math.sqrt((Math.PI * aMid[0]) / lam) : inner[n];
  let T = 0;
  for (let k = 0; k < n; k++) {
    const f0 = Math.exp(phi[k] - shift) * (inner[k] + total);
    const f1 = Math.exp(phi[k + 1] - shift) * (inner[k + 1] + total);
    T += 0.5 * ds[k] * (f0 + f1);
  }
  T *= Math.exp(shift);
  const time = 2 * T;
  const arcLength = ds.reduce((u, v) => u + v, 0);
  const detail: PathDetail = { kind: "path-1d", segments: n, arcLength, anisotropy: aniso, toSaddle: T };
  const how = `1-D exit-time formula along the minimum-energy path (${n} segments after resampling, arc length ${fmt(arcLength)}, diffusion a(s) = τᵀAτ along the tangent, harmonic continuation behind the minimum), transition ≈ 2 × the time to hit the saddle (${fmt(T)})`;
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
