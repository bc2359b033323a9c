/**
 * Fokker–Planck evolution of the law of the SDE on the grid: dp/dt = Qᵀp, p = node probabilities
 * (density = p / volume). Time in SDE units (iterations = t/η).
 *
 * Integrators:
 * - "uniformization" (default): p(t) = Σ_k Poisson(k; Λt)·(Pᵀ)^k p(0), P = I + Q/Λ, Λ = max|Q_ii|. Every term is
 *   a non-negative, mass-preserving vector, so positivity and mass hold by construction; the only time error is
 *   the Poisson tail, truncated below `tol` (default 1e-14) — i.e. exact in time ("infinite order"). Cost ≈ Λt
 *   sparse mat-vecs.
 * - "implicit-euler": (I − τQᵀ)p_{n+1} = p_n, order 1 in τ; (I − τQᵀ)⁻¹ ≥ 0 and column sums are preserved, so
 *   also positive and mass-conserving. Use for stiff, long horizons (Λt ≫ 1e6).
 */

import { NumericalError, UserError } from "../errors.js";
import type { Csr } from "../linalg/csr.js";
import { csrTranspose } from "../linalg/csr.js";
import { luFactor, luSolve } from "../linalg/dense.js";
import { type SparseSolver, sparseSolver } from "../linalg/solve.js";
import { solveTridiagonal } from "../linalg/tridiagonal.js";
import { Interrupted, stopRequested } from "../stop.js";
import type { DiscreteGenerator } from "./generator.js";
import { type Grid, nodeCoords, type RegionFn } from "./grid.js";

/** Initial laws. Point masses are spread to the 2^d surrounding nodes (multilinear, cloud-in-cell). */
export type InitialLaw =
  | { kind: "point"; x: readonly number[] }
  | { kind: "gaussian"; mean: readonly number[]; cov: readonly number[] }
  | { kind: "uniform" }
  | { kind: "samples"; points: Float64Array | readonly number[] }
  | { kind: "probabilities"; p: Float64Array };

/** Node probabilities (sum 1) for an initial law on the grid. `cov` is row-major d×d. */
export function initialDistribution(grid: Grid, init: InitialLaw): Float64Array {
  const d = grid.dim;
  const p = new Float64Array(grid.size);
  if (init.kind === "uniform") {
    for (let i = 0; i < grid.size; i++) p[i] = grid.volume[i];
  } else if (init.kind === "point") {
    deposit(grid, init.x, 1, p);
  } else if (init.kind === "samples") {
    const n = init.points.length / d;
    if (!Number.isInteger(n) || n < 1) throw new UserError("initial samples must be n×d numbers");
    const x = new Float64Array(d);
    for (let s = 0; s < n; s++) {
      for (let k = 0; k < d; k++) x[k] = init.points[s * d + k];
      deposit(grid, x, 1 / n, p);
    }
  } else if (init.kind === "gaussian") {
    const C = init.cov;
    if (C.length !== d * d) throw new UserError(`gaussian initial law needs a ${d}×${d} covariance`);
    const inv = invertSmall(C, d);
    const x = new Float64Array(d);
    for (let i = 0; i < grid.size; i++) {
      nodeCoords(grid, i, x);
      let q = 0;
      for (let k = 0; k < d; k++) {
        for (let l = 0; l < d; l++) q += (x[k] - init.mean[k]) * inv[k * d + l] * (x[l] - init.mean[l]);
      }
      p[i] = grid.volume[i] * Math.exp(-0.5 * q);
    }
  } else {
    if (init.p.length !== grid.size) throw new UserError("initial probabilities have the wrong length");
    p.set(init.p);
  }
  let s = 0;
  for (let i = 0; i < grid.size; i++) {
    if (!(p[i] >= 0)) throw new UserError("initial law has negative or NaN mass");
    s += p[i];
  }
  if (!(s > 0)) throw new UserError("initial law puts no mass on the grid (is it inside the domain?)");
  for (let i = 0; i < grid.size; i++) p[i] /= s;
  return p;
}

