/**
 * Small dense linear algebra on row-major Float64Array (entry (i,j) of an n×n matrix at i*n+j).
 * Meant for d ≤ ~50 (noise covariances, Hessians, Lyapunov equations) and for dense reference
 * solves in tests. Pure functions, no I/O.
 */
import { NumericalError, UserError } from "../errors.js";

/** LU factorisation P·A = L·U with partial pivoting, packed in one array (unit-diagonal L). */
export interface LuFactors {
  n: number;
  /** L (strictly lower, unit diagonal implied) and U (upper) packed row-major n×n. */
  lu: Float64Array;
  /** Row i of the factored matrix is row piv[i] of A. */
  piv: Int32Array;
  /** +1 or −1: sign of the row permutation. */
  sign: number;
  /** True if some pivot is exactly 0 (A singular): luSolve then throws. */
  singular: boolean;
}

function checkSquare(A: Float64Array, n: number, what: string): void {
  if (!Number.isInteger(n) || n < 0 || A.length < n * n) {
    throw new UserError(`${what}: matrix of length ${A.length} is not ${n}×${n}`);
  }
}

/** LU with partial pivoting (Doolittle, row-major). Never throws on singular A: see `singular`. */
export function luFactor(A: Float64Array, n: number): LuFactors {
  checkSquare(A, n, "luFactor");
  const lu = Float64Array.from(A.subarray(0, n * n));
  const piv = new Int32Array(n);
  for (let i = 0; i < n; i++) piv[i] = i;
  let sign = 1;
  let singular = false;
  for (let k = 0; k < n; k++) {
    let p = k;
    let best = Math.abs(lu[k * n + k]);
    for (let i = k + 1; i < n; i++) {
      const v = Math.abs(lu[i * n + k]);
      if (v > best) {
        best = v;
        p = i;
      }
    }
    if (p !== k) {
      for (let j = 0; j < n; j++) {
        const t = lu[k * n + j];
        lu[k * n + j] = lu[p * n + j];
        lu[p * n + j] = t;
      }
      const t = piv[k];
      piv[k] = piv[p];
      piv[p] = t;
      sign = -sign;
    }
    const pivot = lu[k * n + k];
    if (pivot === 0 || !Number.isFinite(pivot)) {
      singular = true;
      continue;
    }
    const inv = 1 / pivot;
    for (let i = k + 1; i < n; i++) {
      const l = lu[i * n + k] * inv;
      lu[i * n + k] = l;
      if (l !== 0) {
        const ri = i * n;
        const rk = k * n;
        for (let j = k + 1; j < n; j++) lu[ri + j] -= l * lu[rk + j];
      }
    }
  }
  return { n, lu, piv, sign, singular };
}

/** Solves A x = b from `luFactor(A)`. Writes into `out` if given. Throws NumericalError if singular. */
export function luSolve(f: LuFactors, b: Float64Array, out?: Float64Array): Float64Array {
  const { n, lu, piv } = f;
  if (f.singular) throw new NumericalError(`luSolve: matrix (${n}×${n}) is singular (zero pivot)`);
  const x = out ?? new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[piv[i]];
    const ri = i * n;
    for (let j = 0; j < i; j++) s -= lu[ri + j] * y[j];
    y[i] = s;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i];
    const ri = i * n;
    for (let j = i + 1; j < n; j++) s -= lu[ri + j] * x[j];
    x[i] = s / lu[ri + i];
  }
  return x;
}

/** Solves A x = b (n×n) by LU with partial pivoting. Throws NumericalError if A is singular. */
export function solveDense(A: Float64Array, n: number, b: Float64Array): Float64Array {
  return luSolve(luFactor(A, n), b);
}

/** Determinant of A (n×n) from its LU factorisation (0 for a singular matrix). */
export function det(A: Float64Array, n: number): number {
  const f = luFactor(A, n);
  if (f.singular) return 0;
  let d = f.sign;
  for (let i = 0; i < n; i++) d *= f.lu[i * n + i];
  return d;
}

