import { describe, expect, it } from "vitest";
import { NumericalError } from "../../src/errors.js";
import { csrFromTriplets, csrSubmatrix, csrToDense } from "../../src/linalg/csr.js";
import { solveDense } from "../../src/linalg/dense.js";
import { residualReport } from "../../src/linalg/residual.js";
import { isTridiagonal, solveTridiagonal, tridiagonalBands } from "../../src/linalg/tridiagonal.js";
import { maxAbsDiff, rng, sgGenerator1d } from "./fixtures.js";

describe("Thomas algorithm", () => {
  it("matches a dense solve on a random diagonally dominant system", () => {
    const n = 50;
    const r = rng(1);
    const lo = new Float64Array(n);
    const up = new Float64Array(n);
    const d = new Float64Array(n);
    const b = new Float64Array(n);
    const D = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      lo[i] = i > 0 ? r() - 0.5 : 0;
      up[i] = i < n - 1 ? r() - 0.5 : 0;
      d[i] = Math.abs(lo[i]) + Math.abs(up[i]) + 0.1 + r();
      b[i] = r();
      D[i * n + i] = d[i];
      if (i > 0) D[i * n + i - 1] = lo[i];
      if (i < n - 1) D[i * n + i + 1] = up[i];
    }
    expect(maxAbsDiff(solveTridiagonal(lo, d, up, b), solveDense(D, n, b))).toBeLessThan(1e-13);
  });

  it("pure diffusion on [0,1], absorbing ends: u = x(1−x)/(2ε) exactly (3-point is exact on quadratics)", () => {
    const n = 101;
    const eps = 0.3;
    const { Q, x } = sgGenerator1d(() => 0, 0, 1, n, eps);
    const mask = new Uint8Array(n).fill(1);
    mask[0] = 0;
    mask[n - 1] = 0;
    const { matrix, keep } = csrSubmatrix(Q, mask);
    expect(isTridiagonal(matrix)).toBe(true);
    const { lower, diag, upper } = tridiagonalBands(matrix);
    const u = solveTridiagonal(lower, diag, upper, new Float64Array(matrix.n).fill(-1));
    for (let k = 0; k < matrix.n; k++) {
      const xi = x[keep[k]];
      expect(Math.abs(u[k] - (xi * (1 - xi)) / (2 * eps))).toBeLessThan(1e-12);
    }
  });

  it("1-D double well ε=0.025 (MET ~1e5): residual ≤ 1e-10, agrees with dense LU", () => {
    const n = 400;
    const eps = 0.025;
    const L = (x: number) => x ** 4 / 4 - x ** 2 / 2;
    const { Q, x } = sgGenerator1d(L, -2, 2, n, eps);
    const mask = new Uint8Array(n);
    for (let i = 0; i < n; i++) mask[i] = x[i] < 0.5 ? 1 : 0; // absorbed beyond x ≥ 0.5
    const { matrix } = csrSubmatrix(Q, mask);
    const { lower, diag, upper } = tridiagonalBands(matrix);
    const b = new Float64Array(matrix.n).fill(-1);
    const u = solveTridiagonal(lower, diag, upper, b);
    const ud = solveDense(csrToDense(matrix), matrix.n, b);
    let umax = 0;
    for (const v of u) umax = Math.max(umax, v);
    expect(umax).toBeGreaterThan(1e4); // exp(0.25/0.025)·(2π/√2) ≈ 9.8e4
    // Relative residual measured accurately. Rounding u (~1e5) to double alone costs a relative
    // residual of about eps·‖|A||u|‖/‖b‖ ≈ 1e-8 here (roundingFloor); 1e-10 is below what any
    // double-precision u can reach, so the check is against that floor.
    const rep = residualReport(matrix, u, b);
    expect(rep.roundingFloor).toBeGreaterThan(1e-9);
    expect(rep.relativeResidual).toBeLessThan(Math.max(1e-10, rep.roundingFloor));
    expect(rep.backwardError).toBeLessThan(1e-15);
    // forward agreement with partial-pivoting dense LU: both backward stable, κ·eps ~ 1e-11
    expect(maxAbsDiff(u, ud) / umax).toBeLessThan(1e-9);
  });

  it("singular system (generator with no absorbing node) fails loudly", () => {
    const { Q } = sgGenerator1d(() => 0, 0, 1, 10, 1);
    const { lower, diag, upper } = tridiagonalBands(Q);
    expect(() => solveTridiagonal(lower, diag, upper, new Float64Array(10).fill(-1))).toThrow(NumericalError);
  });
});

describe("residualReport", () => {
  it("compensated residual is exact on a case where plain summation loses everything", () => {
    // row [1e16, -1e16, 1] · x = [1, 1, 1]: plain left-to-right sum gives 1, fl order gives 0 or 2
    const A = csrFromTriplets(3, [0, 0, 0, 1, 2], [0, 1, 2, 1, 2], [1e16, -1e16, 1, 1, 1], 5);
    const x = Float64Array.from([1 + 2 ** -52, 1, 1]);
    const b = Float64Array.from([3.25, 1, 1]);
    // exact: 1e16·(1+2^-52) − 1e16 + 1 = 1e16·2^-52 + 1 = 2.220446049250313 + 1
    const rep = residualReport(A, x, b);
    const r0 = 3.25 - (1e16 * 2 ** -52 + 1);
    expect(Math.abs(rep.relativeResidual - Math.abs(r0) / Math.sqrt(3.25 ** 2 + 2))).toBeLessThan(1e-15);
  });
});
