/**
 * Gradient flow ẋ = −∇L(x) in SDE time units (the noise-free limit of the SDE, DESIGN.md §1),
 * integrated by an adaptive embedded Runge–Kutta 3(2) (Bogacki–Shampine) scheme, with capture
 * balls around known minima. Used to label basins, connect saddles to minima, trace minimum
 * energy paths and time the drift regime.
 */
import type { Loss } from "../problem/types.js";
import { descend } from "./critical-points.js";

export interface FlowTargets {
  /** Minima locations (each of length d). */
  centres: ArrayLike<number>[];
  /** Capture radius of each minimum: the flow is labelled k once within radii[k] of centres[k]
   * while moving towards it (∇L·(x−m) > 0). */
  radii: number[];
}

export interface FlowOptions {
  /** Relative/absolute local error tolerance per step (absolute in units of `lengthScale`). */
  rtol?: number;
  /** Typical length of the problem (domain diameter); bounds the step displacement. */
  lengthScale?: number;
  /**
   * Accepted RK steps before the rest of the way is done by L-BFGS descent (default 20000): slow,
   * ill-conditioned valleys (models with tiny Hessian eigenvalues) would otherwise take millions of
   * steps. Set `descentFallback: false` to keep the pure flow (label −1 when steps run out).
   */
  maxSteps?: number;
  descentFallback?: boolean;
  /** Stop (label −1) when ‖∇L‖ falls below this without capture (a saddle's stable manifold). */
  gradTol?: number;
  /** After capture, keep integrating until within this distance of the minimum (drift-regime timing). */
  untilRadius?: number;
  /** Record the trajectory (subsampled to about `maxPoints` points). */
  record?: boolean;
  maxPoints?: number;
}

export interface FlowResult {
  /** Index of the capturing minimum, −1 if none (stalled at a critical point or too many steps). */
  label: number;
  /** SDE time at the end of the integration. */
  time: number;
  /** First time of the last entry into B(centre[label], untilRadius) (NaN when not requested). */
  entryTime: number;
  steps: number;
  /** True when the step budget ran out and L-BFGS finished the descent (times then are lower bounds). */
  descentFallback: boolean;
  /** Recorded polyline (row-major points) when `record` is set. */
  path?: number[][];
}

/**
 * Integrates ẋ = −∇L from x (modified in place: holds the end point on return).
 * Allocates its work vectors once per call; nothing per step.
 */
