/**
 * Moments, histograms and region masses of particle snapshots.
 *
 * A snapshot is structure-of-arrays: `xs[k][i]` is coordinate k of particle i (d arrays of length M).
 * A particle with any non-finite coordinate (NaN from divergence, ±Infinity) is *diverged*: it is
 * counted and excluded; every statistic below is over the `valid` particles only.
 * - mean with per-coordinate Student-t 95% intervals; covariance (unbiased, divisor valid − 1,
 *   two-pass), row-major d×d;
 * - 1-D marginal histograms on given bins (counts, density = count / (valid · width), so the density
 *   integrates to the fraction of valid particles inside the bin range), under/overflow counts;
 * - a 2-D joint histogram of two coordinates (default the first two; for d = 2 the whole law);
 * - the mass in user regions `(x: Float64Array) => boolean` with Wilson 95% intervals.
 * Time, when given, is SDE time t = k·η (DESIGN.md §1) and is echoed with its iteration count t/η.
 */

import { UserError } from "../errors.js";
import { type Interval, studentTQuantile, wilsonInterval } from "./intervals.js";

/** Bins: `bins` equal bins on [lo, hi], or explicit increasing edges. Bins are [e_j, e_{j+1}), the last closed. */
export type BinSpec = { lo: number; hi: number; bins: number } | { edges: ArrayLike<number> };

export interface Histogram1D {
  /** Coordinate index. */
  dim: number;
  edges: Float64Array;
  counts: Float64Array;
  /** counts / (valid · bin width). */
  density: Float64Array;
  /** Valid particles below the first / above the last edge. */
  underflow: number;
  overflow: number;
}

export interface Histogram2D {
  /** Coordinate indices [i, j]. */
  dims: [number, number];
  xEdges: Float64Array;
  yEdges: Float64Array;
  /** Row-major nx × ny: counts[a·ny + b] for bin a of coordinate i and bin b of coordinate j. */
  counts: Float64Array;
  /** counts / (valid · cell area). */
  density: Float64Array;
  /** Valid particles outside the grid. */
  outside: number;
}

export interface NamedRegion {
  name: string;
  /** Receives a point of length d (reused buffer: do not keep it). */
  test: (x: Float64Array) => boolean;
}

export interface RegionMass {
  name: string;
  count: number;
  /** count / valid. */
  fraction: number;
  /** Wilson 95% interval for the probability of the region. */
  ci95: Interval;
}

export interface SnapshotOptions {
  /** Bins for the 1-D marginals: one spec per coordinate (null/undefined entries skip a coordinate). */
  bins?: (BinSpec | null | undefined)[];
  /** Joint histogram: bins for coordinates dims[0] and dims[1] (default [0, 1]). */
  joint?: { x: BinSpec; y: BinSpec; dims?: [number, number] };
  regions?: NamedRegion[];
  /** SDE time of the snapshot and η, echoed as time and iterations. */
  time?: number;
  lr?: number;
}

export interface SnapshotStats {
  time?: number;
  iterations?: number;
  dim: number;
  /** All particles M. */
  particles: number;
  /** Particles with all coordinates finite. */
  valid: number;
  /** Particles with a non-finite coordinate (excluded). */
  diverged: number;
  mean: Float64Array;
  /** Per-coordinate 95% t-interval of the mean (NaN when valid < 2). */
  meanLo: Float64Array;
  meanHi: Float64Array;
  /** Unbiased covariance, row-major d×d (NaN when valid < 2). */
  cov: Float64Array;
  histograms: Histogram1D[];
  joint?: Histogram2D;
  regions: RegionMass[];
}

