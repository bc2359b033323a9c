/**
 * A few eigenvalues of a sparse nonsymmetric matrix nearest a shift, by shift-invert Arnoldi
 * with explicit restarts, and the null vector (stationary law) of a transposed generator.
 *
 * Convention for generators: `eigsNearShift(A, k)` with A = −Q returns the k eigenvalues of −Q
 * nearest σ (default a tiny negative shift, so that the eigenvalue 0 of a conservative generator is
 * found without factorising a singular matrix). Re λ ≥ 0 for −Q; the spectral gap is the smallest
 * nonzero Re λ, relaxation times 1/Re λ (SDE time).
 */

import { NumericalError, UserError } from "../errors.js";
import { type Csr, csrMatVec, csrSubmatrix } from "./csr.js";
import { norm2 } from "./residual.js";
import { type SolveSparseOptions, sparseSolver } from "./solve.js";

/**
 * Eigenvalues of a real upper Hessenberg matrix (row-major m×m, overwritten) by the Francis
 * double-shift QR algorithm (EISPACK hqr). Returns real and imaginary parts (conjugate pairs
 * adjacent, positive imaginary part first).
 */
export function hessenbergEigenvalues(a: Float64Array, n: number): { re: Float64Array; im: Float64Array } {
  const wr = new Float64Array(n);
  const wi = new Float64Array(n);
  const A = (i: number, j: number) => a[i * n + j];
  const S = (i: number, j: number, v: number) => {
    a[i * n + j] = v;
  };
  let anorm = 0;
  for (let i = 0; i < n; i++) for (let j = Math.max(i - 1, 0); j < n; j++) anorm += Math.abs(A(i, j));
  let nn = n - 1;
  let t = 0;
  let p = 0;
  let q = 0;
  let r = 0;
  let s = 0;
  let w = 0;
  let x = 0;
  let y = 0;
  let z = 0;
  while (nn >= 0) {
    let its = 0;
    let l: number;
    do {
      for (l = nn; l >= 1; l--) {
        s = Math.abs(A(l - 1, l - 1)) + Math.abs(A(l, l));
        if (s === 0) s = anorm;
        if (Math.abs(A(l, l - 1)) + s === s) {
          S(l, l - 1, 0);
          break;
        }
      }
      x = A(nn, nn);
      if (l === nn) {
        wr[nn] = x + t;
        wi[nn] = 0;
        nn--;
      } else {
        y = A(nn - 1, nn - 1);
        w = A(nn, nn - 1) * A(nn - 1, nn);
        if (l === nn - 1) {
          p = 0.5 * (y - x);
          q = p * p + w;
          z = Math.sqrt(Math.abs(q));
          x += t;
          if (q >= 0) {
            z = p + (p >= 0 ? Math.abs(z) : -Math.abs(z));
            wr[nn - 1] = wr[nn] = x + z;
            if (z) wr[nn] = x - w / z;
            wi[nn - 1] = wi[nn] = 0;
          } else {
            wr[nn - 1] = wr[nn] = x + p;
            wi[nn - 1] = z;
            wi[nn] = -z;
          }
          nn -= 2;
        } else {
          if (its === 60) throw new NumericalError("hessenbergEigenvalues: QR iteration did not converge");
          if (its === 10 || its === 20 || its === 40) {
            t += x;
            for (let i = 0; i <= nn; i++) S(i, i, A(i, i) - x);
            s = Math.abs(A(nn, nn - 1)) + Math.abs(A(nn - 1, nn - 2));
            y = x = 0.75 * s;
            w = -0.4375 * s * s;
          }
          ++its;
          let m: number;
          for (m = nn - 2; m >= l; m--) {
            z = A(m, m);
            r = x - z;
            s = y - z;
            p = (r * s - w) / A(m + 1, m) + A(m, m + 1);
            q = A(m + 1, m + 1) - z - r - s;
            r = A(m + 2, m + 1);
            s = Math.abs(p) + Math.abs(q) + Math.abs(r);
            p /= s;
            q /= s;
            r /= s;
            if (m === l) break;
            const u = Math.abs(A(m, m - 1)) * (Math.abs(q) + Math.abs(r));
            const v = Math.abs(p) * (Math.abs(A(m - 1, m - 1)) + Math.abs(z) + Math.abs(A(m + 1, m + 1)));
            if (u + v === v) break;
          }
          for (let i = m + 2; i <= nn; i++) {
            S(i, i - 2, 0);
            if (i !== m + 2) S(i, i - 3, 0);
          }
          for (let k = m; k <= nn - 1; k++) {
            if (k !== m) {
              p = A(k, k - 1);
              q = A(k + 1, k - 1);
              r = 0;
              if (k !== nn - 1) r = A(k + 2, k - 1);
              x = Math.abs(p) + Math.abs(q) + Math.abs(r);
              if (x !== 0) {
                p /= x;
                q /= x;
                r /= x;
              }
            }
            const nrm = Math.sqrt(p * p + q * q + r * r);
            s = p >= 0 ? nrm : -nrm;
            if (s !== 0) {
              if (k === m) {
                if (l !== m) S(k, k - 1, -A(k, k - 1));
              } else S(k, k - 1, -s * x);
              p += s;
              x = p / s;
              y = q / s;
              z = r / s;
              q /= p;
              r /= p;
              for (let j = k; j <= nn; j++) {
                p = A(k, j) + q * A(k + 1, j);
                if (k !== nn - 1) {
                  p += r * A(k + 2, j);
                  S(k + 2, j, A(k + 2, j) - p * z);
                }
                S(k + 1, j, A(k + 1, j) - p * y);
                S(k, j, A(k, j) - p * x);
              }
              const mmin = Math.min(nn, k + 3);
              for (let i = l; i <= mmin; i++) {
                p = x * A(i, k) + y * A(i, k + 1);
                if (k !== nn - 1) {
                  p += z * A(i, k + 2);
                  S(i, k + 2, A(i, k + 2) - p * r);
                }
                S(i, k + 1, A(i, k + 1) - p * q);
                S(i, k, A(i, k) - p);
              }
            }
          }
        }
      }
    } while (l < nn - 1);
  }
  return { re: wr, im: wi };
}