/** y = A x (A is m×n row-major; default square n×n with m = n). */
export function matVec(A: Float64Array, x: Float64Array, n: number, m = n, out?: Float64Array): Float64Array {
  const y = out ?? new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let s = 0;
    const r = i * n;
    for (let j = 0; j < n; j++) s += A[r + j] * x[j];
    y[i] = s;
  }
  return y;
}

/** C = A B with A m×k, B k×n (row-major). Square case: matMul(A, B, n). */
export function matMul(A: Float64Array, B: Float64Array, m: number, k = m, n = m): Float64Array {
  const C = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const a = A[i * k + p];
      if (a === 0) continue;
      const rb = p * n;
      const rc = i * n;
      for (let j = 0; j < n; j++) C[rc + j] += a * B[rb + j];
    }
  }
  return C;
}

/** Aᵀ for A m×n row-major (square by default); result is n×m. */
export function transpose(A: Float64Array, m: number, n = m): Float64Array {
  const T = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) T[j * m + i] = A[i * n + j];
  return T;
}

/** Eigen-decomposition of a symmetric matrix. */
export interface SymmetricEigen {
  /** Eigenvalues, ascending. */
  values: Float64Array;
  /** Row-major n×n; column k (entries k, n+k, 2n+k, …) is the unit eigenvector of values[k]. */
  vectors: Float64Array;
  /** Number of Jacobi sweeps used. */
  sweeps: number;
}

/**
 * Cyclic Jacobi rotations on a symmetric n×n matrix `a` (row-major, overwritten: its diagonal ends as
 * the eigenvalues, unsorted) accumulating the eigenvectors as the columns of `V` (overwritten).
 * Allocation-free, for hot loops on small matrices. Returns the number of sweeps (maxSweeps when it
 * did not converge).
 */
export function jacobiInPlace(a: Float64Array, n: number, V: Float64Array, maxSweeps = 100): number {
  V.fill(0, 0, n * n);
  for (let i = 0; i < n; i++) V[i * n + i] = 1;
  let total = 0;
  for (let i = 0; i < n * n; i++) total += a[i] * a[i];
  let sweeps = 0;
  for (; sweeps < maxSweeps; sweeps++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += a[i * n + j] * a[i * n + j];
    if (off <= 1e-32 * total || off === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        const app = a[p * n + p];
        const aqq = a[q * n + q];
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        a[p * n + q] = 0;
        a[q * n + p] = 0;
        for (let k = 0; k < n; k++) {
          const vkp = V[k * n + p];
          const vkq = V[k * n + q];
          V[k * n + p] = c * vkp - s * vkq;
          V[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return sweeps;
}

/**
 * Symmetric eigen-decomposition by cyclic Jacobi rotations (reads the upper triangle symmetrised
 * as (A+Aᵀ)/2). Accurate to a few ulps relative to ‖A‖ for the small matrices it is meant for.
 * Throws NumericalError on non-finite input or if 100 sweeps do not converge.
 */
export function symmetricEigen(A: Float64Array, n: number): SymmetricEigen {
  checkSquare(A, n, "symmetricEigen");
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const v = 0.5 * (A[i * n + j] + A[j * n + i]);
      if (!Number.isFinite(v)) throw new NumericalError("symmetricEigen: non-finite matrix entry");
      a[i * n + j] = v;
    }
  }
  const V = new Float64Array(n * n);
  const maxSweeps = 100;
  const sweeps = jacobiInPlace(a, n, V, maxSweeps);
  if (sweeps === maxSweeps)
    throw new NumericalError(`symmetricEigen: Jacobi did not converge in ${maxSweeps} sweeps`);
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[i * n + i] - a[j * n + j]);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const src = order[k];
    values[k] = a[src * n + src];
    for (let i = 0; i < n; i++) vectors[i * n + k] = V[i * n + src];
  }
  return { values, vectors, sweeps };
}
