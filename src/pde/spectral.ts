/**
 * Spectrum of the discrete generator near 0 (shift-invert Arnoldi from src/linalg/eigs.ts):
 * - `spectralGap`: the few eigenvalues of −Q nearest 0 (1/SDE time). λ₀ = 0 for a conservative chain; the gap is
 *   the smallest non-zero Re λ — the asymptotic exponential rate of convergence to the stationary law — and the
 *   relaxation times are 1/Re λ (SDE time; iterations = t/η).
 * - `quasiStationary`: on a generator with an absorbing set, the principal eigenpair of −Q_D: the exit rate λ₀
 *   (1/λ₀ ≈ mean exit time from inside a metastable basin) and the quasi-stationary law ν (left eigenvector,
 *   node probabilities) — exactly E_ν τ = 1/λ₀ for the discrete chain.
 */
import { NumericalError, UserError } from "../errors.js";
import { type Csr, csrSubmatrix, csrTranspose } from "../linalg/csr.js";
import { eigsNearShift } from "../linalg/eigs.js";
import type { Problem } from "../problem/types.js";
import type { Basins } from "./basins.js";
import { buildGenerator, type DiscreteGenerator } from "./generator.js";
import type { Grid } from "./grid.js";
import { infiniteExitNodes } from "./reach.js";

export interface SpectralResult {
  /** Eigenvalues of −Q nearest 0 (real and imaginary parts), nearest first. */
  re: number[];
  im: number[];
  /** Smallest Re λ above the zero threshold (1/SDE time), or null. */
  gap: number | null;
  /** 1/Re λ for the non-zero eigenvalues (SDE time). */
  relaxationTimes: number[];
  /** Number of eigenvalues ≈ 0 (more than one: the chain has several closed classes). */
  zeroEigenvalues: number;
  converged: boolean;
  residuals: number[];
}

function negate(A: Csr): Csr {
  return { n: A.n, rowPtr: A.rowPtr, colIdx: A.colIdx, values: A.values.map((v) => -v) };
}

/** The k eigenvalues of −Q nearest 0 (k ≥ 2). */
export function spectralGap(gen: DiscreteGenerator, opts: { k?: number; tol?: number } = {}): SpectralResult {
  const k = Math.min(opts.k ?? 4, gen.Q.n);
  const A = negate(gen.Q);
  let norm = 0;
  for (let i = 0; i < A.n; i++) {
    let s = 0;
    for (let p = A.rowPtr[i]; p < A.rowPtr[i + 1]; p++) s += Math.abs(A.values[p]);
    norm = Math.max(norm, s);
  }
  const r = eigsNearShift(A, k, { tol: opts.tol ?? 1e-10 });
  const re = Array.from(r.re);
  const im = Array.from(r.im);
  const zeroTol = 1e-9 * norm;
  let zeros = 0;
  const nz: number[] = [];
  for (let q = 0; q < re.length; q++) {
    if (Math.abs(re[q]) <= zeroTol && Math.abs(im[q]) <= zeroTol) zeros++;
    else nz.push(re[q]);
  }
  nz.sort((a, b) => a - b);
  return {
    re,
    im,
    gap: nz.length ? nz[0] : null,
    relaxationTimes: nz.map((v) => 1 / v),
    zeroEigenvalues: zeros,
    converged: r.converged,
    residuals: Array.from(r.residuals),
  };
}

export interface QuasiStationaryResult {
  /** Exit rate λ₀ (1/SDE time). */
  exitRate: number;
  /** 1/λ₀ (SDE time): mean exit time started from the quasi-stationary law. */
  meanExitTime: number;
  /** Quasi-stationary law: node probabilities (0 on absorbing/excluded nodes). */
  qsd: Float64Array;
  converged: boolean;
}

/** Principal eigenpair of −Q_D for a generator built with an absorbing set. */
export function quasiStationary(gen: DiscreteGenerator): QuasiStationaryResult {
  const { Q, absorbing } = gen;
  if (!absorbing) throw new UserError("the quasi-stationary law needs an absorbing region");
  const inf = infiniteExitNodes(Q, absorbing);
  const keep = new Uint8Array(Q.n);
  for (let i = 0; i < Q.n; i++) keep[i] = absorbing[i] || inf[i] ? 0 : 1;
  const sub = csrSubmatrix(Q, keep);
  if (sub.matrix.n === 0) throw new UserError("no live node outside the absorbing set");
  const AT = negate(csrTranspose(sub.matrix));
  const r = eigsNearShift(AT, 1, { shift: 0 });
  const lam = r.re[0];
  if (!(lam > 0) || Math.abs(r.im[0]) > 1e-8 * lam)
    throw new NumericalError("quasi-stationary: no real positive principal eigenvalue");
  const v = r.vectorsRe[0];
  let s = 0;
  for (let q = 0; q < v.length; q++) s += v[q];
  const qsd = new Float64Array(Q.n);
  for (let q = 0; q < v.length; q++) qsd[sub.keep[q]] = Math.max(0, v[q] / s);
  return { exitRate: lam, meanExitTime: 1 / lam, qsd, converged: r.converged };
}

/**
 * Quasi-stationary law and exit rate of basin k (from `gridBasins`): the chain killed on leaving the basin.
 * Builds its own generator with the complement of the basin absorbing (node mask, staircase boundary).
 */
export function basinQuasiStationary(
  problem: Problem,
  grid: Grid,
  basins: Basins,
  k: number,
  opts: { order2?: boolean } = {},
): QuasiStationaryResult & { minimum: number[] } {
  if (!(k >= 0 && k < basins.minima.length)) throw new UserError(`no basin ${k}`);
  const mask = new Uint8Array(grid.size);
  for (let i = 0; i < grid.size; i++) mask[i] = basins.label[i] === k ? 0 : 1;
  const gen = buildGenerator(problem, grid, { absorbing: mask, order2: opts.order2 });
  return { ...quasiStationary(gen), minimum: basins.minima[k].x };
}