/** Edges of a bin spec, validated. */
export function binEdges(spec: BinSpec): Float64Array {
  let edges: Float64Array;
  if ("edges" in spec) {
    edges = Float64Array.from(spec.edges);
  } else {
    const { lo, hi, bins } = spec;
    if (!(Number.isInteger(bins) && bins >= 1))
      throw new UserError(`bins must be a positive integer, got ${bins}`);
    if (!(Number.isFinite(lo) && Number.isFinite(hi) && hi > lo)) {
      throw new UserError(`bin range must satisfy lo < hi (finite), got [${lo}, ${hi}]`);
    }
    edges = new Float64Array(bins + 1);
    for (let j = 0; j <= bins; j++) edges[j] = lo + ((hi - lo) * j) / bins;
    edges[bins] = hi;
  }
  if (edges.length < 2) throw new UserError("bin edges need at least two values");
  for (let j = 1; j < edges.length; j++) {
    if (!(edges[j] > edges[j - 1]) || !Number.isFinite(edges[j])) {
      throw new UserError("bin edges must be finite and strictly increasing");
    }
  }
  return edges;
}

/** Bin index of v in edges: −1 below, nb (= edges.length − 1) above; the last bin is closed. */
function binIndex(edges: Float64Array, v: number, uniform: boolean): number {
  const nb = edges.length - 1;
  if (v < edges[0]) return -1;
  if (v > edges[nb]) return nb;
  if (v === edges[nb]) return nb - 1;
  if (uniform) {
    let j = Math.floor(((v - edges[0]) / (edges[nb] - edges[0])) * nb);
    // guard against rounding at interior edges
    if (j > nb - 1) j = nb - 1;
    if (v < edges[j]) j--;
    else if (j + 1 <= nb - 1 && v >= edges[j + 1]) j++;
    return j;
  }
  let a = 0;
  let b = nb; // edges[a] ≤ v < edges[b]
  while (b - a > 1) {
    const m = (a + b) >> 1;
    if (v >= edges[m]) a = m;
    else b = m;
  }
  return a;
}

function isUniform(spec: BinSpec): boolean {
  return !("edges" in spec);
}

/**
 * Statistics of one snapshot of M particles in d dimensions (`xs[k]` = coordinate k, length M).
 * Throws UserError for ragged input or bad bins.
 */
