/**
 * Direct sparse LU that needs no convergence: nested dissection ordering (nested-dissection.ts) and a
 * multifrontal factorisation with dense frontal matrices on Float64Array.
 *
 * Front t holds the unknowns of supernode t (its separator, or a whole leaf set: s of them) and the u
 * later unknowns they couple to; it is assembled from A's entries whose smaller (new) index lies in the
 * supernode plus the children's contribution blocks, its s pivots are eliminated (blocked right-looking LU),
 * and the u×u Schur complement goes to the parent. Factors: per front the s×m pivot rows (L11\U11, U12) and
 * the u×s block L21, m = s + u.
 *
 * Pivoting: none when A or −A is a Z-matrix diagonally dominant by rows or columns, such as −Q_D of an
 * exit-time system, Q_D, or their transposes: every Schur complement stays a dominant M-matrix, elimination is stable and each pivot is
 * computed without cancellation beyond u·|a_kk|. Otherwise threshold partial pivoting (τ = 0.1) among the
 * fully summed rows of each front (no delayed pivots: a pivot that only a row outside the front could supply
 * is reported as singular).
 *
 * Singularity: a pivot below 64·u times its scale (|a_kk| without pivoting, the row's largest entry with
 * pivoting) is rounding noise: `SingularMatrixError`. `minRelativePivot` reports the smallest pivot/scale;
 * 1/minRelativePivot estimates how ill-conditioned the system is.
 *
 * Memory and flops are known after the symbolic analysis (`ndAnalysis`), before any numeric work, and for
 * a whole grid from `directSolveCost(shape, stencil)`.
 */
import { NumericalError, SingularMatrixError, UserError } from "../errors.js";
import { throwIfStopped } from "../stop.js";
import { type Csr, csrFromTriplets, csrTranspose } from "./csr.js";
import { type GridGeometry, nestedDissection, type SeparatorTree } from "./nested-dissection.js";

export interface NdLuOptions {
  /** Grid positions of the unknowns (geometric separators); without it graph level sets are used. */
  geometry?: GridGeometry;
  /** Largest set not cut further (one dense front). Default 24. */
  leafSize?: number;
  /** Threshold partial pivoting τ in [0, 1]; default 0 for diagonally dominant Z-matrices, else 0.1. */
  pivotThreshold?: number;
  /** Refuse (NumericalError) when the analysis says more bytes are needed. Default 2 GiB. */
  maxBytes?: number;
  /**
   * With a geometry: "best" (default) analyses both the geometric and the graph ordering and keeps the one
   * with fewer flops (wide Selling stencils make plane separators thick: 5.9e9 vs 3.0e9 flops on a 256²
   * rank-1 generator, while plane cuts win on compact stencils); "geometric" or "graph" force one.
   */
  ordering?: "best" | "geometric" | "graph";
}

/** Cost of the factorisation, known before numeric work. */
export interface NdCost {
  n: number;
  /** Separators the cost is for. */
  ordering: "geometric" | "graph";
  /** Entries stored in the L and U factors. */
  factorEntries: number;
  /** Peak bytes: factors + contribution-block stack + largest front + index arrays + matrix copies. */
  bytes: number;
  /** Floating-point operations of the factorisation (multiply-adds count 2). */
  flops: number;
  /** Largest front order m. */
  maxFront: number;
  supernodes: number;
}

interface Symbolic extends NdCost {
  tree: SeparatorTree;
  inv: Int32Array;
  /** Permuted matrix B = A(perm, perm) and its transpose. */
  B: Csr;
  Bt: Csr;
  uPtr: Float64Array;
  uIdx: Int32Array;
  childPtr: Int32Array;
  children: Int32Array;
  /** Offset of front t's factors (s·m pivot rows, then u·s L21). */
  fOff: Float64Array;
  stackPeak: number;
}

const U = 2 ** -53;
const S1 = (x: number) => (x * (x + 1)) / 2;
const S2 = (x: number) => (x * (x + 1) * (2 * x + 1)) / 6;

