/**
 * Closed classes that double precision cannot tell apart from two: a class whose restricted generator −Q_C has a
 * second eigenvalue below the resolution ZERO_EIGENVALUE·‖Q_C‖∞ exchanges mass between two parts only on a time
 * scale beyond 1/resolution (SDE time) — e.g. Hessian noise that vanishes on a band between two wells: every
 * single jump across the band has a moderate rate, yet crossing it takes ~10²⁰⁰. Such a class has no resolvable
 * spectral gap and its "unique stationary law" is not computable (the null space is numerically 2-D).
 *
 * metastableSplit replaces such a class by its two metastable cores (PCCA for two sets): the right eigenvectors
 * of the two near-zero eigenvalues span functions that are constant on each core; the one least aligned with the
 * constant, rescaled to χ ∈ [0, 1], is ≈ 1 on one core and ≈ 0 on the other. Nodes with χ ≥ 0.9 / ≤ 0.1 form the
 * cores (closed classes of the result); the nodes in between become transient, and their absorption probabilities
 * (absorption.ts) are then the committor between the two cores. The split is reported (`metastable`), with the
 * resolution as the rate below which the exchange lies (a lower estimate of its time scale, not a proof).
 * Classes with three or more near-zero eigenvalues are flagged but not split.
 */

import type { Csr } from "../linalg/csr.js";
import { eigsNearShift } from "../linalg/eigs.js";
import { Interrupted } from "../stop.js";
import { type ClassStructure, generatorNorm, restrictToClass } from "./classes.js";
import { ZERO_EIGENVALUE } from "./spectral.js";

/** What happened to one closed class of the input structure. */
export interface MetastableClass {
  /** Index of the class in the input structure. */
  from: number;
  /** Near-zero eigenvalues of −Q_C (1 for an ordinary class). */
  zeroEigenvalues: number;
  /** ZERO_EIGENVALUE·‖Q_C‖∞ (1/SDE time): exchange between the parts is slower than this rate. */
  resolution: number;
  /** Indices (into the output structure's classes) of the cores it was split into; empty when not split. */
  cores: number[];
}

export interface MetastableSplit {
  structure: ClassStructure;
  /** Per closed class of the output: true when it is a metastable core of a split class. */
  metastable: boolean[];
  /** Per output class: 1/resolution for a core (SDE time), else null. */
  lifetime: (number | null)[];
  /** Classes with ≥ 2 near-zero eigenvalues (split or not). */
  flagged: MetastableClass[];
}

/** Classes smaller than this are not examined (a grid cell or two). */
const MIN_NODES = 16;
/** Core thresholds on χ. */
const CORE = 0.9;

/**
 * Splits numerically reducible closed classes of `s` into metastable cores (see the header). `whole`: the count of
 * near-zero eigenvalues of the whole −Q (ZERO_EIGENVALUE·‖Q‖∞, converged, e.g. `spectralGap`) when already known —
 * a class of every node with no cut node is then Q itself, and fewer than two zeros keep it without a second
 * shift-invert of the same matrix.
 */
export function metastableSplit(
  Q: Csr,
  s: ClassStructure,
  cut?: Uint8Array,
  whole?: { zeroEigenvalues: number },
): MetastableSplit {
  const n = Q.n;
  const noCut = !cut || cut.every((c) => c === 0);
  const classOf = Int32Array.from(s.classOf);
  const closed: Int32Array[] = [];
  const leak: number[] = [];
  const metastable: boolean[] = [];
  const lifetime: (number | null)[] = [];
  const flagged: MetastableClass[] = [];
  const scratch = new Int32Array(n).fill(-1);
  let transient = s.transient;
  for (let k = 0; k < s.closed.length; k++) {
    const members = s.closed[k];
    const keep = () => {
      const id = closed.length;
      closed.push(members);
      leak.push(s.leak[k]);
      metastable.push(false);
      lifetime.push(null);
      for (const i of members) classOf[i] = id;
    };
    if (members.length < MIN_NODES || (whole && members.length === n && noCut && whole.zeroEigenvalues < 2)) {
      keep();
      continue;
    }
    const Qc = restrictToClass(Q, members, cut, scratch);
    const A: Csr = { ...Qc, values: Qc.values.map((v) => -v) };
    const resolution = ZERO_EIGENVALUE * generatorNorm(Qc);
    let r: ReturnType<typeof eigsNearShift>;
    try {
      r = eigsNearShift(A, Math.min(3, Qc.n), { tol: 1e-8 });
    } catch (e) {
      if (e instanceof Interrupted) throw e;
      keep();
      continue;
    }
    const zeros: number[] = [];
    for (let q = 0; q < r.re.length; q++)
      if (Math.abs(r.re[q]) <= resolution && Math.abs(r.im[q]) <= resolution) zeros.push(q);
    if (zeros.length < 2) {
      keep();
      continue;
    }
    const info: MetastableClass = { from: k, zeroEigenvalues: zeros.length, resolution, cores: [] };
    flagged.push(info);
    if (zeros.length > 2) {
      keep();
      continue;
    }
    // the zero-eigenvector least aligned with the constant, rescaled to χ ∈ [0, 1]
    let chi: Float64Array | null = null;
    let spread = 0;
    for (const q of zeros) {
      const v = r.vectorsRe[q];
      let lo = Number.POSITIVE_INFINITY;
      let hi = Number.NEGATIVE_INFINITY;
      let big = 0;
      for (let t = 0; t < v.length; t++) {
        lo = Math.min(lo, v[t]);
        hi = Math.max(hi, v[t]);
        big = Math.max(big, Math.abs(v[t]));
      }
      const rel = big > 0 ? (hi - lo) / big : 0;
      if (rel > spread) {
        spread = rel;
        chi = Float64Array.from(v, (x) => (x - lo) / (hi - lo || 1));
      }
    }
    if (!chi || spread < 0.5) {
      keep();
      continue;
    } // no clear two-set structure
    const one: number[] = [];
    const other: number[] = [];
    for (let t = 0; t < members.length; t++) {
      if (chi[t] >= CORE) one.push(members[t]);
      else if (chi[t] <= 1 - CORE) other.push(members[t]);
      else {
        classOf[members[t]] = -1;
        transient++;
      }
    }
    if (!one.length || !other.length) {
      keep();
      continue;
    }
    for (const part of [one, other]) {
      const id = closed.length;
      info.cores.push(id);
      closed.push(Int32Array.from(part));
      leak.push(resolution);
      metastable.push(true);
      lifetime.push(1 / resolution);
      for (const i of part) classOf[i] = id;
    }
  }
  return {
    structure: { ...s, classOf, closed, leak: Float64Array.from(leak), transient },
    metastable,
    lifetime,
    flagged,
  };
}
