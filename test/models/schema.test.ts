import { describe, expect, it } from "vitest";
import { UserError } from "../../src/errors.js";
import { GlmLoss } from "../../src/problem/models/glm.js";
import { buildModelLoss, MlpLoss, modelLossSchema } from "../../src/problem/models/index.js";
import { fdRichardson, relErr } from "./helpers.js";

function userError(f: () => unknown): UserError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return e as UserError;
  }
  throw new Error("expected a UserError");
}

describe("modelLossSchema", () => {
  it("accepts the documented forms and fills defaults", () => {
    const a = modelLossSchema.parse({ model: "linear", data: { generate: "gaussian" } });
    expect(a.data).toEqual({ generate: "gaussian", n: 200, seed: 1, noise: 0.1 });
    expect(a.l2).toBe(0);
    expect(
      modelLossSchema.safeParse({ model: "mlp", data: { builtin: "iris" }, hidden: [8, 4] }).success,
    ).toBe(true);
    expect(
      modelLossSchema.safeParse({ model: "logistic", data: { csv: "f.csv", target: "y", features: ["a"] } })
        .success,
    ).toBe(true);
  });

  it("rejects unknown keys, bad enums and mlp-only keys on other models", () => {
    expect(
      modelLossSchema.safeParse({ model: "linear", data: { generate: "gaussian" }, foo: 1 }).success,
    ).toBe(false);
    expect(
      modelLossSchema.safeParse({ model: "linear", data: { generate: "gaussian", bar: 1 } }).success,
    ).toBe(false);
    expect(modelLossSchema.safeParse({ model: "svm", data: { builtin: "iris" } }).success).toBe(false);
    expect(
      modelLossSchema.safeParse({ model: "linear", data: { builtin: "iris" }, hidden: [3] }).success,
    ).toBe(false);
    expect(
      modelLossSchema.safeParse({ model: "mlp", data: { builtin: "iris" }, hidden: [3, 3, 3] }).success,
    ).toBe(false);
    expect(modelLossSchema.safeParse({ model: "mlp", data: { generate: "xor", dim: 3 } }).success).toBe(
      false,
    );
    expect(modelLossSchema.safeParse({ model: "mlp", data: { generate: "xor", n: 0 } }).success).toBe(false);
    expect(
      modelLossSchema.safeParse({ model: "linear", data: { generate: "gaussian", n: 1_000_000, dim: 100 } })
        .success,
    ).toBe(false);
  });
});