function deposit(grid: Grid, x: ArrayLike<number>, mass: number, p: Float64Array): void {
  const d = grid.dim;
  const base: number[] = [];
  const frac: number[] = [];
  for (let k = 0; k < d; k++) {
    if (!(x[k] >= grid.lo[k] && x[k] <= grid.hi[k])) {
      throw new UserError(`point ${Array.from(x as ArrayLike<number>).join(",")} is outside the domain`, {
        where: "from",
      });
    }
    const t = (x[k] - grid.lo[k]) / grid.h[k];
    let ik = Math.floor(t);
    if (ik >= grid.shape[k] - 1) ik = grid.shape[k] - 2;
    base.push(ik);
    frac.push(t - ik);
  }
  for (let c = 0; c < 1 << d; c++) {
    let w = mass;
    let idx = 0;
    for (let k = 0; k < d; k++) {
      const bit = (c >> k) & 1;
      w *= bit ? frac[k] : 1 - frac[k];
      idx += (base[k] + bit) * grid.strides[k];
    }
    p[idx] += w;
  }
}

/** Inverse of the initial Gaussian covariance (columns solved from one LU factorisation). */
function invertSmall(C: readonly number[], d: number): Float64Array {
  const f = luFactor(Float64Array.from(C), d);
  if (f.singular) throw new UserError("gaussian initial covariance is singular");
  const inv = new Float64Array(d * d);
  const e = new Float64Array(d);
  const col = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    e.fill(0);
    e[j] = 1;
    luSolve(f, e, col);
    for (let i = 0; i < d; i++) inv[i * d + j] = col[i];
  }
  for (let k = 0; k < d * d; k++) {
    if (!Number.isFinite(inv[k])) throw new UserError("gaussian initial covariance is singular");
  }
  return inv;
}

export interface NamedRegion {
  name: string;
  fn: RegionFn;
}

export interface Snapshot {
  /** SDE time. */
  t: number;
  /** Node probabilities (density = p/volume). */
  p: Float64Array;
  mass: number;
  mean: number[];
  /** Row-major d×d. */
  cov: number[];
  /** Most negative entry (≥ −round-off). */
  minValue: number;
  /** Mass in each requested region. */
  regionMass: Record<string, number>;
  /** Mass in each basin of attraction (same order as basins.minima), when basins are given. */
  basinMass?: number[];
  /** H(p|π) = Σ p log(p/π) (nats), when a stationary law is given. */
  relEntropy?: number;
  /** Σ|p − π|, when a stationary law is given. */
  l1?: number;
}

export interface FokkerPlanckOptions {
  method?: "uniformization" | "implicit-euler";
  /** Poisson tail tolerance (uniformization). Default 1e-14. */
  tol?: number;
  /** Implicit Euler step (SDE time). Default: horizon/1000. */
  dt?: number;
  regions?: NamedRegion[];
  /** Stationary node probabilities for relative entropy and L¹. */
  stationary?: Float64Array | null;
  /** Basin labels (gridBasins): adds the mass per basin to every snapshot. */
  basins?: { label: Int32Array; minima: readonly unknown[] } | null;
  /** Progress callback: SDE time reached so far and the final time. */
  onProgress?: (t: number, tEnd: number) => void;
}

export interface FokkerPlanckResult {
  snapshots: Snapshot[];
  method: string;
  /** Uniformization rate Λ (1/SDE time) or the implicit Euler step. */
  rate?: number;
  dt?: number;
  matvecs: number;
  /**
   * Set when a stop request (Ctrl-C) ended the evolution at SDE time `interrupted.t`: `snapshots` holds the
   * requested times reached before it.
   */
  interrupted?: { t: number };
}

