/**
 * The long-time law of the discrete generator: the normalised null vector of Qᵀ, or — when the diffusion
 * vanishes at a minimum x* (interpolating minimum, DESIGN.md §1) — the statement that the law converges to
 * point masses, with the fraction of mass each one captures from a given initial law.
 */
import { NumericalError, UserError } from "../errors.js";
import { type Csr, csrSubmatrix, csrTranspose } from "../linalg/csr.js";
import type { Problem } from "../problem/types.js";
import { solveBirthDeath } from "./birth-death.js";
import type { DiscreteGenerator } from "./generator.js";
import { type Grid, nearestNode, nodeCoords } from "./grid.js";
import { canReach } from "./reach.js";
import { type SolveInfo, sparseSolve } from "./solve.js";

export interface PointMass {
  /** Location (the polished minimum x*, or the trap node). */
  x: number[];
  node: number;
  /** Fraction of the initial law's mass that ends there. */
  fraction: number;
}

export interface StationaryResult {
  /** True when the limit is a density on the grid (no point masses). */
  normalisable: boolean;
  /** Node probabilities (sum 1), when normalisable. */
  probabilities: Float64Array | null;
  /** probabilities/volume (density per unit volume), when normalisable. */
  density: Float64Array | null;
  pointMasses: PointMass[];
  /** Mass that does not end in a point mass (0 when all converges to points). */
  diffuseFraction: number;
  message: string;
  solve: SolveInfo | null;
}

/**
 * Point-mass candidates: local minima of L on the grid, polished by Newton, where tr A(x*) ≤ 1e-12·max tr A,
 * plus every node whose row of Q is zero (a trap of the chain).
 */
export function findTraps(problem: Problem, gen: DiscreteGenerator): { x: number[]; node: number }[] {
  const { grid, loss, traceA, Q } = gen;
  const d = grid.dim;
  let trMax = 0;
  for (let i = 0; i < grid.size; i++) trMax = Math.max(trMax, traceA[i]);
  const out: { x: number[]; node: number }[] = [];
  const seen = new Set<number>();
  const x = new Float64Array(d);
  const g = new Float64Array(d);
  const H = new Float64Array(d * d);
  const cov = new Float64Array(d * d);
  const sc = problem.lr * problem.batchScale;
  for (let i = 0; i < grid.size; i++) {
    if (!isLocalMin(grid, loss, i)) continue;
    nodeCoords(grid, i, x);
    // Newton polish (≤ 20 steps, stays within a cell or is discarded)
    const x0 = Float64Array.from(x);
    for (let it = 0; it < 20; it++) {
      problem.loss.gradient(x, g);
      problem.loss.hessian(x, H);
      const step = solveSmall(H, g, d);
      if (!step) break;
      let sn = 0;
      for (let k = 0; k < d; k++) {
        x[k] -= step[k];
        sn += step[k] * step[k];
      }
      if (sn < 1e-30) break;
    }
    let ok = true;
    for (let k = 0; k < d; k++) if (!(Math.abs(x[k] - x0[k]) <= 1.5 * grid.h[k])) ok = false;
    if (!ok) x.set(x0);
    problem.noise.covariance(x, cov);
    let tr = 0;
    for (let k = 0; k < d; k++) tr += sc * cov[k * d + k] + 2 * problem.delta;
    if (tr <= 1e-12 * trMax) {
      const node = nearestNode(grid, x);
      if (!seen.has(node)) {
        seen.add(node);
        out.push({ x: Array.from(x), node });
      }
    }
  }
  for (let i = 0; i < Q.n; i++) {
    let zero = true;
    for (let p = Q.rowPtr[i]; p < Q.rowPtr[i + 1]; p++)
      if (Q.colIdx[p] !== i && Q.values[p] > 0) zero = false;
    if (zero && !seen.has(i)) {
      seen.add(i);
      out.push({ x: Array.from(nodeCoords(grid, i, x)), node: i });
    }
  }
  return out;
}

