/**
 * The linear solves the PDE side needs, delegated to src/linalg: the cancellation-free birth–death solve in
 * 1-D, and the linalg sparse solver (preconditioned Krylov with fallbacks) otherwise.
 */
import { NumericalError } from "../errors.js";
import type { Csr } from "../linalg/csr.js";
import { bicgstab, gmres } from "../linalg/krylov.js";
import { ilu0 } from "../linalg/precond.js";
import { residualReport } from "../linalg/residual.js";

export interface SolveInfo {
  method: string;
  iterations: number;
  relativeResidual: number;
}

/** Solves A x = b (A an M-matrix such as −Q_D); throws NumericalError above `tol` relative residual. */
export function sparseSolve(A: Csr, b: Float64Array, tol = 1e-10): { x: Float64Array; info: SolveInfo } {
  const M = ilu0(A);
  let x = new Float64Array(A.n);
  let res = bicgstab(A, b, x, M, { tol: tol * 0.01, maxIter: 20000 });
  let method = "bicgstab+ilu0";
  let rep = residualReport(A, res.x, b);
  if (!(rep.relativeResidual <= tol)) {
    x = new Float64Array(A.n);
    res = gmres(A, b, x, M, { tol: tol * 0.01, maxIter: 40000, restart: 60 });
    method = "gmres+ilu0";
    rep = residualReport(A, res.x, b);
  }
  if (!(rep.relativeResidual <= tol)) {
    throw new NumericalError(
      `sparse solve did not reach relative residual ${tol} (got ${rep.relativeResidual.toExponential(2)} with ${method})`,
    );
  }
  return { x: res.x, info: { method, iterations: res.iterations, relativeResidual: rep.relativeResidual } };
}