/** Evolves p0 under Qᵀ and reports snapshots at the requested (non-negative, increasing) times. */
export function fokkerPlanck(
  gen: DiscreteGenerator,
  p0: Float64Array,
  times: readonly number[],
  opts: FokkerPlanckOptions = {},
): FokkerPlanckResult {
  const { Q, grid } = gen;
  const n = Q.n;
  for (let k = 0; k < times.length; k++) {
    if (!(times[k] >= 0) || (k > 0 && times[k] < times[k - 1])) {
      throw new UserError("times must be non-negative and increasing", { where: "times" });
    }
  }
  const method = opts.method ?? "uniformization";
  const snapshots: Snapshot[] = [];
  let p: Float64Array = Float64Array.from(p0);
  let tNow = 0;
  let matvecs = 0;
  const tEnd = times.length ? times[times.length - 1] : 0;
  const stats = (t: number) => {
    snapshots.push(snapshot(grid, p, t, opts));
    opts.onProgress?.(t, tEnd);
  };
  if (method === "uniformization") {
    let lam = 0;
    for (let i = 0; i < n; i++) {
      for (let q = Q.rowPtr[i]; q < Q.rowPtr[i + 1]; q++)
        if (Q.colIdx[q] === i) lam = Math.max(lam, -Q.values[q]);
    }
    lam *= 1 + 1e-12;
    const tol = opts.tol ?? 1e-14;
    let v = new Float64Array(n);
    let w = new Float64Array(n);
    const acc = new Float64Array(n);
    // Pᵀ = I + Qᵀ/Λ: all entries ≥ 0 (Λ ≥ max|Q_ii|), so every iterate stays non-negative
    const PT = csrTranspose(Q);
    for (let i = 0; i < n; i++) {
      for (let q = PT.rowPtr[i]; q < PT.rowPtr[i + 1]; q++) {
        const val = PT.values[q] / lam + (PT.colIdx[q] === i ? 1 : 0);
        PT.values[q] = Math.max(val, 0);
      }
    }
    const method = "uniformization (exact in time up to tail " + tol + ")";
    for (const t of times) {
      const dtau = t - tNow;
      if (dtau > 0 && lam > 0) {
        const L = lam * dtau;
        v.set(p);
        acc.fill(0);
        let logw = -L;
        let wsum = 0;
        for (let k = 0; ; k++) {
          if (k > 0) {
            // w ← Pᵀ v with Pᵀ = I + Qᵀ/Λ stored row-wise (non-negative entries), then swap
            for (let i = 0; i < n; i++) {
              let y = 0;
              const end = PT.rowPtr[i + 1];
              for (let q = PT.rowPtr[i]; q < end; q++) y += PT.values[q] * v[PT.colIdx[q]];
              w[i] = y;
            }
            const tmp = v;
            v = w;
            w = tmp;
            matvecs++;
            logw += Math.log(L / k);
            if ((k & 63) === 0 && stopRequested())
              return { snapshots, method, rate: lam, matvecs, interrupted: { t: tNow } };
            if (opts.onProgress && (k & 1023) === 0)
              opts.onProgress(tNow + (dtau * Math.min(k, L)) / L, tEnd);
          }
          const wk = Math.exp(logw);
          if (wk > 0) {
            for (let i = 0; i < n; i++) acc[i] += wk * v[i];
            wsum += wk;
          }
          if (k > L && 1 - wsum < tol) break;
          if (k > L + 12 * Math.sqrt(L) + 50) break;
        }
        // renormalise by the weight actually summed (the truncated tail ≤ tol)
        let m0 = 0;
        let m1 = 0;
        for (let i = 0; i < n; i++) {
          m0 += p[i];
          m1 += acc[i];
        }
        const f = m0 / m1;
        for (let i = 0; i < n; i++) p[i] = acc[i] * f;
      }
      tNow = t;
      stats(t);
    }
    return { snapshots, method, rate: lam, matvecs };
  }
  // implicit Euler
  const horizon = times.length ? times[times.length - 1] : 0;
  const dt = opts.dt ?? (horizon > 0 ? horizon / 1000 : 1);
  const QT = csrTranspose(Q);
  const stepper = implicitStepper(QT, grid.dim, dt);
  const partial = (): FokkerPlanckResult => ({
    snapshots,
    method: "implicit-euler (order 1)",
    dt,
    matvecs,
    interrupted: { t: tNow },
  });
  for (const t of times) {
    while (tNow < t - 1e-14 * Math.max(1, t)) {
      if (stopRequested()) return partial();
      const tau = Math.min(dt, t - tNow);
      try {
        p = stepper(p, tau);
      } catch (e) {
        if (e instanceof Interrupted) return partial();
        throw e;
      }
      matvecs++;
      tNow += tau;
    }
    tNow = t;
    stats(t);
  }
  return { snapshots, method: "implicit-euler (order 1)", dt, matvecs };
}