function isLocalMin(grid: Grid, L: Float64Array, i: number): boolean {
  let r = i;
  for (let k = 0; k < grid.dim; k++) {
    const nk = grid.shape[k];
    const ik = r % nk;
    r = (r - ik) / nk;
    const s = grid.strides[k];
    if (ik > 0 && L[i - s] < L[i]) return false;
    if (ik < nk - 1 && L[i + s] < L[i]) return false;
  }
  return true;
}

function solveSmall(H: Float64Array, g: Float64Array, d: number): Float64Array | null {
  if (d === 1) return H[0] > 0 ? Float64Array.of(g[0] / H[0]) : null;
  // Gaussian elimination (d ≤ 3)
  const a = Float64Array.from(H);
  const b = Float64Array.from(g);
  for (let c = 0; c < d; c++) {
    let piv = c;
    for (let r = c + 1; r < d; r++) if (Math.abs(a[r * d + c]) > Math.abs(a[piv * d + c])) piv = r;
    if (!(Math.abs(a[piv * d + c]) > 1e-300)) return null;
    for (let k = 0; k < d; k++) [a[c * d + k], a[piv * d + k]] = [a[piv * d + k], a[c * d + k]];
    [b[c], b[piv]] = [b[piv], b[c]];
    for (let r = c + 1; r < d; r++) {
      const f = a[r * d + c] / a[c * d + c];
      for (let k = c; k < d; k++) a[r * d + k] -= f * a[c * d + k];
      b[r] -= f * b[c];
    }
  }
  const x = new Float64Array(d);
  for (let r = d - 1; r >= 0; r--) {
    let s = b[r];
    for (let k = r + 1; k < d; k++) s -= a[r * d + k] * x[k];
    x[r] = s / a[r * d + r];
  }
  return x;
}

/**
 * Stationary law of the generator (built WITHOUT absorbing set). `init` (node probabilities, default uniform
 * in volume) decides the mass fractions when the limit is made of point masses.
 */