/** Reduces a dense m×m matrix (row-major, copied) to upper Hessenberg form (Householder). */
export function toHessenberg(M: Float64Array, n: number): Float64Array {
  const a = Float64Array.from(M.subarray(0, n * n));
  const v = new Float64Array(n);
  for (let k = 0; k < n - 2; k++) {
    let alpha = 0;
    for (let i = k + 1; i < n; i++) alpha += a[i * n + k] * a[i * n + k];
    alpha = Math.sqrt(alpha);
    if (alpha === 0) continue;
    if (a[(k + 1) * n + k] > 0) alpha = -alpha;
    v.fill(0);
    for (let i = k + 1; i < n; i++) v[i] = a[i * n + k];
    v[k + 1] -= alpha;
    let vn = 0;
    for (let i = k + 1; i < n; i++) vn += v[i] * v[i];
    if (vn === 0) continue;
    // a = (I − 2vvᵀ/vn) a (I − 2vvᵀ/vn)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let i = k + 1; i < n; i++) s += v[i] * a[i * n + j];
      s = (2 * s) / vn;
      for (let i = k + 1; i < n; i++) a[i * n + j] -= s * v[i];
    }
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = k + 1; j < n; j++) s += a[i * n + j] * v[j];
      s = (2 * s) / vn;
      for (let j = k + 1; j < n; j++) a[i * n + j] -= s * v[j];
    }
    for (let i = k + 2; i < n; i++) a[i * n + k] = 0;
  }
  return a;
}

/** Eigenvalues of a general dense real n×n matrix (Hessenberg reduction + Francis QR). */
export function denseEigenvalues(M: Float64Array, n: number): { re: Float64Array; im: Float64Array } {
  return hessenbergEigenvalues(toHessenberg(M, n), n);
}

/**
 * Complex eigenvector of the dense m×m matrix H for the (approximate) eigenvalue θ = tr + i·ti,
 * by two steps of inverse iteration with a slightly perturbed shift. Returns unit-norm (yr, yi).
 */
