/**
 * The long-time law of the discrete generator Q, from its class structure (classes.ts): every closed class
 * carries its own stationary law — a density (the null vector of Qᵀ restricted to the class) or a point mass
 * (a class of one node, or of nodes within one grid cell) — and mass on transient nodes ends in each class with
 * its absorption probability (absorption.ts). "Unique" only when there is exactly one closed class.
 *
 * Two kinds of numerical structure are treated explicitly:
 * - Forced traps: minima where the noise vanishes (tr A(x*) ≈ 0, interpolating minima, DESIGN.md §1) absorb in the
 *   continuum although the nearest node may keep small positive rates; their outgoing jumps are cut (`findTraps`).
 * - Weak jumps: rates ≤ 1e-12·‖Q‖∞ are not edges of the class graph. A class closed only up to such jumps is
 *   listed as closed with its `leak` rate: the chain leaves it, but no sooner than after a mean time 1/leak
 *   (rigorous for the chain; classes.ts). Without this, the tiny rates of a relaxed stencil or an upwind rate
 *   e^{−Pe} would make the chain formally irreducible while its second eigenvalue is numerically zero.
 */
import { NumericalError, UserError } from "../errors.js";
import { type Csr, csrSubmatrix, csrTranspose } from "../linalg/csr.js";
import { diffusionTrace } from "../problem/diffusion.js";
import type { Problem } from "../problem/types.js";
import { absorption } from "./absorption.js";
import { type ClassStructure, communicatingClasses, generatorNorm, restrictToClass } from "./classes.js";
import type { DiscreteGenerator } from "./generator.js";
import { type Grid, nearestNode, nodeCoords } from "./grid.js";
import { metastableSplit } from "./metastable.js";
import { type SolveInfo, sparseSolve } from "./solve.js";

/** Jumps with Q_ij ≤ WEAK_RATE·‖Q‖∞ do not connect classes (see the module comment). */
export const WEAK_RATE = 1e-12;

export interface PointMass {
  /** Location (the polished minimum x*, or the class's node / mean). */
  x: number[];
  node: number;
  /** Fraction of the initial law's mass that ends there. */
  fraction: number;
}

/** One closed class of the generator and its stationary law. */
export interface StationaryClass {
  /** "point-mass": one node, or all nodes within one grid cell; otherwise "density". */
  kind: "density" | "point-mass";
  /** Why a point mass: a forced trap (noise vanishes at a minimum), a node no jump leaves, or a one-cell class. */
  why: string;
  /** Number of nodes. */
  nodes: number;
  /** Mean of the class's stationary law (for a trap: the polished minimum x*). */
  centre: number[];
  /** Bounding box of the class's nodes. */
  support: { lo: number[]; hi: number[] };
  /** Probability that the chain started from the initial law ends in this class. */
  mass: number;
  /** Nodes whose absorption probability into this class is ≥ 0.5 / ≥ 1 − 1e-9 (−1: not computed). */
  basinNodes: number;
  sureNodes: number;
  /** Max rate (1/SDE time) at which the full chain leaves the class: 0 = closed exactly. */
  leak: number;
  /**
   * 1/leak: lower bound on the mean time (SDE time) to leave the class; +∞ when closed exactly. For a metastable
   * core: 1/resolution, the time scale below which the exchange with the other core is not resolved (an estimate).
   */
  minLifetime: number;
  /**
   * A metastable core (metastable.ts): part of a closed class whose exchange with another part is too slow for
   * double precision (two near-zero eigenvalues); it behaves as a closed class on every resolvable horizon.
   */
  metastable: boolean;
  /** The class's own stationary law as node probabilities on the whole grid (null for point masses). */
  probabilities: Float64Array | null;
  /** Node list (ascending). */
  members: Int32Array;
}