/** Symbolic analysis: ordering, front structures, exact memory and flops (no numeric work). */
export function ndAnalysis(A: Csr, opts: NdLuOptions = {}): Symbolic {
  const n = A.n;
  const tree = nestedDissection(A, { geometry: opts.geometry, leafSize: opts.leafSize });
  const { perm, superStart, parent } = tree;
  const T = parent.length;
  const inv = new Int32Array(n);
  for (let i = 0; i < n; i++) inv[perm[i]] = i;
  // B = A(perm, perm)
  const nnz = A.rowPtr[n];
  const rowPtr = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) rowPtr[i + 1] = rowPtr[i] + A.rowPtr[perm[i] + 1] - A.rowPtr[perm[i]];
  const colIdx = new Int32Array(nnz);
  const values = new Float64Array(nnz);
  for (let i = 0; i < n; i++) {
    const o = perm[i];
    let q = rowPtr[i];
    for (let k = A.rowPtr[o]; k < A.rowPtr[o + 1]; k++) {
      colIdx[q] = inv[A.colIdx[k]];
      values[q++] = A.values[k];
    }
  }
  const B: Csr = { n, rowPtr, colIdx, values };
  const Bt = csrTranspose(B);
  // children lists
  const childPtr = new Int32Array(T + 1);
  for (let t = 0; t < T; t++) if (parent[t] >= 0) childPtr[parent[t] + 1]++;
  for (let t = 0; t < T; t++) childPtr[t + 1] += childPtr[t];
  const children = new Int32Array(childPtr[T]);
  const cfill = childPtr.slice(0, T);
  for (let t = 0; t < T; t++) if (parent[t] >= 0) children[cfill[parent[t]]++] = t;
  // update sets
  const uPtr = new Float64Array(T + 1);
  let uIdx = new Int32Array(Math.max(16, 4 * n));
  let uLen = 0;
  const mark = new Int32Array(n).fill(-1);
  const push = (j: number) => {
    if (uLen === uIdx.length) {
      const g = new Int32Array(2 * uIdx.length);
      g.set(uIdx);
      uIdx = g;
    }
    uIdx[uLen++] = j;
  };
  const fOff = new Float64Array(T + 1);
  let factorEntries = 0;
  let flops = 0;
  let maxFront = 0;
  let sp = 0;
  let stackPeak = 0;
  for (let t = 0; t < T; t++) {
    const start = superStart[t];
    const end = superStart[t + 1];
    const u0 = uLen;
    for (let v = start; v < end; v++) {
      for (let k = rowPtr[v]; k < rowPtr[v + 1]; k++) {
        const j = colIdx[k];
        if (j >= end && mark[j] !== t) {
          mark[j] = t;
          push(j);
        }
      }
      for (let k = Bt.rowPtr[v]; k < Bt.rowPtr[v + 1]; k++) {
        const j = Bt.colIdx[k];
        if (j >= end && mark[j] !== t) {
          mark[j] = t;
          push(j);
        }
      }
    }
    let popped = 0;
    for (let c = childPtr[t]; c < childPtr[t + 1]; c++) {
      const ch = children[c];
      const uc = uPtr[ch + 1] - uPtr[ch];
      popped += uc * uc;
      for (let q = uPtr[ch]; q < uPtr[ch + 1]; q++) {
        const j = uIdx[q];
        if (j >= end && mark[j] !== t) {
          mark[j] = t;
          push(j);
        }
      }
    }
    uIdx.subarray(u0, uLen).sort();
    uPtr[t + 1] = uLen;
    const s = end - start;
    const u = uLen - u0;
    const m = s + u;
    fOff[t + 1] = fOff[t] + s * m + u * s;
    factorEntries += s * m + u * s;
    if (s > 0) flops += S1(m - 1) - S1(u - 1) + 2 * (S2(m - 1) - S2(u - 1));
    if (m > maxFront) maxFront = m;
    stackPeak = Math.max(stackPeak, sp);
    sp -= popped;
    sp += u * u;
    stackPeak = Math.max(stackPeak, sp);
  }
  uIdx = uIdx.slice(0, uLen);
  const bytes =
    8 * (factorEntries + stackPeak + maxFront * maxFront) +
    4 * uLen +
    2 * (12 * nnz + 4 * n) + // B and Bᵀ
    4 * n * 6 + // perm, inv, row permutation, positions, marks, tree
    8 * n * 2; // solve work vectors
  return {
    n,
    ordering: tree.kind,
    factorEntries,
    bytes,
    flops,
    maxFront,
    supernodes: T,
    tree,
    inv,
    B,
    Bt,
    uPtr,
    uIdx,
    childPtr,
    children,
    fOff,
    stackPeak,
  };
}