function denseEigenvector(
  H: Float64Array,
  m: number,
  tr: number,
  ti: number,
): { yr: Float64Array; yi: Float64Array } {
  let scale = 0;
  for (let i = 0; i < m * m; i++) scale = Math.max(scale, Math.abs(H[i]));
  const pert = (scale || 1) * 1e-13;
  const sr = tr + pert;
  const si = ti;
  // complex matrix B = H − θI
  const br = new Float64Array(m * m);
  const bi = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) br[i * m + j] = H[i * m + j];
    br[i * m + i] -= sr;
    bi[i * m + i] -= si;
  }
  // LU with partial pivoting (complex)
  const piv = new Int32Array(m);
  for (let k = 0; k < m; k++) {
    let p = k;
    let best = -1;
    for (let i = k; i < m; i++) {
      const v = Math.hypot(br[i * m + k], bi[i * m + k]);
      if (v > best) {
        best = v;
        p = i;
      }
    }
    piv[k] = p;
    if (p !== k) {
      for (let j = 0; j < m; j++) {
        let t = br[k * m + j];
        br[k * m + j] = br[p * m + j];
        br[p * m + j] = t;
        t = bi[k * m + j];
        bi[k * m + j] = bi[p * m + j];
        bi[p * m + j] = t;
      }
    }
    let dr = br[k * m + k];
    const di = bi[k * m + k];
    if (dr === 0 && di === 0) {
      dr = pert;
      br[k * m + k] = dr;
    }
    const den = dr * dr + di * di;
    for (let i = k + 1; i < m; i++) {
      const ar = br[i * m + k];
      const ai = bi[i * m + k];
      if (ar === 0 && ai === 0) continue;
      const lr = (ar * dr + ai * di) / den;
      const li = (ai * dr - ar * di) / den;
      br[i * m + k] = lr;
      bi[i * m + k] = li;
      for (let j = k + 1; j < m; j++) {
        const ur = br[k * m + j];
        const ui = bi[k * m + j];
        br[i * m + j] -= lr * ur - li * ui;
        bi[i * m + j] -= lr * ui + li * ur;
      }
    }
  }
  let yr = new Float64Array(m).fill(1);
  let yi = new Float64Array(m);
  for (let i = 0; i < m; i++) yr[i] = 1 + 0.1 * Math.sin(i + 1);
  for (let step = 0; step < 3; step++) {
    const xr = Float64Array.from(yr);
    const xi = Float64Array.from(yi);
    for (let k = 0; k < m; k++) {
      const p = piv[k];
      if (p !== k) {
        let t = xr[k];
        xr[k] = xr[p];
        xr[p] = t;
        t = xi[k];
        xi[k] = xi[p];
        xi[p] = t;
      }
    }
    for (let i = 0; i < m; i++) {
      let sr2 = xr[i];
      let si2 = xi[i];
      for (let j = 0; j < i; j++) {
        const lr = br[i * m + j];
        const li = bi[i * m + j];
        sr2 -= lr * xr[j] - li * xi[j];
        si2 -= lr * xi[j] + li * xr[j];
      }
      xr[i] = sr2;
      xi[i] = si2;
    }
    for (let i = m - 1; i >= 0; i--) {
      let sr2 = xr[i];
      let si2 = xi[i];
      for (let j = i + 1; j < m; j++) {
        const ur = br[i * m + j];
        const ui = bi[i * m + j];
        sr2 -= ur * xr[j] - ui * xi[j];
        si2 -= ur * xi[j] + ui * xr[j];
      }
      const dr = br[i * m + i];
      const di = bi[i * m + i];
      const den = dr * dr + di * di;
      xr[i] = (sr2 * dr + si2 * di) / den;
      xi[i] = (si2 * dr - sr2 * di) / den;
    }
    let nrm = 0;
    for (let i = 0; i < m; i++) nrm += xr[i] * xr[i] + xi[i] * xi[i];
    nrm = Math.sqrt(nrm);
    if (!(nrm > 0) || !Number.isFinite(nrm)) break;
    yr = xr.map((v) => v / nrm);
    yi = xi.map((v) => v / nrm);
  }
  return { yr, yi };
}

