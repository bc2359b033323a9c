/**
 * The linear solves the PDE side needs, delegated to src/linalg (`solveSparse`: AMG/ILU Krylov with
 * iterative refinement and direct fallbacks). 1-D problems use the cancellation-free birth–death solve
 * in birth-death.ts instead.
 */
import { NumericalError } from "../errors.js";
import type { Csr } from "../linalg/csr.js";
import { solveSparse } from "../linalg/solve.js";

export interface SolveInfo {
  method: string;
  iterations: number;
  relativeResidual: number;
  /** True when accepted at the double-precision rounding floor (see linalg/solve.ts). */
  limitedByRounding?: boolean;
}

/**
 * Solves A x = b (A an M-matrix such as −Q_D); throws NumericalError above `tol` relative residual and
 * SingularMatrixError when A is singular to double precision. `hint` places the unknowns on the grid
 * (`nodes[r]` = grid index of unknown r) for the direct solver's geometric nested dissection.
 */
export function sparseSolve(
  A: Csr,
  b: Float64Array,
  tol = 1e-10,
  hint?: { nx: number; ny?: number; nz?: number; nodes?: Int32Array },
): { x: Float64Array; info: SolveInfo } {
  const r = solveSparse(A, b, { tol, grid: hint });
  if (!r.converged) {
    throw new NumericalError(
      `sparse solve did not reach relative residual ${tol} (best ${r.relativeResidual.toExponential(2)}; tried ${r.tried
        .map((t) => t.method)
        .join(", ")})`,
    );
  }
  return {
    x: r.x,
    info: {
      method: r.method,
      iterations: r.iterations,
      relativeResidual: r.relativeResidual,
      limitedByRounding: r.limitedByRounding,
    },
  };
}
