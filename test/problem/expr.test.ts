import { describe, expect, it } from "vitest";
import { UserError } from "../../src/errors.js";
import { compileMany, compileMean, compileRegion, compileScalar } from "../../src/problem/expr/index.js";

const XY = ["x", "y"];

/** Central differences with step h: error O(h²). */
function fdGradient(f: (x: Float64Array) => number, x: Float64Array, h = 1e-5): Float64Array {
  const g = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const xp = x.slice();
    const xm = x.slice();
    xp[i] += h;
    xm[i] -= h;
    g[i] = (f(xp) - f(xm)) / (2 * h);
  }
  return g;
}

const CASES: Array<[string, string[], number[]]> = [
  ["x^4/4 - x^2/2", ["x"], [0.7]],
  ["(x^2-1)^2/4 + y^2/2", XY, [0.3, -0.8]],
  ["(x^2+y-11)^2 + (x+y^2-7)^2", XY, [1.1, 2.3]],
  ["100*(y - x^2)^2 + (1 - x)^2", XY, [-0.4, 0.9]],
  ["exp(-x*y) + log(1 + x^2) + sin(x)*cos(y) + tanh(x - y)", XY, [0.4, 0.6]],
  ["sqrt(1 + x^2 + y^2) + atan(x/3) + sigmoid(y) + softplus(x - 2*y)", XY, [0.5, -1.5]],
  ["x^y + pow(y, 2.5) + sinh(x) * cosh(y) - asin(x/2) + acos(y/3)", XY, [1.3, 0.7]],
  ["-200*exp(-(x-1)^2 - 10*y^2) - 100*exp(-x^2 - 10*(y-0.5)^2)", XY, [0.2, 0.3]],
  ["min(x, y)^2 + max(x^2, y) + abs(x - 0.2)*3 + log1p(x^2) + expm1(y/4)", XY, [0.9, 0.1]],
  ["x1^2 + 2*x2*x3 - x4^3 + x5/(1 + x1^2)", ["x1", "x2", "x3", "x4", "x5"], [0.1, 0.2, -0.3, 0.4, 0.5]],
];

describe("expression compiler", () => {
  it.each(CASES)("exact gradient and Hessian of %s agree with finite differences", (src, vars, pt) => {
    const f = compileScalar(src, vars);
    const x = Float64Array.from(pt);
    const d = vars.length;
    const g = new Float64Array(d);
    const v = f.gradient(x, g);
    expect(v).toBeCloseTo(f.value(x), 14);
    const gfd = fdGradient((z) => f.value(z), x);
    const scale = 1 + Math.max(...Array.from(g, Math.abs));
    for (let i = 0; i < d; i++) expect(Math.abs(g[i] - gfd[i])).toBeLessThan(1e-6 * scale);
    const h = new Float64Array(d * d);
    f.hessian(x, h);
    for (let i = 0; i < d; i++) {
      const col = fdGradient((z) => {
        const gz = new Float64Array(d);
        f.gradient(z, gz);
        return gz[i];
      }, x);
      for (let j = 0; j < d; j++) {
        expect(Math.abs(h[i * d + j] - col[j])).toBeLessThan(1e-5 * (1 + Math.abs(h[i * d + j])));
        expect(h[i * d + j]).toBe(h[j * d + i]);
      }
    }
  });

  it("evaluates values exactly as JavaScript would", () => {
    const f = compileScalar("2^3^2 - -x^2 + 1e-3*pi + e", ["x"]);
    const x = 1.5;
    expect(f.value(Float64Array.of(x))).toBe(2 ** (3 ** 2) - -(x ** 2) + 1e-3 * Math.PI + Math.E);
    expect(compileScalar("-x^2", ["x"]).value(Float64Array.of(3))).toBe(-9);
  });

  it("compiles the mean of samples and each sample", () => {
    const { mean, parts } = compileMean(["(x-1)^2", "(x+1)^2", "x^4"], ["x"]);
    const x = Float64Array.of(0.3);
    expect(mean.value(x)).toBeCloseTo(((0.3 - 1) ** 2 + 1.3 ** 2 + 0.3 ** 4) / 3, 14);
    const g = new Float64Array(1);
    parts[2].gradient(x, g);
    expect(g[0]).toBeCloseTo(4 * 0.3 ** 3, 14);
  });

  it("compiles several entries at once", () => {
    const f = compileMany(["1 + x^2", "x*y", "x*y", "2"], XY);
    const out = new Float64Array(4);
    f(Float64Array.of(2, 3), out);
    expect(Array.from(out)).toEqual([5, 6, 6, 2]);
  });

  it("compiles regions", () => {
    const r = compileRegion("x > 0 && y < 1", XY);
    expect(r(Float64Array.of(1, 0))).toBe(true);
    expect(r(Float64Array.of(1, 2))).toBe(false);
    const disc = compileRegion("x^2 + y^2 < 0.0625", XY);
    expect(disc(Float64Array.of(0.1, 0.1))).toBe(true);
    expect(disc(Float64Array.of(0.3, 0))).toBe(false);
    expect(compileRegion("!(x >= 1) || x == 5", ["x"])(Float64Array.of(5))).toBe(true);
  });
});