/** A factorised matrix: solves with A and Aᵀ. */
export interface NdLu extends NdCost {
  /** x = A⁻¹ b (x may alias nothing; b is not modified). */
  solve(b: Float64Array, x: Float64Array): Float64Array;
  /** x = A⁻ᵀ b. */
  solveTranspose(b: Float64Array, x: Float64Array): Float64Array;
  /** "none" (diagonally dominant Z-matrix) or "threshold τ" partial pivoting within fronts. */
  pivoting: string;
  /** Row interchanges made. */
  interchanges: number;
  /** Smallest |pivot|/scale (see the module comment). */
  minRelativePivot: number;
  /** Pivots with |pivot|/scale < 1e-8 (ill-conditioning warning). */
  smallPivots: number;
  ordering: "geometric" | "graph";
  seconds: { analysis: number; factor: number };
}

/**
 * True when A or −A is a Z-matrix (off-diagonals ≤ 0, diagonal ≥ 0) weakly diagonally dominant by rows or by
 * columns (−Q_D, Q_D, their transposes): Gaussian elimination needs no pivoting there.
 */
export function isDominantZMatrix(A: Csr): boolean {
  return dominantZ(A, 1) || dominantZ(A, -1);
}

function dominantZ(A: Csr, sign: number): boolean {
  const { n, rowPtr, colIdx, values } = A;
  const diag = new Float64Array(n);
  const rowOff = new Float64Array(n);
  const colOff = new Float64Array(n);
  for (let i = 0; i < n; i++)
    for (let k = rowPtr[i]; k < rowPtr[i + 1]; k++) {
      const j = colIdx[k];
      const v = sign * values[k];
      if (j === i) diag[i] += v;
      else {
        if (v > 0) return false;
        rowOff[i] -= v;
        colOff[j] -= v;
      }
    }
  let byRow = true;
  let byCol = true;
  for (let i = 0; i < n; i++) {
    if (diag[i] < 0) return false;
    const slack = 1e-12 * diag[i];
    if (rowOff[i] > diag[i] + slack) byRow = false;
    if (colOff[i] > diag[i] + slack) byCol = false;
  }
  return byRow || byCol;
}

const now = () => (typeof performance !== "undefined" ? performance.now() : Date.now());

