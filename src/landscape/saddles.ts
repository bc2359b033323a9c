/**
 * Index-1 saddles between minima: nudged elastic band with climbing image (Henkelman, Uberuaga &
 * Jónsson 2000; improved tangent of Henkelman & Jónsson 2000), relaxed by FIRE, then refined by
 * Newton's method on ∇L = 0 with an index check. Each saddle is connected to the minima its two
 * unstable half-branches flow into; the minimum energy path (MEP) is the union of those two
 * steepest-descent curves, recorded as a polyline with its loss profile.
 */

import { Rng } from "../random/rng.js";
import { throwIfStopped } from "../stop.js";
import {
  type CriticalPoint,
  describePoint,
  newtonPolish,
  type SymmetryClass,
  symmetryClasses,
} from "./critical-points.js";
import { captureRadii, gradientFlow } from "./flow.js";
import { boxScale, dist, type LandscapeProblem, pointsScale } from "./util.js";

export interface NebOptions {
  /** Number of images including the two end points (default 17). */
  images?: number;
  maxIter?: number;
  /** Convergence: max perpendicular force ≤ forceTol · (typical |∇L| on the initial band). */
  forceTol?: number;
  /** Initial band bent through this point (a → via → b) instead of the straight segment. */
  via?: ArrayLike<number>;
}

export interface NebResult {
  /** Images (each of length d), end points included. */
  images: number[][];
  values: number[];
  /** Index of the climbing image (the highest). */
  climbing: number;
  iterations: number;
  converged: boolean;
}