export function snapshotStats(xs: Float64Array[], opts: SnapshotOptions = {}): SnapshotStats {
  const d = xs.length;
  if (d === 0) throw new UserError("a snapshot needs at least one coordinate array");
  const m = xs[0].length;
  for (let k = 1; k < d; k++) {
    if (xs[k].length !== m)
      throw new UserError(`coordinate arrays have different lengths (${m} vs ${xs[k].length})`);
  }
  // validity mask
  const ok = new Uint8Array(m);
  let valid = 0;
  for (let i = 0; i < m; i++) {
    let good = 1;
    for (let k = 0; k < d; k++) {
      if (!Number.isFinite(xs[k][i])) {
        good = 0;
        break;
      }
    }
    ok[i] = good;
    valid += good;
  }
  // mean (pass 1), covariance (pass 2, centred)
  const mean = new Float64Array(d);
  for (let k = 0; k < d; k++) {
    const x = xs[k];
    let s = 0;
    for (let i = 0; i < m; i++) if (ok[i]) s += x[i];
    mean[k] = valid > 0 ? s / valid : Number.NaN;
  }
  const cov = new Float64Array(d * d);
  for (let a = 0; a < d; a++) {
    const xa = xs[a];
    const ma = mean[a];
    for (let b = a; b < d; b++) {
      const xb = xs[b];
      const mb = mean[b];
      let s = 0;
      for (let i = 0; i < m; i++) if (ok[i]) s += (xa[i] - ma) * (xb[i] - mb);
      const c = valid > 1 ? s / (valid - 1) : Number.NaN;
      cov[a * d + b] = c;
      cov[b * d + a] = c;
    }
  }
  const meanLo = new Float64Array(d);
  const meanHi = new Float64Array(d);
  const tq = valid > 1 ? studentTQuantile(0.975, valid - 1) : Number.NaN;
  for (let k = 0; k < d; k++) {
    const h = tq * Math.sqrt(cov[k * d + k] / valid);
    meanLo[k] = mean[k] - h;
    meanHi[k] = mean[k] + h;
  }

  // 1-D histograms
  const histograms: Histogram1D[] = [];
  const bins = opts.bins ?? [];
  if (bins.length > d) throw new UserError(`bins given for ${bins.length} coordinates, but d = ${d}`);
  for (let k = 0; k < bins.length; k++) {
    const spec = bins[k];
    if (!spec) continue;
    const edges = binEdges(spec);
    const uniform = isUniform(spec);
    const nb = edges.length - 1;
    const counts = new Float64Array(nb);
    let under = 0;
    let over = 0;
    const x = xs[k];
    for (let i = 0; i < m; i++) {
      if (!ok[i]) continue;
      const j = binIndex(edges, x[i], uniform);
      if (j < 0) under++;
      else if (j >= nb) over++;
      else counts[j]++;
    }
    const density = new Float64Array(nb);
    for (let j = 0; j < nb; j++) density[j] = valid > 0 ? counts[j] / (valid * (edges[j + 1] - edges[j])) : 0;
    histograms.push({ dim: k, edges, counts, density, underflow: under, overflow: over });
  }

  // 2-D joint histogram
  let joint: Histogram2D | undefined;
  if (opts.joint) {
    const dims = opts.joint.dims ?? [0, 1];
    for (const k of dims) {
      if (!(Number.isInteger(k) && k >= 0 && k < d))
        throw new UserError(`joint histogram coordinate ${k} not in [0, ${d})`);
    }
    const xEdges = binEdges(opts.joint.x);
    const yEdges = binEdges(opts.joint.y);
    const ux = isUniform(opts.joint.x);
    const uy = isUniform(opts.joint.y);
    const nx = xEdges.length - 1;
    const ny = yEdges.length - 1;
    const counts = new Float64Array(nx * ny);
    let outside = 0;
    const X = xs[dims[0]];
    const Y = xs[dims[1]];
    for (let i = 0; i < m; i++) {
      if (!ok[i]) continue;
      const a = binIndex(xEdges, X[i], ux);
      const b = binIndex(yEdges, Y[i], uy);
      if (a < 0 || a >= nx || b < 0 || b >= ny) outside++;
      else counts[a * ny + b]++;
    }
    const density = new Float64Array(nx * ny);
    for (let a = 0; a < nx; a++) {
      for (let b = 0; b < ny; b++) {
        const area = (xEdges[a + 1] - xEdges[a]) * (yEdges[b + 1] - yEdges[b]);
        density[a * ny + b] = valid > 0 ? counts[a * ny + b] / (valid * area) : 0;
      }
    }
    joint = { dims: [dims[0], dims[1]], xEdges, yEdges, counts, density, outside };
  }

  // region masses
  const regions: RegionMass[] = [];
  if (opts.regions && opts.regions.length > 0) {
    const point = new Float64Array(d);
    const counts = new Float64Array(opts.regions.length);
    for (let i = 0; i < m; i++) {
      if (!ok[i]) continue;
      for (let k = 0; k < d; k++) point[k] = xs[k][i];
      for (let r = 0; r < opts.regions.length; r++) if (opts.regions[r].test(point)) counts[r]++;
    }
    opts.regions.forEach((reg, r) => {
      regions.push({
        name: reg.name,
        count: counts[r],
        fraction: valid > 0 ? counts[r] / valid : Number.NaN,
        ci95: wilsonInterval(counts[r], valid),
      });
    });
  }

  const out: SnapshotStats = {
    dim: d,
    particles: m,
    valid,
    diverged: m - valid,
    mean,
    meanLo,
    meanHi,
    cov,
    histograms,
    regions,
  };
  if (joint) out.joint = joint;
  if (opts.time !== undefined) {
    out.time = opts.time;
    if (opts.lr !== undefined) out.iterations = opts.time / opts.lr;
  }
  return out;
}

