/**
 * Spectrum of the discrete generator near 0 (shift-invert Arnoldi from src/linalg/eigs.ts):
 * - `spectralGap`: the few eigenvalues of −Q nearest 0 (1/SDE time) for the whole generator. −Q has one zero
 *   eigenvalue per closed class (classes.ts), so with several classes "the" gap of the whole Q mixes classes.
 * - `classSpectrum`: the eigenvalues of −Q restricted to one closed class (conservative restriction): exactly
 *   eigenvalues of −Q (Q is block-triangular over closed classes and transient nodes; for a class closed only
 *   up to weak jumps, up to those jumps); the smallest non-zero
 *   Re λ is the spectral gap within the class — the asymptotic rate at which a law on the class approaches the
 *   class's stationary law; 1/gap is the relaxation time (SDE time; iterations = t/η).
 * - `transientDecayRate`: the principal eigenvalue of −Q_TT on the transient nodes: the rate at which mass
 *   leaves them for the closed classes.
 * - `quasiStationary`: on a generator with an absorbing set, the principal eigenpair of −Q_D: the exit rate λ₀
 *   (1/λ₀ ≈ mean exit time from inside a metastable basin) and the quasi-stationary law ν (left eigenvector,
 *   node probabilities) — exactly E_ν τ = 1/λ₀ for the discrete chain.
 */
import { NumericalError, UserError } from "../errors.js";
import { type Csr, csrSubmatrix, csrTranspose } from "../linalg/csr.js";
import { eigsNearShift } from "../linalg/eigs.js";
import type { Problem } from "../problem/types.js";
import type { Basins } from "./basins.js";
import { generatorNorm, restrictToClass } from "./classes.js";
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

/** The k eigenvalues of −Q nearest 0 (k ≥ 2) for the whole generator (all classes: one zero per closed class). */
export function spectralGap(gen: DiscreteGenerator, opts: { k?: number; tol?: number } = {}): SpectralResult {
  return generatorSpectrum(gen.Q, opts);
}

/**
 * Eigenvalues of −Q nearest 0 for a conservative generator Q. Eigenvalues with |λ| ≤ 1e-9·‖Q‖∞ count as zero
 * (the resolution of the shift-invert solve); the gap is the smallest non-zero Re λ.
 */
export function generatorSpectrum(Q: Csr, opts: { k?: number; tol?: number } = {}): SpectralResult {
  const k = Math.min(opts.k ?? 4, Q.n);
  const A = negate(Q);
  const norm = generatorNorm(A);
  const r = eigsNearShift(A, k, { tol: opts.tol ?? 1e-10 });
  const re = Array.from(r.re);
  const im = Array.from(r.im);
  const zeroTol = ZERO_EIGENVALUE * norm;
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

/** Eigenvalues below ZERO_EIGENVALUE·‖Q‖∞ are not distinguished from 0. */
export const ZERO_EIGENVALUE = 1e-9;

export interface ClassSpectrum {
  /** Eigenvalues of −Q_C nearest 0 (Q_C: Q restricted to the class, diagonal made conservative). */
  re: number[];
  im: number[];
  /**
   * Spectral gap within the class (1/SDE time): the smallest non-zero Re λ, i.e. the exponential rate at which a
   * law on the class approaches the class's stationary law. null when a second eigenvalue is below the
   * resolution (the class is itself metastable: `resolution` bounds the gap from above) or none was found.
   */
  gap: number | null;
  /** 1/gap (SDE time), or null. */
  relaxationTime: number | null;
  /** Eigenvalues counted as zero (one expected). */
  zeroEigenvalues: number;
  /** ZERO_EIGENVALUE·‖Q_C‖∞: eigenvalues below it are not resolved (1/SDE time). */
  resolution: number;
  converged: boolean;
  note: string;
}

/**
 * Spectral gap within one closed class (nodes from `stationary(...).classes[k].members`): the eigenvalues of −Q
 * restricted to the class. Q is block-triangular over (closed classes, transient nodes), so these are exactly
 * eigenvalues of −Q, and the class's own zero is the only one it contributes.
 */
export function classSpectrum(
  Q: Csr,
  members: Int32Array,
  opts: { k?: number; tol?: number; cut?: Uint8Array } = {},
): ClassSpectrum {
  const Qc = restrictToClass(Q, members, opts.cut);
  const resolution = ZERO_EIGENVALUE * generatorNorm(Qc);
  if (Qc.n < 2) {
    return {
      re: [0],
      im: [0],
      gap: null,
      relaxationTime: null,
      zeroEigenvalues: 1,
      resolution,
      converged: true,
      note: "a point mass: no relaxation within the class",
    };
  }
  const s = generatorSpectrum(Qc, { k: Math.max(2, Math.min(opts.k ?? 4, Qc.n)), tol: opts.tol });
  let gap = s.gap;
  let note = "";
  if (s.zeroEigenvalues > 1) {
    gap = null;
    note = `${s.zeroEigenvalues} eigenvalues below the resolution ${resolution.toExponential(2)}: the class is metastable, its relaxation is slower than ${(1 / resolution).toExponential(2)} (SDE time)`;
  } else if (s.zeroEigenvalues === 0) {
    note = "no eigenvalue at 0 was resolved (solver trouble): the gap is not reliable";
    gap = null;
  } else if (gap === null) {
    note = "no non-zero eigenvalue found";
  }
  return {
    re: s.re,
    im: s.im,
    gap,
    relaxationTime: gap ? 1 / gap : null,
    zeroEigenvalues: s.zeroEigenvalues,
    resolution,
    converged: s.converged,
    note,
  };
}

/**
 * Exponential rate (1/SDE time) at which mass leaves the transient nodes (principal eigenvalue of −Q_TT), or null
 * when there is no transient node.
 */
export function transientDecayRate(Q: Csr, classOf: Int32Array): { rate: number; converged: boolean } | null {
  const keep = new Uint8Array(Q.n);
  let m = 0;
  for (let i = 0; i < Q.n; i++)
    if (classOf[i] < 0) {
      keep[i] = 1;
      m++;
    }
  if (m === 0) return null;
  const sub = csrSubmatrix(Q, keep).matrix;
  const r = eigsNearShift(negate(sub), 1, { shift: 0 });
  return { rate: r.re[0], converged: r.converged };
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
