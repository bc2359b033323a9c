import { describe, expect, it } from "vitest";
import { gaussianDesign, twoMoons } from "../../src/problem/models/data.js";
import { type GlmKind, GlmLoss, softplus } from "../../src/problem/models/glm.js";
import {
  fdHessianFromValue,
  fdPartial,
  fdRichardson,
  meanSampleGradient,
  relErr,
  testVector,
} from "./helpers.js";

const cases: { kind: GlmKind; bias: boolean; l2: number }[] = [
  { kind: "linear", bias: true, l2: 0 },
  { kind: "linear", bias: false, l2: 0.3 },
  { kind: "logistic", bias: true, l2: 0 },
  { kind: "logistic", bias: false, l2: 0.1 },
  { kind: "phase-retrieval", bias: false, l2: 0 },
  { kind: "phase-retrieval", bias: true, l2: 0.05 },
];

function makeLoss(kind: GlmKind, bias: boolean, l2: number, n = 30, p = 4): GlmLoss {
  const ds = gaussianDesign(
    n,
    p,
    11,
    0.2,
    kind === "logistic" ? "binary" : kind === "linear" ? "linear" : "phase",
  );
  return new GlmLoss(kind, ds.X, ds.y, n, p, { bias, l2 });
}

describe.each(cases)("GLM $kind bias=$bias l2=$l2", ({ kind, bias, l2 }) => {
  const loss = makeLoss(kind, bias, l2);
  const d = loss.dim;
  const x = testVector(d, 5, 0.7);

  it("has the right dimension", () => {
    expect(d).toBe(4 + (bias ? 1 : 0));
  });

  it("sampleGradient equals a Richardson central difference of sampleValue", () => {
    const g = new Float64Array(d);
    for (const i of [0, 7, 29]) {
      const v = loss.sampleGradient(i, x, g);
      expect(v).toBeCloseTo(loss.sampleValue(i, x), 14);
      const fd = new Float64Array(d);
      // O(h⁴) truncation with h = 1e-3 → ~1e-12·|φ⁽⁵⁾|, rounding ~1e-16/1e-3: 1e-9 relative is ample
      for (let j = 0; j < d; j++) fd[j] = fdRichardson((z) => loss.sampleValue(i, z), x, j, 1e-3);
      expect(relErr(g, fd)).toBeLessThan(1e-8);
    }
  });

  it("gradient and value are the means of the per-sample ones", () => {
    const g = new Float64Array(d);
    const v = loss.gradient(x, g);
    const m = meanSampleGradient(loss, d, x);
    expect(relErr(g, m.g)).toBeLessThan(1e-13);
    expect(v).toBeCloseTo(m.v, 12);
    expect(loss.value(x)).toBeCloseTo(m.v, 12);
  });

  it("batchGradient is the mean over the index list (with repeats) and leaves only g written", () => {
    const idx = Int32Array.from([3, 3, 17, 0, 29, 8, 99]); // entries past count are ignored
    const count = 6;
    const g = new Float64Array(d + 2).fill(123);
    const v = loss.batchGradient(idx, count, x, g);
    const ref = new Float64Array(d);
    const gi = new Float64Array(d);
    let vr = 0;
    for (let k = 0; k < count; k++) {
      vr += loss.sampleGradient(idx[k], x, gi);
      for (let j = 0; j < d; j++) ref[j] += gi[j] / count;
    }
    expect(relErr(g.subarray(0, d), ref)).toBeLessThan(1e-13);
    expect(v).toBeCloseTo(vr / count, 12);
    expect(g[d]).toBe(123);
  });

  it("hessian is exact: matches central differences of the gradient and of the value", () => {
    const H = new Float64Array(d * d);
    loss.hessian(x, H);
    const g = (z: Float64Array, j: number) => {
      const gg = new Float64Array(d);
      loss.gradient(z, gg);
      return gg[j];
    };
    const fd = new Float64Array(d * d);
    for (let r = 0; r < d; r++)
      for (let c = 0; c < d; c++) fd[r * d + c] = fdRichardson((z) => g(z, r), x, c, 1e-3);
    expect(relErr(H, fd)).toBeLessThan(1e-8);
    // second differences of L itself: error O(h²)·|∂⁴L| + O(ε/h²); h = 1e-4 → ~1e-7
    expect(relErr(H, fdHessianFromValue(loss, x, 1e-4))).toBeLessThan(1e-5);
    for (let r = 0; r < d; r++) for (let c = 0; c < r; c++) expect(H[r * d + c]).toBe(H[c * d + r]);
  });
});

