/**
 * Accurate residuals r = b − A x. Exit-time systems have solutions up to 1e8 with rows whose
 * entries nearly cancel (generator rows sum to ~0), so the plain floating-point residual is
 * dominated by its own rounding (≈ eps·|A||x|). Here each row is summed with a compensated dot
 * product (Ogita–Rump–Oishi Dot2: as if in twice the working precision, then rounded), so the
 * returned residual is that of the stored x, not noise.
 */
import type { Csr } from "./csr.js";

const SPLIT = 134217729; // 2^27 + 1 (Dekker split)

/** r = b − A x, each row evaluated in compensated (≈ double-double) arithmetic. */
export function residualAccurate(A: Csr, x: Float64Array, b: Float64Array, r: Float64Array): Float64Array {
  const { n, rowPtr, colIdx, values } = A;
  for (let i = 0; i < n; i++) {
    let s = b[i];
    let c = 0;
    const end = rowPtr[i + 1];
    for (let k = rowPtr[i]; k < end; k++) {
      const a = -values[k];
      const y = x[colIdx[k]];
      // TwoProduct(a, y) = p + e exactly (Dekker/Veltkamp)
      const p = a * y;
      let t = SPLIT * a;
      const ah = t - (t - a);
      const al = a - ah;
      t = SPLIT * y;
      const yh = t - (t - y);
      const yl = y - yh;
      const e = al * yl - (p - ah * yh - al * yh - ah * yl);
      // TwoSum(s, p)
      const sn = s + p;
      const bb = sn - s;
      const f = s - (sn - bb) + (p - bb);
      s = sn;
      c += f + e;
    }
    r[i] = s + c;
  }
  return r;
}

/** ‖v‖₂ with scaling against overflow. */
export function norm2(v: ArrayLike<number>, n = v.length): number {
  let scale = 0;
  for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(v[i]));
  if (scale === 0 || !Number.isFinite(scale)) return scale;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const t = v[i] / scale;
    s += t * t;
  }
  return scale * Math.sqrt(s);
}

/** Residual diagnostics of a computed solution x of A x = b. */
export interface ResidualReport {
  /** ‖b − A x‖₂ / ‖b‖₂, computed accurately (compensated). */
  relativeResidual: number;
  /**
   * ‖(|A||x|)‖₂·u/‖b‖₂ with u = 2^-53: the size of the relative residual that rounding x itself to
   * double precision already causes. No double-precision x can do much better than this.
   */
  roundingFloor: number;
  /** Normwise backward error ‖b − Ax‖∞ / (‖A‖∞‖x‖∞ + ‖b‖∞). */
  backwardError: number;
}

/**
 * Accurate residual, its rounding floor and the backward error. The residual b − A x is written
 * into `r` when given.
 */
export function residualReport(A: Csr, x: Float64Array, b: Float64Array, r?: Float64Array): ResidualReport {
  const { n, rowPtr, colIdx, values } = A;
  const res = residualAccurate(A, x, b, r ?? new Float64Array(n));
  let absAx2 = 0;
  let normA = 0;
  let rInf = 0;
  let xInf = 0;
  let bInf = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    let rowAbs = 0;
    for (let k = rowPtr[i]; k < rowPtr[i + 1]; k++) {
      s += Math.abs(values[k] * x[colIdx[k]]);
      rowAbs += Math.abs(values[k]);
    }
    absAx2 += s * s;
    normA = Math.max(normA, rowAbs);
    rInf = Math.max(rInf, Math.abs(res[i]));
    xInf = Math.max(xInf, Math.abs(x[i]));
    bInf = Math.max(bInf, Math.abs(b[i]));
  }
  const nb = norm2(b, n);
  const nr = norm2(res, n);
  const relativeResidual = nb > 0 ? nr / nb : nr === 0 ? 0 : Number.POSITIVE_INFINITY;
  const roundingFloor = nb > 0 ? (Math.sqrt(absAx2) * 2 ** -53) / nb : 0;
  const den = normA * xInf + bInf;
  return { relativeResidual, roundingFloor, backwardError: den > 0 ? rInf / den : 0 };
}