export function stationary(
  problem: Problem,
  gen: DiscreteGenerator,
  opts: { init?: Float64Array; tol?: number } = {},
): StationaryResult {
  const { Q, grid } = gen;
  const n = Q.n;
  if (gen.absorbing) throw new UserError("stationary law needs a generator without absorbing set");
  const traps = findTraps(problem, gen);
  if (traps.length > 0) {
    const vtot = sumOf(grid.volume);
    const init = opts.init ?? Float64Array.from(grid.volume, (v) => v / vtot);
    const trapMask = new Uint8Array(n);
    for (const t of traps) trapMask[t.node] = 1;
    // absorption probabilities into each trap: −Q_D h_k = (rate into trap k)
    const canHit = canReach(Q, trapMask);
    const keep = new Uint8Array(n);
    for (let i = 0; i < n; i++) keep[i] = !trapMask[i] && canHit[i] ? 1 : 0;
    const sub = csrSubmatrix(Q, keep);
    const A = sub.matrix;
    for (let k = 0; k < A.values.length; k++) A.values[k] = -A.values[k];
    // Nodes that can hit a trap but also a non-hitting region: those are excluded from the solve (their rows
    // lose mass to dropped columns, which is the correct "never absorbed" event).
    const masses: PointMass[] = [];
    let total = 0;
    let info: SolveInfo | null = null;
    for (const t of traps) {
      const b = new Float64Array(A.n);
      for (let r = 0; r < A.n; r++) {
        const i = sub.keep[r];
        for (let p = Q.rowPtr[i]; p < Q.rowPtr[i + 1]; p++) if (Q.colIdx[p] === t.node) b[r] += Q.values[p];
      }
      let frac = init[t.node];
      if (grid.dim === 1) {
        const fixed = new Uint8Array(n);
        const f = new Float64Array(n);
        for (let i = 0; i < n; i++) fixed[i] = trapMask[i] ? 1 : canHit[i] ? 0 : 2;
        for (let r = 0; r < A.n; r++) f[sub.keep[r]] = b[r];
        const h = solveBirthDeath(Q, fixed, f);
        info = { method: "birth-death (GTH)", iterations: 1, relativeResidual: 0 };
        for (let i = 0; i < n; i++) if (fixed[i] === 0) frac += init[i] * Math.min(1, Math.max(0, h[i]));
      } else if (A.n > 0) {
        const s = sparseSolve(A, b, 1e-10);
        info = s.info;
        for (let r = 0; r < A.n; r++) frac += init[sub.keep[r]] * Math.min(1, Math.max(0, s.x[r]));
      }
      masses.push({ x: t.x, node: t.node, fraction: frac });
      total += frac;
    }
    const where = masses
      .map(
        (m) =>
          `x* = (${m.x.map((v) => v.toPrecision(4)).join(", ")}) with mass fraction ${m.fraction.toPrecision(4)}`,
      )
      .join("; ");
    const diffuse = Math.max(0, 1 - total);
    const rest =
      diffuse > 1e-9
        ? `; the remaining mass fraction ${diffuse.toPrecision(4)} never reaches them: it stays in a part of the ` +
          "domain the process cannot leave (e.g. bounded by a point or line where the noise vanishes and the drift " +
          "points inward)"
        : "";
    return {
      normalisable: false,
      probabilities: null,
      density: null,
      pointMasses: masses,
      diffuseFraction: diffuse,
      message: `converges to a point mass at ${where} (the noise vanishes there)${rest}`,
      solve: info,
    };
  }
  // Irreducible case: fix the node of smallest L at 1 and solve −Q_Dᵀ π = Q_{k,·}.
  let k = 0;
  for (let i = 1; i < n; i++) if (gen.loss[i] < gen.loss[k]) k = i;
  let pi: Float64Array;
  let info: SolveInfo;
  if (grid.dim === 1) {
    pi = stationary1d(Q);
    info = { method: "birth-death detailed balance (log-space)", iterations: 1, relativeResidual: 0 };
  } else {
    const keep = new Uint8Array(n).fill(1);
    keep[k] = 0;
    const QT = csrTranspose(Q);
    const sub = csrSubmatrix(QT, keep);
    const A = sub.matrix;
    for (let q = 0; q < A.values.length; q++) A.values[q] = -A.values[q];
    const b = new Float64Array(A.n);
    for (let p = Q.rowPtr[k]; p < Q.rowPtr[k + 1]; p++) {
      const j = Q.colIdx[p];
      if (j !== k) b[sub.newIndex[j]] = Q.values[p];
    }
    const s = sparseSolve(A, b, opts.tol ?? 1e-10);
    info = s.info;
    pi = new Float64Array(n);
    pi[k] = 1;
    for (let r = 0; r < A.n; r++) pi[sub.keep[r]] = Math.max(0, s.x[r]);
  }
  const tot = sumOf(pi);
  for (let i = 0; i < n; i++) pi[i] /= tot;
  const density = new Float64Array(n);
  for (let i = 0; i < n; i++) density[i] = pi[i] / grid.volume[i];
  return {
    normalisable: true,
    probabilities: pi,
    density,
    pointMasses: [],
    diffuseFraction: 1,
    message: "converges to a density (normalisable stationary law)",
    solve: info,
  };
}

/** 1-D birth–death chain: π_{i+1}/π_i = r_i/l_{i+1}, in log space (no overflow). */
function stationary1d(Q: Csr): Float64Array {
  const n = Q.n;
  const logp = new Float64Array(n);
  const rate = (i: number, j: number) => {
    for (let p = Q.rowPtr[i]; p < Q.rowPtr[i + 1]; p++) if (Q.colIdx[p] === j) return Q.values[p];
    return 0;
  };
  for (let i = 0; i + 1 < n; i++) {
    const r = rate(i, i + 1);
    const l = rate(i + 1, i);
    logp[i + 1] = logp[i] + Math.log(r) - Math.log(l);
  }
  let m = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) if (logp[i] > m) m = logp[i];
  const pi = new Float64Array(n);
  if (!Number.isFinite(m))
    throw new NumericalError("stationary: the 1-D chain is reducible (a rate vanishes)");
  for (let i = 0; i < n; i++) pi[i] = Math.exp(logp[i] - m);
  return pi;
}

function sumOf(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}