describe("linear regression", () => {
  it("Hessian is ÃᵀÃ/N + λI exactly (closed form, independent of x)", () => {
    const loss = makeLoss("linear", true, 0.25, 12, 3);
    const d = loss.dim;
    const H = new Float64Array(d * d);
    loss.hessian(testVector(d, 1), H);
    for (let r = 0; r < d; r++) {
      for (let c = 0; c < d; c++) {
        let s = 0;
        for (let i = 0; i < loss.n; i++) s += loss.A[i * d + r] * loss.A[i * d + c];
        expect(H[r * d + c]).toBeCloseTo(s / loss.n + (r === c ? 0.25 : 0), 13);
      }
    }
  });

  it("over-parameterised (d > N): the minimum-norm interpolant has zero loss and gradient; Hessian rank ≤ N", () => {
    const n = 6;
    const p = 15;
    const ds = gaussianDesign(n, p, 3, 0.5, "linear");
    const loss = new GlmLoss("linear", ds.X, ds.y, n, p, { bias: true });
    const d = loss.dim;
    // x = Ãᵀ (ÃÃᵀ)⁻¹ y by Gaussian elimination on the n×n Gram matrix
    const K = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let k = 0; k < n; k++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += loss.A[i * d + j] * loss.A[k * d + j];
        K[i * n + k] = s;
      }
    const c = Float64Array.from(ds.y);
    for (let col = 0; col < n; col++) {
      for (let r = col + 1; r < n; r++) {
        const f = K[r * n + col] / K[col * n + col];
        for (let k = col; k < n; k++) K[r * n + k] -= f * K[col * n + k];
        c[r] -= f * c[col];
      }
    }
    for (let r = n - 1; r >= 0; r--) {
      let s = c[r];
      for (let k = r + 1; k < n; k++) s -= K[r * n + k] * c[k];
      c[r] = s / K[r * n + r];
    }
    const xs = new Float64Array(d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) xs[j] += loss.A[i * d + j] * c[i];
    const g = new Float64Array(d);
    expect(loss.gradient(xs, g)).toBeLessThan(1e-20);
    for (let j = 0; j < d; j++) expect(Math.abs(g[j])).toBeLessThan(1e-10);
    for (let i = 0; i < n; i++) {
      loss.sampleGradient(i, xs, g);
      for (let j = 0; j < d; j++) expect(Math.abs(g[j])).toBeLessThan(1e-10); // interpolation: every ∇ℓ_i = 0
    }
    // rank of the Hessian: Gaussian elimination with pivoting, count pivots > 1e-10·max
    const H = new Float64Array(d * d);
    loss.hessian(xs, H);
    let rank = 0;
    const M = Float64Array.from(H);
    const used = new Uint8Array(d);
    for (let col = 0; col < d; col++) {
      let piv = -1;
      let best = 1e-10;
      for (let r = 0; r < d; r++)
        if (!used[r] && Math.abs(M[r * d + col]) > best) best = Math.abs(M[(piv = r) * d + col]);
      if (piv < 0) continue;
      used[piv] = 1;
      rank++;
      for (let r = 0; r < d; r++) {
        if (r === piv) continue;
        const f = M[r * d + col] / M[piv * d + col];
        for (let k = col; k < d; k++) M[r * d + k] -= f * M[piv * d + k];
      }
    }
    expect(rank).toBe(n);
  });

  it("the least-squares solution recovers the planted x* within the noise", () => {
    const n = 2000;
    const p = 3;
    const noise = 0.1;
    const ds = gaussianDesign(n, p, 9, noise, "linear");
    const loss = new GlmLoss("linear", ds.X, ds.y, n, p, { bias: false });
    // one Newton step from 0 solves least squares exactly
    const H = new Float64Array(p * p);
    const g = new Float64Array(p);
    const x0 = new Float64Array(p);
    loss.hessian(x0, H);
    loss.gradient(x0, g);
    // solve H s = g (3×3, Cramer)
    const det = (m: Float64Array) =>
      m[0] * (m[4] * m[8] - m[5] * m[7]) -
      m[1] * (m[3] * m[8] - m[5] * m[6]) +
      m[2] * (m[3] * m[7] - m[4] * m[6]);
    const D = det(H);
    for (let j = 0; j < p; j++) {
      const Mj = Float64Array.from(H);
      for (let r = 0; r < p; r++) Mj[r * p + j] = g[r];
      const xj = -det(Mj) / D;
      // std error of OLS ≈ noise/√n ≈ 0.0022; allow 5σ
      expect(Math.abs(xj - ds.planted![j])).toBeLessThan(5 * (noise / Math.sqrt(n)));
    }
  });
});