/** Nested dissection + multifrontal LU of a square sparse A (see the module comment). */
export function ndLu(A: Csr, opts: NdLuOptions = {}): NdLu {
  const n = A.n;
  if (opts.geometry) {
    const size = opts.geometry.shape.reduce((a, b) => a * b, 1);
    const nodes = opts.geometry.nodes;
    if (nodes ? nodes.length !== n : size !== n)
      throw new UserError(
        `nd-lu: the grid geometry (shape ${opts.geometry.shape.join("×")}${nodes ? `, ${nodes.length} node indices` : ""}) does not match the ${n}×${n} matrix`,
        { where: "grid", hint: "shape whose product is n, or nodes[] with one grid index per unknown" },
      );
  }
  const t0 = now();
  const which = opts.geometry ? (opts.ordering ?? "best") : "graph";
  let sym = ndAnalysis(A, which === "graph" ? { ...opts, geometry: undefined } : opts);
  if (which === "best") {
    const alt = ndAnalysis(A, { ...opts, geometry: undefined });
    if (alt.flops < sym.flops) sym = alt;
  }
  const maxBytes = opts.maxBytes ?? 2 * 2 ** 30;
  if (sym.bytes > maxBytes)
    throw new NumericalError(
      `nd-lu needs ${(sym.bytes / 2 ** 20).toFixed(0)} MB (${sym.factorEntries.toExponential(2)} factor entries, largest front ${sym.maxFront}) > cap ${(maxBytes / 2 ** 20).toFixed(0)} MB`,
    );
  const t1 = now();
  const { tree, B, Bt, uPtr, uIdx, childPtr, fOff } = sym;
  const { superStart, perm } = tree;
  const T = superStart.length - 1;
  const tau = opts.pivotThreshold ?? (isDominantZMatrix(A) ? 0 : 0.1);
  // scale of each (new) row: |a_kk| without pivoting, largest |entry| of the row with pivoting
  const scale = new Float64Array(n);
  for (let i = 0; i < n; i++)
    for (let k = B.rowPtr[i]; k < B.rowPtr[i + 1]; k++) {
      const v = Math.abs(B.values[k]);
      if (tau === 0 ? B.colIdx[k] === i : v > scale[i]) scale[i] = tau === 0 ? scale[i] + v : v;
    }
  const factors = new Float64Array(sym.factorEntries);
  const stack = new Float64Array(sym.stackPeak);
  const F = new Float64Array(sym.maxFront * sym.maxFront);
  const pos = new Int32Array(n);
  const rowPerm = new Int32Array(n); // local original row of pivot k: rowPerm[start + k]
  const NB = 32;
  let sp = 0;
  let interchanges = 0;
  let minRel = Number.POSITIVE_INFINITY;
  let small = 0;
  const threshold = 64 * U;
  for (let t = 0; t < T; t++) {
    throwIfStopped("the sparse LU factorisation");
    const start = superStart[t];
    const end = superStart[t + 1];
    const s = end - start;
    const u0 = uPtr[t];
    const u = uPtr[t + 1] - u0;
    const m = s + u;
    for (let k = 0; k < s; k++) {
      pos[start + k] = k;
      rowPerm[start + k] = k;
    }
    for (let i = 0; i < u; i++) pos[uIdx[u0 + i]] = s + i;
    F.fill(0, 0, m * m);
    // original entries whose smaller index is in this supernode
    for (let v = start; v < end; v++) {
      const rv = (v - start) * m;
      for (let k = B.rowPtr[v]; k < B.rowPtr[v + 1]; k++) {
        const j = B.colIdx[k];
        if (j >= start) F[rv + pos[j]] += B.values[k];
      }
      for (let k = Bt.rowPtr[v]; k < Bt.rowPtr[v + 1]; k++) {
        const i = Bt.colIdx[k];
        if (i >= end) F[pos[i] * m + (v - start)] += Bt.values[k];
      }
    }
    // extend-add the children's contribution blocks (top of the stack, in order)
    let popped = 0;
    for (let c = childPtr[t]; c < childPtr[t + 1]; c++) {
      const ch = sym.children[c];
      const uc = uPtr[ch + 1] - uPtr[ch];
      popped += uc * uc;
    }
    sp -= popped;
    let off = sp;
    for (let c = childPtr[t]; c < childPtr[t + 1]; c++) {
      const ch = sym.children[c];
      const c0 = uPtr[ch];
      const uc = uPtr[ch + 1] - c0;
      for (let i = 0; i < uc; i++) {
        const ri = pos[uIdx[c0 + i]] * m;
        const ci = off + i * uc;
        for (let j = 0; j < uc; j++) F[ri + pos[uIdx[c0 + j]]] += stack[ci + j];
      }
      off += uc * uc;
    }
    // blocked right-looking partial LU of the s pivots
    for (let kb = 0; kb < s; kb += NB) {
      const ke = Math.min(s, kb + NB);
      for (let k = kb; k < ke; k++) {
        const kk = k * m + k;
        let piv = k;
        if (tau > 0) {
          let best = Math.abs(F[kk]);
          let arg = k;
          for (let i = k + 1; i < s; i++) {
            const a = Math.abs(F[i * m + k]);
            if (a > best) {
              best = a;
              arg = i;
            }
          }
          if (Math.abs(F[kk]) < tau * best) piv = arg;
        }
        if (piv !== k) {
          interchanges++;
          const a0 = k * m;
          const b0 = piv * m;
          for (let j = 0; j < m; j++) {
            const tmp = F[a0 + j];
            F[a0 + j] = F[b0 + j];
            F[b0 + j] = tmp;
          }
          const tp = rowPerm[start + k];
          rowPerm[start + k] = rowPerm[start + piv];
          rowPerm[start + piv] = tp;
        }
        const p = F[kk];
        const sc = scale[start + rowPerm[start + k]];
        const rel = sc > 0 ? Math.abs(p) / sc : p === 0 ? 0 : Number.POSITIVE_INFINITY;
        if (!(rel > threshold) || !Number.isFinite(p)) {
          const unknown = perm[start + rowPerm[start + k]];
          throw new SingularMatrixError(
            `the matrix is singular to double precision: the pivot of unknown ${unknown} is ${p.toExponential(2)}, ${rel.toExponential(1)} of its scale ${sc.toExponential(2)} (rounding noise); for a generator this means a set of states that is never absorbed, or a mean exit time beyond ~1e14 holding times 1/|q_ii| — effectively infinite in double precision`,
            { unknown, relativePivot: rel },
          );
        }
        if (rel < minRel) minRel = rel;
        if (rel < 1e-8) small++;
        const ip = 1 / p;
        // column k below the pivot, and the rest of this column block
        for (let i = k + 1; i < m; i++) {
          const ri = i * m;
          let l = F[ri + k];
          if (l === 0) continue;
          l *= ip;
          F[ri + k] = l;
          const rk = k * m;
          for (let j = k + 1; j < ke; j++) F[ri + j] -= l * F[rk + j];
        }
      }
      if (ke === m) continue;
      // U12 of the block rows: rows kb..ke-1, columns ke..m-1 (unit lower triangular solve)
      for (let r = kb + 1; r < ke; r++) {
        const rr = r * m;
        for (let k = kb; k < r; k++) {
          const l = F[rr + k];
          if (l === 0) continue;
          const rk = k * m;
          for (let j = ke; j < m; j++) F[rr + j] -= l * F[rk + j];
        }
      }
      // trailing update: rows ke..m-1, columns ke..m-1, four pivot rows at a time (one pass over row i)
      for (let i = ke; i < m; i++) {
        const ri = i * m;
        let k = kb;
        for (; k + 3 < ke; k += 4) {
          const l0 = F[ri + k];
          const l1 = F[ri + k + 1];
          const l2 = F[ri + k + 2];
          const l3 = F[ri + k + 3];
          if (l0 === 0 && l1 === 0 && l2 === 0 && l3 === 0) continue;
          const r0 = k * m;
          const r1 = r0 + m;
          const r2 = r1 + m;
          const r3 = r2 + m;
          for (let j = ke; j < m; j++)
            F[ri + j] -= l0 * F[r0 + j] + l1 * F[r1 + j] + l2 * F[r2 + j] + l3 * F[r3 + j];
        }
        for (; k < ke; k++) {
          const l = F[ri + k];
          if (l === 0) continue;
          const rk = k * m;
          for (let j = ke; j < m; j++) F[ri + j] -= l * F[rk + j];
        }
      }
    }
    // store pivot rows (s×m), L21 (u×s); push the contribution block (u×u)
    const fo = fOff[t];
    factors.set(F.subarray(0, s * m), fo);
    let q = fo + s * m;
    for (let i = s; i < m; i++) {
      const ri = i * m;
      for (let k = 0; k < s; k++) factors[q++] = F[ri + k];
    }
    for (let i = s; i < m; i++) {
      const ri = i * m + s;
      const ci = sp + (i - s) * u;
      for (let j = 0; j < u; j++) stack[ci + j] = F[ri + j];
    }
    sp += u * u;
  }
  const t2 = now();
  const y = new Float64Array(n);
  const z = new Float64Array(Math.max(1, maxSuper(superStart)));

  const solve = (b: Float64Array, x: Float64Array): Float64Array => {
    if (b.length !== n || x.length !== n)
      throw new UserError(`nd-lu solve: vectors of length ${b.length}, ${x.length}; the matrix is ${n}×${n}`);
    for (let i = 0; i < n; i++) y[i] = b[perm[i]];
    // forward: L y = Π b, fronts in postorder
    for (let t = 0; t < T; t++) {
      const start = superStart[t];
      const s = superStart[t + 1] - start;
      if (s === 0) continue;
      const u0 = uPtr[t];
      const u = uPtr[t + 1] - u0;
      const m = s + u;
      const fo = fOff[t];
      for (let k = 0; k < s; k++) z[k] = y[start + rowPerm[start + k]];
      for (let k = 1; k < s; k++) {
        const rk = fo + k * m;
        let acc = z[k];
        for (let j = 0; j < k; j++) acc -= factors[rk + j] * z[j];
        z[k] = acc;
      }
      for (let k = 0; k < s; k++) y[start + k] = z[k];
      const lo = fo + s * m;
      for (let i = 0; i < u; i++) {
        const ri = lo + i * s;
        let acc = 0;
        for (let k = 0; k < s; k++) acc += factors[ri + k] * z[k];
        y[uIdx[u0 + i]] -= acc;
      }
    }
    // backward: U x = y, fronts in reverse postorder
    for (let t = T - 1; t >= 0; t--) {
      const start = superStart[t];
      const s = superStart[t + 1] - start;
      if (s === 0) continue;
      const u0 = uPtr[t];
      const u = uPtr[t + 1] - u0;
      const m = s + u;
      const fo = fOff[t];
      for (let k = s - 1; k >= 0; k--) {
        const rk = fo + k * m;
        let acc = y[start + k];
        for (let i = 0; i < u; i++) acc -= factors[rk + s + i] * y[uIdx[u0 + i]];
        for (let j = k + 1; j < s; j++) acc -= factors[rk + j] * y[start + j];
        y[start + k] = acc / factors[rk + k];
      }
    }
    for (let i = 0; i < n; i++) x[perm[i]] = y[i];
    return x;
  };

  const solveTranspose = (b: Float64Array, x: Float64Array): Float64Array => {
    if (b.length !== n || x.length !== n)
      throw new UserError(`nd-lu solve: vectors of length ${b.length}, ${x.length}; the matrix is ${n}×${n}`);
    for (let i = 0; i < n; i++) y[i] = b[perm[i]];
    // Uᵀ w = c, fronts in postorder (w overwrites y at the pivots' positions)
    for (let t = 0; t < T; t++) {
      const start = superStart[t];
      const s = superStart[t + 1] - start;
      if (s === 0) continue;
      const u0 = uPtr[t];
      const u = uPtr[t + 1] - u0;
      const m = s + u;
      const fo = fOff[t];
      for (let k = 0; k < s; k++) {
        let acc = y[start + k];
        for (let j = 0; j < k; j++) acc -= factors[fo + j * m + k] * y[start + j];
        y[start + k] = acc / factors[fo + k * m + k];
      }
      for (let i = 0; i < u; i++) {
        let acc = 0;
        for (let k = 0; k < s; k++) acc += factors[fo + k * m + s + i] * y[start + k];
        y[uIdx[u0 + i]] -= acc;
      }
    }
    // Lᵀ v = w, reverse postorder; then undo the row interchanges (x = Πᵀ v), kept in y's unpermuted rows
    for (let t = T - 1; t >= 0; t--) {
      const start = superStart[t];
      const s = superStart[t + 1] - start;
      if (s === 0) continue;
      const u0 = uPtr[t];
      const u = uPtr[t + 1] - u0;
      const m = s + u;
      const fo = fOff[t];
      const lo = fo + s * m;
      for (let k = 0; k < s; k++) z[k] = y[start + k];
      for (let i = 0; i < u; i++) {
        const yi = y[uIdx[u0 + i]];
        if (yi === 0) continue;
        const ri = lo + i * s;
        for (let k = 0; k < s; k++) z[k] -= factors[ri + k] * yi;
      }
      for (let k = s - 1; k >= 0; k--) {
        const zk = z[k];
        if (zk === 0) continue;
        const rk = fo + k * m;
        for (let j = 0; j < k; j++) z[j] -= factors[rk + j] * zk;
      }
      for (let k = 0; k < s; k++) y[start + rowPerm[start + k]] = z[k];
    }
    for (let i = 0; i < n; i++) x[perm[i]] = y[i];
    return x;
  };

  return {
    n,
    factorEntries: sym.factorEntries,
    bytes: sym.bytes,
    flops: sym.flops,
    maxFront: sym.maxFront,
    supernodes: T,
    solve,
    solveTranspose,
    pivoting: tau === 0 ? "none" : `threshold ${tau}`,
    interchanges,
    minRelativePivot: minRel,
    smallPivots: small,
    ordering: tree.kind,
    seconds: { analysis: (t1 - t0) / 1000, factor: (t2 - t1) / 1000 },
  };
}