describe("finite sums of many samples (issue 10: 2000 samples overflowed the stack in Graph.dRaw)", () => {
  it("compiles the mean of 3000 sample expressions with exact value, gradient and Hessian", () => {
    // sample i: (x − c_i)² y + y²/2 with c_i = i mod 7: L = mean over i, known in closed form
    const n = 3000;
    const srcs = Array.from({ length: n }, (_, i) => `(x - ${i % 7})^2 * y + y^2/2`);
    const { mean, parts } = compileMean(srcs, ["x", "y"]);
    expect(parts).toHaveLength(n);
    const x = Float64Array.of(0.5, 2);
    let v = 0;
    let gx = 0;
    let gy = 0;
    for (let i = 0; i < n; i++) {
      const c = i % 7;
      v += (0.5 - c) ** 2 * 2 + 2;
      gx += 2 * (0.5 - c) * 2;
      gy += (0.5 - c) ** 2 + 2;
    }
    expect(mean.value(x)).toBeCloseTo(v / n, 10);
    const g = new Float64Array(2);
    mean.gradient(x, g);
    expect(g[0]).toBeCloseTo(gx / n, 10);
    expect(g[1]).toBeCloseTo(gy / n, 10);
    const h = new Float64Array(4);
    mean.hessian(x, h);
    expect(h[0]).toBeCloseTo(4, 10); // ∂²/∂x² = 2y
    expect(h[3]).toBeCloseTo(1, 10);
  });

  it("a product of 200 factors in 200 variables: exact gradient (each term skips the factors without its variable)", () => {
    // L = Π (1 + x_i²/10): ∂L/∂x_k = L · (2x_k/10)/(1 + x_k²/10)
    const d = 200;
    const names = Array.from({ length: d }, (_, i) => `x${i + 1}`);
    const f = compileScalar(names.map((v) => `(1 + ${v}^2/10)`).join(" * "), names);
    const x = Float64Array.from({ length: d }, (_, i) => Math.sin(i + 1));
    let L = 1;
    for (let i = 0; i < d; i++) L *= 1 + (x[i] * x[i]) / 10;
    expect(f.value(x) / L).toBeCloseTo(1, 12);
    const g = new Float64Array(d);
    f.gradient(x, g);
    for (const k of [0, 17, 199])
      expect(g[k] / ((L * (0.2 * x[k])) / (1 + (x[k] * x[k]) / 10))).toBeCloseTo(1, 10);
  });

  it("a 1000-factor product in 1000 variables (a dense 10⁶-entry Hessian) is refused quickly with the limit named", () => {
    const names = Array.from({ length: 1000 }, (_, i) => `x${i + 1}`);
    const t0 = Date.now();
    expect(() => compileScalar(names.map((v) => `(1 + ${v}^2/1000)`).join(" * "), names)).toThrow(
      /more than 4e\+5 distinct terms/,
    );
    expect(Date.now() - t0).toBeLessThan(30_000);
  });
});

describe("expression safety: hostile or broken input is rejected with a clear error and runs nothing", () => {
  const hostile = [
    "constructor.constructor('return process')()",
    "x; process.exit(1)",
    "__proto__",
    "x.constructor",
    "this",
    "globalThis.process.exit(1)",
    "x + `1`",
    "eval('1')",
    "Function('return 1')()",
    "x[0]",
    "toString(x)",
    "valueOf",
    "hasOwnProperty(x)",
    "x = 1",
    "x => x",
    "require('fs')",
    "import('fs')",
    '"x"',
    "x /* c */",
  ];
  it.each(hostile)("rejects %s", (src) => {
    let err: unknown;
    try {
      compileScalar(src, ["x"]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/column|unknown|unexpected|expected/);
  });

  it.each([
    ["x^", /unexpected end/],
    ["(x + 1", /expected '\)'/],
    ["x + 1)", /unexpected '\)'/],
    ["sin(x, 2)", /takes 1 argument/],
    ["foo(x)", /unknown function 'foo'/],
    ["x + y", /unknown name 'y'/],
    ["1 < x < 2", /chained comparisons/],
    ["", /empty expression/],
  ])("explains what is wrong in %s", (src, re) => {
    expect(() => compileScalar(src, ["x"])).toThrow(re);
  });

  it("rejects a condition where a number is needed and a number where a condition is needed", () => {
    expect(() => compileScalar("x > 0", ["x"])).toThrow(/is a condition/);
    expect(() => compileRegion("x + 1", ["x"])).toThrow(/is not a condition/);
  });
});
