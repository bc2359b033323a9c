/**
 * Tabulated minibatch means for real SGD on a finite sum whose samples differ only in numeric literals and
 * whose gradient is affine in them (`FiniteSum.family.affine`, proved on the expression graph). Then the mean
 * of B samples' gradients is ∇ℓ at the batch's mean literals, so a batch is one *outcome* and the mean literals
 * of every outcome can be tabulated once (bounded memory): a step is one integer draw and one gather.
 *
 * Both particle loops (simulate.ts and the generated kernel) draw the batch as ONE uniform outcome
 * k = Rng.int(outcomes):
 * - with replacement, the ordered tuple (i_0, …, i_{B−1}) with k = Σ_b i_b·N^b (outcomes N^B);
 * - without replacement, the k-th B-subset c_1 < … < c_B in the combinatorial number system,
 *   k = Σ_i C(c_i, i) (outcomes C(N, B)).
 * This is the law of B independent uniform indices, resp. of a uniform B-subset — the law of the per-sample
 * path, which draws B indices (a partial Fisher–Yates without replacement) — but a different use of the random
 * stream. The mean literals of outcome k are formed by one function (`outcomeMeanParams`: summed in the
 * outcome's order above, then divided by B): the general loop calls it every step, the table holds its values,
 * so both loops agree bit for bit. The mean gradient differs from the per-sample sum (1/B)Σ∇ℓ_i by rounding.
 */
import type { FiniteSum } from "../problem/types.js";

/** Most outcomes tabulated (as the NumPy baseline of bench/finite-sum.js): beyond, the per-sample path. */
export const MAX_TABULATED_OUTCOMES = 65536;
/** Most doubles in a table (outcomes × literals; 8 MiB), and most work (outcomes × B) to build it. */
export const MAX_TABLE_DOUBLES = 1 << 20;
export const MAX_TABLE_WORK = 1 << 22;

/** How a real minibatch's mean gradient is formed (reported in SimulateResult.batchMean). */
export type BatchMeanPath = { path: "tabulated"; outcomes: number } | { path: "per-sample"; reason: string };

export interface BatchTable {
  /** N, B, replacement, and the number of outcomes (N^B or C(N, B)). */
  readonly n: number;
  readonly B: number;
  readonly replacement: boolean;
  readonly outcomes: number;
  /** P, the number of literals per sample. */
  readonly params: number;
  /** Row-major outcomes × P: outcome k's mean literals at k·P … k·P + P − 1 (outcomeMeanParams). */
  readonly means: Float64Array;
  /** C(c, i) at c·(B + 1) + i for c < N, i ≤ B (without replacement; empty with). */
  readonly binom: Float64Array;
}

/** Number of outcomes of one batch draw (N^B or C(N, B)), or Infinity beyond `cap`. */
function countOutcomes(n: number, B: number, replacement: boolean, cap: number): number {
  if (replacement) {
    let o = 1;
    for (let b = 0; b < B; b++) {
      o *= n;
      if (o > cap) return Number.POSITIVE_INFINITY;
    }
    return o;
  }
  if (B > n) return 0;
  const r = Math.min(B, n - B);
  let o = 1;
  for (let i = 1; i <= r; i++) {
    o = (o * (n - r + i)) / i; // exact: C(n − r + i, i) is an integer at every step
    if (o > cap) return Number.POSITIVE_INFINITY;
  }
  return Math.round(o);
}

/** Which path real minibatches of this finite sum take, and why not the table when they do not. */
export function batchMeanPath(fs: FiniteSum, B: number, replacement: boolean): BatchMeanPath {
  const fam = fs.family;
  if (fam === undefined) return { path: "per-sample", reason: "samples differ in more than literals" };
  if (!fam.affine)
    return { path: "per-sample", reason: "gradient not proved affine in the samples' literals" };
  const outcomes = countOutcomes(fs.n, B, replacement, MAX_TABULATED_OUTCOMES);
  if (!(outcomes >= 1 && outcomes <= MAX_TABULATED_OUTCOMES)) {
    return {
      path: "per-sample",
      reason: `${replacement ? `N^B` : "C(N, B)"} batches > ${MAX_TABULATED_OUTCOMES} (too many to tabulate)`,
    };
  }
  if (outcomes * Math.max(fam.params, 1) > MAX_TABLE_DOUBLES || outcomes * B > MAX_TABLE_WORK) {
    return { path: "per-sample", reason: "batch table too large" };
  }
  if (!replacement && fs.n * (B + 1) > MAX_TABLE_DOUBLES) {
    return { path: "per-sample", reason: "batch table too large" };
  }
  return { path: "tabulated", outcomes };
}

/** Writes the sample indices of outcome k into idx[0..B) (in the order their literals are summed). */
export function outcomeBatch(t: BatchTable, k: number, idx: Int32Array): void {
  const { n, B } = t;
  if (t.replacement) {
    let r = k;
    for (let b = 0; b < B; b++) {
      const q = Math.floor(r / n);
      idx[b] = r - q * n;
      r = q;
    }
    return;
  }
  // combinatorial number system: c_B is the largest c with C(c, B) ≤ k, then c_{B−1} < c_B for k − C(c_B, B), …
  const bn = t.binom;
  let r = k;
  let c = n - 1;
  for (let i = B; i >= 1; i--) {
    while (bn[c * (B + 1) + i] > r) c--;
    idx[i - 1] = c;
    r -= bn[c * (B + 1) + i];
    c--;
  }
}

/**
 * Outcome k's mean literals (Σ over its samples in outcomeBatch's order, then / B) into out[off … off+P−1];
 * idx is scratch of length ≥ B. The one definition both loops use.
 */
export function outcomeMeanParams(
  t: BatchTable,
  k: number,
  pt: Float64Array,
  idx: Int32Array,
  out: Float64Array,
  off: number,
): void {
  const P = t.params;
  const B = t.B;
  outcomeBatch(t, k, idx);
  for (let p = 0; p < P; p++) {
    let s = 0;
    for (let b = 0; b < B; b++) s += pt[idx[b] * P + p];
    out[off + p] = s / B;
  }
}

const cache = new WeakMap<FiniteSum, Map<string, BatchTable>>();

/** The batch table of (finite sum, B, replacement), built once and cached; undefined off the tabulated path. */
export function batchTable(fs: FiniteSum, B: number, replacement: boolean): BatchTable | undefined {
  const path = batchMeanPath(fs, B, replacement);
  if (path.path !== "tabulated") return undefined;
  const key = `${B}${replacement ? "r" : "s"}`;
  let byKey = cache.get(fs);
  const hit = byKey?.get(key);
  if (hit) return hit;
  const fam = fs.family!;
  const n = fs.n;
  const P = fam.params;
  const binom = new Float64Array(replacement ? 0 : n * (B + 1));
  if (!replacement) {
    for (let c = 0; c < n; c++) {
      binom[c * (B + 1)] = 1;
      for (let i = 1; i <= B; i++) {
        binom[c * (B + 1) + i] =
          c === 0 ? 0 : binom[(c - 1) * (B + 1) + i - 1] + binom[(c - 1) * (B + 1) + i];
      }
    }
  }
  const t: BatchTable = {
    n,
    B,
    replacement,
    outcomes: path.outcomes,
    params: P,
    means: new Float64Array(path.outcomes * P),
    binom,
  };
  const idx = new Int32Array(B);
  for (let k = 0; k < t.outcomes; k++) outcomeMeanParams(t, k, fam.table, idx, t.means, k * P);
  if (!byKey) {
    byKey = new Map();
    cache.set(fs, byKey);
  }
  byKey.set(key, t);
  return t;
}