describe("buildModelLoss", () => {
  it("builds an MLP on two moons with x1..xd names and a deterministic init", () => {
    const spec = { model: "mlp", data: { generate: "two-moons", n: 100, seed: 3 }, hidden: [16, 16] };
    const a = buildModelLoss(spec);
    const b = buildModelLoss(spec);
    expect(a.loss).toBeInstanceOf(MlpLoss);
    expect(a.loss.dim).toBe(2 * 16 + 16 + 16 * 16 + 16 + 16 * 2 + 2);
    expect(a.varNames.length).toBe(a.loss.dim);
    expect(a.varNames[0]).toBe("x1");
    expect(a.varNames[a.loss.dim - 1]).toBe(`x${a.loss.dim}`);
    expect(Array.from(a.init)).toEqual(Array.from(b.init));
    expect(a.loss.finiteSum!.n).toBe(100);
    expect(a.description).toContain("2→16→16→2");
    // LeCun init: first-layer weights have variance 1/2 (32 draws: loose 3σ-type band)
    let s2 = 0;
    for (let k = 0; k < 32; k++) s2 += a.init[k] ** 2;
    expect(s2 / 32).toBeGreaterThan(0.2);
    expect(s2 / 32).toBeLessThan(0.9);
    const c = buildModelLoss({ ...spec, seed: 99 });
    expect(Array.from(c.init)).not.toEqual(Array.from(a.init));
  });

  it("builds each GLM with the right dimension and init", () => {
    const lin = buildModelLoss({ model: "linear", data: { generate: "gaussian", n: 10, dim: 30 } });
    expect(lin.loss.dim).toBe(31); // over-parameterised: d = 31 > N = 10
    expect(Array.from(lin.init).every((v) => v === 0)).toBe(true);
    const pr = buildModelLoss({ model: "phase-retrieval", data: { generate: "gaussian", dim: 4 } });
    expect(pr.loss.dim).toBe(4); // no bias by default
    expect(Array.from(pr.init).some((v) => v !== 0)).toBe(true);
    const lg = buildModelLoss({ model: "logistic", data: { generate: "xor", n: 40 }, l2: 0.1 });
    expect(lg.loss).toBeInstanceOf(GlmLoss);
    expect(lg.loss.dim).toBe(3);
    // the ridge term is in every ℓ_i: ∇ℓ_i − λx = (σ(u) − y)ã
    const g = new Float64Array(3);
    const x = Float64Array.from([0.3, -0.2, 0.1]);
    lg.loss.finiteSum!.sampleGradient(0, x, g);
    const fd = [0, 1, 2].map((j) => fdRichardson((z) => lg.loss.finiteSum!.sampleValue(0, z), x, j, 1e-3));
    expect(relErr(g, fd)).toBeLessThan(1e-9);
  });

  it("MLP squared output on class data uses one-hot targets; on regression data one output", () => {
    const a = buildModelLoss({
      model: "mlp",
      data: { builtin: "iris", standardize: true },
      output: "squared",
      hidden: [3],
    });
    expect(a.loss.dim).toBe(4 * 3 + 3 + 3 * 3 + 3);
    const x = new Float64Array(a.loss.dim); // all-zero network outputs 0: ℓ_i = ½·1 (one-hot target)
    expect(a.loss.value(x)).toBeCloseTo(0.5, 14);
    const b = buildModelLoss({
      model: "mlp",
      data: { generate: "teacher", dim: 3 },
      output: "squared",
      hidden: [2],
    });
    expect(b.loss.dim).toBe(3 * 2 + 2 + 2 + 1);
  });

  it("softmax on Iris: at x = 0 the loss is log 3", () => {
    const a = buildModelLoss({ model: "mlp", data: { builtin: "iris" }, hidden: [4], activation: "relu" });
    expect(a.loss.value(new Float64Array(a.loss.dim))).toBeCloseTo(Math.log(3), 14);
  });

  it("reads CSV through ctx.readText, with clear errors", () => {
    const files: Record<string, string> = {
      "ok.csv": "h,w,label\n1.5,60,a\n1.8,80,b\n1.6,55,a\n",
      "bad.csv": "h,w,label\n1.5,60,a\n1.8,?,b\n",
      "three.csv": "h,label\n1,a\n2,b\n3,c\n",
    };
    const readText = (p: string) => {
      if (!(p in files)) throw new Error("ENOENT: no such file");
      return files[p];
    };
    const ok = buildModelLoss({ model: "logistic", data: { csv: "ok.csv", target: "label" } }, { readText });
    expect(ok.loss.dim).toBe(3);
    expect(ok.data.classNames).toEqual(["a", "b"]);
    let e = userError(() =>
      buildModelLoss({ model: "logistic", data: { csv: "bad.csv", target: "label" } }, { readText }),
    );
    expect(e.message).toContain("bad.csv: line 3, column 2");
    e = userError(() =>
      buildModelLoss({ model: "logistic", data: { csv: "three.csv", target: "label" } }, { readText }),
    );
    expect(e.message).toContain("needs 2 classes");
    e = userError(() =>
      buildModelLoss({ model: "linear", data: { csv: "nope.csv", target: "label" } }, { readText }),
    );
    expect(e.message).toContain("cannot read");
    e = userError(() =>
      buildModelLoss({ model: "linear", data: { csv: "ok.csv", target: "weight" } }, { readText }),
    );
    expect(e.message).toContain('"weight"');
    e = userError(() => buildModelLoss({ model: "linear", data: { csv: "ok.csv", target: "w" } }));
    expect(e.message).toContain("file reader");
  });

  it("rejects bad specs and wrong targets with a UserError naming the path", () => {
    let e = userError(() => buildModelLoss({ model: "linear", data: { generate: "gaussian" }, typo: 1 }));
    expect(e.message).toContain("loss");
    e = userError(() => buildModelLoss({ model: "linear", data: { generate: "gaussian" }, l2: -1 }));
    expect(e.message).toContain("loss.l2");
    e = userError(() => buildModelLoss({ model: "mlp", data: { builtin: "iriss" } }));
    expect(e.message).toContain("loss.data.builtin");
    expect(e.message).toContain('"iris"');
    e = userError(() => buildModelLoss({ model: "mlp", data: { generate: "gaussian", nn: 3 } }));
    expect(e.message).toContain("loss.data");
    expect(e.message).toContain('"nn"');
    e = userError(() => buildModelLoss({ model: "mlp", data: { generate: "spiral" } }));
    expect(e.message).toContain("loss.data.generate");
    e = userError(() => buildModelLoss({ model: "mlp", data: { url: "http://x" } }));
    expect(e.message).toContain("builtin: iris"); // no recognisable form: the hint lists all three
    e = userError(() => buildModelLoss({ model: "logistic", data: { builtin: "iris" } }));
    expect(e.message).toContain("3");
    // teacher data with softmax get binary labels; a real-valued CSV target cannot be classified
    expect(
      buildModelLoss({ model: "mlp", data: { generate: "teacher" }, output: "softmax" }).data.classes,
    ).toBe(2);
    const readText = () => "a,t\n1,0.5\n2,1.5\n";
    e = userError(() => buildModelLoss({ model: "mlp", data: { csv: "r.csv", target: "t" } }, { readText }));
    expect(e.message).toContain("real numbers");
    e = userError(() =>
      buildModelLoss({ model: "logistic", data: { csv: "r.csv", target: "t" } }, { readText }),
    );
    expect(e.message).toContain("real numbers");
  });
});