export interface EigsOptions {
  /** Shift σ: eigenvalues nearest σ are returned. Default −1e-8·‖A‖∞ (see module doc). */
  shift?: number;
  /** Krylov subspace size per cycle. Default max(2k + 10, 30), capped at n. */
  subspace?: number;
  /** Maximum Arnoldi restarts. Default 20. */
  maxRestarts?: number;
  /** Converged when ‖A x − λ x‖₂ ≤ tol·(‖A‖∞·‖x‖₂). Default 1e-10. */
  tol?: number;
  /** Options for the linear solves with A − σI (tolerance defaults to 1e-13). */
  solve?: SolveSparseOptions;
  /** Start vector (default deterministic pseudo-random). */
  v0?: Float64Array;
}

export interface EigsResult {
  /** Real parts, ordered by distance to the shift (nearest first). */
  re: Float64Array;
  /** Imaginary parts (complex pairs appear as two entries). */
  im: Float64Array;
  /** Right eigenvectors: vectorsRe[k] + i·vectorsIm[k], unit 2-norm, largest entry real positive. */
  vectorsRe: Float64Array[];
  vectorsIm: Float64Array[];
  /** ‖A x − λ x‖₂ / (‖A‖∞ ‖x‖₂) per eigenpair, computed from A itself. */
  residuals: Float64Array;
  converged: boolean;
  /** Arnoldi cycles used and linear solves performed. */
  restarts: number;
  solves: number;
  shift: number;
  /** Linear solver method used for A − σI. */
  method: string;
}

/**
 * The k eigenvalues of the sparse matrix A nearest the shift σ, with right eigenvectors,
 * by shift-invert Arnoldi on (A − σI)⁻¹ (modified Gram–Schmidt with reorthogonalisation;
 * explicit restart from the wanted Ritz vectors). For the spectral gap of a generator pass A = −Q.
 * Throws NumericalError if the linear solves fail; returns converged=false (with residuals) if
 * the eigenpairs do not reach tol.
 */
