/**
 * Right-preconditioned Krylov solvers for nonsymmetric sparse systems A x = b:
 * BiCGSTAB (van der Vorst) and restarted GMRES(m) (Saad–Schultz, modified Gram–Schmidt,
 * Givens rotations). Right preconditioning makes the monitored residual the true residual
 * ‖b − A x‖ (up to recurrence drift, which the caller removes by recomputing it).
 */
import { throwIfStopped } from "../stop.js";
import type { Csr } from "./csr.js";
import { csrMatVec } from "./csr.js";
import type { Preconditioner } from "./precond.js";
import { norm2 } from "./residual.js";

export interface KrylovOptions {
  /** Stop when ‖b − Ax‖₂ ≤ tol·‖b‖₂ (recurrence estimate). Default 1e-12. */
  tol?: number;
  /** Maximum iterations (matrix-vector products for GMRES, BiCGSTAB steps). Default 1000. */
  maxIter?: number;
  /** GMRES restart length. Default 40. */
  restart?: number;
}

export interface KrylovResult {
  x: Float64Array;
  iterations: number;
  /** Recurrence estimate of the relative residual at exit. */
  estimate: number;
  converged: boolean;
  /** Why it stopped: "converged" | "maxIter" | "breakdown" | "stagnation". */
  reason: string;
}

function dot(a: Float64Array, b: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i] * b[i];
  return s;
}

/** Preconditioned BiCGSTAB; x holds the initial guess and is overwritten. */
export function bicgstab(
  A: Csr,
  b: Float64Array,
  x: Float64Array,
  M: Preconditioner,
  opts: KrylovOptions = {},
): KrylovResult {
  const n = A.n;
  const tol = opts.tol ?? 1e-12;
  const maxIter = opts.maxIter ?? 1000;
  const r = new Float64Array(n);
  const r0 = new Float64Array(n);
  const p = new Float64Array(n);
  const v = new Float64Array(n);
  const s = new Float64Array(n);
  const t = new Float64Array(n);
  const ph = new Float64Array(n);
  const sh = new Float64Array(n);
  const nb = norm2(b) || 1;
  csrMatVec(A, x, r);
  for (let i = 0; i < n; i++) r[i] = b[i] - r[i];
  r0.set(r);
  let rho = 1;
  let alpha = 1;
  let omega = 1;
  let res = norm2(r) / nb;
  if (res <= tol) return { x, iterations: 0, estimate: res, converged: true, reason: "converged" };
  let best = res;
  let sinceBest = 0;
  for (let it = 1; it <= maxIter; it++) {
    throwIfStopped("an iterative linear solve (BiCGSTAB)");
    const rhoNew = dot(r0, r, n);
    if (rhoNew === 0 || !Number.isFinite(rhoNew)) {
      return { x, iterations: it - 1, estimate: res, converged: false, reason: "breakdown" };
    }
    if (it === 1) p.set(r);
    else {
      const beta = (rhoNew / rho) * (alpha / omega);
      for (let i = 0; i < n; i++) p[i] = r[i] + beta * (p[i] - omega * v[i]);
    }
    rho = rhoNew;
    M.apply(p, ph);
    csrMatVec(A, ph, v);
    const r0v = dot(r0, v, n);
    if (r0v === 0 || !Number.isFinite(r0v)) {
      return { x, iterations: it - 1, estimate: res, converged: false, reason: "breakdown" };
    }
    alpha = rho / r0v;
    for (let i = 0; i < n; i++) s[i] = r[i] - alpha * v[i];
    const sn = norm2(s) / nb;
    if (sn <= tol) {
      for (let i = 0; i < n; i++) x[i] += alpha * ph[i];
      return { x, iterations: it, estimate: sn, converged: true, reason: "converged" };
    }
    M.apply(s, sh);
    csrMatVec(A, sh, t);
    const tt = dot(t, t, n);
    omega = tt > 0 ? dot(t, s, n) / tt : 0;
    for (let i = 0; i < n; i++) {
      x[i] += alpha * ph[i] + omega * sh[i];
      r[i] = s[i] - omega * t[i];
    }
    res = norm2(r) / nb;
    if (!Number.isFinite(res))
      return { x, iterations: it, estimate: res, converged: false, reason: "breakdown" };
    if (res <= tol) return { x, iterations: it, estimate: res, converged: true, reason: "converged" };
    if (omega === 0) return { x, iterations: it, estimate: res, converged: false, reason: "breakdown" };
    if (res < 0.99 * best) {
      best = res;
      sinceBest = 0;
    } else if (++sinceBest > 200) {
      return { x, iterations: it, estimate: res, converged: false, reason: "stagnation" };
    }
  }
  return { x, iterations: maxIter, estimate: res, converged: false, reason: "maxIter" };
}

