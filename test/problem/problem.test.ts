import { describe, expect, it } from "vitest";
import { UserError } from "../../src/errors.js";
import { diffusionMatrix, problemFromSpec } from "../../src/problem/index.js";
import { Rng } from "../../src/random/rng.js";

const DW = {
  name: "dw",
  loss: "x^4/4 - x^2/2",
  noise: { isotropic: 1 },
  lr: 0.2,
  batch: 1,
  domain: [[-3, 3]],
};

function err(spec: unknown): string {
  try {
    problemFromSpec(spec, { file: "p.yaml" });
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return (e as Error).message;
  }
  throw new Error("expected a UserError");
}

describe("problemFromSpec", () => {
  it("builds the double well with the conventions of DESIGN.md", () => {
    const p = problemFromSpec(DW);
    expect(p.dim).toBe(1);
    expect(p.varNames).toEqual(["x"]);
    expect(p.batchScale).toBe(1);
    const a = new Float64Array(1);
    diffusionMatrix(p, Float64Array.of(0.3), a);
    expect(a[0]).toBeCloseTo(0.2, 15); // A = η σ² / B = 2ε with ε = 0.1
    const g = new Float64Array(1);
    expect(p.loss.gradient(Float64Array.of(2), g)).toBe(2);
    expect(g[0]).toBe(6);
  });

  it("infers x,y and x1..xd and checks the domain's dimension", () => {
    expect(
      problemFromSpec({
        ...DW,
        loss: "x^2 + y^2",
        domain: [
          [-1, 1],
          [-1, 1],
        ],
      }).varNames,
    ).toEqual(["x", "y"]);
    expect(problemFromSpec({ ...DW, loss: "x1^2 + x4^2", domain: undefined }).varNames).toEqual([
      "x1",
      "x2",
      "x3",
      "x4",
    ]);
    expect(err({ ...DW, loss: "x^2 + y^2" })).toMatch(
      /p.yaml: domain: the loss uses 2 coordinates but the domain has 1/,
    );
    expect(
      problemFromSpec({
        ...DW,
        loss: "a^2 + b",
        vars: ["a", "b"],
        domain: [
          [-1, 1],
          [0, 1],
        ],
      }).dim,
    ).toBe(2);
  });

  it("scales the batch covariance with and without replacement", () => {
    const samples = { samples: ["(x-1)^2/2", "(x+1)^2/2", "x^2/2", "(x-3)^2/2"] };
    const w = problemFromSpec({ name: "s", loss: samples, lr: 0.1, batch: 2 });
    expect(w.noise.kind).toBe("empirical");
    expect(w.batchScale).toBe(0.5);
    const wo = problemFromSpec({ name: "s", loss: samples, lr: 0.1, batch: 2, replacement: false });
    expect(wo.batchScale).toBeCloseTo((4 - 2) / (2 * 3), 15);
    // Σ(x) for ℓ_i = (x − a_i)²/2: ∇ℓ_i − ∇L = mean(a) − a_i, so Σ = Var(a) (population), constant.
    const s = new Float64Array(1);
    w.noise.covariance(Float64Array.of(0.7), s);
    const a = [1, -1, 0, 3];
    const m = a.reduce((u, v) => u + v) / 4;
    expect(s[0]).toBeCloseTo(a.reduce((u, v) => u + (v - m) ** 2, 0) / 4, 13);
    const f = new Float64Array(4);
    w.noise.factor(Float64Array.of(0.7), f, new Float64Array(0));
    expect(f.reduce((u, v) => u + v * v, 0)).toBeCloseTo(s[0], 13);
  });

  it("empirical Σ equals the covariance of sampled minibatch gradients (×B)", () => {
    const p = problemFromSpec({
      name: "s",
      loss: { samples: ["(x - 1)^2 + x*y", "(y + 2)^2 + sin(x)", "x^2*y^2/4", "exp(x/3) + y", "(x - y)^2"] },
      lr: 0.1,
      batch: 3,
    });
    const x = Float64Array.of(0.4, -0.3);
    const S = new Float64Array(4);
    p.noise.covariance(x, S);
    const fs = p.loss.finiteSum!;
    const rng = new Rng(9);
    const M = 200000;
    const gi = new Float64Array(2);
    const mean = [0, 0];
    const m2 = [0, 0, 0, 0];
    for (let k = 0; k < M; k++) {
      const gb = [0, 0];
      for (let b = 0; b < 3; b++) {
        fs.sampleGradient(rng.int(fs.n), x, gi);
        gb[0] += gi[0] / 3;
        gb[1] += gi[1] / 3;
      }
      for (let i = 0; i < 2; i++) {
        mean[i] += gb[i] / M;
        for (let j = 0; j < 2; j++) m2[i * 2 + j] += (gb[i] * gb[j]) / M;
      }
    }
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 2; j++) {
        const cov = (m2[i * 2 + j] - mean[i] * mean[j]) * 3; // × B: Σ_B = Σ/B
        // standard error of a covariance estimate ≈ sqrt((S_ii S_jj + S_ij²)/M) × B-scaling; 5σ
        const se = (Math.sqrt((S[i * 2 + i] * S[j * 2 + j] + S[i * 2 + j] ** 2) / M) * 3) / 3;
        expect(Math.abs(cov - S[i * 2 + j])).toBeLessThan(5 * se * 1.5);
      }
    }
  });

  it("factors matrix, hessian and loss noise so that G Gᵀ = Σ", () => {
    const specs = [
      {
        noise: {
          matrix: [
            ["1 + x^2", "0.5*x"],
            ["0.5*x", "1"],
          ],
        },
      },
      { noise: { hessian: 0.5 } },
      { noise: { loss: 2 } },
      { noise: { diagonal: [1, "y^2"] } },
    ];
    for (const extra of specs) {
      const p = problemFromSpec({
        ...DW,
        loss: "(x^2-1)^2/4 + y^2/2 + x*y/5",
        domain: [
          [-2, 2],
          [-2, 2],
        ],
        ...extra,
      });
      const x = Float64Array.of(0.3, 0.9);
      const S = new Float64Array(4);
      const G = new Float64Array(2 * p.noise.rank);
      p.noise.covariance(x, S);
      p.noise.factor(x, G, new Float64Array(p.noise.workSize));
      const r = p.noise.rank;
      for (let i = 0; i < 2; i++)
        for (let j = 0; j < 2; j++) {
          let acc = 0;
          for (let c = 0; c < r; c++) acc += G[i * r + c] * G[j * r + c];
          expect(acc).toBeCloseTo(S[i * 2 + j], 12);
        }
    }
  });
});