/** Nudged elastic band with climbing image between a and b. */
export function nudgedElasticBand(
  p: LandscapeProblem,
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  opts: NebOptions = {},
): NebResult {
  const d = p.dim;
  const M = Math.max(5, opts.images ?? 17);
  const maxIter = opts.maxIter ?? 4000;
  const via = opts.via;
  const R = Array.from({ length: M }, (_, i) => {
    const x = new Float64Array(d);
    const t = i / (M - 1);
    for (let k = 0; k < d; k++) {
      if (!via) x[k] = a[k] + (b[k] - a[k]) * t;
      else x[k] = t <= 0.5 ? a[k] + (via[k] - a[k]) * 2 * t : via[k] + (b[k] - via[k]) * (2 * t - 1);
    }
    return x;
  });
  const G = Array.from({ length: M }, () => new Float64Array(d));
  const F = Array.from({ length: M }, () => new Float64Array(d));
  const V = Array.from({ length: M }, () => new Float64Array(d));
  const E = new Float64Array(M);
  const tau = new Float64Array(d);
  const evalAll = () => {
    for (let i = 0; i < M; i++) E[i] = p.loss.gradient(R[i], G[i]);
  };
  evalAll();
  const seg0 = dist(a, b) / (M - 1);
  let ftyp = 0;
  for (let i = 1; i < M - 1; i++) ftyp += Math.hypot(...G[i]);
  ftyp = Math.max(ftyp / (M - 2), 1e-12);
  const kSpring = ftyp / Math.max(seg0, 1e-300);
  const ftol = (opts.forceTol ?? 1e-4) * ftyp;
  let climbing = -1;
  let dt = Math.sqrt((0.05 * seg0) / ftyp);
  const dtMax = 10 * dt;
  let alpha = 0.1;
  let nPos = 0;
  let iter = 0;
  let converged = false;
  const maxMove = 0.2 * seg0;
  for (; iter < maxIter; iter++) {
    // highest interior image climbs once the band is roughly relaxed
    let hi = 1;
    for (let i = 2; i < M - 1; i++) if (E[i] > E[hi]) hi = i;
    let fmax = 0;
    for (let i = 1; i < M - 1; i++) {
      // improved tangent
      const ep = E[i + 1];
      const em = E[i - 1];
      const e0 = E[i];
      if (ep > e0 && e0 > em) for (let k = 0; k < d; k++) tau[k] = R[i + 1][k] - R[i][k];
      else if (ep < e0 && e0 < em) for (let k = 0; k < d; k++) tau[k] = R[i][k] - R[i - 1][k];
      else {
        const dmax = Math.max(Math.abs(ep - e0), Math.abs(em - e0));
        const dmin = Math.min(Math.abs(ep - e0), Math.abs(em - e0));
        const [wp, wm] = ep > em ? [dmax, dmin] : [dmin, dmax];
        for (let k = 0; k < d; k++) tau[k] = wp * (R[i + 1][k] - R[i][k]) + wm * (R[i][k] - R[i - 1][k]);
      }
      let tn = 0;
      for (let k = 0; k < d; k++) tn += tau[k] * tau[k];
      tn = Math.sqrt(tn) || 1;
      for (let k = 0; k < d; k++) tau[k] /= tn;
      let gt = 0;
      for (let k = 0; k < d; k++) gt += G[i][k] * tau[k];
      if (i === climbing) {
        for (let k = 0; k < d; k++) F[i][k] = -G[i][k] + 2 * gt * tau[k];
        let fn = 0;
        for (let k = 0; k < d; k++) fn += F[i][k] ** 2;
        fmax = Math.max(fmax, Math.sqrt(fn));
      } else {
        const sp = kSpring * (dist(R[i + 1], R[i], d) - dist(R[i], R[i - 1], d));
        let fp = 0;
        for (let k = 0; k < d; k++) {
          const perp = -(G[i][k] - gt * tau[k]);
          fp += perp * perp;
          F[i][k] = perp + sp * tau[k];
        }
        fmax = Math.max(fmax, Math.sqrt(fp));
      }
    }
    if (climbing < 0 && (fmax < 50 * ftol || iter > maxIter / 4)) {
      climbing = hi;
      continue;
    }
    if (climbing >= 0 && climbing !== hi && E[hi] > E[climbing]) climbing = hi;
    if (climbing >= 0 && fmax < ftol) {
      converged = true;
      break;
    }
    // FIRE
    let P = 0;
    let vn = 0;
    let fnn = 0;
    for (let i = 1; i < M - 1; i++) {
      for (let k = 0; k < d; k++) {
        P += F[i][k] * V[i][k];
        vn += V[i][k] ** 2;
        fnn += F[i][k] ** 2;
      }
    }
    vn = Math.sqrt(vn);
    fnn = Math.sqrt(fnn) || 1;
    if (P > 0) {
      for (let i = 1; i < M - 1; i++)
        for (let k = 0; k < d; k++) V[i][k] = (1 - alpha) * V[i][k] + (alpha * vn * F[i][k]) / fnn;
      if (++nPos > 5) {
        dt = Math.min(dt * 1.1, dtMax);
        alpha *= 0.99;
      }
    } else {
      for (let i = 1; i < M - 1; i++) V[i].fill(0);
      dt *= 0.5;
      alpha = 0.1;
      nPos = 0;
    }
    for (let i = 1; i < M - 1; i++) {
      let mv = 0;
      for (let k = 0; k < d; k++) {
        V[i][k] += dt * F[i][k];
        mv += (dt * V[i][k]) ** 2;
      }
      const s = Math.sqrt(mv) > maxMove ? maxMove / Math.sqrt(mv) : 1;
      for (let k = 0; k < d; k++) R[i][k] += s * dt * V[i][k];
    }
    evalAll();
  }
  if (climbing < 0) {
    climbing = 1;
    for (let i = 2; i < M - 1; i++) if (E[i] > E[climbing]) climbing = i;
  }
  return {
    images: R.map((r) => Array.from(r)),
    values: Array.from(E),
    climbing,
    iterations: iter,
    converged,
  };
}

export interface SaddlePoint extends CriticalPoint {
  /** Indices (into the minima list) of the minima the two unstable branches flow into (−1: none). */
  connects: [number, number];
  /** The MEP through this saddle: from minimum connects[0] through the saddle to connects[1]. */
  path: MinimumEnergyPath;
}

export interface MinimumEnergyPath {
  points: number[][];
  /** L along the path. */
  values: number[];
  /** Cumulative arc length along the polyline. */
  arcLength: number[];
  /** Position of the saddle in `points`. */
  saddleIndex: number;
}

export interface Barrier {
  from: number;
  to: number;
  saddle: number;
  /** L(z) − L(m_from). */
  height: number;
}