export interface StationaryResult {
  /** True when the limit from the initial law is a density on the grid (no mass ends in a point mass). */
  normalisable: boolean;
  /** Node probabilities of the limit from the initial law (Σ_c P_c π_c, sum 1), when normalisable. */
  probabilities: Float64Array | null;
  /** probabilities/volume (density per unit volume), when normalisable. */
  density: Float64Array | null;
  pointMasses: PointMass[];
  /** Mass that ends in density classes (0 when all converges to points). */
  diffuseFraction: number;
  message: string;
  solve: SolveInfo | null;
  /** Closed classes, ordered by mass from the initial law (largest first). */
  classes: StationaryClass[];
  /** Exactly one closed class: the stationary law is unique (whatever the start). */
  unique: boolean;
  transientNodes: number;
  /** Basin label per node (index into `classes`; −1: no class reaches absorption probability ½). */
  basin: Int32Array;
  /** Class index (into `classes`) per node, −1 for transient nodes. */
  classOf: Int32Array;
  /** Absorption solve: method, worst relative residual, max |Σ_c h_c − 1| (null when not all were solved). */
  absorption: { method: string; relativeResidual: number; sumCheck: number | null };
  /** Threshold below which jumps did not connect classes (1/SDE time). */
  weakRate: number;
  /** The structure (class order of `structure.closed` differs from `classes`: use `classes[k].members`). */
  structure: ClassStructure;
  /** Forced-trap mask (outgoing jumps ignored). */
  cut: Uint8Array;
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
    let trSigma = 0;
    for (let k = 0; k < d; k++) trSigma += cov[k * d + k];
    if (diffusionTrace(problem, trSigma, d) <= 1e-12 * trMax) {
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
 * Long-time law of the generator (built WITHOUT absorbing set) from its closed classes. `init` (node
 * probabilities, default uniform in volume) decides the probability of ending in each class.
 */
export function stationary(
  problem: Problem,
  gen: DiscreteGenerator,
  opts: {
    init?: Float64Array;
    tol?: number;
    weakRate?: number;
    /** The whole generator's near-zero eigenvalue count when already computed (`spectralGap`, converged). */
    wholeSpectrum?: { zeroEigenvalues: number };
  } = {},
): StationaryResult {
  const { Q, grid } = gen;
  const n = Q.n;
  const d = grid.dim;
  if (gen.absorbing) throw new UserError("stationary law needs a generator without absorbing set");
  const vtot = sumOf(grid.volume);
  const init = opts.init ?? Float64Array.from(grid.volume, (v) => v / vtot);
  const traps = findTraps(problem, gen);
  const cut = new Uint8Array(n);
  const trapAt = new Map<number, number[]>();
  for (const t of traps) {
    cut[t.node] = 1;
    trapAt.set(t.node, t.x);
  }
  const weakRate = (opts.weakRate ?? WEAK_RATE) * generatorNorm(Q);
  const s0 = communicatingClasses(Q, { cut, minRate: weakRate });
  // classes that double precision cannot tell from two are split into their metastable cores
  const split = metastableSplit(Q, s0, cut, opts.wholeSpectrum);
  const s = split.structure;
  const ab = absorption(Q, s, init, { birthDeath: d === 1, tol: opts.tol });
  // one stationary law per class
  const x = new Float64Array(d);
  const scratch = new Int32Array(n).fill(-1);
  let info: SolveInfo | null = null;
  const raw = s.closed.map((members, k): StationaryClass => {
    const lo = new Array(d).fill(Number.POSITIVE_INFINITY);
    const hi = new Array(d).fill(Number.NEGATIVE_INFINITY);
    for (const i of members) {
      nodeCoords(grid, i, x);
      for (let q = 0; q < d; q++) {
        lo[q] = Math.min(lo[q], x[q]);
        hi[q] = Math.max(hi[q], x[q]);
      }
    }
    const oneCell = lo.every((v, q) => hi[q] - v <= grid.h[q] * (1 + 1e-9));
    const base = {
      nodes: members.length,
      support: { lo, hi },
      mass: ab.fromInit[k],
      basinNodes: ab.basinSize[k],
      sureNodes: ab.sureSize[k],
      leak: s.leak[k],
      minLifetime: split.lifetime[k] ?? (s.leak[k] > 0 ? 1 / s.leak[k] : Number.POSITIVE_INFINITY),
      metastable: split.metastable[k],
      members,
    };
    if (members.length === 1) {
      const i = members[0];
      const xs = trapAt.get(i);
      return {
        ...base,
        kind: "point-mass",
        why: xs
          ? "the noise vanishes at this minimum (tr A(x*) ≈ 0): it absorbs"
          : "no jump leaves this node (drift and noise vanish there on the grid)",
        centre: xs ?? Array.from(nodeCoords(grid, i, x)),
        probabilities: null,
      };
    }
    const r = classLaw(Q, members, cut, scratch, d === 1, gen.loss, opts.tol ?? 1e-10);
    if (r.info) info = r.info;
    const centre = new Array(d).fill(0);
    for (let q = 0; q < members.length; q++) {
      nodeCoords(grid, members[q], x);
      for (let a = 0; a < d; a++) centre[a] += r.pi[q] * x[a];
    }
    let probabilities: Float64Array | null = null;
    if (!oneCell) {
      probabilities = new Float64Array(n);
      for (let q = 0; q < members.length; q++) probabilities[members[q]] = r.pi[q];
    }
    return {
      ...base,
      kind: oneCell ? "point-mass" : "density",
      why: oneCell ? `a closed class of ${members.length} nodes within one grid cell` : "",
      centre,
      probabilities,
    };
  });
  // order by mass from the initial law (ties: by first node), relabel basins
  const order = raw.map((_, k) => k).sort((a, b) => raw[b].mass - raw[a].mass || a - b);
  const rank = new Int32Array(raw.length);
  order.forEach((k, r) => {
    rank[k] = r;
  });
  const classes = order.map((k) => raw[k]);
  const basin = Int32Array.from(ab.basin, (c) => (c >= 0 ? rank[c] : -1));
  const classOf = Int32Array.from(s.classOf, (c) => (c >= 0 ? rank[c] : -1));
  const tiny = 1e-12;
  const pointMasses: PointMass[] = classes
    .filter((c) => c.kind === "point-mass")
    .map((c) => ({
      x: c.centre,
      node: c.members.length === 1 ? c.members[0] : nearestNode(grid, c.centre),
      fraction: c.mass,
    }));
  let diffuse = 0;
  for (const c of classes) if (c.kind === "density") diffuse += c.mass;
  const normalisable = classes.length > 0 && classes.every((c) => c.kind === "density" || c.mass <= tiny);
  let probabilities: Float64Array | null = null;
  let density: Float64Array | null = null;
  if (normalisable) {
    probabilities = new Float64Array(n);
    let tot = 0;
    for (const c of classes) {
      if (!(c.mass > 0) || !c.probabilities) continue;
      for (const i of c.members) probabilities[i] += c.mass * c.probabilities[i];
      tot += c.mass;
    }
    if (tot > 0) for (let i = 0; i < n; i++) probabilities[i] /= tot;
    else probabilities = classes[0].probabilities;
    density = new Float64Array(n);
    for (let i = 0; i < n; i++) density[i] = probabilities![i] / grid.volume[i];
  }
  return {
    normalisable,
    probabilities,
    density,
    pointMasses,
    diffuseFraction: diffuse,
    message: describeLimit(classes, s.transient, problem.lr),
    solve: info,
    classes,
    unique: classes.length === 1,
    transientNodes: s.transient,
    basin,
    classOf,
    absorption: { method: ab.method, relativeResidual: ab.relativeResidual, sumCheck: ab.sumCheck },
    weakRate,
    structure: s,
    cut,
  };
}

/** Stationary law of one closed class (probabilities over its members, sum 1). */
function classLaw(
  Q: Csr,
  members: Int32Array,
  cut: Uint8Array,
  scratch: Int32Array,
  birthDeath: boolean,
  loss: Float64Array,
  tol: number,
): { pi: Float64Array; info: SolveInfo | null } {
  const Qc = restrictToClass(Q, members, cut, scratch);
  const m = Qc.n;
  let pi: Float64Array;
  let info: SolveInfo;
  if (birthDeath) {
    pi = stationary1d(Qc);
    info = { method: "birth-death detailed balance (log-space)", iterations: 1, relativeResidual: 0 };
  } else {
    // fix the node of smallest L at 1 and solve −Q_Dᵀ π = Q_{k,·}
    let k = 0;
    for (let q = 1; q < m; q++) if (loss[members[q]] < loss[members[k]]) k = q;
    const keep = new Uint8Array(m).fill(1);
    keep[k] = 0;
    const sub = csrSubmatrix(csrTranspose(Qc), keep);
    const A = sub.matrix;
    for (let q = 0; q < A.values.length; q++) A.values[q] = -A.values[q];
    const b = new Float64Array(A.n);
    for (let p = Qc.rowPtr[k]; p < Qc.rowPtr[k + 1]; p++) {
      const j = Qc.colIdx[p];
      if (j !== k) b[sub.newIndex[j]] = Qc.values[p];
    }
    const s = sparseSolve(A, b, tol);
    info = s.info;
    pi = new Float64Array(m);
    pi[k] = 1;
    for (let r = 0; r < A.n; r++) pi[sub.keep[r]] = Math.max(0, s.x[r]);
  }
  const tot = sumOf(pi);
  if (!(tot > 0) || !Number.isFinite(tot))
    throw new NumericalError("stationary: no positive stationary law on a closed class");
  for (let q = 0; q < m; q++) pi[q] /= tot;
  return { pi, info };
}

const pt = (x: readonly number[]) => `(${x.map((v) => v.toPrecision(4)).join(", ")})`;

/** The sentence for the long-time law (SDE time; iterations = t/η). */
function describeLimit(classes: StationaryClass[], transient: number, eta: number): string {
  const one = (c: StationaryClass) =>
    c.kind === "point-mass"
      ? `a point mass at x* = ${pt(c.centre)} with mass fraction ${c.mass.toPrecision(4)} (${c.why})`
      : `a density around ${pt(c.centre)} on [${c.support.lo.map((v, q) => `${v.toPrecision(3)}…${c.support.hi[q].toPrecision(3)}`).join("]×[")}] with probability ${c.mass.toPrecision(4)}`;
  const meta = classes.filter((c) => c.metastable);
  const metaText = meta.length
    ? `; ${meta.length} of these are metastable cores of one class whose parts exchange mass only on a time scale beyond ${Math.min(...meta.map((c) => c.minLifetime)).toPrecision(3)} (SDE time) — too slow to resolve in double precision (two eigenvalues of the generator are 0 to working precision): on every computable horizon they behave as separate closed classes`
    : "";
  const leaky = classes.filter((c) => c.leak > 0 && !c.metastable);
  const life = Math.min(...leaky.map((c) => c.minLifetime));
  const when = `after a mean time ≥ ${life.toPrecision(3)} (SDE time; ${(life / eta).toPrecision(3)} iterations)`;
  const weak = !leaky.length
    ? ""
    : classes.length === 1
      ? `; the class is closed only up to jump rates ≤ 1e-12 of the fastest rate: mass leaks out of it only ${when}, and comes back`
      : `; ${leaky.length === classes.length ? "the classes are" : `${leaky.length} of them ${leaky.length > 1 ? "are" : "is"}`} closed only up to jump rates ≤ 1e-12 of the fastest rate: the chain leaves ${leaky.length > 1 ? "each" : "it"} only ${when} — on any shorter horizon they behave as separate closed classes`;
  const tr = transient > 0 ? `; ${transient} transient nodes (mass there moves on)` : "";
  if (classes.length === 1) {
    const c = classes[0];
    if (c.kind === "point-mass") return `converges to ${one(c)}${tr}${weak}`;
    return `converges to a unique stationary density (one closed class of ${c.nodes} nodes)${tr}${weak}`;
  }
  const shown = classes.slice(0, 6).map(one);
  const rest = classes.slice(6);
  const more = rest.length
    ? `; and ${rest.length} more classes with total probability ${rest.reduce((a, c) => a + c.mass, 0).toPrecision(3)}`
    : "";
  const allPoints = classes.every((c) => c.kind === "point-mass");
  const head = allPoints
    ? `converges to point masses (${classes.length} closed classes, no unique limit: it depends on the start)`
    : `no unique stationary law: ${classes.length} closed classes, the limit depends on the start`;
  return `${head} — from the given initial law: ${shown.join("; ")}${more}${tr}${weak}${metaText}`;
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
