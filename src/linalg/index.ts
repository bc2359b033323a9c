/**
 * Sparse and dense linear algebra for sgdscope (isomorphic: no I/O).
 * - dense.ts: small dense LU/det/symmetric eigen (Jacobi), matVec/matMul/transpose;
 * - csr.ts: CSR matrices (builder from triplets, matvec, transpose, submatrix Q_D);
 * - tridiagonal.ts: Thomas algorithm (1-D);
 * - solve.ts: `solveSparse` / `sparseSolver` (AMG- or ILU(0)-preconditioned BiCGSTAB/GMRES, RCM banded LU,
 *   accurate residuals and refinement);
 * - eigs.ts: shift-invert Arnoldi (`eigsNearShift`), dense nonsymmetric eigenvalues, `nullVector`.
 */
export * from "./amg.js";
export * from "./banded.js";
export * from "./csr.js";
export * from "./dense.js";
export * from "./eigs.js";
export * from "./krylov.js";
export * from "./precond.js";
export * from "./residual.js";
export * from "./solve.js";
export * from "./tridiagonal.js";