export function eigsNearShift(A: Csr, k: number, opts: EigsOptions = {}): EigsResult {
  const n = A.n;
  if (!Number.isInteger(k) || k < 1 || k > n) throw new UserError(`eigsNearShift: k=${k} must be in 1..${n}`);
  let normInf = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let p = A.rowPtr[i]; p < A.rowPtr[i + 1]; p++) s += Math.abs(A.values[p]);
    normInf = Math.max(normInf, s);
  }
  const sigma = opts.shift ?? -1e-8 * normInf;
  const tol = opts.tol ?? 1e-10;
  const m = Math.min(n, Math.max(opts.subspace ?? Math.max(2 * k + 10, 30), k + 2));
  const maxRestarts = opts.maxRestarts ?? 20;
  // B = A − σI (diagonal entries must exist or are added)
  const shifted = shiftDiagonal(A, -sigma);
  const solver = sparseSolver(shifted, shiftInvertSolveOptions(n, opts.solve));
  let method = "";
  const V = new Float64Array((m + 1) * n);
  const H = new Float64Array((m + 1) * m);
  const w = new Float64Array(n);
  let v0 = opts.v0 ? Float64Array.from(opts.v0) : new Float64Array(n);
  if (!opts.v0) {
    let seed = 12345;
    for (let i = 0; i < n; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      v0[i] = 0.5 + seed / 2 ** 32;
    }
  }
  let solves = 0;
  let best: EigsResult | undefined;
  for (let cycle = 0; cycle <= maxRestarts; cycle++) {
    // Arnoldi: OP V_j = V_{j+1} H
    const nv = norm2(v0);
    if (!(nv > 0)) throw new NumericalError("eigsNearShift: zero start vector");
    for (let i = 0; i < n; i++) V[i] = v0[i] / nv;
    H.fill(0);
    let mm = m;
    for (let j = 0; j < m; j++) {
      const res = solver.solve(V.subarray(j * n, (j + 1) * n));
      solves++;
      method = res.method;
      w.set(res.x);
      for (let pass = 0; pass < 2; pass++) {
        for (let i = 0; i <= j; i++) {
          const vi = V.subarray(i * n, (i + 1) * n);
          let h = 0;
          for (let t = 0; t < n; t++) h += w[t] * vi[t];
          H[i * m + j] += h;
          for (let t = 0; t < n; t++) w[t] -= h * vi[t];
        }
      }
      const hn = norm2(w);
      H[(j + 1) * m + j] = hn;
      if (hn <= 1e-14 * Math.abs(H[j * m + j]) || hn === 0) {
        mm = j + 1; // invariant subspace found
        break;
      }
      const vn = V.subarray((j + 1) * n, (j + 2) * n);
      for (let t = 0; t < n; t++) vn[t] = w[t] / hn;
    }
    // Ritz values θ of H (mm×mm); eigenvalues λ = σ + 1/θ; wanted: largest |θ|
    const Hm = new Float64Array(mm * mm);
    for (let i = 0; i < mm; i++) for (let j = 0; j < mm; j++) Hm[i * mm + j] = H[i * m + j];
    const { re: tr, im: ti } = hessenbergEigenvalues(Float64Array.from(Hm), mm);
    const idx = Array.from({ length: mm }, (_, i) => i).sort(
      (a, b) => Math.hypot(tr[b], ti[b]) - Math.hypot(tr[a], ti[a]) || ti[b] - ti[a],
    );
    const want = idx.slice(0, Math.min(k, mm));
    const out = assemble(A, V, Hm, mm, n, want, tr, ti, sigma, normInf);
    out.restarts = cycle;
    out.solves = solves;
    out.method = method;
    const ok = out.residuals.every((r) => r <= tol);
    out.converged = ok && want.length === k;
    if (!best || maxOf(out.residuals) < maxOf(best.residuals)) best = out;
    if (out.converged || mm < m) return out;
    // restart from the sum of the wanted Ritz vectors (real and imaginary parts)
    v0 = new Float64Array(n);
    for (let q = 0; q < out.vectorsRe.length; q++) {
      const xr = out.vectorsRe[q];
      const xi = out.vectorsIm[q];
      for (let i = 0; i < n; i++) v0[i] += xr[i] + xi[i];
    }
  }
  return best!;
}

/**
 * Solver options for the m solves of shift-invert with one matrix: unless the caller chose, the direct nd-lu goes
 * first (factorised once, each solve then costs one forward/back substitution; refused after its symbolic
 * analysis when above 512 MB), then the iterative methods. On the three-minima example's generator (k = 4) it
 * takes 25–50% less CPU than AMG-BiCGSTAB at 61², 2.2–2.8× less at 161²: the same eigenvalues to 1e-10, smaller
 * residuals.
 */
function shiftInvertSolveOptions(n: number, o: SolveSparseOptions | undefined): SolveSparseOptions {
  if (n <= 400 || o?.method !== undefined || (o?.plan?.length ?? 0) > 0) return { tol: 1e-13, ...o };
  return {
    tol: 1e-13,
    plan: ["nd-lu", "amg-bicgstab", "amg-gmres", "ilu0-gmres"],
    directMaxBytes: 512 * 2 ** 20,
    ...o,
  };
}

function maxOf(a: Float64Array): number {
  let m = 0;
  for (const v of a) m = Math.max(m, v);
  return m;
}