function maxSuper(superStart: Int32Array): number {
  let m = 0;
  for (let t = 0; t + 1 < superStart.length; t++) m = Math.max(m, superStart[t + 1] - superStart[t]);
  return m;
}

/** Offsets of a stencil: "axis" (2d+1 points: 3, 5, 7) or "box" (3^d points: 9, 27). */
function stencilOffsets(d: number, stencil: number): number[][] {
  const axis = 2 * d + 1;
  const box = 3 ** d;
  if (stencil !== axis && stencil !== box)
    throw new UserError(`directSolveCost: a ${stencil}-point stencil in ${d}-D`, {
      where: "stencil",
      hint: `${axis} (axis neighbours) or ${box} (all neighbours in the 3^${d} box)`,
    });
  const out: number[][] = [];
  const off = new Array(d).fill(-1);
  for (let c = 0; c < box; c++) {
    let r = c;
    for (let a = 0; a < d; a++) {
      off[a] = (r % 3) - 1;
      r = Math.floor(r / 3);
    }
    const nz = off.filter((o) => o !== 0).length;
    if (nz === 0) continue;
    if (stencil === axis && nz > 1) continue;
    out.push(off.slice());
  }
  return out;
}

/**
 * Memory (bytes) and flops the nd-lu factorisation needs for a whole grid of `shape` with a
 * `stencil`-point pattern (3/5/7 axis neighbours, 9/27 box neighbours), from the exact symbolic analysis
 * of that pattern with the solver's own default ordering (the cheaper of plane and level-set separators). The generator's Selling stencils can be wider than the
 * 3^d box: the analysis of the actual matrix (`ndAnalysis`) is exact, this is the estimate for refusing
 * early. Takes ~1 s per million grid nodes.
 */