export interface SaddleResult {
  saddles: SaddlePoint[];
  /** Barrier heights for every connected ordered pair (both directions listed), lowest saddle per pair. */
  barriers: Barrier[];
  /** For each minimum: its lowest barrier (the Kramers exit channel), or null if none found. */
  lowest: (Barrier | null)[];
  /** Symmetry classes of the saddles (equal L, spectrum, tr Σ). */
  classes: SymmetryClass[];
  /** One line per pair tried: what the band found. */
  log: { pair: [number, number]; status: string }[];
}

export interface FindSaddlesOptions extends NebOptions {
  /** Try each minimum with its `neighbours` nearest other minima (default 8 for d ≤ 3, else 3). */
  neighbours?: number;
  gradTol?: number;
  /**
   * Also run bands bent to either side of the straight segment (finds a second channel between
   * the same pair, and rescues bands stuck on a maximum). "auto" (default): always for d ≤ 3,
   * otherwise only when the straight band fails.
   */
  bentBands?: "auto" | "always" | "never";
  seed?: number;
  /** Poll the stop check (stop.ts) before each band: Ctrl-C ends the search with `Interrupted` (see FindMinimaOptions). */
  stoppable?: boolean;
}

/** Traces the MEP through an index-1 saddle z along its unstable eigenvector ±v. */
export function traceSaddle(
  p: LandscapeProblem,
  z: CriticalPoint,
  minima: CriticalPoint[],
  radii: number[],
): { connects: [number, number]; path: MinimumEnergyPath } {
  const d = p.dim;
  const scale = boxScale(p.domain, pointsScale([...minima.map((m) => m.x), z.x]));
  const v = z.eigenvectors[0];
  const branches: { label: number; pts: number[][] }[] = [];
  const centres = minima.map((m) => m.x);
  const nearestOther = Math.min(...minima.map((m) => dist(m.x, z.x)));
  const h = 1e-4 * Math.max(nearestOther, 1e-12);
  for (const s of [-1, 1]) {
    const x = Float64Array.from(z.x);
    for (let k = 0; k < d; k++) x[k] += s * h * v[k];
    const r = gradientFlow(
      p.loss,
      x,
      { centres, radii },
      { lengthScale: scale, record: true, maxPoints: 150 },
    );
    const pts = r.path ?? [];
    if (r.label >= 0) pts.push(minima[r.label].x);
    branches.push({ label: r.label, pts });
  }
  const points = [...branches[0].pts.slice().reverse(), z.x, ...branches[1].pts];
  const saddleIndex = branches[0].pts.length;
  const xv = new Float64Array(d);
  const values = points.map((pt) => {
    xv.set(pt);
    return p.loss.value(xv);
  });
  const arcLength = [0];
  for (let i = 1; i < points.length; i++) arcLength.push(arcLength[i - 1] + dist(points[i], points[i - 1]));
  return {
    connects: [branches[0].label, branches[1].label],
    path: { points, values, arcLength, saddleIndex },
  };
}

/**
 * Index-1 saddles between the given minima (sorted list from findMinima): NEB-CI for each pair,
 * Newton refinement, index check (exactly one negative Hessian eigenvalue), connection by
 * gradient flow. Saddles are deduplicated; a band whose top is not an index-1 saddle connecting
 * two known minima is logged and dropped.
 */