function assemble(
  A: Csr,
  V: Float64Array,
  Hm: Float64Array,
  mm: number,
  n: number,
  want: number[],
  tr: Float64Array,
  ti: Float64Array,
  sigma: number,
  normInf: number,
): EigsResult {
  const kk = want.length;
  const re = new Float64Array(kk);
  const im = new Float64Array(kk);
  const vectorsRe: Float64Array[] = [];
  const vectorsIm: Float64Array[] = [];
  const residuals = new Float64Array(kk);
  const ar = new Float64Array(n);
  const ai = new Float64Array(n);
  for (let q = 0; q < kk; q++) {
    const j = want[q];
    const den = tr[j] * tr[j] + ti[j] * ti[j];
    re[q] = sigma + tr[j] / den;
    im[q] = -ti[j] / den;
    const { yr, yi } = denseEigenvector(Hm, mm, tr[j], ti[j]);
    const xr = new Float64Array(n);
    const xi = new Float64Array(n);
    for (let c = 0; c < mm; c++) {
      const vc = V.subarray(c * n, (c + 1) * n);
      const a = yr[c];
      const b = yi[c];
      for (let i = 0; i < n; i++) {
        xr[i] += a * vc[i];
        xi[i] += b * vc[i];
      }
    }
    // normalise: unit norm, largest-modulus entry real positive
    let big = 0;
    let bi = 0;
    let nrm = 0;
    for (let i = 0; i < n; i++) {
      const mod = xr[i] * xr[i] + xi[i] * xi[i];
      nrm += mod;
      if (mod > big) {
        big = mod;
        bi = i;
      }
    }
    const phr = xr[bi] / Math.sqrt(big);
    const phi = -xi[bi] / Math.sqrt(big);
    const s = 1 / Math.sqrt(nrm);
    for (let i = 0; i < n; i++) {
      const a = xr[i];
      const b = xi[i];
      xr[i] = (a * phr - b * phi) * s;
      xi[i] = (a * phi + b * phr) * s;
    }
    xi[bi] = 0;
    // true residual of A x = λ x
    csrMatVec(A, xr, ar);
    csrMatVec(A, xi, ai);
    let rs = 0;
    for (let i = 0; i < n; i++) {
      const rr = ar[i] - (re[q] * xr[i] - im[q] * xi[i]);
      const ri = ai[i] - (re[q] * xi[i] + im[q] * xr[i]);
      rs += rr * rr + ri * ri;
    }
    residuals[q] = Math.sqrt(rs) / (normInf || 1);
    vectorsRe.push(xr);
    vectorsIm.push(xi);
  }
  return {
    re,
    im,
    vectorsRe,
    vectorsIm,
    residuals,
    converged: false,
    restarts: 0,
    solves: 0,
    shift: sigma,
    method: "",
  };
}

/** A + c·I as a new CSR matrix (adds diagonal entries where missing). */
export function shiftDiagonal(A: Csr, c: number): Csr {
  const { n, rowPtr, colIdx, values } = A;
  let missing = 0;
  for (let i = 0; i < n; i++) {
    let has = false;
    for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) if (colIdx[p] === i) has = true;
    if (!has) missing++;
  }
  const rp = new Int32Array(n + 1);
  const ci = new Int32Array(rowPtr[n] + missing);
  const va = new Float64Array(rowPtr[n] + missing);
  let q = 0;
  for (let i = 0; i < n; i++) {
    rp[i] = q;
    let done = false;
    for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) {
      const j = colIdx[p];
      if (!done && j > i) {
        ci[q] = i;
        va[q++] = c;
        done = true;
      }
      ci[q] = j;
      va[q] = values[p] + (j === i ? c : 0);
      if (j === i) done = true;
      q++;
    }
    if (!done) {
      ci[q] = i;
      va[q++] = c;
    }
  }
  rp[n] = q;
  return { n, rowPtr: rp, colIdx: ci, values: va };
}

export interface NullVectorResult {
  /** The null vector, normalised to sum 1 (a probability vector for Qᵀ of an irreducible generator). */
  x: Float64Array;
  /** ‖Qᵀ x‖₁ / (max |diag| · ‖x‖₁): relative residual of the stationary equation. */
  residual: number;
  /** Node whose value was fixed (anchor) in the final solve. */
  anchor: number;
  /** Sum of |negative entries| (round-off); they are kept, not clipped. */
  negativeMass: number;
  /** Linear solver method used. */
  method: string;
}

/**
 * Null vector of Qt = Qᵀ for a generator Q (off-diagonals ≥ 0, rows of Q sum to 0): the
 * stationary law π with Qᵀπ = 0, Σπ = 1. Fixes π at an anchor node and solves the remaining
 * nonsingular M-matrix system Qt_{−a,−a} π_{−a} = −Qt_{−a,a}; the anchor is then moved to the
 * largest entry and the system re-solved once, so that the solve is well scaled.
 * Throws NumericalError if the chain is reducible (singular reduced system).
 */
