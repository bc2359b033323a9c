import { describe, expect, it } from "vitest";
import { compileSampleFamily, compileScalar } from "../../src/problem/expr/index.js";
import { problemFromSpec } from "../../src/problem/index.js";

describe("samples that differ only in numeric literals (one compiled family)", () => {
  const vars = ["x", "y"];
  const srcs = [
    "(x^2-1)^2/4 + 0.5*x + (-1.25)*x*y + 3",
    "(x^2-1)^2/4 + (-2)*x + 0.75*x*y + 3",
    "(x^2-1)^2/4 - 0*x + 1e-3*x*y + 3",
  ];

  it("tabulates the differing literals only and matches each sample compiled on its own", () => {
    // "- 0*x" has another syntax than "+ (-2)*x" (a binary minus), so the third sample breaks the family
    expect(compileSampleFamily(srcs, vars)).toBeUndefined();
    const same = srcs.slice(0, 2);
    const fam = compileSampleFamily(same, vars);
    expect(fam).toBeDefined();
    // the literals that differ: 0.5 / −2 and −1.25 / 0.75 (a unary minus belongs to its literal)
    expect(fam!.params).toBe(2);
    expect(Array.from(fam!.table)).toEqual([0.5, -1.25, -2, 0.75]);
    const g = new Float64Array(2);
    const h = new Float64Array(2);
    for (const [s, src] of same.entries()) {
      const one = compileScalar(src, vars);
      for (const pt of [
        [0.3, -1.7],
        [-2.2, 0.4],
        [1, 1],
      ]) {
        const x = Float64Array.from(pt);
        const v = fam!.sampleGradient(s, x, g);
        const w = one.gradient(x, h);
        expect(v).toBeCloseTo(w, 12);
        expect(fam!.sampleValue(s, x)).toBeCloseTo(w, 12);
        for (let i = 0; i < 2; i++) expect(g[i]).toBeCloseTo(h[i], 12);
      }
    }
  });

  it("refuses a family whose samples differ in an exponent (x^2 and x^3 compile differently)", () => {
    expect(compileSampleFamily(["x^2 + y", "x^3 + y"], vars)).toBeUndefined();
    expect(compileSampleFamily(["pow(x, 2) + y", "pow(x, 3) + y"], vars)).toBeUndefined();
    expect(compileSampleFamily(["2*x^2 + y", "3*x^2 + y"], vars)?.params).toBe(1);
  });

  it("proves the gradient affine in the literals only where it is (then batch means are family members)", () => {
    const affine = (a: string, b: string) => compileSampleFamily([a, b], vars)?.affine;
    // ∇ = A(x) + Σ p_k B_k(x): literals as coefficients, shifts of a square, constants
    expect(affine("(x^2-1)^2/4 + 0.3*x + 1.2*x*y", "(x^2-1)^2/4 + (-0.5)*x + 0.1*x*y")).toBe(true);
    expect(affine("(x - 0.5)^2 + 2*sin(y) + 7", "(x - 1.5)^2 + 3*sin(y) + 8")).toBe(true);
    expect(affine("exp(0.2)*x + y^2", "exp(0.4)*x + y^2")).toBe(false); // exp(p)·x: not proved (exp(p) is not affine)
    // gradients that are not affine in the literal: refused
    expect(affine("(x - 0.5)^4 + y^2", "(x - 1.5)^4 + y^2")).toBe(false);
    expect(affine("sin(0.5*x) + y^2", "sin(1.5*x) + y^2")).toBe(false);
    expect(affine("x^2/(1 + 0.5*y^2)", "x^2/(1 + 1.5*y^2)")).toBe(false);
    // non-smooth: ∂/∂p of sign(x − p) is 0 symbolically, but sign jumps with p
    expect(affine("abs(x - 0.5) + y^2", "abs(x - 1.5) + y^2")).toBe(false);
    expect(affine("max(x, 0.5) + y^2", "max(x, 1.5) + y^2")).toBe(false);
    // where proved: ∇ at the mean literals = the mean of the gradients (up to rounding), at a few points
    const srcs2 = ["(x - 0.5)^2 + 2*sin(y) + 0.3*x*y", "(x - 1.5)^2 + 3*sin(y) + (-1.1)*x*y"];
    const fam = compileSampleFamily(srcs2, vars)!;
    const g0 = new Float64Array(2);
    const g1 = new Float64Array(2);
    const gm = new Float64Array(2);
    for (const [x, y] of [
      [0.3, -1.7],
      [-2.2, 0.4],
    ]) {
      fam.sampleGradient(0, Float64Array.of(x, y), g0);
      fam.sampleGradient(1, Float64Array.of(x, y), g1);
      const P = fam.params;
      const xp = new Float64Array(2 + P);
      xp[0] = x;
      xp[1] = y;
      for (let k = 0; k < P; k++) xp[2 + k] = (fam.table[k] + fam.table[P + k]) / 2;
      fam.gradientAt(xp, gm);
      for (let i = 0; i < 2; i++) expect(Math.abs(gm[i] - (g0[i] + g1[i]) / 2)).toBeLessThan(1e-14 * 10);
    }
  });

  it("a problem with such samples exposes the family; its empirical noise uses the same gradients", () => {
    const p = problemFromSpec({
      name: "fam",
      loss: { samples: ["x^2/2 + 0.5*x", "x^2/2 + (-0.5)*x"] },
      lr: 0.1,
      batch: 1,
      domain: [[-2, 2]],
    });
    expect(p.loss.finiteSum?.family?.params).toBe(1);
    // per-sample gradients x ± 0.5: Σ(x) = 0.25 (population variance of the two) at every x
    const cov = new Float64Array(1);
    p.noise.covariance(Float64Array.of(0.7), cov);
    expect(cov[0]).toBeCloseTo(0.25, 14);
  });
});