export function directSolveCost(shape: readonly number[], stencil: number): NdCost {
  const d = shape.length;
  if (d < 1 || d > 3 || shape.some((s) => !Number.isInteger(s) || s < 1))
    throw new UserError(`directSolveCost: grid shape [${shape.join(", ")}]`, {
      where: "shape",
      hint: "1 to 3 positive integers (nodes per axis)",
    });
  const offs = stencilOffsets(d, stencil);
  const n = shape.reduce((a, b) => a * b, 1);
  const cap = n * (offs.length + 1);
  const rows = new Int32Array(cap);
  const cols = new Int32Array(cap);
  const vals = new Float64Array(cap);
  let q = 0;
  const sh = [shape[0], shape[1] ?? 1, shape[2] ?? 1];
  for (let k = 0; k < sh[2]; k++)
    for (let j = 0; j < sh[1]; j++)
      for (let i = 0; i < sh[0]; i++) {
        const me = i + sh[0] * (j + sh[1] * k);
        rows[q] = me;
        cols[q] = me;
        vals[q++] = 1;
        for (const o of offs) {
          const a = i + o[0];
          const b = j + (o[1] ?? 0);
          const c = k + (o[2] ?? 0);
          if (a < 0 || b < 0 || c < 0 || a >= sh[0] || b >= sh[1] || c >= sh[2]) continue;
          rows[q] = me;
          cols[q] = a + sh[0] * (b + sh[1] * c);
          vals[q++] = 1;
        }
      }
  const A = csrFromTriplets(n, rows, cols, vals, q);
  // the same choice as ndLu's default ordering "best": the cheaper of plane and level-set separators
  const geo = ndAnalysis(A, { geometry: { shape } });
  const graph = ndAnalysis(A);
  const s = graph.flops < geo.flops ? graph : geo;
  return {
    n,
    factorEntries: s.factorEntries,
    bytes: s.bytes,
    flops: s.flops,
    maxFront: s.maxFront,
    supernodes: s.supernodes,
    ordering: s.tree.kind,
  };
}
