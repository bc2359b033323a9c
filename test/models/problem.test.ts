import { describe, expect, it } from "vitest";
import { UserError } from "../../src/errors.js";
import { problemFromSpec } from "../../src/problem/index.js";
import { buildModelLoss } from "../../src/problem/models/index.js";

describe("data-driven models through problemFromSpec", () => {
  it("a logistic-regression problem file gives x1..xd, the model's loss and its init as start", () => {
    const loss = { model: "logistic", data: { generate: "two-moons", n: 60, seed: 4 }, l2: 0.01 };
    const p = problemFromSpec({ name: "moons", loss, lr: 0.5, batch: 8 });
    const ref = buildModelLoss(loss);
    expect(p.dim).toBe(3);
    expect(p.varNames).toEqual(["x1", "x2", "x3"]);
    expect(p.loss.finiteSum?.n).toBe(60);
    const x = Float64Array.from([0.4, -1.2, 0.3]);
    expect(p.loss.value(x)).toBe(ref.loss.value(x));
    expect(p.start).toEqual(Array.from(ref.init));
  });

  it("empirical Σ of an MLP problem equals the covariance of the per-sample gradients", () => {
    const spec = {
      name: "tiny mlp",
      loss: { model: "mlp", data: { generate: "xor", n: 12, seed: 2 }, hidden: [3] },
      noise: "empirical",
      lr: 0.1,
      batch: 4,
    };
    const p = problemFromSpec(spec);
    const d = p.dim;
    expect(d).toBe(2 * 3 + 3 + 3 * 2 + 2);
    const x = Float64Array.from(p.start!);
    const S = new Float64Array(d * d);
    p.noise.covariance(x, S);
    // independent: Σ = (1/N) Σ_i ∇ℓ_i ∇ℓ_iᵀ − ∇L ∇Lᵀ from sampleGradient
    const fs = p.loss.finiteSum!;
    const G = fs.n;
    const gi = new Float64Array(d);
    const m = new Float64Array(d);
    const M2 = new Float64Array(d * d);
    for (let i = 0; i < G; i++) {
      fs.sampleGradient(i, x, gi);
      for (let r = 0; r < d; r++) {
        m[r] += gi[r] / G;
        for (let c = 0; c < d; c++) M2[r * d + c] += (gi[r] * gi[c]) / G;
      }
    }
    let scale = 0;
    for (let k = 0; k < d * d; k++) scale = Math.max(scale, Math.abs(S[k]));
    expect(scale).toBeGreaterThan(0);
    for (let r = 0; r < d; r++)
      for (let c = 0; c < d; c++)
        expect(Math.abs(S[r * d + c] - (M2[r * d + c] - m[r] * m[c]))).toBeLessThan(1e-12 * scale + 1e-15);
  });

  it("bad model sections are UserErrors naming the file and the path", () => {
    const bad = (loss: unknown) => () =>
      problemFromSpec({ name: "b", loss, lr: 0.1, batch: 1 }, { file: "p.yaml" });
    expect(bad({ model: "mlp", data: { builtin: "iris" }, hidden: [4], activation: "sigmoid" })).toThrow(
      UserError,
    );
    expect(bad({ model: "mlp", data: { builtin: "iris" }, hidden: [4], activation: "sigmoid" })).toThrow(
      /p\.yaml/,
    );
    expect(bad({ model: "logistic", data: { builtin: "iris" } })).toThrow(/2 classes/);
  });
});