describe("logistic regression", () => {
  it("is numerically stable for huge margins", () => {
    expect(softplus(800)).toBe(800);
    expect(softplus(-800)).toBe(0);
    expect(softplus(1e-20)).toBeCloseTo(Math.LN2, 15);
    const ds = twoMoons(4, 1, 0);
    const loss = new GlmLoss("logistic", ds.X, ds.y, 4, 2, { bias: false });
    const x = Float64Array.from([1e4, 1e4]);
    const g = new Float64Array(2);
    for (let i = 0; i < 4; i++) {
      const v = loss.sampleGradient(i, x, g);
      expect(Number.isFinite(v)).toBe(true);
      const u = loss.margin(i, x);
      // ℓ = softplus(u) − y u → |u|·1[sign(u) disagrees with the label] for |u| ≫ 1
      const expected = ds.y[i] === 1 ? Math.max(-u, 0) : Math.max(u, 0);
      expect(v).toBeCloseTo(expected, 6);
      expect(Number.isFinite(g[0]) && Number.isFinite(g[1])).toBe(true);
    }
  });

  it("the gradient vanishes at the maximum-likelihood point found by Newton's method (convex)", () => {
    const n = 200;
    const ds = gaussianDesign(n, 3, 4, 1, "binary");
    const loss = new GlmLoss("logistic", ds.X, ds.y, n, 3, { bias: true, l2: 1e-3 });
    const d = loss.dim;
    const x = new Float64Array(d);
    const g = new Float64Array(d);
    const H = new Float64Array(d * d);
    const vals: number[] = [];
    for (let it = 0; it < 25; it++) {
      vals.push(loss.gradient(x, g));
      loss.hessian(x, H);
      // Cholesky solve H s = g
      const L = new Float64Array(d * d);
      for (let r = 0; r < d; r++)
        for (let c = 0; c <= r; c++) {
          let s = H[r * d + c];
          for (let k = 0; k < c; k++) s -= L[r * d + k] * L[c * d + k];
          L[r * d + c] = r === c ? Math.sqrt(s) : s / L[c * d + c];
        }
      const z = new Float64Array(d);
      for (let r = 0; r < d; r++) {
        let s = g[r];
        for (let k = 0; k < r; k++) s -= L[r * d + k] * z[k];
        z[r] = s / L[r * d + r];
      }
      for (let r = d - 1; r >= 0; r--) {
        let s = z[r];
        for (let k = r + 1; k < d; k++) s -= L[k * d + r] * z[k];
        z[r] = s / L[r * d + r];
      }
      for (let j = 0; j < d; j++) x[j] -= z[j];
    }
    loss.gradient(x, g);
    for (let j = 0; j < d; j++) expect(Math.abs(g[j])).toBeLessThan(1e-12);
    // Newton on a convex loss: values decrease monotonically
    for (let k = 1; k < vals.length; k++) expect(vals[k]).toBeLessThanOrEqual(vals[k - 1] + 1e-15);
  });
});

describe("phase retrieval", () => {
  it("the planted signal ±x* is a global minimum with zero loss when noise = 0", () => {
    const ds = gaussianDesign(40, 5, 2, 0, "phase");
    const loss = new GlmLoss("phase-retrieval", ds.X, ds.y, 40, 5, {});
    const g = new Float64Array(5);
    const xs = ds.planted!;
    expect(loss.gradient(xs, g)).toBeLessThan(1e-28);
    const neg = xs.map((v) => -v);
    expect(loss.value(neg)).toBeLessThan(1e-28);
    // x = 0 is a critical point (gradient exactly 0), not a minimum
    expect(loss.gradient(new Float64Array(5), g)).toBeGreaterThan(0.1);
    for (let j = 0; j < 5; j++) expect(g[j]).toBe(0);
    // Hessian at x* is (8/N) Σ u_i² a_i a_iᵀ (φ'' = 12u² − 4y = 8u²): check one entry against the formula
    const H = new Float64Array(25);
    loss.hessian(xs, H);
    let s = 0;
    for (let i = 0; i < 40; i++) {
      const u = loss.margin(i, xs);
      s += 8 * u * u * ds.X[i * 5 + 1] * ds.X[i * 5 + 3];
    }
    expect(H[1 * 5 + 3]).toBeCloseTo(s / 40, 12);
    expect(fdPartial((z) => loss.value(z), xs, 0, 1e-6)).toBeCloseTo(0, 8);
  });
});