/** Right-preconditioned restarted GMRES(m); x holds the initial guess and is overwritten. */
export function gmres(
  A: Csr,
  b: Float64Array,
  x: Float64Array,
  M: Preconditioner,
  opts: KrylovOptions = {},
): KrylovResult {
  const n = A.n;
  const tol = opts.tol ?? 1e-12;
  const maxIter = opts.maxIter ?? 1000;
  const m = Math.max(1, Math.min(opts.restart ?? 40, n));
  const V = new Float64Array((m + 1) * n);
  const H = new Float64Array((m + 1) * m); // H[i*m + j]
  const cs = new Float64Array(m);
  const sn = new Float64Array(m);
  const g = new Float64Array(m + 1);
  const y = new Float64Array(m);
  const w = new Float64Array(n);
  const z = new Float64Array(n);
  const nb = norm2(b) || 1;
  let total = 0;
  let res = Number.POSITIVE_INFINITY;
  let prevCycleRes = Number.POSITIVE_INFINITY;
  let recurrenceConverged = false;
  while (total < maxIter) {
    // r = b − A x
    csrMatVec(A, x, w);
    for (let i = 0; i < n; i++) w[i] = b[i] - w[i];
    const beta = norm2(w);
    res = beta / nb;
    if (res <= tol) return { x, iterations: total, estimate: res, converged: true, reason: "converged" };
    if (!Number.isFinite(res))
      return { x, iterations: total, estimate: res, converged: false, reason: "breakdown" };
    if (res > 0.999 * prevCycleRes) {
      return { x, iterations: total, estimate: res, converged: false, reason: "stagnation" };
    }
    prevCycleRes = res;
    for (let i = 0; i < n; i++) V[i] = w[i] / beta;
    g.fill(0);
    g[0] = beta;
    let k = 0;
    for (; k < m && total < maxIter; k++) {
      throwIfStopped("an iterative linear solve (GMRES)");
      total++;
      const vk = V.subarray(k * n, (k + 1) * n);
      M.apply(vk, z);
      csrMatVec(A, z, w);
      for (let i = 0; i <= k; i++) {
        const vi = V.subarray(i * n, (i + 1) * n);
        const h = dot(w, vi, n);
        H[i * m + k] = h;
        for (let t = 0; t < n; t++) w[t] -= h * vi[t];
      }
      const hn = norm2(w);
      H[(k + 1) * m + k] = hn;
      if (hn > 0) {
        const vn = V.subarray((k + 1) * n, (k + 2) * n);
        const inv = 1 / hn;
        for (let t = 0; t < n; t++) vn[t] = w[t] * inv;
      }
      for (let i = 0; i < k; i++) {
        const a = H[i * m + k];
        const c = H[(i + 1) * m + k];
        H[i * m + k] = cs[i] * a + sn[i] * c;
        H[(i + 1) * m + k] = -sn[i] * a + cs[i] * c;
      }
      const a = H[k * m + k];
      const c = H[(k + 1) * m + k];
      const r = Math.hypot(a, c);
      cs[k] = r === 0 ? 1 : a / r;
      sn[k] = r === 0 ? 0 : c / r;
      H[k * m + k] = r;
      H[(k + 1) * m + k] = 0;
      g[k + 1] = -sn[k] * g[k];
      g[k] = cs[k] * g[k];
      res = Math.abs(g[k + 1]) / nb;
      if (res <= tol || hn === 0) {
        k++;
        recurrenceConverged = true;
        break;
      }
    }
    // back-substitute y, x += M⁻¹ V y
    for (let i = k - 1; i >= 0; i--) {
      let s = g[i];
      for (let j = i + 1; j < k; j++) s -= H[i * m + j] * y[j];
      y[i] = H[i * m + i] !== 0 ? s / H[i * m + i] : 0;
    }
    w.fill(0);
    for (let j = 0; j < k; j++) {
      const vj = V.subarray(j * n, (j + 1) * n);
      const yj = y[j];
      for (let t = 0; t < n; t++) w[t] += yj * vj[t];
    }
    M.apply(w, z);
    for (let t = 0; t < n; t++) x[t] += z[t];
    if (recurrenceConverged) break; // the caller recomputes the true residual (and may refine)
  }
  csrMatVec(A, x, w);
  for (let i = 0; i < n; i++) w[i] = b[i] - w[i];
  res = norm2(w) / nb;
  const reason = res <= tol ? "converged" : recurrenceConverged ? "recurrence drift" : "maxIter";
  return { x, iterations: total, estimate: res, converged: res <= tol, reason };
}