function implicitStepper(QT: Csr, dim: number, dt: number): (p: Float64Array, tau: number) => Float64Array {
  const n = QT.n;
  // The steps alternate between dt and a shorter step ending on each snapshot time: the solver of dt is kept
  // across them instead of being rebuilt after every snapshot (one other is kept too). It serves most steps, so
  // it is the direct nd-lu (factorised once; refused above 512 MB after its symbolic analysis) before AMG; the
  // short end-steps, one or two solves each, keep the default (AMG: a cheap set-up). On the three-minima example
  // this took 2× less CPU for the whole run than AMG for every step, at 61² and at 161².
  let main: SparseSolver | null = null;
  let other: { tau: number; solver: SparseSolver } | null = null;
  return (p, tau) => {
    if (dim === 1) {
      const lower = new Float64Array(n);
      const diag = new Float64Array(n);
      const upper = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        diag[i] = 1;
        for (let q = QT.rowPtr[i]; q < QT.rowPtr[i + 1]; q++) {
          const j = QT.colIdx[q];
          const v = -tau * QT.values[q];
          if (j === i) diag[i] += v;
          else if (j === i - 1) lower[i] = v;
          else if (j === i + 1) upper[i] = v;
        }
      }
      const out = solveTridiagonal(lower, diag, upper, p);
      for (let i = 0; i < n; i++) if (out[i] < 0) out[i] = 0;
      return out;
    }
    let solver = tau === dt ? main : other?.tau === tau ? other.solver : null;
    if (!solver) {
      const A: Csr = { n, rowPtr: QT.rowPtr, colIdx: QT.colIdx, values: new Float64Array(QT.values.length) };
      for (let i = 0; i < n; i++) {
        for (let q = QT.rowPtr[i]; q < QT.rowPtr[i + 1]; q++) {
          A.values[q] = (QT.colIdx[q] === i ? 1 : 0) - tau * QT.values[q];
        }
      }
      if (tau === dt) {
        solver = sparseSolver(A, {
          tol: 1e-13,
          plan: ["nd-lu", "amg-bicgstab", "amg-gmres", "ilu0-gmres"],
          directMaxBytes: 512 * 2 ** 20,
        });
        main = solver;
      } else {
        solver = sparseSolver(A, { tol: 1e-13 });
        other = { tau, solver };
      }
    }
    const r = solver.solve(p, p);
    if (!r.converged) throw new NumericalError(`implicit Euler step: solve failed (${r.method})`);
    const x = r.x;
    // the exact step preserves mass; remove the solver's O(tol) drift and round-off negatives
    let m0 = 0;
    let m1 = 0;
    for (let i = 0; i < n; i++) {
      if (x[i] < 0) x[i] = 0;
      m0 += p[i];
      m1 += x[i];
    }
    for (let i = 0; i < n; i++) x[i] *= m0 / m1;
    return x;
  };
}

function snapshot(grid: Grid, p: Float64Array, t: number, opts: FokkerPlanckOptions): Snapshot {
  const d = grid.dim;
  const n = grid.size;
  const x = new Float64Array(d);
  let mass = 0;
  let minValue = 0;
  const mean = new Array(d).fill(0);
  const second = new Array(d * d).fill(0);
  const regions = opts.regions ?? [];
  const rm = new Array(regions.length).fill(0);
  for (let i = 0; i < n; i++) {
    const pi = p[i];
    mass += pi;
    if (pi < minValue) minValue = pi;
    if (pi === 0 && regions.length === 0) continue;
    nodeCoords(grid, i, x);
    for (let k = 0; k < d; k++) {
      mean[k] += pi * x[k];
      for (let l = 0; l < d; l++) second[k * d + l] += pi * x[k] * x[l];
    }
    for (let r = 0; r < regions.length; r++) if (regions[r].fn(x)) rm[r] += pi;
  }
  for (let k = 0; k < d; k++) mean[k] /= mass;
  const cov = second.map((s, kl) => s / mass - mean[Math.floor(kl / d)] * mean[kl % d]);
  const regionMass: Record<string, number> = Object.create(null); // region names are user text
  regions.forEach((r, k) => {
    regionMass[r.name] = rm[k];
  });
  const snap: Snapshot = { t, p: Float64Array.from(p), mass, mean, cov, minValue, regionMass };
  if (opts.basins) {
    const bm = new Array(opts.basins.minima.length).fill(0);
    const lab = opts.basins.label;
    for (let i = 0; i < n; i++) bm[lab[i]] += p[i];
    snap.basinMass = bm;
  }
  const pi = opts.stationary;
  if (pi) {
    snap.relEntropy = relativeEntropy(p, pi);
    let l1 = 0;
    for (let i = 0; i < n; i++) l1 += Math.abs(p[i] - pi[i]);
    snap.l1 = l1;
  }
  return snap;
}

/** H(p|π) = Σ p_i log(p_i/π_i) in nats (+∞ if p charges a node where π = 0). */
export function relativeEntropy(p: Float64Array, pi: Float64Array): number {
  let h = 0;
  for (let i = 0; i < p.length; i++) {
    if (p[i] <= 0) continue;
    if (!(pi[i] > 0)) return Number.POSITIVE_INFINITY;
    h += p[i] * Math.log(p[i] / pi[i]);
  }
  return Math.max(h, 0);
}