/**
 * `snapshotStats` for a sequence of snapshots (e.g. at times t_0 < t_1 < ..., SDE time), with the same
 * bins and regions; `lr` converts each time to iterations.
 */
export function snapshotStatsOverTime(
  snapshots: { time: number; xs: Float64Array[] }[],
  opts: Omit<SnapshotOptions, "time"> = {},
): SnapshotStats[] {
  return snapshots.map((s) => snapshotStats(s.xs, { ...opts, time: s.time }));
}

/**
 * Views (no copy) of the coordinate arrays of snapshot `s` in a flat coordinate-major buffer laid out
 * as value(s, coordinate i, particle j) = flat[(s·d + i)·m + j] — the layout of simulation snapshots.
 */
export function coordinateViews(flat: Float64Array, d: number, m: number, s = 0): Float64Array[] {
  if ((s + 1) * d * m > flat.length) {
    throw new UserError(`snapshot ${s} of ${d}×${m} values is outside a buffer of length ${flat.length}`);
  }
  const out: Float64Array[] = [];
  for (let i = 0; i < d; i++) out.push(flat.subarray((s * d + i) * m, (s * d + i + 1) * m));
  return out;
}

/**
 * Spread of points around a centre: the root mean square distance √(mean r²) (parameter units) with a 95%
 * interval from the t-interval of the mean of r², and the excess kurtosis along the coordinate of largest
 * variance with its large-sample standard error √(24/n) (heavy tails: excess > 1 + 3·se). `points` is row-major
 * n × d. Null for fewer than 10 points.
 */
export function spreadAround(
  points: ArrayLike<number>,
  d: number,
  centre: ArrayLike<number>,
): {
  rms: number;
  ci95: Interval;
  count: number;
  kurtosis: { value: number; se: number; heavyTails: boolean } | null;
} | null {
  const n = Math.floor(points.length / d);
  if (n < 10) return null;
  const r2 = new Float64Array(n);
  const varAxis = new Float64Array(d);
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = 0; i < d; i++) {
      const v = points[j * d + i] - centre[i];
      s += v * v;
      varAxis[i] += v * v;
    }
    r2[j] = s;
  }
  let mean = 0;
  for (const v of r2) mean += v;
  mean /= n;
  let ss = 0;
  for (const v of r2) ss += (v - mean) ** 2;
  const se = Math.sqrt(ss / (n - 1)) / Math.sqrt(n);
  const q = studentTQuantile(0.975, n - 1);
  let axis = 0;
  for (let i = 1; i < d; i++) if (varAxis[i] > varAxis[axis]) axis = i;
  let mu = 0;
  for (let j = 0; j < n; j++) mu += points[j * d + axis] - centre[axis];
  mu /= n;
  let m2 = 0;
  let m4 = 0;
  for (let j = 0; j < n; j++) {
    const z = points[j * d + axis] - centre[axis] - mu;
    m2 += z * z;
    m4 += z ** 4;
  }
  m2 /= n;
  m4 /= n;
  const seK = Math.sqrt(24 / n);
  const kurt = m2 > 0 ? m4 / (m2 * m2) - 3 : Number.NaN;
  return {
    rms: Math.sqrt(mean),
    ci95: [Math.sqrt(Math.max(0, mean - q * se)), Math.sqrt(mean + q * se)],
    count: n,
    kurtosis: Number.isFinite(kurt) ? { value: kurt, se: seK, heavyTails: kurt > 1 + 3 * seK } : null,
  };
}

/** Coordinates of row-major points (n × d) along a unit direction from an origin. */
export function projectOnto(
  points: ArrayLike<number>,
  d: number,
  origin: ArrayLike<number>,
  direction: ArrayLike<number>,
): Float64Array {
  const n = Math.floor(points.length / d);
  const out = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let v = 0;
    for (let i = 0; i < d; i++) v += (points[j * d + i] - origin[i]) * direction[i];
    out[j] = v;
  }
  return out;
}