describe("bad problem files get one clear error with the path", () => {
  it.each([
    [{ ...DW, lr: -0.1 }, /p.yaml: lr: the learning rate η must be > 0/],
    [{ ...DW, batch: 0 }, /p.yaml: batch: the batch size must be ≥ 1/],
    [{ ...DW, batch: 1.5 }, /batch: the batch size must be a whole number/],
    [{ ...DW, colour: "red" }, /p.yaml: \(top level\): unknown key 'colour'.*valid: name, description, loss/],
    [{ ...DW, noise: { isotropic: 1, hessian: 1 } }, /noise: give exactly one noise model/],
    [{ ...DW, noise: { isotropc: 1 } }, /noise: unknown key 'isotropc'/],
    [{ ...DW, noise: undefined }, /noise: is required for an analytic loss/],
    [{ ...DW, domain: [[3, -3]] }, /domain\[0\]: each interval must be \[lo, hi\] with lo < hi/],
    [{ ...DW, loss: "x^4 +" }, /p.yaml: loss: unexpected end of expression/],
    [
      { ...DW, loss: "constructor.constructor('return process')()" },
      /unexpected character '\.' at column 12/,
    ],
    [
      {
        ...DW,
        noise: {
          matrix: [
            ["1", "2"],
            ["2", "1"],
          ],
        },
        loss: "x^2+y^2",
        domain: [
          [-1, 1],
          [-1, 1],
        ],
      },
      /not positive semi-definite at x = \(0, 0\).*eigenvalue -1/,
    ],
    [
      {
        ...DW,
        noise: {
          matrix: [
            ["1", "x"],
            ["0", "1"],
          ],
        },
        loss: "x^2+y^2",
        domain: [
          [-1, 1],
          [-1, 1],
        ],
        start: [0.5, 0],
      },
      /not symmetric/,
    ],
    [{ ...DW, noise: { diagonal: [1, 2] } }, /noise.diagonal: has 2 entries but the problem has dimension 1/],
    [{ ...DW, noise: "empirical" }, /empirical noise model needs a finite sum/],
    [{ ...DW, replacement: false }, /without replacement needs a finite sum/],
    [{ ...DW, target: "x + 1" }, /target: "x \+ 1" is not a condition/],
    [{ ...DW, start: [1, 2] }, /start: has 2 coordinate/],
    [[1, 2], /must be a mapping/],
    [{ name: "x" }, /loss: is required/],
  ])("%j", (spec, re) => {
    expect(err(spec)).toMatch(re);
  });
});