export function nullVector(
  Qt: Csr,
  opts: { anchor?: number; solve?: SolveSparseOptions } = {},
): NullVectorResult {
  const n = Qt.n;
  if (n === 1) return { x: Float64Array.of(1), residual: 0, anchor: 0, negativeMass: 0, method: "trivial" };
  let anchor = opts.anchor ?? 0;
  let diagMax = 0;
  if (opts.anchor === undefined) {
    // start at the node with the smallest exit rate |q_ii| (a good guess for the mode)
    let best = Number.POSITIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      for (let p = Qt.rowPtr[i]; p < Qt.rowPtr[i + 1]; p++) {
        if (Qt.colIdx[p] === i) {
          const d = Math.abs(Qt.values[p]);
          diagMax = Math.max(diagMax, d);
          if (d < best) {
            best = d;
            anchor = i;
          }
        }
      }
    }
  } else {
    for (let i = 0; i < n; i++)
      for (let p = Qt.rowPtr[i]; p < Qt.rowPtr[i + 1]; p++)
        if (Qt.colIdx[p] === i) diagMax = Math.max(diagMax, Math.abs(Qt.values[p]));
  }
  let x = new Float64Array(n);
  let method = "";
  // Pass 1 (loose: any anchor may leave a huge dynamic range, hence a huge rounding floor) locates
  // the mode; the final pass anchors there, where π/π_anchor ≤ ~1 and the solve is well scaled.
  for (let pass = 0; pass < 2; pass++) {
    const mask = new Uint8Array(n).fill(1);
    mask[anchor] = 0;
    const { matrix, keep } = csrSubmatrix(Qt, mask);
    const rhs = new Float64Array(n - 1);
    for (let r = 0; r < n - 1; r++) {
      const i = keep[r];
      for (let p = Qt.rowPtr[i]; p < Qt.rowPtr[i + 1]; p++)
        if (Qt.colIdx[p] === anchor) rhs[r] = -Qt.values[p];
    }
    // The stationary law spans many orders of magnitude (∝ exp(−L/ε)); the reduced matrix is the
    // transpose of an M-matrix (column-, not row-diagonally dominant), where AMG is weak. The direct
    // nd-lu (nested dissection, no pivoting for these dominant matrices) goes first when it fits in
    // memory (default cap 512 MB), then the iterative methods. It replaced the RCM banded LU here:
    // 3-4× less CPU on a 200² grid and closer to the exact Gibbs law (6e-10 vs 1.3e-8 relative at ε = 0.02).
    const cap = opts.solve?.directMaxBytes ?? opts.solve?.maxBytes ?? 512 * 2 ** 20;
    const last = pass === 1;
    const so: SolveSparseOptions = opts.solve?.method
      ? { tol: 1e-12, ...opts.solve }
      : {
          tol: 1e-12,
          ...opts.solve,
          plan: ["nd-lu", "amg-bicgstab", "amg-gmres", "ilu0-gmres"],
          directMaxBytes: cap,
        };
    // loose first pass: any approximate solution locates the mode
    const res = sparseSolver(matrix, last ? so : { ...so, tol: 1e300 }).solve(rhs);
    method = res.method;
    const sol = res.x;
    x = new Float64Array(n);
    x[anchor] = 1;
    for (let r = 0; r < n - 1; r++) x[keep[r]] = sol[r];
    let imax = anchor;
    for (let i = 0; i < n; i++) if (x[i] > x[imax]) imax = i;
    if (last) break;
    anchor = imax;
  }
  let sum = 0;
  for (let i = 0; i < n; i++) sum += x[i];
  if (!(sum > 0) || !Number.isFinite(sum))
    throw new NumericalError("nullVector: no positive null vector found");
  let neg = 0;
  for (let i = 0; i < n; i++) {
    x[i] /= sum;
    if (x[i] < 0) neg -= x[i];
  }
  const r = csrMatVec(Qt, x, new Float64Array(n));
  let r1 = 0;
  for (let i = 0; i < n; i++) r1 += Math.abs(r[i]);
  return { x, residual: r1 / (diagMax || 1), anchor, negativeMass: neg, method };
}