export function findSaddles(
  p: LandscapeProblem,
  minima: CriticalPoint[],
  opts: FindSaddlesOptions = {},
): SaddleResult {
  const n = minima.length;
  const scale = boxScale(p.domain, pointsScale(minima.map((m) => m.x)));
  const dedup = 1e-6 * Math.max(1, scale);
  const saddles: SaddlePoint[] = [];
  const log: SaddleResult["log"] = [];
  const radii = captureRadii(
    minima.map((m) => m.x),
    [],
  );
  const nb = opts.neighbours ?? (p.dim <= 3 ? 8 : 3);
  const pairs: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    const order = minima
      .map((m, j) => ({ j, r: dist(m.x, minima[i].x) }))
      .filter((o) => o.j !== i)
      .sort((u, w) => u.r - w.r)
      .slice(0, nb);
    for (const { j } of order) {
      const pr: [number, number] = i < j ? [i, j] : [j, i];
      if (!pairs.some((q) => q[0] === pr[0] && q[1] === pr[1])) pairs.push(pr);
    }
  }
  const rng = new Rng(opts.seed ?? 1);
  const bent = opts.bentBands ?? "auto";
  const tryBand = (i: number, j: number, via: Float64Array | undefined, tag: string): boolean => {
    if (opts.stoppable) throwIfStopped("the saddle search (nudged elastic bands between minima)");
    // bent retries get a smaller iteration budget (they are rescues, not the main search)
    const maxIter = via ? Math.min(opts.maxIter ?? 4000, 1500) : opts.maxIter;
    const band = nudgedElasticBand(p, minima[i].x, minima[j].x, { ...opts, via, maxIter });
    const x = Float64Array.from(band.images[band.climbing]);
    const pol = newtonPolish(p.loss, x, opts.gradTol ?? 1e-10);
    const pt = describePoint(p, x, pol);
    if (!pol.converged || pt.index !== 1 || (pt.kind !== "saddle" && pt.kind !== "maximum")) {
      log.push({
        pair: [i, j],
        status: `${tag}band top polished to index ${pt.index} (${pt.kind}); no saddle`,
      });
      return false;
    }
    if (saddles.some((q) => dist(q.x, pt.x) <= dedup)) {
      log.push({ pair: [i, j], status: `${tag}saddle already known` });
      return true;
    }
    const tr = traceSaddle(p, pt, minima, radii);
    const status =
      tr.connects[0] >= 0 && tr.connects[1] >= 0 && tr.connects[0] !== tr.connects[1]
        ? `saddle connecting ${tr.connects[0]}–${tr.connects[1]}`
        : `index-1 saddle with branches ending at ${tr.connects.join(",")}`;
    log.push({
      pair: [i, j],
      status: `${tag}${band.converged ? status : `${status} (band not fully converged)`}`,
    });
    saddles.push({ ...pt, connects: tr.connects, path: tr.path });
    return true;
  };
  const d = p.dim;
  for (const [i, j] of pairs) {
    const ok = tryBand(i, j, undefined, "");
    if (bent === "never" || d < 2 || (bent === "auto" && d > 3 && ok)) continue;
    // Bent bands: midpoint displaced by 0.3·|b − a| along a seeded direction ⟂ (b − a), both signs.
    const a = minima[i].x;
    const b = minima[j].x;
    const ab = a.map((v, k) => b[k] - v);
    const len = Math.hypot(...ab);
    const u = new Float64Array(d);
    for (let k = 0; k < d; k++) u[k] = d === 2 ? (k === 0 ? -ab[1] : ab[0]) : rng.normal();
    let c = 0;
    for (let k = 0; k < d; k++) c += (u[k] * ab[k]) / (len * len);
    for (let k = 0; k < d; k++) u[k] -= c * ab[k];
    const nu = Math.hypot(...u) || 1;
    for (const sgn of [1, -1]) {
      const via = new Float64Array(d);
      for (let k = 0; k < d; k++) via[k] = 0.5 * (a[k] + b[k]) + (sgn * 0.3 * len * u[k]) / nu;
      tryBand(i, j, via, sgn > 0 ? "bent(+) " : "bent(−) ");
    }
  }
  saddles.sort((u, w) => u.value - w.value);
  const barriers: Barrier[] = [];
  const lowest: (Barrier | null)[] = minima.map(() => null);
  saddles.forEach((s, si) => {
    const [a, b] = s.connects;
    if (a < 0 || b < 0 || a === b) return;
    for (const [from, to] of [
      [a, b],
      [b, a],
    ]) {
      const known = barriers.find((q) => q.from === from && q.to === to);
      const bar = { from, to, saddle: si, height: s.value - minima[from].value };
      if (!known) barriers.push(bar);
      else if (bar.height < known.height) Object.assign(known, bar);
      if (!lowest[from] || bar.height < lowest[from]!.height) lowest[from] = bar;
    }
  });
  return { saddles, barriers, lowest, classes: symmetryClasses(saddles), log };
}