export function gradientFlow(
  loss: Loss,
  x: Float64Array,
  targets: FlowTargets,
  opts: FlowOptions = {},
): FlowResult {
  const d = loss.dim;
  const rtol = opts.rtol ?? 1e-6;
  const scale = opts.lengthScale ?? 1;
  const atol = rtol * scale;
  const maxStep = 0.02 * scale;
  const maxSteps = opts.maxSteps ?? 20000;
  const gradTol = opts.gradTol ?? 1e-9;
  const until = opts.untilRadius;
  const k1 = new Float64Array(d);
  const k2 = new Float64Array(d);
  const k3 = new Float64Array(d);
  const k4 = new Float64Array(d);
  const y = new Float64Array(d);
  const xn = new Float64Array(d);
  const path: number[][] = [];
  const recordEvery = 1;
  let f = loss.gradient(x, k1);
  let gnorm = 0;
  for (let i = 0; i < d; i++) {
    k1[i] = -k1[i];
    gnorm += k1[i] * k1[i];
  }
  gnorm = Math.sqrt(gnorm);
  let h = Math.min(maxStep / Math.max(gnorm, 1e-300), 1e-2);
  let t = 0;
  let label = -1;
  let entryTime = Number.NaN;
  const nc0 = targets.centres.length;
  const insideC = new Uint8Array(nc0);
  const entryC = new Float64Array(nc0);
  const prevDist = new Float64Array(nc0);
  let steps = 0;
  if (opts.record) path.push(Array.from(x));
  const nc = targets.centres.length;
  const classify = (): number => {
    for (let c = 0; c < nc; c++) {
      const m = targets.centres[c];
      let r2 = 0;
      let gx = 0;
      for (let i = 0; i < d; i++) {
        const dx = x[i] - m[i];
        r2 += dx * dx;
        gx -= k1[i] * dx; // ∇L·(x−m), since k1 = −∇L
      }
      if (
        r2 <= targets.radii[c] * targets.radii[c] &&
        (gx > 0 || gnorm <= 10 * gradTol * Math.max(1, Math.abs(f)))
      )
        return c;
    }
    return -1;
  };
  const distTo = (c: number): number => {
    const m = targets.centres[c];
    let r2 = 0;
    for (let i = 0; i < d; i++) r2 += (x[i] - m[i]) ** 2;
    return Math.sqrt(r2);
  };
  if (until !== undefined) {
    for (let c = 0; c < nc; c++) {
      prevDist[c] = distTo(c);
      if (prevDist[c] <= until) insideC[c] = 1;
    }
  }
  for (; steps < maxSteps; ) {
    if (label < 0) {
      label = classify();
      if (label >= 0 && until === undefined) break;
    }
    if (label >= 0 && until !== undefined) {
      if (distTo(label) <= until) {
        entryTime = insideC[label] ? entryC[label] : t;
        break;
      }
    }
    if (gnorm < gradTol * Math.max(1, Math.abs(f))) break;
    // Bogacki–Shampine 3(2) step with FSAL.
    for (let i = 0; i < d; i++) y[i] = x[i] + 0.5 * h * k1[i];
    loss.gradient(y, k2);
    for (let i = 0; i < d; i++) k2[i] = -k2[i];
    // Local stiffness estimate λ ≈ ‖k2 − k1‖ / (½h‖k1‖): keeps h inside RK3's stability interval, so the
    // flow converges onto stable critical points instead of oscillating at the tolerance level.
    let dk = 0;
    let nk = 0;
    for (let i = 0; i < d; i++) {
      dk += (k2[i] - k1[i]) ** 2;
      nk += k1[i] * k1[i];
    }
    const lam = nk > 0 ? Math.sqrt(dk / nk) / (0.5 * h) : 0;
    for (let i = 0; i < d; i++) y[i] = x[i] + 0.75 * h * k2[i];
    loss.gradient(y, k3);
    for (let i = 0; i < d; i++) k3[i] = -k3[i];
    let disp = 0;
    for (let i = 0; i < d; i++) {
      xn[i] = x[i] + h * ((2 / 9) * k1[i] + (1 / 3) * k2[i] + (4 / 9) * k3[i]);
      disp += (xn[i] - x[i]) ** 2;
    }
    const fn = loss.gradient(xn, k4);
    for (let i = 0; i < d; i++) k4[i] = -k4[i];
    let err = 0;
    for (let i = 0; i < d; i++) {
      const e = h * ((-5 / 72) * k1[i] + (1 / 12) * k2[i] + (1 / 9) * k3[i] - (1 / 8) * k4[i]);
      const sc = atol + rtol * Math.abs(x[i]);
      err = Math.max(err, Math.abs(e) / sc);
    }
    disp = Math.sqrt(disp);
    if (!Number.isFinite(err) || !Number.isFinite(fn) || err > 1 || disp > maxStep) {
      const fac = Number.isFinite(err) && err > 0 ? Math.max(0.1, 0.9 * err ** (-1 / 3)) : 0.1;
      h *= Math.min(fac, disp > maxStep ? (0.9 * maxStep) / disp : 1);
      if (h < 1e-300) break;
      continue;
    }
    steps++;
    t += h;
    x.set(xn);
    k1.set(k4);
    f = fn;
    gnorm = 0;
    for (let i = 0; i < d; i++) gnorm += k1[i] * k1[i];
    gnorm = Math.sqrt(gnorm);
    if (opts.record && steps % recordEvery === 0) path.push(Array.from(x));
    if (until !== undefined) {
      // Track the last entry into B(m_c, until) for every minimum (the label may come later).
      // Entry time interpolated within the step.
      for (let c = 0; c < nc; c++) {
        const r = distTo(c);
        if (r <= until && !insideC[c]) {
          insideC[c] = 1;
          const r0 = prevDist[c];
          // log-linear in the distance (exact for an exponential approach to the minimum)
          entryC[c] = r0 > r && r > 0 ? t - h * (1 - Math.log(r0 / until) / Math.log(r0 / r)) : t;
        } else if (r > until) insideC[c] = 0;
        prevDist[c] = r;
      }
    }
    const fac = err > 0 ? Math.min(5, 0.9 * err ** (-1 / 3)) : 5;
    h *= fac;
    if (lam > 0) h = Math.min(h, 2 / lam);
  }
  if (label < 0) label = classify();
  let fellBack = false;
  if (label < 0 && steps >= maxSteps && opts.descentFallback !== false) {
    // Finish by quasi-Newton descent, then label by the capture balls.
    descend(loss, x, { tol: 1e-10, maxIter: 20000 });
    f = loss.gradient(x, k1);
    for (let i = 0; i < d; i++) k1[i] = -k1[i];
    gnorm = Math.hypot(...k1);
    label = classify();
    fellBack = true;
  }
  const res: FlowResult = {
    label,
    time: t,
    entryTime: until === undefined ? Number.NaN : entryTime,
    steps,
    descentFallback: fellBack,
  };
  if (opts.record) {
    path.push(Array.from(x));
    const maxPoints = opts.maxPoints ?? 200;
    if (path.length > maxPoints) {
      const out: number[][] = [];
      for (let k = 0; k < maxPoints; k++)
        out.push(path[Math.round((k * (path.length - 1)) / (maxPoints - 1))]);
      res.path = out;
    } else res.path = path;
  }
  return res;
}

/**
 * Capture radii for minima: a third of the distance to the nearest other critical point
 * (minima and, when given, saddles), capped at `cap`.
 */
export function captureRadii(
  minima: ArrayLike<number>[],
  others: ArrayLike<number>[] = [],
  cap = Infinity,
): number[] {
  return minima.map((m, i) => {
    let best = cap;
    const all = [...minima.filter((_, j) => j !== i), ...others];
    for (const o of all) {
      let s = 0;
      for (let k = 0; k < m.length; k++) s += (m[k] - o[k]) ** 2;
      best = Math.min(best, Math.sqrt(s) / 3);
    }
    return Number.isFinite(best) ? best : 1;
  });
}
